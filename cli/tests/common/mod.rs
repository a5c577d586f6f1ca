//! Helpers shared by the end-to-end tests of the `galton` binary.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `galton` binary with these arguments.
pub fn galton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_galton"))
        .args(args)
        .output()
        .expect("the galton binary runs")
}

/// The folder of real public datasets: `$GALTON_DATASETS`, or `../shared/datasets` beside the
/// project root.
pub fn datasets_dir() -> PathBuf {
    let dir = match std::env::var_os("GALTON_DATASETS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets"),
    };
    assert!(dir.is_dir(), "real datasets not found at {}", dir.display());
    dir
}

/// The FVC2002 DB1_B folder.
pub fn db1_dir() -> PathBuf {
    datasets_dir().join("fvc2002/DB1_B")
}

/// Path of one DB1_B image, as a string for the command line.
pub fn db1(name: &str) -> String {
    db1_dir().join(name).to_string_lossy().into_owned()
}

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("galton-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The folder of real public datasets: `$GALTON_DATASETS`, or `../shared/datasets` beside the
/// project root. Panics with a clear message when it is missing, so that a test that needs
/// real data never passes without it.
pub fn datasets_dir() -> PathBuf {
    let dir = match std::env::var_os("GALTON_DATASETS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets"),
    };
    assert!(
        dir.is_dir(),
        "real datasets not found at {} (set GALTON_DATASETS to the folder holding fvc2002/)",
        dir.display()
    );
    dir
}

/// Resolution of each FVC2002 database, in pixels per inch (the TIFF tags say 1 dpi).
pub fn fvc2002_ppi(db: &str) -> f32 {
    match db {
        "DB2_B" => 569.0,
        _ => 500.0,
    }
}

/// The 80 image paths of one FVC2002 B set, in file-name order.
pub fn fvc2002_images(db: &str) -> Vec<PathBuf> {
    let dir = datasets_dir().join("fvc2002").join(db);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 80, "expected 80 images in {}", dir.display());
    paths
}

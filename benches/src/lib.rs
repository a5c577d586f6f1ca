//! Shared setup for the galton benchmarks: locating the real datasets; and a classical Hough
//! matcher ([`hough`]) to evaluate with beside galton's own.

use std::path::PathBuf;

pub mod hough;

/// The folder of real public datasets: `$GALTON_DATASETS`, or `../shared/datasets` beside the
/// workspace root. Panics with a clear message when it is missing.
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

/// The four FVC2002 B sets and their resolutions in pixels per inch (the TIFF tags say 1 dpi).
pub const FVC2002_SETS: [(&str, f32); 4] = [
    ("DB1_B", 500.0),
    ("DB2_B", 569.0),
    ("DB3_B", 500.0),
    ("DB4_B", 500.0),
];

/// The image paths of one FVC2002 B set (e.g. `"DB1_B"`), in file-name order.
pub fn fvc2002_images(db: &str) -> Vec<PathBuf> {
    let dir = datasets_dir().join("fvc2002").join(db);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .collect();
    paths.sort();
    paths
}

//! Opening a gallery database: the input is written as the database file, opened, and
//! everything in it read back and searched once; a file that is not a galton gallery (or is
//! damaged) must give an error, never a panic.
#![no_main]

use galton::gallery::{Gallery, GalleryConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Memory-backed where there is /dev/shm: one file write per execution.
    let base = std::path::Path::new("/dev/shm");
    let base = if base.is_dir() {
        base.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("galton-fuzz-open-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("gallery.db");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::write(&path, data).expect("write the input file");
    if let Ok(gallery) = Gallery::open(&path, GalleryConfig::default()) {
        let count = gallery.subjects().count();
        assert_eq!(count, gallery.len(), "len agrees with the subjects listed");
        if let Some(first) = gallery.subjects().next() {
            let probe = first.to_probe();
            let _ = gallery.identify(&probe, 3);
        }
    }
});

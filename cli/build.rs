//! Embeds the synthetic fixtures (`fixtures/synth/*.png` with their ground-truth `*.json`)
//! into the binary, so that `galton demo` runs anywhere on the project's own data.

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/synth");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "png"))
                .filter(|p| p.with_extension("json").is_file())
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    // Natural order: 1_1, 1_2, …, 2_1, …, 10_1.
    stems.sort_by_key(|s| {
        s.split('_')
            .map(|n| n.parse::<u32>().unwrap_or(u32::MAX))
            .collect::<Vec<_>>()
    });
    let mut code =
        String::from("/// (stem, PNG bytes, ground-truth JSON) of each bundled impression.\n");
    code.push_str("pub const FIXTURES: &[(&str, &[u8], &str)] = &[\n");
    for stem in &stems {
        let png = dir.join(format!("{stem}.png"));
        let json = dir.join(format!("{stem}.json"));
        let _ = writeln!(
            code,
            "    ({stem:?}, include_bytes!({:?}), include_str!({:?})),",
            png.display().to_string(),
            json.display().to_string()
        );
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("fixtures.rs");
    std::fs::write(out, code).expect("write fixtures.rs");
}

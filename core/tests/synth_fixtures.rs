//! The committed synthetic fixtures regenerate byte for byte: guards the determinism of the
//! whole generator (seeds, growth, rendering, PNG and JSON writing).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use galton::synth::{write_dataset, DatasetSpec};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/synth")
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn committed_fixtures_regenerate_byte_for_byte() {
    let dir = fixtures();
    let spec: DatasetSpec =
        serde_json::from_slice(&std::fs::read(dir.join("dataset.json")).unwrap()).unwrap();
    assert!(!spec.templates_only);
    let out = std::env::temp_dir().join(format!("galton-synth-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    write_dataset(&out, &spec, &|_| {}).unwrap();
    let expected = names(&dir);
    assert_eq!(names(&out), expected);
    assert_eq!(
        expected.len(),
        1 + 2 * spec.fingers as usize * spec.impressions as usize
    );
    for name in &expected {
        let a = std::fs::read(dir.join(name)).unwrap();
        let b = std::fs::read(out.join(name)).unwrap();
        assert!(a == b, "{name} differs from the committed fixture");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn fixture_ground_truth_is_consistent_with_its_image() {
    // Every true minutia lies inside the image on a dark (inked) neighbourhood or near the
    // contact border, and the JSON lists a known class and condition.
    let dir = fixtures();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("1_1.json")).unwrap()).unwrap();
    let image = image::open(dir.join("1_1.png")).unwrap().into_luma8();
    assert_eq!((image.width(), image.height()), (288, 384));
    let minutiae = doc["minutiae"].as_array().unwrap();
    assert!(minutiae.len() >= 20, "{} minutiae", minutiae.len());
    let mut inked = 0;
    for m in minutiae {
        let (x, y) = (m["x"].as_f64().unwrap(), m["y"].as_f64().unwrap());
        assert!((0.0..288.0).contains(&x) && (0.0..384.0).contains(&y));
        assert!(["ending", "bifurcation"].contains(&m["type"].as_str().unwrap()));
        let darkest = (-2..=2)
            .flat_map(|dy| (-2..=2).map(move |dx| (dx, dy)))
            .map(|(dx, dy)| {
                let px = (x as i64 + dx).clamp(0, 287) as u32;
                let py = (y as i64 + dy).clamp(0, 383) as u32;
                image.get_pixel(px, py)[0]
            })
            .min()
            .unwrap();
        inked += (darkest < 120) as usize;
    }
    assert!(
        inked * 10 >= minutiae.len() * 9,
        "{inked} of {} on ink",
        minutiae.len()
    );
}

//! `galton quality` end to end: real fingerprints and the real face photo, text and JSON, the
//! languages, exit codes, and bad input.

mod common;

use common::{db1, galton, temp_dir, text};

fn face_fixture(name: &str) -> String {
    format!("{}/../fixtures/face/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fingerprints_in_json_one_object_per_image() {
    let output = galton(&["quality", &db1("101_1.tif"), &db1("102_2.tif"), "--json"]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 2);
    for o in &objects {
        assert_eq!(o["kind"], "finger");
        let score = o["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score) && score > 35.0, "{o}");
        assert_eq!(o["pass"], true);
        let measures = o["measures"].as_array().unwrap();
        assert!(measures.len() >= 10, "{o}");
        for m in measures {
            assert!(m["id"].is_string() && m["score"].is_number() && m["pass"].is_boolean());
        }
        assert!(o["feedback"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_failing_capture_says_what_to_fix_in_spanish_and_exits_2() {
    // A small fingerprint area: DB1 101_1 cut to its central 110 × 110 pixels.
    let dir = temp_dir("quality");
    let small = dir.join("small.png");
    let image = image::open(db1("101_1.tif")).unwrap().to_luma8();
    let mut canvas = image::GrayImage::from_pixel(388, 374, image::Luma([255]));
    let crop = image::imageops::crop_imm(&image, 139, 132, 110, 110).to_image();
    image::imageops::overlay(&mut canvas, &crop, 139, 132);
    canvas.save(&small).unwrap();
    let output = galton(&["quality", small.to_str().unwrap(), "--lang", "es"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("Muy poca superficie del dedo"), "{stdout}");

    let json = galton(&["quality", small.to_str().unwrap(), "--json"]);
    let o: serde_json::Value = serde_json::from_str(text(&json.stdout).trim()).unwrap();
    assert_eq!(o["pass"], false);
    let codes: Vec<&str> = o["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"small_area"), "{o}");
    assert!(o["feedback"][0]["message"]
        .as_str()
        .unwrap()
        .contains("sensor"));
}

#[test]
fn the_face_photo_passes_with_eyes_and_a_dark_copy_does_not() {
    let photo = face_fixture("astronaut.jpg");
    let eyes = "192.5,225,305,231.2";
    let output = galton(&[
        "quality", &photo, "--kind", "face", "--eyes", eyes, "--json",
    ]);
    let o: serde_json::Value = serde_json::from_str(text(&output.stdout).trim()).unwrap();
    assert_eq!(output.status.code(), Some(0), "{o}");
    assert_eq!(
        (o["kind"].as_str(), o["pass"].as_bool()),
        (Some("face"), Some(true))
    );
    assert!(o["measures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "inter_eye_distance" && m["value"].as_f64().unwrap() > 100.0));

    let dir = temp_dir("quality-face");
    let dark = dir.join("dark.png");
    let mut rgb = image::open(&photo).unwrap().to_rgb8();
    rgb.pixels_mut().for_each(|p| p.0 = p.0.map(|v| v / 4));
    rgb.save(&dark).unwrap();
    let output = galton(&[
        "quality",
        dark.to_str().unwrap(),
        "--kind",
        "face",
        "--eyes",
        eyes,
        "--lang",
        "es",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("oscuro"), "{stdout}");
}

#[test]
fn bad_files_and_arguments_are_reported() {
    let dir = temp_dir("quality-bad");
    let bad = dir.join("broken.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let output = galton(&[
        "quality",
        bad.to_str().unwrap(),
        &db1("101_1.tif"),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .any(|o| o["error"].is_string() && o["file"].as_str().unwrap().contains("broken")));
    assert!(lines.iter().any(|o| o["pass"] == true));

    let output = galton(&["quality", &db1("101_1.tif"), "--lang", "fr"]);
    assert_eq!(output.status.code(), Some(2), "clap usage error");
    assert!(text(&output.stderr).contains("fr"));
    let output = galton(&["quality", &db1("101_1.tif"), "--eyes", "1,2,3,4"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("faces only"),
        "{}",
        text(&output.stderr)
    );
    let output = galton(&[
        "quality",
        &face_fixture("astronaut.jpg"),
        "--kind",
        "face",
        "--eyes",
        "1,2,3",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("four numbers"),
        "{}",
        text(&output.stderr)
    );
}

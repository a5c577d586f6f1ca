//! End-to-end tests of the `galton` binary on real images.

mod common;

use std::path::Path;

use common::{db1, galton, temp_dir, text};

#[test]
fn extract_writes_one_template_per_image_and_reports_bad_files() {
    let out = temp_dir("extract");
    let bad = out.join("broken.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let output = galton(&[
        "extract",
        &db1("101_1.tif"),
        bad.to_str().unwrap(),
        &db1("102_3.tif"),
        "--format",
        "iso",
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = text(&output.stderr);
    // One image failed, so the exit code says so; the others were still written.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(out.join("101_1.iso").is_file(), "{stderr}");
    assert!(out.join("102_3.iso").is_file(), "{stderr}");
    let bad_lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("broken.png"))
        .collect();
    assert_eq!(
        bad_lines.len(),
        1,
        "one clear line for the bad file: {stderr}"
    );
    assert!(stderr.contains("extracted 2 of 3 images"), "{stderr}");

    // The template is a real ISO record that `template show` decodes.
    let shown = galton(&["template", "show", out.join("101_1.iso").to_str().unwrap()]);
    let stdout = text(&shown.stdout);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(stdout.contains("iso template, 1 view"), "{stdout}");
    assert!(stdout.contains("388×374 px"), "{stdout}");
}

#[test]
fn template_convert_and_json_round_trip() {
    let out = temp_dir("convert");
    let status = galton(&[
        "extract",
        &db1("103_2.tif"),
        "--format",
        "galton",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let native = out.join("103_2.gltn");
    let ansi = out.join("103_2.ansi");
    let converted = galton(&[
        "template",
        "convert",
        native.to_str().unwrap(),
        "--to",
        "ansi",
        "-o",
        ansi.to_str().unwrap(),
    ]);
    assert!(converted.status.success(), "{}", text(&converted.stderr));

    let from_native = json_of(&native);
    let from_ansi = json_of(&ansi);
    let count = |v: &serde_json::Value| v["views"][0]["minutiae"].as_array().map(Vec::len).unwrap();
    assert!(count(&from_native) >= 10, "{from_native}");
    assert_eq!(count(&from_native), count(&from_ansi));
    // ANSI stores whole pixels and 2° steps: positions agree within half a pixel.
    let minutiae = |v: &serde_json::Value| v["views"][0]["minutiae"].as_array().unwrap().clone();
    for (a, b) in minutiae(&from_native).iter().zip(&minutiae(&from_ansi)) {
        let dx = a["x"].as_f64().unwrap() - b["x"].as_f64().unwrap();
        let dy = a["y"].as_f64().unwrap() - b["y"].as_f64().unwrap();
        assert!(dx.abs() <= 0.5 && dy.abs() <= 0.5, "{a} vs {b}");
        // ANSI stores directions in 2° steps.
        let da = a["direction_deg"].as_f64().unwrap() - b["direction_deg"].as_f64().unwrap();
        let da = da.rem_euclid(360.0).min((-da).rem_euclid(360.0));
        assert!(da <= 1.0 + 1e-6, "{a} vs {b}");
        assert_eq!(a["kind"], b["kind"]);
    }
}

fn json_of(path: &Path) -> serde_json::Value {
    let shown = galton(&["template", "show", "--json", path.to_str().unwrap()]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    serde_json::from_slice(&shown.stdout).expect("template show --json prints JSON")
}

#[test]
fn template_show_names_a_corrupt_file() {
    let out = temp_dir("corrupt");
    let file = out.join("junk.iso");
    std::fs::write(&file, b"FMR\0 20\0\0\0\0\x30 truncated").unwrap();
    let shown = galton(&["template", "show", file.to_str().unwrap()]);
    let stderr = text(&shown.stderr);
    assert_eq!(shown.status.code(), Some(1));
    assert!(stderr.contains("junk.iso"), "{stderr}");
    assert!(stderr.contains("template"), "{stderr}");
}

#[test]
fn show_draws_an_overlay_png() {
    let out = temp_dir("show");
    let png = out.join("overlay.png");
    let output = galton(&["show", &db1("105_4.tif"), "-o", png.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let picture = image::open(&png).unwrap().to_rgb8();
    // Drawn at twice the size, with minutiae in their colours.
    assert_eq!(picture.dimensions(), (776, 748));
    let red = picture.pixels().filter(|p| p.0 == [230, 30, 30]).count();
    let blue = picture.pixels().filter(|p| p.0 == [20, 90, 255]).count();
    assert!(red > 50 && blue > 50, "red {red}, blue {blue}");
}

#[test]
fn show_maps_puts_enhanced_image_and_skeleton_beside_the_overlay() {
    let out = temp_dir("maps");
    let png = out.join("maps.png");
    let output = galton(&[
        "show",
        &db1("105_3.tif"),
        "--maps",
        "--scale",
        "1",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let picture = image::open(&png).unwrap().to_rgb8();
    // Three 388×374 panels with 4-pixel gaps.
    assert_eq!(picture.dimensions(), (3 * 388 + 8, 374));
    // The skeleton panel is mostly white with thin dark ridges.
    let skeleton_dark = (2 * 392..3 * 388 + 8)
        .flat_map(|x| (0..374).map(move |y| (x, y)))
        .filter(|&(x, y)| picture.get_pixel(x, y).0 == [0, 0, 0])
        .count();
    assert!(
        skeleton_dark > 2000 && skeleton_dark < 30_000,
        "{skeleton_dark}"
    );
}

/// The main job: the demo deduplicates its population and finds what it planted.
#[test]
fn demo_finds_the_planted_duplicates_and_writes_the_report() {
    let out = temp_dir("demo");
    let output = galton(&["demo", "--people", "300", "--report", out.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    let line = stdout
        .lines()
        .find(|l| l.contains("(recall"))
        .unwrap_or_else(|| panic!("no recall line: {stdout}"));
    let number = |key: &str| -> f64 {
        let at = line.find(key).unwrap() + key.len();
        line[at..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(number("recall ") >= 0.95, "{line}");
    assert!(number("precision ") >= 0.9, "{line}");
    assert!(
        stdout.contains("refused, its biometrics belong to P0000003"),
        "{stdout}"
    );
    for file in ["gallery.db", "pairs.csv", "report.json", "index.html"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let csv = std::fs::read_to_string(out.join("pairs.csv")).unwrap();
    assert!(csv.contains("FIX0,FIX-DUP0"), "{csv}");
}

//! End-to-end tests of `galton match` on real FVC2002 images.

mod common;

use std::path::{Path, PathBuf};

use common::{db1, galton, temp_dir, text};
use galton::matcher::thresholds;

/// Runs `galton match ... --json` and parses its output; the comparison must have run.
fn match_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["match"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = galton(&all);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)))
}

/// Writes the ISO 19794-2 template of a DB1 image into `dir`, returns its path.
fn iso_of(image: &str, dir: &Path) -> PathBuf {
    let output = galton(&[
        "extract",
        &db1(image),
        "--format",
        "iso",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stem = Path::new(image).file_stem().unwrap();
    dir.join(stem).with_extension("iso")
}

#[test]
fn image_against_image_prints_score_and_decisions() {
    let output = galton(&["match", &db1("101_1.tif"), &db1("101_2.tif")]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let score_line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("score: "))
        .unwrap_or_else(|| panic!("no score line: {stdout}"));
    let score: f32 = score_line.trim().parse().unwrap();
    assert!((0.0..=1.0).contains(&score), "{score}");
    for (fmr, t) in [("1%", 0), ("0.1%", 1), ("0.01%", 2)] {
        let expected = format!(
            "match at FMR {fmr}: {} (threshold {:.4})",
            if score >= thresholds::ALL[t].score {
                "yes"
            } else {
                "no"
            },
            thresholds::ALL[t].score
        );
        assert!(stdout.contains(&expected), "{expected} in {stdout}");
    }
    assert!(stdout.contains("101_1.tif ("), "{stdout}");
    assert!(stdout.contains("minutiae)"), "{stdout}");
    assert!(stdout.contains("paired minutiae: "), "{stdout}");
}

#[test]
fn json_has_every_field() {
    let probe = db1("102_1.tif");
    let candidate = db1("102_4.tif");
    let json = match_json(&[&probe, &candidate]);
    assert_eq!(json["probe"], probe.as_str());
    assert_eq!(json["candidate"], candidate.as_str());
    let score = json["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score), "{json}");
    let decisions = json["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), thresholds::ALL.len());
    for (d, t) in decisions.iter().zip(thresholds::ALL) {
        assert!((d["fmr"].as_f64().unwrap() - t.fmr).abs() < 1e-12, "{d}");
        assert!((d["threshold"].as_f64().unwrap() - t.score as f64).abs() < 1e-6);
        assert_eq!(
            d["match"].as_bool().unwrap(),
            score >= t.score as f64,
            "{d}"
        );
    }
    let probe_minutiae = json["probe_minutiae"].as_u64().unwrap();
    let candidate_minutiae = json["candidate_minutiae"].as_u64().unwrap();
    assert!(probe_minutiae > 0 && candidate_minutiae > 0, "{json}");
    for pair in json["pairs"].as_array().unwrap() {
        assert!(pair["probe"].as_u64().unwrap() < probe_minutiae, "{pair}");
        assert!(pair["candidate"].as_u64().unwrap() < candidate_minutiae);
        let w = pair["weight"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&w), "{pair}");
    }
    for key in ["rotation_deg", "dx", "dy"] {
        assert!(json["alignment"][key].is_number(), "{key} in {json}");
    }
}

#[test]
fn image_against_its_iso_template() {
    let dir = temp_dir("iso");
    let iso = iso_of("103_1.tif", &dir);
    let json = match_json(&[&db1("103_1.tif"), iso.to_str().unwrap()]);
    // The template is the image's own minutiae, read back.
    assert_eq!(json["probe_minutiae"], json["candidate_minutiae"], "{json}");
    let score = json["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score), "{json}");
    // And the other way round, with text output.
    let output = galton(&["match", iso.to_str().unwrap(), &db1("103_2.tif")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("match at FMR 1%: "));
}

#[test]
fn a_print_matches_itself_at_the_strictest_threshold() {
    let strictest = thresholds::ALL
        .iter()
        .map(|t| t.score)
        .fold(f32::MIN, f32::max);
    for name in ["101_1.tif", "104_3.tif", "108_6.tif"] {
        let json = match_json(&[&db1(name), &db1(name)]);
        let score = json["score"].as_f64().unwrap();
        assert!(score >= strictest as f64, "{name}: {json}");
        assert!(json["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["match"] == true));
    }
}

#[test]
fn show_draws_both_prints_side_by_side() {
    let dir = temp_dir("show");
    let iso = iso_of("105_2.tif", &dir);
    let png = dir.join("pair.png");
    let output = galton(&[
        "match",
        &db1("105_1.tif"),
        iso.to_str().unwrap(),
        "--scale",
        "1",
        "--show",
        png.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let picture = image::open(&png).unwrap().to_rgb8();
    // Two 388×374 panels with a 16-pixel gap; the template panel is as large as its image.
    assert_eq!(picture.dimensions(), (388 + 16 + 388, 374));
    // The template came without an image: its panel is a light-gray canvas.
    assert_eq!(picture.get_pixel(388 + 16 + 2, 2).0, [215, 215, 215]);
}

#[test]
fn a_corrupt_template_is_an_error_naming_the_file() {
    let dir = temp_dir("corrupt");
    let file = dir.join("junk.iso");
    std::fs::write(&file, b"FMR\0 20\0\0\0\0\x30 truncated").unwrap();
    let output = galton(&["match", &db1("101_1.tif"), file.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("junk.iso"), "{stderr}");
    assert!(stderr.contains("template"), "{stderr}");
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = temp_dir("missing");
    let missing = dir.join("no-such-print.tif");
    let output = galton(&["match", missing.to_str().unwrap(), &db1("101_1.tif")]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no-such-print.tif"), "{stderr}");
}

#[test]
fn a_template_with_several_views_uses_the_first_and_says_so() {
    let dir = temp_dir("views");
    let iso = iso_of("106_1.tif", &dir);
    let shown = galton(&["template", "show", "--json", iso.to_str().unwrap()]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let mut record: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let views = record["views"].as_array_mut().unwrap();
    let mut second = views[0].clone();
    second["minutiae"].as_array_mut().unwrap().truncate(3);
    views.push(second);
    let two = dir.join("two-views.json");
    std::fs::write(&two, serde_json::to_vec(&record).unwrap()).unwrap();

    let output = galton(&["match", two.to_str().unwrap(), &db1("106_2.tif"), "--json"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("two-views.json: 2 finger views; using the first"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["probe_minutiae"].as_u64().unwrap() > 3, "{json}");
}

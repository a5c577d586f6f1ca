//! End-to-end test of `galton eval` on a real FVC2002 set.

mod common;

use common::{galton, temp_dir, text};

fn db1() -> std::path::PathBuf {
    common::db1_dir()
}

#[test]
fn eval_runs_the_fvc_protocol_on_db1_and_writes_scores_and_charts() {
    let out = temp_dir("db1");
    let csv = out.join("scores.csv");
    let db1 = db1();
    let output = galton(&[
        "eval",
        db1.to_str().unwrap(),
        "--protocol",
        "fvc",
        "--scores",
        csv.to_str().unwrap(),
        "--plot",
        out.join("db1").to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("DB1_B: 80 images at 500 ppi"), "{stdout}");
    assert!(
        stdout.contains("protocol fvc: 280 genuine, 45 impostor comparisons"),
        "{stdout}"
    );
    for indicator in ["EER", "FMR100", "FMR1000", "ZeroFMR", "comparisons/s"] {
        assert!(stdout.contains(indicator), "{indicator} missing: {stdout}");
    }
    assert!(stdout.contains("failures to extract: "), "{stdout}");

    let scores = std::fs::read_to_string(&csv).unwrap();
    let mut lines = scores.lines();
    assert_eq!(lines.next(), Some("probe,gallery,score,genuine"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 325);
    let mut genuine = 0;
    for row in &rows {
        assert_eq!(row.len(), 4, "{row:?}");
        assert!(row[0].starts_with(db1.to_str().unwrap()), "{row:?}");
        assert!(row[1].ends_with(".tif"), "{row:?}");
        let score: f32 = row[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&score), "{row:?}");
        match row[3] {
            "1" => genuine += 1,
            "0" => {
                // Impostor comparisons are between first impressions only.
                assert!(
                    row[0].ends_with("_1.tif") && row[1].ends_with("_1.tif"),
                    "{row:?}"
                )
            }
            other => panic!("genuine column holds {other}"),
        }
    }
    assert_eq!((genuine, rows.len() - genuine), (280, 45));

    for chart in ["db1-det.png", "db1-histogram.png"] {
        let image = image::open(out.join(chart)).unwrap();
        assert_eq!((image.width(), image.height()), (640, 560), "{chart}");
    }
}

#[test]
fn eval_refuses_a_folder_without_fvc_names() {
    let dir = temp_dir("empty");
    std::fs::write(dir.join("notes.txt"), "nothing here").unwrap();
    let output = galton(&["eval", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no FVC-named images or templates"),
        "{stderr}"
    );

    let output = galton(&["eval", dir.join("missing").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("cannot read folder"));
}

#[test]
fn eval_refuses_images_mixed_with_templates() {
    let dir = temp_dir("mixed");
    std::fs::write(dir.join("101_1.png"), b"not read").unwrap();
    std::fs::write(dir.join("101_2.iso"), b"not read").unwrap();
    let output = galton(&["eval", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("both images (1) and templates (1)"),
        "{stderr}"
    );
}

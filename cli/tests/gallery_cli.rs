//! End-to-end tests of the gallery commands (`enroll`, `enroll-batch`, `verify`, `identify`,
//! `list`, `remove`, `dedup`) on synthetic templates, faces and images.

mod common;

use std::path::Path;
use std::process::Output;

use common::{galton, temp_dir, text};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::synth::{templates::finger_templates, SynthConfig};
use galton::template::TemplateFormat;

const SEED: u64 = 11;
const FACE_DIM: usize = 64;

/// Writes the templates of `persons` people (right and left index, three impressions each)
/// into `dir` as `p<person>_<finger>_<impression>.gltn`, and their faces (two captures) as
/// `p<person>_face_<capture>.json`.
fn write_people(dir: &Path, persons: u64) {
    let synth = SynthConfig::default();
    let faces = FaceSynth::new(FACE_DIM, SEED);
    for p in 0..persons {
        for (f, name) in [(2 * p, "ri"), (2 * p + 1, "li")] {
            for (i, t) in finger_templates(SEED, f, 3, &synth)
                .impressions
                .iter()
                .enumerate()
            {
                let bytes = t.to_bytes(TemplateFormat::Galton).unwrap();
                std::fs::write(dir.join(format!("p{p}_{name}_{i}.gltn")), bytes).unwrap();
            }
        }
        for c in 0..2 {
            let face = faces.capture(p, c, DEFAULT_SPREAD);
            std::fs::write(
                dir.join(format!("p{p}_face_{c}.json")),
                serde_json::to_string(&face).unwrap(),
            )
            .unwrap();
        }
    }
}

/// The finger arguments of person `p`, impression `i`.
fn fingers(dir: &Path, p: u64, i: u32) -> Vec<String> {
    ["ri", "li"]
        .iter()
        .zip(["right-index", "left-index"])
        .flat_map(|(short, long)| {
            [
                "--finger".to_string(),
                format!(
                    "{long}={}",
                    dir.join(format!("p{p}_{short}_{i}.gltn")).display()
                ),
            ]
        })
        .collect()
}

fn run(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    galton(&args)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn enroll(db: &Path, id: &str, dir: &Path, p: u64, i: u32, extra: &[&str]) -> Output {
    let mut a = args(&["enroll", "--db", db.to_str().unwrap(), "--id", id]);
    a.extend(fingers(dir, p, i));
    a.extend(args(extra));
    run(&a)
}

fn list_json(db: &Path) -> Vec<serde_json::Value> {
    let out = galton(&["list", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ids(list: &[serde_json::Value]) -> Vec<String> {
    list.iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn enroll_verify_identify_list_remove() {
    let dir = temp_dir("gallery-flow");
    write_people(&dir, 4);
    let db = dir.join("gallery.db");

    for (id, p) in [("ID-A", 0), ("ID-B", 1)] {
        let out = enroll(&db, id, &dir, p, 0, &[]);
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    }
    // Person 0 again, other impressions, under a new id: stored, flagged, first id named.
    let out = enroll(&db, "ID-DUP", &dir, 0, 1, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 3, "{stderr}");
    assert!(stderr.contains("ID-A"), "{stderr}");
    assert!(stderr.contains("right-index"), "{stderr}");
    // Person 1 again, refused.
    let out = enroll(
        &db,
        "ID-DUP2",
        &dir,
        1,
        1,
        &["--reject-duplicates", "--json"],
    );
    assert_eq!(code(&out), 4, "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["outcome"], "rejected-duplicate");
    assert_eq!(json["duplicates"][0]["id"], "ID-B");
    // Someone else under ID-A: a conflict; person 0 again under ID-A: enrolled already.
    let out = enroll(&db, "ID-A", &dir, 2, 0, &[]);
    assert_eq!(code(&out), 5, "{}", text(&out.stderr));
    let out = enroll(&db, "ID-A", &dir, 0, 2, &[]);
    assert_eq!(code(&out), 6, "{}", text(&out.stderr));

    let list = list_json(&db);
    assert_eq!(ids(&list), ["ID-A", "ID-B", "ID-DUP"]);
    assert_eq!(list[2]["flagged"], true);
    assert!(list[2]["note"].as_str().unwrap().contains("ID-A"));
    assert_eq!(list[0]["fingers"]["right-index"], 1);
    assert_eq!(list[0]["face"], false);

    // Verify: genuine 0, impostor 2.
    let mut v = args(&["verify", "--db", db.to_str().unwrap(), "--id", "ID-B"]);
    v.extend(fingers(&dir, 1, 2));
    let out = run(&v);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("match"), "{}", text(&out.stdout));
    let mut v = args(&[
        "verify",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "ID-B",
        "--json",
    ]);
    v.extend(fingers(&dir, 3, 0));
    let out = run(&v);
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["match"], false);
    assert_eq!(json["modalities"].as_array().unwrap().len(), 2);

    // Identify ranks the mate first.
    let mut i = args(&[
        "identify",
        "--db",
        db.to_str().unwrap(),
        "-k",
        "3",
        "--json",
    ]);
    i.extend(fingers(&dir, 1, 2));
    let out = run(&i);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["id"], "ID-B");
    assert_eq!(hits[0]["rank"], 1);
    assert_eq!(hits[0]["match"], true);
    // The table form names the fingers.
    i.retain(|a| a != "--json");
    let out = run(&i);
    let table = text(&out.stdout);
    assert!(
        table.contains("right-index") && table.contains("ID-B"),
        "{table}"
    );

    // Remove, then the id is gone; removing it again is a clear error.
    let out = galton(&["remove", "--db", db.to_str().unwrap(), "--id", "ID-DUP"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(ids(&list_json(&db)), ["ID-A", "ID-B"]);
    let out = galton(&["remove", "--db", db.to_str().unwrap(), "--id", "ID-DUP"]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("not found"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn enroll_batch_keeps_good_rows_and_reports_bad_ones_by_line() {
    let dir = temp_dir("gallery-batch");
    write_people(&dir, 4);
    // Person 3's face as a .npy float32 vector.
    let face: Vec<f32> =
        serde_json::from_slice(&std::fs::read(dir.join("p3_face_0.json")).unwrap()).unwrap();
    std::fs::write(dir.join("p3_face_0.npy"), npy_f32(&face)).unwrap();
    let manifest = dir.join("manifest.csv");
    std::fs::write(
        &manifest,
        "id,right-index,left-index,face,meta:office\n\
         P-0,p0_ri_0.gltn;p0_ri_1.gltn,p0_li_0.gltn,p0_face_0.json,Quito\n\
         P-1,p1_ri_0.gltn,p1_li_0.gltn,,Lima\n\
         P-2,missing.gltn,p2_li_0.gltn,,Lima\n\
         P-3,p3_ri_0.gltn,,p3_face_0.npy,\n",
    )
    .unwrap();
    let db = dir.join("gallery.db");
    let out = galton(&[
        "enroll-batch",
        "--db",
        db.to_str().unwrap(),
        manifest.to_str().unwrap(),
        "--workers",
        "2",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 1, "{stderr}");
    assert!(stderr.contains("manifest.csv:4:"), "{stderr}");
    assert!(stderr.contains("missing.gltn"), "{stderr}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("enrolled 3"), "{stdout}");
    assert!(stdout.contains("bad rows 1"), "{stdout}");
    let list = list_json(&db);
    assert_eq!(ids(&list), ["P-0", "P-1", "P-3"]);
    assert_eq!(list[0]["fingers"]["right-index"], 2);
    assert_eq!(list[0]["face"], true);
    assert_eq!(list[2]["face"], true);

    // The .npy face verifies against the JSON of the same capture.
    let out = galton(&[
        "verify",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "P-3",
        "--face",
        dir.join("p3_face_0.json").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
}

#[test]
fn a_bad_face_file_is_refused_clearly() {
    let dir = temp_dir("gallery-bad-face");
    write_people(&dir, 1);
    let npy = dir.join("face.npy");
    let mut bytes = npy_f32(&[0.5; 8]);
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&npy, bytes).unwrap();
    let db = dir.join("gallery.db");
    let out = enroll(&db, "X", &dir, 0, 0, &["--face", npy.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("face.npy"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn dedup_writes_csv_json_and_a_page_with_the_prints() {
    let dir = temp_dir("gallery-dedup");
    // Images for two fingers (two impressions each): the page draws over them.
    let images = dir.join("images");
    let out = galton(&[
        "synth",
        "--fingers",
        "2",
        "--impressions",
        "2",
        "--seed",
        "5",
        "-o",
        images.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Faces too (person 0 twice, person 1), so that the duplicate does not hang on one
    // finger's score.
    let faces = FaceSynth::new(FACE_DIM, SEED);
    for (name, person, capture) in [("f1", 0, 0), ("f2", 1, 0), ("f1b", 0, 1)] {
        let face = faces.capture(person, capture, DEFAULT_SPREAD);
        std::fs::write(
            dir.join(format!("{name}.json")),
            serde_json::to_string(&face).unwrap(),
        )
        .unwrap();
    }
    let db = dir.join("gallery.db");
    let enroll_image = |id: &str, finger: u32, impression: u32, face: &str| {
        let image = images.join(format!("{finger}_{impression}.png"));
        galton(&[
            "enroll",
            "--db",
            db.to_str().unwrap(),
            "--id",
            id,
            "--finger",
            &format!("right-index={}", image.display()),
            "--face",
            dir.join(format!("{face}.json")).to_str().unwrap(),
            "--meta",
            "office=<Quito>",
        ])
    };
    assert_eq!(code(&enroll_image("IMG-1", 1, 1, "f1")), 0);
    assert_eq!(code(&enroll_image("IMG-2", 2, 1, "f2")), 0);
    let out = enroll_image("IMG-1-again", 1, 2, "f1b");
    assert_eq!(code(&out), 3, "{}", text(&out.stderr));

    let report = dir.join("report");
    let out = galton(&[
        "dedup",
        "--db",
        db.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(stdout.contains("3 subjects"), "{stdout}");
    assert!(stdout.contains("1 suspected duplicate pairs"), "{stdout}");

    let csv = std::fs::read_to_string(report.join("pairs.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("id_a,id_b,fused_evidence,fused_fmr,matched_modalities,right-thumb")
    );
    assert!(lines[0].ends_with(",face"));
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("IMG-1,IMG-1-again,"), "{csv}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["subjects"], 3);
    assert_eq!(json["pairs"][0]["a"], "IMG-1");
    assert_eq!(json["pairs"][0]["modalities"][0]["modality"], "right-index");
    assert_eq!(json["pairs"][0]["modalities"][1]["modality"], "face");
    assert_eq!(
        json["clusters"][0],
        serde_json::json!(["IMG-1", "IMG-1-again"])
    );

    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("IMG-1-again"), "the page names both ids");
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "both prints of the matched finger"
    );
    assert!(
        html.contains("data:image/png;base64,"),
        "the images are embedded"
    );
    assert!(
        html.contains("&lt;Quito&gt;") && !html.contains("<Quito>"),
        "text is escaped"
    );
}

#[test]
fn a_file_that_is_not_a_gallery_is_refused() {
    let dir = temp_dir("gallery-not-db");
    let db = dir.join("notes.txt");
    std::fs::write(&db, "just some text, not a database\n".repeat(40)).unwrap();
    let out = galton(&["list", "--db", db.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("not a galton"),
        "{}",
        text(&out.stderr)
    );
    // Left as it was.
    assert!(std::fs::read_to_string(&db)
        .unwrap()
        .starts_with("just some text"));
}

/// A version-1 .npy file of float32 values, shape (n,).
fn npy_f32(values: &[f32]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({},), }}",
        values.len()
    );
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    for v in values {
        out.extend(v.to_le_bytes());
    }
    out
}

/// Another process holding the database's write lock (here the test, through SQLite): reading
/// commands go on, a writing one waits `--busy-timeout` seconds, then exits with code 7 and
/// says why, changing nothing; a writer that waits long enough goes through once the lock is
/// released.
#[test]
fn a_locked_database_makes_writers_wait_then_exit_7() {
    let dir = temp_dir("gallery-busy");
    write_people(&dir, 3);
    let db = dir.join("g.db");
    let out = enroll(&db, "A", &dir, 0, 0, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Readers are not blocked.
    assert_eq!(ids(&list_json(&db)), ["A"]);
    let mut i = args(&["identify", "--db", db.to_str().unwrap(), "--json"]);
    i.extend(fingers(&dir, 0, 1));
    let out = run(&i);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits[0]["id"], "A");
    // A verification is recorded in the audit trail, so it is a write: it waits too, and
    // answers nothing rather than answer without its audit row.
    let mut v = args(&[
        "verify",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "A",
        "--busy-timeout",
        "0.2",
    ]);
    v.extend(fingers(&dir, 0, 1));
    let out = run(&v);
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));

    let started = std::time::Instant::now();
    let out = enroll(&db, "B", &dir, 1, 0, &["--busy-timeout", "0.5"]);
    let elapsed = started.elapsed();
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("locked by another connection") && stderr.contains("0.5 s"),
        "{stderr}"
    );
    assert!(
        elapsed >= std::time::Duration::from_millis(450),
        "{elapsed:?}"
    );
    let out = run(&args(&[
        "remove",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "A",
        "--busy-timeout",
        "0",
    ]));
    assert_eq!(code(&out), 7, "{}", text(&out.stderr));
    assert_eq!(ids(&list_json(&db)), ["A"], "nothing changed");

    // A second galton process waiting up to 30 s gets the lock when it is released.
    let mut a = args(&["enroll", "--db", db.to_str().unwrap(), "--id", "B"]);
    a.extend(fingers(&dir, 1, 0));
    a.extend(args(&["--busy-timeout", "30"]));
    let waiting = std::process::Command::new(env!("CARGO_BIN_EXE_galton"))
        .args(&a)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    other.execute_batch("ROLLBACK").unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(ids(&list_json(&db)), ["A", "B"]);

    let out = run(&args(&[
        "list",
        "--db",
        db.to_str().unwrap(),
        "--busy-timeout",
        "-1",
    ]));
    assert_eq!(code(&out), 2, "clap refuses a negative timeout");
    let _ = std::fs::remove_dir_all(&dir);
}

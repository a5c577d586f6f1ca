//! End-to-end tests of `galton key generate`, the key options of the gallery commands, the
//! receipts printed at enrollment, and `galton audit verify|show|receipt`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{temp_dir, text};
use galton::synth::{templates::finger_templates, SynthConfig};
use galton::template::TemplateFormat;

/// Runs `galton` with these arguments and `GALTON_KEY` set to `key` (or unset).
fn galton_env(args: &[&str], key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_galton"));
    cmd.args(args);
    match key {
        Some(k) => cmd.env("GALTON_KEY", k),
        None => cmd.env_remove("GALTON_KEY"),
    };
    cmd.output().expect("the galton binary runs")
}

fn galton(args: &[&str]) -> Output {
    galton_env(args, None)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

/// Writes impressions 0 and 1 of synthetic finger `f` as `f<f>_<i>.gltn`.
fn write_finger(dir: &Path, f: u64) {
    let impressions = finger_templates(13, f, 2, &SynthConfig::default()).impressions;
    for (i, t) in impressions.iter().enumerate() {
        let bytes = t.to_bytes(TemplateFormat::Galton).unwrap();
        std::fs::write(dir.join(format!("f{f}_{i}.gltn")), bytes).unwrap();
    }
}

fn finger(dir: &Path, f: u64, i: u32) -> String {
    format!(
        "right-index={}",
        dir.join(format!("f{f}_{i}.gltn")).display()
    )
}

#[test]
fn keys_receipts_and_the_audit_commands() {
    let dir = temp_dir("audit");
    for f in 0..3 {
        write_finger(&dir, f);
    }
    let db = dir.join("g.db");
    let db = db.to_str().unwrap();
    let key_file = dir.join("gallery.key");
    let kf = key_file.to_str().unwrap();

    // A new key file, owner-only, never overwritten.
    let out = galton(&["key", "generate", "-o", kf]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key_text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = galton(&["key", "generate", "-o", kf]);
    assert_ne!(code(&out), 0);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key_text);
    let other_key = text(&galton(&["key", "generate"]).stdout);
    assert_eq!(other_key.trim().len(), 64);
    assert_ne!(other_key, key_text);

    // Enroll with the key file and an operator: the receipt is printed.
    let a = finger(&dir, 0, 0);
    let out = galton(&[
        "enroll",
        "--db",
        db,
        "--id",
        "A",
        "--finger",
        &a,
        "--key-file",
        kf,
        "--operator",
        "clerk-1",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let receipt = stdout
        .lines()
        .find_map(|l| l.strip_prefix("receipt "))
        .unwrap_or_else(|| panic!("no receipt in {stdout:?}"))
        .to_string();
    assert!(receipt.starts_with("GR1-1-"), "{receipt}");
    // The same key from the environment, JSON output.
    let b = finger(&dir, 1, 0);
    let out = galton_env(
        &["enroll", "--db", db, "--id", "B", "--finger", &b, "--json"],
        Some(key_text.trim()),
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["receipt"].as_str().unwrap().starts_with("GR1-2-"));

    // Without the key, with another key, with both ways at once: refused, clearly.
    let out = galton(&["list", "--db", db]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("encrypted"),
        "{}",
        text(&out.stderr)
    );
    let out = galton_env(&["list", "--db", db], Some(other_key.trim()));
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("wrong key"),
        "{}",
        text(&out.stderr)
    );
    let out = galton_env(
        &["list", "--db", db, "--key-file", kf],
        Some(key_text.trim()),
    );
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("both"), "{}", text(&out.stderr));
    let out = galton_env(&["list", "--db", db], Some("00ff"));
    assert_eq!(code(&out), 1);
    assert!(!text(&out.stderr).contains("00ff"), "the key is not echoed");

    // A verification and a removal, recorded.
    let probe = finger(&dir, 0, 1);
    let out = galton(&[
        "verify",
        "--db",
        db,
        "--id",
        "A",
        "--finger",
        &probe,
        "--key-file",
        kf,
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out = galton(&["remove", "--db", db, "--id", "B", "--key-file", kf]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let out = galton(&["audit", "verify", "--db", db, "--key-file", kf]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact: 4 rows"),
        "{}",
        text(&out.stdout)
    );

    let out = galton(&[
        "audit",
        "show",
        "--db",
        db,
        "--id",
        "A",
        "--key-file",
        kf,
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ops: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ops, [("enroll", "enrolled"), ("verify", "match")]);
    assert_eq!(rows[0]["operator"], "clerk-1");
    assert_eq!(rows[1]["operator"], serde_json::Value::Null);
    assert_eq!(rows[0]["receipt"], receipt.as_str());
    let out = galton(&["audit", "show", "--db", db, "--id", "B", "--key-file", kf]);
    let table = text(&out.stdout);
    assert!(
        table.contains("remove") && table.contains("removed"),
        "{table}"
    );

    let out = galton(&["audit", "receipt", "--db", db, "--key-file", kf, &receipt]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("valid"), "{}", text(&out.stdout));
    let last = receipt.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &receipt[..receipt.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let out = galton(&["audit", "receipt", "--db", db, "--key-file", kf, &forged]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out.stderr).contains("does not hash"),
        "{}",
        text(&out.stderr)
    );

    // A row altered behind galton's back: the chain breaks there.
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_no_update;
         UPDATE audit SET outcome = 'no-match' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let out = galton(&["audit", "verify", "--db", db, "--key-file", kf]);
    assert_eq!(code(&out), 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("broken at row 3"), "{stderr}");
    assert!(stderr.contains("altered"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_keyless_gallery_works_as_before_and_refuses_a_key_once_it_holds_subjects() {
    let dir = temp_dir("audit-keyless");
    write_finger(&dir, 0);
    let db = dir.join("g.db");
    let db = db.to_str().unwrap();
    let a = finger(&dir, 0, 0);
    let out = galton(&["enroll", "--db", db, "--id", "A", "--finger", &a]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("receipt GR1-1-"));
    let out = galton(&["audit", "verify", "--db", db]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let key = "11".repeat(32);
    let out = galton_env(&["list", "--db", db], Some(&key));
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("not encrypted"),
        "{}",
        text(&out.stderr)
    );
    let out = galton(&["audit", "verify", "--db", &format!("{db}.missing")]);
    assert_eq!(code(&out), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

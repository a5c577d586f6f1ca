//! A gallery process killed (SIGKILL) in the middle of a long enrollment run loses no
//! enrollment that had returned, and the database opens cleanly afterwards.
//!
//! The test re-runs its own binary as the child: `child_enrolls_until_killed` does nothing
//! unless `GALTON_DURABILITY_DB` names a database; then it enrolls subjects one after another
//! and prints `ok <id>` after each `enroll` returns.
#![cfg(all(unix, feature = "store"))]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, Subject};
use galton::synth::population::{Population, PopulationSpec};

const ENV: &str = "GALTON_DURABILITY_DB";

fn population() -> Population {
    Population::generate(PopulationSpec {
        seed: 404,
        people: 600,
        fingers: 2,
        face_dim: Some(64),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    })
}

#[test]
fn child_enrolls_until_killed() {
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    let mut gallery = Gallery::open(PathBuf::from(path), GalleryConfig::default()).unwrap();
    let mut out = std::io::stdout().lock();
    for subject in population().subjects {
        let id = subject.id.clone();
        let outcome = gallery.enroll(subject, DuplicatePolicy::Flag).unwrap();
        assert!(outcome.is_stored());
        writeln!(out, "ok {id}").unwrap();
        out.flush().unwrap();
    }
    // Not killed in time: the parent notices that it saw every line.
    writeln!(out, "done").unwrap();
}

#[test]
fn sigkill_during_enrollment_loses_no_returned_enrollment() {
    let dir = std::env::temp_dir().join(format!("galton-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("gallery.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_enrolls_until_killed",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ENV, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut confirmed = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if let Some(id) = line.strip_prefix("ok ") {
            confirmed.push(id.to_string());
            if confirmed.len() == 150 {
                child.kill().unwrap(); // SIGKILL
                break;
            }
        }
        assert_ne!(line, "done", "the child finished before it could be killed");
    }
    child.wait().unwrap();
    assert_eq!(confirmed.len(), 150, "the child stopped early");

    let mut gallery = Gallery::open(&db, GalleryConfig::default()).unwrap();
    assert!(gallery.len() >= confirmed.len(), "{} < {}", gallery.len(), confirmed.len());
    let population = population();
    for id in &confirmed {
        let stored = gallery.get(id).unwrap_or_else(|| panic!("{id} lost"));
        let original = population.subjects.iter().find(|s| &s.id == id).unwrap();
        assert_eq!(stored.fingers, original.fingers, "{id} changed");
        let (a, b) = (stored.face.as_ref().unwrap(), original.face.as_ref().unwrap());
        assert!(a.cosine(b).unwrap() > 0.999_999, "{id}'s face changed");
    }
    // The search structures were rebuilt: a new capture of the 100th person finds it.
    let hits = gallery
        .identify(&population.probe(100, 2, true), 1)
        .unwrap();
    assert_eq!(hits[0].id, confirmed[100]);
    // And the database takes new enrollments.
    let newcomer = Subject::new("AFTER-CRASH").with_face(population.face(599, 0).unwrap());
    assert!(gallery
        .enroll(newcomer, DuplicatePolicy::Flag)
        .unwrap()
        .is_stored());
    drop(gallery);
    let _ = std::fs::remove_dir_all(&dir);
}

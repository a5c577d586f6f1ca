//! The gallery store: round trips, refusals of foreign or damaged files, and durability of
//! every committed insert when the writing process is killed.
#![cfg(feature = "store")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use galton::face::FaceEmbedding;
use galton::gallery::store::{Store, StoredSubject, APPLICATION_ID, SCHEMA_VERSION};
use galton::gallery::Subject;
use galton::synth::faces::FaceSynth;
use galton::synth::templates::finger_templates;
use galton::synth::SynthConfig;
use galton::{Error, FingerPosition, Template};

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "galton-store-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("gallery.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `count` impressions of synthetic finger `finger`.
fn templates(finger: u64, count: usize) -> Vec<Template> {
    finger_templates(7, finger, count, &SynthConfig::default()).impressions
}

/// Subject `n`: two or three fingers of one to three impressions, a face on even `n`,
/// metadata, flagged on multiples of three.
fn record(n: u64) -> StoredSubject {
    let mut subject = Subject::new(format!("SUBJ-{n:05}"))
        .with_metadata("office", format!("Quito-{}", n % 4))
        .with_metadata("operator", "é ünïcode \"quoted\"");
    for t in templates(2 * n, 1 + (n % 3) as usize) {
        subject = subject.with_finger(FingerPosition::RightIndex, t);
    }
    for t in templates(2 * n + 1, 2) {
        subject = subject.with_finger(FingerPosition::LeftThumb, t);
    }
    if n % 2 == 1 {
        subject = subject.with_finger(FingerPosition::LeftLittle, templates(1000 + n, 1).remove(0));
    }
    if n.is_multiple_of(2) {
        let faces = FaceSynth::new(512, 3);
        subject = subject.with_face(FaceEmbedding::new(faces.capture(n, 0, 0.3)).unwrap());
    }
    StoredSubject {
        subject,
        flagged: n.is_multiple_of(3),
        note: if n.is_multiple_of(3) {
            format!("like SUBJ-{:05}", n + 1)
        } else {
            String::new()
        },
        enrolled_at: 1_700_000_000 + n as i64,
    }
}

fn ids(store: &Store) -> Vec<String> {
    store
        .load_all()
        .unwrap()
        .into_iter()
        .map(|r| r.subject.id)
        .collect()
}

#[test]
fn round_trip_replace_remove() {
    let dir = TempDir::new("roundtrip");
    let records: Vec<StoredSubject> = (0..6).map(record).collect();
    {
        let mut store = Store::open(&dir.db()).unwrap();
        assert_eq!(store.path(), dir.db());
        assert!(store.is_empty().unwrap());
        store.insert(&records[0]).unwrap();
        store.insert(&records[1]).unwrap();
        store.insert_many(&records[2..]).unwrap();
        assert_eq!(store.len().unwrap(), 6);
        assert_eq!(store.get("SUBJ-00003").unwrap().as_ref(), Some(&records[3]));
        assert_eq!(store.get("nobody").unwrap(), None);
        store.set_setting("face_dim", "512").unwrap();
        store.set_setting("face_dim", "128").unwrap();
    }
    // Everything comes back identical after reopening, in insertion order.
    let mut store = Store::open(&dir.db()).unwrap();
    assert_eq!(store.load_all().unwrap(), records);
    assert_eq!(store.setting("face_dim").unwrap().as_deref(), Some("128"));
    assert_eq!(store.setting("other").unwrap(), None);

    // Replace keeps the subject's place; its old fingers go.
    let mut changed = record(40);
    changed.subject.id = "SUBJ-00001".into();
    changed.subject.fingers.remove(&FingerPosition::LeftThumb);
    changed.flagged = true;
    changed.note = "reviewed".into();
    store.replace(&changed).unwrap();
    let all = store.load_all().unwrap();
    assert_eq!(all[1], changed);
    assert_eq!(all[0], records[0]);
    assert_eq!(all[2..], records[2..]);

    store.remove("SUBJ-00002").unwrap();
    assert_eq!(store.get("SUBJ-00002").unwrap(), None);
    assert_eq!(
        ids(&store),
        [
            "SUBJ-00000",
            "SUBJ-00001",
            "SUBJ-00003",
            "SUBJ-00004",
            "SUBJ-00005"
        ]
    );
    // The removed subject's templates went with it (foreign-key cascade).
    drop(store);
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let fingers: i64 = conn
        .query_row("SELECT count(*) FROM fingers", [], |r| r.get(0))
        .unwrap();
    let expected: usize = [&records[0], &changed, &records[3], &records[4], &records[5]]
        .iter()
        .map(|r| r.subject.fingers.values().map(Vec::len).sum::<usize>())
        .sum();
    assert_eq!(fingers as usize, expected);
    drop(conn);

    // A new subject after a removal still comes last.
    let mut store = Store::open(&dir.db()).unwrap();
    store.insert(&record(2)).unwrap();
    assert_eq!(ids(&store).last().unwrap(), "SUBJ-00002");
}

#[test]
fn duplicates_and_missing_ids_change_nothing() {
    let dir = TempDir::new("duplicates");
    let mut store = Store::open(&dir.db()).unwrap();
    store.insert_many(&[record(0), record(1)]).unwrap();
    let before = store.load_all().unwrap();

    let mut again = record(5);
    again.subject.id = "SUBJ-00001".into();
    match store.insert(&again) {
        Err(Error::DuplicateId(id)) => assert_eq!(id, "SUBJ-00001"),
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    // A batch with one stored id, or an id twice, stores none of it.
    match store.insert_many(&[record(2), record(3), again.clone()]) {
        Err(Error::DuplicateId(id)) => assert_eq!(id, "SUBJ-00001"),
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    match store.insert_many(&[record(4), record(6), record(4)]) {
        Err(Error::DuplicateId(id)) => assert_eq!(id, "SUBJ-00004"),
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    assert_eq!(store.load_all().unwrap(), before);

    match store.replace(&record(9)) {
        Err(Error::NotFound(id)) => assert_eq!(id, "SUBJ-00009"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    match store.remove("SUBJ-00009") {
        Err(Error::NotFound(id)) => assert_eq!(id, "SUBJ-00009"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // A subject the store could not give back as it is (a finger without impressions).
    let mut empty_finger = record(7);
    empty_finger
        .subject
        .fingers
        .insert(FingerPosition::RightRing, Vec::new());
    assert!(store.insert(&empty_finger).is_err());
    assert_eq!(store.load_all().unwrap(), before);
    // The rejected batch's ids are free.
    store.insert_many(&[record(2), record(3)]).unwrap();
    assert_eq!(store.len().unwrap(), 4);
}

/// Opening `path` fails with a database error containing `expected`, and the file's bytes
/// are as they were.
fn assert_refused(path: &Path, expected: &str) {
    let before = std::fs::read(path).unwrap();
    match Store::open(path) {
        Err(Error::Database { path: p, reason }) => {
            assert_eq!(p, path);
            assert!(
                reason.contains(expected),
                "expected {expected:?} in the reason: {reason}"
            );
        }
        other => panic!("expected a database error, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "the file was modified"
    );
}

#[test]
fn refuses_files_that_are_not_sqlite() {
    let dir = TempDir::new("not-sqlite");
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let random: Vec<u8> = (0..10_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let path = dir.0.join("random.bin");
    std::fs::write(&path, &random).unwrap();
    assert_refused(&path, "not an SQLite database");

    let path = dir.0.join("notes.txt");
    std::fs::write(&path, "subjects: SUBJ-1, SUBJ-2\n").unwrap();
    assert_refused(&path, "not an SQLite database");
    // Shorter than SQLite's header.
    let path = dir.0.join("short.txt");
    std::fs::write(&path, "SQLite").unwrap();
    assert_refused(&path, "not an SQLite database");
}

#[test]
fn refuses_other_applications_databases() {
    let dir = TempDir::new("foreign");
    let path = dir.0.join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada');")
        .unwrap();
    drop(conn);
    assert_refused(&path, "not a galton gallery database");

    // Another application id, even without tables.
    let path = dir.0.join("other-id.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", 0x1234_5678)
        .unwrap();
    drop(conn);
    assert_refused(&path, "not a galton gallery database");
}

#[test]
fn refuses_a_newer_schema() {
    let dir = TempDir::new("newer");
    let mut store = Store::open(&dir.db()).unwrap();
    store.insert(&record(1)).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    assert_refused(
        &dir.db(),
        &format!(
            "written by a newer galton (schema {}, this build reads up to {SCHEMA_VERSION})",
            SCHEMA_VERSION + 1
        ),
    );
}

#[test]
fn an_empty_file_becomes_a_gallery() {
    let dir = TempDir::new("empty");
    std::fs::write(dir.db(), b"").unwrap();
    let mut store = Store::open(&dir.db()).unwrap();
    store.insert(&record(0)).unwrap();
    drop(store);
    assert_eq!(ids(&Store::open(&dir.db()).unwrap()), ["SUBJ-00000"]);
}

/// Runs `sql` on the gallery at `path` and expects `load_all` to fail naming SUBJ-00001 and
/// `what`.
fn assert_damage_reported(sql: &str, what: &str) {
    let dir = TempDir::new("damaged");
    let mut store = Store::open(&dir.db()).unwrap();
    store
        .insert_many(&[record(0), record(1), record(2)])
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    let store = Store::open(&dir.db()).unwrap();
    for result in [
        store.load_all().map(drop),
        store.get("SUBJ-00001").map(drop),
    ] {
        match result {
            Err(Error::Database { reason, .. }) => {
                assert!(reason.contains("\"SUBJ-00001\""), "{reason}");
                assert!(reason.contains(what), "expected {what:?} in: {reason}");
            }
            other => panic!("expected a database error, got {other:?}"),
        }
    }
    // The undamaged subjects still read.
    assert!(store.get("SUBJ-00000").unwrap().is_some());
}

#[test]
fn damaged_rows_are_reported_with_the_subject() {
    let seq = "(SELECT seq FROM subjects WHERE id = 'SUBJ-00001')";
    assert_damage_reported(
        &format!(
            "UPDATE fingers SET template = substr(template, 1, 20) \
             WHERE subject_seq = {seq} AND position = 6 AND impression = 1"
        ),
        "template of left-thumb impression 1 cannot be decoded",
    );
    assert_damage_reported(
        &format!("UPDATE fingers SET template = X'00112233' WHERE subject_seq = {seq}"),
        "cannot be decoded",
    );
    assert_damage_reported(
        "UPDATE subjects SET face = X'0000803F0000' WHERE id = 'SUBJ-00001'",
        "face blob of 6 bytes",
    );
    assert_damage_reported(
        "UPDATE subjects SET face = X'00000000' WHERE id = 'SUBJ-00001'",
        "face embedding",
    );
    // Eight values of 1.0: of length 2.83, not a stored embedding.
    assert_damage_reported(
        &format!(
            "UPDATE subjects SET face = X'{}' WHERE id = 'SUBJ-00001'",
            "0000803F".repeat(8)
        ),
        "not one",
    );
    assert_damage_reported(
        "UPDATE subjects SET metadata = '{\"office\": 3' WHERE id = 'SUBJ-00001'",
        "metadata",
    );
    assert_damage_reported(
        &format!("UPDATE fingers SET position = 42 WHERE subject_seq = {seq} AND position = 10"),
        "unknown finger position code 42",
    );
}

// --- Durability when the writing process is killed -------------------------------------

/// Set, in the child, to the gallery path the child writes to.
const CHILD_ENV: &str = "GALTON_STORE_CHILD_DB";

/// A few realistic records, reused under new ids by the child (generating is slower than
/// storing).
fn child_templates() -> Vec<Template> {
    (0..8).map(|f| templates(f, 1).remove(0)).collect()
}

/// One enrollment of the child's loop: subject `n` with two fingers.
fn child_enroll(store: &mut Store, pool: &[Template], n: usize) -> String {
    let subject = Subject::new(format!("KILL-{n:06}"))
        .with_finger(FingerPosition::RightIndex, pool[n % pool.len()].clone())
        .with_finger(
            FingerPosition::LeftIndex,
            pool[(n + 3) % pool.len()].clone(),
        )
        .with_metadata("n", n.to_string());
    store.insert(&StoredSubject::new(subject.clone())).unwrap();
    subject.id
}

/// Not a test of its own: the child process of `committed_inserts_survive_sigkill`, which
/// inserts until it is killed, printing each id once its insert has returned.
#[test]
fn child_writer_until_killed() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let pool = child_templates();
    let mut store = Store::open(Path::new(&path)).unwrap();
    let mut out = std::io::stdout().lock();
    // The harness has printed "test child_writer_until_killed ... " without a line end.
    writeln!(out).unwrap();
    for n in 0..1_000_000 {
        let id = child_enroll(&mut store, &pool, n);
        writeln!(out, "ok {id}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn committed_inserts_survive_sigkill() {
    let dir = TempDir::new("sigkill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_writer_until_killed",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.db())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("ok ") {
            printed.push(id.to_string());
            if printed.len() == 200 {
                break;
            }
        }
    }
    // SIGKILL on unix: no destructor, no checkpoint, maybe mid-transaction.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child ended by itself: {status}");
    assert_eq!(printed.len(), 200, "the child stopped early");

    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let mut store = Store::open(&dir.db()).unwrap();
    let all = store.load_all().unwrap();
    let stored: Vec<&str> = all.iter().map(|r| r.subject.id.as_str()).collect();
    assert!(stored.len() >= printed.len());
    assert_eq!(stored[..printed.len()], printed[..]);
    for r in &all {
        assert_eq!(r.subject.fingers.len(), 2, "{}", r.subject.id);
    }
    let pool = child_templates();
    let next = all.len();
    let id = child_enroll(&mut store, &pool, next);
    assert_eq!(store.get(&id).unwrap().unwrap().subject.id, id);
    assert_eq!(store.len().unwrap(), next + 1);
}

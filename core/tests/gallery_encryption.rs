//! Encryption at rest: the file of a gallery opened with a key holds no plaintext template or
//! embedding, reopens to the same gallery, and refuses a wrong or missing key without
//! changing a byte.
#![cfg(feature = "store")]

mod common;

use std::path::{Path, PathBuf};

use galton::face::FaceEmbedding;
use galton::fingerprint::extract;
use galton::gallery::store::{Store, StoreKey, StoreOptions, StoredSubject};
use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, Probe, Subject};
use galton::image::FingerprintImage;
use galton::synth::faces::FaceSynth;
use galton::synth::templates::finger_templates;
use galton::synth::SynthConfig;
use galton::template::TemplateFormat;
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
            "galton-crypt-{name}-{}-{nanos}",
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

fn key(byte: u8) -> StoreKey {
    StoreKey::from_bytes([byte; 32])
}

fn with_key(byte: u8) -> StoreOptions {
    StoreOptions::default().with_key(key(byte))
}

/// The bytes of the database and its -wal and -shm files, as they are now.
fn raw_files(db: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(b) = std::fs::read(&path) {
            bytes.extend_from_slice(&b);
        }
    }
    bytes
}

/// Each file's bytes, or `None` if absent: to compare before and after.
fn snapshot(db: &Path) -> Vec<Option<Vec<u8>>> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|s| std::fs::read(format!("{}{s}", db.display())).ok())
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The byte runs that would betray plaintext biometrics: every galton template record whole
/// and its minutiae part in 24-byte runs, and every face embedding in runs of 4 values.
fn plaintext_runs(subjects: &[Subject]) -> Vec<Vec<u8>> {
    let mut runs = Vec::new();
    for s in subjects {
        for t in s.fingers.values().flatten() {
            let record = t.to_bytes(TemplateFormat::Galton).unwrap();
            runs.push(record.clone());
            // Past the header, the minutiae.
            for chunk in record[record.len() / 2..].chunks_exact(24) {
                runs.push(chunk.to_vec());
            }
        }
        if let Some(face) = &s.face {
            let bytes: Vec<u8> = face
                .as_slice()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            for chunk in bytes.chunks_exact(16) {
                runs.push(chunk.to_vec());
            }
        }
    }
    runs
}

/// Ten FVC2002 DB1_B fingers (impression 1 enrolled, impression 2 kept as the probe) with a
/// synthetic face each.
fn fvc_subjects() -> (Vec<Subject>, Vec<Probe>) {
    let images = common::fvc2002_images("DB1_B");
    let faces = FaceSynth::new(128, 11);
    let template = |path: &Path| -> Template {
        extract(&FingerprintImage::open(path, common::fvc2002_ppi("DB1_B")).unwrap()).unwrap()
    };
    let mut subjects = Vec::new();
    let mut probes = Vec::new();
    for finger in 0..10u64 {
        let face = |capture| FaceEmbedding::new(faces.capture(finger, capture, 0.3)).unwrap();
        let enrolled = template(&images[finger as usize * 8]);
        let probe = template(&images[finger as usize * 8 + 1]);
        subjects.push(
            Subject::new(format!("FVC-{}", 101 + finger))
                .with_finger(FingerPosition::RightIndex, enrolled)
                .with_face(face(0))
                .with_metadata("office", "Quito"),
        );
        probes.push(
            Probe::new()
                .with_finger(FingerPosition::RightIndex, probe)
                .with_face(face(1)),
        );
    }
    (subjects, probes)
}

fn enroll_all(gallery: &mut Gallery, subjects: &[Subject]) {
    for s in subjects {
        let outcome = gallery.enroll(s.clone(), DuplicatePolicy::Reject).unwrap();
        assert!(outcome.is_stored(), "{}: {outcome:?}", s.id);
    }
}

#[test]
fn encrypted_file_holds_no_plaintext_biometrics_and_reopens_the_same() {
    let (subjects, probes) = fvc_subjects();
    let runs = plaintext_runs(&subjects);
    assert!(runs.len() > 200, "{} runs", runs.len());

    // Control: a keyless file does hold the plaintext, so the search below can find it.
    let plain = TempDir::new("plain");
    {
        let mut g = Gallery::open(plain.db(), GalleryConfig::default()).unwrap();
        enroll_all(&mut g, &subjects);
        assert!(!g.is_encrypted());
    }
    let raw = raw_files(&plain.db());
    let found = runs.iter().filter(|r| contains(&raw, r)).count();
    assert_eq!(found, runs.len(), "a keyless file keeps every byte run");

    let dir = TempDir::new("fvc");
    let mut g = Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(7)).unwrap();
    assert!(g.is_encrypted());
    enroll_all(&mut g, &subjects);
    // While open (the pages in the write-ahead log), then closed (checkpointed).
    let open_raw = raw_files(&dir.db());
    let expected: Vec<_> = probes.iter().map(|p| g.identify(p, 3).unwrap()).collect();
    drop(g);
    let closed_raw = raw_files(&dir.db());
    for raw in [&open_raw, &closed_raw] {
        let leaked: Vec<_> = runs.iter().filter(|r| contains(raw, r)).collect();
        assert!(
            leaked.is_empty(),
            "{} plaintext runs in the file",
            leaked.len()
        );
    }
    // Ids and metadata stay readable.
    assert!(contains(&closed_raw, b"FVC-101"));
    assert!(contains(&closed_raw, b"Quito"));

    let g = Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(7)).unwrap();
    assert_eq!(g.len(), subjects.len());
    for s in &subjects {
        assert_eq!(g.get(&s.id).unwrap(), s);
    }
    for (probe, before) in probes.iter().zip(&expected) {
        assert_eq!(&g.identify(probe, 3).unwrap(), before);
    }
    // Each probe finds its own subject first.
    for (i, hits) in expected.iter().enumerate() {
        assert_eq!(hits[0].id, subjects[i].id);
        assert!(hits[0].is_match);
    }
}

/// Synthetic subjects, quick to make.
fn synthetic(n: u64) -> Vec<Subject> {
    let faces = FaceSynth::new(32, 3);
    (0..n)
        .map(|i| {
            let t = finger_templates(5, i, 1, &SynthConfig::default()).impressions;
            Subject::new(format!("S-{i}"))
                .with_finger(FingerPosition::LeftIndex, t[0].clone())
                .with_face(FaceEmbedding::new(faces.capture(i, 0, 0.2)).unwrap())
        })
        .collect()
}

fn key_error(result: galton::Result<Gallery>) -> String {
    match result {
        Err(Error::Key(reason)) => reason,
        other => panic!("expected a key error, got {:?}", other.map(|g| g.len())),
    }
}

#[test]
fn wrong_or_missing_key_is_refused_and_changes_nothing() {
    let dir = TempDir::new("wrong");
    let subjects = synthetic(5);
    {
        let mut g = Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(1)).unwrap();
        enroll_all(&mut g, &subjects);
    }
    let before = snapshot(&dir.db());
    assert!(before[0].is_some());
    let reason = key_error(Gallery::open_with(
        dir.db(),
        GalleryConfig::default(),
        &with_key(2),
    ));
    assert!(reason.contains("wrong key"), "{reason}");
    assert!(reason.contains("gallery.db"), "{reason}");
    assert_eq!(snapshot(&dir.db()), before, "a wrong key changes no byte");
    let reason = key_error(Gallery::open(dir.db(), GalleryConfig::default()));
    assert!(reason.contains("is encrypted"), "{reason}");
    assert_eq!(snapshot(&dir.db()), before, "a missing key changes no byte");
    assert!(matches!(Store::open(&dir.db()), Err(Error::Key(_))));
    // The right key still opens it, with everything there.
    let g = Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(1)).unwrap();
    assert_eq!(g.len(), 5);
}

#[test]
fn a_plaintext_gallery_with_subjects_is_not_opened_with_a_key() {
    let dir = TempDir::new("plain-key");
    {
        let mut g = Gallery::open(dir.db(), GalleryConfig::default()).unwrap();
        enroll_all(&mut g, &synthetic(2));
    }
    let before = snapshot(&dir.db());
    let reason = key_error(Gallery::open_with(
        dir.db(),
        GalleryConfig::default(),
        &with_key(1),
    ));
    assert!(reason.contains("not encrypted"), "{reason}");
    assert_eq!(snapshot(&dir.db()), before);
    // Keyless, it works as before.
    let g = Gallery::open(dir.db(), GalleryConfig::default()).unwrap();
    assert_eq!(g.len(), 2);
    assert!(!g.is_encrypted());

    // An empty keyless file (schema only) becomes encrypted when first opened with a key.
    let empty = TempDir::new("empty");
    drop(Gallery::open(empty.db(), GalleryConfig::default()).unwrap());
    let mut g = Gallery::open_with(empty.db(), GalleryConfig::default(), &with_key(4)).unwrap();
    assert!(g.is_encrypted());
    enroll_all(&mut g, &synthetic(1));
    drop(g);
    assert!(matches!(
        Gallery::open(empty.db(), GalleryConfig::default()),
        Err(Error::Key(_))
    ));
}

fn database_error(result: galton::Result<Gallery>) -> String {
    match result {
        Err(Error::Database { reason, .. }) => reason,
        other => panic!(
            "expected a database error, got {:?}",
            other.map(|g| g.len())
        ),
    }
}

#[test]
fn altered_or_swapped_ciphertext_is_an_error_naming_the_subject() {
    let dir = TempDir::new("tamper");
    {
        let mut g = Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(9)).unwrap();
        enroll_all(&mut g, &synthetic(3));
    }
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    // One bit of S-1's template flipped.
    let (seq, mut blob): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT f.subject_seq, f.template FROM fingers f JOIN subjects s
             ON s.seq = f.subject_seq WHERE s.id = 'S-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let original = blob.clone();
    blob[20] ^= 0x10;
    conn.execute(
        "UPDATE fingers SET template = ?1 WHERE subject_seq = ?2",
        rusqlite::params![blob, seq],
    )
    .unwrap();
    let reason = database_error(Gallery::open_with(
        dir.db(),
        GalleryConfig::default(),
        &with_key(9),
    ));
    assert!(reason.contains("\"S-1\""), "{reason}");
    assert!(reason.contains("template of left-index"), "{reason}");
    conn.execute(
        "UPDATE fingers SET template = ?1 WHERE subject_seq = ?2",
        rusqlite::params![original, seq],
    )
    .unwrap();
    drop(Gallery::open_with(dir.db(), GalleryConfig::default(), &with_key(9)).unwrap());

    // Faces of S-0 and S-2 swapped: each is sealed to its own subject.
    conn.execute_batch(
        "UPDATE subjects SET face = (SELECT face FROM subjects WHERE id = 'S-2')
         WHERE id = 'S-0'",
    )
    .unwrap();
    let reason = database_error(Gallery::open_with(
        dir.db(),
        GalleryConfig::default(),
        &with_key(9),
    ));
    assert!(reason.contains("\"S-0\""), "{reason}");
    assert!(reason.contains("face"), "{reason}");
    // Store::get says the same of that one subject.
    let store = Store::open_with(&dir.db(), &with_key(9)).unwrap();
    assert!(matches!(store.get("S-0"), Err(Error::Database { .. })));
    assert_eq!(
        store
            .get("S-2")
            .unwrap()
            .map(|r: StoredSubject| r.subject.id),
        Some("S-2".to_string())
    );
}

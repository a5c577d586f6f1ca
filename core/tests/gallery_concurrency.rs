//! A file-backed [`SharedGallery`] answering identifications and verifications from three
//! threads while a fourth enrolls and removes subjects: every answer is consistent with a
//! committed state, and at the end the file holds exactly the committed subjects.
//!
//! The gallery holds *stable* subjects, never touched, and *churned* ones, which the writer
//! enrolls and removes in turn. Readers check that
//! - a stable subject is always found, by verify and as identify's first hit, with exactly
//!   the comparison a single-threaded reference computed before the threads started;
//! - a churned subject is either absent or present with exactly its reference comparison
//!   (a half-written subject would lack a finger or the face, and score otherwise); and when
//!   no write of that subject was under way from before the query to after it, the answer
//!   matches the subject's committed state (present or absent) at that time.
//!
//! The run lasts about [`DURATION`], and at most [`MAX_WRITES`] writes so that it ends on a
//! slow machine too.
#![cfg(feature = "store")]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use galton::gallery::{Comparison, DuplicatePolicy, Gallery, GalleryConfig, SharedGallery};
use galton::synth::population::{person_id, Population, PopulationSpec};
use galton::Error;

const STABLE: usize = 120;
const CHURNED: usize = 60;
const READERS: usize = 3;
const DURATION: Duration = Duration::from_millis(2500);
const MIN_WRITES: usize = 20;
const MAX_WRITES: usize = 600;

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "galton-concurrency-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The committed state of one churned subject, published seqlock-style by the writer: `seq`
/// is odd while a write of the subject is under way, `present` is its state when even.
#[derive(Default)]
struct Churn {
    seq: AtomicU64,
    present: AtomicBool,
}

#[derive(Default)]
struct Counts {
    identify: AtomicUsize,
    verify: AtomicUsize,
    strict: AtomicUsize,
    seen_present: AtomicUsize,
    seen_absent: AtomicUsize,
}

#[test]
fn readers_see_committed_states_while_a_writer_churns() {
    let population = Population::generate(PopulationSpec {
        seed: 1010,
        people: STABLE + CHURNED,
        fingers: 2,
        face_dim: Some(64),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    });
    let dir = TempDir::new("churn");
    let db = dir.0.join("gallery.db");

    // Stable subjects and every other churned one enrolled at the start.
    let mut gallery = Gallery::open(&db, GalleryConfig::default()).unwrap();
    let initially: Vec<bool> = (0..CHURNED).map(|c| c % 2 == 0).collect();
    let seed: Vec<_> = (0..STABLE)
        .chain((0..CHURNED).filter(|&c| initially[c]).map(|c| STABLE + c))
        .map(|p| population.subjects[p].clone())
        .collect();
    gallery.import(seed).unwrap();

    // The single-threaded reference: every person's probe against their own record (the
    // comparison depends on the two records only, not on who else is registered).
    let mut reference = Gallery::new(GalleryConfig::default());
    reference
        .import(population.subjects[..STABLE + CHURNED].to_vec())
        .unwrap();
    let probes: Vec<_> = (0..STABLE + CHURNED)
        .map(|p| population.probe(p, 2, true))
        .collect();
    let expected: Vec<Comparison> = (0..STABLE + CHURNED)
        .map(|p| {
            reference
                .verify(&person_id(p), &probes[p])
                .unwrap()
                .comparison
        })
        .collect();
    for p in 0..STABLE + CHURNED {
        let hits = reference.identify(&probes[p], 3).unwrap();
        assert_eq!(hits[0].id, person_id(p), "the reference misses person {p}");
        assert_eq!(hits[0].comparison, expected[p]);
    }

    let shared = Arc::new(SharedGallery::new(gallery));
    let churn: Arc<Vec<Churn>> = Arc::new((0..CHURNED).map(|_| Churn::default()).collect());
    for (c, state) in churn.iter().enumerate() {
        state.present.store(initially[c], SeqCst);
    }
    let done = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let population = Arc::new(population);
    let probes = Arc::new(probes);
    let expected = Arc::new(expected);
    let start = Instant::now();

    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (shared, churn, done, counts) = (
                Arc::clone(&shared),
                Arc::clone(&churn),
                Arc::clone(&done),
                Arc::clone(&counts),
            );
            let (probes, expected) = (Arc::clone(&probes), Arc::clone(&expected));
            std::thread::spawn(move || {
                let mut i = r * 7919;
                while !done.load(SeqCst) {
                    i += 1;
                    // A stable subject, by both questions.
                    let p = i % STABLE;
                    let v = shared.verify(&person_id(p), &probes[p]).unwrap();
                    assert_eq!(v.comparison, expected[p], "stable {p}: verify");
                    let hits = shared.identify(&probes[p], 3).unwrap();
                    assert_eq!(hits[0].id, person_id(p), "stable {p}: identify");
                    assert_eq!(
                        hits[0].comparison, expected[p],
                        "stable {p}: identify score"
                    );
                    // A churned subject.
                    let c = (i * 31 + r) % CHURNED;
                    let p = STABLE + c;
                    let id = person_id(p);
                    let before = churn[c].seq.load(SeqCst);
                    let committed = churn[c].present.load(SeqCst);
                    let found = match shared.verify(&id, &probes[p]) {
                        Ok(v) => {
                            assert_eq!(v.comparison, expected[p], "churned {id}: half-written?");
                            true
                        }
                        Err(Error::NotFound(_)) => false,
                        Err(e) => panic!("churned {id}: {e}"),
                    };
                    let hits = shared.identify(&probes[p], 3).unwrap();
                    let listed = hits.iter().find(|h| h.id == id);
                    if let Some(hit) = listed {
                        assert_eq!(hit.comparison, expected[p], "churned {id}: identify score");
                    }
                    if before % 2 == 0 && churn[c].seq.load(SeqCst) == before {
                        // No write of this subject from before both queries to after them.
                        assert_eq!(found, committed, "{id}: verify disagrees with the commits");
                        assert_eq!(
                            listed.is_some(),
                            committed,
                            "{id}: identify disagrees with the commits"
                        );
                        counts.strict.fetch_add(1, SeqCst);
                    }
                    let seen = if found {
                        &counts.seen_present
                    } else {
                        &counts.seen_absent
                    };
                    seen.fetch_add(1, SeqCst);
                    counts.identify.fetch_add(2, SeqCst);
                    counts.verify.fetch_add(2, SeqCst);
                }
            })
        })
        .collect();

    // The writer: enroll an absent churned subject, remove a present one, in turn.
    let (mut enrolled, mut removed) = (0usize, 0usize);
    let mut k = 0usize;
    loop {
        let writes = enrolled + removed;
        if writes >= MAX_WRITES || (writes >= MIN_WRITES && start.elapsed() >= DURATION) {
            break;
        }
        k += 1;
        let c = (k * 17) % CHURNED;
        let state = &churn[c];
        let id = person_id(STABLE + c);
        let present = state.present.load(SeqCst);
        state.seq.fetch_add(1, SeqCst);
        if present {
            let subject = shared.remove(&id).unwrap();
            assert_eq!(subject.id, id);
            removed += 1;
        } else {
            let subject = population.subjects[STABLE + c].clone();
            let outcome = shared.enroll(subject, DuplicatePolicy::Reject).unwrap();
            assert!(outcome.is_stored(), "{id}: {outcome:?}");
            enrolled += 1;
        }
        state.present.store(!present, SeqCst);
        state.seq.fetch_add(1, SeqCst);
    }
    done.store(true, SeqCst);
    for reader in readers {
        reader.join().unwrap();
    }
    let elapsed = start.elapsed();
    let count = |a: &AtomicUsize| a.load(SeqCst);
    eprintln!(
        "concurrency: {:.2} s, {READERS} readers: {} identify + {} verify ({} strictly \
         checked, churned seen present {} / absent {}); writer: {enrolled} enrollments + \
         {removed} removals",
        elapsed.as_secs_f64(),
        count(&counts.identify),
        count(&counts.verify),
        count(&counts.strict),
        count(&counts.seen_present),
        count(&counts.seen_absent),
    );
    assert!(
        count(&counts.identify) >= READERS,
        "the readers did not run"
    );
    assert!(
        count(&counts.strict) > 0,
        "no answer could be checked strictly"
    );
    assert!(enrolled > 0 && removed > 0);

    // Exactly the committed set, in memory and on disk.
    let committed: BTreeSet<String> = (0..STABLE)
        .map(person_id)
        .chain(
            (0..CHURNED)
                .filter(|&c| churn[c].present.load(SeqCst))
                .map(|c| person_id(STABLE + c)),
        )
        .collect();
    let shared = Arc::into_inner(shared).unwrap();
    let memory = shared.into_inner().unwrap();
    let in_memory: BTreeSet<String> = memory.subjects().map(|s| s.id.clone()).collect();
    assert_eq!(in_memory, committed, "in memory");
    drop(memory);
    let reloaded = Gallery::open(&db, GalleryConfig::default()).unwrap();
    let on_disk: BTreeSet<String> = reloaded.subjects().map(|s| s.id.clone()).collect();
    assert_eq!(on_disk, committed, "on disk");
    for id in &committed {
        let p: usize = id[1..].parse().unwrap();
        let stored = reloaded.get(id).unwrap();
        let original = &population.subjects[p];
        assert_eq!(stored.fingers, original.fingers, "{id}: fingers");
        let cosine = stored
            .face
            .as_ref()
            .unwrap()
            .cosine(original.face.as_ref().unwrap())
            .unwrap();
        assert!(cosine > 0.999_999, "{id}: face");
        // The reloaded search structures answer as the live ones did.
        let v = reloaded.verify(id, &probes[p]).unwrap();
        assert_eq!(v.comparison, expected[p], "{id}: reloaded score");
    }
}

/// Another connection (another process, say) holding the write lock: reads go on, a write
/// waits for the busy timeout, then fails with `Error::Busy` and changes nothing; once the
/// lock is released the same write succeeds.
#[test]
fn a_write_waits_for_the_busy_timeout_then_fails_with_busy() {
    let population = Population::generate(PopulationSpec {
        seed: 2020,
        people: 12,
        fingers: 2,
        face_dim: Some(64),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    });
    let dir = TempDir::new("busy");
    let db = dir.0.join("gallery.db");
    let timeout = Duration::from_millis(600);
    let mut gallery =
        Gallery::open_with_busy_timeout(&db, GalleryConfig::default(), timeout).unwrap();
    gallery.import(population.subjects[..10].to_vec()).unwrap();

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    // Reading is not blocked: a second gallery opens and identifies.
    let reader = Gallery::open_with_busy_timeout(&db, GalleryConfig::default(), timeout).unwrap();
    assert_eq!(reader.len(), 10);
    assert_eq!(
        reader.identify(&population.probe(3, 2, true), 1).unwrap()[0].id,
        person_id(3)
    );

    let newcomer = population.subjects[10].clone();
    let started = Instant::now();
    let result = gallery.enroll(newcomer.clone(), DuplicatePolicy::Reject);
    let elapsed = started.elapsed();
    match result {
        Err(Error::Busy { path, waited }) => {
            assert_eq!(path, db);
            assert_eq!(waited, timeout);
        }
        other => panic!("expected Error::Busy, got {other:?}"),
    }
    assert!(
        elapsed + Duration::from_millis(50) >= timeout,
        "gave up after {elapsed:?}, before the timeout"
    );
    let message = Error::Busy {
        path: db.clone(),
        waited: timeout,
    }
    .to_string();
    assert!(
        message.contains("locked by another connection"),
        "{message}"
    );
    assert!(message.contains("0.6 s"), "{message}");
    // Nothing changed, in memory or on disk; a removal is refused the same way.
    assert!(!gallery.contains(&newcomer.id));
    assert!(matches!(
        gallery.remove(&person_id(0)),
        Err(Error::Busy { .. })
    ));
    assert!(gallery.contains(&person_id(0)));
    let count: i64 = other
        .query_row("SELECT count(*) FROM subjects", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 10);

    // The lock released, the same enrollment goes through.
    other.execute_batch("ROLLBACK").unwrap();
    let outcome = gallery.enroll(newcomer, DuplicatePolicy::Reject).unwrap();
    assert!(outcome.is_stored());
    gallery.remove(&person_id(0)).unwrap();
    drop(gallery);
    let reopened = Gallery::open(&db, GalleryConfig::default()).unwrap();
    assert_eq!(reopened.len(), 10);
    assert!(reopened.contains(&person_id(10)) && !reopened.contains(&person_id(0)));
    // A process that opened the file before these writes sees them after `reload`.
    let shared = SharedGallery::new(reader);
    assert!(!shared.contains(&person_id(10)).unwrap());
    shared.reload().unwrap();
    assert!(shared.contains(&person_id(10)).unwrap());
    assert!(!shared.contains(&person_id(0)).unwrap());
}

/// A write that panics half-way poisons the lock; the next call reloads the committed state
/// from the database and the gallery goes on serving.
#[test]
fn a_poisoned_shared_gallery_is_reloaded_from_its_database() {
    let population = Population::generate(PopulationSpec {
        seed: 3030,
        people: 8,
        fingers: 2,
        face_dim: Some(64),
        reenrolled: 0,
        shared_face: 0,
        shared_finger: 0,
        ..PopulationSpec::default()
    });
    let dir = TempDir::new("poison");
    let db = dir.0.join("gallery.db");
    let shared = SharedGallery::open(&db, GalleryConfig::default()).unwrap();
    for subject in &population.subjects[..6] {
        shared
            .enroll(subject.clone(), DuplicatePolicy::Reject)
            .unwrap();
    }
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        shared
            .write(|g| {
                // Committed to the file, then the in-memory change is abandoned half-way.
                g.remove(&person_id(1)).unwrap();
                panic!("half-way through a change");
            })
            .unwrap();
    }));
    assert!(panicked.is_err());
    assert_eq!(shared.len().unwrap(), 5);
    assert!(!shared.contains(&person_id(1)).unwrap());
    let hits = shared.identify(&population.probe(4, 2, true), 1).unwrap();
    assert_eq!(hits[0].id, person_id(4));
    shared
        .enroll(population.subjects[6].clone(), DuplicatePolicy::Reject)
        .unwrap();
    assert_eq!(shared.len().unwrap(), 6);
}

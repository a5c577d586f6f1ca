//! A gallery shared by the threads of a server: [`SharedGallery`].
//!
//! Every call is **linearizable**: its answer reflects one committed state of the gallery, the
//! state left by some sequence of the writes that had returned (or were returning) while it
//! ran, never a half-applied write. Queries (identify, verify, deduplicate) run side by side
//! under a read lock; a write holds the write lock only while it changes the store and the
//! search structures.
//!
//! Enrollment is split in two: its duplicate search, the slow part, runs under the read lock
//! (other queries go on), then the write lock is taken and the subject stored, if no other
//! write happened meanwhile. If one did, the decision is taken again under the write lock, so
//! that two concurrent enrollments of the same person or the same id are still caught.
//!
//! A write that panics half-way (it should not) poisons the lock. The next call then reloads
//! a file-backed gallery from its database, which holds exactly the committed writes; an
//! in-memory gallery cannot be restored and every later call returns [`Error::Poisoned`].
//!
//! ```
//! use std::sync::Arc;
//! use galton::gallery::{DuplicatePolicy, GalleryConfig, SharedGallery};
//! use galton::synth::population::{person_id, Population, PopulationSpec};
//!
//! # let dir = std::env::temp_dir().join(format!("galton-shared-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let spec = PopulationSpec { people: 30, reenrolled: 0, shared_face: 0, shared_finger: 0,
//!     ..PopulationSpec::default() };
//! let people = Population::generate(spec);
//! let gallery = Arc::new(SharedGallery::open(dir.join("gallery.db"), GalleryConfig::default())?);
//! let reader = {
//!     let (gallery, probe) = (Arc::clone(&gallery), people.probe(0, 2, true));
//!     std::thread::spawn(move || gallery.identify(&probe, 1))
//! };
//! for subject in &people.subjects {
//!     gallery.enroll(subject.clone(), DuplicatePolicy::Reject)?;
//! }
//! // Whatever state the reader saw, person 0 was either not there yet or found as a match.
//! let hits = reader.join().unwrap()?;
//! assert!(hits.iter().all(|hit| hit.id != person_id(0) || hit.is_match));
//! assert_eq!(gallery.identify(&people.probe(0, 2, true), 1)?[0].id, person_id(0));
//! # drop(gallery);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), galton::Error>(())
//! ```

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::record::Record;
use super::{DedupReport, DuplicatePolicy, EnrollOutcome, Gallery, Hit, Probe, Subject};
use super::{GalleryConfig, Verification};
use crate::{Error, Result};

/// A [`Gallery`] behind a read-write lock, `Send + Sync`, every method taking `&self` (see
/// the [module docs](self) for the guarantees). Share it with an `Arc`.
#[derive(Debug)]
pub struct SharedGallery {
    state: RwLock<State>,
    /// Where a poisoned gallery is reloaded from.
    #[cfg(feature = "store")]
    origin: Option<Origin>,
}

#[derive(Debug)]
struct State {
    gallery: Gallery,
    /// Counts the writes (attempted), so that an enrollment decided under the read lock knows
    /// whether the state it decided on is still the current one.
    generation: u64,
}

#[cfg(feature = "store")]
#[derive(Debug, Clone)]
struct Origin {
    path: std::path::PathBuf,
    /// The options it was opened with (key, operator, busy timeout), to open it again.
    options: super::store::StoreOptions,
}

impl SharedGallery {
    /// Shares `gallery` (in memory, or opened from a database).
    pub fn new(gallery: Gallery) -> SharedGallery {
        #[cfg(feature = "store")]
        let origin = gallery.store.as_ref().map(|store| {
            let store = store.lock().unwrap_or_else(|p| p.into_inner());
            Origin {
                path: store.path().to_path_buf(),
                options: store.options().clone(),
            }
        });
        SharedGallery {
            state: RwLock::new(State {
                gallery,
                generation: 0,
            }),
            #[cfg(feature = "store")]
            origin,
        }
    }

    /// [`Gallery::open`], shared.
    #[cfg(feature = "store")]
    pub fn open(path: impl AsRef<std::path::Path>, config: GalleryConfig) -> Result<Self> {
        Gallery::open(path, config).map(SharedGallery::new)
    }

    /// [`Gallery::open_with`] (a key, an operator, a busy timeout), shared.
    #[cfg(feature = "store")]
    pub fn open_with(
        path: impl AsRef<std::path::Path>,
        config: GalleryConfig,
        options: &super::store::StoreOptions,
    ) -> Result<Self> {
        Gallery::open_with(path, config, options).map(SharedGallery::new)
    }

    /// [`Gallery::open_with_busy_timeout`], shared.
    #[cfg(feature = "store")]
    pub fn open_with_busy_timeout(
        path: impl AsRef<std::path::Path>,
        config: GalleryConfig,
        busy_timeout: std::time::Duration,
    ) -> Result<Self> {
        Gallery::open_with_busy_timeout(path, config, busy_timeout).map(SharedGallery::new)
    }

    /// [`Gallery::identify`] on the current state.
    pub fn identify(&self, probe: &Probe, k: usize) -> Result<Vec<Hit>> {
        self.read(|g| g.identify(probe, k))?
    }

    /// [`Gallery::verify`] on the current state.
    pub fn verify(&self, id: &str, probe: &Probe) -> Result<Verification> {
        self.read(|g| g.verify(id, probe))?
    }

    /// [`Gallery::deduplicate`] on the current state (other queries go on meanwhile; writes
    /// wait for it).
    pub fn deduplicate(&self) -> Result<DedupReport> {
        self.read(Gallery::deduplicate)?
    }

    /// Number of subjects.
    pub fn len(&self) -> Result<usize> {
        self.read(Gallery::len)
    }

    /// Whether the gallery has no subject.
    pub fn is_empty(&self) -> Result<bool> {
        self.read(Gallery::is_empty)
    }

    /// Whether `id` is registered.
    pub fn contains(&self, id: &str) -> Result<bool> {
        self.read(|g| g.contains(id))
    }

    /// A copy of the subject registered under `id`.
    pub fn get(&self, id: &str) -> Result<Option<Subject>> {
        self.read(|g| g.get(id).cloned())
    }

    /// [`Gallery::enroll`]: the duplicate search under the read lock, the insert under the
    /// write lock, decided again there if another write came in between.
    pub fn enroll(&self, subject: Subject, policy: DuplicatePolicy) -> Result<EnrollOutcome> {
        // Everything that needs no gallery, outside any lock.
        subject.validate(None)?;
        let record = Record::from_subject(&subject);
        let (generation, decision) = {
            let state = self.read_state()?;
            state.gallery.config.validate()?;
            subject.validate(state.gallery.face_dim)?;
            let decision = state.gallery.decide_enroll(&subject, &record, policy);
            (state.generation, decision)
        };
        let duplicates = match decision {
            Ok(duplicates) => duplicates,
            // A refusal is an answer about the state it was decided on; its audit row is a
            // write, so it takes the write lock (the gallery itself does not change).
            Err(outcome) => return self.write_state()?.gallery.refused(&subject, outcome),
        };
        let mut state = self.write_state()?;
        state.generation += 1;
        if state.generation - 1 != generation {
            subject.validate(state.gallery.face_dim)?;
            return state.gallery.enroll_prepared(subject, record, policy);
        }
        state.gallery.apply_enroll(subject, record, duplicates)
    }

    /// [`Gallery::update`], under the write lock.
    pub fn update(&self, subject: Subject) -> Result<()> {
        self.write(|g| g.update(subject))?
    }

    /// [`Gallery::remove`], under the write lock.
    pub fn remove(&self, id: &str) -> Result<Subject> {
        self.write(|g| g.remove(id))?
    }

    /// [`Gallery::clear_flag`], under the write lock.
    pub fn clear_flag(&self, id: &str) -> Result<()> {
        self.write(|g| g.clear_flag(id))?
    }

    /// Runs `f` on the current state, under the read lock (other readers run too, writers
    /// wait). Do not call this handle's methods from inside `f`.
    pub fn read<R>(&self, f: impl FnOnce(&Gallery) -> R) -> Result<R> {
        let state = self.read_state()?;
        Ok(f(&state.gallery))
    }

    /// Runs `f` with the gallery to itself, under the write lock: for changes this handle has
    /// no method for ([`Gallery::import`], [`Gallery::set_config`] …). Do not call this
    /// handle's methods from inside `f`.
    pub fn write<R>(&self, f: impl FnOnce(&mut Gallery) -> R) -> Result<R> {
        let mut state = self.write_state()?;
        state.generation += 1;
        Ok(f(&mut state.gallery))
    }

    /// Reads a file-backed gallery again from its database, to see the writes of other
    /// processes (this process's view is otherwise the file as it was at open, plus its own
    /// writes). The swap is atomic: a query sees the old state or the new one. An in-memory
    /// gallery is left as it is.
    #[cfg(feature = "store")]
    pub fn reload(&self) -> Result<()> {
        let Some(origin) = &self.origin else {
            return Ok(());
        };
        let config = self.read(|g| g.config().clone())?;
        // Read outside the lock (queries go on), then swap, unless a write came meanwhile.
        loop {
            let generation = self.read_state()?.generation;
            let fresh = Gallery::open_with(&origin.path, config.clone(), &origin.options)?;
            let mut state = self.write_state()?;
            if state.generation == generation {
                state.gallery = fresh;
                state.generation += 1;
                return Ok(());
            }
        }
    }

    /// The gallery, unshared.
    pub fn into_inner(self) -> Result<Gallery> {
        match self.state.into_inner() {
            Ok(state) => Ok(state.gallery),
            Err(_) => Err(poisoned()),
        }
    }

    fn read_state(&self) -> Result<RwLockReadGuard<'_, State>> {
        if let Ok(state) = self.state.read() {
            return Ok(state);
        }
        self.recover()?;
        self.state.read().map_err(|_| poisoned())
    }

    fn write_state(&self) -> Result<RwLockWriteGuard<'_, State>> {
        match self.state.write() {
            Ok(state) => Ok(state),
            Err(poison) => {
                drop(poison);
                self.recover()?;
                self.state.write().map_err(|_| poisoned())
            }
        }
    }

    /// After a write panicked: the committed state, reloaded from the database.
    fn recover(&self) -> Result<()> {
        let mut state = match self.state.write() {
            // Recovered by another thread meanwhile.
            Ok(_) => return Ok(()),
            Err(poison) => poison.into_inner(),
        };
        #[cfg(feature = "store")]
        if let Some(origin) = &self.origin {
            let config = state.gallery.config().clone();
            state.gallery = Gallery::open_with(&origin.path, config, &origin.options)?;
            state.generation += 1;
            drop(state);
            self.state.clear_poison();
            return Ok(());
        }
        drop(state);
        Err(poisoned())
    }
}

fn poisoned() -> Error {
    Error::Poisoned(
        "a change to this in-memory gallery panicked half-way; rebuild the gallery".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn shared_gallery_is_send_and_sync() {
        assert_send_sync::<SharedGallery>();
    }

    #[test]
    fn a_panicking_write_poisons_an_in_memory_gallery_for_good() {
        let shared = SharedGallery::new(Gallery::new(GalleryConfig::default()));
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shared.write(|_| panic!("half-way")).unwrap();
        }));
        assert!(panicked.is_err());
        assert!(matches!(shared.len(), Err(Error::Poisoned(_))));
        assert!(matches!(shared.remove("x"), Err(Error::Poisoned(_))));
    }
}

//! The enrollment gallery: one record per person, and the three questions an identity
//! registry asks of it.
//!
//! - **verify** ([`Gallery::verify`]): is this the person registered under this id? 1:1.
//! - **identify** ([`Gallery::identify`]): who is this? 1:N, a ranked candidate list.
//! - **deduplicate** ([`Gallery::deduplicate`]): is anyone registered twice under different
//!   ids? N-by-N, pairs with their evidence, grouped into clusters.
//!
//! Enrollment ([`Gallery::enroll`]) checks for duplicates first and tells apart "this id is
//! registered already, with other biometrics" from "these biometrics are registered already,
//! under another id"; the caller's [`DuplicatePolicy`] decides whether a suspected duplicate
//! is refused or stored and flagged for review.
//!
//! Scores of fingers and face are fused on one scale, the false match rate ([`fusion`]), so
//! every threshold in [`GalleryConfig`] reads as "how often would two different people
//! compare this well".
//!
//! With the `store` feature (default), [`Gallery::open`] keeps the gallery in an SQLite
//! database ([`store`]): every enrollment is one transaction, written before it is reported,
//! and opening the file rebuilds the search structures.
//!
//! ```
//! use galton::gallery::{DuplicatePolicy, EnrollOutcome, Gallery, GalleryConfig, Subject};
//! use galton::synth::{templates::finger_templates, SynthConfig};
//! use galton::FingerPosition::{LeftIndex, RightIndex};
//!
//! let synth = SynthConfig::default();
//! let finger = |i| finger_templates(7, i, 2, &synth).impressions;
//! let mut gallery = Gallery::new(GalleryConfig::default());
//! for person in 0..20u64 {
//!     let (right, left) = (finger(2 * person), finger(2 * person + 1));
//!     let subject = Subject::new(format!("ID-{person}"))
//!         .with_finger(RightIndex, right[0].clone())
//!         .with_finger(LeftIndex, left[0].clone());
//!     assert_eq!(gallery.enroll(subject, DuplicatePolicy::Reject)?, EnrollOutcome::Enrolled);
//! }
//! // Person 3 again, from other impressions, under a new id: caught.
//! let (right, left) = (finger(6), finger(7));
//! let again = Subject::new("ID-NEW")
//!     .with_finger(RightIndex, right[1].clone())
//!     .with_finger(LeftIndex, left[1].clone());
//! let EnrollOutcome::RejectedDuplicate { duplicates } =
//!     gallery.enroll(again.clone(), DuplicatePolicy::Reject)? else { panic!() };
//! assert_eq!(duplicates[0].id, "ID-3");
//! // At the counter: is this ID-3?
//! assert!(gallery.verify("ID-3", &again.to_probe())?.is_match);
//! # Ok::<(), galton::Error>(())
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::face::{Encoding, FaceIndex};
use crate::matcher::Matcher;
use crate::template::FingerPosition;
use crate::{Error, Result};

#[cfg(feature = "store")]
mod audited;
mod dedup;
pub mod fusion;
pub mod prefilter;
mod record;
mod search;
pub mod shared;
#[cfg(feature = "store")]
pub mod store;
pub mod subject;

pub use dedup::{DedupReport, DuplicatePair, Inconsistency};
pub use fusion::{Comparison, Modality, ModalityScore, TailModel};
pub use search::{Hit, Verification};
pub use shared::SharedGallery;
pub use subject::{Probe, Subject, MAX_IMPRESSIONS};

use prefilter::{FingerPrefilter, PrefilterConfig};
use record::{Models, Record};

/// The thresholds and calibrations of a gallery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct GalleryConfig {
    /// Impostor tail of the fingerprint matcher's scores.
    pub finger_model: TailModel,
    /// Impostor tail of the face model's cosine similarities.
    pub face_model: TailModel,
    /// False match rate per comparison at which [`Gallery::verify`] and [`Gallery::identify`]
    /// declare a match (default 10⁻⁴). In identification over `N` subjects, about `N` times
    /// this is the chance that someone unregistered matches somebody.
    pub match_fmr: f64,
    /// False match rate per comparison at which two records are reported as suspected
    /// duplicates, at enrollment and by [`Gallery::deduplicate`] (default 10⁻⁸: over the
    /// 5·10⁷ pairs of 10⁴ subjects, half a false pair expected).
    pub duplicate_fmr: f64,
    /// Fingerprint candidates kept by the prefilter per probe finger, as a fraction of the
    /// templates of that finger position…
    pub shortlist_fraction: f64,
    /// … but never fewer than this many.
    pub min_shortlist: usize,
    /// With several probe fingers, the subjects compared in full are those with the most
    /// prefilter votes over all fingers, this fraction of the gallery (at least
    /// `min_shortlist`) …
    pub fused_shortlist_fraction: f64,
    /// … plus each finger's own best candidates, this fraction (at least a quarter of
    /// `min_shortlist`), so that a record sharing one finger is still found.
    pub single_finger_shortlist_fraction: f64,
    /// Face candidates per probe (nearest embeddings, exact search).
    pub face_candidates: usize,
    /// In [`Gallery::deduplicate`], pairs whose faces reach the score of this false match
    /// rate on their own are compared in full (default 10⁻³), besides the fingerprint
    /// prefilter's candidates.
    pub dedup_face_fmr: f64,
    /// The fingerprint prefilter (not serialised: the defaults are measured);
    /// [`PrefilterConfig::fast`] by default, tuned for probes of two or more fingers. For
    /// single-finger identification, [`PrefilterConfig::default`] keeps more mates.
    #[serde(skip)]
    pub prefilter: PrefilterConfig,
}

impl Default for GalleryConfig {
    fn default() -> Self {
        GalleryConfig {
            finger_model: TailModel::fingerprint_default(),
            face_model: TailModel::face_default(),
            match_fmr: 1e-4,
            duplicate_fmr: 1e-8,
            shortlist_fraction: 0.01,
            min_shortlist: 100,
            fused_shortlist_fraction: 0.003,
            single_finger_shortlist_fraction: 0.0005,
            face_candidates: 100,
            dedup_face_fmr: 1e-3,
            prefilter: PrefilterConfig::fast(),
        }
    }
}

impl GalleryConfig {
    fn validate(&self) -> Result<()> {
        let rate = |name: &str, v: f64| {
            if v > 0.0 && v < 1.0 {
                Ok(())
            } else {
                Err(Error::InvalidArgument(format!(
                    "{name} must be a rate strictly between 0 and 1, got {v}"
                )))
            }
        };
        rate("match_fmr", self.match_fmr)?;
        rate("duplicate_fmr", self.duplicate_fmr)?;
        rate("dedup_face_fmr", self.dedup_face_fmr)?;
        for (name, v) in [
            ("shortlist_fraction", self.shortlist_fraction),
            ("fused_shortlist_fraction", self.fused_shortlist_fraction),
            (
                "single_finger_shortlist_fraction",
                self.single_finger_shortlist_fraction,
            ),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be in (0, 1], got {v}"
                )));
            }
        }
        Ok(())
    }
}

/// What [`Gallery::enroll`] does with a subject whose biometrics match someone already
/// registered under another id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicatePolicy {
    /// Refuse it ([`EnrollOutcome::RejectedDuplicate`]).
    Reject,
    /// Store it, flagged for review ([`EnrollOutcome::Flagged`]).
    Flag,
}

/// What happened to a subject given to [`Gallery::enroll`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum EnrollOutcome {
    /// Stored; nobody registered matches it.
    Enrolled,
    /// Stored and flagged: its biometrics match these subjects, registered under other ids.
    Flagged {
        /// The matching subjects, best first.
        duplicates: Vec<Hit>,
    },
    /// Not stored: its biometrics belong to these other ids.
    RejectedDuplicate {
        /// The matching subjects, best first.
        duplicates: Vec<Hit>,
    },
    /// Not stored: the id is registered already, with biometrics that do not match these
    /// (another person under this id, or a capture too poor to tell).
    IdRegisteredWithDifferentBiometrics {
        /// The new biometrics against those stored under the id.
        comparison: Comparison,
    },
    /// Not stored: this id is registered already with these same biometrics (use
    /// [`Gallery::update`] to replace the record).
    AlreadyEnrolled {
        /// The new biometrics against those stored under the id.
        comparison: Comparison,
    },
}

impl EnrollOutcome {
    /// Whether the subject is now in the gallery.
    pub fn is_stored(&self) -> bool {
        matches!(
            self,
            EnrollOutcome::Enrolled | EnrollOutcome::Flagged { .. }
        )
    }
}

/// A subject as the gallery keeps it.
#[derive(Debug, Clone)]
struct Entry {
    subject: Subject,
    record: Record,
    flagged: bool,
    note: String,
    enrolled_at: i64,
}

/// The in-memory search structures of one finger position.
#[derive(Debug, Clone)]
struct FingerShard {
    prefilter: FingerPrefilter,
    templates: usize,
}

/// An enrollment gallery: subjects by id, searchable by finger and face, optionally kept in an
/// SQLite database. Queries take `&self` and use every core; changes take `&mut self`.
#[derive(Debug)]
pub struct Gallery {
    config: GalleryConfig,
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    by_id: HashMap<String, u32>,
    shards: HashMap<FingerPosition, FingerShard>,
    faces: Option<FaceIndex>,
    face_dim: Option<usize>,
    /// Behind a mutex only so that the gallery is `Sync` (an SQLite connection is not) and
    /// queries can run on every core; writes take `&mut self` and use `get_mut`.
    #[cfg(feature = "store")]
    store: Option<std::sync::Mutex<store::Store>>,
    /// The receipt of the last enrollment recorded in the store's audit trail.
    #[cfg(feature = "store")]
    last_receipt: Option<store::Receipt>,
}

/// Key of a template in a prefilter: slot and impression.
fn template_key(slot: u32, impression: usize) -> u32 {
    slot * MAX_IMPRESSIONS as u32 + impression as u32
}

fn slot_of_key(key: u32) -> u32 {
    key / MAX_IMPRESSIONS as u32
}

/// Most subjects a gallery holds (template keys are 32-bit).
pub const MAX_SUBJECTS: usize = (u32::MAX as usize) / MAX_IMPRESSIONS;

impl Gallery {
    /// An empty gallery in memory.
    ///
    /// # Panics
    /// Never; an invalid configuration is reported by the first call that uses it. Use
    /// [`Gallery::with_config`] to check it up front.
    pub fn new(config: GalleryConfig) -> Gallery {
        Gallery {
            config,
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            shards: HashMap::new(),
            faces: None,
            face_dim: None,
            #[cfg(feature = "store")]
            store: None,
            #[cfg(feature = "store")]
            last_receipt: None,
        }
    }

    /// An empty gallery in memory, with its configuration checked.
    pub fn with_config(config: GalleryConfig) -> Result<Gallery> {
        config.validate()?;
        Ok(Gallery::new(config))
    }

    /// The configuration.
    pub fn config(&self) -> &GalleryConfig {
        &self.config
    }

    /// Replaces the thresholds and calibrations (the prefilter's settings apply to
    /// templates enrolled from now on).
    pub fn set_config(&mut self, config: GalleryConfig) -> Result<()> {
        config.validate()?;
        self.config = config;
        Ok(())
    }

    /// Number of subjects.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the gallery has no subject.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The dimension of the face embeddings, once the first face is enrolled.
    pub fn face_dim(&self) -> Option<usize> {
        self.face_dim
    }

    /// Whether `id` is registered.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The subject registered under `id`.
    pub fn get(&self, id: &str) -> Option<&Subject> {
        self.entry(id).map(|e| &e.subject)
    }

    /// Whether the subject under `id` was stored flagged as a suspected duplicate, and why.
    pub fn flag(&self, id: &str) -> Option<(bool, &str)> {
        self.entry(id).map(|e| (e.flagged, e.note.as_str()))
    }

    /// Every subject, in slot order (insertion order, removed slots reused).
    pub fn subjects(&self) -> impl Iterator<Item = &Subject> + '_ {
        self.slots.iter().flatten().map(|e| &e.subject)
    }

    /// Memory held by the search structures and records, in bytes (an estimate).
    pub fn memory_bytes(&self) -> usize {
        let prefilter: usize = self
            .shards
            .values()
            .map(|s| s.prefilter.memory_bytes())
            .sum();
        let faces = self.faces.as_ref().map_or(0, FaceIndex::memory_bytes);
        let records: usize = self
            .slots
            .iter()
            .flatten()
            .map(|e| {
                e.record
                    .fingers
                    .values()
                    .flatten()
                    .map(|p| p.memory_bytes())
                    .sum::<usize>()
                    + e.subject
                        .fingers
                        .values()
                        .flatten()
                        .map(|t| t.minutiae.len() * std::mem::size_of::<crate::Minutia>())
                        .sum::<usize>()
            })
            .sum();
        prefilter + faces + records
    }

    fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id
            .get(id)
            .and_then(|&s| self.slots[s as usize].as_ref())
    }

    fn models(&self) -> Models<'_> {
        Models {
            finger: &self.config.finger_model,
            face: &self.config.face_model,
        }
    }

    /// Registers a subject, after checking that nobody registered matches it.
    ///
    /// Returns what happened ([`EnrollOutcome`]); an error only for an invalid subject (bad
    /// id, no biometrics, a face of the wrong dimension …) or a store that cannot be written,
    /// and then nothing changed.
    pub fn enroll(&mut self, subject: Subject, policy: DuplicatePolicy) -> Result<EnrollOutcome> {
        self.config.validate()?;
        subject.validate(self.face_dim)?;
        let record = Record::from_subject(&subject);
        self.enroll_prepared(subject, record, policy)
    }

    /// [`Gallery::enroll`] for many subjects in turn (each checked against those before it
    /// too), preparing their templates in parallel first. One result per subject, in order: a
    /// bad subject is reported and the others go on.
    pub fn enroll_many(
        &mut self,
        subjects: Vec<Subject>,
        policy: DuplicatePolicy,
    ) -> Vec<Result<EnrollOutcome>> {
        if let Err(e) = self.config.validate() {
            let message = e.to_string();
            return subjects
                .iter()
                .map(|_| Err(Error::InvalidArgument(message.clone())))
                .collect();
        }
        let prepared: Vec<Record> = par_map(&subjects, Record::from_subject);
        subjects
            .into_iter()
            .zip(prepared)
            .map(|(subject, record)| {
                subject.validate(self.face_dim)?;
                self.enroll_prepared(subject, record, policy)
            })
            .collect()
    }

    fn enroll_prepared(
        &mut self,
        subject: Subject,
        record: Record,
        policy: DuplicatePolicy,
    ) -> Result<EnrollOutcome> {
        match self.decide_enroll(&subject, &record, policy) {
            Err(outcome) => self.refused(&subject, outcome),
            Ok(duplicates) => self.apply_enroll(subject, record, duplicates),
        }
    }

    /// The read-only half of an enrollment: `Ok(duplicates)` to store the subject (flagged if
    /// any), or `Err(outcome)` to refuse it.
    fn decide_enroll(
        &self,
        subject: &Subject,
        record: &Record,
        policy: DuplicatePolicy,
    ) -> std::result::Result<Vec<Hit>, EnrollOutcome> {
        if let Some(&slot) = self.by_id.get(&subject.id) {
            let stored = self.slots[slot as usize].as_ref().expect("indexed slot");
            let comparison =
                record::compare(record, &stored.record, &mut Matcher::new(), self.models());
            return Err(if comparison.is_match(self.config.match_fmr) {
                EnrollOutcome::AlreadyEnrolled { comparison }
            } else {
                EnrollOutcome::IdRegisteredWithDifferentBiometrics { comparison }
            });
        }
        let duplicates: Vec<Hit> = self
            .search_record(record, 10, None)
            .into_iter()
            .filter(|h| h.comparison.is_match(self.config.duplicate_fmr))
            .collect();
        if !duplicates.is_empty() && policy == DuplicatePolicy::Reject {
            return Err(EnrollOutcome::RejectedDuplicate { duplicates });
        }
        Ok(duplicates)
    }

    /// The writing half of an enrollment, after [`Gallery::decide_enroll`] on this same state.
    fn apply_enroll(
        &mut self,
        subject: Subject,
        record: Record,
        duplicates: Vec<Hit>,
    ) -> Result<EnrollOutcome> {
        let note = if duplicates.is_empty() {
            String::new()
        } else {
            let ids: Vec<&str> = duplicates.iter().map(|h| h.id.as_str()).collect();
            format!("suspected duplicate of {}", ids.join(", "))
        };
        let entry = Entry {
            subject,
            record,
            flagged: !duplicates.is_empty(),
            note,
            enrolled_at: now(),
        };
        self.persist_insert(&entry)?;
        self.insert_entry(entry)?;
        Ok(if duplicates.is_empty() {
            EnrollOutcome::Enrolled
        } else {
            EnrollOutcome::Flagged { duplicates }
        })
    }

    /// Loads subjects **without** the duplicate check: for migrating an existing registry,
    /// which [`Gallery::deduplicate`] then examines. All or nothing: every subject is
    /// validated and no id may be registered already or repeat, then they are stored in one
    /// transaction (with a store) and indexed, templates prepared in parallel.
    pub fn import(&mut self, subjects: Vec<Subject>) -> Result<usize> {
        let mut seen = std::collections::HashSet::new();
        let mut face_dim = self.face_dim;
        for s in &subjects {
            s.validate(face_dim)?;
            if let (None, Some(face)) = (face_dim, &s.face) {
                face_dim = Some(face.dim());
            }
            if self.by_id.contains_key(&s.id) || !seen.insert(s.id.as_str()) {
                return Err(Error::DuplicateId(s.id.clone()));
            }
        }
        if self.by_id.len() + subjects.len() > MAX_SUBJECTS {
            return Err(Error::InvalidArgument(format!(
                "a gallery holds at most {MAX_SUBJECTS} subjects: shard it"
            )));
        }
        let records = par_map(&subjects, Record::from_subject);
        let at = now();
        let entries: Vec<Entry> = subjects
            .into_iter()
            .zip(records)
            .map(|(subject, record)| Entry {
                subject,
                record,
                flagged: false,
                note: String::new(),
                enrolled_at: at,
            })
            .collect();
        #[cfg(feature = "store")]
        let new_dim = face_dim.filter(|_| self.face_dim.is_none());
        #[cfg(feature = "store")]
        if let Some(store) = self.store_mut() {
            if let Some(dim) = new_dim {
                store.set_setting(FACE_DIM_SETTING, &dim.to_string())?;
            }
            let rows: Vec<store::StoredSubject> = entries.iter().map(stored).collect();
            store.insert_many(&rows)?;
        }
        let n = entries.len();
        for entry in entries {
            self.insert_entry(entry)?;
        }
        Ok(n)
    }

    /// Replaces the record under `subject.id` (new captures, a corrected finger), without a
    /// duplicate check. [`Error::NotFound`] if the id is not registered.
    pub fn update(&mut self, subject: Subject) -> Result<()> {
        subject.validate(self.face_dim)?;
        let Some(&slot) = self.by_id.get(&subject.id) else {
            return Err(Error::NotFound(format!(
                "no subject with id {:?}",
                subject.id
            )));
        };
        let old = self.slots[slot as usize].as_ref().expect("indexed slot");
        let entry = Entry {
            record: Record::from_subject(&subject),
            subject,
            flagged: old.flagged,
            note: old.note.clone(),
            enrolled_at: old.enrolled_at,
        };
        #[cfg(feature = "store")]
        if let Some(store) = self.store_mut() {
            store.replace(&stored(&entry))?;
        }
        self.remove_slot(slot);
        self.insert_entry(entry)
    }

    /// Removes the subject under `id`. [`Error::NotFound`] if it is not registered.
    pub fn remove(&mut self, id: &str) -> Result<Subject> {
        let Some(&slot) = self.by_id.get(id) else {
            return Err(Error::NotFound(format!("no subject with id {id:?}")));
        };
        #[cfg(feature = "store")]
        if let Some(store) = self.store_mut() {
            store.remove(id)?;
        }
        Ok(self.remove_slot(slot).subject)
    }

    /// Clears the duplicate flag of `id` (after a reviewer decided the match was false).
    pub fn clear_flag(&mut self, id: &str) -> Result<()> {
        let Some(&slot) = self.by_id.get(id) else {
            return Err(Error::NotFound(format!("no subject with id {id:?}")));
        };
        #[cfg(feature = "store")]
        {
            let entry = self.slots[slot as usize].as_ref().expect("indexed slot");
            let mut row = stored(entry);
            row.flagged = false;
            row.note.clear();
            if let Some(store) = self.store_mut() {
                store.replace_audited(&row, store::Operation::ClearFlag, "cleared")?;
            }
        }
        let entry = self.slots[slot as usize].as_mut().expect("indexed slot");
        entry.flagged = false;
        entry.note.clear();
        Ok(())
    }

    fn persist_insert(&mut self, _entry: &Entry) -> Result<()> {
        #[cfg(feature = "store")]
        {
            let new_dim = match (&_entry.subject.face, self.face_dim) {
                (Some(face), None) => Some(face.dim()),
                _ => None,
            };
            if let Some(store) = self.store_mut() {
                if let Some(dim) = new_dim {
                    store.set_setting(FACE_DIM_SETTING, &dim.to_string())?;
                }
                let receipt = store.insert(&stored(_entry))?;
                self.last_receipt = Some(receipt);
            }
        }
        Ok(())
    }

    /// A refused enrollment: recorded in the store's audit trail, if any.
    fn refused(&mut self, _subject: &Subject, outcome: EnrollOutcome) -> Result<EnrollOutcome> {
        #[cfg(feature = "store")]
        self.record_refusal(_subject, &outcome)?;
        Ok(outcome)
    }

    /// Puts an entry in a free slot and in the search structures.
    fn insert_entry(&mut self, entry: Entry) -> Result<()> {
        if self.by_id.len() >= MAX_SUBJECTS {
            return Err(Error::InvalidArgument(format!(
                "a gallery holds at most {MAX_SUBJECTS} subjects: shard it"
            )));
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        for (&position, views) in &entry.record.fingers {
            let prefilter_config = &self.config.prefilter;
            let shard = self.shards.entry(position).or_insert_with(|| FingerShard {
                prefilter: FingerPrefilter::new(*prefilter_config),
                templates: 0,
            });
            for (i, view) in views.iter().enumerate() {
                shard.prefilter.insert(template_key(slot, i), view);
                shard.templates += 1;
            }
        }
        if let Some(face) = &entry.subject.face {
            let dim = face.dim();
            if self.faces.is_none() {
                self.faces = Some(FaceIndex::new(dim, Encoding::F32)?);
                self.face_dim = Some(dim);
            }
            self.faces
                .as_mut()
                .expect("created above")
                .add(slot as u64, face.as_slice())?;
        }
        self.by_id.insert(entry.subject.id.clone(), slot);
        self.slots[slot as usize] = Some(entry);
        Ok(())
    }

    fn remove_slot(&mut self, slot: u32) -> Entry {
        let entry = self.slots[slot as usize].take().expect("indexed slot");
        for (position, views) in &entry.record.fingers {
            if let Some(shard) = self.shards.get_mut(position) {
                for i in 0..views.len() {
                    shard.prefilter.remove(template_key(slot, i));
                    shard.templates -= 1;
                }
            }
        }
        if entry.subject.face.is_some() {
            if let Some(faces) = &mut self.faces {
                let _ = faces.remove(slot as u64);
            }
        }
        self.by_id.remove(&entry.subject.id);
        self.free.push(slot);
        entry
    }
}

#[cfg(feature = "store")]
const FACE_DIM_SETTING: &str = "face_dim";

#[cfg(feature = "store")]
fn stored(entry: &Entry) -> store::StoredSubject {
    store::StoredSubject {
        subject: entry.subject.clone(),
        flagged: entry.flagged,
        note: entry.note.clone(),
        enrolled_at: entry.enrolled_at,
    }
}

#[cfg(feature = "store")]
impl Gallery {
    /// Opens (or creates) the gallery database at `path` and rebuilds the search structures
    /// from it, keyless (see [`Gallery::open_with`]). Refuses, with [`Error::Database`], a
    /// file that is not a galton gallery, was written by a newer galton or is damaged so that
    /// one subject id is stored twice, and with
    /// [`Error::Key`] an encrypted one.
    pub fn open(path: impl AsRef<std::path::Path>, config: GalleryConfig) -> Result<Gallery> {
        Gallery::open_with(path, config, &store::StoreOptions::default())
    }

    /// [`Gallery::open`], waiting up to `busy_timeout` (instead of [`store::BUSY_TIMEOUT`])
    /// for another connection's lock before a write fails with [`Error::Busy`].
    pub fn open_with_busy_timeout(
        path: impl AsRef<std::path::Path>,
        config: GalleryConfig,
        busy_timeout: std::time::Duration,
    ) -> Result<Gallery> {
        let options = store::StoreOptions::default().with_busy_timeout(busy_timeout);
        Gallery::open_with(path, config, &options)
    }

    fn store_mut(&mut self) -> Option<&mut store::Store> {
        self.store
            .as_mut()
            .map(|m| m.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// The database file, for a gallery made by [`Gallery::open`].
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.store.as_ref().map(|s| {
            s.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .path()
                .to_path_buf()
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `items.map(f)`, in parallel with the `rayon` feature.
fn par_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync + Send) -> Vec<U> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        items.iter().map(f).collect()
    }
}

/// `items.map(f)` with a [`Matcher`] per thread, in parallel with the `rayon` feature.
fn par_map_matcher<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(&mut Matcher, &T) -> U + Sync + Send,
) -> Vec<U> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        items
            .par_iter()
            .with_min_len(8)
            .map_init(Matcher::new, |m, x| f(m, x))
            .collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        let mut m = Matcher::new();
        items.iter().map(|x| f(&mut m, x)).collect()
    }
}

#[cfg(test)]
mod tests;

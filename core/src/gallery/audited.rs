//! A gallery kept in a store: opening with a key and an operator, receipts of enrollments,
//! and the audit trail (see [`store`] for the file's side).
//!
//! ```
//! use galton::gallery::store::{ReceiptStatus, StoreKey, StoreOptions};
//! use galton::gallery::{DuplicatePolicy, Gallery, GalleryConfig, Subject};
//! use galton::face::FaceEmbedding;
//! # let dir = std::env::temp_dir().join(format!("galton-audited-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let key = StoreKey::generate();
//! let options = StoreOptions::default().with_key(key).with_operator("clerk-17");
//! let mut gallery = Gallery::open_with(dir.join("g.db"), GalleryConfig::default(), &options)?;
//! let ana = Subject::new("ANA").with_face(FaceEmbedding::new(vec![0.6, 0.8, 0.0])?);
//! let (outcome, receipt) = gallery.enroll_with_receipt(ana, DuplicatePolicy::Reject)?;
//! assert!(outcome.is_stored());
//! let receipt = receipt.expect("a stored gallery hands out receipts");
//! assert!(matches!(gallery.check_receipt(&receipt)?, ReceiptStatus::Valid { .. }));
//! assert!(gallery.audit_verify()?.is_intact());
//! assert_eq!(gallery.audit_history("ANA")?[0].operator.as_deref(), Some("clerk-17"));
//! # drop(gallery);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), galton::Error>(())
//! ```

use std::path::Path;

use super::record::Record;
use super::store::{self, AuditEntry, AuditReport, Operation, Receipt, ReceiptStatus};
use super::subject::Probe;
use super::{
    par_map, DuplicatePolicy, EnrollOutcome, Entry, Gallery, GalleryConfig, Subject, Verification,
    FACE_DIM_SETTING,
};
use crate::template::TemplateFormat;
use crate::{Error, Result};

impl Gallery {
    /// Opens (or creates) the gallery database at `path` with these options — a key, which
    /// keeps the templates and embeddings encrypted, and an operator id recorded in the audit
    /// trail — and rebuilds the search structures from it. The errors of
    /// [`store::Store::open_with`]: [`Error::Key`] for a missing or wrong key, and then the
    /// file is left as it was.
    pub fn open_with(
        path: impl AsRef<Path>,
        config: GalleryConfig,
        options: &store::StoreOptions,
    ) -> Result<Gallery> {
        config.validate()?;
        let store = store::Store::open_with(path.as_ref(), options)?;
        let mut gallery = Gallery::new(config);
        if let Some(dim) = store.setting(FACE_DIM_SETTING)? {
            gallery.face_dim = Some(dim.parse().map_err(|_| Error::Database {
                path: path.as_ref().to_path_buf(),
                reason: format!("setting {FACE_DIM_SETTING} is {dim:?}, not a number"),
            })?);
        }
        let records = store.load_all()?;
        let prepared: Vec<Record> = par_map(&records, |r| Record::from_subject(&r.subject));
        for (r, record) in records.into_iter().zip(prepared) {
            // The store's UNIQUE index makes this impossible in a sound file; a damaged index
            // lets a second row through, which would leave an entry that no id reaches.
            if gallery.by_id.contains_key(&r.subject.id) {
                return Err(Error::Database {
                    path: path.as_ref().to_path_buf(),
                    reason: format!(
                        "subject id {:?} is stored twice: the database is damaged",
                        r.subject.id
                    ),
                });
            }
            gallery.insert_entry(Entry {
                subject: r.subject,
                record,
                flagged: r.flagged,
                note: r.note,
                enrolled_at: r.enrolled_at,
            })?;
        }
        gallery.store = Some(std::sync::Mutex::new(store));
        Ok(gallery)
    }

    /// Whether the gallery's store keeps the templates and embeddings encrypted (`false` for a
    /// gallery in memory).
    pub fn is_encrypted(&self) -> bool {
        self.with_store(|s| s.is_encrypted()).unwrap_or(false)
    }

    /// [`Gallery::enroll`], with the receipt of the enrollment's audit row: for a stored
    /// subject and for a refused one alike (the row's outcome tells which). `None` for a
    /// gallery in memory, which keeps no audit trail.
    pub fn enroll_with_receipt(
        &mut self,
        subject: Subject,
        policy: DuplicatePolicy,
    ) -> Result<(EnrollOutcome, Option<Receipt>)> {
        self.last_receipt = None;
        let outcome = self.enroll(subject, policy)?;
        Ok((outcome, self.last_receipt.take()))
    }

    /// [`Gallery::enroll_many`], with each enrollment's receipt.
    pub fn enroll_many_with_receipts(
        &mut self,
        subjects: Vec<Subject>,
        policy: DuplicatePolicy,
    ) -> Vec<Result<(EnrollOutcome, Option<Receipt>)>> {
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
                self.last_receipt = None;
                let outcome = self.enroll_prepared(subject, record, policy)?;
                Ok((outcome, self.last_receipt.take()))
            })
            .collect()
    }

    /// Walks the store's audit trail (see [`store::Store::verify_audit`]).
    pub fn audit_verify(&self) -> Result<AuditReport> {
        self.with_store(|s| s.verify_audit())
            .unwrap_or_else(|| Err(no_trail()))
    }

    /// Every audit row of subject `id`, oldest first, also after its removal.
    pub fn audit_history(&self, id: &str) -> Result<Vec<AuditEntry>> {
        self.with_store(|s| s.audit_history(id))
            .unwrap_or_else(|| Err(no_trail()))
    }

    /// Checks a receipt against the store's audit trail.
    pub fn check_receipt(&self, receipt: &Receipt) -> Result<ReceiptStatus> {
        self.with_store(|s| s.check_receipt(receipt))
            .unwrap_or_else(|| Err(no_trail()))
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut store::Store) -> T) -> Option<T> {
        self.store.as_ref().map(|m| {
            let mut store = m.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut store)
        })
    }

    /// Records a refused enrollment, and keeps its receipt.
    pub(super) fn record_refusal(
        &mut self,
        subject: &Subject,
        outcome: &EnrollOutcome,
    ) -> Result<()> {
        let label = match outcome {
            EnrollOutcome::RejectedDuplicate { .. } => "rejected-duplicate",
            EnrollOutcome::IdRegisteredWithDifferentBiometrics { .. } => "id-conflict",
            EnrollOutcome::AlreadyEnrolled { .. } => "already-enrolled",
            EnrollOutcome::Enrolled | EnrollOutcome::Flagged { .. } => return Ok(()),
        };
        let hash = subject_hash(subject)?;
        if let Some(store) = self.store_mut() {
            let receipt = store.record(Operation::Enroll, &subject.id, label, Some(hash))?;
            self.last_receipt = Some(receipt);
        }
        Ok(())
    }

    /// Records a verification: its outcome, or that the id is not registered. Other errors
    /// (an unusable probe) decide nothing and are not recorded.
    pub(super) fn record_verification(
        &self,
        id: &str,
        probe: &Probe,
        result: &Result<Verification>,
    ) -> Result<()> {
        let outcome = match result {
            Ok(v) if v.is_match => "match",
            Ok(_) => "no-match",
            Err(Error::NotFound(_)) => "unknown-id",
            Err(_) => return Ok(()),
        };
        if self.store.is_none() {
            return Ok(());
        }
        let hash = probe_hash(probe)?;
        self.with_store(|s| s.record(Operation::Verify, id, outcome, Some(hash)))
            .transpose()
            .map(|_| ())
    }
}

fn no_trail() -> Error {
    Error::InvalidArgument(
        "this gallery is in memory: only a gallery opened from a database keeps an audit trail"
            .into(),
    )
}

/// [`store::biometric_hash`] of a subject's templates and face.
fn subject_hash(subject: &Subject) -> Result<[u8; 32]> {
    let mut records = Vec::new();
    for (position, impressions) in &subject.fingers {
        for (i, t) in impressions.iter().enumerate() {
            records.push((
                position.code(),
                i as u32,
                t.to_bytes(TemplateFormat::Galton)?,
            ));
        }
    }
    Ok(store::biometric_hash(
        records.iter().map(|(p, i, r)| (*p, *i, r.as_slice())),
        subject.face.as_ref().map(|f| f.as_slice()),
    ))
}

/// [`store::biometric_hash`] of a probe (one impression per finger).
fn probe_hash(probe: &Probe) -> Result<[u8; 32]> {
    let records = probe
        .fingers
        .iter()
        .map(|(p, t)| Ok((p.code(), t.to_bytes(TemplateFormat::Galton)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(store::biometric_hash(
        records.iter().map(|(p, r)| (*p, 0, r.as_slice())),
        probe.face.as_ref().map(|f| f.as_slice()),
    ))
}

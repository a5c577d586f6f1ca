//! The audit trail: what each gallery operation records, the hash chain, tampering detected
//! at the row, the append-only triggers, and receipts checked against the database.
#![cfg(feature = "store")]

use std::path::{Path, PathBuf};

use galton::gallery::store::{
    biometric_hash, AuditEntry, Receipt, ReceiptStatus, Store, StoreKey, StoreOptions,
};
use galton::gallery::{DuplicatePolicy, EnrollOutcome, Gallery, GalleryConfig, Probe, Subject};
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
            "galton-audit-{name}-{}-{nanos}",
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

/// Three impressions of synthetic finger `finger`.
fn impressions(finger: u64) -> Vec<Template> {
    finger_templates(21, finger, 3, &SynthConfig::default()).impressions
}

fn subject(id: &str, t: &Template) -> Subject {
    Subject::new(id).with_finger(FingerPosition::RightIndex, t.clone())
}

fn hash_of(t: &Template) -> String {
    let record = t.to_bytes(TemplateFormat::Galton).unwrap();
    let code = FingerPosition::RightIndex.code();
    let h = biometric_hash([(code, 0, record.as_slice())], None);
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn ops(rows: &[AuditEntry]) -> Vec<(&str, &str)> {
    rows.iter()
        .map(|r| (r.operation.as_str(), r.outcome.as_str()))
        .collect()
}

/// A gallery with a known history; returns the receipt of A's enrollment.
fn history_fixture(db: &Path) -> Receipt {
    let options = StoreOptions::default()
        .with_key(StoreKey::from_bytes([3; 32]))
        .with_operator("clerk-17");
    let mut g = Gallery::open_with(db, GalleryConfig::default(), &options).unwrap();
    let (a, other) = (impressions(1), impressions(2));
    let (outcome, receipt) = g
        .enroll_with_receipt(subject("A", &a[0]), DuplicatePolicy::Reject)
        .unwrap();
    assert_eq!(outcome, EnrollOutcome::Enrolled);
    let receipt = receipt.unwrap();
    // A's finger again under another id: refused, and recorded.
    let (outcome, refused) = g
        .enroll_with_receipt(subject("B", &a[1]), DuplicatePolicy::Reject)
        .unwrap();
    assert!(matches!(outcome, EnrollOutcome::RejectedDuplicate { .. }));
    assert_eq!(refused.unwrap().seq, 2);
    assert!(matches!(
        g.enroll(subject("A", &a[2]), DuplicatePolicy::Reject)
            .unwrap(),
        EnrollOutcome::AlreadyEnrolled { .. }
    ));
    let probe = |t: &Template| Probe::new().with_finger(FingerPosition::RightIndex, t.clone());
    assert!(g.verify("A", &probe(&a[1])).unwrap().is_match);
    assert!(!g.verify("A", &probe(&other[0])).unwrap().is_match);
    assert!(matches!(
        g.verify("Z", &probe(&a[1])),
        Err(Error::NotFound(_))
    ));
    g.update(subject("A", &a[2])).unwrap();
    g.remove("A").unwrap();
    receipt
}

#[test]
fn every_operation_is_recorded_and_the_chain_verifies() {
    let dir = TempDir::new("history");
    let receipt = history_fixture(&dir.db());
    let g = Gallery::open_with(
        dir.db(),
        GalleryConfig::default(),
        &StoreOptions::default().with_key(StoreKey::from_bytes([3; 32])),
    )
    .unwrap();
    let a = impressions(1);
    let rows = g.audit_history("A").unwrap();
    assert_eq!(
        ops(&rows),
        [
            ("enroll", "enrolled"),
            ("enroll", "already-enrolled"),
            ("verify", "match"),
            ("verify", "no-match"),
            ("update", "updated"),
            ("remove", "removed"),
        ]
    );
    assert_eq!(
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 3, 4, 5, 7, 8]
    );
    assert!(rows
        .iter()
        .all(|r| r.operator.as_deref() == Some("clerk-17")));
    // The data hashes are those of the plaintext biometrics concerned.
    assert_eq!(rows[0].data_hash.as_deref(), Some(hash_of(&a[0]).as_str()));
    assert_eq!(rows[1].data_hash.as_deref(), Some(hash_of(&a[2]).as_str()));
    assert_eq!(rows[2].data_hash.as_deref(), Some(hash_of(&a[1]).as_str()));
    assert_eq!(
        rows[4].data_hash, rows[5].data_hash,
        "removed what was updated"
    );
    assert_eq!(rows[4].data_hash.as_deref(), Some(hash_of(&a[2]).as_str()));
    assert_eq!(
        ops(&g.audit_history("B").unwrap()),
        [("enroll", "rejected-duplicate")]
    );
    assert_eq!(
        ops(&g.audit_history("Z").unwrap()),
        [("verify", "unknown-id")]
    );

    let report = g.audit_verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows, 8);
    match g.check_receipt(&receipt).unwrap() {
        ReceiptStatus::Valid { entry } => {
            assert_eq!((entry.seq, entry.subject_id.as_str()), (1, "A"));
        }
        other => panic!("{other:?}"),
    }
    // Its text form is what a person keeps.
    let text = receipt.to_string();
    assert!(text.starts_with("GR1-1-") && text.len() == 6 + 32, "{text}");
    assert_eq!(text.parse::<Receipt>().unwrap(), receipt);

    // A forged receipt: right number, other hash; or a number not in the trail.
    let mut forged = receipt;
    forged.hash[0] ^= 1;
    assert!(matches!(
        g.check_receipt(&forged).unwrap(),
        ReceiptStatus::Mismatch { .. }
    ));
    let beyond = Receipt { seq: 99, ..receipt };
    assert_eq!(g.check_receipt(&beyond).unwrap(), ReceiptStatus::NotInTrail);

    // An in-memory gallery keeps no trail and says so.
    assert!(matches!(
        Gallery::new(GalleryConfig::default()).audit_verify(),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn the_trail_refuses_update_and_delete() {
    let dir = TempDir::new("triggers");
    history_fixture(&dir.db());
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    for sql in [
        "UPDATE audit SET outcome = 'no-match' WHERE seq = 4",
        "DELETE FROM audit WHERE seq = 8",
        "DELETE FROM audit",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 8);
}

fn broken_at(db: &Path) -> (i64, String) {
    let store = Store::open_with(
        db,
        &StoreOptions::default().with_key(StoreKey::from_bytes([3; 32])),
    )
    .unwrap();
    let report = store.verify_audit().unwrap();
    let b = report.broken.expect("the chain should be broken");
    (b.seq, b.reason)
}

#[test]
fn a_tampered_row_is_detected_at_that_row() {
    let dir = TempDir::new("tamper");
    let receipt = history_fixture(&dir.db());
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();

    // Row 4 said the probe matched A; it now says the opposite.
    conn.execute("UPDATE audit SET outcome = 'no-match' WHERE seq = 4", [])
        .unwrap();
    let (seq, reason) = broken_at(&dir.db());
    assert_eq!(seq, 4);
    assert!(reason.contains("altered"), "{reason}");
    // Receipts of rows before it still check; the report counts the rows up to the break.
    let store = Store::open_with(
        &dir.db(),
        &StoreOptions::default().with_key(StoreKey::from_bytes([3; 32])),
    )
    .unwrap();
    assert!(matches!(
        store.check_receipt(&receipt).unwrap(),
        ReceiptStatus::Valid { .. }
    ));
    assert_eq!(store.verify_audit().unwrap().rows, 4);
    drop(store);
    conn.execute("UPDATE audit SET outcome = 'match' WHERE seq = 4", [])
        .unwrap();

    // Rewriting a row and its hash breaks the link to the next row.
    let row_hash: Vec<u8> = conn
        .query_row("SELECT row_hash FROM audit WHERE seq = 5", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "UPDATE audit SET operator = 'someone-else', row_hash = zeroblob(32) WHERE seq = 5",
        [],
    )
    .unwrap();
    let (seq, reason) = broken_at(&dir.db());
    assert_eq!(seq, 5, "{reason}");
    conn.execute(
        "UPDATE audit SET operator = 'clerk-17', row_hash = ?1 WHERE seq = 5",
        [&row_hash],
    )
    .unwrap();
    let (seq, reason) = {
        let store = Store::open(&dir.db());
        // Keyless opening is refused (encrypted file): the audit is read with the key.
        assert!(matches!(store, Err(Error::Key(_))));
        let store = Store::open_with(
            &dir.db(),
            &StoreOptions::default().with_key(StoreKey::from_bytes([3; 32])),
        )
        .unwrap();
        assert!(store.verify_audit().unwrap().is_intact(), "restored");
        drop(store);
        // A row deleted from the middle: the next one is where the chain breaks.
        conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
        broken_at(&dir.db())
    };
    assert_eq!(seq, 3);
    assert!(reason.contains("missing"), "{reason}");
    // A receipt of a row after the break: the row is there but the chain to it is not.
    let store = Store::open_with(
        &dir.db(),
        &StoreOptions::default().with_key(StoreKey::from_bytes([3; 32])),
    )
    .unwrap();
    let last = store.audit_history("A").unwrap().pop().unwrap();
    assert!(matches!(
        store.check_receipt(&last.receipt().unwrap()).unwrap(),
        ReceiptStatus::ChainBroken { .. }
    ));
}

#[test]
fn the_chain_goes_on_across_connections_and_imports() {
    let dir = TempDir::new("sessions");
    let (a, b) = (impressions(5), impressions(6));
    {
        let mut g = Gallery::open(dir.db(), GalleryConfig::default()).unwrap();
        g.import(vec![subject("A", &a[0]), subject("B", &b[0])])
            .unwrap();
    }
    let mut first = Store::open(&dir.db()).unwrap();
    let mut second = Store::open_with(
        &dir.db(),
        &StoreOptions::default().with_operator("station-2"),
    )
    .unwrap();
    first.remove("A").unwrap();
    let receipt = second
        .record(
            galton::gallery::store::Operation::Verify,
            "B",
            "match",
            None,
        )
        .unwrap();
    assert_eq!(receipt.seq, 4);
    let report = first.verify_audit().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows, 4);
    let rows = first.audit_history("B").unwrap();
    assert_eq!(ops(&rows), [("import", "imported"), ("verify", "match")]);
    assert_eq!(rows[0].operator, None);
    assert_eq!(rows[1].operator.as_deref(), Some("station-2"));
    assert!(matches!(
        Store::open_with(&dir.db(), &StoreOptions::default().with_operator("")),
        Err(Error::InvalidArgument(_))
    ));
}

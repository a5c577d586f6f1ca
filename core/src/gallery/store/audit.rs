//! The audit trail: an append-only, hash-chained table of every enrollment, update, removal
//! and verification, and the receipts handed out for enrollments.
//!
//! Each row holds its sequence number, time, operation, subject id, operator id, outcome and
//! the SHA-256 of the biometric data concerned ([`biometric_hash`], of the plaintext, before
//! any encryption), plus the hash of the row before it and its own hash:
//!
//! `row_hash = SHA-256("galton-audit/1" ‖ prev_hash ‖ seq ‖ time ‖ operation ‖ subject ‖
//! operator ‖ outcome ‖ data_hash)`, integers as 8 bytes big-endian, text as a 4-byte length
//! and its UTF-8 bytes, optional fields behind a presence byte. The first row's `prev_hash`
//! is 32 zero bytes.
//!
//! SQLite triggers refuse `UPDATE` and `DELETE` on the table; a row altered by other means
//! (dropping the triggers, editing the file) no longer hashes to its `row_hash`, or breaks the
//! link to the next row, and [`Store::verify_audit`](super::Store::verify_audit) names it. Rows
//! cut from the end leave a shorter chain that still verifies: a [`Receipt`] kept outside the
//! database is what proves them.

use std::fmt;
use std::str::FromStr;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use rusqlite::TransactionBehavior;

use super::crypto::{decode_hex, hex};
use super::{now, sql, Store};
use crate::{Error, Result};

/// The migration creating the audit table and its append-only triggers.
pub(super) const MIGRATION: &str = "
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        operation TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        operator TEXT,
        outcome TEXT NOT NULL,
        data_hash BLOB,
        prev_hash BLOB NOT NULL,
        row_hash BLOB NOT NULL
    );
    CREATE INDEX audit_by_subject ON audit (subject_id, seq);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;";

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// An enrollment, stored or refused (the outcome says which).
    Enroll,
    /// A subject loaded by an import, without the duplicate check.
    Import,
    /// A subject's record replaced.
    Update,
    /// A subject removed.
    Remove,
    /// A 1:1 verification against a subject.
    Verify,
    /// A subject's duplicate flag cleared by a reviewer.
    ClearFlag,
}

impl Operation {
    /// The name stored in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Enroll => "enroll",
            Operation::Import => "import",
            Operation::Update => "update",
            Operation::Remove => "remove",
            Operation::Verify => "verify",
            Operation::ClearFlag => "clear-flag",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the trail, from 1.
    pub seq: i64,
    /// When, in seconds since the Unix epoch.
    pub time: i64,
    /// The operation, as [`Operation::as_str`] names it.
    pub operation: String,
    /// The subject concerned.
    pub subject_id: String,
    /// Who operated, if the store was opened with an operator id.
    pub operator: Option<String>,
    /// What came of it: `enrolled`, `flagged`, `rejected-duplicate`, `id-conflict`,
    /// `already-enrolled`, `imported`, `updated`, `removed`, `match`, `no-match`,
    /// `unknown-id`, `cleared`.
    pub outcome: String,
    /// SHA-256 of the biometric data concerned (hex), if any ([`biometric_hash`]).
    pub data_hash: Option<String>,
    /// The previous row's hash (hex).
    pub prev_hash: String,
    /// This row's hash (hex), chained to the previous one.
    pub row_hash: String,
}

impl AuditEntry {
    /// The receipt of this row.
    pub fn receipt(&self) -> Option<Receipt> {
        let bytes = decode_hex(&self.row_hash)?;
        Some(Receipt {
            seq: self.seq,
            hash: bytes.get(..RECEIPT_HASH_BYTES)?.try_into().ok()?,
        })
    }
}

/// Bytes of the row hash a receipt carries (128 bits).
const RECEIPT_HASH_BYTES: usize = 16;

/// Proof that a row was written to the audit trail: its sequence number and the first 128
/// bits of its chained hash. Printed as `GR1-<seq>-<32 hex digits>`; parsed back by
/// [`FromStr`].
///
/// ```
/// use galton::gallery::store::Receipt;
/// let r: Receipt = "GR1-42-00112233445566778899aabbccddeeff".parse()?;
/// assert_eq!(r.seq, 42);
/// assert_eq!(r.to_string(), "GR1-42-00112233445566778899aabbccddeeff");
/// assert!("GR1-42-0011".parse::<Receipt>().is_err());
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Receipt {
    /// The row's sequence number.
    pub seq: i64,
    /// The first 16 bytes of the row's hash.
    pub hash: [u8; RECEIPT_HASH_BYTES],
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GR1-{}-{}", self.seq, hex(&self.hash))
    }
}

impl FromStr for Receipt {
    type Err = Error;

    fn from_str(text: &str) -> Result<Receipt> {
        let bad = || {
            Error::InvalidArgument(format!(
                "{text:?} is not a receipt (GR1-<number>-<32 hex digits>)"
            ))
        };
        let rest = text.trim().strip_prefix("GR1-").ok_or_else(bad)?;
        let (seq, digest) = rest.split_once('-').ok_or_else(bad)?;
        let seq: i64 = seq.parse().ok().filter(|&s| s > 0).ok_or_else(bad)?;
        let hash = decode_hex(digest)
            .and_then(|b| <[u8; RECEIPT_HASH_BYTES]>::try_from(b).ok())
            .ok_or_else(bad)?;
        Ok(Receipt { seq, hash })
    }
}

impl Serialize for Receipt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The first row where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// The row's sequence number.
    pub seq: i64,
    /// What is wrong with it, in words.
    pub reason: String,
}

/// What [`Store::verify_audit`](super::Store::verify_audit) found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Rows checked (up to and including a broken one).
    pub rows: u64,
    /// The last intact row's hash (hex), the head of the chain.
    pub head: Option<String>,
    /// The first broken row, if any.
    pub broken: Option<AuditBreak>,
}

impl AuditReport {
    /// Whether every row hashes to its `row_hash` and links to the one before.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// What [`Store::check_receipt`](super::Store::check_receipt) found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ReceiptStatus {
    /// The row is there, hashes as the receipt says, and the chain up to it is intact.
    Valid {
        /// The row.
        entry: AuditEntry,
    },
    /// No row has the receipt's sequence number (forged, from another database, or rows cut
    /// from the trail).
    NotInTrail,
    /// The row's hash is not the receipt's (a forged receipt, or a rewritten row).
    Mismatch {
        /// The row stored under the receipt's number.
        entry: AuditEntry,
    },
    /// The row matches, but the chain up to it is broken.
    ChainBroken {
        /// Where.
        at: AuditBreak,
    },
}

/// The SHA-256 of biometric data in canonical form: each template as (finger position code,
/// impression index, its galton binary record), then the face embedding's `f32` values,
/// little-endian. The same subject always hashes the same, encrypted or not.
pub fn biometric_hash<'a>(
    fingers: impl IntoIterator<Item = (u8, u32, &'a [u8])>,
    face: Option<&[f32]>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"galton-biometrics/1");
    for (position, impression, record) in fingers {
        h.update([b'F', position]);
        h.update(impression.to_be_bytes());
        h.update((record.len() as u64).to_be_bytes());
        h.update(record);
    }
    if let Some(values) = face {
        h.update([b'E']);
        h.update((values.len() as u64).to_be_bytes());
        for v in values {
            h.update(v.to_le_bytes());
        }
    }
    h.finalize().into()
}

/// A row about to be appended.
pub(super) struct NewRow<'a> {
    pub operation: Operation,
    pub subject_id: &'a str,
    pub outcome: &'a str,
    pub data_hash: Option<[u8; 32]>,
}

/// The chained hash of a row's fields.
#[allow(clippy::too_many_arguments)]
fn row_hash(
    prev: &[u8],
    seq: i64,
    time: i64,
    operation: &str,
    subject: &str,
    operator: Option<&str>,
    outcome: &str,
    data_hash: Option<&[u8]>,
) -> [u8; 32] {
    let text = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u32).to_be_bytes());
        h.update(s.as_bytes());
    };
    let mut h = Sha256::new();
    h.update(b"galton-audit/1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(time.to_be_bytes());
    text(&mut h, operation);
    text(&mut h, subject);
    match operator {
        Some(op) => {
            h.update([1]);
            text(&mut h, op);
        }
        None => h.update([0]),
    }
    text(&mut h, outcome);
    match data_hash {
        Some(d) => {
            h.update([1]);
            h.update((d.len() as u32).to_be_bytes());
            h.update(d);
        }
        None => h.update([0]),
    }
    h.finalize().into()
}

/// Appends a row, inside the caller's write transaction (so it commits with the change it
/// records, or not at all).
pub(super) fn append(
    conn: &Connection,
    operator: Option<&str>,
    time: i64,
    row: &NewRow,
) -> rusqlite::Result<Receipt> {
    let last: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, row_hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, vec![0; 32]),
    };
    let op = row.operation.as_str();
    let hash = row_hash(
        &prev,
        seq,
        time,
        op,
        row.subject_id,
        operator,
        row.outcome,
        row.data_hash.as_ref().map(|d| &d[..]),
    );
    conn.prepare_cached(
        "INSERT INTO audit (seq, time, operation, subject_id, operator, outcome, data_hash,
             prev_hash, row_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        time,
        op,
        row.subject_id,
        operator,
        row.outcome,
        row.data_hash.as_ref().map(|d| &d[..]),
        prev,
        &hash[..]
    ])?;
    Ok(Receipt {
        seq,
        hash: hash[..RECEIPT_HASH_BYTES]
            .try_into()
            .expect("16 of 32 bytes"),
    })
}

impl Store {
    /// Appends a row to the audit trail on its own (a verification, a refused enrollment),
    /// with the store's operator id, and returns its receipt.
    pub fn record(
        &mut self,
        operation: Operation,
        subject_id: &str,
        outcome: &str,
        data_hash: Option<[u8; 32]>,
    ) -> Result<Receipt> {
        let recorded = self.record_now(operation, subject_id, outcome, data_hash);
        self.timed(recorded)
    }

    fn record_now(
        &mut self,
        operation: Operation,
        subject_id: &str,
        outcome: &str,
        data_hash: Option<[u8; 32]>,
    ) -> Result<Receipt> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a write"))?;
        let row = NewRow {
            operation,
            subject_id,
            outcome,
            data_hash,
        };
        let receipt = append(&tx, self.operator.as_deref(), now(), &row)
            .map_err(sql(path, "writing the audit trail"))?;
        tx.commit().map_err(sql(path, "committing"))?;
        Ok(receipt)
    }

    /// Walks the whole audit trail, checking that each row hashes to its row hash and links
    /// to the row before; the report names the first broken row.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let path = &self.path;
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql(path, "reading the audit trail"))?;
        verify(&tx, None).map_err(sql(path, "reading the audit trail"))
    }

    /// Every audit row of subject `id`, oldest first (also after its removal).
    pub fn audit_history(&self, id: &str) -> Result<Vec<AuditEntry>> {
        history(&self.conn, id).map_err(sql(&self.path, "reading the audit trail"))
    }

    /// Checks a receipt against the audit trail: its row is there with this hash, and the
    /// chain up to it is intact.
    pub fn check_receipt(&self, receipt: &Receipt) -> Result<ReceiptStatus> {
        let path = &self.path;
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql(path, "reading the audit trail"))?;
        check_receipt(&tx, receipt).map_err(sql(path, "reading the audit trail"))
    }
}

/// A stored row, as read, with its hashes still as bytes.
struct RawRow {
    seq: i64,
    time: i64,
    operation: String,
    subject_id: String,
    operator: Option<String>,
    outcome: String,
    data_hash: Option<Vec<u8>>,
    prev_hash: Vec<u8>,
    row_hash: Vec<u8>,
}

const COLUMNS: &str =
    "seq, time, operation, subject_id, operator, outcome, data_hash, prev_hash, row_hash";

fn raw_row(r: &rusqlite::Row) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        seq: r.get(0)?,
        time: r.get(1)?,
        operation: r.get(2)?,
        subject_id: r.get(3)?,
        operator: r.get(4)?,
        outcome: r.get(5)?,
        data_hash: r.get(6)?,
        prev_hash: r.get(7)?,
        row_hash: r.get(8)?,
    })
}

impl RawRow {
    fn entry(self) -> AuditEntry {
        AuditEntry {
            seq: self.seq,
            time: self.time,
            operation: self.operation,
            subject_id: self.subject_id,
            operator: self.operator,
            outcome: self.outcome,
            data_hash: self.data_hash.as_deref().map(hex),
            prev_hash: hex(&self.prev_hash),
            row_hash: hex(&self.row_hash),
        }
    }

    fn recomputed(&self) -> [u8; 32] {
        row_hash(
            &self.prev_hash,
            self.seq,
            self.time,
            &self.operation,
            &self.subject_id,
            self.operator.as_deref(),
            &self.outcome,
            self.data_hash.as_deref(),
        )
    }
}

/// Walks the chain from the first row up to `until` (all rows if `None`), in one read
/// transaction.
pub(super) fn verify(conn: &Connection, until: Option<i64>) -> rusqlite::Result<AuditReport> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM audit WHERE seq <= ?1 ORDER BY seq"
    ))?;
    let mut rows = st.query([until.unwrap_or(i64::MAX)])?;
    let mut prev = vec![0u8; 32];
    let mut expected_seq = 1;
    let mut report = AuditReport {
        rows: 0,
        head: None,
        broken: None,
    };
    while let Some(r) = rows.next()? {
        report.rows += 1;
        let row = match raw_row(r) {
            Ok(row) => row,
            // A column of the wrong type: a row altered outside galton.
            Err(
                e @ (rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)),
            ) => {
                let seq = r.get::<_, i64>(0).unwrap_or(expected_seq);
                report.broken = Some(AuditBreak {
                    seq,
                    reason: format!("a column holds a value of the wrong type ({e})"),
                });
                return Ok(report);
            }
            Err(e) => return Err(e),
        };
        let reason = if row.seq != expected_seq {
            Some(format!(
                "expected row {expected_seq} here: rows are missing before it"
            ))
        } else if row.prev_hash != prev {
            Some("its previous hash is not the hash of the row before it".to_string())
        } else if row.recomputed()[..] != row.row_hash[..] {
            Some("its fields do not hash to its row hash: the row was altered".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            report.broken = Some(AuditBreak {
                seq: row.seq,
                reason,
            });
            return Ok(report);
        }
        expected_seq += 1;
        report.head = Some(hex(&row.row_hash));
        prev = row.row_hash;
    }
    Ok(report)
}

/// Every row of subject `id`, oldest first.
pub(super) fn history(conn: &Connection, id: &str) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit WHERE subject_id = ?1 ORDER BY seq"
    ))?;
    let rows = st.query_map([id], |r| raw_row(r).map(RawRow::entry))?;
    rows.collect()
}

/// The row `seq`, if any.
pub(super) fn row(conn: &Connection, seq: i64) -> rusqlite::Result<Option<AuditEntry>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM audit WHERE seq = ?1"))?
        .query_row([seq], |r| raw_row(r).map(RawRow::entry))
        .optional()
}

/// Checks a receipt against the trail.
pub(super) fn check_receipt(
    conn: &Connection,
    receipt: &Receipt,
) -> rusqlite::Result<ReceiptStatus> {
    let Some(entry) = row(conn, receipt.seq)? else {
        return Ok(ReceiptStatus::NotInTrail);
    };
    if entry.receipt().as_ref() != Some(receipt) {
        return Ok(ReceiptStatus::Mismatch { entry });
    }
    let report = verify(conn, Some(receipt.seq))?;
    Ok(match report.broken {
        Some(at) => ReceiptStatus::ChainBroken { at },
        None => ReceiptStatus::Valid { entry },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_enters_the_row_hash() {
        let base = row_hash(&[0; 32], 1, 10, "enroll", "A", Some("op"), "enrolled", None);
        let variants = [
            row_hash(&[1; 32], 1, 10, "enroll", "A", Some("op"), "enrolled", None),
            row_hash(&[0; 32], 2, 10, "enroll", "A", Some("op"), "enrolled", None),
            row_hash(&[0; 32], 1, 11, "enroll", "A", Some("op"), "enrolled", None),
            row_hash(&[0; 32], 1, 10, "update", "A", Some("op"), "enrolled", None),
            row_hash(&[0; 32], 1, 10, "enroll", "B", Some("op"), "enrolled", None),
            row_hash(&[0; 32], 1, 10, "enroll", "A", None, "enrolled", None),
            row_hash(&[0; 32], 1, 10, "enroll", "A", Some("op"), "flagged", None),
            row_hash(
                &[0; 32],
                1,
                10,
                "enroll",
                "A",
                Some("op"),
                "enrolled",
                Some(&[0; 32]),
            ),
            // Field boundaries are unambiguous: "A" + "op" is not "Ao" + "p".
            row_hash(&[0; 32], 1, 10, "enroll", "Ao", Some("p"), "enrolled", None),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }

    #[test]
    fn biometric_hash_depends_on_every_part() {
        let a = biometric_hash([(2, 0, &b"rec"[..])], Some(&[0.6, 0.8]));
        assert_eq!(a, biometric_hash([(2, 0, &b"rec"[..])], Some(&[0.6, 0.8])));
        assert_ne!(a, biometric_hash([(3, 0, &b"rec"[..])], Some(&[0.6, 0.8])));
        assert_ne!(a, biometric_hash([(2, 1, &b"rec"[..])], Some(&[0.6, 0.8])));
        assert_ne!(a, biometric_hash([(2, 0, &b"reC"[..])], Some(&[0.6, 0.8])));
        assert_ne!(a, biometric_hash([(2, 0, &b"rec"[..])], Some(&[0.8, 0.6])));
        assert_ne!(a, biometric_hash([(2, 0, &b"rec"[..])], None));
    }
}

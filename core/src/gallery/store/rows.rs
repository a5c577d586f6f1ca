//! Subjects to column values and back: the encoding of the subjects and fingers rows.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection};

use super::{database, sql, StoredSubject};
use crate::face::FaceEmbedding;
use crate::gallery::Subject;
use crate::template::{FingerPosition, Template, TemplateFormat};
use crate::{Error, Result};

/// A subject turned into column values, before any transaction starts.
pub(super) struct Encoded<'a> {
    pub(super) record: &'a StoredSubject,
    pub(super) metadata: String,
    pub(super) face: Option<Vec<u8>>,
    /// (position code, impression index, galton record)
    pub(super) fingers: Vec<(u8, u32, Vec<u8>)>,
}

/// Checks a record and turns it into column values.
pub(super) fn encode(record: &StoredSubject) -> Result<Encoded<'_>> {
    let subject = &record.subject;
    subject.validate(None)?;
    let metadata = serde_json::to_string(&subject.metadata)
        .map_err(|e| Error::InvalidArgument(format!("subject {:?}: metadata: {e}", subject.id)))?;
    let face = subject
        .face
        .as_ref()
        .map(|f| f.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect());
    let mut fingers = Vec::new();
    for (position, impressions) in &subject.fingers {
        for (i, template) in impressions.iter().enumerate() {
            fingers.push((
                position.code(),
                i as u32,
                template.to_bytes(TemplateFormat::Galton)?,
            ));
        }
    }
    Ok(Encoded {
        record,
        metadata,
        face,
        fingers,
    })
}

pub(super) fn insert_fingers(conn: &Connection, path: &Path, seq: i64, e: &Encoded) -> Result<()> {
    let mut st = conn
        .prepare_cached(
            "INSERT INTO fingers (subject_seq, position, impression, template)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(sql(path, "preparing"))?;
    for (position, impression, template) in &e.fingers {
        st.execute(params![seq, position, impression, template])
            .map_err(sql(
                path,
                &format!("storing the templates of {:?}", e.record.subject.id),
            ))?;
    }
    Ok(())
}

/// A `subjects` row (seq, id, metadata, flagged, note, enrolled_at, face), without fingers.
pub(super) fn subject_row(path: &Path, row: &rusqlite::Row) -> Result<(i64, StoredSubject)> {
    let doing = "reading a subject";
    let seq: i64 = row.get(0).map_err(sql(path, doing))?;
    let id: String = row.get(1).map_err(sql(path, doing))?;
    let bad = |what: String| database(path, format!("subject {id:?}: {what}"));
    let unreadable = |e: rusqlite::Error| bad(format!("unreadable column: {e}"));
    let text = |i: usize| row.get::<_, String>(i).map_err(unreadable);
    let integer = |i: usize| row.get::<_, i64>(i).map_err(unreadable);
    let (metadata, flagged, note, enrolled_at) = (text(2)?, integer(3)?, text(4)?, integer(5)?);
    let metadata: BTreeMap<String, String> = serde_json::from_str(&metadata)
        .map_err(|e| bad(format!("metadata is not a JSON object of strings: {e}")))?;
    let face = match row.get_ref(6).map_err(sql(path, doing))? {
        ValueRef::Null => None,
        ValueRef::Blob(bytes) => Some(decode_face(bytes).map_err(bad)?),
        other => {
            return Err(bad(format!(
                "face is stored as {}, not as a blob",
                other.data_type()
            )))
        }
    };
    let subject = Subject {
        id: id.clone(),
        fingers: BTreeMap::new(),
        face,
        metadata,
    };
    Ok((
        seq,
        StoredSubject {
            subject,
            flagged: flagged != 0,
            note,
            enrolled_at,
        },
    ))
}

pub(super) fn decode_face(bytes: &[u8]) -> std::result::Result<FaceEmbedding, String> {
    if !bytes.len().is_multiple_of(4) {
        return Err(format!(
            "face blob of {} bytes is not a whole number of 32-bit values",
            bytes.len()
        ));
    }
    let values = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    FaceEmbedding::from_unit(values).map_err(|e| format!("face embedding: {e}"))
}

/// A `fingers` row (subject_seq, position, impression, template) of subject `id`.
pub(super) fn finger_row(
    path: &Path,
    row: &rusqlite::Row,
    id: &str,
) -> Result<(FingerPosition, Template)> {
    let bad = |what: String| database(path, format!("subject {id:?}: {what}"));
    let integer = |i: usize| {
        row.get::<_, i64>(i)
            .map_err(|e| bad(format!("unreadable template row: {e}")))
    };
    let (code, impression) = (integer(1)?, integer(2)?);
    let position = u8::try_from(code)
        .ok()
        .and_then(|c| FingerPosition::from_code(c).ok())
        .ok_or_else(|| bad(format!("unknown finger position code {code}")))?;
    let bytes = match row.get_ref(3) {
        Ok(ValueRef::Blob(bytes)) => bytes,
        Ok(other) => {
            return Err(bad(format!(
                "template of {position} impression {impression} is stored as {}, not a blob",
                other.data_type()
            )))
        }
        Err(e) => return Err(bad(format!("unreadable template: {e}"))),
    };
    let template = Template::from_bytes(bytes).map_err(|e| {
        bad(format!(
            "template of {position} impression {impression} cannot be decoded: {e}"
        ))
    })?;
    Ok((position, template))
}

//! Subjects to column values and back: the encoding of the subjects and fingers rows.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection};

use super::audit::biometric_hash;
use super::crypto::{face_aad, template_aad, Cipher};
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
    /// (position code, impression index, galton record), sealed if encrypted
    pub(super) fingers: Vec<(u8, u32, Vec<u8>)>,
    /// SHA-256 of the plaintext biometrics, for the audit trail.
    pub(super) data_hash: [u8; 32],
}

/// Checks a record and turns it into column values, the biometric ones sealed with `cipher`
/// if the store is encrypted.
pub(super) fn encode<'a>(
    record: &'a StoredSubject,
    cipher: Option<&Cipher>,
) -> Result<Encoded<'a>> {
    let subject = &record.subject;
    subject.validate(None)?;
    let metadata = serde_json::to_string(&subject.metadata)
        .map_err(|e| Error::InvalidArgument(format!("subject {:?}: metadata: {e}", subject.id)))?;
    let face: Option<Vec<u8>> = subject
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
    let data_hash = biometric_hash(
        fingers
            .iter()
            .map(|(p, i, bytes)| (*p, *i, bytes.as_slice())),
        subject.face.as_ref().map(|f| f.as_slice()),
    );
    let (face, fingers) = match cipher {
        None => (face, fingers),
        Some(c) => {
            let id = &subject.id;
            let face = face.map(|plain| c.seal(&face_aad(id), &plain));
            let fingers = fingers
                .into_iter()
                .map(|(p, i, plain)| (p, i, c.seal(&template_aad(id, p, i), &plain)))
                .collect();
            (face, fingers)
        }
    };
    Ok(Encoded {
        record,
        metadata,
        face,
        fingers,
        data_hash,
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
pub(super) fn subject_row(
    path: &Path,
    row: &rusqlite::Row,
    cipher: Option<&Cipher>,
) -> Result<(i64, StoredSubject)> {
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
        ValueRef::Blob(bytes) => match cipher {
            None => Some(decode_face(bytes).map_err(bad)?),
            Some(c) => {
                let plain = c.open(&face_aad(&id), bytes).ok_or_else(|| {
                    bad(
                        "the encrypted face embedding does not open under this key: it was \
                         altered or moved from another row"
                            .into(),
                    )
                })?;
                Some(decode_face(&plain).map_err(bad)?)
            }
        },
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
    cipher: Option<&Cipher>,
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
    let opened;
    let bytes = match cipher {
        None => bytes,
        Some(c) => {
            let aad = template_aad(id, position.code(), impression as u32);
            opened = c.open(&aad, bytes).ok_or_else(|| {
                bad(format!(
                    "the encrypted template of {position} impression {impression} does not \
                     open under this key: it was altered or moved from another row"
                ))
            })?;
            &opened[..]
        }
    };
    // The store reads back what it wrote: a template enrolled through the API may hold more
    // minutiae than a decoded file may (TemplateLimits), and must not become unreadable.
    let limits = crate::limits::TemplateLimits::UNLIMITED;
    let template = Template::from_bytes_with_limits(bytes, &limits).map_err(|e| {
        bad(format!(
            "template of {position} impression {impression} cannot be decoded: {e}"
        ))
    })?;
    Ok((position, template))
}

/// The subject `id` with its fingers, if stored, read within the caller's transaction.
pub(super) fn read_subject(
    conn: &Connection,
    path: &Path,
    cipher: Option<&Cipher>,
    id: &str,
) -> Result<Option<StoredSubject>> {
    let doing = format!("reading subject {id:?}");
    let mut st = conn
        .prepare_cached(
            "SELECT seq, id, metadata, flagged, note, enrolled_at, face
             FROM subjects WHERE id = ?1",
        )
        .map_err(sql(path, &doing))?;
    let mut rows = st.query([id]).map_err(sql(path, &doing))?;
    let Some(row) = rows.next().map_err(sql(path, &doing))? else {
        return Ok(None);
    };
    let (seq, mut record) = subject_row(path, row, cipher)?;
    drop(rows);
    let mut st = conn
        .prepare_cached(
            "SELECT subject_seq, position, impression, template FROM fingers
             WHERE subject_seq = ?1 ORDER BY position, impression",
        )
        .map_err(sql(path, &doing))?;
    let mut rows = st.query([seq]).map_err(sql(path, &doing))?;
    while let Some(row) = rows.next().map_err(sql(path, &doing))? {
        let (position, template) = finger_row(path, row, &record.subject.id, cipher)?;
        record
            .subject
            .fingers
            .entry(position)
            .or_default()
            .push(template);
    }
    Ok(Some(record))
}

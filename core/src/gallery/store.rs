//! The persistent store of an enrollment gallery: one SQLite file holding the subjects, their
//! templates and face embeddings, and a few gallery settings.
//!
//! Every write is one transaction, committed before the call returns: the file is in
//! write-ahead-log mode with `synchronous = FULL`, so a subject whose insert returned survives
//! the process being killed and the machine losing power (as far as the disk honours flushes).
//!
//! A file is recognised by its SQLite `application_id` ([`APPLICATION_ID`], "GLTN") and its
//! schema version by `user_version` ([`SCHEMA_VERSION`]); an older schema is brought up to date
//! on [`Store::open`], a newer one, another application's database or a file that is not SQLite
//! is refused without being touched.
//!
//! ```
//! use galton::gallery::store::{Store, StoredSubject};
//! use galton::gallery::Subject;
//! use galton::face::FaceEmbedding;
//! # let dir = std::env::temp_dir().join(format!("galton-store-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let mut store = Store::open(&dir.join("gallery.db"))?;
//! let subject = Subject::new("SSN-1234").with_face(FaceEmbedding::new(vec![3.0, 4.0])?);
//! store.insert(&StoredSubject::new(subject.clone()))?;
//! assert_eq!(store.get("SSN-1234")?.unwrap().subject, subject);
//! assert_eq!(store.len()?, 1);
//! # drop(store);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), galton::Error>(())
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::face::FaceEmbedding;
use crate::gallery::Subject;
use crate::template::{FingerPosition, Template, TemplateFormat};
use crate::{Error, Result};

/// The SQLite `application_id` of a galton gallery file: `0x474C544E`, "GLTN" in ASCII.
pub const APPLICATION_ID: i32 = 0x474C_544E;

/// The schema version this build writes and reads up to (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a call waits for another connection's write lock before giving up with
/// [`Error::Busy`], unless the store is opened with [`Store::open_with_busy_timeout`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, as the SQL that takes a file from version `i` to `i + 1`. A new version is one
/// more entry; entries already released never change.
const MIGRATIONS: &[&str] = &[
    // 0 → 1. `seq` orders subjects by insertion (a replaced subject keeps its place).
    // Templates are galton binary records, faces f32 little-endian, metadata a JSON object.
    "CREATE TABLE subjects (
         seq INTEGER PRIMARY KEY,
         id TEXT NOT NULL UNIQUE,
         metadata TEXT NOT NULL,
         flagged INTEGER NOT NULL CHECK (flagged IN (0, 1)),
         note TEXT NOT NULL,
         enrolled_at INTEGER NOT NULL,
         face BLOB
     );
     CREATE TABLE fingers (
         subject_seq INTEGER NOT NULL REFERENCES subjects (seq) ON DELETE CASCADE,
         position INTEGER NOT NULL,
         impression INTEGER NOT NULL,
         template BLOB NOT NULL,
         PRIMARY KEY (subject_seq, position, impression)
     );
     CREATE TABLE settings (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );",
];

/// A subject as the store keeps it, with what enrollment decided about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSubject {
    /// The subject.
    pub subject: Subject,
    /// Enrolled although suspected to duplicate another subject.
    pub flagged: bool,
    /// Why it was flagged (free text, may be empty).
    pub note: String,
    /// When it was enrolled, in seconds since the Unix epoch.
    pub enrolled_at: i64,
}

impl StoredSubject {
    /// `subject`, not flagged, enrolled now.
    pub fn new(subject: Subject) -> StoredSubject {
        let enrolled_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        StoredSubject {
            subject,
            flagged: false,
            note: String::new(),
            enrolled_at,
        }
    }
}

/// An open gallery file (see the [module docs](self)). One connection: `Send`, not `Sync`;
/// several processes or stores may open the same file. Readers never wait; a write waits for
/// another connection's write to end up to the busy timeout ([`BUSY_TIMEOUT`] by default),
/// then fails with [`Error::Busy`] and changes nothing.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    busy_timeout: Duration,
}

/// A subject turned into column values, before any transaction starts.
struct Encoded<'a> {
    record: &'a StoredSubject,
    metadata: String,
    face: Option<Vec<u8>>,
    /// (position code, impression index, galton record)
    fingers: Vec<(u8, u32, Vec<u8>)>,
}

impl Store {
    /// Opens the gallery file at `path`, creating it if absent and bringing an older schema up
    /// to date. Refuses, with [`Error::Database`] and without modifying it, a file that is not
    /// SQLite, another application's database, or one written by a newer galton.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_busy_timeout(path, BUSY_TIMEOUT)
    }

    /// [`Store::open`], waiting up to `busy_timeout` for another connection's lock (at open
    /// and at every later call) before failing with [`Error::Busy`]; zero fails at once.
    pub fn open_with_busy_timeout(path: &Path, busy_timeout: Duration) -> Result<Store> {
        let opened = Store::open_now(path, busy_timeout);
        opened.map_err(|e| waited(e, busy_timeout))
    }

    fn open_now(path: &Path, busy_timeout: Duration) -> Result<Store> {
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql(path, "opening"))?;
        conn.busy_timeout(busy_timeout)
            .map_err(sql(path, "setting the lock timeout"))?;
        conn.set_prepared_statement_cache_capacity(32);
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            busy_timeout,
        };
        // Nothing is written before the file is known to be ours (or empty).
        let version = store.check_owner()?;
        store.configure()?;
        if version < SCHEMA_VERSION {
            store.migrate()?;
        }
        Ok(store)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a call waits for another connection's lock.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// `result`, with the wait of an [`Error::Busy`] set to this store's timeout.
    fn timed<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|e| waited(e, self.busy_timeout))
    }

    /// Stores a new subject, in one transaction. [`Error::DuplicateId`] if its id is stored
    /// already (and then nothing changes); the errors of [`Subject::validate`] (without a
    /// face dimension) for a subject that could not be given back as it is.
    pub fn insert(&mut self, record: &StoredSubject) -> Result<()> {
        self.insert_many(std::slice::from_ref(record))
    }

    /// Stores new subjects, all in one transaction: all of them or, on any error (a duplicate
    /// id, stored or within `records`), none. Much faster than one [`Store::insert`] each, as
    /// the file is flushed once.
    pub fn insert_many(&mut self, records: &[StoredSubject]) -> Result<()> {
        let result = self.insert_many_now(records);
        self.timed(result)
    }

    fn insert_many_now(&mut self, records: &[StoredSubject]) -> Result<()> {
        let encoded = records.iter().map(encode).collect::<Result<Vec<_>>>()?;
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a write"))?;
        for e in &encoded {
            let id = &e.record.subject.id;
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO subjects (id, metadata, flagged, note, enrolled_at, face)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        id,
                        e.metadata,
                        e.record.flagged,
                        e.record.note,
                        e.record.enrolled_at,
                        e.face
                    ])
                })
                .map_err(sql(path, &format!("inserting subject {id:?}")))?;
            if inserted == 0 {
                return Err(Error::DuplicateId(id.clone()));
            }
            insert_fingers(&tx, path, tx.last_insert_rowid(), e)?;
        }
        tx.commit().map_err(sql(path, "committing"))
    }

    /// Replaces the stored subject of the same id (biometrics, metadata, flag, note, time),
    /// keeping its place in insertion order, in one transaction. [`Error::NotFound`] if absent.
    pub fn replace(&mut self, record: &StoredSubject) -> Result<()> {
        let result = self.replace_now(record);
        self.timed(result)
    }

    fn replace_now(&mut self, record: &StoredSubject) -> Result<()> {
        let e = encode(record)?;
        let id = &record.subject.id;
        let path = &self.path;
        let doing = format!("replacing subject {id:?}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a write"))?;
        let seq: Option<i64> = tx
            .prepare_cached(
                "UPDATE subjects SET metadata = ?2, flagged = ?3, note = ?4, enrolled_at = ?5,
                     face = ?6
                 WHERE id = ?1 RETURNING seq",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        id,
                        e.metadata,
                        record.flagged,
                        record.note,
                        record.enrolled_at,
                        e.face
                    ],
                    |row| row.get(0),
                )
                .optional()
            })
            .map_err(sql(path, &doing))?;
        let Some(seq) = seq else {
            return Err(Error::NotFound(id.clone()));
        };
        tx.prepare_cached("DELETE FROM fingers WHERE subject_seq = ?1")
            .and_then(|mut st| st.execute([seq]))
            .map_err(sql(path, &doing))?;
        insert_fingers(&tx, path, seq, &e)?;
        tx.commit().map_err(sql(path, "committing"))
    }

    /// Removes the subject `id` and its templates. [`Error::NotFound`] if absent.
    pub fn remove(&mut self, id: &str) -> Result<()> {
        // One statement is one transaction; the fingers go by the foreign key's cascade.
        let removed = self
            .conn
            .prepare_cached("DELETE FROM subjects WHERE id = ?1")
            .and_then(|mut st| st.execute([id]))
            .map_err(sql(&self.path, &format!("removing subject {id:?}")));
        let removed = self.timed(removed)?;
        if removed == 0 {
            return Err(Error::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// The subject `id`, if stored.
    pub fn get(&self, id: &str) -> Result<Option<StoredSubject>> {
        self.timed(self.get_now(id))
    }

    fn get_now(&self, id: &str) -> Result<Option<StoredSubject>> {
        let path = &self.path;
        let doing = format!("reading subject {id:?}");
        // One read transaction: both queries see the same state.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql(path, &doing))?;
        let mut st = tx
            .prepare_cached(
                "SELECT seq, id, metadata, flagged, note, enrolled_at, face
                 FROM subjects WHERE id = ?1",
            )
            .map_err(sql(path, &doing))?;
        let mut rows = st.query([id]).map_err(sql(path, &doing))?;
        let Some(row) = rows.next().map_err(sql(path, &doing))? else {
            return Ok(None);
        };
        let (seq, mut record) = subject_row(path, row)?;
        drop(rows);
        let mut st = tx
            .prepare_cached(
                "SELECT subject_seq, position, impression, template FROM fingers
                 WHERE subject_seq = ?1 ORDER BY position, impression",
            )
            .map_err(sql(path, &doing))?;
        let mut rows = st.query([seq]).map_err(sql(path, &doing))?;
        while let Some(row) = rows.next().map_err(sql(path, &doing))? {
            let (position, template) = finger_row(path, row, &record.subject.id)?;
            record
                .subject
                .fingers
                .entry(position)
                .or_default()
                .push(template);
        }
        Ok(Some(record))
    }

    /// Every stored subject, in insertion order (two queries, whatever the count).
    pub fn load_all(&self) -> Result<Vec<StoredSubject>> {
        self.timed(self.load_all_now())
    }

    fn load_all_now(&self) -> Result<Vec<StoredSubject>> {
        let path = &self.path;
        let doing = "reading the subjects";
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql(path, doing))?;
        let mut seqs = Vec::new();
        let mut records = Vec::new();
        {
            let mut st = tx
                .prepare_cached(
                    "SELECT seq, id, metadata, flagged, note, enrolled_at, face
                     FROM subjects ORDER BY seq",
                )
                .map_err(sql(path, doing))?;
            let mut rows = st.query([]).map_err(sql(path, doing))?;
            while let Some(row) = rows.next().map_err(sql(path, doing))? {
                let (seq, record) = subject_row(path, row)?;
                seqs.push(seq);
                records.push(record);
            }
        }
        // Both sides in seq order: a merge, no lookups.
        let mut st = tx
            .prepare_cached(
                "SELECT subject_seq, position, impression, template FROM fingers
                 ORDER BY subject_seq, position, impression",
            )
            .map_err(sql(path, doing))?;
        let mut rows = st.query([]).map_err(sql(path, doing))?;
        let mut k = 0;
        while let Some(row) = rows.next().map_err(sql(path, doing))? {
            let seq: i64 = row.get(0).map_err(sql(path, doing))?;
            while k < seqs.len() && seqs[k] < seq {
                k += 1;
            }
            if k == seqs.len() || seqs[k] != seq {
                return Err(database(
                    path,
                    format!("a template belongs to subject number {seq}, which is not stored"),
                ));
            }
            let record = &mut records[k];
            let (position, template) = finger_row(path, row, &record.subject.id)?;
            record
                .subject
                .fingers
                .entry(position)
                .or_default()
                .push(template);
        }
        Ok(records)
    }

    /// How many subjects are stored.
    pub fn len(&self) -> Result<usize> {
        let n: Result<i64> = self
            .conn
            .prepare_cached("SELECT count(*) FROM subjects")
            .and_then(|mut st| st.query_row([], |row| row.get(0)))
            .map_err(sql(&self.path, "counting the subjects"));
        let n = self.timed(n)?;
        Ok(n as usize)
    }

    /// Whether no subject is stored.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The gallery setting `key` (the face dimension, say), if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let value = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")
            .and_then(|mut st| st.query_row([key], |row| row.get(0)).optional())
            .map_err(sql(&self.path, &format!("reading setting {key:?}")));
        self.timed(value)
    }

    /// Sets the gallery setting `key` to `value`, replacing any value it had.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        let written = self
            .conn
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut st| st.execute([key, value]))
            .map_err(sql(&self.path, &format!("writing setting {key:?}")));
        self.timed(written).map(|_| ())
    }

    /// Checks, reading only, that the file is a galton gallery (or a new, empty database) of
    /// a schema this build reads; returns its schema version.
    fn check_owner(&self) -> Result<i64> {
        let (application_id, version, objects) =
            header(&self.conn).map_err(sql(&self.path, "reading the header"))?;
        owner_verdict(&self.path, application_id, version, objects)?;
        Ok(version)
    }

    /// WAL with full flushes, foreign keys enforced.
    fn configure(&self) -> Result<()> {
        let path = &self.path;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(sql(path, "switching to write-ahead logging"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(database(
                path,
                format!("cannot use write-ahead logging here (journal mode stays {mode:?})"),
            ));
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .and_then(|()| self.conn.pragma_update(None, "foreign_keys", "ON"))
            .map_err(sql(path, "configuring the connection"))
    }

    /// Applies the migrations from the file's version to [`SCHEMA_VERSION`], in one
    /// transaction (re-reading the version under the write lock: another process may have
    /// done it meanwhile).
    fn migrate(&mut self) -> Result<()> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting the schema update"))?;
        let (application_id, version, objects) =
            header(&tx).map_err(sql(path, "reading the header"))?;
        owner_verdict(path, application_id, version, objects)?;
        for (from, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(step).map_err(sql(
                path,
                &format!("updating the schema from version {from} to {}", from + 1),
            ))?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .and_then(|()| tx.pragma_update(None, "user_version", SCHEMA_VERSION))
            .and_then(|()| tx.commit())
            .map_err(sql(path, "recording the schema version"))
    }
}

/// SQLite's magic string, the first 16 bytes of every database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Refuses, before SQLite opens it, a file that is neither empty nor begins as SQLite files
/// do (SQLite would report it only at the first read, and a text file is better named).
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let mut head = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut head)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if head.is_empty() || head == SQLITE_HEADER {
        return Ok(());
    }
    Err(database(
        path,
        "not an SQLite database, so not a galton gallery (the file is left as it is)".into(),
    ))
}

/// The file's application id, schema version and count of schema objects.
fn header(conn: &Connection) -> rusqlite::Result<(i32, i64, i64)> {
    let application_id = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    let version = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let objects = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    Ok((application_id, version, objects))
}

/// Ours, or new and empty, and not newer than this build.
fn owner_verdict(path: &Path, application_id: i32, version: i64, objects: i64) -> Result<()> {
    let fresh = application_id == 0 && version == 0 && objects == 0;
    if application_id != APPLICATION_ID && !fresh {
        return Err(database(
            path,
            format!(
                "not a galton gallery database (SQLite application id {application_id:#010x}, \
                 {objects} tables and indexes; the file is left as it is)"
            ),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(database(
            path,
            format!(
                "written by a newer galton (schema {version}, this build reads up to \
                 {SCHEMA_VERSION}); the file is left as it is"
            ),
        ));
    }
    Ok(())
}

fn database(path: &Path, reason: String) -> Error {
    Error::Database {
        path: path.to_path_buf(),
        reason,
    }
}

/// An [`Error::Busy`] given the wait `busy_timeout`; any other error as it is.
fn waited(error: Error, busy_timeout: Duration) -> Error {
    match error {
        Error::Busy { path, .. } => Error::Busy {
            path,
            waited: busy_timeout,
        },
        other => other,
    }
}

/// Maps an SQLite error met while `doing` something to [`Error::Database`], in words, or a
/// lock held too long by another connection to [`Error::Busy`] (its wait is set by the
/// store's public methods, which know the timeout).
fn sql<'a>(path: &'a Path, doing: &'a str) -> impl FnOnce(rusqlite::Error) -> Error + 'a {
    move |e| {
        let reason = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                return Error::Busy {
                    path: path.to_path_buf(),
                    waited: BUSY_TIMEOUT,
                }
            }
            Some(ErrorCode::NotADatabase) => {
                format!("{doing}: not an SQLite database, or its header is damaged")
            }
            Some(ErrorCode::DatabaseCorrupt) => format!("{doing}: the file is damaged ({e})"),
            Some(ErrorCode::DiskFull) => {
                format!("{doing}: the disk is full; this write was rolled back")
            }
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
                format!("{doing}: cannot open the file for reading and writing ({e})")
            }
            Some(ErrorCode::SystemIoFailure) => {
                format!("{doing}: input/output error ({e}); this write was rolled back")
            }
            _ => format!("{doing}: {e}"),
        };
        database(path, reason)
    }
}

/// Checks a record and turns it into column values.
fn encode(record: &StoredSubject) -> Result<Encoded<'_>> {
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

fn insert_fingers(conn: &Connection, path: &Path, seq: i64, e: &Encoded) -> Result<()> {
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
fn subject_row(path: &Path, row: &rusqlite::Row) -> Result<(i64, StoredSubject)> {
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

fn decode_face(bytes: &[u8]) -> std::result::Result<FaceEmbedding, String> {
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
fn finger_row(path: &Path, row: &rusqlite::Row, id: &str) -> Result<(FingerPosition, Template)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::FaceEmbedding;

    /// A fresh file path in its own temp folder, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str) -> TempFile {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let dir = std::env::temp_dir().join(format!(
                "galton-store-unit-{name}-{}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempFile(dir)
        }

        fn path(&self) -> PathBuf {
            self.0.join("gallery.db")
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn face_subject(id: &str) -> StoredSubject {
        StoredSubject::new(
            Subject::new(id).with_face(FaceEmbedding::new(vec![1.0, 2.0, 3.0]).unwrap()),
        )
    }

    #[test]
    fn open_sets_schema_and_durability() {
        let file = TempFile::new("pragmas");
        let store = Store::open(&file.path()).unwrap();
        let pragma = |name: &str| -> i64 {
            store
                .conn
                .pragma_query_value(None, name, |row| row.get(0))
                .unwrap()
        };
        assert_eq!(pragma("application_id"), APPLICATION_ID as i64);
        assert_eq!(pragma("user_version"), SCHEMA_VERSION);
        assert_eq!(pragma("synchronous"), 2, "FULL");
        assert_eq!(pragma("foreign_keys"), 1);
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Reopening an up-to-date file changes nothing and works.
        Store::open(&file.path()).unwrap();
    }

    #[test]
    fn verdicts_on_headers() {
        let path = Path::new("g.db");
        assert!(owner_verdict(path, 0, 0, 0).is_ok(), "a new empty database");
        assert!(owner_verdict(path, APPLICATION_ID, SCHEMA_VERSION, 3).is_ok());
        assert!(
            owner_verdict(path, APPLICATION_ID, 0, 0).is_ok(),
            "ours, to migrate"
        );
        let reason = |r: Result<()>| match r {
            Err(Error::Database { reason, .. }) => reason,
            other => panic!("expected a database error, got {other:?}"),
        };
        assert!(reason(owner_verdict(path, 0, 0, 1)).contains("not a galton gallery"));
        assert!(reason(owner_verdict(path, 0, 7, 0)).contains("not a galton gallery"));
        assert!(reason(owner_verdict(path, 42, 0, 0)).contains("0x0000002a"));
        assert!(
            reason(owner_verdict(path, APPLICATION_ID, SCHEMA_VERSION + 1, 3))
                .contains("written by a newer galton")
        );
    }

    #[test]
    fn two_stores_on_one_file_see_each_others_commits() {
        let file = TempFile::new("shared");
        let mut a = Store::open(&file.path()).unwrap();
        let mut b = Store::open(&file.path()).unwrap();
        a.insert(&face_subject("A-1")).unwrap();
        assert!(b.get("A-1").unwrap().is_some());
        b.insert(&face_subject("B-1")).unwrap();
        match a.insert(&face_subject("B-1")) {
            Err(Error::DuplicateId(id)) => assert_eq!(id, "B-1"),
            other => panic!("expected DuplicateId, got {other:?}"),
        }
        let ids: Vec<String> = a
            .load_all()
            .unwrap()
            .into_iter()
            .map(|r| r.subject.id)
            .collect();
        assert_eq!(ids, ["A-1", "B-1"]);
        b.set_setting("face_dim", "3").unwrap();
        assert_eq!(a.setting("face_dim").unwrap().as_deref(), Some("3"));
    }

    #[test]
    fn errors_name_the_file() {
        let file = TempFile::new("missing-dir");
        let path = file.0.join("no-such-folder").join("gallery.db");
        match Store::open(&path) {
            Err(Error::Database { path: p, reason }) => {
                assert_eq!(p, path);
                assert!(reason.starts_with("opening: cannot open"), "{reason}");
            }
            other => panic!("expected a database error, got {other:?}"),
        }
    }
}

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

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::gallery::Subject;
use crate::{Error, Result};

mod audit;
mod crypto;
mod rows;

pub use audit::{
    biometric_hash, AuditBreak, AuditEntry, AuditReport, Operation, Receipt, ReceiptStatus,
};
pub use crypto::{
    StoreKey, StoreOptions, ENCRYPTION_SCHEME, ENCRYPTION_SETTING, KEY_CHECK_SETTING,
};

use audit::NewRow;
use crypto::Cipher;
use rows::{encode, finger_row, insert_fingers, read_subject, subject_row};

/// The SQLite `application_id` of a galton gallery file: `0x474C544E`, "GLTN" in ASCII.
pub const APPLICATION_ID: i32 = 0x474C_544E;

/// The schema version this build writes and reads up to (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a call waits for another connection's write lock before giving up.
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
    // 1 → 2. The append-only, hash-chained audit trail (see `audit`).
    audit::MIGRATION,
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
/// several processes or stores may open the same file, writes wait for one another up to
/// [`BUSY_TIMEOUT`].
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Seals and opens the biometric blobs, for an encrypted file.
    cipher: Option<Cipher>,
    /// Recorded with every audit row.
    operator: Option<String>,
    /// How long a call waits for another connection's lock.
    busy_timeout: Duration,
    /// What it was opened with, to open the file again the same way (a shared gallery
    /// reloading). The key is kept as the cipher keeps its schedule: in memory, wiped on drop.
    options: StoreOptions,
}

impl Store {
    /// Opens the gallery file at `path`, creating it if absent and bringing an older schema up
    /// to date. Refuses, with [`Error::Database`] and without modifying it, a file that is not
    /// SQLite, another application's database, or one written by a newer galton.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, &StoreOptions::default())
    }

    /// [`Store::open`] with options: a key (the file's templates and embeddings are then
    /// encrypted) and an operator id for the audit trail.
    ///
    /// [`Error::Key`], before anything is written and without modifying the file: an
    /// encrypted file opened without a key or with another key, or a plaintext file that
    /// holds subjects opened with a key (an existing gallery is not encrypted in place). A
    /// new or empty file opened with a key becomes encrypted.
    pub fn open_with(path: &Path, options: &StoreOptions) -> Result<Store> {
        options.validate()?;
        let busy_timeout = options.busy_timeout.unwrap_or(BUSY_TIMEOUT);
        Store::open_now(path, options, busy_timeout).map_err(|e| waited(e, busy_timeout))
    }

    /// [`Store::open`], waiting up to `busy_timeout` for another connection's lock (at open
    /// and at every later call) before failing with [`Error::Busy`]; zero fails at once.
    pub fn open_with_busy_timeout(path: &Path, busy_timeout: Duration) -> Result<Store> {
        Store::open_with(
            path,
            &StoreOptions::default().with_busy_timeout(busy_timeout),
        )
    }

    fn open_now(path: &Path, options: &StoreOptions, busy_timeout: Duration) -> Result<Store> {
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
            cipher: options.key.as_ref().map(Cipher::new),
            operator: options.operator.clone(),
            busy_timeout,
            options: options.clone(),
        };
        // Nothing is written before the file is known to be ours (or empty) and the key is
        // known to be right.
        let version = store.check_owner()?;
        let mark_encrypted = store.check_key()?;
        if version >= 1 {
            store.check_unique_ids()?;
        }
        store.configure()?;
        if version < SCHEMA_VERSION {
            store.migrate()?;
        }
        if mark_encrypted {
            store.mark_encrypted()?;
        }
        Ok(store)
    }

    /// Whether the file's templates and embeddings are encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// The operator id recorded in the audit trail.
    pub fn operator(&self) -> Option<&str> {
        self.operator.as_deref()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options the store was opened with.
    pub(crate) fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// How long a call waits for another connection's lock.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// `result`, with the wait of an [`Error::Busy`] set to this store's timeout.
    pub(super) fn timed<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|e| waited(e, self.busy_timeout))
    }

    /// Stores a new subject, in one transaction. [`Error::DuplicateId`] if its id is stored
    /// already (and then nothing changes); the errors of [`Subject::validate`] (without a
    /// face dimension) for a subject that could not be given back as it is.
    /// Records it in the audit trail (operation `enroll`, outcome `enrolled` or `flagged`)
    /// in the same transaction, and returns the receipt.
    pub fn insert(&mut self, record: &StoredSubject) -> Result<Receipt> {
        let inserted = self.insert_rows(std::slice::from_ref(record), Operation::Enroll);
        let mut receipts = self.timed(inserted)?;
        Ok(receipts.pop().expect("one receipt per record"))
    }

    /// Stores new subjects, all in one transaction: all of them or, on any error (a duplicate
    /// id, stored or within `records`), none. Much faster than one [`Store::insert`] each, as
    /// the file is flushed once. Each is recorded in the audit trail as an `import` (outcome
    /// `imported`, or `flagged`); one receipt each, in order.
    pub fn insert_many(&mut self, records: &[StoredSubject]) -> Result<Vec<Receipt>> {
        let inserted = self.insert_rows(records, Operation::Import);
        self.timed(inserted)
    }

    fn insert_rows(
        &mut self,
        records: &[StoredSubject],
        operation: Operation,
    ) -> Result<Vec<Receipt>> {
        let cipher = self.cipher.as_ref();
        let encoded = records
            .iter()
            .map(|r| encode(r, cipher))
            .collect::<Result<Vec<_>>>()?;
        let time = now();
        let path = &self.path;
        let mut receipts = Vec::with_capacity(encoded.len());
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
            let outcome = match (e.record.flagged, operation) {
                (true, _) => "flagged",
                (false, Operation::Import) => "imported",
                (false, _) => "enrolled",
            };
            let row = NewRow {
                operation,
                subject_id: id,
                outcome,
                data_hash: Some(e.data_hash),
            };
            let receipt = audit::append(&tx, self.operator.as_deref(), time, &row)
                .map_err(sql(path, "writing the audit trail"))?;
            receipts.push(receipt);
        }
        tx.commit().map_err(sql(path, "committing"))?;
        Ok(receipts)
    }

    /// Replaces the stored subject of the same id (biometrics, metadata, flag, note, time),
    /// keeping its place in insertion order, in one transaction with its audit row (`update`,
    /// `updated`). [`Error::NotFound`] if absent.
    pub fn replace(&mut self, record: &StoredSubject) -> Result<Receipt> {
        self.replace_audited(record, Operation::Update, "updated")
    }

    /// [`Store::replace`], recorded as this operation and outcome.
    pub(crate) fn replace_audited(
        &mut self,
        record: &StoredSubject,
        operation: Operation,
        outcome: &str,
    ) -> Result<Receipt> {
        let replaced = self.replace_now(record, operation, outcome);
        self.timed(replaced)
    }

    fn replace_now(
        &mut self,
        record: &StoredSubject,
        operation: Operation,
        outcome: &str,
    ) -> Result<Receipt> {
        let e = encode(record, self.cipher.as_ref())?;
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
        let row = NewRow {
            operation,
            subject_id: id,
            outcome,
            data_hash: Some(e.data_hash),
        };
        let receipt = audit::append(&tx, self.operator.as_deref(), now(), &row)
            .map_err(sql(path, "writing the audit trail"))?;
        tx.commit().map_err(sql(path, "committing"))?;
        Ok(receipt)
    }

    /// Removes the subject `id` and its templates, in one transaction with its audit row
    /// (`remove`, `removed`, the hash of the removed biometrics). [`Error::NotFound`] if
    /// absent.
    pub fn remove(&mut self, id: &str) -> Result<Receipt> {
        let removed = self.remove_now(id);
        self.timed(removed)
    }

    fn remove_now(&mut self, id: &str) -> Result<Receipt> {
        let path = &self.path;
        let doing = format!("removing subject {id:?}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a write"))?;
        let Some(record) = read_subject(&tx, path, self.cipher.as_ref(), id)? else {
            return Err(Error::NotFound(id.to_string()));
        };
        let data_hash = encode(&record, None)?.data_hash;
        // The fingers go by the foreign key's cascade.
        tx.prepare_cached("DELETE FROM subjects WHERE id = ?1")
            .and_then(|mut st| st.execute([id]))
            .map_err(sql(path, &doing))?;
        let row = NewRow {
            operation: Operation::Remove,
            subject_id: id,
            outcome: "removed",
            data_hash: Some(data_hash),
        };
        let receipt = audit::append(&tx, self.operator.as_deref(), now(), &row)
            .map_err(sql(path, "writing the audit trail"))?;
        tx.commit().map_err(sql(path, "committing"))?;
        Ok(receipt)
    }

    /// The subject `id`, if stored.
    pub fn get(&self, id: &str) -> Result<Option<StoredSubject>> {
        self.timed(self.get_now(id))
    }

    fn get_now(&self, id: &str) -> Result<Option<StoredSubject>> {
        let doing = format!("reading subject {id:?}");
        // One read transaction: both queries see the same state.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(sql(&self.path, &doing))?;
        read_subject(&tx, &self.path, self.cipher.as_ref(), id)
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
                let (seq, record) = subject_row(path, row, self.cipher.as_ref())?;
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
            let (position, template) =
                finger_row(path, row, &record.subject.id, self.cipher.as_ref())?;
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
        Ok(self.timed(n)? as usize)
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
    /// Refuses, reading only, a file whose UNIQUE index on subject ids is damaged so that one
    /// id is stored twice (it would load as an entry no id reaches). The scan bypasses that
    /// index, which is the part that cannot be trusted.
    fn check_unique_ids(&self) -> Result<()> {
        let doing = "checking the subject ids";
        let twice: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM subjects NOT INDEXED GROUP BY id HAVING count(*) > 1 LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql(&self.path, doing))?;
        match twice {
            Some(id) => Err(database(
                &self.path,
                format!("subject id {id:?} is stored twice: the database is damaged"),
            )),
            None => Ok(()),
        }
    }

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

/// Now, in seconds since the Unix epoch.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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

pub(super) fn database(path: &Path, reason: String) -> Error {
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
pub(super) fn sql<'a>(
    path: &'a Path,
    doing: &'a str,
) -> impl FnOnce(rusqlite::Error) -> Error + 'a {
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

#[cfg(test)]
mod tests;

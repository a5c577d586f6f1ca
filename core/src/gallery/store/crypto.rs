//! Encryption at rest: the key, the options a store is opened with, and the sealing of the
//! biometric blobs (templates and face embeddings) with AES-256-GCM.
//!
//! Each blob is sealed on its own under a fresh random 96-bit nonce, stored in front of the
//! ciphertext (`nonce ‖ ciphertext ‖ 16-byte tag`). The associated data names the column and
//! the row (subject id, and for a template its finger and impression), so a blob moved to
//! another subject or finger fails to open. Ids, metadata, flags and dates stay in plaintext.
//!
//! The file records in its `settings` table that it is encrypted ([`ENCRYPTION_SETTING`]) and
//! a key check value ([`KEY_CHECK_SETTING`]): a known block sealed under the key. Opening
//! checks it before anything is written.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroize;

use rusqlite::{OptionalExtension, TransactionBehavior};

use super::{sql, Store};
use crate::{Error, Result};

/// The `settings` key recording that biometric blobs are encrypted, and how.
pub const ENCRYPTION_SETTING: &str = "encryption";
/// The `settings` key of the key check value (hex of a known block sealed under the key).
pub const KEY_CHECK_SETTING: &str = "key_check";
/// The value of [`ENCRYPTION_SETTING`] this build writes and reads.
pub const ENCRYPTION_SCHEME: &str = "aes-256-gcm/1";

/// Bytes of a nonce, in front of each sealed blob.
const NONCE_BYTES: usize = 12;
/// Bytes of the authentication tag, at the end of each sealed blob.
const TAG_BYTES: usize = 16;
/// The associated data of the key check value.
const KEY_CHECK_AAD: &[u8] = b"galton/key-check/1";
/// The plaintext of the key check value.
const KEY_CHECK_PLAINTEXT: [u8; 32] = [0; 32];

/// A 256-bit key for a gallery store. Its `Debug` does not show it, and it is wiped from
/// memory when dropped.
///
/// ```
/// use galton::gallery::store::StoreKey;
/// let key = StoreKey::generate();
/// let again = StoreKey::from_text(&key.to_hex())?;
/// assert_eq!(key, again);
/// assert_eq!(format!("{key:?}"), "StoreKey(..)");
/// assert!(StoreKey::from_text("not a key").is_err());
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    /// The key of these 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> StoreKey {
        StoreKey(bytes)
    }

    /// A new random key, from the operating system's generator.
    pub fn generate() -> StoreKey {
        let mut key = Aes256Gcm::generate_key(OsRng);
        let out = StoreKey(key.into());
        key.zeroize();
        out
    }

    /// A key written as text: 64 hexadecimal digits, or 44 characters of standard base64
    /// (surrounding whitespace ignored). [`Error::Key`] otherwise, without echoing the text.
    pub fn from_text(text: &str) -> Result<StoreKey> {
        let text = text.trim();
        let decoded = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            decode_hex(text)
        } else {
            decode_base64(text)
        };
        match decoded {
            Some(mut bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                bytes.zeroize();
                Ok(StoreKey(key))
            }
            Some(mut bytes) => {
                let n = bytes.len();
                bytes.zeroize();
                Err(Error::Key(format!(
                    "a key is 32 bytes, this text holds {n}: write it as 64 hexadecimal digits"
                )))
            }
            None => Err(Error::Key(format!(
                "a key is 64 hexadecimal digits (or 44 characters of base64); got {} \
                 characters that are neither",
                text.chars().count()
            ))),
        }
    }

    /// The key in a key file: its text, as [`StoreKey::from_text`] reads it.
    pub fn from_file(path: &Path) -> Result<StoreKey> {
        let mut bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let result = match std::str::from_utf8(&bytes) {
            Ok(text) => StoreKey::from_text(text),
            Err(_) => Err(Error::Key("not a text file".into())),
        };
        bytes.zeroize();
        result.map_err(|e| match e {
            Error::Key(reason) => Error::Key(format!("key file {}: {reason}", path.display())),
            other => other,
        })
    }

    /// The key as 64 lowercase hexadecimal digits (what a key file holds).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

impl Drop for StoreKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// How a store is opened: the key, the operator recorded in the audit trail, and whatever
/// later builds add. Make it with [`StoreOptions::default`] and the `with_` methods.
///
/// ```
/// use galton::gallery::store::{StoreKey, StoreOptions};
/// let options = StoreOptions::default()
///     .with_key(StoreKey::generate())
///     .with_operator("clerk-17");
/// assert_eq!(options.operator.as_deref(), Some("clerk-17"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Encrypts the templates and face embeddings; `None` keeps them in plaintext. A file is
    /// encrypted or not from its first subject on, and then always needs the same key.
    pub key: Option<StoreKey>,
    /// Who is operating, recorded with every row of the audit trail (an employee number,
    /// a station name …).
    pub operator: Option<String>,
    /// How long a call waits for another connection's lock before failing with
    /// [`Error::Busy`]; `None` is [`super::BUSY_TIMEOUT`].
    pub busy_timeout: Option<std::time::Duration>,
}

impl StoreOptions {
    /// With this key.
    pub fn with_key(mut self, key: StoreKey) -> StoreOptions {
        self.key = Some(key);
        self
    }

    /// Waiting up to `busy_timeout` for another connection's lock (zero fails at once).
    pub fn with_busy_timeout(mut self, busy_timeout: std::time::Duration) -> StoreOptions {
        self.busy_timeout = Some(busy_timeout);
        self
    }

    /// With this operator id.
    pub fn with_operator(mut self, operator: impl Into<String>) -> StoreOptions {
        self.operator = Some(operator.into());
        self
    }

    /// Checks the operator id: 1 to 256 bytes, no control characters.
    pub(super) fn validate(&self) -> Result<()> {
        if let Some(op) = &self.operator {
            if op.is_empty() || op.len() > 256 || op.chars().any(char::is_control) {
                return Err(Error::InvalidArgument(format!(
                    "operator id {op:?}: 1 to 256 bytes without control characters"
                )));
            }
        }
        Ok(())
    }
}

/// The cipher of an open encrypted store.
pub(super) struct Cipher(Aes256Gcm);

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(AES-256-GCM)")
    }
}

impl Cipher {
    pub(super) fn new(key: &StoreKey) -> Cipher {
        Cipher(Aes256Gcm::new(&key.0.into()))
    }

    /// `nonce ‖ ciphertext ‖ tag` of `plain`, bound to `aad`.
    pub(super) fn seal(&self, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(&nonce, Payload { msg: plain, aad })
            .expect("AES-GCM encrypts any message shorter than 64 GiB");
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of a sealed blob, or `None` if it was altered, belongs to another row or
    /// was sealed under another key.
    pub(super) fn open(&self, aad: &[u8], blob: &[u8]) -> Option<Vec<u8>> {
        if blob.len() < NONCE_BYTES + TAG_BYTES {
            return None;
        }
        let (nonce, sealed) = blob.split_at(NONCE_BYTES);
        self.0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .ok()
    }

    /// The key check value to store (hex).
    pub(super) fn key_check(&self) -> String {
        hex(&self.seal(KEY_CHECK_AAD, &KEY_CHECK_PLAINTEXT))
    }

    /// Whether a stored key check value was made with this key.
    pub(super) fn matches(&self, key_check: &str) -> bool {
        decode_hex(key_check)
            .and_then(|blob| self.open(KEY_CHECK_AAD, &blob))
            .is_some_and(|plain| plain == KEY_CHECK_PLAINTEXT)
    }
}

impl Store {
    /// Checks, reading only, the key against the file: returns whether the file is still to
    /// be marked encrypted (new or empty, opened with a key).
    pub(super) fn check_key(&self) -> Result<bool> {
        let path = &self.path;
        let doing = "reading the encryption settings";
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'settings'",
                [],
                |row| row.get(0),
            )
            .map_err(sql(path, doing))?;
        let (scheme, check) = if tables > 0 {
            (
                self.setting(ENCRYPTION_SETTING)?,
                self.setting(KEY_CHECK_SETTING)?,
            )
        } else {
            (None, None)
        };
        let file = path.display();
        match (scheme, &self.cipher) {
            (None, None) => Ok(false),
            (Some(scheme), _) if scheme != ENCRYPTION_SCHEME => Err(Error::Key(format!(
                "{file}: encrypted as {scheme:?}, which this build cannot read"
            ))),
            (Some(_), None) => Err(Error::Key(format!(
                "{file}: the gallery is encrypted: open it with its key (the CLI reads it from \
                 --key-file or GALTON_KEY); nothing was read or changed"
            ))),
            (Some(_), Some(cipher)) => match check {
                Some(value) if cipher.matches(&value) => Ok(false),
                Some(_) => Err(Error::Key(format!(
                    "{file}: wrong key: the gallery was encrypted under another key; nothing \
                     was read or changed"
                ))),
                None => Err(Error::Key(format!(
                    "{file}: marked encrypted but has no key check value: the settings were \
                     altered"
                ))),
            },
            (None, Some(_)) => {
                let subjects = if tables > 0 { self.len()? } else { 0 };
                if subjects > 0 {
                    Err(Error::Key(format!(
                        "{file}: the gallery is not encrypted and holds {subjects} subjects in \
                         plaintext; open it without a key (a gallery is not encrypted in \
                         place: enroll into a new encrypted file); nothing was changed"
                    )))
                } else {
                    Ok(true)
                }
            }
        }
    }

    /// Records that the (empty) file is encrypted, with the key check value, unless another
    /// connection did meanwhile (under the write lock, the checks of `check_key` again).
    pub(super) fn mark_encrypted(&mut self) -> Result<()> {
        let path = &self.path;
        let doing = "recording the encryption settings";
        let cipher = self.cipher.as_ref().expect("opened with a key");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(path, "starting a write"))?;
        let get = |key: &str| -> rusqlite::Result<Option<String>> {
            tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
        };
        let scheme = get(ENCRYPTION_SETTING).map_err(sql(path, doing))?;
        let check = get(KEY_CHECK_SETTING).map_err(sql(path, doing))?;
        if scheme.is_some() {
            return match check {
                Some(value) if cipher.matches(&value) => Ok(()),
                _ => Err(Error::Key(format!(
                    "{}: wrong key: another process encrypted the gallery under another key \
                     meanwhile",
                    path.display()
                ))),
            };
        }
        let subjects: i64 = tx
            .query_row("SELECT count(*) FROM subjects", [], |row| row.get(0))
            .map_err(sql(path, doing))?;
        if subjects > 0 {
            return Err(Error::Key(format!(
                "{}: another process stored {subjects} subjects in plaintext meanwhile",
                path.display()
            )));
        }
        let put = "INSERT INTO settings (key, value) VALUES (?1, ?2)";
        tx.execute(put, [ENCRYPTION_SETTING, ENCRYPTION_SCHEME])
            .and_then(|_| tx.execute(put, [KEY_CHECK_SETTING, cipher.key_check().as_str()]))
            .map_err(sql(path, doing))?;
        tx.commit().map_err(sql(path, "committing"))
    }
}

/// The associated data of subject `id`'s face embedding.
pub(super) fn face_aad(id: &str) -> Vec<u8> {
    let mut aad = b"galton/face/1\0".to_vec();
    aad.extend_from_slice(id.as_bytes());
    aad
}

/// The associated data of subject `id`'s template of finger `position` (code), impression
/// `impression`.
pub(super) fn template_aad(id: &str, position: u8, impression: u32) -> Vec<u8> {
    let mut aad = b"galton/template/1\0".to_vec();
    aad.push(position);
    aad.extend_from_slice(&impression.to_be_bytes());
    aad.extend_from_slice(id.as_bytes());
    aad
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The bytes of an even number of hexadecimal digits.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let digit = |c: u8| (c as char).to_digit(16);
            Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
        })
        .collect()
}

/// The bytes of standard base64 (with `=` padding).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, quad) in bytes.chunks_exact(4).enumerate() {
        let last = i == bytes.len() / 4 - 1;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let chunk = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&chunk[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_from_hex_and_base64() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 7 + 1) as u8);
        let key = StoreKey::from_bytes(bytes);
        assert_eq!(StoreKey::from_text(&key.to_hex()).unwrap(), key);
        assert_eq!(
            StoreKey::from_text(&format!("  {}\n", key.to_hex().to_uppercase())).unwrap(),
            key
        );
        // base64 of bytes 0x01, 0x08, 0x0f … (checked by hand on the first group).
        let b64 = "AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=";
        assert_eq!(StoreKey::from_text(b64).unwrap(), key);
        for bad in [
            "",
            "00",
            &"0".repeat(63),
            &"g".repeat(64),
            "AQgP====",
            "AQgPFh0=",
        ] {
            assert!(
                matches!(StoreKey::from_text(bad), Err(Error::Key(_))),
                "{bad:?}"
            );
        }
        assert_ne!(StoreKey::generate(), StoreKey::generate());
    }

    #[test]
    fn sealed_blobs_open_only_with_their_key_and_row() {
        let cipher = Cipher::new(&StoreKey::from_bytes([9; 32]));
        let other = Cipher::new(&StoreKey::from_bytes([8; 32]));
        let aad = template_aad("A-1", 2, 0);
        let blob = cipher.seal(&aad, b"minutiae");
        assert_eq!(cipher.open(&aad, &blob).unwrap(), b"minutiae");
        assert_ne!(
            cipher.seal(&aad, b"minutiae"),
            blob,
            "a fresh nonce each time"
        );
        assert!(other.open(&aad, &blob).is_none());
        assert!(cipher.open(&template_aad("A-2", 2, 0), &blob).is_none());
        assert!(cipher.open(&template_aad("A-1", 3, 0), &blob).is_none());
        assert!(cipher.open(&face_aad("A-1"), &blob).is_none());
        let mut flipped = blob.clone();
        flipped[NONCE_BYTES + 1] ^= 1;
        assert!(cipher.open(&aad, &flipped).is_none());
        assert!(cipher.open(&aad, &blob[..20]).is_none());
        assert!(cipher.matches(&cipher.key_check()));
        assert!(!other.matches(&cipher.key_check()));
        assert!(!cipher.matches("zz"));
    }
}

//! The one error type of the library.

use std::path::PathBuf;

/// Result alias used across galton.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in galton. Each variant is something a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not an image galton can decode, or the image is unusable
    /// (empty, too small, too large).
    #[error("invalid image: {0}")]
    InvalidImage(String),

    /// The stated resolution is outside what galton supports.
    #[error("unsupported resolution {ppi} ppi: galton handles 300 to 1000 ppi")]
    UnsupportedResolution {
        /// The resolution that was given, in pixels per inch.
        ppi: f32,
    },

    /// A template could not be decoded or encoded.
    #[error("invalid {format} template: {reason}")]
    InvalidTemplate {
        /// The format being read or written ("galton", "ISO 19794-2", "ANSI 378", "JSON", or
        /// "unknown" when the format could not be detected).
        format: &'static str,
        /// What is wrong, in words.
        reason: String,
    },

    /// A face embedding is unusable: wrong dimension, a value that is not finite, or a zero
    /// vector (which has no direction to compare).
    #[error("invalid embedding{}: {reason}", row.map(|r| format!(" (row {r})")).unwrap_or_default())]
    InvalidEmbedding {
        /// The row of a batch that is wrong, when the embedding came in a batch.
        row: Option<usize>,
        /// What is wrong, in words.
        reason: String,
    },

    /// An input is over one of the configured resource limits ([`crate::limits`]): it may be
    /// valid, but accepting it would cost more memory or time than the integrator allowed.
    /// Raise the limit named by [`Limit::setting`](crate::Limit::setting) to accept it.
    #[error("limit exceeded: {}", crate::limits::message(*limit, *max, *actual))]
    LimitExceeded {
        /// Which limit.
        limit: crate::Limit,
        /// The limit's value.
        max: u64,
        /// What the input asked for, when known before decoding (an image decoder's
        /// allocations are refused without it).
        actual: Option<u64>,
    },

    /// A file is not a galton face index, or is damaged (bad magic, newer version,
    /// truncated, checksum mismatch).
    #[error("invalid face index file: {0}")]
    InvalidIndexFile(String),

    /// The id asked for is not there.
    #[error("not found: {0}")]
    NotFound(String),

    /// The id to insert is there already.
    #[error("duplicate id: {0}")]
    DuplicateId(String),

    /// A value passed by the caller is out of range or inconsistent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A gallery database cannot be used: not a galton database, of a newer schema,
    /// damaged, locked, or a write failed (nothing already stored is lost).
    #[error("gallery database {}: {reason}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },

    /// A gallery's encryption key is missing, wrong, malformed, or given for a store that is
    /// not encrypted. Nothing was read or written with it.
    #[error("key: {0}")]
    Key(String),
    /// A gallery database stayed locked by another connection (another process, or another
    /// store on the same file) for longer than the busy timeout. Nothing was changed; the
    /// call can be tried again.
    #[error(
        "gallery database {}: locked by another connection, still locked after waiting {:.1} s; \
         nothing was changed, try again",
        path.display(),
        waited.as_secs_f64()
    )]
    Busy {
        /// The database file.
        path: PathBuf,
        /// How long the call waited for the lock (the busy timeout).
        waited: std::time::Duration,
    },

    /// A change to a shared gallery panicked half-way, so its in-memory state cannot be
    /// trusted, and it has no database to be restored from. Rebuild the gallery.
    #[error("gallery state lost: {0}")]
    Poisoned(String),

    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidTemplate`].
    #[allow(dead_code)] // used by the template readers
    pub(crate) fn template(format: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidTemplate {
            format,
            reason: reason.into(),
        }
    }
}

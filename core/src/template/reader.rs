//! Bounds-checked big-endian reading and writing shared by the binary template formats.
//!
//! Every read names the field it is reading, so that a short or lying record produces an
//! error saying which field did not fit and where, instead of a panic.

use std::fmt::Display;

use crate::error::{Error, Result};
use crate::limits::Limit;

/// A cursor over a record that never reads past `end` (the record length once known, the
/// end of the input before that).
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    format: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over all of `bytes`, for the format named `format` in errors.
    pub(super) fn new(bytes: &'a [u8], format: &'static str) -> Self {
        Reader {
            bytes,
            pos: 0,
            end: bytes.len(),
            format,
        }
    }

    /// An error in this reader's format.
    pub(super) fn error(&self, reason: impl Into<String>) -> Error {
        Error::template(self.format, reason)
    }

    /// The offset of the next byte to read.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left before the end of the record.
    pub(super) fn remaining(&self) -> usize {
        self.end - self.pos
    }

    /// Ends the record at `length` bytes from the start of the input: errors if the input
    /// is shorter, or if what was already read does not fit.
    pub(super) fn limit(&mut self, length: u64) -> Result<()> {
        let got = self.bytes.len();
        match usize::try_from(length) {
            Ok(length) if length <= got && length >= self.pos => {
                self.end = length;
                Ok(())
            }
            Ok(length) if length < self.pos => Err(self.error(format!(
                "record length says {length} bytes, fewer than the {} bytes up to its end",
                self.pos
            ))),
            _ => Err(self.error(format!(
                "truncated: record length says {length} bytes, got {got}"
            ))),
        }
    }

    /// The bytes of the input after the end of the record.
    pub(super) fn after_end(&self) -> &'a [u8] {
        &self.bytes[self.end..]
    }

    /// Reads `n` bytes for the field `what`.
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let pos = self.pos;
        let left = self.remaining();
        if n > left {
            return Err(
                if self.end < self.bytes.len() && n <= self.bytes.len() - pos {
                    self.error(format!(
                        "{what} ({n} bytes at offset {pos}) runs past the record length ({} bytes)",
                        self.end
                    ))
                } else {
                    self.error(format!(
                        "truncated: {what} needs {n} bytes at offset {pos}, {left} left"
                    ))
                },
            );
        }
        self.pos += n;
        Ok(&self.bytes[pos..pos + n])
    }

    /// Reads a fixed-size field.
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub(super) fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a big-endian u16.
    pub(super) fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    /// Reads a big-endian u32.
    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// Reads a big-endian IEEE 754 f32.
    pub(super) fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_be_bytes(self.array(what)?))
    }

    /// Reads `count` items of at least `size` bytes each with `read`, after checking that
    /// the bytes are there, so that a lying count allocates nothing, and then that `count`
    /// is within `limit` ([`Error::LimitExceeded`]): a count the bytes cannot back is a
    /// damaged record, a count they back but over the limit is refused as too costly.
    /// `counted` names the count field in errors, `item` prefixes an item's errors with its
    /// number from 1.
    pub(super) fn list<T>(
        &mut self,
        (count, size): (u64, u64),
        (limit, max): (Limit, usize),
        counted: &str,
        item: &str,
        mut read: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let needed = count.saturating_mul(size);
        let left = self.remaining();
        if usize::try_from(needed).map_or(true, |needed| needed > left) {
            return Err(self.error(format!(
                "{counted} {count} needs {needed} bytes, {left} left"
            )));
        }
        limit.check(count, max as u64)?;
        // Fits: `count` items of at least one byte are in memory.
        let mut items = Vec::with_capacity(count as usize);
        for i in 1..=count {
            items.push(read(self).map_err(|e| in_context(e, format_args!("{item} {i}")))?);
        }
        Ok(items)
    }
}

/// Puts `context` ("view 2", "minutia 7") in front of the reason of a template error.
pub(super) fn in_context(error: Error, context: impl Display) -> Error {
    match error {
        Error::InvalidTemplate { format, reason } => Error::InvalidTemplate {
            format,
            reason: format!("{context}: {reason}"),
        },
        other => other,
    }
}

/// A growing big-endian record.
#[derive(Default)]
pub(super) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty record with room for `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// Appends bytes.
    pub(super) fn bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends one byte.
    pub(super) fn u8(&mut self, value: u8) {
        self.buf.push(value);
    }

    /// Appends a big-endian u16.
    pub(super) fn u16(&mut self, value: u16) {
        self.bytes(&value.to_be_bytes());
    }

    /// Appends a big-endian u32.
    pub(super) fn u32(&mut self, value: u32) {
        self.bytes(&value.to_be_bytes());
    }

    /// Appends a big-endian IEEE 754 f32.
    pub(super) fn f32(&mut self, value: f32) {
        self.bytes(&value.to_be_bytes());
    }

    /// Bytes written so far.
    pub(super) fn len(&self) -> usize {
        self.buf.len()
    }

    /// The bytes written so far.
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The finished record.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

//! The face index file: a 64-byte header, then 64-byte-aligned little-endian sections that a
//! reader can map into memory as they are.
//!
//! ```text
//! offset  size  field
//!  0       8    magic "GLTNFACE"
//!  8       4    format version (1)
//! 12       4    encoding: 0 f32, 1 f16, 2 int8 per vector, 3 int8 per dimension
//! 16       4    dimension
//! 20       4    flags: bit 0 = f32 originals follow the codes
//! 24       8    number of embeddings n
//! 32       8    payload length in bytes (everything after the header)
//! 40       4    CRC-32 of the payload
//! 44       4    CRC-32 of bytes 0..44
//! 48      16    zero
//! 64            ids: n × u64
//!   (each section starts at the next multiple of 64)
//!               codes: n × dim × (4 | 2 | 1) bytes (f32, f16 bits, int8)
//!               scales: n × f32 (int8 per vector) or dim × f32 (per dimension)
//!               originals: n × dim × f32 (when flag bit 0)
//! ```
//!
//! Reading checks the magic, version, header checksum, that the file is exactly as long as
//! the header says (before allocating), the payload checksum, that ids are unique and that
//! float values are finite; any failure is [`Error::InvalidIndexFile`] naming it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use super::encoding::{Codes, Encoding};
use super::index::{FaceIndex, MAX_ROWS};
use crate::limits::FaceLimits;
use crate::{Error, Limit, Result};

const MAGIC: &[u8; 8] = b"GLTNFACE";
const VERSION: u32 = 1;
const HEADER: usize = 64;
const ALIGN: usize = 64;

fn bad(reason: impl Into<String>) -> Error {
    Error::InvalidIndexFile(reason.into())
}

fn align(x: usize) -> usize {
    x.div_ceil(ALIGN) * ALIGN
}

/// Byte lengths of the sections (ids, codes, scales, originals) for `n` rows.
fn sections(encoding: Encoding, dim: usize, n: usize, originals: bool) -> Option<[usize; 4]> {
    let cells = n.checked_mul(dim)?;
    let codes = match encoding {
        Encoding::F32 => cells.checked_mul(4)?,
        Encoding::F16 => cells.checked_mul(2)?,
        Encoding::Int8PerVector | Encoding::Int8PerDimension => cells,
    };
    let scales = match encoding {
        Encoding::Int8PerVector => n * 4,
        Encoding::Int8PerDimension => dim * 4,
        _ => 0,
    };
    let originals = if originals { cells.checked_mul(4)? } else { 0 };
    Some([n.checked_mul(8)?, codes, scales, originals])
}

/// Offsets (from the file start) and total length of a file with these sections.
fn layout(lengths: [usize; 4]) -> Option<([usize; 4], usize)> {
    let mut offsets = [0; 4];
    let mut at = HEADER;
    for (o, &len) in offsets.iter_mut().zip(&lengths) {
        at = align(at);
        *o = at;
        at = at.checked_add(len)?;
    }
    Some((offsets, at))
}

fn le_f32s(values: &[f32], out: &mut Vec<u8>) {
    out.reserve(values.len() * 4);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

impl FaceIndex {
    /// The index as the bytes of an index file: a 64-byte header (magic `GLTNFACE`, version,
    /// encoding, dimension, flags, count, payload length and CRC-32, header CRC-32), then
    /// 64-byte-aligned little-endian sections (ids, codes, scales, originals) that can be
    /// mapped into memory as they are. The layout is documented in `core/src/face/file.rs`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.len();
        let originals = self.originals.is_some();
        let lengths = sections(self.encoding(), self.dim, n, originals).expect("fits in memory");
        let (offsets, total) = layout(lengths).expect("fits in memory");
        let mut out = Vec::with_capacity(total);
        out.resize(HEADER, 0);
        let pad = |out: &mut Vec<u8>, to: usize| out.resize(to, 0);
        pad(&mut out, offsets[0]);
        for id in &self.ids {
            out.extend_from_slice(&id.to_le_bytes());
        }
        pad(&mut out, offsets[1]);
        match &self.codes {
            Codes::F32(v) => le_f32s(v, &mut out),
            Codes::F16(v) => v
                .iter()
                .for_each(|h| out.extend_from_slice(&h.to_le_bytes())),
            Codes::Int8PerVector { codes, .. } | Codes::Int8PerDimension { codes, .. } => {
                out.extend(codes.iter().map(|&c| c as u8))
            }
        }
        pad(&mut out, offsets[2]);
        match &self.codes {
            Codes::Int8PerVector { scales, .. } => le_f32s(scales, &mut out),
            Codes::Int8PerDimension { sigma, .. } => {
                // An empty index may not have learnt its scales yet: store zeros (learn later).
                if sigma.is_empty() {
                    out.resize(out.len() + self.dim * 4, 0);
                } else {
                    le_f32s(sigma, &mut out)
                }
            }
            _ => {}
        }
        pad(&mut out, offsets[3]);
        if let Some(o) = &self.originals {
            le_f32s(o, &mut out);
        }
        debug_assert_eq!(out.len(), total);
        let payload_crc = crc32fast::hash(&out[HEADER..]);
        out[0..8].copy_from_slice(MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&self.encoding().code().to_le_bytes());
        out[16..20].copy_from_slice(&(self.dim as u32).to_le_bytes());
        out[20..24].copy_from_slice(&(originals as u32).to_le_bytes());
        out[24..32].copy_from_slice(&(n as u64).to_le_bytes());
        out[32..40].copy_from_slice(&((total - HEADER) as u64).to_le_bytes());
        out[40..44].copy_from_slice(&payload_crc.to_le_bytes());
        let header_crc = crc32fast::hash(&out[0..44]);
        out[44..48].copy_from_slice(&header_crc.to_le_bytes());
        out
    }

    /// Writes the index to `path` atomically: to a temporary file beside it, then renamed,
    /// so a crash never leaves a half-written index under the name.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&self.to_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads an index written by [`FaceIndex::save`], with the default limits.
    pub fn load(path: impl AsRef<Path>) -> Result<FaceIndex> {
        FaceIndex::load_with_limits(path, &FaceLimits::default())
    }

    /// Reads an index written by [`FaceIndex::save`]. The header is read and checked first
    /// (dimension and count against `limits`, the file's size against what the header
    /// says), so a lying header or a huge file is refused before the rest is read.
    pub fn load_with_limits(path: impl AsRef<Path>, limits: &FaceLimits) -> Result<FaceIndex> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let mut bytes = Vec::with_capacity(HEADER);
        (&mut file)
            .take(HEADER as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        let total = check_header(&bytes, limits)?.total;
        if size != total as u64 {
            return Err(length_mismatch(total, size));
        }
        bytes.reserve_exact(total - bytes.len());
        file.read_to_end(&mut bytes).map_err(io)?;
        FaceIndex::from_bytes_with_limits(&bytes, limits)
    }

    /// Decodes the bytes of an index file. Checks the magic, version, header checksum, that
    /// the length is exactly what the header says (before allocating), the payload checksum,
    /// that ids are unique and that float values are finite; any failure is
    /// [`Error::InvalidIndexFile`] saying which.
    pub fn from_bytes(bytes: &[u8]) -> Result<FaceIndex> {
        FaceIndex::from_bytes_with_limits(bytes, &FaceLimits::default())
    }

    /// As [`FaceIndex::from_bytes`], with the dimension and the number of embeddings the
    /// header announces checked against `limits` ([`Error::LimitExceeded`]).
    pub fn from_bytes_with_limits(bytes: &[u8], limits: &FaceLimits) -> Result<FaceIndex> {
        let Header {
            encoding,
            dim,
            n,
            originals,
            offsets,
            total,
        } = check_header(bytes, limits)?;
        if bytes.len() != total {
            return Err(length_mismatch(total, bytes.len() as u64));
        }
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        if crc32fast::hash(&bytes[HEADER..]) != u32_at(40) {
            return Err(bad("payload checksum mismatch: the file is damaged"));
        }
        let f32s = |at: usize, count: usize, what: &str| -> Result<Vec<f32>> {
            let v: Vec<f32> = bytes[at..at + 4 * count]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect();
            match v.iter().position(|x| !x.is_finite()) {
                Some(i) => Err(bad(format!("{what} value {i} is {}", v[i]))),
                None => Ok(v),
            }
        };
        let ids: Vec<u64> = bytes[offsets[0]..offsets[0] + 8 * n]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let mut rows = HashMap::with_capacity(n);
        for (r, &id) in ids.iter().enumerate() {
            if rows.insert(id, r as u32).is_some() {
                return Err(bad(format!("id {id} appears twice")));
            }
        }
        let cells = n * dim;
        let codes_at = offsets[1];
        let i8s = || -> Vec<i8> {
            bytes[codes_at..codes_at + cells]
                .iter()
                .map(|&b| b as i8)
                .collect()
        };
        let codes = match encoding {
            Encoding::F32 => Codes::F32(f32s(codes_at, cells, "vector")?),
            Encoding::F16 => {
                let v: Vec<u16> = bytes[codes_at..codes_at + 2 * cells]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                if let Some(i) = v.iter().position(|&h| !half::f16::from_bits(h).is_finite()) {
                    return Err(bad(format!("f16 vector value {i} is not finite")));
                }
                Codes::F16(v)
            }
            Encoding::Int8PerVector => Codes::Int8PerVector {
                codes: i8s(),
                scales: f32s(offsets[2], n, "scale")?,
            },
            Encoding::Int8PerDimension => {
                let sigma = f32s(offsets[2], dim, "scale")?;
                Codes::Int8PerDimension {
                    codes: i8s(),
                    // All-zero scales mark an empty index that had not learnt them yet.
                    sigma: if n == 0 && sigma.iter().all(|&s| s == 0.0) {
                        Vec::new()
                    } else {
                        sigma
                    },
                }
            }
        };
        let originals = if originals {
            Some(f32s(offsets[3], cells, "original")?)
        } else {
            None
        };
        let mut index = FaceIndex::new(dim, encoding)?;
        index.codes = codes;
        index.originals = originals;
        index.ids = ids;
        index.rows = rows;
        Ok(index)
    }
}

/// What a checked header says.
struct Header {
    encoding: Encoding,
    dim: usize,
    n: usize,
    originals: bool,
    offsets: [usize; 4],
    total: usize,
}

fn length_mismatch(total: usize, got: u64) -> Error {
    bad(format!(
        "{}: the header says {total} bytes, the file has {got}",
        if got < total as u64 {
            "truncated"
        } else {
            "trailing data"
        },
    ))
}

/// Checks the header at the start of `bytes` (magic, version, checksum, codes, limits,
/// consistency of the sizes) without looking at the payload.
fn check_header(bytes: &[u8], limits: &FaceLimits) -> Result<Header> {
    if bytes.len() < HEADER {
        return Err(bad(format!(
            "{} bytes is shorter than the {HEADER}-byte header",
            bytes.len()
        )));
    }
    if &bytes[0..8] != MAGIC {
        return Err(bad(
            "not a galton face index (the file does not start with GLTNFACE)",
        ));
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let version = u32_at(8);
    if version != VERSION {
        return Err(bad(format!(
            "format version {version}; this galton reads version {VERSION}"
        )));
    }
    if crc32fast::hash(&bytes[0..44]) != u32_at(44) {
        return Err(bad("header checksum mismatch: the header is damaged"));
    }
    let encoding = Encoding::from_code(u32_at(12))
        .ok_or_else(|| bad(format!("unknown encoding code {}", u32_at(12))))?;
    let dim = u32_at(16) as usize;
    match limits.check_dimension(dim) {
        Err(Error::InvalidArgument(reason)) => return Err(bad(reason)),
        other => other?,
    }
    let flags = u32_at(20);
    if flags > 1 {
        return Err(bad(format!("unknown flags {flags:#x}")));
    }
    let originals = flags & 1 == 1;
    if originals && !encoding.is_lossy() {
        return Err(bad("an f32 index cannot carry separate originals"));
    }
    let n = u64_at(24);
    let max_rows = limits.max_index_vectors.min(MAX_ROWS as u64);
    Limit::IndexVectors.check(n, max_rows)?;
    let n = n as usize;
    let (offsets, total) = sections(encoding, dim, n, originals)
        .and_then(layout)
        .ok_or_else(|| bad("sizes in the header overflow"))?;
    if u64_at(32) != (total - HEADER) as u64 {
        return Err(bad(format!(
            "the header's payload length {} disagrees with its counts ({})",
            u64_at(32),
            total - HEADER
        )));
    }
    Ok(Header {
        encoding,
        dim,
        n,
        originals,
        offsets,
        total,
    })
}

//! galton's own binary template format: compact, versioned, lossless.
//!
//! Every value a [`Template`] holds is stored bit for bit (floats as IEEE 754 binary32), so
//! writing and reading gives back an equal template. A CRC-32 over the whole record catches
//! corruption. All multi-byte fields are big-endian.
//!
//! ## Record header (12 bytes)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 4 | magic `GLTN` |
//! | 4 | 1 | format version, 1 |
//! | 5 | 1 | flags, 0 (version 1 defines none; a reader refuses unknown flags) |
//! | 6 | 2 | number of finger views, at least 1 |
//! | 8 | 4 | record length in bytes, header and checksum included |
//!
//! ## Finger view (18 bytes, then the minutiae)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 4 | image width, pixels (u32) |
//! | 4 | 4 | image height, pixels (u32) |
//! | 8 | 4 | resolution, pixels per inch (f32, finite and positive) |
//! | 12 | 1 | finger position code 0–10, or 255 when not given |
//! | 13 | 1 | view quality 0–100, or 255 when not given |
//! | 14 | 4 | number of minutiae *n* (u32) |
//! | 18 | 14 *n* | minutiae |
//!
//! ## Minutia (14 bytes)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 4 | x, pixels (f32, finite) |
//! | 4 | 4 | y, pixels (f32, finite) |
//! | 8 | 4 | direction, radians (f32, finite) |
//! | 12 | 1 | kind: 0 ridge ending, 1 bifurcation, 2 other |
//! | 13 | 1 | quality 0–100 |
//!
//! ## Record trailer (4 bytes)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | length − 4 | 4 | CRC-32 (IEEE 802.3, as zlib) of every byte before it |
//!
//! A reader checks the length before the checksum and the checksum before anything else,
//! and refuses bytes after the record.

use super::reader::{Reader, Writer};
use super::{FingerPosition, Minutia, MinutiaKind, Template};
use crate::error::{Error, Result};
use crate::limits::{Limit, TemplateLimits};

/// Name in errors.
pub(super) const LABEL: &str = "galton";
/// First bytes of every record.
pub(super) const MAGIC: &[u8; 4] = b"GLTN";
/// The version this code writes and reads.
const VERSION: u8 = 1;
/// Header size.
const HEADER: usize = 12;
/// Checksum size.
const CRC: usize = 4;
/// Finger view header size.
const VIEW: u64 = 18;
/// Minutia size.
const MINUTIA: u64 = 14;
/// Finger position or quality not given.
const ABSENT: u8 = 255;

/// Reads a galton record, checking everything in the tables above.
pub(super) fn decode(bytes: &[u8], limits: &TemplateLimits) -> Result<Vec<Template>> {
    let mut r = Reader::new(bytes, LABEL);
    let magic = r.take(4, "magic")?;
    if magic != MAGIC {
        return Err(r.error(format!(
            "wrong magic: expected \"GLTN\", found {magic:02X?}"
        )));
    }
    let version = r.u8("format version")?;
    if version != VERSION {
        return Err(r.error(format!(
            "unsupported format version {version}: this galton reads version {VERSION}"
        )));
    }
    let flags = r.u8("flags")?;
    if flags != 0 {
        return Err(r.error(format!(
            "unknown flags {flags:#04x}: version 1 defines none"
        )));
    }
    let count = r.u16("number of finger views")?;
    let length = r.u32("record length")?;
    r.limit(length.into())?;
    let extra = r.after_end().len();
    if extra > 0 {
        return Err(r.error(format!(
            "record length says {length} bytes, got {}: {extra} bytes follow the record",
            bytes.len()
        )));
    }
    let body_end = bytes.len().checked_sub(CRC).filter(|&end| end >= HEADER);
    let Some(body_end) = body_end else {
        return Err(r.error(format!(
            "record length {length} is shorter than a header and checksum ({} bytes)",
            HEADER + CRC
        )));
    };
    let (body, stored) = bytes.split_at(body_end);
    let stored = u32::from_be_bytes([stored[0], stored[1], stored[2], stored[3]]);
    let computed = crc32fast::hash(body);
    if stored != computed {
        return Err(r.error(format!(
            "checksum mismatch: stored {stored:#010x}, computed {computed:#010x}: the record is corrupted"
        )));
    }
    r.limit(body_end as u64)?;
    if count == 0 {
        return Err(r.error("record holds no finger views"));
    }
    let views = r.list(
        (count.into(), VIEW),
        (Limit::TemplateViews, limits.max_views),
        "number of finger views",
        "view",
        |r| read_view(r, limits),
    )?;
    if r.remaining() != 0 {
        return Err(r.error(format!(
            "record length says {length} bytes but its views end at byte {}",
            r.pos() + CRC
        )));
    }
    Ok(views)
}

fn read_view(r: &mut Reader, limits: &TemplateLimits) -> Result<Template> {
    let width = r.u32("image width")?;
    let height = r.u32("image height")?;
    let ppi = r.f32("resolution")?;
    let finger = match r.u8("finger position")? {
        ABSENT => None,
        code => Some(
            FingerPosition::from_code(code)
                .map_err(|_| r.error(format!("unknown finger position code {code}")))?,
        ),
    };
    let quality = match r.u8("view quality")? {
        ABSENT => None,
        quality => Some(quality),
    };
    let count = r.u32("number of minutiae")?;
    let minutiae = r.list(
        (count.into(), MINUTIA),
        (Limit::TemplateMinutiae, limits.max_minutiae),
        "minutia count",
        "minutia",
        read_minutia,
    )?;
    let template = Template {
        width,
        height,
        ppi,
        finger,
        quality,
        minutiae,
    };
    template.check(LABEL)?;
    Ok(template)
}

fn read_minutia(r: &mut Reader) -> Result<Minutia> {
    let x = r.f32("x")?;
    let y = r.f32("y")?;
    let direction = r.f32("direction")?;
    let kind = match r.u8("kind")? {
        0 => MinutiaKind::Ending,
        1 => MinutiaKind::Bifurcation,
        2 => MinutiaKind::Other,
        code => return Err(r.error(format!("unknown minutia kind code {code}"))),
    };
    let quality = r.u8("quality")?;
    Ok(Minutia {
        x,
        y,
        direction,
        kind,
        quality,
    })
}

/// Writes views (already checked by `Template::check`) as a galton record.
pub(super) fn encode(views: &[Template]) -> Result<Vec<u8>> {
    let error = |reason: String| Error::template(LABEL, reason);
    let count = u16::try_from(views.len()).map_err(|_| {
        error(format!(
            "{} finger views: a record holds 65535 at most",
            views.len()
        ))
    })?;
    let size = views.iter().fold(HEADER as u64 + CRC as u64, |size, view| {
        size + VIEW + MINUTIA * view.minutiae.len() as u64
    });
    let length =
        u32::try_from(size).map_err(|_| error(format!("record of {size} bytes exceeds 4 GiB")))?;
    let mut w = Writer::with_capacity(size as usize);
    w.bytes(MAGIC);
    w.u8(VERSION);
    w.u8(0); // flags
    w.u16(count);
    w.u32(length);
    for view in views {
        w.u32(view.width);
        w.u32(view.height);
        w.f32(view.ppi);
        w.u8(view.finger.map_or(ABSENT, FingerPosition::code));
        w.u8(view.quality.unwrap_or(ABSENT));
        // Fits: the record length, which counts 14 bytes a minutia, fits in 32 bits.
        w.u32(view.minutiae.len() as u32);
        for m in &view.minutiae {
            w.f32(m.x);
            w.f32(m.y);
            w.f32(m.direction);
            w.u8(match m.kind {
                MinutiaKind::Ending => 0,
                MinutiaKind::Bifurcation => 1,
                MinutiaKind::Other => 2,
            });
            w.u8(m.quality);
        }
    }
    let crc = crc32fast::hash(w.as_bytes());
    w.u32(crc);
    Ok(w.into_bytes())
}

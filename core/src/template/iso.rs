//! ISO/IEC 19794-2:2005 finger minutiae record.
//!
//! All multi-byte fields are big-endian. "Writes" and "reads" say what galton puts in a
//! field and what it does with it.
//!
//! ## Record header (24 bytes)
//!
//! | offset | size | field | writes | reads |
//! |---:|---:|---|---|---|
//! | 0 | 4 | format identifier `FMR\0` | | must match |
//! | 4 | 4 | version ` 20\0` | | must match |
//! | 8 | 4 | record length, header included | | must equal the size of the views; bytes past it must be zero padding |
//! | 12 | 2 | capture equipment: compliance (4 bits), ID (12 bits) | 0 (unknown) | ignored |
//! | 14 | 2 | image width, pixels | | |
//! | 16 | 2 | image height, pixels | | |
//! | 18 | 2 | horizontal resolution, pixels per cm | `round(ppi / 2.54)` | `ppi = ppcm × 2.54` |
//! | 20 | 2 | vertical resolution, pixels per cm | same | must equal the horizontal one |
//! | 22 | 1 | number of finger views | | at least 1 |
//! | 23 | 1 | reserved | 0 | ignored |
//!
//! Then the finger views, one after the other. ANSI INCITS 378-2004 views are the same
//! (only its angle unit differs), see [`super::ansi`].
//!
//! ## Finger view
//!
//! | offset | size | field | writes | reads |
//! |---:|---:|---|---|---|
//! | 0 | 1 | finger position code 0–10 | `None` as 0 | 0 as `Some(Unknown)`; above 10 is an error |
//! | 1 | 1 | view number (high 4 bits), impression type (low 4 bits) | n-th view of that finger, 0 (live-scan plain) | ignored |
//! | 2 | 1 | finger quality 0–100 | `None` as 0 | `Some(quality)` |
//! | 3 | 1 | number of minutiae *n* | | |
//! | 4 | 6 *n* | minutiae, below | | |
//! | 4 + 6 *n* | 2 | extended data block length *e* | 0 | |
//! | 6 + 6 *n* | *e* | extended data areas (ridge counts, cores and deltas, vendor data) | none | skipped whole |
//!
//! ## Minutia (6 bytes)
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 2 | type (top 2 bits: `01` ridge ending, `10` bifurcation, `00` other; `11` is an error), x (14 bits) |
//! | 2 | 2 | reserved (2 bits, ignored), y (14 bits) |
//! | 4 | 1 | direction, counter-clockwise from the x axis, in units of 360/256 = 1.40625° |
//! | 5 | 1 | quality 0–100 |
//!
//! ## Quantisation
//!
//! Writing rounds positions to whole pixels (half away from zero; 0–16383 must hold them),
//! directions to the nearest angle unit (modulo a full turn) and the resolution to whole
//! pixels per centimetre: 500 ppi is written as 197 px/cm and read back as 500.38 ppi. All
//! views of a record share the image size and resolution of the header.
//!
//! ## Telling ISO from ANSI
//!
//! Both standards start with `FMR\0 20\0`. ISO follows with a 4-byte record length, ANSI
//! with a 2-byte one (or 0 and a 4-byte one) and a CBEFF product identifier, which shifts
//! every later field. galton decodes the record both ways: it is the format whose reading
//! succeeds, where the record length agrees with the views it holds and the bytes given and
//! every field is valid. Real records satisfy one reading only; should a contrived one
//! satisfy both, ISO wins. When neither reading succeeds, the record length fields pick the
//! format whose error is reported: bytes 8–9 (ANSI's 2-byte length, the top of ISO's) of 26
//! or more mean ANSI, 1 to 25 mean ISO, and 0 means ANSI's 6-byte form if bytes 10–11 are
//! below 24, ISO otherwise.

use super::fmr::{self, Dialect};
use super::reader::{Reader, Writer};
use super::Template;
use crate::error::{Error, Result};
use crate::limits::TemplateLimits;

/// Name in errors.
pub(super) const LABEL: &str = "ISO 19794-2";

const DIALECT: Dialect = Dialect {
    label: LABEL,
    angle_steps: 256,
};

/// Bytes before the fields shared with ANSI: identifier, version, length, equipment.
const PREFIX: usize = 14;

/// Reads an ISO record, checking everything in the tables above.
pub(super) fn decode(bytes: &[u8], limits: &TemplateLimits) -> Result<Vec<Template>> {
    let mut r = Reader::new(bytes, LABEL);
    fmr::read_magic(&mut r)?;
    let length = r.u32("record length")?;
    r.limit(length.into())?;
    r.u16("capture equipment")?;
    fmr::read_views(&mut r, &DIALECT, limits)
}

/// Writes views (already checked by `Template::check`) as an ISO record.
pub(super) fn encode(views: &[Template]) -> Result<Vec<u8>> {
    let mut body = Writer::default();
    fmr::write_views(&mut body, views, &DIALECT)?;
    let length = u32::try_from(PREFIX + body.len())
        .map_err(|_| Error::template(LABEL, "record longer than 4 GiB"))?;
    let mut w = Writer::with_capacity(PREFIX + body.len());
    w.bytes(fmr::MAGIC);
    w.bytes(fmr::VERSION);
    w.u32(length);
    w.u16(0); // capture equipment: compliance and ID unknown
    w.bytes(&body.into_bytes());
    Ok(w.into_bytes())
}

//! ANSI INCITS 378-2004 finger minutiae record.
//!
//! All multi-byte fields are big-endian. The finger views, their minutiae and extended data
//! are laid out as in ISO/IEC 19794-2:2005 (see [`super::iso`]) except for the angle: ANSI
//! counts directions in units of 2°, codes 0–179 (a larger code is an error).
//!
//! ## Record header (26 bytes, or 30 with the 6-byte record length)
//!
//! | offset | size | field | writes | reads |
//! |---:|---:|---|---|---|
//! | 0 | 4 | format identifier `FMR\0` | | must match |
//! | 4 | 4 | version ` 20\0` | | must match |
//! | 8 | 2 | record length, header included; 0 means the next 4 bytes hold it | length if below 65536 | must equal the size of the views; bytes past it must be zero padding |
//! | (10) | (4) | record length, present only when the 2-byte one is 0 | length if 65536 or more | as above |
//! | 10 | 4 | CBEFF product identifier: owner (2), type (2) | 0, 0 (not registered) | ignored |
//! | 14 | 2 | capture equipment: compliance (4 bits), ID (12 bits) | 0 (unknown) | ignored |
//! | 16 | 2 | image width, pixels | | |
//! | 18 | 2 | image height, pixels | | |
//! | 20 | 2 | horizontal resolution, pixels per cm | `round(ppi / 2.54)` | `ppi = ppcm × 2.54` |
//! | 22 | 2 | vertical resolution, pixels per cm | same | must equal the horizontal one |
//! | 24 | 1 | number of finger views | | at least 1 |
//! | 25 | 1 | reserved | 0 | ignored |
//!
//! Offsets from 10 on move 4 bytes further with the 6-byte record length. Quantisation and
//! how ANSI is told from ISO are described in [`super::iso`].

use super::fmr::{self, Dialect};
use super::reader::{Reader, Writer};
use super::Template;
use crate::error::{Error, Result};
use crate::limits::TemplateLimits;

/// Name in errors.
pub(super) const LABEL: &str = "ANSI 378";

const DIALECT: Dialect = Dialect {
    label: LABEL,
    angle_steps: 180,
};

/// Bytes before the fields shared with ISO, with the 2-byte record length: identifier,
/// version, length, CBEFF product identifier, equipment.
const PREFIX: usize = 16;
/// Extra bytes of the 6-byte record length form.
const LONG_LENGTH: usize = 4;

/// Reads an ANSI record, checking everything in the table above.
pub(super) fn decode(bytes: &[u8], limits: &TemplateLimits) -> Result<Vec<Template>> {
    let mut r = Reader::new(bytes, LABEL);
    fmr::read_magic(&mut r)?;
    let length = match r.u16("record length")? {
        0 => r.u32("6-byte record length")?,
        short => short.into(),
    };
    r.limit(length.into())?;
    r.u32("CBEFF product identifier")?;
    r.u16("capture equipment")?;
    fmr::read_views(&mut r, &DIALECT, limits)
}

/// Writes views (already checked by `Template::check`) as an ANSI record.
pub(super) fn encode(views: &[Template]) -> Result<Vec<u8>> {
    let mut body = Writer::default();
    fmr::write_views(&mut body, views, &DIALECT)?;
    let short = PREFIX + body.len();
    let mut w = Writer::with_capacity(short + LONG_LENGTH);
    w.bytes(fmr::MAGIC);
    w.bytes(fmr::VERSION);
    match u16::try_from(short) {
        Ok(length) => w.u16(length),
        Err(_) => {
            let length = u32::try_from(short + LONG_LENGTH)
                .map_err(|_| Error::template(LABEL, "record longer than 4 GiB"))?;
            w.u16(0);
            w.u32(length);
        }
    }
    w.u32(0); // CBEFF product identifier: owner and type not registered
    w.u16(0); // capture equipment: compliance and ID unknown
    w.bytes(&body.into_bytes());
    Ok(w.into_bytes())
}

//! Minutiae templates and their interchange formats.
//!
//! A [`Template`] is one finger view: image size, resolution, optional finger position and
//! quality, and the minutiae. It is written and read in three binary formats
//! ([`TemplateFormat`]) and as JSON; the format of bytes being read is detected from their
//! content ([`TemplateFormat::detect`]).
//!
//! | format | magic | what it keeps | byte layout |
//! |---|---|---|---|
//! | galton | `GLTN` | everything, bit for bit; CRC-32 | [`native`] |
//! | ISO/IEC 19794-2:2005 | `FMR\0`, ` 20\0` | integer pixels, 1.40625° directions, px/cm | [`iso`] |
//! | ANSI INCITS 378-2004 | `FMR\0`, ` 20\0` | integer pixels, 2° directions, px/cm | [`ansi`] |
//! | JSON | `{` | everything; directions in degrees | [`json`] |
//!
//! One record may hold several finger views: [`encode_views`] and [`decode_views`] write and
//! read them all; [`Template::to_bytes`] and [`Template::from_bytes`] handle one.
//!
//! ```
//! use galton::template::{Minutia, MinutiaKind, Template, TemplateFormat};
//!
//! # fn main() -> galton::Result<()> {
//! let template = Template {
//!     width: 388,
//!     height: 374,
//!     ppi: 500.0,
//!     finger: None,
//!     quality: Some(80),
//!     minutiae: vec![Minutia { x: 120.0, y: 200.0, direction: 1.5, kind: MinutiaKind::Ending, quality: 60 }],
//! };
//! let iso = template.to_bytes(TemplateFormat::Iso19794_2)?;
//! assert_eq!(TemplateFormat::detect(&iso)?, TemplateFormat::Iso19794_2);
//! let back = Template::from_bytes(&iso)?;
//! assert_eq!(back.minutiae[0].x, 120.0);
//! assert!((back.ppi - 500.38).abs() < 0.01); // 197 pixels per cm
//! # Ok(())
//! # }
//! ```
//!
//! ## Conventions
//! - Positions are in pixels of the original image, origin at the top-left corner, x to the
//!   right and y downwards.
//! - Directions are in radians in `[0, 2π)`, measured counter-clockwise from the x axis as a
//!   person sees the image (so a direction θ points along `(cos θ, −sin θ)` in pixel
//!   coordinates), following ISO/IEC 19794-2 and ANSI INCITS 378: a bifurcation points along
//!   the valley between its two branches, a ridge ending points back along its ridge.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits::{Limit, TemplateLimits};

pub mod ansi;
mod fmr;
pub mod iso;
pub mod json;
pub mod native;
mod reader;

/// The kind of a minutia.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinutiaKind {
    /// A ridge that ends.
    Ending,
    /// A ridge that splits in two.
    Bifurcation,
    /// Type not determined (ISO/ANSI type code "other").
    Other,
}

/// One minutia: a ridge ending or bifurcation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Minutia {
    /// Column, in pixels of the original image.
    pub x: f32,
    /// Row, in pixels of the original image (downwards).
    pub y: f32,
    /// Direction in radians, `[0, 2π)`, counter-clockwise as seen (see the module docs).
    pub direction: f32,
    /// Ending or bifurcation.
    pub kind: MinutiaKind,
    /// Reliability of the minutia, 0 (unknown/poor) to 100 (certain).
    pub quality: u8,
}

/// Finger position, with the codes of ISO/IEC 19794-2 and ANSI INCITS 378 (table "finger
/// position codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum FingerPosition {
    Unknown = 0,
    RightThumb = 1,
    RightIndex = 2,
    RightMiddle = 3,
    RightRing = 4,
    RightLittle = 5,
    LeftThumb = 6,
    LeftIndex = 7,
    LeftMiddle = 8,
    LeftRing = 9,
    LeftLittle = 10,
}

impl FingerPosition {
    /// All positions, in code order.
    pub const ALL: [FingerPosition; 11] = [
        FingerPosition::Unknown,
        FingerPosition::RightThumb,
        FingerPosition::RightIndex,
        FingerPosition::RightMiddle,
        FingerPosition::RightRing,
        FingerPosition::RightLittle,
        FingerPosition::LeftThumb,
        FingerPosition::LeftIndex,
        FingerPosition::LeftMiddle,
        FingerPosition::LeftRing,
        FingerPosition::LeftLittle,
    ];

    /// The standard code (0–10).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The position for a standard code, or an error naming the code.
    pub fn from_code(code: u8) -> Result<Self> {
        Self::ALL
            .get(code as usize)
            .copied()
            .ok_or_else(|| Error::InvalidArgument(format!("unknown finger position code {code}")))
    }

    /// The position's name in kebab case: `right-thumb` … `left-little`, `unknown`.
    pub fn name(self) -> &'static str {
        const NAMES: [&str; 11] = [
            "unknown",
            "right-thumb",
            "right-index",
            "right-middle",
            "right-ring",
            "right-little",
            "left-thumb",
            "left-index",
            "left-middle",
            "left-ring",
            "left-little",
        ];
        NAMES[self as usize]
    }
}

impl std::fmt::Display for FingerPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for FingerPosition {
    type Err = Error;

    /// Parses a name (`right-index`, case and `_`/`-` insensitive) or a code (`0`–`10`).
    fn from_str(text: &str) -> Result<Self> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        if let Ok(code) = wanted.parse::<u8>() {
            return FingerPosition::from_code(code);
        }
        FingerPosition::ALL
            .into_iter()
            .find(|p| p.name() == wanted)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown finger {text:?}: expected a code 0-10 or one of right-thumb, \
                     right-index, right-middle, right-ring, right-little, left-thumb, \
                     left-index, left-middle, left-ring, left-little"
                ))
            })
    }
}

/// One finger view's minutiae and the capture facts needed to interpret them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Width of the source image, in pixels.
    pub width: u32,
    /// Height of the source image, in pixels.
    pub height: u32,
    /// Resolution of the source image, in pixels per inch.
    pub ppi: f32,
    /// Finger position, if known.
    pub finger: Option<FingerPosition>,
    /// Overall quality of the view, 0–100, if known.
    pub quality: Option<u8>,
    /// The minutiae.
    pub minutiae: Vec<Minutia>,
}

/// The binary and text formats a [`Template`] can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateFormat {
    /// galton's own compact versioned binary format (magic `GLTN`), lossless.
    Galton,
    /// ISO/IEC 19794-2:2005 finger minutiae record (magic `FMR\0`, version ` 20\0`).
    Iso19794_2,
    /// ANSI INCITS 378-2004 finger minutiae record (magic `FMR\0`, version ` 20\0`).
    Ansi378,
    /// JSON (positions in pixels, directions in degrees).
    Json,
}

impl TemplateFormat {
    /// All formats, in the order of [`TemplateFormat::name`]'s list.
    pub const ALL: [TemplateFormat; 4] = [
        TemplateFormat::Galton,
        TemplateFormat::Iso19794_2,
        TemplateFormat::Ansi378,
        TemplateFormat::Json,
    ];

    /// Detects the format of a record from its content.
    ///
    /// - `GLTN` at the start: galton's own format.
    /// - `FMR\0` then ` 20\0`: ISO/IEC 19794-2:2005 or ANSI INCITS 378-2004, told apart by
    ///   structure (see [`iso`](iso#telling-iso-from-ansi)). Other `FMR` versions (ISO
    ///   2011 `030`, ANSI 2009 ` 30`) are refused with an error naming them.
    /// - `{` after optional whitespace (and UTF-8 byte order mark): JSON.
    ///
    /// Only the ISO/ANSI choice looks past the first bytes; the record is not otherwise
    /// validated, so detection can succeed on a record that then fails to decode.
    pub fn detect(bytes: &[u8]) -> Result<TemplateFormat> {
        Ok(match sniff(bytes)? {
            Sniffed::Galton => TemplateFormat::Galton,
            Sniffed::Json => TemplateFormat::Json,
            Sniffed::Fmr => fmr::decode_detected(bytes, &TemplateLimits::UNLIMITED).0,
        })
    }

    /// The usual file extension, without the dot: `gltn`, `iso`, `ansi` or `json`.
    pub fn extension(self) -> &'static str {
        match self {
            TemplateFormat::Galton => "gltn",
            TemplateFormat::Iso19794_2 => "iso",
            TemplateFormat::Ansi378 => "ansi",
            TemplateFormat::Json => "json",
        }
    }

    /// The short name, as accepted by [`FromStr`](std::str::FromStr): `galton`, `iso`,
    /// `ansi` or `json`. The [`Display`](std::fmt::Display) form names the standard in full.
    pub fn name(self) -> &'static str {
        match self {
            TemplateFormat::Galton => "galton",
            TemplateFormat::Iso19794_2 => "iso",
            TemplateFormat::Ansi378 => "ansi",
            TemplateFormat::Json => "json",
        }
    }

    /// The name used in [`Error::InvalidTemplate`].
    fn label(self) -> &'static str {
        match self {
            TemplateFormat::Galton => native::LABEL,
            TemplateFormat::Iso19794_2 => iso::LABEL,
            TemplateFormat::Ansi378 => ansi::LABEL,
            TemplateFormat::Json => json::LABEL,
        }
    }
}

impl std::fmt::Display for TemplateFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TemplateFormat::Galton => "galton template",
            TemplateFormat::Iso19794_2 => "ISO/IEC 19794-2:2005",
            TemplateFormat::Ansi378 => "ANSI INCITS 378-2004",
            TemplateFormat::Json => "galton JSON template",
        })
    }
}

impl std::str::FromStr for TemplateFormat {
    type Err = Error;

    /// Parses a short name (`galton`, `iso`, `ansi`, `json`, any case) or the extension `gltn`.
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim();
        TemplateFormat::ALL
            .into_iter()
            .find(|f| {
                wanted.eq_ignore_ascii_case(f.name()) || wanted.eq_ignore_ascii_case(f.extension())
            })
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown template format {s:?}: expected one of galton, iso, ansi, json"
                ))
            })
    }
}

impl Template {
    /// Writes this template as a one-view record in `format`.
    ///
    /// Errors if the template cannot be represented: a non-finite position or direction, a
    /// resolution that is not a positive number, a quality above 100, and for ISO/ANSI a
    /// coordinate beyond 14 bits, more than 255 minutiae or an image side beyond 65535
    /// pixels. ISO and ANSI round positions to whole pixels, directions to their angle unit
    /// and the resolution to whole pixels per centimetre (see [`iso`]).
    pub fn to_bytes(&self, format: TemplateFormat) -> Result<Vec<u8>> {
        encode_views(std::slice::from_ref(self), format)
    }

    /// Reads a record in any of the formats, detected from its content
    /// ([`TemplateFormat::detect`]). If the record holds several finger views this returns
    /// the first; use [`decode_views`] to get them all.
    pub fn from_bytes(bytes: &[u8]) -> Result<Template> {
        Template::from_bytes_with_limits(bytes, &TemplateLimits::default())
    }

    /// As [`Template::from_bytes`], with explicit limits on the record's size, views and
    /// minutiae ([`Error::LimitExceeded`]).
    pub fn from_bytes_with_limits(bytes: &[u8], limits: &TemplateLimits) -> Result<Template> {
        // Every decoder refuses a record without views: the error is for form's sake.
        decode_views_with_limits(bytes, limits)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::template("unknown", "record holds no finger views"))
    }

    /// Checks what every format requires, naming the first problem.
    fn check(&self, format: &'static str) -> Result<()> {
        if !(self.ppi.is_finite() && self.ppi > 0.0) {
            return Err(Error::template(
                format,
                format!("resolution {} ppi is not a positive number", self.ppi),
            ));
        }
        if let Some(quality) = self.quality.filter(|&q| q > 100) {
            return Err(Error::template(
                format,
                format!("view quality {quality} is above 100"),
            ));
        }
        for (i, m) in self.minutiae.iter().enumerate() {
            let problem = if !(m.x.is_finite() && m.y.is_finite()) {
                format!("position ({}, {}) is not finite", m.x, m.y)
            } else if !m.direction.is_finite() {
                format!("direction {} is not finite", m.direction)
            } else if m.quality > 100 {
                format!("quality {} is above 100", m.quality)
            } else {
                continue;
            };
            return Err(Error::template(
                format,
                format!("minutia {}: {problem}", i + 1),
            ));
        }
        Ok(())
    }
}

/// Reads every finger view of a record in any of the formats (detected from its content, see
/// [`TemplateFormat::detect`]), in record order. A record always holds at least one view.
/// The default [`TemplateLimits`] apply: see [`decode_views_with_limits`].
pub fn decode_views(bytes: &[u8]) -> Result<Vec<Template>> {
    decode_views_with_limits(bytes, &TemplateLimits::default())
}

/// As [`decode_views`], refusing with [`Error::LimitExceeded`] a record longer than
/// `limits.max_bytes` (before reading it), or with more views or minutiae in a view than
/// `limits` allow (before allocating them).
pub fn decode_views_with_limits(bytes: &[u8], limits: &TemplateLimits) -> Result<Vec<Template>> {
    Limit::TemplateBytes.check(bytes.len() as u64, limits.max_bytes as u64)?;
    match sniff(bytes)? {
        Sniffed::Galton => native::decode(bytes, limits),
        Sniffed::Json => json::decode(bytes, limits),
        Sniffed::Fmr => fmr::decode_detected(bytes, limits).1,
    }
}

/// Reads every finger view of a record that must be in `format`, without detection: for a
/// caller that knows what it was given (a file named `.iso`, a field of a message) and wants
/// a record of another format refused rather than read. ISO and ANSI records share their
/// first bytes, so an ANSI record given as ISO (or the reverse) fails with that format's
/// error. A record always holds at least one view. Under the default [`TemplateLimits`].
pub fn decode_views_as(bytes: &[u8], format: TemplateFormat) -> Result<Vec<Template>> {
    decode_views_as_with_limits(bytes, format, &TemplateLimits::default())
}

/// [`decode_views_as`] under explicit limits.
pub fn decode_views_as_with_limits(
    bytes: &[u8],
    format: TemplateFormat,
    limits: &TemplateLimits,
) -> Result<Vec<Template>> {
    Limit::TemplateBytes.check(bytes.len() as u64, limits.max_bytes as u64)?;
    match format {
        TemplateFormat::Galton => native::decode(bytes, limits),
        TemplateFormat::Iso19794_2 => iso::decode(bytes, limits),
        TemplateFormat::Ansi378 => ansi::decode(bytes, limits),
        TemplateFormat::Json => json::decode(bytes, limits),
    }
}

/// Writes several finger views as one record in `format`, in order. There must be at least
/// one view. ISO and ANSI records hold at most 255 views, which share one image size and
/// resolution, and number the views of each finger position 0–15 (so at most 16 views of
/// one finger, `None` counting as unknown); galton records hold at most 65535 views. See
/// [`Template::to_bytes`] for what each view must satisfy.
pub fn encode_views(views: &[Template], format: TemplateFormat) -> Result<Vec<u8>> {
    let label = format.label();
    if views.is_empty() {
        return Err(Error::template(label, "no finger views to write"));
    }
    for (i, view) in views.iter().enumerate() {
        view.check(label)
            .map_err(|e| reader::in_context(e, format_args!("view {}", i + 1)))?;
    }
    match format {
        TemplateFormat::Galton => native::encode(views),
        TemplateFormat::Iso19794_2 => iso::encode(views),
        TemplateFormat::Ansi378 => ansi::encode(views),
        TemplateFormat::Json => json::encode(views),
    }
}

/// Brings a direction in radians into `[0, 2π)` as an f32.
fn normalise_direction(radians: f64) -> f32 {
    let wrapped = radians.rem_euclid(std::f64::consts::TAU) as f32;
    // Rounding to f32 can land on 2π itself.
    if wrapped >= std::f32::consts::TAU {
        0.0
    } else {
        wrapped
    }
}

/// What the first bytes say.
enum Sniffed {
    Galton,
    Json,
    /// `FMR\0 20\0`: ISO 19794-2:2005 or ANSI 378-2004, to be told apart by structure.
    Fmr,
}

fn sniff(bytes: &[u8]) -> Result<Sniffed> {
    const UNKNOWN: &str = "unknown";
    if bytes.is_empty() {
        return Err(Error::template(UNKNOWN, "empty input"));
    }
    if bytes.starts_with(native::MAGIC) {
        return Ok(Sniffed::Galton);
    }
    if bytes.starts_with(fmr::MAGIC) {
        return fmr::check_version(bytes).map(|()| Sniffed::Fmr);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(Sniffed::Json);
    }
    if bytes.len() < 4 && (native::MAGIC.starts_with(bytes) || fmr::MAGIC.starts_with(bytes)) {
        return Err(Error::template(
            UNKNOWN,
            format!(
                "truncated: {} bytes are too few to tell the format",
                bytes.len()
            ),
        ));
    }
    let start = &bytes[..bytes.len().min(4)];
    Err(Error::template(
        UNKNOWN,
        format!(
            "wrong magic: the record starts with {start:02X?}; expected \"GLTN\" (galton), \
             \"FMR\\0\" (ISO 19794-2 / ANSI 378) or a JSON object"
        ),
    ))
}

//! Minutiae templates and their interchange formats.
//!
//! A [`Template`] is one finger view: image size, resolution, optional finger position and
//! quality, and the minutiae. It is written and read in three binary formats
//! ([`TemplateFormat`]) and as JSON; the format of bytes being read is detected from their
//! content ([`TemplateFormat::detect`]).
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

mod ansi;
mod iso;
mod native;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

//! # galton
//!
//! Biometric matching for institutions that must make sure each person holds exactly one
//! identity: fingerprint minutiae extraction, interoperable templates (galton's own format,
//! ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004), matching, face-embedding comparison, and
//! deduplication.
//!
//! ## Pipeline
//!
//! 1. [`image`]: decode PNG, BMP, TIFF, JPEG or PGM (8- or 16-bit, gray or colour) into an
//!    8-bit grayscale [`image::FingerprintImage`] that carries its resolution.
//! 2. [`fingerprint`]: segmentation → orientation field → ridge frequency → contextual
//!    enhancement → skeleton → minutiae → removal of false minutiae.
//! 3. [`template`]: the resulting [`Template`] and its interchange formats.
//!
//! [`matcher`] compares templates; [`evaluation`] turns genuine and impostor scores into the
//! FVC error rates (EER, FMR100, FMR1000, ZeroFMR) and DET curves.
//!
//! ```no_run
//! use galton::{fingerprint, image::FingerprintImage};
//!
//! # fn main() -> Result<(), galton::Error> {
//! let image = FingerprintImage::open("101_1.tif", 500.0)?;
//! let template = fingerprint::extract(&image)?;
//! println!("{} minutiae", template.minutiae.len());
//! # Ok(())
//! # }
//! ```

pub mod error;
pub mod evaluation;
pub mod face;
pub mod fingerprint;
pub mod gallery;
pub mod image;
pub mod limits;
pub mod matcher;
pub mod metrics;
pub mod quality;
pub mod synth;
pub mod template;

pub use error::{Error, Result};
pub use limits::{Limit, Limits};
pub use template::{FingerPosition, Minutia, MinutiaKind, Template};

/// The README's Rust examples, compiled and run as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

//! Resource limits on everything galton decodes: images, template records, face embeddings
//! and face index files.
//!
//! galton reads files that come from anywhere. Each limit bounds what a hostile or broken
//! input can make galton allocate or compute, and is checked before the memory is
//! allocated; a refusal is [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming
//! the [`Limit`], its value and what the input asked for. Every limit can be raised (or
//! lowered) by the integrator: the `*_with_limits` entry points take them, the plain ones
//! use the defaults.
//!
//! | limit | default | why |
//! |---|---|---|
//! | [`DecodeLimits::max_side`] | 8192 px | a 1000 ppi four-finger slap is about 3200 × 3000 px |
//! | [`DecodeLimits::max_pixels`] | 32 Mpx | the largest accepted image in gray is 32 MiB |
//! | [`DecodeLimits::max_bytes`] | 64 MiB | a 32 Mpx image stored uncompressed at 16-bit gray |
//! | [`TemplateLimits::max_bytes`] | 1 MiB | 255 ISO views of 255 minutiae take 0.4 MiB; ten fingers × three views of 255 minutiae in JSON ~0.7 MiB |
//! | [`TemplateLimits::max_views`] | 255 | the most an ISO/ANSI record holds (galton records could hold 65535) |
//! | [`TemplateLimits::max_minutiae`] | 255 | the most an ISO/ANSI view holds; extraction gives at most 150 |
//! | [`FaceLimits::max_dimension`] | 4096 ([`MAX_DIMENSION`]) | models in use give 128 to 1024 values |
//! | [`FaceLimits::max_index_vectors`] | 2³² − 1 | row numbers of an index are 32-bit |
//!
//! ```
//! use galton::template::{decode_views_with_limits, Minutia, MinutiaKind, Template, TemplateFormat};
//! use galton::{Error, Limit, Limits};
//!
//! # fn main() -> galton::Result<()> {
//! let minutia = Minutia { x: 1.0, y: 2.0, direction: 0.5, kind: MinutiaKind::Ending, quality: 50 };
//! let view = Template {
//!     width: 400, height: 400, ppi: 500.0, finger: None, quality: None,
//!     minutiae: vec![minutia; 300],
//! };
//! let bytes = view.to_bytes(TemplateFormat::Galton)?;
//! // 300 minutiae are more than the default 255 of one view ...
//! let err = Template::from_bytes(&bytes).unwrap_err();
//! assert!(matches!(err, Error::LimitExceeded { limit: Limit::TemplateMinutiae, max: 255, actual: Some(300) }));
//! // ... and accepted once the integrator raises the limit.
//! let mut limits = Limits::default();
//! limits.template.max_minutiae = 1000;
//! assert_eq!(decode_views_with_limits(&bytes, &limits.template)?[0].minutiae.len(), 300);
//! # Ok(())
//! # }
//! ```

pub use crate::face::MAX_DIMENSION;
pub use crate::image::DecodeLimits;
use crate::{Error, Result};

/// All of galton's resource limits, grouped by the kind of input they apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// Image files (fingerprints and faces).
    pub image: DecodeLimits,
    /// Template records (galton, ISO 19794-2, ANSI 378, JSON).
    pub template: TemplateLimits,
    /// Face embeddings and face index files.
    pub face: FaceLimits,
}

/// Limits on template records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateLimits {
    /// Largest record accepted, in bytes.
    pub max_bytes: usize,
    /// Most finger views in one record.
    pub max_views: usize,
    /// Most minutiae in one finger view.
    pub max_minutiae: usize,
}

impl Default for TemplateLimits {
    fn default() -> Self {
        TemplateLimits {
            max_bytes: 1024 * 1024,
            max_views: 255,
            max_minutiae: 255,
        }
    }
}

impl TemplateLimits {
    /// No limit beyond what the formats themselves allow (a record's memory stays bounded
    /// by its length: counts are checked against the bytes present before allocating).
    pub const UNLIMITED: TemplateLimits = TemplateLimits {
        max_bytes: usize::MAX,
        max_views: usize::MAX,
        max_minutiae: usize::MAX,
    };
}

/// Limits on face embeddings and face index files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceLimits {
    /// Largest embedding dimension accepted; at most [`MAX_DIMENSION`], which stays the hard
    /// ceiling (a larger value here is treated as [`MAX_DIMENSION`]).
    pub max_dimension: usize,
    /// Most embeddings a face index file may hold.
    pub max_index_vectors: u64,
}

impl Default for FaceLimits {
    fn default() -> Self {
        FaceLimits {
            max_dimension: MAX_DIMENSION,
            max_index_vectors: u64::from(u32::MAX),
        }
    }
}

/// Which limit an input went over (see the [module docs](self) for the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`DecodeLimits::max_side`]: width or height of an image.
    ImageSide,
    /// [`DecodeLimits::max_pixels`]: pixels of an image.
    ImagePixels,
    /// [`DecodeLimits::max_bytes`]: size of an image file.
    ImageBytes,
    /// Memory the image decoder may allocate (8 bytes a pixel of
    /// [`DecodeLimits::max_pixels`]).
    ImageMemory,
    /// [`TemplateLimits::max_bytes`]: size of a template record.
    TemplateBytes,
    /// [`TemplateLimits::max_views`]: finger views in a record.
    TemplateViews,
    /// [`TemplateLimits::max_minutiae`]: minutiae in a finger view.
    TemplateMinutiae,
    /// [`FaceLimits::max_dimension`]: dimension of a face embedding.
    EmbeddingDimension,
    /// [`FaceLimits::max_index_vectors`]: embeddings in a face index file.
    IndexVectors,
}

impl Limit {
    /// The setting that holds this limit, e.g. `DecodeLimits::max_side`.
    pub fn setting(self) -> &'static str {
        match self {
            Limit::ImageSide => "DecodeLimits::max_side",
            Limit::ImagePixels => "DecodeLimits::max_pixels",
            Limit::ImageBytes => "DecodeLimits::max_bytes",
            Limit::ImageMemory => "DecodeLimits::max_pixels",
            Limit::TemplateBytes => "TemplateLimits::max_bytes",
            Limit::TemplateViews => "TemplateLimits::max_views",
            Limit::TemplateMinutiae => "TemplateLimits::max_minutiae",
            Limit::EmbeddingDimension => "FaceLimits::max_dimension",
            Limit::IndexVectors => "FaceLimits::max_index_vectors",
        }
    }

    /// What is limited and its unit, for messages: (thing, unit).
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Limit::ImageSide => ("image side", "pixels"),
            Limit::ImagePixels => ("image", "pixels"),
            Limit::ImageBytes => ("image file", "bytes"),
            Limit::ImageMemory => ("image decoding", "bytes of memory"),
            Limit::TemplateBytes => ("template record", "bytes"),
            Limit::TemplateViews => ("template record", "finger views"),
            Limit::TemplateMinutiae => ("finger view", "minutiae"),
            Limit::EmbeddingDimension => ("face embedding", "dimensions"),
            Limit::IndexVectors => ("face index", "embeddings"),
        }
    }

    /// The refusal of `actual` (when known) against `max`.
    pub(crate) fn exceeded(self, max: u64, actual: Option<u64>) -> Error {
        Error::LimitExceeded {
            limit: self,
            max,
            actual,
        }
    }

    /// Errors when `actual` is over `max`.
    pub(crate) fn check(self, actual: u64, max: u64) -> Result<()> {
        if actual > max {
            Err(self.exceeded(max, Some(actual)))
        } else {
            Ok(())
        }
    }
}

/// The message of [`Error::LimitExceeded`].
pub(crate) fn message(limit: Limit, max: u64, actual: Option<u64>) -> String {
    let (thing, unit) = limit.words();
    let setting = limit.setting();
    match actual {
        Some(actual) => {
            format!("{thing} of {actual} {unit} is over the limit of {max} ({setting})")
        }
        None => format!("{thing} needs more than the limit of {max} {unit} ({setting})"),
    }
}

impl FaceLimits {
    /// Checks an embedding dimension against this limit and the hard ceiling.
    pub(crate) fn check_dimension(&self, dim: usize) -> Result<()> {
        crate::face::check_dimension(dim)?;
        let max = self.max_dimension.min(MAX_DIMENSION);
        Limit::EmbeddingDimension.check(dim as u64, max as u64)
    }
}

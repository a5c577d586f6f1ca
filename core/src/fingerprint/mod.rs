//! Fingerprint feature extraction: from a grayscale image to a minutiae [`Template`].
//!
//! ## Pipeline
//! 1. **Resolution normalisation**: the image (300–1000 ppi) is resampled to 500 ppi
//!    ([`WORKING_PPI`]); minutiae are mapped back to the original pixel grid at the end.
//! 2. **Gray normalisation** to zero local mean and unit local contrast (8 × 8 blocks).
//! 3. **Segmentation** of the fingerprint area from block contrast and gradient coherence,
//!    cleaned morphologically (largest component, no holes).
//! 4. **Orientation field** with coherence from averaged squared gradients, at two scales.
//! 5. **Ridge frequency** from oriented x-signatures (Hong–Wan–Jain), interpolated and smoothed.
//! 6. **Contextual enhancement** with a bank of precomputed oriented Gabor filters.
//! 7. **Binarisation** (sign of the filter response), removal of specks and pin holes.
//! 8. **Thinning** ([`skeleton::thin`]) and structural cleanup of the skeleton (spurs,
//!    bridges, islands, lakes).
//! 9. **Minutiae** by crossing number, directions from ridge tracing snapped to the
//!    orientation field, geometric filtering (border, broken ridges, close pairs, clusters),
//!    quality 0–100, and a cap keeping the best ones.
//!
//! [`Template`]: crate::template::Template
//! [`WORKING_PPI`]: crate::image::WORKING_PPI

mod cleanup;
mod config;
mod enhance;
pub(crate) mod frequency;
mod maps;
pub(crate) mod minutiae;
pub(crate) mod orientation;
pub(crate) mod pipeline;
pub(crate) mod plane;
pub(crate) mod quick;
mod resample;
pub(crate) mod segmentation;
pub mod skeleton;

pub use config::ExtractorConfig;
pub use maps::FeatureMaps;

use crate::error::Result;
use crate::image::FingerprintImage;
use crate::template::Template;

/// The result of [`extract_with_maps`]: the template and the intermediate maps.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The minutiae template.
    pub template: Template,
    /// The intermediate maps (segmentation, orientation, frequency, enhanced image,
    /// skeleton), for display and diagnosis.
    pub maps: FeatureMaps,
}

/// Extracts the minutiae of a fingerprint image with the default configuration.
///
/// Fails with [`Error::InvalidImage`](crate::Error::InvalidImage) for a blank or uniform
/// image, or when too little fingerprint area is found.
pub fn extract(image: &FingerprintImage) -> Result<Template> {
    extract_with_config(image, &ExtractorConfig::default())
}

/// Extracts the minutiae of a fingerprint image with an explicit configuration.
pub fn extract_with_config(image: &FingerprintImage, config: &ExtractorConfig) -> Result<Template> {
    pipeline::run(image, config).map(|(t, _)| t)
}

/// Extracts the minutiae and keeps the intermediate maps.
pub fn extract_with_maps(image: &FingerprintImage) -> Result<Extraction> {
    extract_with_maps_config(image, &ExtractorConfig::default())
}

/// Extracts the minutiae and keeps the intermediate maps, with an explicit configuration.
pub fn extract_with_maps_config(
    image: &FingerprintImage,
    config: &ExtractorConfig,
) -> Result<Extraction> {
    let (template, stages) = pipeline::run(image, config)?;
    Ok(Extraction {
        template,
        maps: stages.into_maps(),
    })
}

/// Extracts many images, in parallel when the `rayon` feature is enabled (sequentially
/// otherwise, with the same results), in input order.
pub fn extract_many(images: &[FingerprintImage]) -> Vec<Result<Template>> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        images.par_iter().map(extract).collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        images.iter().map(extract).collect()
    }
}

#[cfg(test)]
mod tests;

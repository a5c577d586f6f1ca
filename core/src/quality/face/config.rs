//! Thresholds of the face assessment.

use crate::error::{Error, Result};

/// Thresholds and geometry of [`assess`](super::assess). Each measure passes when its raw
/// value (see the measure ids in the [module docs](super)) is on the good side of its
/// threshold; its 0–100 score is 50 exactly at the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceQualityConfig {
    /// `resolution`: the shorter side of the image must be at least this many pixels.
    /// Default 300.
    pub min_image_side_px: f32,
    /// `inter_eye_distance`: at least this many pixels between the eye centres. Default 90,
    /// the ICAO minimum (ICAO recommends 120, which scores 100).
    pub min_inter_eye_px: f32,
    /// Inter-eye distance per pixel of face-box width, used when only a box (or nothing) is
    /// given. Default 0.5: a box round the skin of the face, cheek to cheek at eye level, is
    /// about twice the inter-eye distance (1.9 on the fixture photo). Detector boxes that
    /// take in the ears are wider and make the estimate err high.
    pub inter_eye_per_box_width: f32,
    /// Without a region, the face is assumed to fill the centred box this fraction of the
    /// image's shorter side wide and 1.25 times as tall. Default 0.4.
    pub central_region: f32,
    /// `luminance_mean`: lowest mean luma of the face, 0–1. Default 0.25.
    pub min_luminance_mean: f32,
    /// `luminance_mean`: highest mean luma of the face, 0–1. Default 0.85.
    pub max_luminance_mean: f32,
    /// `luminance_variance`: lowest variance of the face's luma (luma on 0–1). Default
    /// 0.004 (a standard deviation of 16 grey levels).
    pub min_luminance_variance: f32,
    /// `under_exposure`: highest share of face pixels darker than luma 40/255. Default 0.10.
    pub max_under_exposure: f32,
    /// `over_exposure`: highest share of face pixels at luma 247/255 or brighter. Default
    /// 0.05.
    pub max_over_exposure: f32,
    /// `dynamic_range`: lowest entropy of the face's luma histogram, in bits (0–8).
    /// Default 5.5.
    pub min_dynamic_range_bits: f32,
    /// `sharpness`: lowest ratio of mean |Laplacian| to mean |gradient| at the normalised
    /// scale (eyes at most 64 px apart). Default 0.65. On the fixture photo (itself a 2.5×
    /// upscale, so soft): 1.00 as is, 0.79 after a Gaussian blur of σ = 1 px (0.57 px at the
    /// normalised scale), 0.41 after σ = 3.5 px (2 px normalised).
    pub min_sharpness: f32,
    /// `illumination_uniformity`: lowest ratio of the darker half's mean luma to the
    /// brighter half's (0–1). Default 0.70.
    pub min_illumination_uniformity: f32,
    /// `specular_glare`: highest share of face pixels that are specular highlights.
    /// Default 0.015.
    pub max_specular_glare: f32,
}

impl Default for FaceQualityConfig {
    fn default() -> Self {
        FaceQualityConfig {
            min_image_side_px: 300.0,
            min_inter_eye_px: 90.0,
            inter_eye_per_box_width: 0.5,
            central_region: 0.4,
            min_luminance_mean: 0.25,
            max_luminance_mean: 0.85,
            min_luminance_variance: 0.004,
            max_under_exposure: 0.10,
            max_over_exposure: 0.05,
            min_dynamic_range_bits: 5.5,
            min_sharpness: 0.65,
            min_illumination_uniformity: 0.70,
            max_specular_glare: 0.015,
        }
    }
}

impl FaceQualityConfig {
    /// Checks that every field is finite and in its range; [`Error::InvalidArgument`]
    /// names the first one that is not.
    pub fn validate(&self) -> Result<()> {
        let c = self;
        let checks: [(&str, f32, f32, f32); 13] = [
            ("min_image_side_px", c.min_image_side_px, 0.0, f32::MAX),
            ("min_inter_eye_px", c.min_inter_eye_px, 0.0, f32::MAX),
            (
                "inter_eye_per_box_width",
                c.inter_eye_per_box_width,
                1e-3,
                1.0,
            ),
            ("central_region", c.central_region, 1e-3, 1.0),
            ("min_luminance_mean", c.min_luminance_mean, 0.0, 1.0),
            ("max_luminance_mean", c.max_luminance_mean, 0.0, 1.0),
            (
                "min_luminance_variance",
                c.min_luminance_variance,
                0.0,
                0.25,
            ),
            ("max_under_exposure", c.max_under_exposure, 0.0, 1.0),
            ("max_over_exposure", c.max_over_exposure, 0.0, 1.0),
            ("min_dynamic_range_bits", c.min_dynamic_range_bits, 0.0, 8.0),
            ("min_sharpness", c.min_sharpness, 0.0, 4.0),
            (
                "min_illumination_uniformity",
                c.min_illumination_uniformity,
                0.0,
                1.0,
            ),
            ("max_specular_glare", c.max_specular_glare, 0.0, 1.0),
        ];
        for (name, v, lo, hi) in checks {
            if !(lo..=hi).contains(&v) {
                return Err(Error::InvalidArgument(format!(
                    "face quality config: {name} = {v} is outside {lo}..={hi}"
                )));
            }
        }
        if c.min_luminance_mean >= c.max_luminance_mean {
            return Err(Error::InvalidArgument(format!(
                "face quality config: min_luminance_mean {} must be below max_luminance_mean {}",
                c.min_luminance_mean, c.max_luminance_mean
            )));
        }
        Ok(())
    }
}

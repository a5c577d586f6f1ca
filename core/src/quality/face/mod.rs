//! Face image quality in the spirit of OFIQ (ISO/IEC 29794-5), with measures that need no
//! neural network: fast enough to run on every frame of a camera preview.
//!
//! Give [`assess`] a [`FaceImage`] and, when you have one, a [`FaceRegion`] (a face box or
//! the eye centres from the platform's face detector). Without a region the face is assumed
//! to fill the centre of the frame ([`FaceQualityConfig::central_region`]).
//!
//! # Measures
//!
//! Computed on the face region (the box; the box derived from the eyes as documented on
//! [`FaceRegion::Eyes`]; or the central region). Luma is BT.601 (`0.299 R + 0.587 G +
//! 0.114 B`) of the gamma-encoded values as stored, on 0–255 or, where said, 0–1. Each
//! [`Measure`] has a 0–100 score that is 50 exactly at its threshold (in
//! [`FaceQualityConfig`]), 100 at a documented good value, and linear in between and
//! towards a documented zero.
//!
//! | id | value | passes when (default) | 100 at | 0 at |
//! |----|-------|-----------------------|--------|------|
//! | `resolution` | shorter side of the image, px | ≥ 300 | 2 × threshold | 0 |
//! | `inter_eye_distance` | distance between the eye centres, px (measured, or estimated as 0.5 × box width, see [`InterEyeSource`]) | ≥ 90 (ICAO) | 4/3 × threshold (120, ICAO's recommendation) | 0 |
//! | `luminance_mean` | mean luma, 0–1 | 0.25 ..= 0.85 | 0.4 ..= 0.7 | 0 and 1 |
//! | `luminance_variance` | variance of luma on 0–1 | ≥ 0.004 | 4 × threshold | 0 |
//! | `under_exposure` | share of pixels with luma < 40 | ≤ 0.10 | 0.2 × threshold | 0.5 |
//! | `over_exposure` | share of pixels with luma ≥ 247 | ≤ 0.05 | 0.2 × threshold | 0.5 |
//! | `dynamic_range` | entropy of the 256-bin luma histogram, bits | ≥ 5.5 | 7 | 0 |
//! | `sharpness` | mean \|Laplacian\| / mean \|gradient\| of luma box-averaged so the eyes are ≤ 64 px apart (contrast cancels out; blur lowers it) | ≥ 0.65 | threshold + 0.3 | 0.2 |
//! | `illumination_uniformity` | mean luma of the darker half of the face / the brighter half's (halves split at the eyes' midpoint or the box centre) | ≥ 0.70 | 0.9 | 0.3 |
//! | `specular_glare` | share of pixels with luma ≥ 235, HSV saturation ≤ 0.2, and at least 20 levels above the mean of a surrounding box 0.25 inter-eye distances wide (small bright near-white spots; large saturated areas count as over-exposure instead) | ≤ 0.015 | 0.2 × threshold | 0.1 |
//!
//! The unified [`FaceQuality::score`] is the geometric mean of the ten scores (each floored
//! at 1), so one very bad measure pulls it down hard; [`FaceQuality::pass`] is true only
//! when every measure passes.
//!
//! # Feedback
//!
//! Failed measures become [`FaceFeedback`] items, most fundamental first: low resolution,
//! too far, too dark, too bright, low contrast (only when the brightness is fine, since a
//! dark or over-exposed face is always flat), uneven lighting (with the brighter side),
//! glare (not when the whole face is too bright), blur (not when the face has too little
//! variance to judge focus).

mod config;
mod feedback;
mod image;
#[cfg(test)]
mod input_tests;
mod measures;
mod region;
#[cfg(test)]
mod tests;

pub use config::FaceQualityConfig;
pub use feedback::{FaceFeedback, Side};
pub use image::FaceImage;
pub use region::{FaceRegion, InterEyeSource, PixelRect};

use serde::Serialize;

use super::{Locale, Measure};
use crate::error::Result;

/// The verdict on one face image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceQuality {
    /// Unified quality, 0–100: the geometric mean of the measures' scores.
    pub score: f32,
    /// Whether every measure passes.
    pub pass: bool,
    /// The ten measures, in the order of the table in the [module docs](self).
    pub measures: Vec<Measure>,
    /// What to fix, most fundamental first; empty when everything passes.
    pub feedback: Vec<FaceFeedback>,
    /// The pixel rectangle that was analysed.
    pub region: PixelRect,
    /// Whether the inter-eye distance was measured or estimated.
    pub inter_eye_source: InterEyeSource,
}

impl FaceQuality {
    /// The measure with this id, if there is one.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// The feedback messages in `locale`, in order.
    pub fn messages(&self, locale: Locale) -> Vec<&'static str> {
        self.feedback.iter().map(|f| f.message(locale)).collect()
    }
}

/// Assesses the quality of a face image.
///
/// `region` locates the face (see [`FaceRegion`]); `None` means the central region.
/// Errors with [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the region
/// is not finite, has no size, lies (mostly) outside the image, or its eyes coincide, and
/// when the config is out of range.
pub fn assess(
    image: &FaceImage,
    region: Option<&FaceRegion>,
    config: &FaceQualityConfig,
) -> Result<FaceQuality> {
    config.validate()?;
    let (w, h) = (image.width(), image.height());
    let resolved = match region {
        Some(r) => r.resolve(w, h, config)?,
        None => FaceRegion::central(w, h, config),
    };
    let computed = measures::compute(image, &resolved, config);
    let measures = computed.measures;
    let log_sum: f32 = measures.iter().map(|m| m.score.max(1.0).ln()).sum();
    let score = (log_sum / measures.len() as f32).exp().clamp(0.0, 100.0);
    let pass = measures.iter().all(|m| m.pass);
    let feedback = feedback_for(&measures, computed.brighter, config);
    Ok(FaceQuality {
        score,
        pass,
        measures,
        feedback,
        region: resolved.rect,
        inter_eye_source: resolved.source,
    })
}

fn feedback_for(
    measures: &[Measure],
    brighter: Side,
    config: &FaceQualityConfig,
) -> Vec<FaceFeedback> {
    let fails = |id: &str| measures.iter().any(|m| m.id == id && !m.pass);
    let mean = measures
        .iter()
        .find(|m| m.id == "luminance_mean")
        .map_or(0.5, |m| m.value);
    let too_dark = fails("under_exposure") || mean < config.min_luminance_mean;
    let too_bright = fails("over_exposure") || mean > config.max_luminance_mean;
    let mut out = Vec::new();
    if fails("resolution") {
        out.push(FaceFeedback::LowResolution);
    }
    if fails("inter_eye_distance") {
        out.push(FaceFeedback::TooFar);
    }
    if too_dark {
        out.push(FaceFeedback::TooDark);
    }
    if too_bright {
        out.push(FaceFeedback::TooBright);
    }
    if !too_dark && !too_bright && (fails("luminance_variance") || fails("dynamic_range")) {
        out.push(FaceFeedback::LowContrast);
    }
    if fails("illumination_uniformity") {
        out.push(FaceFeedback::UnevenLighting { brighter });
    }
    if fails("specular_glare") && !too_bright {
        out.push(FaceFeedback::Glare);
    }
    // A face without structure (uniform, fogged) cannot be judged for focus.
    if fails("sharpness") && !fails("luminance_variance") {
        out.push(FaceFeedback::Blurred);
    }
    out
}

//! Fingerprint image quality, in the spirit of NFIQ 2 (ISO/IEC 29794-4).
//!
//! [`assess`] resamples the image to 500 ppi and runs the first stages of the extractor
//! (normalisation, segmentation, orientation field, ridge frequency), then measures
//! [`FingerFeatures`] on that: orientation certainty, local clarity, frequency-domain
//! analysis, ridge-valley uniformity, orientation flow (the NFIQ 2 local features, on 32 ×
//! 32-pixel blocks), foreground area and position, gray-level mean and contrast, and a
//! minutiae count from a fast detector. A linear model fitted on FVC2002
//! ([`model`]) turns the features into a 0–100 score that predicts how well the image will
//! match other impressions of the same finger; the features, against the thresholds of
//! [`FingerQualityConfig`], give the [`Measure`]s and the [`FingerFeedback`].
//!
//! ```
//! use galton::image::FingerprintImage;
//! use galton::quality::{finger, Locale};
//!
//! # fn main() -> galton::Result<()> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/synth/1_1.png");
//! let quality = finger::assess(&FingerprintImage::open(path, 500.0)?)?;
//! println!("score {:.0}, pass {}", quality.score, quality.pass);
//! for message in quality.messages(Locale::Es) {
//!     println!("{message}");
//! }
//! # Ok(())
//! # }
//! ```

mod features;
mod feedback;
pub mod model;

pub use features::{FingerFeatures, FEATURE_NAMES, LOCAL_BLOCK};
pub use feedback::FingerFeedback;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fingerprint::pipeline::{self, BLOCK};
use crate::fingerprint::ExtractorConfig;
use crate::image::{FingerprintImage, WORKING_PPI};
use crate::quality::{Locale, Measure};

use model::LinearModel;

/// Thresholds of the fingerprint measures and feedback.
///
/// The defaults were set from the features of the 320 FVC2002 B images (four sensors) and
/// from degraded copies of them (`quality::finger` tests): each sits below the 2nd
/// percentile of the FVC2002 images for "higher is better" features (above the 98th for
/// the others), so that a normal capture passes, and where the degraded copies fall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FingerQualityConfig {
    /// Lowest passing overall score (0–100). Default 35.
    pub min_score: f32,
    /// Ridge/valley width ratio below which ridges are thin and broken: too dry. Default
    /// 0.68 (FVC2002: 2nd percentile 0.70, median 0.93).
    pub dry_ratio: f32,
    /// Ratio above which ridges are thick and merged: too wet. Default 1.45 (FVC2002:
    /// 98th percentile 1.42).
    pub wet_ratio: f32,
    /// Lowest passing contrast, median block standard deviation in gray levels. Default 12
    /// (FVC2002: 2nd percentile 17).
    pub min_contrast: f32,
    /// Smallest passing foreground area in mm². Default 60 (FVC2002: 2nd percentile 92; a
    /// fingertip's contact area on a flat sensor is typically 150–300 mm²).
    pub min_area_mm2: f32,
    /// Largest passing centroid offset (fraction of the half image). Default 0.45 (FVC2002:
    /// 98th percentile 0.44).
    pub max_centre_offset: f32,
    /// Lowest passing local clarity (0–1). Default 0.45 (FVC2002: 2nd percentile 0.45).
    pub min_local_clarity: f32,
    /// Lowest passing orientation certainty (0–1). Default 0.50 (FVC2002: 2nd percentile
    /// 0.50).
    pub min_orientation_certainty: f32,
    /// Fewest passing minutiae (fast detector). Default 12 (ISO/IEC 19794-2 matchers
    /// commonly need 12 or more; FVC2002: 10th percentile 14).
    pub min_minutiae: f32,
}

impl Default for FingerQualityConfig {
    fn default() -> Self {
        FingerQualityConfig {
            min_score: 35.0,
            dry_ratio: 0.68,
            wet_ratio: 1.45,
            min_contrast: 12.0,
            min_area_mm2: 60.0,
            max_centre_offset: 0.45,
            min_local_clarity: 0.45,
            min_orientation_certainty: 0.50,
            min_minutiae: 12.0,
        }
    }
}

/// The quality of one fingerprint image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FingerQuality {
    /// Overall quality 0–100: the model's prediction of matching utility.
    pub score: f32,
    /// Whether the capture is good enough: the score reaches
    /// [`min_score`](FingerQualityConfig::min_score) and every measure passes.
    pub pass: bool,
    /// The individual measures, each scored 0–100 with its verdict.
    pub measures: Vec<Measure>,
    /// What to fix, most specific first; empty when the capture passes.
    pub feedback: Vec<FingerFeedback>,
    /// The raw features, `None` when no fingerprint area was found.
    pub features: Option<FingerFeatures>,
}

impl FingerQuality {
    /// The feedback messages in one language.
    pub fn messages(&self, locale: Locale) -> Vec<&'static str> {
        self.feedback.iter().map(|f| f.message(locale)).collect()
    }

    /// The measure with this id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }
}

/// Measures the quality features of a fingerprint image.
///
/// Fails with [`Error::InvalidImage`] when the image is too small or holds no fingerprint
/// area.
pub fn features(image: &FingerprintImage) -> Result<FingerFeatures> {
    // The extractor smooths the image before estimating orientations, to steady the field
    // on dotted ridges; the quality features want the raw field (and the time).
    let cfg = ExtractorConfig {
        orientation_presmooth: 0.0,
        ..ExtractorConfig::default()
    };
    let front = pipeline::front(image, &cfg)?;
    Ok(features::measure(&front, &cfg))
}

/// Assesses a fingerprint image with the default thresholds.
///
/// An image without fingerprint area (an empty sensor, a uniform frame) is not an error: it
/// scores 0 with [`FingerFeedback::NoFinger`]. An image too small to hold a fingerprint
/// (under 32 × 32 pixels at 500 ppi) is [`Error::InvalidImage`].
pub fn assess(image: &FingerprintImage) -> Result<FingerQuality> {
    assess_with_config(image, &FingerQualityConfig::default())
}

/// Assesses a fingerprint image with explicit thresholds.
pub fn assess_with_config(
    image: &FingerprintImage,
    config: &FingerQualityConfig,
) -> Result<FingerQuality> {
    check(config)?;
    let scale = image.ppi() / WORKING_PPI;
    let min = (4 * BLOCK) as f32;
    if image.width() as f32 / scale < min || image.height() as f32 / scale < min {
        return Err(Error::InvalidImage(format!(
            "{}×{} pixels at {} ppi is too small for a fingerprint",
            image.width(),
            image.height(),
            image.ppi()
        )));
    }
    match features(image) {
        Ok(f) => Ok(judge(f, config)),
        // Past the size check, the front end fails only when it finds no fingerprint area.
        Err(Error::InvalidImage(_)) => Ok(FingerQuality {
            score: 0.0,
            pass: false,
            measures: Vec::new(),
            feedback: vec![FingerFeedback::NoFinger],
            features: None,
        }),
        Err(e) => Err(e),
    }
}

fn check(c: &FingerQualityConfig) -> Result<()> {
    let values = [
        c.min_score,
        c.dry_ratio,
        c.wet_ratio,
        c.min_contrast,
        c.min_area_mm2,
        c.max_centre_offset,
        c.min_local_clarity,
        c.min_orientation_certainty,
        c.min_minutiae,
    ];
    if values.iter().any(|v| !v.is_finite() || *v < 0.0) || c.dry_ratio >= c.wet_ratio {
        return Err(Error::InvalidArgument(format!(
            "inconsistent fingerprint quality thresholds (all finite and ≥ 0, dry_ratio < wet_ratio): {c:?}"
        )));
    }
    Ok(())
}

/// 0–100 on a linear ramp from `bad` to `good` (either order).
fn ramp(value: f32, bad: f32, good: f32) -> f32 {
    (100.0 * (value - bad) / (good - bad)).clamp(0.0, 100.0)
}

fn judge(f: FingerFeatures, c: &FingerQualityConfig) -> FingerQuality {
    let score = LinearModel::FITTED.score(&f);
    let measure = |id, value: f32, bad, good, pass| Measure {
        id,
        score: ramp(value, bad, good),
        pass,
        value,
    };
    let ratio = f.ridge_valley_ratio;
    let ratio_ok = ratio >= c.dry_ratio && ratio <= c.wet_ratio;
    // The ratio scores 100 at 1 (ridges as wide as valleys), 0 at half or twice that.
    let ratio_score = (100.0 * (1.0 - ratio.max(1e-3).ln().abs() / 2f32.ln())).clamp(0.0, 100.0);
    let measures = vec![
        measure(
            "orientation_certainty",
            f.orientation_certainty,
            0.4,
            0.75,
            f.orientation_certainty >= c.min_orientation_certainty,
        ),
        measure(
            "local_clarity",
            f.local_clarity,
            0.35,
            0.65,
            f.local_clarity >= c.min_local_clarity,
        ),
        measure("frequency_domain", f.frequency_domain, 0.28, 0.40, true),
        Measure {
            id: "ridge_valley_ratio",
            score: ratio_score,
            pass: ratio_ok,
            value: ratio,
        },
        measure(
            "ridge_valley_uniformity",
            f.ridge_valley_uniformity,
            0.6,
            0.15,
            true,
        ),
        measure("orientation_flow", f.orientation_flow, 0.3, 0.1, true),
        measure(
            "foreground_area",
            f.foreground_area_mm2,
            0.5 * c.min_area_mm2,
            2.5 * c.min_area_mm2,
            f.foreground_area_mm2 >= c.min_area_mm2,
        ),
        measure(
            "position",
            f.centre_offset,
            1.0,
            0.2,
            f.centre_offset <= c.max_centre_offset,
        ),
        // No verdict of its own (sensors differ widely); scored by the distance from
        // either extreme of the gray scale.
        Measure {
            id: "gray_mean",
            score: (100.0 * (1.0 - (f.gray_mean - 127.5).abs() / 127.5)).clamp(0.0, 100.0),
            pass: true,
            value: f.gray_mean,
        },
        measure(
            "contrast",
            f.contrast,
            0.5 * c.min_contrast,
            2.5 * c.min_contrast,
            f.contrast >= c.min_contrast,
        ),
        measure(
            "minutiae",
            f.minutiae,
            0.0,
            3.0 * c.min_minutiae,
            f.minutiae >= c.min_minutiae,
        ),
    ];
    let failed = |id: &str| measures.iter().any(|m| m.id == id && !m.pass);
    let mut feedback = Vec::new();
    let dry = ratio < c.dry_ratio;
    let wet = ratio > c.wet_ratio;
    if dry {
        feedback.push(FingerFeedback::TooDry);
    }
    if wet {
        feedback.push(FingerFeedback::TooWet);
    }
    if failed("contrast") {
        feedback.push(FingerFeedback::LowContrast);
    }
    if failed("foreground_area") {
        feedback.push(FingerFeedback::SmallArea);
    }
    if failed("position") {
        feedback.push(FingerFeedback::OffCentre);
    }
    if !dry && !wet && (failed("local_clarity") || failed("orientation_certainty")) {
        feedback.push(FingerFeedback::Smudged);
    }
    if failed("minutiae") {
        feedback.push(FingerFeedback::TooFewMinutiae);
    }
    let all_pass = measures.iter().all(|m| m.pass);
    let pass = all_pass && score >= c.min_score;
    if !pass && feedback.is_empty() {
        feedback.push(FingerFeedback::Retry);
    }
    FingerQuality {
        score,
        pass,
        measures,
        feedback,
        features: Some(f),
    }
}

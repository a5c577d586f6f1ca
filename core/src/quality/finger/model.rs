//! The quality model: a linear predictor of matching utility, fitted on FVC2002.
//!
//! Each image's *utility* is its mean galton score against the other impressions of the
//! same finger (all-pairs protocol, FVC2002 DB1–DB4 B sets). A ridge regression on the
//! standardised, transformed features ([`inputs`]) predicts it; the quality score maps the
//! prediction linearly from [`ZERO_UTILITY`] (the level of the highest 1% of impostor scores:
//! an image predicted to match its mates no better than strangers) to [`FULL_UTILITY`].
//!
//! The parameters in `model_params.rs` are written by
//! `cargo run --release -p galton-benches --bin quality -- fit`.

use super::features::FingerFeatures;

include!("model_params.rs");

/// Number of model inputs.
pub const INPUTS: usize = 15;

/// Predicted utility at which the score is 0.
pub const ZERO_UTILITY: f32 = 0.03;
/// Predicted utility at which the score is 100.
pub const FULL_UTILITY: f32 = 0.40;

/// The model inputs: the features, with logarithms for counts and areas and the ridge-valley
/// ratio folded so that thin (dry) and thick (wet) ridges both count as departures from 1.
pub fn inputs(f: &FingerFeatures) -> [f32; INPUTS] {
    [
        f.foreground_area_mm2.max(0.0).ln_1p(),
        f.centre_offset,
        f.gray_mean / 255.0,
        f.contrast.max(0.0).ln_1p(),
        f.orientation_certainty,
        f.local_clarity,
        f.frequency_domain,
        f.ridge_valley_ratio.max(1e-3).ln().abs(),
        f.ridge_valley_uniformity,
        f.orientation_flow,
        f.ridge_clarity,
        f.period_spread,
        f.minutiae.max(0.0).ln_1p(),
        f.good_minutiae.max(0.0).ln_1p(),
        f.local_blocks.max(0.0).ln_1p(),
    ]
}

/// The sign each input's weight may take: `1` where a higher value means a better print,
/// `-1` where it means a worse one, `0` for inputs left out of the model. The fit drops any
/// input whose weight comes out with the wrong sign (collinear inputs otherwise trade
/// weights of opposite signs, which fits FVC2002 but extrapolates absurdly: a faint print
/// scoring higher than a clear one). The gray-level mean and the contrast are left out:
/// across sensors they measure the sensor more than the finger (they drive the feedback
/// instead).
pub const SIGNS: [i8; INPUTS] = [1, -1, 0, 0, 1, 1, 1, -1, -1, -1, 1, -1, 1, 1, 1];

/// A fitted linear model on standardised inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// Mean of each input over the training images.
    pub mean: [f32; INPUTS],
    /// Standard deviation of each input over the training images.
    pub scale: [f32; INPUTS],
    /// Weight of each standardised input.
    pub weights: [f32; INPUTS],
    /// Prediction at the mean input.
    pub intercept: f32,
}

impl LinearModel {
    /// The model shipped with galton.
    pub const FITTED: LinearModel = LinearModel {
        mean: MEAN,
        scale: SCALE,
        weights: WEIGHTS,
        intercept: INTERCEPT,
    };

    /// Predicted utility of an image with these features.
    pub fn utility(&self, features: &FingerFeatures) -> f32 {
        let x = inputs(features);
        let mut u = self.intercept;
        for (((&v, &m), &s), &w) in x.iter().zip(&self.mean).zip(&self.scale).zip(&self.weights) {
            // Inputs far outside the training range do not extrapolate without bound.
            u += w * ((v - m) / s).clamp(-4.0, 4.0);
        }
        u
    }

    /// Quality score 0–100 of an image with these features.
    pub fn score(&self, features: &FingerFeatures) -> f32 {
        let u = self.utility(features);
        (100.0 * (u - ZERO_UTILITY) / (FULL_UTILITY - ZERO_UTILITY)).clamp(0.0, 100.0)
    }
}

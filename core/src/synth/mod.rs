//! Synthetic fingerprints with known ground truth, after SFinGe (Cappelli, Maio, Maltoni).
//!
//! Real fingerprint data is scarce and cannot ship with galton; this module makes as many
//! realistic fingers as a test needs, deterministically from a seed:
//!
//! 1. [`generate_master`]: a **master fingerprint** per finger: fingertip silhouette, pattern
//!    class with its cores and deltas, orientation field (zero-pole model with corrections,
//!    [`orientation`]), ridge-period map, and ridges grown by iterative contextual filtering
//!    from random spots ([`ridges`]); its ground-truth minutiae are read from the ridge
//!    skeleton.
//! 2. [`impression`]: **impressions** of a master: rotation, translation, plastic skin
//!    distortion, partial contact, pressure and skin condition (good, dry, wet), noise and
//!    background, with the ground-truth minutiae carried through the same transformation.
//! 3. [`templates_only`]: a much faster mode without images, producing plausible minutiae sets
//!    and their distorted impressions for scale tests of search and deduplication.
//! 4. [`write_dataset`]: files on disk (PNG + JSON per impression, or JSON lines).
//!
//! Every finger and impression has its own seed derived from the dataset seed
//! ([`finger_seed`], [`impression_seed`]), so output never depends on the number of threads.
//! Coordinates follow [`crate::template`]: pixels, origin top-left, y down, directions
//! counter-clockwise as seen.

use serde::{Deserialize, Serialize};

pub mod class;
pub mod dataset;
pub mod distortion;
pub mod faces;
pub mod field;
pub mod frequency;
pub mod impression;
pub mod master;
mod minutiae;
pub mod orientation;
pub mod population;
pub mod ridges;
pub mod rng;
pub mod shape;
pub mod templates;

pub use class::{PatternClass, Point, Singularities};
pub use dataset::{write_dataset, DatasetSpec};
pub use distortion::Transform;
pub use impression::{impression, Condition, Impression, ImpressionParams};
pub use master::{generate_master, Master, MasterParams};
pub use templates::{templates_only, FingerTemplates};

/// Seed of finger `index` (from 0) in a dataset generated from `seed`.
pub fn finger_seed(seed: u64, index: u64) -> u64 {
    rng::derive_seed(seed, index.wrapping_mul(2).wrapping_add(0x1000))
}

/// Seed of impression `index` (from 0) of the finger whose seed is `finger_seed`.
pub fn impression_seed(finger_seed: u64, index: u64) -> u64 {
    rng::derive_seed(finger_seed, index.wrapping_add(0x2000_0000))
}

/// All settings of the generator. The defaults produce 288 × 384 impressions at 500 ppi,
/// like FVC2002 DB4 (itself made with SFinGe).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SynthConfig {
    /// Width of a master, pixels.
    pub master_width: u32,
    /// Height of a master, pixels.
    pub master_height: u32,
    /// Width of an impression, pixels.
    pub image_width: u32,
    /// Height of an impression, pixels.
    pub image_height: u32,
    /// Resolution, pixels per inch.
    pub ppi: f32,
    /// Weights of arch, tented arch, left loop, right loop, whorl.
    pub class_weights: [f32; 5],
    /// Range of ridge periods, pixels (at 500 ppi real prints are mostly 8–11).
    pub period_range: (f32, f32),
    /// Range of the number of initial spots of the ridge growth (more spots, more minutiae).
    pub spots: (usize, usize),
    /// Ridge growth stops, once ridges cover the fingertip, when fewer than this fraction of
    /// pixels switch between ridge and valley in an iteration.
    pub growth_tolerance: f32,
    /// Ridge growth stops after this many iterations in any case.
    pub max_iterations: usize,
    /// Largest rotation of an impression, degrees.
    pub max_rotation_deg: f32,
    /// Largest translation of an impression, pixels.
    pub max_translation: f32,
    /// Scale of the plastic distortion (0 disables it, 1 is typical).
    pub distortion: f32,
    /// Weights of the skin conditions good, dry, wet.
    pub condition_weights: [f32; 3],
    /// Range of the contact-area size, as a fraction of the fingertip semi-axes.
    pub contact_scale: (f32, f32),
    /// Scale of the sensor noise and background texture (0 for clean images).
    pub noise: f32,
    /// Templates-only mode: minutiae per square millimetre of fingertip.
    pub minutiae_density: f32,
    /// Templates-only mode: probability that a true minutia is missed in an impression.
    pub missing_rate: f32,
    /// Templates-only mode: mean number of spurious minutiae per impression.
    pub spurious_mean: f32,
    /// Templates-only mode: standard deviation of position jitter, pixels.
    pub position_jitter: f32,
    /// Templates-only mode: standard deviation of direction jitter, degrees.
    pub angle_jitter_deg: f32,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            master_width: 320,
            master_height: 416,
            image_width: 288,
            image_height: 384,
            ppi: 500.0,
            class_weights: PatternClass::NATURAL_FREQUENCIES,
            period_range: (8.0, 11.0),
            spots: (60, 120),
            growth_tolerance: 0.005,
            max_iterations: 150,
            max_rotation_deg: 15.0,
            max_translation: 25.0,
            distortion: 1.0,
            condition_weights: [0.6, 0.2, 0.2],
            contact_scale: (0.8, 1.1),
            noise: 1.0,
            minutiae_density: 0.28,
            missing_rate: 0.12,
            spurious_mean: 3.0,
            position_jitter: 1.5,
            angle_jitter_deg: 6.0,
        }
    }
}

impl SynthConfig {
    /// The same configuration with only `class` generated.
    pub fn with_class(&self, class: PatternClass) -> Self {
        let mut weights = [0.0; 5];
        let i = PatternClass::ALL
            .iter()
            .position(|c| *c == class)
            .unwrap_or(0);
        weights[i] = 1.0;
        SynthConfig {
            class_weights: weights,
            ..self.clone()
        }
    }
}

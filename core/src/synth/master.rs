//! Master fingerprints: the whole ridge pattern of one finger, with its ground truth.

use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

use super::class::PatternClass;
use super::frequency::period_map;
use super::orientation::OrientationModel;
use super::ridges::{grow, Growth, KernelBank};
use super::rng::Rng;
use super::shape::Silhouette;
use super::SynthConfig;
use crate::template::Minutia;

/// How far outside the silhouette ridges are still grown, pixels (so that the border of the
/// fingertip is not where growth stops).
const GROWTH_MARGIN: f32 = 10.0;

/// The description of a master: everything drawn from its seed except the pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasterParams {
    /// The seed the master was generated from.
    pub seed: u64,
    /// Pattern class.
    pub class: PatternClass,
    /// Fingertip shape.
    pub silhouette: Silhouette,
    /// Orientation model (singular points, corrections, background).
    pub orientation: OrientationModel,
    /// Number of initial spots of the ridge growth.
    pub spots: usize,
}

impl MasterParams {
    /// Draws the parameters of a master from `seed`.
    pub fn sample(seed: u64, config: &SynthConfig) -> Self {
        let mut rng = Rng::new(seed);
        let class = PatternClass::sample(&mut rng, &config.class_weights);
        let (w, h) = (config.master_width as f32, config.master_height as f32);
        let silhouette = Silhouette::sample(&mut rng, w, h);
        let orientation = OrientationModel::sample(&mut rng, class, &silhouette);
        let (lo, hi) = config.spots;
        let spots = lo + rng.below(hi.saturating_sub(lo) + 1);
        MasterParams {
            seed,
            class,
            silhouette,
            orientation,
            spots,
        }
    }
}

/// A master fingerprint.
#[derive(Debug, Clone)]
pub struct Master {
    /// What it was generated from.
    pub params: MasterParams,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Ridge orientation at every pixel (radians in `[0, π)`, as seen), row-major.
    pub orientation: Vec<f32>,
    /// Ridge period at every pixel (pixels), row-major.
    pub period: Vec<f32>,
    /// Ridge pattern in `[-1, 1]` (ridges positive), row-major; zero outside the grown area.
    pub ridges: Vec<f32>,
    /// Iterations the ridge growth ran.
    pub iterations: usize,
    /// Fraction of pixels that switched between ridge and valley in the last iteration.
    pub final_change: f32,
    /// Ground-truth minutiae, in master pixels.
    pub minutiae: Vec<Minutia>,
}

/// Generates the master fingerprint of `seed`.
pub fn generate_master(seed: u64, config: &SynthConfig) -> Master {
    let params = MasterParams::sample(seed, config);
    let mut rng = Rng::new(super::rng::derive_seed(seed, 1));
    let (width, height) = (config.master_width as usize, config.master_height as usize);
    let orientation = params.orientation.field(width, height);
    let period = period_map(
        &mut rng,
        &params.orientation,
        width,
        height,
        config.period_range,
    );
    let bank = KernelBank::new(config.period_range.0, config.period_range.1);
    let kernels: Vec<u32> = orientation
        .iter()
        .zip(&period)
        .map(|(&t, &p)| bank.index(t, p))
        .collect();
    let sil = &params.silhouette;
    let active: Vec<bool> = (0..width * height)
        .map(|i| sil.depth((i % width) as f32, (i / width) as f32) > -GROWTH_MARGIN)
        .collect();
    let settings = Growth {
        spots: params.spots,
        gain: 2.0,
        tolerance: config.growth_tolerance,
        max_iterations: config.max_iterations,
    };
    let grown = grow(&mut rng, width, height, &active, &kernels, &bank, &settings);
    let minutiae = super::minutiae::ground_truth(&grown.ridges, width, height, sil);
    Master {
        params,
        width,
        height,
        orientation,
        period,
        ridges: grown.ridges,
        iterations: grown.iterations,
        final_change: grown.final_change,
        minutiae,
    }
}

impl Master {
    /// Pattern class.
    pub fn class(&self) -> PatternClass {
        self.params.class
    }

    /// Ridge value at a pixel (0 outside the image).
    pub fn ridge(&self, x: usize, y: usize) -> f32 {
        if x < self.width && y < self.height {
            self.ridges[y * self.width + x]
        } else {
            0.0
        }
    }

    /// The master as an 8-bit image: ridges black, valleys and background white, the
    /// fingertip cut out by its silhouette.
    pub fn image(&self) -> GrayImage {
        let sil = &self.params.silhouette;
        GrayImage::from_fn(self.width as u32, self.height as u32, |x, y| {
            let v = self.ridges[y as usize * self.width + x as usize];
            let inside = sil.depth(x as f32, y as f32) >= 0.0;
            Luma([if inside && v > 0.0 { 0 } else { 255 }])
        })
    }
}

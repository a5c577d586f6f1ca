//! Templates-only mode: plausible minutiae sets without images, for scale tests.
//!
//! A finger draws the same parameters as an image master ([`MasterParams`]: class,
//! silhouette, orientation model), but instead of growing ridges its minutiae are sampled
//! directly: positions by dart throwing inside the fingertip with a minimum spacing (real
//! minutiae rarely lie closer than about one ridge period and a half), as many as the
//! configured density per square millimetre gives; each an ending or a bifurcation with equal
//! odds; directions along the local ridge orientation of the model, with a random sense.
//! Each impression draws its parameters exactly as an image impression does
//! ([`ImpressionParams`]: contact area, plastic distortion, rotation, translation) and maps
//! the minutiae through the same transformation, keeping those inside the contact area and the
//! image; then an extractor's errors are imitated: each true minutia is missed with
//! `missing_rate`, a Poisson number of spurious minutiae appears inside the contact area,
//! positions and directions get Gaussian jitter, and one type in ten is swapped.

use std::f32::consts::{PI, TAU};

use serde::{Deserialize, Serialize};

use super::class::PatternClass;
use super::impression::{ImpressionParams, CONTACT_MARGIN, IMAGE_MARGIN};
use super::master::MasterParams;
use super::rng::{derive_seed, Rng};
use super::{finger_seed, impression_seed, SynthConfig};
use crate::template::{Minutia, MinutiaKind, Template};

/// Minimum distance between two master minutiae, pixels.
const MIN_SPACING: f32 = 11.0;
/// Probability that a minutia's type is swapped in an impression.
const TYPE_SWAP: f32 = 0.1;

/// The impressions of one finger in templates-only mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerTemplates {
    /// Finger index in the dataset, from 0.
    pub finger: u64,
    /// Pattern class of the finger.
    pub class: PatternClass,
    /// One template per impression.
    pub impressions: Vec<Template>,
}

/// The ground truth behind a [`FingerTemplates`]: the finger's true minutiae (master
/// coordinates) and each impression's parameters.
#[derive(Debug, Clone)]
pub struct TemplatesTruth {
    /// The finger's parameters.
    pub master: MasterParams,
    /// True minutiae in master coordinates.
    pub minutiae: Vec<Minutia>,
    /// Parameters of each impression (geometry, contact).
    pub impressions: Vec<ImpressionParams>,
}

/// The true minutiae of a templates-only finger.
pub fn master_minutiae(params: &MasterParams, config: &SynthConfig) -> Vec<Minutia> {
    let mut rng = Rng::new(derive_seed(params.seed, 7));
    let s = &params.silhouette;
    let mm = 25.4 / config.ppi;
    let (w, h) = (config.master_width as f32, config.master_height as f32);
    let inside: Vec<(f32, f32)> = (0..4096)
        .map(|_| (rng.range(0.0, w), rng.range(0.0, h)))
        .filter(|&(x, y)| s.depth(x, y) > 4.0)
        .collect();
    let area_mm2 = w * h * inside.len() as f32 / 4096.0 * mm * mm;
    let target = (area_mm2 * config.minutiae_density).round() as usize;
    let mut out: Vec<Minutia> = Vec::with_capacity(target);
    let mut attempts = 0;
    while out.len() < target && attempts < target * 40 {
        attempts += 1;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        if s.depth(x, y) <= 4.0
            || out
                .iter()
                .any(|m| (m.x - x).powi(2) + (m.y - y).powi(2) < MIN_SPACING * MIN_SPACING)
        {
            continue;
        }
        out.push(plausible_minutia(&mut rng, params, x, y));
    }
    out
}

/// A minutia at `(x, y)` along the model's ridge orientation.
fn plausible_minutia(rng: &mut Rng, params: &MasterParams, x: f32, y: f32) -> Minutia {
    let theta = params.orientation.angle_at(x, y) + if rng.chance(0.5) { PI } else { 0.0 };
    Minutia {
        x,
        y,
        direction: theta.rem_euclid(TAU),
        kind: if rng.chance(0.5) {
            MinutiaKind::Ending
        } else {
            MinutiaKind::Bifurcation
        },
        quality: 40 + rng.below(61) as u8,
    }
}

/// One impression's template, from the finger's true minutiae.
fn impression_template(
    truth: &[Minutia],
    master: &MasterParams,
    params: &ImpressionParams,
    config: &SynthConfig,
) -> Template {
    let mut rng = Rng::new(derive_seed(params.seed, 3));
    let (w, h) = (config.image_width as f32, config.image_height as f32);
    let t = &params.transform;
    let jitter = config.position_jitter;
    let angle_jitter = config.angle_jitter_deg.to_radians();
    let in_image = |m: &Minutia| {
        (IMAGE_MARGIN..w - IMAGE_MARGIN).contains(&m.x)
            && (IMAGE_MARGIN..h - IMAGE_MARGIN).contains(&m.y)
    };
    let mut spurious = Vec::new();
    for _ in 0..poisson(&mut rng, config.spurious_mean) {
        for _ in 0..50 {
            let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
            let (mx, my) = t.invert(x, y);
            if params.contact.depth(mx, my) >= CONTACT_MARGIN
                && master.silhouette.depth(mx, my) > 0.0
            {
                let mut m = plausible_minutia(&mut rng, master, mx, my);
                m.quality = 10 + rng.below(40) as u8;
                spurious.push(m);
                break;
            }
        }
    }
    let kept: Vec<&Minutia> = truth
        .iter()
        .filter(|m| params.contact.depth(m.x, m.y) >= CONTACT_MARGIN)
        .filter(|_| !rng.chance(config.missing_rate))
        .collect();
    let mut minutiae: Vec<Minutia> = kept
        .into_iter()
        .chain(spurious.iter())
        .map(|m| {
            let mut m = t.map_minutia(m);
            m.x += rng.normal() * jitter;
            m.y += rng.normal() * jitter;
            m.direction = (m.direction + rng.normal() * angle_jitter).rem_euclid(TAU);
            if rng.chance(TYPE_SWAP) {
                m.kind = match m.kind {
                    MinutiaKind::Ending => MinutiaKind::Bifurcation,
                    _ => MinutiaKind::Ending,
                };
            }
            m
        })
        .filter(in_image)
        .collect();
    minutiae.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    Template {
        width: config.image_width,
        height: config.image_height,
        ppi: config.ppi,
        finger: None,
        quality: None,
        minutiae,
    }
}

/// Poisson deviate (Knuth's method; `mean` is small).
fn poisson(rng: &mut Rng, mean: f32) -> usize {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.unit();
    while p > limit && k < 1000 {
        k += 1;
        p *= rng.unit();
    }
    k
}

/// Finger `finger` of the templates-only dataset of `seed`, with its ground truth.
pub fn finger_templates_with_truth(
    seed: u64,
    finger: u64,
    impressions: usize,
    config: &SynthConfig,
) -> (FingerTemplates, TemplatesTruth) {
    let fs = finger_seed(seed, finger);
    let master = MasterParams::sample(fs, config);
    let minutiae = master_minutiae(&master, config);
    let params: Vec<ImpressionParams> = (0..impressions as u64)
        .map(|j| ImpressionParams::sample(impression_seed(fs, j), &master, config))
        .collect();
    let templates = params
        .iter()
        .map(|p| impression_template(&minutiae, &master, p, config))
        .collect();
    let finger_templates = FingerTemplates {
        finger,
        class: master.class,
        impressions: templates,
    };
    let truth = TemplatesTruth {
        master,
        minutiae,
        impressions: params,
    };
    (finger_templates, truth)
}

/// Finger `finger` of the templates-only dataset of `seed`.
pub fn finger_templates(
    seed: u64,
    finger: u64,
    impressions: usize,
    config: &SynthConfig,
) -> FingerTemplates {
    finger_templates_with_truth(seed, finger, impressions, config).0
}

/// Fingers `fingers` of the templates-only dataset of `seed`, `impressions` each, in order
/// (in parallel with the `rayon` feature; the result does not depend on the thread count).
pub fn templates_only(
    seed: u64,
    fingers: std::ops::Range<u64>,
    impressions: usize,
    config: &SynthConfig,
) -> Vec<FingerTemplates> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        fingers
            .into_par_iter()
            .map(|f| finger_templates(seed, f, impressions, config))
            .collect()
    }
    #[cfg(not(feature = "rayon"))]
    {
        fingers
            .map(|f| finger_templates(seed, f, impressions, config))
            .collect()
    }
}

//! Ridge-period map.
//!
//! Following SFinGe's observation on real prints, ridges are sparser (longer period) above the
//! northernmost core and below the southernmost delta, and denser in the central region
//! around the singularities. Each finger draws a base period, the two sparser regions get a
//! smooth increase, a gentle random undulation (a few long plane waves) is added, and the
//! result is clamped to the configured range. For an arch the crest of the hump stands in for
//! the core.

use super::field::{smoothstep, Waves};
use super::orientation::OrientationModel;
use super::rng::Rng;

/// Ridge period (pixels per ridge) at every pixel of a `width × height` master, row-major.
pub fn period_map(
    rng: &mut Rng,
    model: &OrientationModel,
    width: usize,
    height: usize,
    range: (f32, f32),
) -> Vec<f32> {
    let (lo, hi) = range;
    let span = hi - lo;
    let base = lo + span * rng.range(0.12, 0.45);
    let above = span * rng.range(0.2, 0.45);
    let below = span * rng.range(0.15, 0.4);
    let sing = &model.singularities;
    let top = sing
        .cores
        .iter()
        .map(|p| p.y)
        .fold(f32::INFINITY, f32::min)
        .min(model.arch.full_y + 0.3 * (model.arch.base_y - model.arch.full_y));
    let bottom = sing
        .deltas
        .iter()
        .map(|p| p.y)
        .fold(f32::NEG_INFINITY, f32::max)
        .max(model.arch.base_y - 0.3 * (model.arch.base_y - model.arch.full_y));
    let waves = Waves::new(rng, 3, 150.0, 400.0);
    let wobble = span * 0.12;
    let ramp = height as f32 * 0.3;
    let mut out = Vec::with_capacity(width * height);
    for y in 0..height {
        let fy = y as f32;
        let row = base
            + above * smoothstep(0.0, ramp, top - fy)
            + below * smoothstep(0.0, ramp, fy - bottom);
        for x in 0..width {
            let p = row + wobble * waves.at(x as f32, fy);
            out.push(p.clamp(lo, hi));
        }
    }
    out
}

//! Minutiae from the cleaned skeleton: detection, removal of the remaining false minutiae by
//! geometric rules, direction refinement and quality.
//!
//! Rules, with distances in local ridge periods `T`:
//! - minutiae closer than `border` pixels to the background or the image edge are dropped
//!   (ridges are cut there by the segmentation, not by the finger);
//! - two ridge endings facing each other across a short gap (closer than `gap · T`, opposite
//!   directions within 45°, aligned with the gap) are a broken ridge: both dropped;
//! - two minutiae closer than `min_distance · T` are noise (a ridge cannot end or fork twice
//!   within one period): both dropped;
//! - a minutia with `cluster_size` or more others within `cluster · T` lies in a scarred or
//!   noisy patch: dropped.
//!
//! Directions traced on the skeleton are snapped to the smoothed orientation field (which is
//! more precise) when both agree within 30°, keeping the traced sense. Quality (0–100) blends
//! the local orientation coherence, the clarity of the ridge wave (frequency estimation) and
//! the distance to the foreground border.

use std::f32::consts::PI;

use crate::template::MinutiaKind;

use super::frequency::RidgePeriod;
use super::orientation::OrientationField;
use super::plane::Grid;
use super::segmentation::Segmentation;
use super::skeleton::{raw_minutiae, Padded};

/// Parameters of [`detect`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct MinutiaeParams {
    pub(crate) border: f32,
    pub(crate) trace_len: usize,
    pub(crate) gap: f32,
    pub(crate) min_distance: f32,
    pub(crate) cluster: f32,
    pub(crate) cluster_size: usize,
}

/// A minutia in working pixels, quality as a fraction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) direction: f32,
    pub(crate) kind: MinutiaKind,
    pub(crate) quality: f32,
}

/// Smallest absolute difference between two angles, radians in [0, π].
pub(crate) fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(2.0 * PI);
    d.min(2.0 * PI - d)
}

/// Local facts sampled at a minutia.
struct Local {
    period: f32,
    orientation: f32,
    coherence: f32,
    clarity: f32,
}

fn local(grid: &Grid, field: &OrientationField, rp: &RidgePeriod, x: f32, y: f32) -> Local {
    let (u, v) = (grid.block_coord(x), grid.block_coord(y));
    Local {
        period: rp.period.bilinear(u, v),
        orientation: field.angle_at(grid, x, y),
        coherence: field.coherence.bilinear(u, v),
        clarity: rp.clarity.bilinear(u, v),
    }
}

/// Detects the minutiae of the cleaned skeleton and filters them.
pub(crate) fn detect(
    skel: &Padded,
    seg: &Segmentation,
    field: &OrientationField,
    rp: &RidgePeriod,
    grid: &Grid,
    p: &MinutiaeParams,
) -> Vec<Candidate> {
    let mut out: Vec<(Candidate, f32)> = Vec::new();
    for m in raw_minutiae(skel, p.trace_len) {
        let dist = seg.distance[m.y * grid.w + m.x];
        if dist < p.border {
            continue;
        }
        let (x, y) = (m.x as f32, m.y as f32);
        let l = local(grid, field, rp, x, y);
        // Snap to the orientation field, keeping the traced sense.
        let mut direction = m.direction;
        for cand in [l.orientation, l.orientation + PI] {
            if angle_diff(cand, m.direction) < 30f32.to_radians() {
                direction = cand.rem_euclid(2.0 * PI);
            }
        }
        let coherence = (l.coherence / 0.8).min(1.0);
        let clarity = (l.clarity / 0.8).min(1.0);
        let border = ((dist - p.border) / (2.0 * p.border)).clamp(0.0, 1.0);
        let quality = 0.45 * coherence + 0.35 * clarity + 0.2 * border;
        out.push((
            Candidate {
                x,
                y,
                direction,
                kind: m.kind,
                quality,
            },
            l.period,
        ));
    }
    let n = out.len();
    let mut drop = vec![false; n];
    let dist = |a: &Candidate, b: &Candidate| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
    // Broken ridges: facing endings.
    for i in 0..n {
        for j in i + 1..n {
            let ((a, ta), (b, _)) = (&out[i], &out[j]);
            if a.kind != MinutiaKind::Ending || b.kind != MinutiaKind::Ending {
                continue;
            }
            let d = dist(a, b);
            if d > p.gap * ta || d < 1e-3 {
                continue;
            }
            // Each ending points back along its own ridge, so the gap lies behind it.
            let ab = super::skeleton::iso_angle(b.x - a.x, b.y - a.y);
            let opposite = angle_diff(a.direction, b.direction + PI) < PI / 4.0;
            let aligned = angle_diff(ab, a.direction + PI) < PI / 4.0
                && angle_diff(ab, b.direction) < PI / 4.0;
            if opposite && aligned {
                drop[i] = true;
                drop[j] = true;
            }
        }
    }
    // Too close pairs and clusters.
    let mut neighbours = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            let d = dist(&out[i].0, &out[j].0);
            let t = 0.5 * (out[i].1 + out[j].1);
            if d < p.min_distance * t {
                drop[i] = true;
                drop[j] = true;
            }
            if d < p.cluster * t {
                neighbours[i] += 1;
                neighbours[j] += 1;
            }
        }
    }
    out.into_iter()
        .enumerate()
        .filter(|&(i, _)| !drop[i] && neighbours[i] < p.cluster_size)
        .map(|(_, (c, _))| c)
        .collect()
}

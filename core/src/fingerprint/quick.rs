//! A fast minutiae estimate for capture-quality assessment.
//!
//! The extractor's contextual Gabor enhancement, skeleton cleanup and false-minutiae rules
//! take about 60% of an extraction; the quality score needs to run on every camera frame,
//! so it counts minutiae on a cheaper skeleton: the normalised image is smoothed along the
//! local ridge direction only (a 9-tap Gaussian, σ 2 pixels), binarised by sign inside the
//! foreground, thinned, and passed through the same geometric rules as the extractor
//! ([`minutiae::detect`]). On clear prints the count follows the extractor's; on noisy,
//! smudged or dry prints the cheap skeleton breaks up and the count rises, or the rules
//! drop most candidates — both are signs of poor quality that the quality model learns.

use super::config::ExtractorConfig;
use super::minutiae::{self, Candidate};
use super::orientation::half_angle;
use super::pipeline::{minutiae_params, Front};
use super::plane::Plane;
use super::skeleton::{thin_padded, Padded};

/// Half-length of the smoothing along the ridges, in pixels.
const REACH: i32 = 4;
/// Gaussian σ of the smoothing along the ridges, in pixels.
const SIGMA: f32 = 2.0;

/// The normalised image smoothed along the local ridge direction (foreground only; 0
/// elsewhere).
pub(crate) fn smooth_along_ridges(front: &Front) -> Plane {
    let (w, h) = (front.norm.w, front.norm.h);
    let grid = &front.grid;
    let weights: Vec<f32> = (-REACH..=REACH)
        .map(|k| (-(k * k) as f32 / (2.0 * SIGMA * SIGMA)).exp())
        .collect();
    let total: f32 = weights.iter().sum();
    let weights: Vec<f32> = weights.iter().map(|v| v / total).collect();
    let mut out = Plane::filled(w, h, 0.0);
    let src = &front.norm.data;
    let reach = REACH as isize;
    let taps = weights.len();
    let mut offsets = vec![(0isize, 0isize); taps];
    let mut linear = vec![0isize; taps];
    for by in 0..grid.bh {
        for bx in 0..grid.bw {
            if !front.seg.block[by * grid.bw + bx] {
                continue;
            }
            let theta = half_angle(front.field.cos2.at(bx, by), front.field.sin2.at(bx, by));
            let (dx, dy) = (theta.cos(), -theta.sin());
            for ((o, l), k) in offsets.iter_mut().zip(&mut linear).zip(-REACH..=REACH) {
                *o = (
                    (k as f32 * dx).round() as isize,
                    (k as f32 * dy).round() as isize,
                );
                *l = o.1 * w as isize + o.0;
            }
            let (x0, x1) = (bx * grid.block, ((bx + 1) * grid.block).min(w));
            let (y0, y1) = (by * grid.block, ((by + 1) * grid.block).min(h));
            let interior = x0 as isize >= reach
                && y0 as isize >= reach
                && x1 as isize + reach <= w as isize
                && y1 as isize + reach <= h as isize;
            for y in y0..y1 {
                for x in x0..x1 {
                    let i = y * w + x;
                    let mut v = 0.0;
                    if interior {
                        for (&l, &wt) in linear.iter().zip(&weights) {
                            v += wt * src[(i as isize + l) as usize];
                        }
                    } else {
                        for (&(ox, oy), &wt) in offsets.iter().zip(&weights) {
                            let xx = (x as isize + ox).clamp(0, w as isize - 1) as usize;
                            let yy = (y as isize + oy).clamp(0, h as isize - 1) as usize;
                            v += wt * src[yy * w + xx];
                        }
                    }
                    out.data[i] = v;
                }
            }
        }
    }
    out
}

/// Minutiae found on the cheap skeleton, with the extractor's rules (working pixels).
pub(crate) fn minutiae(front: &Front, cfg: &ExtractorConfig) -> Vec<Candidate> {
    let smooth = smooth_along_ridges(front);
    let pixel = &front.seg.pixel;
    let ridge: Vec<bool> = smooth
        .data
        .iter()
        .zip(pixel)
        .map(|(&v, &f)| f && v < 0.0)
        .collect();
    let mut skeleton = Padded::from_mask(front.norm.w, front.norm.h, &ridge);
    thin_padded(&mut skeleton);
    minutiae::detect(
        &skeleton,
        &front.seg,
        &front.field,
        &front.period,
        &front.grid,
        &minutiae_params(cfg),
    )
}

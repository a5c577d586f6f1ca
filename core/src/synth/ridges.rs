//! Ridge growth by iterative contextual filtering (SFinGe).
//!
//! Starting from an image that is zero but for a few random spots, each iteration filters
//! every pixel with a Gabor-like kernel tuned to the local orientation and period, amplifies
//! the response and clips it to `[-1, 1]`. Ridges grow outwards from the spots until they fill
//! the fingertip; where growth fronts meet out of phase, ridges end or fork, which is where the
//! minutiae come from (more spots, more minutiae). Iteration stops when the mean change per
//! pixel drops below a tolerance.
//!
//! Speed: the kernels are precomputed for quantised orientations (64 over π) and periods
//! (steps of ¼ pixel); each pixel stores the index of its kernel; the image is kept in a
//! padded buffer so that the inner loop is a bounds-check-free dot product of contiguous rows;
//! nothing is allocated per pixel or per iteration.

use std::f32::consts::{PI, TAU};

use super::rng::Rng;

/// Kernel radius: kernels are `(2R + 1)²`.
const RADIUS: usize = 6;
const SIDE: usize = 2 * RADIUS + 1;
const ORIENTATIONS: usize = 64;
const PERIOD_STEP: f32 = 0.25;
/// Fraction of the growth area that must hold ridges or valleys before growth can stop.
const COVERAGE: f64 = 0.995;

/// Precomputed Gabor kernels for quantised orientations and periods.
pub(crate) struct KernelBank {
    min_period: f32,
    periods: usize,
    data: Vec<f32>,
}

impl KernelBank {
    /// Kernels for periods covering `[lo, hi]`.
    pub fn new(lo: f32, hi: f32) -> Self {
        let periods = ((hi - lo) / PERIOD_STEP).ceil() as usize + 1;
        let mut data = Vec::with_capacity(periods * ORIENTATIONS * SIDE * SIDE);
        for p in 0..periods {
            let period = lo + p as f32 * PERIOD_STEP;
            for o in 0..ORIENTATIONS {
                let theta = o as f32 * PI / ORIENTATIONS as f32;
                data.extend_from_slice(&kernel(theta, period));
            }
        }
        KernelBank {
            min_period: lo,
            periods,
            data,
        }
    }

    /// Index of the kernel for orientation `theta` (radians, as seen) and `period`.
    pub fn index(&self, theta: f32, period: f32) -> u32 {
        let o = (theta.rem_euclid(PI) / PI * ORIENTATIONS as f32).round() as usize % ORIENTATIONS;
        let p = ((period - self.min_period) / PERIOD_STEP).round();
        let p = (p.max(0.0) as usize).min(self.periods - 1);
        (p * ORIENTATIONS + o) as u32
    }

    fn get(&self, index: u32) -> &[f32] {
        let start = index as usize * SIDE * SIDE;
        &self.data[start..start + SIDE * SIDE]
    }
}

/// A zero-mean even Gabor kernel, scaled so that its response to a unit-amplitude sinusoid
/// of the same orientation and period is 1.
fn kernel(theta: f32, period: f32) -> [f32; SIDE * SIDE] {
    // Ridge direction in pixel coordinates is (cos θ, −sin θ); the normal is (sin θ, cos θ).
    let (s, c) = theta.sin_cos();
    let sigma_n = 0.38 * period;
    let sigma_t = 4.0;
    let mut k = [0.0f32; SIDE * SIDE];
    let mut env = [0.0f32; SIDE * SIDE];
    for (i, (kv, ev)) in k.iter_mut().zip(env.iter_mut()).enumerate() {
        let dx = (i % SIDE) as f32 - RADIUS as f32;
        let dy = (i / SIDE) as f32 - RADIUS as f32;
        let across = dx * s + dy * c;
        let along = dx * c - dy * s;
        *ev = (-0.5
            * (across * across / (sigma_n * sigma_n) + along * along / (sigma_t * sigma_t)))
            .exp();
        // Circular support: a square window would make patches grow as squares.
        if dx * dx + dy * dy > (RADIUS * RADIUS) as f32 + 0.5 {
            *ev = 0.0;
        }
        *kv = *ev * (TAU * across / period).cos();
    }
    let ratio = k.iter().sum::<f32>() / env.iter().sum::<f32>();
    let mut gain = 0.0;
    for (i, (kv, ev)) in k.iter_mut().zip(env.iter()).enumerate() {
        *kv -= ratio * ev;
        let dx = (i % SIDE) as f32 - RADIUS as f32;
        let dy = (i / SIDE) as f32 - RADIUS as f32;
        gain += *kv * (TAU * (dx * s + dy * c) / period).cos();
    }
    k.iter_mut().for_each(|v| *v /= gain);
    k
}

/// Growth settings.
pub(crate) struct Growth {
    /// Number of initial spots.
    pub spots: usize,
    /// Amplification of the filter response before clipping.
    pub gain: f32,
    /// Stop when the fraction of pixels switching sign in an iteration falls below this.
    pub tolerance: f32,
    /// Hard limit on iterations.
    pub max_iterations: usize,
}

/// One filtering pass over the active pixels.
struct Pass<'a> {
    width: usize,
    candidates: &'a [usize],
    kernels: &'a [u32],
    bank: &'a KernelBank,
}

impl Pass<'_> {
    /// Filters `src` into `dst` (both padded), scaling by `gain` and clipping to
    /// `[-limit, limit]`; returns the number of pixels that switched between ridge and valley
    /// and the number holding any pattern.
    fn run(&self, src: &[f32], dst: &mut [f32], gain: f32, limit: f32) -> (f64, usize) {
        let pw = self.width + 2 * RADIUS;
        let mut total = 0.0f64;
        let mut covered = 0;
        for &i in self.candidates {
            let (x, y) = (i % self.width, i / self.width);
            let k = self.bank.get(self.kernels[i]);
            let mut acc = 0.0f32;
            for (ky, krow) in k.chunks_exact(SIDE).enumerate() {
                let start = (y + ky) * pw + x;
                let row = &src[start..start + SIDE];
                acc += row.iter().zip(krow).map(|(a, b)| a * b).sum::<f32>();
            }
            let o = (y + RADIUS) * pw + x + RADIUS;
            let v = if limit.is_finite() {
                // Damped update: averaging with the previous value stops the pattern from
                // flickering between two states once grown.
                0.5 * (src[o] + (gain * acc).clamp(-limit, limit))
            } else {
                gain * acc
            };
            total += ((v > 0.0) != (src[o] > 0.0)) as u8 as f64;
            covered += (v.abs() > 1e-3) as usize;
            dst[o] = v;
        }
        (total, covered)
    }
}

/// Result of a growth: the ridge pattern, about `[-1, 1]` (ridges positive), row-major, and the
/// number of iterations run.
pub(crate) struct Grown {
    pub ridges: Vec<f32>,
    pub iterations: usize,
    pub final_change: f32,
}

/// Grows ridges over the pixels where `active` is true. `kernels[i]` is the kernel index of
/// pixel `i`. Spots are placed at random active pixels.
pub(crate) fn grow(
    rng: &mut Rng,
    width: usize,
    height: usize,
    active: &[bool],
    kernels: &[u32],
    bank: &KernelBank,
    settings: &Growth,
) -> Grown {
    let pw = width + 2 * RADIUS;
    let ph = height + 2 * RADIUS;
    let mut cur = vec![0.0f32; pw * ph];
    let mut next = vec![0.0f32; pw * ph];
    let candidates: Vec<usize> = (0..width * height).filter(|&i| active[i]).collect();
    for _ in 0..settings.spots {
        if candidates.is_empty() {
            break;
        }
        let i = candidates[rng.below(candidates.len())];
        let (x, y) = ((i % width) as i64, (i / width) as i64);
        let value = if rng.chance(0.5) { 1.0 } else { -1.0 };
        for dy in -2i64..=2 {
            for dx in -2i64..=2 {
                let (px, py) = (x + dx, y + dy);
                if dx * dx + dy * dy <= 5
                    && (0..width as i64).contains(&px)
                    && (0..height as i64).contains(&py)
                    && active[py as usize * width + px as usize]
                {
                    cur[(py as usize + RADIUS) * pw + px as usize + RADIUS] = value;
                }
            }
        }
    }
    let active_count = candidates.len().max(1) as f64;
    let mut iterations = 0;
    let mut change = f32::INFINITY;
    let pass = Pass {
        width,
        candidates: &candidates,
        kernels,
        bank,
    };
    // Converged once the pattern covers the whole area (nothing left to grow into) and the
    // share of pixels switching between ridge and valley is below the tolerance (ridge ends
    // and forks have settled).
    let mut coverage = 0.0;
    while iterations < settings.max_iterations
        && (coverage < COVERAGE || change > settings.tolerance)
    {
        let (total, covered) = pass.run(&cur, &mut next, settings.gain, 1.0);
        std::mem::swap(&mut cur, &mut next);
        change = (total / active_count) as f32;
        coverage = covered as f64 / active_count;
        iterations += 1;
    }
    // The stored pattern is one more plain filtering of the converged binary-like pattern:
    // smooth, nearly sinusoidal across ridges, so that rendering can vary ridge width with a
    // threshold.
    pass.run(&cur, &mut next, 1.0, f32::INFINITY);
    let cur = next;
    let mut ridges = vec![0.0f32; width * height];
    for y in 0..height {
        let src = (y + RADIUS) * pw + RADIUS;
        ridges[y * width..(y + 1) * width].copy_from_slice(&cur[src..src + width]);
    }
    Grown {
        ridges,
        iterations,
        final_change: change,
    }
}

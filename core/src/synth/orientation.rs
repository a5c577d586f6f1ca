//! Orientation field: the zero-pole model of Sherlock and Monro with corrections.
//!
//! Orientations are ridge angles in `[0, π)`, counter-clockwise as seen (the convention of
//! [`crate::template`]). The model is
//!
//! ```text
//! θ(z) = θ_arch(z) + ½ Σ_cores g_c(arg(z − c)) − ½ Σ_deltas g_d(arg(z − d))
//! ```
//!
//! with two corrections that make it look like real prints:
//! - **Arch background** `θ_arch` instead of a constant: the tangent of the level curves of
//!   `y + A(y)·exp(−(x − x₀)²/2s²)`, i.e. ridges that are flat near the base of the finger and
//!   rise in a hump towards the tip. It is the whole field of an arch, and the far field of the
//!   other classes, where the pure zero-pole model would give parallel straight ridges. Being
//!   continuous, it adds nothing to the Poincaré index of any closed curve.
//! - **Vizcaya–Gerhardt angular correction** `g`: a piecewise-linear map of the angle around
//!   each singularity with eight knots, `g(αᵢ) = αᵢ + δᵢ`, `g(α + 2π) = g(α) + 2π`. It bends
//!   the ridges around a core or delta (a loop's head narrower or rounder) while keeping the
//!   index of the singularity.

use std::f32::consts::{FRAC_PI_4, PI, TAU};

use serde::{Deserialize, Serialize};

use super::class::{PatternClass, Point, Singularities};
use super::rng::Rng;
use super::shape::Silhouette;

/// Parameters of the arch background (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArchBackground {
    /// Column of the hump's crest.
    pub x0: f32,
    /// Width (standard deviation) of the hump, pixels.
    pub spread: f32,
    /// Row where the hump starts (the base: ridges below are flat).
    pub base_y: f32,
    /// Row where the hump reaches its full amplitude.
    pub full_y: f32,
    /// Full amplitude of the hump, pixels.
    pub amplitude: f32,
}

impl ArchBackground {
    /// Orientation of the background at `(x, y)`.
    fn angle(&self, x: f32, y: f32) -> f32 {
        let span = self.base_y - self.full_y;
        let t = ((self.base_y - y) / span).clamp(0.0, 1.0);
        let a = self.amplitude * t * t * (3.0 - 2.0 * t);
        let da = if t > 0.0 && t < 1.0 {
            // d/dy of the smoothstep amplitude (t decreases as y grows).
            -self.amplitude * 6.0 * t * (1.0 - t) / span
        } else {
            0.0
        };
        let u = (x - self.x0) / self.spread;
        let b = (-0.5 * u * u).exp();
        let db = -u / self.spread * b;
        (a * db).atan2(1.0 + da * b)
    }
}

/// A complete orientation model of one master fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrientationModel {
    /// Background field.
    pub arch: ArchBackground,
    /// Singular points.
    pub singularities: Singularities,
    /// Angular corrections `δ₀..δ₇` (radians), one set per core then per delta.
    pub corrections: Vec<[f32; 8]>,
}

impl OrientationModel {
    /// A random model for `class` on the given silhouette.
    pub fn sample(rng: &mut Rng, class: PatternClass, s: &Silhouette) -> Self {
        let singularities = Singularities::sample(rng, class, s);
        let w = (s.left + s.right) * 0.5;
        let h = s.top + s.bottom + s.band;
        let is_arch = class == PatternClass::Arch;
        let crest = singularities.cores.first().map_or(s.cx, |c| c.x);
        let arch = ArchBackground {
            x0: crest + rng.normal() * 0.05 * w,
            spread: w * rng.range(0.45, 0.65),
            base_y: s.cy + h * rng.range(0.2, 0.4),
            full_y: s.cy - h * rng.range(0.0, 0.15),
            amplitude: if is_arch {
                h * rng.range(0.12, 0.22)
            } else {
                h * rng.range(0.04, 0.1)
            },
        };
        let n = singularities.cores.len() + singularities.deltas.len();
        let corrections = (0..n)
            .map(|_| {
                let mut d = [0.0f32; 8];
                for v in &mut d {
                    *v = rng.normal() * 0.08;
                }
                d
            })
            .collect();
        OrientationModel {
            arch,
            singularities,
            corrections,
        }
    }

    /// Ridge orientation at `(x, y)` in master pixels, in `[0, π)`.
    pub fn angle_at(&self, x: f32, y: f32) -> f32 {
        let mut theta = self.arch.angle(x, y);
        let sing = &self.singularities;
        let all = sing
            .cores
            .iter()
            .map(|p| (p, 0.5f32))
            .chain(sing.deltas.iter().map(|p| (p, -0.5f32)));
        for ((p, sign), delta) in all.zip(&self.corrections) {
            theta += sign * corrected(arg_seen(x, y, p), delta);
        }
        theta.rem_euclid(PI)
    }

    /// The orientation at every pixel of a `width × height` grid, row-major.
    pub fn field(&self, width: usize, height: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                out.push(self.angle_at(x as f32, y as f32));
            }
        }
        out
    }
}

/// Angle of `z − p` as seen (y up), in `(−π, π]`.
fn arg_seen(x: f32, y: f32, p: &Point) -> f32 {
    (p.y - y).atan2(x - p.x)
}

/// The piecewise-linear correction `g(α)` with knots every π/4 from −π.
fn corrected(alpha: f32, delta: &[f32; 8]) -> f32 {
    let t = ((alpha + PI) / FRAC_PI_4).clamp(0.0, 8.0);
    let i = (t as usize).min(7);
    let f = t - i as f32;
    let d = delta[i] + (delta[(i + 1) % 8] - delta[i]) * f;
    alpha + d
}

/// Poincaré index of an orientation field along a circle of `radius` around `(cx, cy)`,
/// walked counter-clockwise as seen with `steps` samples: +½ around a core, −½ around a
/// delta, +1 around a whorl's two cores, 0 where there is no singularity.
pub fn poincare_index(
    angle: impl Fn(f32, f32) -> f32,
    cx: f32,
    cy: f32,
    radius: f32,
    steps: usize,
) -> f32 {
    let at = |k: usize| {
        let t = TAU * k as f32 / steps as f32;
        angle(cx + radius * t.cos(), cy - radius * t.sin())
    };
    let mut total = 0.0;
    let mut prev = at(0);
    for k in 1..=steps {
        let cur = at(k % steps);
        let mut d = cur - prev;
        if d > PI / 2.0 {
            d -= PI;
        } else if d < -PI / 2.0 {
            d += PI;
        }
        total += d;
        prev = cur;
    }
    total / TAU
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_is_periodic_and_identity_when_zero() {
        let d = [0.1, -0.05, 0.0, 0.2, 0.1, -0.1, 0.05, 0.0];
        assert!((corrected(-PI, &d) + PI - 0.1).abs() < 1e-5);
        assert!((corrected(PI, &d) - PI - 0.1).abs() < 1e-5);
        assert!((corrected(0.3, &[0.0; 8]) - 0.3).abs() < 1e-6);
    }

    #[test]
    fn index_of_a_pure_core_and_delta() {
        let core = |x: f32, y: f32| (0.5 * (-y).atan2(x)).rem_euclid(PI);
        let delta = |x: f32, y: f32| (-0.5 * (-y).atan2(x)).rem_euclid(PI);
        assert!((poincare_index(core, 0.0, 0.0, 5.0, 64) - 0.5).abs() < 1e-4);
        assert!((poincare_index(delta, 0.0, 0.0, 5.0, 64) + 0.5).abs() < 1e-4);
        assert!(poincare_index(core, 20.0, 0.0, 5.0, 64).abs() < 1e-4);
    }
}

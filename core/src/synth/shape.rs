//! Fingertip silhouette and contact region.
//!
//! The silhouette follows SFinGe: four elliptical arcs joined by a straight band (a
//! rectangle), so that the left and right halves, and the tip and the base, can differ. The
//! contact region of an impression is an ellipse whose border is perturbed by a few angular
//! harmonics, so that contact areas are irregular like real ones.

use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// Fingertip shape in master coordinates (pixels, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Silhouette {
    /// Centre column.
    pub cx: f32,
    /// Centre row (middle of the straight band).
    pub cy: f32,
    /// Half-width of the left arcs.
    pub left: f32,
    /// Half-width of the right arcs.
    pub right: f32,
    /// Height of the upper arcs (the tip).
    pub top: f32,
    /// Height of the lower arcs (towards the first crease).
    pub bottom: f32,
    /// Height of the straight band between them.
    pub band: f32,
}

impl Silhouette {
    /// A random fingertip centred near `(cx, cy)`, fitting a `width × height` canvas.
    pub fn sample(rng: &mut Rng, width: f32, height: f32) -> Self {
        let half_w = width * rng.range(0.36, 0.43);
        let asym = rng.range(-0.06, 0.06);
        let band = height * rng.range(0.05, 0.18);
        Silhouette {
            cx: width * 0.5 + rng.range(-0.02, 0.02) * width,
            cy: height * rng.range(0.47, 0.53),
            left: half_w * (1.0 + asym),
            right: half_w * (1.0 - asym),
            top: height * rng.range(0.36, 0.44) - band * 0.5,
            bottom: height * rng.range(0.42, 0.5) - band * 0.5,
            band,
        }
    }

    /// Normalised offset of a point: `(dx / w, dy / h)` with the band removed.
    fn offset(&self, x: f32, y: f32) -> (f32, f32, f32, f32) {
        let dx = x - self.cx;
        let w = if dx < 0.0 { self.left } else { self.right };
        let dy = y - self.cy;
        let half = self.band * 0.5;
        let (dy, h) = if dy < -half {
            (dy + half, self.top)
        } else if dy > half {
            (dy - half, self.bottom)
        } else {
            (0.0, self.top.max(self.bottom))
        };
        (dx, w, dy, h)
    }

    /// Approximate distance in pixels from the border, positive inside, negative outside.
    pub fn depth(&self, x: f32, y: f32) -> f32 {
        let (dx, w, dy, h) = self.offset(x, y);
        ellipse_depth(dx, dy, w, h)
    }

    /// The top of the fingertip (smallest row inside).
    pub fn tip_y(&self) -> f32 {
        self.cy - self.band * 0.5 - self.top
    }
}

/// Approximate signed distance to the border of the axis-aligned ellipse with semi-axes
/// `(a, b)`, for the offset `(dx, dy)` from its centre: `(1 − ρ) / |∇ρ|`, capped at the smaller
/// semi-axis.
pub(crate) fn ellipse_depth(dx: f32, dy: f32, a: f32, b: f32) -> f32 {
    let (u, v) = (dx / a, dy / b);
    let rho = (u * u + v * v).sqrt();
    let cap = a.min(b);
    if rho < 1e-6 {
        return cap;
    }
    let grad = ((u / a).powi(2) + (v / b).powi(2)).sqrt() / rho;
    ((1.0 - rho) / grad).min(cap)
}

/// Contact region of one impression, in master coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Centre column.
    pub cx: f32,
    /// Centre row.
    pub cy: f32,
    /// Horizontal semi-axis.
    pub a: f32,
    /// Vertical semi-axis.
    pub b: f32,
    /// Border perturbation: `(amplitude, phase)` of angular harmonics 2, 3, 4, …
    pub wobble: Vec<(f32, f32)>,
}

impl Contact {
    /// Approximate distance in pixels from the contact border, positive inside.
    pub fn depth(&self, x: f32, y: f32) -> f32 {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let phi = dy.atan2(dx);
        let scale = 1.0
            + self
                .wobble
                .iter()
                .enumerate()
                .map(|(k, (amp, phase))| amp * ((k + 2) as f32 * phi + phase).cos())
                .sum::<f32>();
        ellipse_depth(dx, dy, self.a * scale, self.b * scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_signed_distance_near_border() {
        let s = Silhouette {
            cx: 100.0,
            cy: 100.0,
            left: 50.0,
            right: 60.0,
            top: 70.0,
            bottom: 80.0,
            band: 20.0,
        };
        assert!((s.depth(100.0 - 45.0, 100.0) - 5.0).abs() < 0.6);
        assert!((s.depth(100.0 + 65.0, 100.0) + 5.0).abs() < 0.6);
        assert!((s.depth(100.0, s.tip_y() + 3.0) - 3.0).abs() < 0.3);
        assert!(s.depth(100.0, 100.0) > 40.0);
        let c = Contact {
            cx: 0.0,
            cy: 0.0,
            a: 30.0,
            b: 40.0,
            wobble: vec![],
        };
        assert!((c.depth(0.0, 35.0) - 5.0).abs() < 0.3);
    }
}

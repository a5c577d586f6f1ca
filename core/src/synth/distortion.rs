//! The geometry of an impression: plastic skin distortion, then rotation and translation.
//!
//! The distortion follows Cappelli, Maio and Maltoni (2001): the skin in the *close-contact
//! region* `U` (an ellipse around the contact centre) sticks to the sensor and is not
//! distorted; the *external region* moves rigidly by a small rotation and translation `M`
//! caused by the finger's lateral push and torsion; a *transitional region* of width `k` around
//! `U` blends the two:
//!
//! ```text
//! Δ(v) = v + (M(v) − v) · brake(dist_U(v), k),   brake(d, k) = (1 − cos(π·min(d, k)/k)) / 2
//! ```
//!
//! so the displacement is zero in `U`, grows smoothly across the transition and is the full
//! rigid motion outside. The distorted master is then rotated by `rotation_deg` about the
//! master centre and placed at the image centre plus `translation`. Points and directions
//! are mapped forward exactly ([`Transform::apply`], [`Transform::map_minutia`]); images are
//! rendered through the inverse, found by fixed-point iteration.

use std::f32::consts::{PI, TAU};

use serde::{Deserialize, Serialize};

use super::shape::ellipse_depth;
use crate::template::Minutia;

/// Plastic distortion parameters, master coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distortion {
    /// Contact centre, column.
    pub cx: f32,
    /// Contact centre, row.
    pub cy: f32,
    /// Horizontal semi-axis of the close-contact region, pixels.
    pub close_a: f32,
    /// Vertical semi-axis of the close-contact region, pixels.
    pub close_b: f32,
    /// Width of the transitional region, pixels.
    pub transition: f32,
    /// Rotation of the external region about the contact centre, degrees (as seen).
    pub rotation_deg: f32,
    /// Translation of the external region, pixels `(dx, dy)`.
    pub shift: (f32, f32),
}

impl Distortion {
    /// No distortion.
    pub fn none() -> Self {
        Distortion {
            cx: 0.0,
            cy: 0.0,
            close_a: 1.0,
            close_b: 1.0,
            transition: 1.0,
            rotation_deg: 0.0,
            shift: (0.0, 0.0),
        }
    }

    /// Displacement `Δ(v) − v` at `(x, y)`.
    pub fn displacement(&self, x: f32, y: f32) -> (f32, f32) {
        if self.rotation_deg == 0.0 && self.shift == (0.0, 0.0) {
            return (0.0, 0.0);
        }
        let (dx, dy) = (x - self.cx, y - self.cy);
        let outside = (-ellipse_depth(dx, dy, self.close_a, self.close_b)).max(0.0);
        let t = (outside / self.transition).min(1.0);
        let brake = 0.5 * (1.0 - (PI * t).cos());
        let (rx, ry) = rotate(dx, dy, self.rotation_deg.to_radians());
        (
            (rx - dx + self.shift.0) * brake,
            (ry - dy + self.shift.1) * brake,
        )
    }
}

/// Rotates the pixel-coordinate vector `(dx, dy)` counter-clockwise as seen by `a` radians.
fn rotate(dx: f32, dy: f32, a: f32) -> (f32, f32) {
    let (s, c) = a.sin_cos();
    (dx * c + dy * s, -dx * s + dy * c)
}

/// From master coordinates to the coordinates of one impression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    /// Plastic distortion, applied first.
    pub distortion: Distortion,
    /// Point of the master that the rigid motion rotates about, `(x, y)`.
    pub master_centre: (f32, f32),
    /// Where the master centre lands before translation: the image centre, `(x, y)`.
    pub image_centre: (f32, f32),
    /// Rotation, degrees counter-clockwise as seen.
    pub rotation_deg: f32,
    /// Translation, pixels `(dx, dy)`.
    pub translation: (f32, f32),
}

impl Transform {
    /// Image position of the master point `(x, y)`.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (ddx, ddy) = self.distortion.displacement(x, y);
        self.rigid(x + ddx, y + ddy)
    }

    fn rigid(&self, x: f32, y: f32) -> (f32, f32) {
        let (rx, ry) = rotate(
            x - self.master_centre.0,
            y - self.master_centre.1,
            self.rotation_deg.to_radians(),
        );
        (
            rx + self.image_centre.0 + self.translation.0,
            ry + self.image_centre.1 + self.translation.1,
        )
    }

    /// Master position of the image point `(x, y)` (inverse of [`Transform::apply`], to a
    /// small fraction of a pixel).
    pub fn invert(&self, x: f32, y: f32) -> (f32, f32) {
        let (rx, ry) = rotate(
            x - self.image_centre.0 - self.translation.0,
            y - self.image_centre.1 - self.translation.1,
            -self.rotation_deg.to_radians(),
        );
        let (wx, wy) = (rx + self.master_centre.0, ry + self.master_centre.1);
        let (mut vx, mut vy) = (wx, wy);
        for _ in 0..30 {
            let (dx, dy) = self.distortion.displacement(vx, vy);
            let (nx, ny) = (wx - dx, wy - dy);
            let done = (nx - vx).abs() + (ny - vy).abs() < 1e-3;
            (vx, vy) = (nx, ny);
            if done {
                break;
            }
        }
        (vx, vy)
    }

    /// A master minutia seen in the impression: position mapped, direction mapped through
    /// the local Jacobian of the transformation.
    pub fn map_minutia(&self, m: &Minutia) -> Minutia {
        let (x, y) = self.apply(m.x, m.y);
        let h = 0.5;
        let (ux, uy) = (m.direction.cos(), -m.direction.sin());
        let (x1, y1) = self.apply(m.x + h * ux, m.y + h * uy);
        let direction = (-(y1 - y)).atan2(x1 - x).rem_euclid(TAU);
        Minutia {
            x,
            y,
            direction: if direction >= TAU { 0.0 } else { direction },
            ..*m
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_undoes_apply() {
        let t = Transform {
            distortion: Distortion {
                cx: 150.0,
                cy: 200.0,
                close_a: 50.0,
                close_b: 70.0,
                transition: 60.0,
                rotation_deg: 4.0,
                shift: (8.0, -5.0),
            },
            master_centre: (160.0, 208.0),
            image_centre: (144.0, 192.0),
            rotation_deg: -12.0,
            translation: (10.0, -7.0),
        };
        for &(x, y) in &[(10.0, 10.0), (150.0, 200.0), (300.0, 400.0), (40.0, 350.0)] {
            let (u, v) = t.apply(x, y);
            let (bx, by) = t.invert(u, v);
            assert!(
                (bx - x).abs() < 0.01 && (by - y).abs() < 0.01,
                "{x},{y} → {bx},{by}"
            );
        }
    }
}

//! Ridge orientation field and its coherence, from averaged squared gradients
//! (Kass–Witkin; Bazen–Gerez 2002).
//!
//! Sobel gradients are squared in the doubled-angle representation
//! (`gx² − gy²`, `2 gx gy`, `gx² + gy²`) and summed per block; sums are then smoothed with a
//! Gaussian over the foreground (normalised convolution, so background blocks do not bias
//! the border). Coherence `|Σ(gx² − gy², 2 gx gy)| / Σ(gx² + gy²)` is 1 for perfectly
//! parallel ridges and 0 for isotropic noise. Two scales survive noise: where the fine
//! field's coherence is low (scars, smudges, noise) it is blended towards a coarser field.
//!
//! Angles follow the template convention: radians counter-clockwise as seen, ridge
//! direction `(cos θ, −sin θ)` in pixel coordinates, orientation taken modulo π.

use std::f32::consts::PI;

use super::plane::{Grid, Plane};

/// Per-block sums of the squared-gradient terms.
pub(crate) struct GradientSums {
    /// Σ (gx² − gy²)
    pub(crate) a: Plane,
    /// Σ 2 gx gy
    pub(crate) b: Plane,
    /// Σ (gx² + gy²)
    pub(crate) g: Plane,
}

/// Sobel gradients of `img`, squared and summed per block of `grid`.
pub(crate) fn gradient_sums(img: &Plane, grid: &Grid) -> GradientSums {
    let (w, h) = (img.w, img.h);
    let mut a = grid.plane(0.0);
    let mut b = grid.plane(0.0);
    let mut g = grid.plane(0.0);
    let d = &img.data;
    for y in 1..h.saturating_sub(1) {
        let (up, mid, down) = (
            &d[(y - 1) * w..y * w],
            &d[y * w..(y + 1) * w],
            &d[(y + 1) * w..(y + 2) * w],
        );
        let by = y / grid.block;
        let row = by * grid.bw;
        for x in 1..w - 1 {
            let gx = (up[x + 1] + 2.0 * mid[x + 1] + down[x + 1])
                - (up[x - 1] + 2.0 * mid[x - 1] + down[x - 1]);
            let gy =
                (down[x - 1] + 2.0 * down[x] + down[x + 1]) - (up[x - 1] + 2.0 * up[x] + up[x + 1]);
            let k = row + x / grid.block;
            let (xx, yy) = (gx * gx, gy * gy);
            a.data[k] += xx - yy;
            b.data[k] += 2.0 * gx * gy;
            g.data[k] += xx + yy;
        }
    }
    GradientSums { a, b, g }
}

/// Coherence of the gradients in a Gaussian window of `sigma` blocks around each block.
pub(crate) fn coherence(sums: &GradientSums, sigma: f32) -> Plane {
    let a = sums.a.gaussian(sigma);
    let b = sums.b.gaussian(sigma);
    let g = sums.g.gaussian(sigma);
    let mut out = a.zip(&b, |a, b| (a * a + b * b).sqrt());
    for (c, &g) in out.data.iter_mut().zip(&g.data) {
        *c = if g > 1e-6 { (*c / g).min(1.0) } else { 0.0 };
    }
    out
}

/// A smoothed orientation field on the block grid.
#[derive(Debug, Clone)]
pub(crate) struct OrientationField {
    /// cos 2θ and sin 2θ of the ridge orientation θ (unit vectors).
    pub(crate) cos2: Plane,
    pub(crate) sin2: Plane,
    /// Coherence of the fine-scale field, 0–1.
    pub(crate) coherence: Plane,
}

/// Orientation field from gradient sums, averaged over `weight` (1 in the foreground,
/// 0 in the background) with a fine (`sigma_fine`) and a coarse (`sigma_coarse`) Gaussian
/// (in blocks). Blocks whose fine coherence is below `min_coherence` lean on the coarse field.
pub(crate) fn orientation_field(
    sums: &GradientSums,
    weight: &Plane,
    sigma_fine: f32,
    sigma_coarse: f32,
    min_coherence: f32,
) -> OrientationField {
    // (cos 2θ, sin 2θ) ∝ (−a, b): ridges are perpendicular to gradients, and the as-seen
    // angle flips the sign of y.
    let ca = sums.a.map(|v| -v);
    let fine_c = ca.gaussian_weighted(weight, sigma_fine, 0.0);
    let fine_s = sums.b.gaussian_weighted(weight, sigma_fine, 0.0);
    let fine_g = sums.g.gaussian_weighted(weight, sigma_fine, 0.0);
    let coarse_c = ca.gaussian_weighted(weight, sigma_coarse, 0.0);
    let coarse_s = sums.b.gaussian_weighted(weight, sigma_coarse, 0.0);
    let coarse_g = sums.g.gaussian_weighted(weight, sigma_coarse, 0.0);
    let n = fine_c.data.len();
    let mut cos2 = Plane::filled(fine_c.w, fine_c.h, 1.0);
    let mut sin2 = Plane::filled(fine_c.w, fine_c.h, 0.0);
    let mut coherence = Plane::filled(fine_c.w, fine_c.h, 0.0);
    for i in 0..n {
        let (fc, fs) = (fine_c.data[i], fine_s.data[i]);
        let fl = (fc * fc + fs * fs).sqrt();
        let coh = if fine_g.data[i] > 1e-6 {
            (fl / fine_g.data[i]).min(1.0)
        } else {
            0.0
        };
        let (cc, cs) = (coarse_c.data[i], coarse_s.data[i]);
        let cl = (cc * cc + cs * cs).sqrt();
        // Noise lowers the fine coherence but not the coarse one (the surrounding flow is
        // consistent): lean on the coarse field there. Near a core or delta the coarse
        // window is even less coherent than the fine one: keep the fine field.
        let coarse_coh = if coarse_g.data[i] > 1e-6 {
            cl / coarse_g.data[i]
        } else {
            0.0
        };
        let t = if coarse_coh <= coh {
            1.0
        } else {
            (coh / min_coherence.max(1e-6)).min(1.0)
        };
        let (mut x, mut y) = (0.0, 0.0);
        if fl > 1e-9 {
            x += t * fc / fl;
            y += t * fs / fl;
        }
        if cl > 1e-9 {
            x += (1.0 - t) * cc / cl;
            y += (1.0 - t) * cs / cl;
        }
        let l = (x * x + y * y).sqrt();
        if l > 1e-9 {
            cos2.data[i] = x / l;
            sin2.data[i] = y / l;
        }
        coherence.data[i] = coh;
    }
    OrientationField {
        cos2,
        sin2,
        coherence,
    }
}

/// Angle in [0, π) from its doubled-angle unit vector.
#[inline]
pub(crate) fn half_angle(cos2: f32, sin2: f32) -> f32 {
    let a = 0.5 * sin2.atan2(cos2);
    if a < 0.0 {
        a + PI
    } else {
        a
    }
}

/// `atan2(y, x)` to within 1e-5 rad, without a libm call (polynomial on the octant).
#[inline]
pub(crate) fn fast_atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let a = ax.min(ay) / ax.max(ay).max(1e-30);
    let s = a * a;
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = std::f32::consts::FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 {
        -r
    } else {
        r
    }
}

impl OrientationField {
    /// Orientation of block (bx, by), radians in [0, π).
    pub(crate) fn block_angle(&self, bx: usize, by: usize) -> f32 {
        half_angle(self.cos2.at(bx, by), self.sin2.at(bx, by))
    }

    /// Orientation at a working-pixel position, interpolating the doubled-angle vectors.
    pub(crate) fn angle_at(&self, grid: &Grid, x: f32, y: f32) -> f32 {
        let (u, v) = (grid.block_coord(x), grid.block_coord(y));
        half_angle(self.cos2.bilinear(u, v), self.sin2.bilinear(u, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sinusoidal ridges whose direction is θ (as seen) and period `period` pixels.
    pub(crate) fn ridges(w: usize, h: usize, theta: f32, period: f32) -> Plane {
        let mut p = Plane::filled(w, h, 0.0);
        let (nx, ny) = (theta.sin(), theta.cos()); // normal to the ridges, pixel coordinates
        for y in 0..h {
            for x in 0..w {
                let u = x as f32 * nx + y as f32 * ny;
                p.set(x, y, 128.0 + 100.0 * (2.0 * PI * u / period).cos());
            }
        }
        p
    }

    fn angle_error(a: f32, b: f32) -> f32 {
        let d = (a - b).rem_euclid(PI);
        d.min(PI - d)
    }

    #[test]
    fn sinusoid_orientation_is_recovered() {
        for deg in [0.0f32, 20.0, 45.0, 90.0, 112.0, 160.0] {
            let theta = deg.to_radians();
            let img = ridges(96, 96, theta, 9.0);
            let grid = Grid::new(96, 96, 8);
            let sums = gradient_sums(&img, &grid);
            let field = orientation_field(&sums, &grid.plane(1.0), 1.0, 3.0, 0.3);
            for by in 1..grid.bh - 1 {
                for bx in 1..grid.bw - 1 {
                    let err = angle_error(field.block_angle(bx, by), theta).to_degrees();
                    assert!(err < 2.0, "{deg}°: block ({bx},{by}) off by {err}°");
                    assert!(field.coherence.at(bx, by) > 0.9);
                }
            }
            let err = angle_error(field.angle_at(&grid, 40.3, 51.7), theta).to_degrees();
            assert!(err < 2.0);
        }
    }

    #[test]
    fn fast_atan2_is_accurate() {
        for k in 0..1000 {
            let a = k as f32 * 0.00628 - 3.1;
            for r in [0.01f32, 1.0, 300.0] {
                let (y, x) = (r * a.sin(), r * a.cos());
                assert!((fast_atan2(y, x) - y.atan2(x)).abs() < 2e-4, "{a}");
            }
        }
        assert_eq!(fast_atan2(0.0, 0.0), 0.0);
    }

    #[test]
    fn noise_has_low_coherence() {
        // A deterministic pseudo-random texture.
        let mut img = Plane::filled(64, 64, 0.0);
        let mut s = 12345u32;
        for v in img.data.iter_mut() {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *v = ((s >> 16) & 255) as f32;
        }
        let grid = Grid::new(64, 64, 8);
        let coh = coherence(&gradient_sums(&img, &grid), 1.0);
        let mean = coh.data.iter().sum::<f32>() / coh.data.len() as f32;
        assert!(mean < 0.15, "mean coherence of noise {mean}");
    }
}

//! Minutia Cylinder-Code descriptors (Cappelli, Ferrara, Maltoni, 2010), bit version.
//!
//! A cylinder is centred on a minutia and turns with it: a disk of radius [`RADIUS`] split
//! into [`CELLS`]×[`CELLS`] cells, each with [`LAYERS`] direction layers. A cell's bit in
//! layer k is set when some neighbouring minutia lies close to the cell centre and has a
//! direction, relative to the central minutia, near the layer's angle. Cells outside the disk
//! or outside the region covered by minutiae (their convex hull widened by [`HULL_MARGIN`])
//! are invalid: the mask records the valid ones, so two cylinders are compared only where both
//! know something.

use std::f32::consts::{PI, TAU};

use super::Point;

/// Cylinder radius, pixels at 500 ppi.
pub const RADIUS: f32 = 70.0;
/// Cells along each side of the cylinder's square base.
pub const CELLS: usize = 16;
/// Direction layers.
pub const LAYERS: usize = 6;
/// Spatial spread of a minutia's contribution (σS), pixels.
pub const SIGMA_S: f32 = 28.0 / 3.0;
/// Directional spread of a minutia's contribution (σD), radians.
pub const SIGMA_D: f32 = 2.0 * PI / 9.0;
/// A cell's bit is set when the summed contribution reaches this (μΨ).
pub const BIT_THRESHOLD: f32 = 0.01;
/// Widening of the minutiae's convex hull that bounds valid cells (Ω), pixels.
pub const HULL_MARGIN: f32 = 50.0;
/// A cylinder is kept when at least this fraction of its disk's cells is valid (minVC).
pub const MIN_VALID_FRACTION: f32 = 0.75;
/// … and at least this many other minutiae lie within reach (minM).
pub const MIN_NEIGHBOURS: usize = 2;

/// 64-bit words of one layer (CELLS² bits).
pub const LAYER_WORDS: usize = CELLS * CELLS / 64;
/// 64-bit words of a whole cylinder.
pub const WORDS: usize = LAYER_WORDS * LAYERS;

/// One cylinder: its bits, layer after layer, and the mask of valid cells (the same for
/// every layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct Cylinder {
    /// Cell bits; cell c of layer k is bit `c % 64` of word `k * LAYER_WORDS + c / 64`.
    pub bits: [u64; WORDS],
    /// Valid cells; cell c is bit `c % 64` of word `c / 64`.
    pub mask: [u64; LAYER_WORDS],
}

/// Cell-centre offsets from the cylinder's centre (before rotation) for the cells inside the
/// disk, with their cell index.
fn disk_cells() -> impl Iterator<Item = (usize, f32, f32)> {
    let step = 2.0 * RADIUS / CELLS as f32;
    let half = (CELLS as f32 + 1.0) / 2.0;
    (0..CELLS * CELLS).filter_map(move |c| {
        let (i, j) = (c % CELLS, c / CELLS);
        let u = (i as f32 + 1.0 - half) * step;
        let v = (j as f32 + 1.0 - half) * step;
        (u * u + v * v <= RADIUS * RADIUS).then_some((c, u, v))
    })
}

/// Builds the cylinders of a set of minutiae (positions at 500 ppi). Returns, for each kept
/// cylinder, the index of its central point and the cylinder; minutiae whose cylinder is not
/// valid (too close to the border of the print, or too isolated) get none.
pub(crate) fn build(points: &[Point]) -> Vec<(usize, Cylinder)> {
    let hull = Hull::new(points);
    let cells: Vec<(usize, f32, f32)> = disk_cells().collect();
    let min_valid = (MIN_VALID_FRACTION * cells.len() as f32).ceil() as usize;
    let reach = RADIUS + 3.0 * SIGMA_S;
    let reach_cell = 3.0 * SIGMA_S;
    let gauss_norm = 1.0 / (SIGMA_S * (TAU).sqrt());
    let layer_step = TAU / LAYERS as f32;
    let mut out = Vec::with_capacity(points.len());
    // Per neighbour: position (math frame, y up) and its per-layer directional weight.
    let mut neighbours: Vec<(f32, f32, [f32; LAYERS])> = Vec::new();
    for (index, m) in points.iter().enumerate() {
        let (mx, my) = (m.x, -m.y);
        neighbours.clear();
        for (other, t) in points.iter().enumerate() {
            if other == index {
                continue;
            }
            let (tx, ty) = (t.x, -t.y);
            if (tx - mx).hypot(ty - my) > reach {
                continue;
            }
            let relative = angle_diff(m.direction, t.direction);
            let mut weights = [0.0f32; LAYERS];
            for (k, w) in weights.iter_mut().enumerate() {
                let layer_angle = -PI + (k as f32 + 0.5) * layer_step;
                let alpha = angle_diff(layer_angle, relative);
                *w = gaussian_area(alpha, layer_step, SIGMA_D);
            }
            neighbours.push((tx, ty, weights));
        }
        if neighbours.len() < MIN_NEIGHBOURS {
            continue;
        }
        let (sin, cos) = m.direction.sin_cos();
        let mut cylinder = Cylinder {
            bits: [0; WORDS],
            mask: [0; LAYER_WORDS],
        };
        let mut valid = 0usize;
        for &(c, u, v) in &cells {
            let px = mx + u * cos - v * sin;
            let py = my + u * sin + v * cos;
            if !hull.contains_widened(px, -py, HULL_MARGIN) {
                continue;
            }
            valid += 1;
            cylinder.mask[c / 64] |= 1 << (c % 64);
            let mut sums = [0.0f32; LAYERS];
            for (tx, ty, weights) in &neighbours {
                let d2 = (tx - px) * (tx - px) + (ty - py) * (ty - py);
                if d2 > reach_cell * reach_cell {
                    continue;
                }
                let spatial = gauss_norm * (-d2 / (2.0 * SIGMA_S * SIGMA_S)).exp();
                for k in 0..LAYERS {
                    sums[k] += spatial * weights[k];
                }
            }
            for (k, sum) in sums.iter().enumerate() {
                if *sum >= BIT_THRESHOLD {
                    cylinder.bits[k * LAYER_WORDS + c / 64] |= 1 << (c % 64);
                }
            }
        }
        if valid >= min_valid {
            out.push((index, cylinder));
        }
    }
    out
}

/// `a − b` wrapped to `[−π, π)`, for angles in `[−2π, 2π]` (branches instead of a modulo:
/// this sits in the consolidation's inner loop).
#[inline]
pub fn angle_diff(a: f32, b: f32) -> f32 {
    let mut d = a - b;
    if d < -PI {
        d += TAU;
    }
    if d >= PI {
        d -= TAU;
    }
    if !(-PI..PI).contains(&d) {
        d = (d + PI).rem_euclid(TAU) - PI;
    }
    d
}

/// Mass of a centred normal distribution (σ) over `[alpha − width/2, alpha + width/2]`.
fn gaussian_area(alpha: f32, width: f32, sigma: f32) -> f32 {
    let s = sigma * std::f32::consts::SQRT_2;
    0.5 * (erf((alpha + width / 2.0) / s) - erf((alpha - width / 2.0) / s))
}

/// Error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let sign = x.signum();
    let x = x.abs() as f64;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp()) as f32
}

/// Convex hull of the minutiae (image frame, counter-clockwise as stored).
struct Hull {
    vertices: Vec<(f32, f32)>,
}

impl Hull {
    fn new(points: &[Point]) -> Self {
        let mut pts: Vec<(f32, f32)> = points.iter().map(|p| (p.x, p.y)).collect();
        // A total order even if a coordinate were NaN (the sort panics on an inconsistent one).
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts.dedup();
        if pts.len() < 3 {
            return Hull { vertices: pts };
        }
        let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        };
        let mut hull: Vec<(f32, f32)> = Vec::with_capacity(pts.len() * 2);
        for pass in 0..2 {
            let start = hull.len();
            let iter: Box<dyn Iterator<Item = &(f32, f32)>> = if pass == 0 {
                Box::new(pts.iter())
            } else {
                Box::new(pts.iter().rev())
            };
            for &p in iter {
                while hull.len() >= start + 2
                    && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
                {
                    hull.pop();
                }
                hull.push(p);
            }
            hull.pop();
        }
        Hull { vertices: hull }
    }

    /// Whether (x, y) lies inside the hull or within `margin` of it.
    fn contains_widened(&self, x: f32, y: f32, margin: f32) -> bool {
        let v = &self.vertices;
        match v.len() {
            0 => return false,
            1 => return (x - v[0].0).hypot(y - v[0].1) <= margin,
            _ => {}
        }
        let mut inside = v.len() >= 3;
        let mut nearest = f32::INFINITY;
        for k in 0..v.len() {
            let a = v[k];
            let b = v[(k + 1) % v.len()];
            let (ex, ey) = (b.0 - a.0, b.1 - a.1);
            let (px, py) = (x - a.0, y - a.1);
            if ex * py - ey * px < 0.0 {
                inside = false;
            }
            let len2 = ex * ex + ey * ey;
            let t = if len2 > 0.0 {
                ((px * ex + py * ey) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            nearest = nearest.min((px - t * ex).hypot(py - t * ey));
        }
        inside || nearest <= margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f32, y: f32, direction: f32) -> Point {
        Point {
            x,
            y,
            direction,
            source: 0,
        }
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_9).abs() < 1e-6);
        assert!((erf(-1.0) + 0.842_700_8).abs() < 1e-6);
        assert!((gaussian_area(0.0, 100.0, 1.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn hull_contains_inside_and_margin_only() {
        let pts = [
            point(0.0, 0.0, 0.0),
            point(100.0, 0.0, 0.0),
            point(100.0, 100.0, 0.0),
            point(0.0, 100.0, 0.0),
            point(50.0, 50.0, 0.0),
        ];
        let hull = Hull::new(&pts);
        assert_eq!(hull.vertices.len(), 4);
        assert!(hull.contains_widened(50.0, 50.0, 0.0));
        assert!(hull.contains_widened(-20.0, 50.0, 25.0));
        assert!(!hull.contains_widened(-30.0, 50.0, 25.0));
        assert!(!hull.contains_widened(130.0, 130.0, 40.0));
    }

    #[test]
    fn cylinder_is_invariant_to_rotation_and_translation() {
        // A grid of minutiae, and the same grid turned by 30° and moved.
        let pts: Vec<Point> = (0..25)
            .map(|k| {
                point(
                    100.0 + (k % 5) as f32 * 30.0,
                    100.0 + (k / 5) as f32 * 30.0,
                    k as f32 * 0.9 % TAU,
                )
            })
            .collect();
        let r = 30f32.to_radians();
        let moved: Vec<Point> = pts
            .iter()
            .map(|p| {
                let (x, y) = (p.x - 160.0, -(p.y - 160.0));
                let (xr, yr) = (x * r.cos() - y * r.sin(), x * r.sin() + y * r.cos());
                point(xr + 300.0, -yr + 250.0, (p.direction + r).rem_euclid(TAU))
            })
            .collect();
        let a = build(&pts);
        let b = build(&moved);
        // The central minutia (index 12) is far from the hull's edge in both.
        let ca = a.iter().find(|(i, _)| *i == 12).expect("centre kept").1;
        let cb = b.iter().find(|(i, _)| *i == 12).expect("centre kept").1;
        let differing: u32 = ca
            .bits
            .iter()
            .zip(&cb.bits)
            .map(|(x, y)| (x ^ y).count_ones())
            .sum();
        let set: u32 = ca.bits.iter().map(|x| x.count_ones()).sum();
        assert!(set > 50, "{set} bits set");
        assert!(differing * 10 < set, "{differing} of {set} bits differ");
    }
}

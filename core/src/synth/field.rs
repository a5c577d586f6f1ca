//! Smooth random fields used for natural variation: period perturbations, pressure, stains,
//! broken ridges, pores.

use std::f32::consts::TAU;

use super::rng::Rng;

/// A sum of a few random plane waves: a smooth field with values roughly in `[-1, 1]`,
/// evaluated anywhere without a grid.
#[derive(Debug, Clone)]
pub struct Waves {
    waves: Vec<[f32; 4]>, // kx, ky, phase, amplitude
}

impl Waves {
    /// `n` waves with wavelengths drawn in `[min_len, max_len]` pixels.
    pub fn new(rng: &mut Rng, n: usize, min_len: f32, max_len: f32) -> Self {
        let amp = 1.0 / (n as f32).sqrt();
        let waves = (0..n)
            .map(|_| {
                let dir = rng.range(0.0, TAU);
                let k = TAU / rng.range(min_len, max_len);
                [k * dir.cos(), k * dir.sin(), rng.range(0.0, TAU), amp]
            })
            .collect();
        Waves { waves }
    }

    /// Field value at `(x, y)`.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        self.waves
            .iter()
            .map(|[kx, ky, ph, a]| a * (kx * x + ky * y + ph).cos())
            .sum()
    }
}

/// Value noise: uniform random values in `[0, 1)` on a square grid of `cell` pixels,
/// interpolated with a smoothstep. Used for blotches at a chosen scale.
#[derive(Debug, Clone)]
pub struct Blotches {
    cell: f32,
    cols: usize,
    values: Vec<f32>,
}

impl Blotches {
    /// Noise covering `width × height` pixels with features about `cell` pixels wide.
    pub fn new(rng: &mut Rng, width: usize, height: usize, cell: f32) -> Self {
        let cols = (width as f32 / cell).ceil() as usize + 2;
        let rows = (height as f32 / cell).ceil() as usize + 2;
        let values = (0..cols * rows).map(|_| rng.unit()).collect();
        Blotches { cell, cols, values }
    }

    /// Noise value at `(x, y)` (clamped to the covered area).
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let rows = self.values.len() / self.cols;
        let fx = (x / self.cell).clamp(0.0, (self.cols - 2) as f32);
        let fy = (y / self.cell).clamp(0.0, (rows - 2) as f32);
        let (ix, iy) = (fx as usize, fy as usize);
        let sx = smooth(fx - ix as f32);
        let sy = smooth(fy - iy as f32);
        let v = |c: usize, r: usize| self.values[r * self.cols + c];
        let top = v(ix, iy) + (v(ix + 1, iy) - v(ix, iy)) * sx;
        let bottom = v(ix, iy + 1) + (v(ix + 1, iy + 1) - v(ix, iy + 1)) * sx;
        top + (bottom - top) * sy
    }
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Smoothstep of `x` between `lo` and `hi`.
pub fn smoothstep(lo: f32, hi: f32, x: f32) -> f32 {
    smooth(((x - lo) / (hi - lo)).clamp(0.0, 1.0))
}

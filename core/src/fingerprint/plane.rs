//! Dense 2-D `f32` fields (images at working resolution, maps on the block grid), with the
//! few operations the pipeline needs: separable Gaussian smoothing, normalised convolution
//! and bilinear sampling.

/// A row-major `f32` field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plane {
    pub(crate) w: usize,
    pub(crate) h: usize,
    pub(crate) data: Vec<f32>,
}

impl Plane {
    pub(crate) fn filled(w: usize, h: usize, value: f32) -> Self {
        Plane {
            w,
            h,
            data: vec![value; w * h],
        }
    }

    #[inline]
    pub(crate) fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.w + x]
    }

    #[cfg(test)]
    pub(crate) fn set(&mut self, x: usize, y: usize, v: f32) {
        self.data[y * self.w + x] = v;
    }

    /// Element-wise map.
    pub(crate) fn map(&self, f: impl Fn(f32) -> f32) -> Plane {
        Plane {
            w: self.w,
            h: self.h,
            data: self.data.iter().map(|&v| f(v)).collect(),
        }
    }

    /// Element-wise combination of two planes of the same size.
    pub(crate) fn zip(&self, other: &Plane, f: impl Fn(f32, f32) -> f32) -> Plane {
        debug_assert_eq!((self.w, self.h), (other.w, other.h));
        Plane {
            w: self.w,
            h: self.h,
            data: self
                .data
                .iter()
                .zip(&other.data)
                .map(|(&a, &b)| f(a, b))
                .collect(),
        }
    }

    /// Separable Gaussian smoothing with standard deviation `sigma` (in cells), edges
    /// replicated.
    pub(crate) fn gaussian(&self, sigma: f32) -> Plane {
        if sigma <= 0.0 || self.data.is_empty() {
            return self.clone();
        }
        let k = gaussian_kernel(sigma);
        let r = (k.len() / 2) as isize;
        let (w, h) = (self.w as isize, self.h as isize);
        let mut tmp = Plane::filled(self.w, self.h, 0.0);
        for y in 0..self.h {
            let row = &self.data[y * self.w..(y + 1) * self.w];
            let out = &mut tmp.data[y * self.w..(y + 1) * self.w];
            let n = k.len();
            let (ru, wu) = (r as usize, self.w);
            if wu >= n {
                // Interior, tap by tap over the whole row (vectorises; same summation order
                // as the edge pixels below).
                let inner = &mut out[ru..wu - ru];
                for (i, &kv) in k.iter().enumerate() {
                    for (o, &v) in inner.iter_mut().zip(&row[i..i + wu + 1 - n]) {
                        *o += kv * v;
                    }
                }
            }
            for x in (0..self.w).filter(|&x| x < ru || x + ru >= wu || wu < n) {
                let mut s = 0.0;
                for (i, &kv) in k.iter().enumerate() {
                    let xx = (x as isize + i as isize - r).clamp(0, w - 1) as usize;
                    s += kv * row[xx];
                }
                out[x] = s;
            }
        }
        let mut out = Plane::filled(self.w, self.h, 0.0);
        for y in 0..self.h {
            let dst = &mut out.data[y * self.w..(y + 1) * self.w];
            for (i, &kv) in k.iter().enumerate() {
                let yy = (y as isize + i as isize - r).clamp(0, h - 1) as usize;
                let src = &tmp.data[yy * self.w..(yy + 1) * self.w];
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d += kv * s;
                }
            }
        }
        out
    }

    /// Normalised convolution: Gaussian average of `self` weighted by `weight` (cells of
    /// weight 0 do not contribute). Cells with no weighted neighbourhood get `fallback`.
    pub(crate) fn gaussian_weighted(&self, weight: &Plane, sigma: f32, fallback: f32) -> Plane {
        let num = self.zip(weight, |v, w| v * w).gaussian(sigma);
        let den = weight.gaussian(sigma);
        num.zip(&den, |n, d| if d > 1e-6 { n / d } else { fallback })
    }

    /// Bilinear sample at continuous cell coordinates (cell centres at integers), clamped
    /// to the field.
    pub(crate) fn bilinear(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.w - 1) as f32);
        let y = y.clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = self.at(x0, y0) * (1.0 - fx) + self.at(x1, y0) * fx;
        let bottom = self.at(x0, y1) * (1.0 - fx) + self.at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }
}

/// The block grid laid over the working image: blocks of `block × block` pixels, the last
/// row and column of blocks possibly partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    /// Block side, in working pixels.
    pub(crate) block: usize,
    /// Working image size, in pixels.
    pub(crate) w: usize,
    pub(crate) h: usize,
    /// Number of blocks across and down.
    pub(crate) bw: usize,
    pub(crate) bh: usize,
}

impl Grid {
    pub(crate) fn new(w: usize, h: usize, block: usize) -> Self {
        Grid {
            block,
            w,
            h,
            bw: w.div_ceil(block),
            bh: h.div_ceil(block),
        }
    }

    /// A block-grid plane filled with `value`.
    pub(crate) fn plane(&self, value: f32) -> Plane {
        Plane::filled(self.bw, self.bh, value)
    }

    /// Continuous block coordinate of a working pixel coordinate (block centres at
    /// integers), for bilinear sampling of block maps.
    #[inline]
    pub(crate) fn block_coord(&self, p: f32) -> f32 {
        (p + 0.5) / self.block as f32 - 0.5
    }

    /// Bilinear upsampling of a block map to working pixels (same values as
    /// `map.bilinear(block_coord(x), block_coord(y))`, computed separably).
    pub(crate) fn upsample(&self, map: &Plane) -> Plane {
        debug_assert_eq!((map.w, map.h), (self.bw, self.bh));
        // Per axis: for each pixel, the two neighbouring block indices and the weight of the
        // second.
        let axis = |n: usize, blocks: usize| -> Vec<(usize, usize, f32)> {
            (0..n)
                .map(|p| {
                    let c = self.block_coord(p as f32).clamp(0.0, (blocks - 1) as f32);
                    let i0 = c as usize;
                    let i1 = (i0 + 1).min(blocks - 1);
                    (i0, i1, c - i0 as f32)
                })
                .collect()
        };
        let xs = axis(self.w, self.bw);
        let ys = axis(self.h, self.bh);
        let mut rows = Plane::filled(self.w, self.bh, 0.0);
        for by in 0..self.bh {
            let src = &map.data[by * self.bw..(by + 1) * self.bw];
            for (o, &(i0, i1, f)) in rows.data[by * self.w..(by + 1) * self.w]
                .iter_mut()
                .zip(&xs)
            {
                *o = src[i0] + f * (src[i1] - src[i0]);
            }
        }
        let mut out = Plane::filled(self.w, self.h, 0.0);
        for (y, &(j0, j1, f)) in ys.iter().enumerate() {
            let (r0, r1) = (
                &rows.data[j0 * self.w..(j0 + 1) * self.w],
                &rows.data[j1 * self.w..(j1 + 1) * self.w],
            );
            for ((o, &a), &b) in out.data[y * self.w..(y + 1) * self.w]
                .iter_mut()
                .zip(r0)
                .zip(r1)
            {
                *o = a + f * (b - a);
            }
        }
        out
    }

    /// Working-pixel coordinates of the centre of block (bx, by).
    pub(crate) fn centre(&self, bx: usize, by: usize) -> (f32, f32) {
        let c = |b: usize| (b * self.block) as f32 + self.block as f32 / 2.0 - 0.5;
        (c(bx), c(by))
    }
}

/// Normalised Gaussian kernel of radius ⌈3σ⌉.
pub(crate) fn gaussian_kernel(sigma: f32) -> Vec<f32> {
    let r = (3.0 * sigma).ceil().max(1.0) as isize;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f32 = k.iter().sum();
    k.into_iter().map(|v| v / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_preserves_constants_and_mass() {
        let p = Plane::filled(7, 5, 3.0);
        assert!(p.gaussian(1.5).data.iter().all(|&v| (v - 3.0).abs() < 1e-5));
        let mut d = Plane::filled(21, 21, 0.0);
        d.set(10, 10, 1.0);
        let g = d.gaussian(2.0);
        let sum: f32 = g.data.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4);
        assert!(g.at(10, 10) > g.at(12, 10) && g.at(12, 10) > g.at(14, 10));
        assert!((g.at(12, 10) - g.at(10, 8)).abs() < 1e-6);
    }

    #[test]
    fn weighted_smoothing_ignores_zero_weight_cells() {
        let mut v = Plane::filled(9, 9, 5.0);
        let mut w = Plane::filled(9, 9, 1.0);
        for x in 0..9 {
            v.set(x, 0, 1000.0);
            w.set(x, 0, 0.0);
        }
        let s = v.gaussian_weighted(&w, 2.0, 0.0);
        assert!(s.data.iter().all(|&x| (x - 5.0).abs() < 1e-3));
    }

    #[test]
    fn upsampling_matches_bilinear_sampling() {
        let grid = Grid::new(37, 29, 8);
        let mut map = grid.plane(0.0);
        for (i, v) in map.data.iter_mut().enumerate() {
            *v = ((i * 7919) % 13) as f32;
        }
        let up = grid.upsample(&map);
        for y in 0..29 {
            for x in 0..37 {
                let expected = map.bilinear(grid.block_coord(x as f32), grid.block_coord(y as f32));
                assert!((up.at(x, y) - expected).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn bilinear_interpolates_between_centres() {
        let mut p = Plane::filled(2, 2, 0.0);
        p.set(1, 0, 4.0);
        p.set(1, 1, 4.0);
        assert!((p.bilinear(0.5, 0.5) - 2.0).abs() < 1e-6);
        assert!((p.bilinear(-3.0, 0.0) - 0.0).abs() < 1e-6);
        assert!((p.bilinear(0.25, 1.0) - 1.0).abs() < 1e-6);
    }
}

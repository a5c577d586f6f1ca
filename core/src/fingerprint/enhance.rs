//! Contextual enhancement with oriented even-symmetric Gabor filters (Hong, Wan and Jain
//! 1998), and binarisation.
//!
//! Each foreground pixel is filtered with the Gabor kernel tuned to the local ridge
//! orientation (interpolated per pixel) and period (interpolated from the block map):
//! `g(u, v) = exp(−u²/2σu² − v²/2σv²) · cos(2π u / T)`, `u` across and `v` along the
//! ridges, `σu = ku·T`, `σv = kv·T`. Kernels are precomputed for quantised orientations and
//! periods, made DC-free (flat areas give 0) and scaled to unit gain at their own period.
//! Because ridges are dark and the normalised image is negative on them, the ridge pixels
//! are those with a negative response.

use std::f32::consts::PI;
use std::sync::{Arc, Mutex, OnceLock};

use super::orientation::{fast_atan2, OrientationField};
use super::plane::{Grid, Plane};
use super::segmentation::label;

/// Precomputed Gabor kernels for quantised orientations and periods.
pub(crate) struct KernelBank {
    /// Kernel radius: kernels are (2r + 1)² pixels.
    pub(crate) radius: usize,
    /// Row length in memory: 2r + 1 rounded up to a multiple of 4, zero-padded, so the inner
    /// loop works on whole 4-lane chunks.
    pub(crate) stride: usize,
    pub(crate) orientations: usize,
    pub(crate) min_period: f32,
    pub(crate) period_step: f32,
    pub(crate) periods: usize,
    /// Kernels, orientation-major, each `(2r + 1) × stride`.
    pub(crate) data: Vec<f32>,
}

/// Parameters that determine a [`KernelBank`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BankParams {
    pub(crate) orientations: usize,
    pub(crate) min_period: f32,
    pub(crate) max_period: f32,
    pub(crate) period_step: f32,
    pub(crate) sigma_across: f32,
    pub(crate) sigma_along: f32,
    pub(crate) radius: usize,
}

impl KernelBank {
    pub(crate) fn new(p: &BankParams) -> Self {
        let periods = ((p.max_period - p.min_period) / p.period_step).round() as usize + 1;
        let side = 2 * p.radius + 1;
        let stride = side.div_ceil(4) * 4;
        let size = side * stride;
        let mut data = vec![0.0f32; p.orientations * periods * size];
        for o in 0..p.orientations {
            let theta = o as f32 * PI / p.orientations as f32;
            let (nx, ny) = (theta.sin(), theta.cos());
            let (tx, ty) = (theta.cos(), -theta.sin());
            for j in 0..periods {
                let t = p.min_period + j as f32 * p.period_step;
                let (su, sv) = (p.sigma_across * t, p.sigma_along * t);
                let k = &mut data[(o * periods + j) * size..(o * periods + j + 1) * size];
                let mut env = vec![0.0f32; side * side];
                let r = p.radius as isize;
                for dy in -r..=r {
                    for dx in -r..=r {
                        let (x, y) = (dx as f32, dy as f32);
                        let u = x * nx + y * ny;
                        let v = x * tx + y * ty;
                        let e = (-(u * u) / (2.0 * su * su) - (v * v) / (2.0 * sv * sv)).exp();
                        let i = ((dy + r) as usize) * side + (dx + r) as usize;
                        env[i] = e;
                        k[((dy + r) as usize) * stride + (dx + r) as usize] =
                            e * (2.0 * PI * u / t).cos();
                    }
                }
                // Remove the DC component in proportion to the envelope.
                let ksum: f32 = k.iter().sum();
                let esum: f32 = env.iter().sum();
                let mut gain = 0.0;
                for row in 0..side {
                    for col in 0..side {
                        let kv = &mut k[row * stride + col];
                        *kv -= env[row * side + col] * ksum / esum;
                        let (x, y) = (col as f32 - r as f32, row as f32 - r as f32);
                        gain += *kv * (2.0 * PI * (x * nx + y * ny) / t).cos();
                    }
                }
                k.iter_mut().for_each(|v| *v /= gain);
            }
        }
        KernelBank {
            radius: p.radius,
            stride,
            orientations: p.orientations,
            min_period: p.min_period,
            period_step: p.period_step,
            periods,
            data,
        }
    }

    /// Kernels are costly to build (a few ms): banks are cached by parameters.
    pub(crate) fn cached(p: &BankParams) -> Arc<KernelBank> {
        type Cache = Mutex<Vec<(BankParams, Arc<KernelBank>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        if let Some((_, b)) = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(q, _)| q == p)
        {
            return b.clone();
        }
        let bank = Arc::new(KernelBank::new(p));
        let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        if guard.len() >= 8 {
            guard.remove(0);
        }
        guard.push((*p, bank.clone()));
        bank
    }

    /// The kernel for a doubled-angle orientation vector (cos 2θ, sin 2θ) and a period.
    #[cfg(test)]
    fn kernel(&self, cos2: f32, sin2: f32, period: f32) -> &[f32] {
        self.kernel_at(self.index(cos2, sin2, period))
    }

    /// Index of the kernel for a doubled-angle orientation vector and a period.
    #[inline]
    fn index(&self, cos2: f32, sin2: f32, period: f32) -> usize {
        let n = self.orientations as f32;
        // 2θ / 2π · n, rounded to the nearest bin.
        let turn = fast_atan2(sin2, cos2) * (0.5 / PI) * n;
        let o = ((turn + n + 0.5) as usize) % self.orientations;
        let j = (((period - self.min_period) / self.period_step).max(0.0) + 0.5) as usize;
        o * self.periods + j.min(self.periods - 1)
    }

    #[inline]
    fn kernel_at(&self, index: usize) -> &[f32] {
        let size = (2 * self.radius + 1) * self.stride;
        &self.data[index * size..(index + 1) * size]
    }
}

/// Gabor-filters the normalised image over the foreground pixels; 0 elsewhere.
pub(crate) fn gabor(
    img: &Plane,
    grid: &Grid,
    field: &OrientationField,
    period: &Plane,
    foreground: &[bool],
    bank: &KernelBank,
) -> Plane {
    let r = bank.radius;
    // Copy with an r-pixel mirrored border, so ridges that leave the image are filtered as
    // well as the others (zero padding would fade them out and create false ridge endings
    // near the edge), plus zeros on the right for the 4-lane padding of kernel rows.
    let pw = img.w + 2 * r + bank.stride;
    let ph = img.h + 2 * r;
    let mut padded = vec![0.0f32; pw * ph];
    let mirror = |i: isize, n: usize| -> usize {
        let n = n as isize;
        let m = if i < 0 {
            -i - 1
        } else if i >= n {
            2 * n - i - 1
        } else {
            i
        };
        m.clamp(0, n - 1) as usize
    };
    for py in 0..ph {
        let y = mirror(py as isize - r as isize, img.h);
        let src = &img.data[y * img.w..(y + 1) * img.w];
        let dst = &mut padded[py * pw..py * pw + img.w + 2 * r];
        dst[r..r + img.w].copy_from_slice(src);
        for e in 0..r {
            dst[e] = src[mirror(e as isize - r as isize, img.w)];
            dst[r + img.w + e] = src[mirror((img.w + e) as isize, img.w)];
        }
    }
    let cos2 = grid.upsample(&field.cos2);
    let sin2 = grid.upsample(&field.sin2);
    let period = grid.upsample(period);
    // Kernel index per pixel, chosen once per 2 × 2 cell (orientation and period vary far
    // more slowly than that, and the choice costs an arctangent).
    let mut index = vec![u32::MAX; img.w * img.h];
    for y in (0..img.h).step_by(2) {
        for x in (0..img.w).step_by(2) {
            let i = y * img.w + x;
            let id = bank.index(cos2.data[i], sin2.data[i], period.data[i]) as u32;
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (xx, yy) = (x + dx, y + dy);
                if xx < img.w && yy < img.h && foreground[yy * img.w + xx] {
                    index[yy * img.w + xx] = id;
                }
            }
        }
    }
    let mut out = Plane::filled(img.w, img.h, 0.0);
    let job = Job {
        padded: &padded,
        pw,
        index: &index,
        bank,
    };
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { job.filter_avx2(&mut out) };
        return out;
    }
    job.filter(&mut out);
    out
}

/// The filtering loop's inputs.
struct Job<'a> {
    padded: &'a [f32],
    pw: usize,
    /// Kernel index per pixel, `u32::MAX` outside the foreground.
    index: &'a [u32],
    bank: &'a KernelBank,
}

impl Job<'_> {
    /// The filtering loop compiled for AVX2 (8 lanes at once). Without FMA, so results are
    /// bit-identical to the baseline code on every machine.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn filter_avx2(&self, out: &mut Plane) {
        self.filter(out);
    }

    #[inline(always)]
    fn filter(&self, out: &mut Plane) {
        let (w, pw, bank) = (out.w, self.pw, self.bank);
        let side = 2 * bank.radius + 1;
        for y in 0..out.h {
            let row = &self.index[y * w..(y + 1) * w];
            let mut x = 0;
            while x < w {
                let id = row[x];
                if id == u32::MAX {
                    x += 1;
                    continue;
                }
                let k = bank.kernel_at(id as usize);
                let src = &self.padded[y * pw + x..];
                let dst = &mut out.data[y * w + x..];
                // Up to LANES consecutive pixels sharing a kernel are filtered together (the
                // kernel taps broadcast over consecutive pixels, which vectorises well);
                // lanes past the run are computed and dropped.
                let n = row[x..(x + LANES).min(w)]
                    .iter()
                    .take_while(|&&j| j == id)
                    .count();
                let mut lanes = [0.0f32; LANES];
                run(src, pw, k, bank.stride, side, &mut lanes);
                dst[..n].copy_from_slice(&lanes[..n]);
                x += n;
            }
        }
    }
}

/// Pixels filtered together by [`run`].
const LANES: usize = 8;

/// Correlation of one kernel with `LANES` consecutive pixels. Rows are taken in pairs
/// with one accumulator each, so consecutive additions do not wait on each other.
#[inline(always)]
fn run(src: &[f32], pw: usize, k: &[f32], stride: usize, side: usize, out: &mut [f32]) {
    #[inline(always)]
    fn row_into(acc: &mut [f32; LANES], s: &[f32], kr: &[f32]) {
        for (c, &kv) in kr.iter().enumerate() {
            let s8: &[f32; LANES] = s[c..c + LANES].try_into().unwrap();
            for lane in 0..LANES {
                acc[lane] += kv * s8[lane];
            }
        }
    }
    let mut even = [0.0f32; LANES];
    let mut odd = [0.0f32; LANES];
    let mut row = 0;
    while row + 2 <= side {
        let (s0, s1) = (
            &src[row * pw..row * pw + side + LANES],
            &src[(row + 1) * pw..(row + 1) * pw + side + LANES],
        );
        let (k0, k1) = (
            &k[row * stride..row * stride + side],
            &k[(row + 1) * stride..(row + 1) * stride + side],
        );
        for c in 0..side {
            let a: &[f32; LANES] = s0[c..c + LANES].try_into().unwrap();
            let b: &[f32; LANES] = s1[c..c + LANES].try_into().unwrap();
            let (ka, kb) = (k0[c], k1[c]);
            for lane in 0..LANES {
                even[lane] += ka * a[lane];
                odd[lane] += kb * b[lane];
            }
        }
        row += 2;
    }
    if row < side {
        row_into(
            &mut even,
            &src[row * pw..row * pw + side + LANES],
            &k[row * stride..row * stride + side],
        );
    }
    for (lane, o) in out.iter_mut().enumerate() {
        *o = even[lane] + odd[lane];
    }
}

/// Ridge pixels: foreground pixels with a negative filter response. Ridge specks and valley
/// pin holes smaller than `min_area` pixels are removed.
pub(crate) fn binarize(enhanced: &Plane, foreground: &[bool], min_area: usize) -> Vec<bool> {
    let (w, h) = (enhanced.w, enhanced.h);
    let mut ridge: Vec<bool> = enhanced
        .data
        .iter()
        .zip(foreground)
        .map(|(&v, &f)| f && v < 0.0)
        .collect();
    for (value, eight) in [(true, true), (false, false)] {
        let (labels, sizes) = label(&ridge, w, h, value, eight);
        for (r, &l) in ridge.iter_mut().zip(&labels) {
            if l != 0 && sizes[l as usize - 1] < min_area {
                *r = !value;
            }
        }
    }
    ridge
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> BankParams {
        BankParams {
            orientations: 16,
            min_period: 4.0,
            max_period: 16.0,
            period_step: 0.5,
            sigma_across: 0.45,
            sigma_along: 0.55,
            radius: 8,
        }
    }

    /// Scalar reference correlation of a kernel with the window starting at `src`.
    fn dot(src: &[f32], pw: usize, k: &[f32], stride: usize, rows: usize) -> f32 {
        let mut sum = 0.0f64;
        for row in 0..rows {
            for c in 0..rows {
                sum += f64::from(src[row * pw + c]) * f64::from(k[row * stride + c]);
            }
        }
        sum as f32
    }

    #[test]
    fn vectorised_runs_agree_with_single_pixels() {
        let bank = KernelBank::new(&params());
        let side = 2 * bank.radius + 1;
        let pw = 64;
        let mut state = 1u32;
        let src: Vec<f32> = (0..pw * 40)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1 << 24) as f32 - 0.5
            })
            .collect();
        let id = bank.index(0.3, -0.8, 7.3);
        let k = bank.kernel_at(id);
        let mut out = [0.0f32; LANES];
        run(&src[3..], pw, k, bank.stride, side, &mut out);
        for (lane, &v) in out.iter().enumerate() {
            let single = dot(&src[3 + lane..], pw, k, bank.stride, side);
            assert!((v - single).abs() < 1e-4, "lane {lane}: {v} vs {single}");
        }
    }

    #[test]
    fn kernels_are_dc_free_and_unit_gain() {
        let bank = KernelBank::new(&params());
        let k = bank.kernel(1.4f32.cos(), 1.4f32.sin(), 9.0);
        let sum: f32 = k.iter().sum();
        assert!(sum.abs() < 1e-4, "DC {sum}");
        // Even symmetric: centre is the maximum.
        let r = bank.radius;
        let centre = k[r * bank.stride + r];
        assert!(k.iter().all(|&v| v <= centre + 1e-6));
    }

    #[test]
    fn gabor_restores_ridges_and_removes_cross_noise() {
        // Horizontal ridges of period 8 (dark ridges at y ≡ 0 mod 8), plus vertical stripes
        // of period 3 (noise across the ridge flow).
        let (w, h) = (64usize, 64usize);
        let mut img = Plane::filled(w, h, 0.0);
        for y in 0..h {
            for x in 0..w {
                let ridge = -(2.0 * PI * y as f32 / 8.0).cos();
                let noise = 0.8 * (2.0 * PI * x as f32 / 3.0).cos();
                img.set(x, y, ridge + noise);
            }
        }
        let grid = Grid::new(w, h, 8);
        let field = OrientationField {
            cos2: grid.plane(1.0),
            sin2: grid.plane(0.0),
            coherence: grid.plane(1.0),
        };
        let out = gabor(
            &img,
            &grid,
            &field,
            &grid.plane(8.0),
            &vec![true; w * h],
            &KernelBank::new(&params()),
        );
        for y in 16..48 {
            for x in 16..48 {
                let expected = -(2.0 * PI * y as f32 / 8.0).cos();
                assert!(
                    (out.at(x, y) - expected).abs() < 0.15,
                    "({x},{y}): {} vs {expected}",
                    out.at(x, y)
                );
            }
        }
    }
}

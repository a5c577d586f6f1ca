//! The local similarity matrix: every probe cylinder against every candidate cylinder, bits
//! compared with popcounts.
//!
//! Similarity of cylinders a and b (MCC, bit version): restricted to the cells valid in both,
//! `1 − √|a⊕b| / (√|a| + √|b|)`, where |·| counts set bits; 0 when their central minutiae differ
//! in direction by more than [`MAX_DIRECTION_DIFFERENCE`] or they share too few valid cells.
//!
//! One scalar body is compiled three times: for AVX-512 with vector popcount, for AVX2, and
//! portable; [`Kernel::detect`] picks the best the CPU has, once.

use super::cylinder::{Cylinder, CELLS, LAYERS, LAYER_WORDS, RADIUS};

/// Largest direction difference between two minutiae whose cylinders are compared (δθ).
pub const MAX_DIRECTION_DIFFERENCE: f32 = std::f32::consts::FRAC_PI_2;

/// Fraction of a disk's cells two cylinders must both have valid to be compared (minME).
pub const MIN_MATCHABLE_FRACTION: f32 = 0.6;

/// Cells inside a cylinder's disk.
const fn disk_cell_count() -> u32 {
    let step = 2.0 * RADIUS / CELLS as f32;
    let half = (CELLS as f32 + 1.0) / 2.0;
    let mut count = 0;
    let mut c = 0;
    while c < CELLS * CELLS {
        let u = ((c % CELLS) as f32 + 1.0 - half) * step;
        let v = ((c / CELLS) as f32 + 1.0 - half) * step;
        if u * u + v * v <= RADIUS * RADIUS {
            count += 1;
        }
        c += 1;
    }
    count
}

/// Valid cells two cylinders must share to be compared.
pub const MIN_MATCHABLE_CELLS: u32 = (MIN_MATCHABLE_FRACTION * disk_cell_count() as f32) as u32;

/// Which compiled body computes the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust; any CPU.
    Portable,
    /// x86-64 with AVX2 and POPCNT.
    Avx2,
    /// x86-64 with AVX-512F/BW/VL and VPOPCNTDQ.
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("popcnt")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => Kernel::detect() == Kernel::Avx512,
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Fills `out` (row-major, `a.len() × b.len()`) with the similarities of every pair.
    /// `a_dir`/`b_dir` are the directions of the central minutiae, radians in `[0, 2π)`;
    /// `b_dir` must be sorted ascending (prepared templates keep their cylinders so).
    pub fn matrix(
        self,
        a: &[Cylinder],
        a_dir: &[f32],
        b: &[Cylinder],
        b_dir: &[f32],
        out: &mut [f32],
    ) {
        assert!(a.len() == a_dir.len() && b.len() == b_dir.len());
        assert!(out.len() == a.len() * b.len() && b.len() <= MAX_ROW);
        debug_assert!(b_dir.windows(2).all(|w| w[0] <= w[1]));
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 if self.is_supported() => {
                // SAFETY: the CPU has the features (checked just above).
                unsafe { matrix_avx512(a, a_dir, b, b_dir, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if self.is_supported() => {
                // SAFETY: as above.
                unsafe { matrix_avx2(a, a_dir, b, b_dir, out) }
            }
            _ => matrix_body(a, a_dir, b, b_dir, out),
        }
    }
}

/// Longest row (candidate cylinders) the kernels take.
pub const MAX_ROW: usize = super::MAX_MINUTIAE;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")]
unsafe fn matrix_avx512(
    a: &[Cylinder],
    a_dir: &[f32],
    b: &[Cylinder],
    b_dir: &[f32],
    out: &mut [f32],
) {
    matrix_body(a, a_dir, b, b_dir, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,popcnt")]
unsafe fn matrix_avx2(
    a: &[Cylinder],
    a_dir: &[f32],
    b: &[Cylinder],
    b_dir: &[f32],
    out: &mut [f32],
) {
    matrix_body(a, a_dir, b, b_dir, out)
}

/// Bit counts of one cylinder pair: |a|, |b|, |a⊕b| over the common valid cells.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    a: u32,
    b: u32,
    xor: u32,
}

#[inline(always)]
fn matrix_body(a: &[Cylinder], a_dir: &[f32], b: &[Cylinder], b_dir: &[f32], out: &mut [f32]) {
    use std::f32::consts::TAU;
    let n = b.len();
    if n == 0 {
        return;
    }
    let mut counts = [Counts::default(); MAX_ROW];
    for ((ca, &da), row) in a.iter().zip(a_dir).zip(out.chunks_exact_mut(n)) {
        let counts = &mut counts[..n];
        counts.fill(Counts::default());
        // Candidates whose direction is within δθ of this one: a circular run of the
        // sorted directions, so the loops below have no data-dependent branch.
        let lower = (da - MAX_DIRECTION_DIFFERENCE).rem_euclid(TAU);
        let upper = (da + MAX_DIRECTION_DIFFERENCE).rem_euclid(TAU);
        let from = b_dir.partition_point(|&d| d < lower);
        let to = b_dir.partition_point(|&d| d <= upper);
        if from <= to {
            count_range(ca, &b[from..to], &mut counts[from..to]);
        } else {
            count_range(ca, &b[from..], &mut counts[from..]);
            count_range(ca, &b[..to], &mut counts[..to]);
        }
        for (value, c) in row.iter_mut().zip(counts.iter()) {
            let norms = (c.a as f32).sqrt() + (c.b as f32).sqrt();
            let ratio = (c.xor as f32).sqrt() / norms.max(f32::MIN_POSITIVE);
            *value = if norms > 0.0 { 1.0 - ratio } else { 0.0 };
        }
    }
}

#[inline(always)]
fn count_range(a: &Cylinder, b: &[Cylinder], out: &mut [Counts]) {
    for (cb, c) in b.iter().zip(out.iter_mut()) {
        *c = counts(a, cb);
    }
}

/// Similarity of two cylinders (direction check aside), as the kernels compute it.
pub fn similarity(a: &Cylinder, b: &Cylinder) -> f32 {
    let c = counts(a, b);
    let norms = (c.a as f32).sqrt() + (c.b as f32).sqrt();
    if norms > 0.0 {
        1.0 - (c.xor as f32).sqrt() / norms
    } else {
        0.0
    }
}

/// Bit counts of a cylinder pair; all zero when they share too few valid cells.
// Indexing mirrors the bit layout; the compiler vectorises these fixed-size loops.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn counts(a: &Cylinder, b: &Cylinder) -> Counts {
    let mut common = [0u64; LAYER_WORDS];
    let mut matchable = 0;
    for w in 0..LAYER_WORDS {
        common[w] = a.mask[w] & b.mask[w];
        matchable += common[w].count_ones();
    }
    if matchable < MIN_MATCHABLE_CELLS {
        return Counts::default();
    }
    let (mut na, mut nb, mut nx) = (0u32, 0u32, 0u32);
    for k in 0..LAYERS {
        for w in 0..LAYER_WORDS {
            let x = a.bits[k * LAYER_WORDS + w] & common[w];
            let y = b.bits[k * LAYER_WORDS + w] & common[w];
            na += x.count_ones();
            nb += y.count_ones();
            nx += (x ^ y).count_ones();
        }
    }
    Counts {
        a: na,
        b: nb,
        xor: nx,
    }
}

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
    /// `a_dir`/`b_dir` are the unit direction vectors of the central minutiae.
    pub fn matrix(
        self,
        a: &[Cylinder],
        a_dir: &[[f32; 2]],
        b: &[Cylinder],
        b_dir: &[[f32; 2]],
        out: &mut [f32],
    ) {
        assert!(a.len() == a_dir.len() && b.len() == b_dir.len());
        assert!(out.len() == a.len() * b.len());
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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")]
unsafe fn matrix_avx512(
    a: &[Cylinder],
    a_dir: &[[f32; 2]],
    b: &[Cylinder],
    b_dir: &[[f32; 2]],
    out: &mut [f32],
) {
    matrix_body(a, a_dir, b, b_dir, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
unsafe fn matrix_avx2(
    a: &[Cylinder],
    a_dir: &[[f32; 2]],
    b: &[Cylinder],
    b_dir: &[[f32; 2]],
    out: &mut [f32],
) {
    matrix_body(a, a_dir, b, b_dir, out)
}

#[inline(always)]
fn matrix_body(
    a: &[Cylinder],
    a_dir: &[[f32; 2]],
    b: &[Cylinder],
    b_dir: &[[f32; 2]],
    out: &mut [f32],
) {
    let min_cos = MAX_DIRECTION_DIFFERENCE.cos() - 1e-6;
    for ((ca, da), row) in a
        .iter()
        .zip(a_dir)
        .zip(out.chunks_exact_mut(b.len().max(1)))
    {
        for ((cb, db), value) in b.iter().zip(b_dir).zip(row.iter_mut()) {
            *value = if da[0] * db[0] + da[1] * db[1] < min_cos {
                0.0
            } else {
                similarity(ca, cb)
            };
        }
    }
}

/// Similarity of two cylinders (direction check aside).
#[inline(always)]
pub fn similarity(a: &Cylinder, b: &Cylinder) -> f32 {
    let mut common = [0u64; LAYER_WORDS];
    let mut matchable = 0;
    for w in 0..LAYER_WORDS {
        common[w] = a.mask[w] & b.mask[w];
        matchable += common[w].count_ones();
    }
    if matchable < MIN_MATCHABLE_CELLS {
        return 0.0;
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
    let norms = (na as f32).sqrt() + (nb as f32).sqrt();
    if norms == 0.0 {
        0.0
    } else {
        1.0 - (nx as f32).sqrt() / norms
    }
}

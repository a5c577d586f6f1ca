//! The local similarity matrix: every probe cylinder against every candidate cylinder, bits
//! compared with popcounts.
//!
//! Similarity of cylinders a and b (MCC, bit version): restricted to the cells valid in both,
//! `1 − √|a⊕b| / (√|a| + √|b|)`, where |·| counts set bits; 0 when their central minutiae differ
//! in direction by more than [`MAX_DIRECTION_DIFFERENCE`] or they share too few valid cells.
//!
//! One scalar body is compiled three times: for AVX-512 with vector popcount, for AVX2, and
//! portable; [`Kernel::detect`] picks the best the CPU has, once.

#[cfg(target_arch = "x86_64")]
use super::cylinder::WORDS;
use std::f32::consts::TAU;
use std::ops::Range;

use super::cylinder::{Cylinder, CELLS, LAYERS, LAYER_WORDS, RADIUS};

/// Largest direction difference between two minutiae whose cylinders are compared (δθ).
pub const MAX_DIRECTION_DIFFERENCE: f32 = std::f32::consts::FRAC_PI_3;

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

    /// Computes the local similarity of every pair within the direction window and writes
    /// the positive ones to the front of `out` as [`entry`] keys, row by row; returns how many.
    /// `a_dir`/`b_dir` are the directions of the central minutiae, radians in `[0, 2π)`;
    /// `b_dir` must be sorted ascending (prepared templates keep their cylinders so). `out`
    /// must hold at least `a.len() × b.len()` keys.
    pub(crate) fn matrix(
        self,
        a: &[Cylinder],
        a_dir: &[f32],
        b: &[Cylinder],
        b_dir: &[f32],
        out: &mut [u64],
    ) -> usize {
        assert!(a.len() == a_dir.len() && b.len() == b_dir.len());
        assert!(out.len() >= a.len() * b.len() && b.len() <= MAX_ROW);
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

/// The key of a positive similarity `value` of probe cylinder `i` and candidate cylinder `j`
/// (of `n` candidates): keys sort by value (the bits of a non-negative f32 order like the
/// number), then by index, earlier first, so sorting them descending is deterministic.
#[inline(always)]
pub(crate) fn entry(value: f32, i: usize, j: usize, n: usize) -> u64 {
    ((value.to_bits() as u64) << 32) | (u32::MAX - (i * n + j) as u32) as u64
}

/// The value, probe index and candidate index of a key made by [`entry`].
#[inline]
pub(crate) fn decode_entry(key: u64, n: usize) -> (f32, usize, usize) {
    let index = (u32::MAX - key as u32) as usize;
    (f32::from_bits((key >> 32) as u32), index / n, index % n)
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
    out: &mut [u64],
) -> usize {
    matrix_rows::<true>(a, a_dir, b, b_dir, out)
}

/// [`count_range`] with the probe cylinder held in three 512-bit registers: per candidate,
/// the common mask is broadcast to both halves of a register, and the four bit counts are
/// packed into 16-bit fields of each lane so one horizontal sum yields them all.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")]
unsafe fn count_range_avx512(a: &Cylinder, b: &[Cylinder], out: &mut [Counts]) {
    use std::arch::x86_64::*;
    const _: () = assert!(WORDS == 24 && LAYER_WORDS == 4);
    // SAFETY: `Cylinder` is 64-byte aligned with `bits` (24 words) first and `mask` (4 words)
    // at byte 192, so the aligned loads below stay inside the struct.
    unsafe {
        let ap = a.bits.as_ptr() as *const __m512i;
        let (a0, a1, a2) = (
            _mm512_load_si512(ap),
            _mm512_load_si512(ap.add(1)),
            _mm512_load_si512(ap.add(2)),
        );
        let am = _mm256_load_si256(a.mask.as_ptr() as *const __m256i);
        let am_wide = _mm512_broadcast_i64x4(am);
        for (cb, c) in b.iter().zip(out.iter_mut()) {
            let bp = cb.bits.as_ptr() as *const __m512i;
            let bm = _mm256_load_si256(cb.mask.as_ptr() as *const __m256i);
            let common = _mm256_and_si256(am, bm);
            // Bits are only ever set in valid cells, so a ∧ common = a ∧ mask_b and
            // b ∧ common = b ∧ mask_a: the probe's mask stays broadcast in a register and the
            // candidate's is broadcast straight from memory.
            let bm_wide = _mm512_broadcast_i64x4(bm);
            let x0 = _mm512_and_si512(a0, bm_wide);
            let x1 = _mm512_and_si512(a1, bm_wide);
            let x2 = _mm512_and_si512(a2, bm_wide);
            let y0 = _mm512_and_si512(_mm512_load_si512(bp), am_wide);
            let y1 = _mm512_and_si512(_mm512_load_si512(bp.add(1)), am_wide);
            let y2 = _mm512_and_si512(_mm512_load_si512(bp.add(2)), am_wide);
            let na = _mm512_add_epi64(
                _mm512_add_epi64(_mm512_popcnt_epi64(x0), _mm512_popcnt_epi64(x1)),
                _mm512_popcnt_epi64(x2),
            );
            let nb = _mm512_add_epi64(
                _mm512_add_epi64(_mm512_popcnt_epi64(y0), _mm512_popcnt_epi64(y1)),
                _mm512_popcnt_epi64(y2),
            );
            let nx = _mm512_add_epi64(
                _mm512_add_epi64(
                    _mm512_popcnt_epi64(_mm512_xor_si512(x0, y0)),
                    _mm512_popcnt_epi64(_mm512_xor_si512(x1, y1)),
                ),
                _mm512_popcnt_epi64(_mm512_xor_si512(x2, y2)),
            );
            let matchable = _mm512_zextsi256_si512(_mm256_popcnt_epi64(common));
            // Per lane each count is at most 3 × 64, so 16-bit fields cannot overflow.
            let packed = _mm512_add_epi64(
                _mm512_add_epi64(na, _mm512_slli_epi64::<16>(nb)),
                _mm512_add_epi64(
                    _mm512_slli_epi64::<32>(nx),
                    _mm512_slli_epi64::<48>(matchable),
                ),
            );
            let total = _mm512_reduce_add_epi64(packed) as u64;
            let field = |shift: u32| ((total >> shift) & 0xffff) as u32;
            *c = if field(48) >= MIN_MATCHABLE_CELLS {
                Counts {
                    a: field(0),
                    b: field(16),
                    xor: field(32),
                }
            } else {
                Counts::default()
            };
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,popcnt")]
unsafe fn matrix_avx2(
    a: &[Cylinder],
    a_dir: &[f32],
    b: &[Cylinder],
    b_dir: &[f32],
    out: &mut [u64],
) -> usize {
    matrix_body(a, a_dir, b, b_dir, out)
}

/// The candidates whose direction is within [`MAX_DIRECTION_DIFFERENCE`] of `direction`:
/// one or two runs (the window may wrap around 2π) of the ascending `sorted` directions.
#[inline]
fn compatible(direction: f32, sorted: &[f32]) -> (Range<usize>, Range<usize>) {
    let lower = (direction - MAX_DIRECTION_DIFFERENCE).rem_euclid(TAU);
    let upper = (direction + MAX_DIRECTION_DIFFERENCE).rem_euclid(TAU);
    let from = sorted.partition_point(|&d| d < lower);
    let to = sorted.partition_point(|&d| d <= upper);
    if from <= to {
        (from..to, 0..0)
    } else {
        (from..sorted.len(), 0..to)
    }
}

/// Bit counts of one cylinder pair: |a|, |b|, |a⊕b| over the common valid cells.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    a: u32,
    b: u32,
    xor: u32,
}

#[inline(always)]
fn matrix_body(
    a: &[Cylinder],
    a_dir: &[f32],
    b: &[Cylinder],
    b_dir: &[f32],
    out: &mut [u64],
) -> usize {
    matrix_rows::<false>(a, a_dir, b, b_dir, out)
}

/// Counts one probe cylinder against a run of candidates; `WIDE` picks the AVX-512 body,
/// which only [`matrix_avx512`] asks for.
#[inline(always)]
fn count_run<const WIDE: bool>(a: &Cylinder, b: &[Cylinder], out: &mut [Counts]) {
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        // SAFETY: WIDE is only set inside `matrix_avx512`, which runs only on CPUs with the
        // features `count_range_avx512` needs.
        unsafe { count_range_avx512(a, b, out) };
        return;
    }
    count_range(a, b, out)
}

#[inline(always)]
fn matrix_rows<const WIDE: bool>(
    a: &[Cylinder],
    a_dir: &[f32],
    b: &[Cylinder],
    b_dir: &[f32],
    out: &mut [u64],
) -> usize {
    let n = b.len();
    let mut counts = [Counts::default(); MAX_ROW];
    let roots = roots();
    let mut kept = 0;
    for (i, (ca, &da)) in a.iter().zip(a_dir).enumerate() {
        // Candidates whose direction is within δθ of this one: one or two runs of the
        // sorted directions, so the loops below have no data-dependent branch.
        let (first, second) = compatible(da, b_dir);
        for run in [first, second] {
            let start = run.start;
            let counts = &mut counts[..run.len()];
            count_run::<WIDE>(ca, &b[run], counts);
            for (k, c) in counts.iter().enumerate() {
                let value = value_of(c, roots);
                // Written always, kept when positive: no unpredictable branch.
                out[kept] = entry(value, i, start + k, n);
                kept += (value > 0.0) as usize;
            }
        }
    }
    kept
}

/// Square roots of every possible bit count (0 to [`WORDS`] × 64), looked up instead of
/// computed: three square roots per pair would otherwise queue on the divider.
fn roots() -> &'static [f32; ROOTS] {
    static ROOTS_TABLE: std::sync::OnceLock<[f32; ROOTS]> = std::sync::OnceLock::new();
    ROOTS_TABLE.get_or_init(|| std::array::from_fn(|i| (i as f32).sqrt()))
}

const ROOTS: usize = LAYERS * CELLS * CELLS + 1;

/// The similarity of a pair from its bit counts.
#[inline(always)]
fn value_of(c: &Counts, roots: &[f32; ROOTS]) -> f32 {
    let norms = roots[c.a as usize] + roots[c.b as usize];
    if norms > 0.0 {
        1.0 - roots[c.xor as usize] / norms
    } else {
        0.0
    }
}

#[inline(always)]
fn count_range(a: &Cylinder, b: &[Cylinder], out: &mut [Counts]) {
    for (cb, c) in b.iter().zip(out.iter_mut()) {
        *c = counts(a, cb);
    }
}

/// Similarity of two cylinders (direction check aside): the scalar reference the kernels are
/// tested against.
#[cfg(test)]
fn similarity(a: &Cylinder, b: &Cylinder) -> f32 {
    value_of(&counts(a, b), roots())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{cylinder, Point};

    fn points(seed: u32) -> Vec<Point> {
        // A scattered, print-like set: a jittered grid with pseudo-random directions.
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as f32 / u32::MAX as f32
        };
        (0..48)
            .map(|k| Point {
                x: 100.0 + (k % 8) as f32 * 26.0 + 14.0 * next(),
                y: 100.0 + (k / 8) as f32 * 26.0 + 14.0 * next(),
                direction: TAU * next(),
                source: k as u16,
            })
            .collect()
    }

    fn prepared(seed: u32) -> (Vec<Cylinder>, Vec<f32>) {
        let pts = points(seed);
        let mut built = cylinder::build(&pts);
        built.sort_by(|x, y| pts[x.0].direction.total_cmp(&pts[y.0].direction));
        let dirs = built.iter().map(|(i, _)| pts[*i].direction).collect();
        (built.into_iter().map(|(_, c)| c).collect(), dirs)
    }

    #[test]
    fn every_kernel_matches_the_scalar_reference() {
        let (a, a_dir) = prepared(1);
        let (b, b_dir) = prepared(2);
        assert!(a.len() > 30 && b.len() > 30);
        // The reference: every pair within the direction window, by the scalar formula.
        let mut expected = Vec::new();
        for (i, (ca, &da)) in a.iter().zip(&a_dir).enumerate() {
            for (j, (cb, &db)) in b.iter().zip(&b_dir).enumerate() {
                let turn = (da - db).rem_euclid(TAU);
                if turn.min(TAU - turn) <= MAX_DIRECTION_DIFFERENCE - 1e-4 {
                    let value = similarity(ca, cb);
                    if value > 0.0 {
                        expected.push(entry(value, i, j, b.len()));
                    }
                }
            }
        }
        expected.sort_unstable();
        assert!(expected.len() > 100);
        for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
            if !kernel.is_supported() {
                continue;
            }
            let mut out = vec![0; a.len() * b.len()];
            let kept = kernel.matrix(&a, &a_dir, &b, &b_dir, &mut out);
            let mut got = out[..kept].to_vec();
            got.sort_unstable();
            // Pairs exactly at the window's edge may fall either side of the reference's
            // tolerance; everything else must be identical, bit for bit.
            let missing = expected
                .iter()
                .filter(|k| got.binary_search(k).is_err())
                .count();
            assert_eq!(missing, 0, "{kernel:?}");
            assert!(
                got.len() <= expected.len() + 2,
                "{kernel:?}: {} vs {}",
                got.len(),
                expected.len()
            );
        }
    }
}

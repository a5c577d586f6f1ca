//! The aarch64 bodies: NEON (Advanced SIMD), which every AArch64 CPU that runs Linux has.
//!
//! As in `x86.rs`, each encoding has one block function generic over the number of rows `R`
//! it takes at once: four for the bulk, then one for the last rows. Within a block every
//! query vector is loaded once and multiplied into all `R` rows, each row with two
//! accumulators (of four f32 or i32 lanes), so there are eight independent chains to hide the
//! FMA latency. Halves are widened with the `half` crate a chunk at a time into a stack
//! buffer, then summed as f32 (see [`f16_block_neon`]); bytes are multiplied with `smull` into
//! exact i16 products and added pairwise into i32 lanes with `sadalp`. The last few elements
//! of a row, fewer than a vector, are summed in scalar code.
//!
//! Every block reads `rows[r·d .. (r+1)·d]` for `r < R` and `query[..d]` only: the callers
//! guarantee `rows.len() == R · d` with `d = query.len() > 0`.

// `r` indexes the accumulators and the rows' offsets alike; the loops over it unroll fully.
#![allow(clippy::needless_range_loop)]

use std::arch::aarch64::*;

/// Rows per block in the bulk of a scan.
const BLOCK: usize = 4;

/// Runs `block::<BLOCK>` over the bulk of `rows` and `block::<1>` over the rest.
macro_rules! scan {
    ($block:ident, $query:expr, $rows:expr, $out:expr) => {{
        let (query, rows, out) = ($query, $rows, $out);
        let d = query.len();
        let mut outs = out.chunks_exact_mut(BLOCK);
        let mut blocks = rows.chunks_exact(BLOCK * d);
        for (o, r) in (&mut outs).zip(&mut blocks) {
            o.copy_from_slice(&$block::<BLOCK>(query, r));
        }
        for (o, r) in outs
            .into_remainder()
            .iter_mut()
            .zip(blocks.remainder().chunks_exact(d))
        {
            *o = $block::<1>(query, r)[0];
        }
    }};
}

/// # Safety
/// The CPU must have NEON; `a.len() == b.len()`.
#[target_feature(enable = "neon")]
pub(super) unsafe fn dot_f32_neon(a: &[f32], b: &[f32]) -> f32 {
    if a.is_empty() {
        return 0.0;
    }
    f32_block_neon::<1>(a, b)[0]
}

/// # Safety
/// As [`dot_f32_neon`]; `query` is not empty and `rows.len() == out.len() · query.len()`.
#[target_feature(enable = "neon")]
pub(super) unsafe fn dots_f32_neon(query: &[f32], rows: &[f32], out: &mut [f32]) {
    scan!(f32_block_neon, query, rows, out)
}

/// # Safety
/// As [`dots_f32_neon`].
#[target_feature(enable = "neon")]
pub(super) unsafe fn dots_f16_neon(query: &[f32], rows: &[u16], out: &mut [f32]) {
    scan!(f16_block_neon, query, rows, out)
}

/// # Safety
/// As [`dots_f32_neon`].
#[target_feature(enable = "neon")]
pub(super) unsafe fn dots_i8_neon(query: &[i8], rows: &[i8], out: &mut [i32]) {
    scan!(i8_block_neon, query, rows, out)
}

#[target_feature(enable = "neon")]
#[inline]
fn f32_block_neon<const R: usize>(query: &[f32], rows: &[f32]) -> [f32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [vdupq_n_f32(0.0); R];
    let mut a1 = [vdupq_n_f32(0.0); R];
    let mut k = 0;
    // SAFETY (all loads below): lanes k..k+4 (k+8) are below d, so inside `query` and
    // inside row r, which starts at r·d of `rows` (R·d long).
    while k + 8 <= d {
        unsafe {
            let q0 = vld1q_f32(q.add(k));
            let q1 = vld1q_f32(q.add(k + 4));
            for r in 0..R {
                let row = p.add(r * d + k);
                a0[r] = vfmaq_f32(a0[r], q0, vld1q_f32(row));
                a1[r] = vfmaq_f32(a1[r], q1, vld1q_f32(row.add(4)));
            }
        }
        k += 8;
    }
    if k + 4 <= d {
        unsafe {
            let q0 = vld1q_f32(q.add(k));
            for r in 0..R {
                a0[r] = vfmaq_f32(a0[r], q0, vld1q_f32(p.add(r * d + k)));
            }
        }
        k += 4;
    }
    std::array::from_fn(|r| {
        let tail: f32 = query[k..]
            .iter()
            .zip(&rows[r * d + k..(r + 1) * d])
            .map(|(x, y)| x * y)
            .sum();
        vaddvq_f32(vaddq_f32(a0[r], a1[r])) + tail
    })
}

/// Halves widened at a time per row: 256 bytes of stack for each of the `R` rows.
const CHUNK: usize = 64;

/// The halves are widened with the `half` crate, a chunk at a time into a small stack buffer,
/// and then summed as in [`f32_block_neon`]. NEON's own widening (`fcvtl`, `vcvt_f32_f16`)
/// needs Rust 1.94, above the crate's MSRV; `half` uses `fcvtl` itself where the CPU has
/// FP16, and the buffer stays in L1.
#[target_feature(enable = "neon")]
#[inline]
fn f16_block_neon<const R: usize>(query: &[f32], rows: &[u16]) -> [f32; R] {
    use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let mut a0 = [vdupq_n_f32(0.0); R];
    let mut a1 = [vdupq_n_f32(0.0); R];
    let mut tail = [0.0f32; R];
    let mut wide = [[0.0f32; CHUNK]; R];
    let mut k = 0;
    while k < d {
        let n = CHUNK.min(d - k);
        for r in 0..R {
            rows[r * d + k..r * d + k + n]
                .reinterpret_cast::<half::f16>()
                .convert_to_f32_slice(&mut wide[r][..n]);
        }
        let q = query[k..k + n].as_ptr();
        let mut j = 0;
        // SAFETY (all loads below): lanes j..j+4 (j+8) are below n, so inside `query[k..k + n]`
        // and inside the first n floats of each row's buffer.
        while j + 8 <= n {
            unsafe {
                let q0 = vld1q_f32(q.add(j));
                let q1 = vld1q_f32(q.add(j + 4));
                for r in 0..R {
                    let w = wide[r].as_ptr().add(j);
                    a0[r] = vfmaq_f32(a0[r], q0, vld1q_f32(w));
                    a1[r] = vfmaq_f32(a1[r], q1, vld1q_f32(w.add(4)));
                }
            }
            j += 8;
        }
        if j + 4 <= n {
            unsafe {
                let q0 = vld1q_f32(q.add(j));
                for r in 0..R {
                    a0[r] = vfmaq_f32(a0[r], q0, vld1q_f32(wide[r].as_ptr().add(j)));
                }
            }
            j += 4;
        }
        for r in 0..R {
            tail[r] += query[k + j..k + n]
                .iter()
                .zip(&wide[r][j..n])
                .map(|(x, y)| x * y)
                .sum::<f32>();
        }
        k += n;
    }
    std::array::from_fn(|r| vaddvq_f32(vaddq_f32(a0[r], a1[r])) + tail[r])
}

/// `smull`/`smull2` multiply eight byte pairs each into i16 lanes, exact (|q·c| ≤ 2^14 fits),
/// and `sadalp` adds neighbouring i16 lanes into the i32 accumulators; nothing saturates, and
/// no partial sum comes near `i32::MAX` for d < 2^17. (`sdot` would be faster but needs the
/// optional dotprod extension, whose intrinsics are not stable.)
#[target_feature(enable = "neon")]
#[inline]
fn i8_block_neon<const R: usize>(query: &[i8], rows: &[i8]) -> [i32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [vdupq_n_s32(0); R];
    let mut a1 = [vdupq_n_s32(0); R];
    let mut k = 0;
    // SAFETY (all loads below): bytes k..k+16 (k+8) are below d, so inside `query` and row r.
    while k + 16 <= d {
        unsafe {
            let q0 = vld1q_s8(q.add(k));
            let (lo, hi) = (vget_low_s8(q0), q0);
            for r in 0..R {
                let c = vld1q_s8(p.add(r * d + k));
                a0[r] = vpadalq_s16(a0[r], vmull_s8(lo, vget_low_s8(c)));
                a1[r] = vpadalq_s16(a1[r], vmull_high_s8(hi, c));
            }
        }
        k += 16;
    }
    if k + 8 <= d {
        unsafe {
            let q0 = vld1_s8(q.add(k));
            for r in 0..R {
                a0[r] = vpadalq_s16(a0[r], vmull_s8(q0, vld1_s8(p.add(r * d + k))));
            }
        }
        k += 8;
    }
    std::array::from_fn(|r| {
        let tail: i32 = query[k..]
            .iter()
            .zip(&rows[r * d + k..(r + 1) * d])
            .map(|(&x, &c)| x as i32 * c as i32)
            .sum();
        vaddvq_s32(vaddq_s32(a0[r], a1[r])) + tail
    })
}

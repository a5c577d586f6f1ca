//! The x86-64 bodies: AVX-512 (F/BW/VL/VNNI) and AVX2 (with FMA and F16C).
//!
//! Each encoding has one block function generic over the number of rows `R` it takes at once:
//! four for the bulk, then one for the last rows. Within a block every query vector is loaded
//! once and multiplied into all `R` rows, each row with two (or four) accumulators, so enough
//! independent chains hide the FMA latency. The AVX2 f16 and int8 scans take one row at a
//! time instead (see [`dots_f16_avx2`]); the AVX-512 ones are not measured (no such CPU here). Tails shorter than a vector are read with masked loads
//! (AVX-512, AVX2 floats) or copied into a zero-padded buffer (AVX2 halves and bytes).
//!
//! Every block reads `rows[r·d .. (r+1)·d]` for `r < R` and `query[..d]` only: the callers
//! guarantee `rows.len() == R · d` with `d = query.len() > 0`.

// `r` indexes the accumulators and the rows' offsets alike; the loops over it unroll fully.
#![allow(clippy::needless_range_loop)]

use std::arch::x86_64::*;

/// Rows per block in the bulk of a scan.
const BLOCK: usize = 4;

/// Runs `block::<N>` (`N` = [`BLOCK`] unless given) over the bulk of `rows` and `block::<1>`
/// over the rest.
macro_rules! scan {
    ($block:ident, $query:expr, $rows:expr, $out:expr) => {
        scan!($block, BLOCK, $query, $rows, $out)
    };
    ($block:ident, $n:expr, $query:expr, $rows:expr, $out:expr) => {{
        let (query, rows, out) = ($query, $rows, $out);
        const N: usize = $n;
        let d = query.len();
        let mut outs = out.chunks_exact_mut(N);
        let mut blocks = rows.chunks_exact(N * d);
        for (o, r) in (&mut outs).zip(&mut blocks) {
            o.copy_from_slice(&$block::<N>(query, r));
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

// ---------------------------------------------------------------------------------------------
// AVX-512
// ---------------------------------------------------------------------------------------------

/// # Safety
/// The CPU must have AVX-512F/BW/VL/VNNI, AVX2, FMA and F16C; `a.len() == b.len()`.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn dot_f32_avx512(a: &[f32], b: &[f32]) -> f32 {
    if a.is_empty() {
        return 0.0;
    }
    f32_block_avx512::<1>(a, b)[0]
}

/// # Safety
/// As [`dot_f32_avx512`]; `query` is not empty and `rows.len() == out.len() · query.len()`.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn dots_f32_avx512(query: &[f32], rows: &[f32], out: &mut [f32]) {
    scan!(f32_block_avx512, query, rows, out)
}

/// # Safety
/// As [`dots_f32_avx512`].
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn dots_f16_avx512(query: &[f32], rows: &[u16], out: &mut [f32]) {
    scan!(f16_block_avx512, query, rows, out)
}

/// # Safety
/// As [`dots_f32_avx512`].
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
pub(super) unsafe fn dots_i8_avx512(query: &[i8], rows: &[i8], out: &mut [i32]) {
    scan!(i8_block_avx512, query, rows, out)
}

/// The first `n` (< 16) lanes of a 16-lane vector.
#[inline]
fn mask16(n: usize) -> __mmask16 {
    debug_assert!(n < 16);
    ((1u32 << n) - 1) as __mmask16
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
#[inline]
fn f32_block_avx512<const R: usize>(query: &[f32], rows: &[f32]) -> [f32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [_mm512_setzero_ps(); R];
    let mut a1 = [_mm512_setzero_ps(); R];
    let mut k = 0;
    // SAFETY (all loads below): lanes k..k+16 (k+32) are below d, so inside `query` and
    // inside row r, which starts at r·d of `rows` (R·d long); masked loads touch only the
    // lanes below d.
    while k + 32 <= d {
        unsafe {
            let q0 = _mm512_loadu_ps(q.add(k));
            let q1 = _mm512_loadu_ps(q.add(k + 16));
            for r in 0..R {
                let row = p.add(r * d + k);
                a0[r] = _mm512_fmadd_ps(q0, _mm512_loadu_ps(row), a0[r]);
                a1[r] = _mm512_fmadd_ps(q1, _mm512_loadu_ps(row.add(16)), a1[r]);
            }
        }
        k += 32;
    }
    if k + 16 <= d {
        unsafe {
            let q0 = _mm512_loadu_ps(q.add(k));
            for r in 0..R {
                a0[r] = _mm512_fmadd_ps(q0, _mm512_loadu_ps(p.add(r * d + k)), a0[r]);
            }
        }
        k += 16;
    }
    if k < d {
        let m = mask16(d - k);
        unsafe {
            let q0 = _mm512_maskz_loadu_ps(m, q.add(k));
            for r in 0..R {
                let row = _mm512_maskz_loadu_ps(m, p.add(r * d + k));
                a1[r] = _mm512_fmadd_ps(q0, row, a1[r]);
            }
        }
    }
    std::array::from_fn(|r| _mm512_reduce_add_ps(_mm512_add_ps(a0[r], a1[r])))
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
#[inline]
fn f16_block_avx512<const R: usize>(query: &[f32], rows: &[u16]) -> [f32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [_mm512_setzero_ps(); R];
    let mut a1 = [_mm512_setzero_ps(); R];
    let mut k = 0;
    // SAFETY (all loads below): as in `f32_block_avx512`, lanes k.. below d only; 16 halves
    // are 32 bytes, read unaligned.
    while k + 32 <= d {
        unsafe {
            let q0 = _mm512_loadu_ps(q.add(k));
            let q1 = _mm512_loadu_ps(q.add(k + 16));
            for r in 0..R {
                let row = p.add(r * d + k);
                let h0 = _mm512_cvtph_ps(_mm256_loadu_si256(row as *const __m256i));
                let h1 = _mm512_cvtph_ps(_mm256_loadu_si256(row.add(16) as *const __m256i));
                a0[r] = _mm512_fmadd_ps(q0, h0, a0[r]);
                a1[r] = _mm512_fmadd_ps(q1, h1, a1[r]);
            }
        }
        k += 32;
    }
    if k + 16 <= d {
        unsafe {
            let q0 = _mm512_loadu_ps(q.add(k));
            for r in 0..R {
                let row = p.add(r * d + k);
                let h0 = _mm512_cvtph_ps(_mm256_loadu_si256(row as *const __m256i));
                a0[r] = _mm512_fmadd_ps(q0, h0, a0[r]);
            }
        }
        k += 16;
    }
    if k < d {
        let m = mask16(d - k);
        unsafe {
            let q0 = _mm512_maskz_loadu_ps(m, q.add(k));
            for r in 0..R {
                let row = p.add(r * d + k) as *const i16;
                let h = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, row));
                a1[r] = _mm512_fmadd_ps(q0, h, a1[r]);
            }
        }
    }
    std::array::from_fn(|r| _mm512_reduce_add_ps(_mm512_add_ps(a0[r], a1[r])))
}

/// VNNI multiplies unsigned by signed bytes, so the query goes in offset by 128
/// (`u = q + 128`, the sign bit flipped) and the row's byte sum, accumulated alongside by
/// multiplying it with ones, takes the offset back out: `Σ q·c = Σ u·c − 128·Σ c`. No step
/// saturates (`vpdpbusd` wraps, and no partial sum comes near `i32::MAX` for d < 2^17).
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")]
#[inline]
fn i8_block_avx512<const R: usize>(query: &[i8], rows: &[i8]) -> [i32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let flip = _mm512_set1_epi8(i8::MIN);
    let ones = _mm512_set1_epi8(1);
    let mut dot = [_mm512_setzero_si512(); R];
    let mut sum = [_mm512_setzero_si512(); R];
    let mut k = 0;
    // SAFETY (all loads below): bytes k..k+64 are below d, so inside `query` and row r;
    // the masked loads touch only the bytes below d (zeroed rows bytes add nothing to
    // either sum, whatever the offset query holds there).
    while k + 64 <= d {
        unsafe {
            let u = _mm512_xor_si512(_mm512_loadu_si512(q.add(k) as *const _), flip);
            for r in 0..R {
                let c = _mm512_loadu_si512(p.add(r * d + k) as *const _);
                dot[r] = _mm512_dpbusd_epi32(dot[r], u, c);
                sum[r] = _mm512_dpbusd_epi32(sum[r], ones, c);
            }
        }
        k += 64;
    }
    if k < d {
        let m: __mmask64 = (1u64 << (d - k)) - 1;
        unsafe {
            let u = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, q.add(k)), flip);
            for r in 0..R {
                let c = _mm512_maskz_loadu_epi8(m, p.add(r * d + k));
                dot[r] = _mm512_dpbusd_epi32(dot[r], u, c);
                sum[r] = _mm512_dpbusd_epi32(sum[r], ones, c);
            }
        }
    }
    std::array::from_fn(|r| {
        _mm512_reduce_add_epi32(_mm512_sub_epi32(dot[r], _mm512_slli_epi32::<7>(sum[r])))
    })
}

// ---------------------------------------------------------------------------------------------
// AVX2
// ---------------------------------------------------------------------------------------------

/// # Safety
/// The CPU must have AVX2, FMA and F16C; `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dot_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
    if a.is_empty() {
        return 0.0;
    }
    f32_block_avx2::<1>(a, b)[0]
}

/// # Safety
/// As [`dot_f32_avx2`]; `query` is not empty and `rows.len() == out.len() · query.len()`.
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dots_f32_avx2(query: &[f32], rows: &[f32], out: &mut [f32]) {
    scan!(f32_block_avx2, query, rows, out)
}

/// # Safety
/// As [`dots_f32_avx2`].
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dots_f16_avx2(query: &[f32], rows: &[u16], out: &mut [f32]) {
    // One row at a time: four interleaved short streams defeat Zen 2's hardware prefetcher
    // (out of cache, 70% of the memory bandwidth with four rows, all of it with one).
    scan!(f16_block_avx2, 1, query, rows, out)
}

/// # Safety
/// As [`dots_f32_avx2`].
#[target_feature(enable = "avx2,fma,f16c")]
pub(super) unsafe fn dots_i8_avx2(query: &[i8], rows: &[i8], out: &mut [i32]) {
    // One row at a time, as `dots_f16_avx2`.
    scan!(i8_block_avx2, 1, query, rows, out)
}

/// Sum of the eight lanes.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn hsum_ps(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_movehdup_ps(s));
    _mm_cvtss_f32(s)
}

/// Sum of the eight lanes (wrapping).
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn hsum_epi32(v: __m256i) -> i32 {
    let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
    _mm_cvtsi128_si32(s)
}

/// Asks for the cache line at `p`; the int8 scan passes the position eight rows further on
/// (4 KiB at 512-d), so the next rows are on their way while these are summed: one row
/// ahead gave 3.3× the f32 scan's speed per query over 10⁶ × 512, eight rows 4.1×. Never faults, whatever `p` (past the
/// end of the rows, it is simply wasted). Measured on Zen 2 with a 2 GB gallery: +30% for the
/// int8 scan (short rows, 512 bytes), nothing for f16, a loss for f32, which has none.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn prefetch<const R: usize>(p: *const i8) {
    _mm_prefetch::<_MM_HINT_T0>(p);
}

/// Lane masks for `_mm256_maskload_ps`: eight set, then eight clear.
static TAIL_MASK: [i32; 16] = [-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0];

/// A mask of the first `n` (< 8) lanes.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn mask8(n: usize) -> __m256i {
    assert!(n < 8);
    // SAFETY: 8 − n + 8 ≤ 16 elements.
    unsafe { _mm256_loadu_si256(TAIL_MASK.as_ptr().add(8 - n) as *const __m256i) }
}

#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn f32_block_avx2<const R: usize>(query: &[f32], rows: &[f32]) -> [f32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [_mm256_setzero_ps(); R];
    let mut a1 = [_mm256_setzero_ps(); R];
    let mut k = 0;
    // SAFETY (all loads below): lanes k..k+8 (k+16) are below d, so inside `query` and
    // inside row r; masked loads touch only the lanes below d.
    while k + 16 <= d {
        unsafe {
            let q0 = _mm256_loadu_ps(q.add(k));
            let q1 = _mm256_loadu_ps(q.add(k + 8));
            for r in 0..R {
                let row = p.add(r * d + k);
                a0[r] = _mm256_fmadd_ps(q0, _mm256_loadu_ps(row), a0[r]);
                a1[r] = _mm256_fmadd_ps(q1, _mm256_loadu_ps(row.add(8)), a1[r]);
            }
        }
        k += 16;
    }
    if k + 8 <= d {
        unsafe {
            let q0 = _mm256_loadu_ps(q.add(k));
            for r in 0..R {
                a0[r] = _mm256_fmadd_ps(q0, _mm256_loadu_ps(p.add(r * d + k)), a0[r]);
            }
        }
        k += 8;
    }
    if k < d {
        let m = mask8(d - k);
        unsafe {
            let q0 = _mm256_maskload_ps(q.add(k), m);
            for r in 0..R {
                let row = _mm256_maskload_ps(p.add(r * d + k), m);
                a1[r] = _mm256_fmadd_ps(q0, row, a1[r]);
            }
        }
    }
    std::array::from_fn(|r| hsum_ps(_mm256_add_ps(a0[r], a1[r])))
}

#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn f16_block_avx2<const R: usize>(query: &[f32], rows: &[u16]) -> [f32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [_mm256_setzero_ps(); R];
    let mut a1 = [_mm256_setzero_ps(); R];
    let mut a2 = [_mm256_setzero_ps(); R];
    let mut a3 = [_mm256_setzero_ps(); R];
    let mut k = 0;
    // SAFETY (all loads below): lanes k..k+8 (k+16, k+32) are below d; eight halves are
    // 16 bytes.
    while k + 32 <= d {
        unsafe {
            let q0 = _mm256_loadu_ps(q.add(k));
            let q1 = _mm256_loadu_ps(q.add(k + 8));
            let q2 = _mm256_loadu_ps(q.add(k + 16));
            let q3 = _mm256_loadu_ps(q.add(k + 24));
            for r in 0..R {
                let row = p.add(r * d + k);
                prefetch::<R>(row.wrapping_add(R * d) as *const i8);
                let h0 = _mm256_cvtph_ps(_mm_loadu_si128(row as *const __m128i));
                let h1 = _mm256_cvtph_ps(_mm_loadu_si128(row.add(8) as *const __m128i));
                let h2 = _mm256_cvtph_ps(_mm_loadu_si128(row.add(16) as *const __m128i));
                let h3 = _mm256_cvtph_ps(_mm_loadu_si128(row.add(24) as *const __m128i));
                a0[r] = _mm256_fmadd_ps(q0, h0, a0[r]);
                a1[r] = _mm256_fmadd_ps(q1, h1, a1[r]);
                a2[r] = _mm256_fmadd_ps(q2, h2, a2[r]);
                a3[r] = _mm256_fmadd_ps(q3, h3, a3[r]);
            }
        }
        k += 32;
    }
    if k + 16 <= d {
        unsafe {
            let q0 = _mm256_loadu_ps(q.add(k));
            let q1 = _mm256_loadu_ps(q.add(k + 8));
            for r in 0..R {
                let row = p.add(r * d + k);
                let h0 = _mm256_cvtph_ps(_mm_loadu_si128(row as *const __m128i));
                let h1 = _mm256_cvtph_ps(_mm_loadu_si128(row.add(8) as *const __m128i));
                a0[r] = _mm256_fmadd_ps(q0, h0, a0[r]);
                a1[r] = _mm256_fmadd_ps(q1, h1, a1[r]);
            }
        }
        k += 16;
    }
    if k + 8 <= d {
        unsafe {
            let q0 = _mm256_loadu_ps(q.add(k));
            for r in 0..R {
                let row = p.add(r * d + k);
                let h0 = _mm256_cvtph_ps(_mm_loadu_si128(row as *const __m128i));
                a0[r] = _mm256_fmadd_ps(q0, h0, a0[r]);
            }
        }
        k += 8;
    }
    if k < d {
        let n = d - k;
        let m = mask8(n);
        // AVX2 has no masked 16-bit load: the tail halves go through a zero-padded buffer.
        let q0 = unsafe { _mm256_maskload_ps(q.add(k), m) };
        for r in 0..R {
            let mut pad = [0u16; 8];
            pad[..n].copy_from_slice(&rows[r * d + k..(r + 1) * d]);
            let h = _mm256_cvtph_ps(unsafe { _mm_loadu_si128(pad.as_ptr() as *const __m128i) });
            a1[r] = _mm256_fmadd_ps(q0, h, a1[r]);
        }
    }
    std::array::from_fn(|r| {
        hsum_ps(_mm256_add_ps(
            _mm256_add_ps(a0[r], a1[r]),
            _mm256_add_ps(a2[r], a3[r]),
        ))
    })
}

/// Bytes sign-extended to 16 bits and multiplied pairwise into 32-bit sums (`vpmaddwd`,
/// exact: two products of at most 2^14 each), never `vpmaddubsw`, which saturates.
#[target_feature(enable = "avx2,fma,f16c")]
#[inline]
fn i8_block_avx2<const R: usize>(query: &[i8], rows: &[i8]) -> [i32; R] {
    let d = query.len();
    assert!(d > 0 && rows.len() == R * d);
    let (q, p) = (query.as_ptr(), rows.as_ptr());
    let mut a0 = [_mm256_setzero_si256(); R];
    let mut a1 = [_mm256_setzero_si256(); R];
    /// # Safety
    /// `p` points to 16 readable bytes.
    #[target_feature(enable = "avx2,fma,f16c")]
    #[inline]
    unsafe fn widen(p: *const i8) -> __m256i {
        // SAFETY: the caller's promise.
        _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(p as *const __m128i) })
    }
    let mut k = 0;
    // SAFETY (all loads below): bytes k..k+16 (k+32, k+64) are below d, so inside `query`
    // and row r.
    while k + 64 <= d {
        let (q0, q1) = unsafe { (widen(q.add(k)), widen(q.add(k + 16))) };
        let (q2, q3) = unsafe { (widen(q.add(k + 32)), widen(q.add(k + 48))) };
        for r in 0..R {
            let row = unsafe { p.add(r * d + k) };
            prefetch::<R>(row.wrapping_add(8 * R * d));
            let (c0, c1) = unsafe { (widen(row), widen(row.add(16))) };
            let (c2, c3) = unsafe { (widen(row.add(32)), widen(row.add(48))) };
            let s0 = _mm256_add_epi32(_mm256_madd_epi16(q0, c0), _mm256_madd_epi16(q2, c2));
            let s1 = _mm256_add_epi32(_mm256_madd_epi16(q1, c1), _mm256_madd_epi16(q3, c3));
            a0[r] = _mm256_add_epi32(a0[r], s0);
            a1[r] = _mm256_add_epi32(a1[r], s1);
        }
        k += 64;
    }
    if k + 32 <= d {
        let (q0, q1) = unsafe { (widen(q.add(k)), widen(q.add(k + 16))) };
        for r in 0..R {
            let row = unsafe { p.add(r * d + k) };
            let (c0, c1) = unsafe { (widen(row), widen(row.add(16))) };
            a0[r] = _mm256_add_epi32(a0[r], _mm256_madd_epi16(q0, c0));
            a1[r] = _mm256_add_epi32(a1[r], _mm256_madd_epi16(q1, c1));
        }
        k += 32;
    }
    if k + 16 <= d {
        let q0 = unsafe { widen(q.add(k)) };
        for r in 0..R {
            let c0 = unsafe { widen(p.add(r * d + k)) };
            a0[r] = _mm256_add_epi32(a0[r], _mm256_madd_epi16(q0, c0));
        }
        k += 16;
    }
    if k < d {
        let n = d - k;
        let mut qpad = [0i8; 16];
        qpad[..n].copy_from_slice(&query[k..]);
        // SAFETY: the padded buffers are 16 bytes.
        let q0 = unsafe { widen(qpad.as_ptr()) };
        for r in 0..R {
            let mut pad = [0i8; 16];
            pad[..n].copy_from_slice(&rows[r * d + k..(r + 1) * d]);
            let c0 = unsafe { widen(pad.as_ptr()) };
            a1[r] = _mm256_add_epi32(a1[r], _mm256_madd_epi16(q0, c0));
        }
    }
    std::array::from_fn(|r| hsum_epi32(_mm256_add_epi32(a0[r], a1[r])))
}

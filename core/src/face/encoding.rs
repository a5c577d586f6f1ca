//! How an index stores its vectors: f32, f16, or int8 by scalar quantisation.
//!
//! Int8 with a **per-vector** scale stores `c = round(x / s)` with `s = max|x| / 127` for each
//! vector, so `q · x ≈ s_q s_x (c_q · c_x)`. Int8 with a **per-dimension** scale learns
//! `σ_d = max |x_d| / 127` from the first vectors added (or [`super::FaceIndex::train`]) and
//! stores `c_d = round(x_d / σ_d)` clamped to ±127; a query is folded with the scales,
//! `q'_d = q_d σ_d`, then quantised per vector, so `q · x ≈ s_q' (c_q' · c_x)`.
//! Both reduce the scan to exact int8 dot products (VNNI on AVX-512); the short list is then
//! re-ranked in f32 when the index keeps the originals.

use half::f16;

use super::kernels::Kernel;

/// The storage of an index's scanned vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// 4 bytes a value; exact.
    F32,
    /// IEEE binary16, 2 bytes a value; relative error about 5·10⁻⁴ per value.
    F16,
    /// 1 byte a value and one f32 scale per vector.
    Int8PerVector,
    /// 1 byte a value and one f32 scale per dimension, learnt from the data.
    Int8PerDimension,
}

impl Encoding {
    /// Every encoding.
    pub const ALL: [Encoding; 4] = [
        Encoding::F32,
        Encoding::F16,
        Encoding::Int8PerVector,
        Encoding::Int8PerDimension,
    ];

    /// A short name ("f32", "f16", "int8", "int8-dim").
    pub fn name(self) -> &'static str {
        match self {
            Encoding::F32 => "f32",
            Encoding::F16 => "f16",
            Encoding::Int8PerVector => "int8",
            Encoding::Int8PerDimension => "int8-dim",
        }
    }

    /// Whether scores from this encoding are approximate.
    pub fn is_lossy(self) -> bool {
        self != Encoding::F32
    }

    /// Bytes of code per vector of dimension `dim` (scales included).
    pub fn bytes_per_vector(self, dim: usize) -> usize {
        match self {
            Encoding::F32 => 4 * dim,
            Encoding::F16 => 2 * dim,
            Encoding::Int8PerVector => dim + 4,
            Encoding::Int8PerDimension => dim,
        }
    }

    pub(crate) fn code(self) -> u32 {
        match self {
            Encoding::F32 => 0,
            Encoding::F16 => 1,
            Encoding::Int8PerVector => 2,
            Encoding::Int8PerDimension => 3,
        }
    }

    pub(crate) fn from_code(code: u32) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.code() == code)
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Encoding {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Encoding> {
        Encoding::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                crate::Error::InvalidArgument(format!(
                    "unknown encoding {s:?}: expected f32, f16, int8 or int8-dim"
                ))
            })
    }
}

/// Quantises `x` to int8 with one scale; returns the scale (`x ≈ scale · code`).
pub(crate) fn quantize_i8(x: &[f32], out: &mut [i8]) -> f32 {
    let max = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if max == 0.0 {
        out.fill(0);
        return 0.0;
    }
    let scale = max / 127.0;
    let inverse = 1.0 / scale;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v * inverse).round().clamp(-127.0, 127.0) as i8;
    }
    scale
}

/// Quantises `x` with per-dimension scales `sigma` (`x_d ≈ σ_d · code_d`), clamping.
pub(crate) fn quantize_i8_per_dim(x: &[f32], sigma: &[f32], out: &mut [i8]) {
    for ((o, &v), &s) in out.iter_mut().zip(x).zip(sigma) {
        *o = if s > 0.0 {
            (v / s).round().clamp(-127.0, 127.0) as i8
        } else {
            0
        };
    }
}

/// Per-dimension scales from unit-length rows: the largest magnitude of each dimension / 127.
pub(crate) fn learn_dim_scales(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut max = vec![0.0f32; dim];
    for row in rows.chunks_exact(dim) {
        for (m, &v) in max.iter_mut().zip(row) {
            *m = m.max(v.abs());
        }
    }
    // A dimension never seen non-zero still gets a usable scale for later vectors.
    max.iter()
        .map(|&m| if m > 0.0 { m / 127.0 } else { 1.0 / 127.0 })
        .collect()
}

/// The scanned codes of an index, one variant per encoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Codes {
    F32(Vec<f32>),
    F16(Vec<u16>),
    Int8PerVector { codes: Vec<i8>, scales: Vec<f32> },
    Int8PerDimension { codes: Vec<i8>, sigma: Vec<f32> },
}

/// A query prepared for one encoding's scan.
pub(crate) enum PreparedQuery<'q> {
    F32(&'q [f32]),
    Int8 { codes: Vec<i8>, scale: f32 },
}

impl Codes {
    pub fn new(encoding: Encoding) -> Codes {
        match encoding {
            Encoding::F32 => Codes::F32(Vec::new()),
            Encoding::F16 => Codes::F16(Vec::new()),
            Encoding::Int8PerVector => Codes::Int8PerVector {
                codes: Vec::new(),
                scales: Vec::new(),
            },
            Encoding::Int8PerDimension => Codes::Int8PerDimension {
                codes: Vec::new(),
                sigma: Vec::new(),
            },
        }
    }

    pub fn encoding(&self) -> Encoding {
        match self {
            Codes::F32(_) => Encoding::F32,
            Codes::F16(_) => Encoding::F16,
            Codes::Int8PerVector { .. } => Encoding::Int8PerVector,
            Codes::Int8PerDimension { .. } => Encoding::Int8PerDimension,
        }
    }

    /// Appends unit-length rows (learning per-dimension scales first if none yet).
    pub fn extend(&mut self, rows: &[f32], dim: usize) {
        match self {
            Codes::F32(v) => v.extend_from_slice(rows),
            Codes::F16(v) => v.extend(rows.iter().map(|&x| f16::from_f32(x).to_bits())),
            Codes::Int8PerVector { codes, scales } => {
                let start = codes.len();
                codes.resize(start + rows.len(), 0);
                for (row, out) in rows
                    .chunks_exact(dim)
                    .zip(codes[start..].chunks_exact_mut(dim))
                {
                    scales.push(quantize_i8(row, out));
                }
            }
            Codes::Int8PerDimension { codes, sigma } => {
                if sigma.is_empty() {
                    *sigma = learn_dim_scales(rows, dim);
                }
                let start = codes.len();
                codes.resize(start + rows.len(), 0);
                for (row, out) in rows
                    .chunks_exact(dim)
                    .zip(codes[start..].chunks_exact_mut(dim))
                {
                    quantize_i8_per_dim(row, sigma, out);
                }
            }
        }
    }

    /// Moves the last row into `row` and drops the last (as `Vec::swap_remove`).
    pub fn swap_remove(&mut self, row: usize, dim: usize) {
        fn swap<T: Copy>(v: &mut Vec<T>, row: usize, width: usize) {
            let last = v.len() / width - 1;
            if row != last {
                v.copy_within(last * width..(last + 1) * width, row * width);
            }
            v.truncate(last * width);
        }
        match self {
            Codes::F32(v) => swap(v, row, dim),
            Codes::F16(v) => swap(v, row, dim),
            Codes::Int8PerVector { codes, scales } => {
                swap(codes, row, dim);
                scales.swap_remove(row);
            }
            Codes::Int8PerDimension { codes, .. } => swap(codes, row, dim),
        }
    }

    /// Row `row` decoded to f32.
    pub fn decode(&self, row: usize, dim: usize, out: &mut [f32]) {
        let range = row * dim..(row + 1) * dim;
        match self {
            Codes::F32(v) => out.copy_from_slice(&v[range]),
            Codes::F16(v) => {
                for (o, &h) in out.iter_mut().zip(&v[range]) {
                    *o = f16::from_bits(h).to_f32();
                }
            }
            Codes::Int8PerVector { codes, scales } => {
                for (o, &c) in out.iter_mut().zip(&codes[range]) {
                    *o = c as f32 * scales[row];
                }
            }
            Codes::Int8PerDimension { codes, sigma } => {
                for ((o, &c), &s) in out.iter_mut().zip(&codes[range]).zip(sigma) {
                    *o = c as f32 * s;
                }
            }
        }
    }

    /// Decodes rows `rows` into `out` (row-major).
    pub fn decode_rows(&self, rows: std::ops::Range<usize>, dim: usize, out: &mut [f32]) {
        for (i, o) in rows.zip(out.chunks_exact_mut(dim)) {
            self.decode(i, dim, o);
        }
    }

    /// Prepares a unit-length query for [`Codes::scan`].
    pub fn prepare<'q>(&self, query: &'q [f32]) -> PreparedQuery<'q> {
        match self {
            Codes::F32(_) | Codes::F16(_) => PreparedQuery::F32(query),
            Codes::Int8PerVector { .. } => {
                let mut codes = vec![0i8; query.len()];
                let scale = quantize_i8(query, &mut codes);
                PreparedQuery::Int8 { codes, scale }
            }
            Codes::Int8PerDimension { sigma, .. } => {
                let folded: Vec<f32> = query.iter().zip(sigma).map(|(q, s)| q * s).collect();
                let mut codes = vec![0i8; query.len()];
                let scale = quantize_i8(&folded, &mut codes);
                PreparedQuery::Int8 { codes, scale }
            }
        }
    }

    /// Approximate (exact for f32) similarities of the query with rows `first..first+out.len()`.
    pub fn scan(
        &self,
        kernel: Kernel,
        query: &PreparedQuery<'_>,
        first: usize,
        dim: usize,
        out: &mut [f32],
        ints: &mut [i32],
    ) {
        let range = first * dim..(first + out.len()) * dim;
        match (self, query) {
            (Codes::F32(v), PreparedQuery::F32(q)) => kernel.dots_f32(q, &v[range], out),
            (Codes::F16(v), PreparedQuery::F32(q)) => kernel.dots_f16(q, &v[range], out),
            (Codes::Int8PerVector { codes, scales }, PreparedQuery::Int8 { codes: q, scale }) => {
                let ints = &mut ints[..out.len()];
                kernel.dots_i8(q, &codes[range], ints);
                for ((o, &i), &s) in out.iter_mut().zip(ints.iter()).zip(&scales[first..]) {
                    *o = i as f32 * s * scale;
                }
            }
            (Codes::Int8PerDimension { codes, .. }, PreparedQuery::Int8 { codes: q, scale }) => {
                let ints = &mut ints[..out.len()];
                kernel.dots_i8(q, &codes[range], ints);
                for (o, &i) in out.iter_mut().zip(ints.iter()) {
                    *o = i as f32 * scale;
                }
            }
            _ => unreachable!("queries are prepared by the codes that scan them"),
        }
    }
}

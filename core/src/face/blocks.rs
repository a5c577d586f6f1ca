//! Blocked matrix products for batch search and the all-pairs join: similarities of a block
//! of queries with a block of rows in one `sgemm` (the `matrixmultiply` crate: packed panels,
//! AVX2/FMA micro-kernels chosen at run time, pure Rust so it also builds for wasm32).

use rayon_shim::*;

use super::embedding::check_batch_dimension;
use super::encoding::Codes;
use super::index::{check_threshold, FaceIndex, FacePair};
use super::topk::{Scored, TopK};
use super::EmbeddingBatch;
use super::Hit;
use crate::Result;

/// Gallery rows per block of a batch search or join (512 × 512 f32 = 1 MiB, an L2's worth).
const ROWS: usize = 512;
/// Queries per block of a batch search.
const QUERIES: usize = 256;

/// `out[i·n + j] = a_i · b_j` for the `m` rows of `a` and the `n` rows of `b` (dimension `d`).
pub(crate) fn products(a: &[f32], b: &[f32], d: usize, out: &mut [f32]) {
    let (m, n) = (a.len() / d, b.len() / d);
    assert!(a.len() == m * d && b.len() == n * d && out.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: A is m×d row-major, B^T is read as d×n through strides (1, d) over b's n×d
    // rows, C is m×n row-major; all three slices hold those extents (asserted above).
    unsafe {
        matrixmultiply::sgemm(
            m,
            d,
            n,
            1.0,
            a.as_ptr(),
            d as isize,
            1,
            b.as_ptr(),
            1,
            d as isize,
            0.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// Rows `range` of the index as f32: borrowed when it has exact rows, else decoded into
/// `buffer`.
fn rows_f32<'a>(
    index: &'a FaceIndex,
    range: std::ops::Range<usize>,
    buffer: &'a mut Vec<f32>,
) -> &'a [f32] {
    let d = index.dim;
    match index.exact_rows() {
        Some(e) => &e[range.start * d..range.end * d],
        None => {
            buffer.resize(range.len() * d, 0.0);
            index.codes.decode_rows(range, d, buffer);
            buffer
        }
    }
}

impl FaceIndex {
    /// The `k` most similar embeddings for each query of `queries`, as [`FaceIndex::search`]
    /// would give one by one; the gallery is read once per block of queries, and the work is
    /// spread over the cores by gallery blocks.
    ///
    /// Similarities are blocked matrix products (`sgemm`): a lossy index decodes each gallery
    /// block to f32 once for all queries (so the ranking is by the codes, as in
    /// [`FaceIndex::search`]), then re-ranks each short list in f32.
    pub fn search_batch(&self, queries: &EmbeddingBatch, k: usize) -> Result<Vec<Vec<Hit>>> {
        check_batch_dimension(queries, self.dim, "queries")?;
        let d = self.dim;
        let length = self.shortlist(k);
        let nq = queries.len();
        let blocks = self.len().div_ceil(ROWS);
        let block_pass = |tops: &mut Vec<TopK>, scratch: &mut Scratch, b: usize| {
            let first = b * ROWS;
            let rows = ROWS.min(self.len() - first);
            let gallery: &[f32] = match (&self.codes, &self.originals) {
                (Codes::F32(v), _) => &v[first * d..(first + rows) * d],
                _ => {
                    scratch.decoded.resize(rows * d, 0.0);
                    self.codes
                        .decode_rows(first..first + rows, d, &mut scratch.decoded);
                    &scratch.decoded
                }
            };
            for q0 in (0..nq).step_by(QUERIES) {
                let q1 = (q0 + QUERIES).min(nq);
                let block = &queries.as_slice()[q0 * d..q1 * d];
                scratch.scores.resize((q1 - q0) * rows, 0.0);
                products(block, gallery, d, &mut scratch.scores);
                for (qi, top) in tops[q0..q1].iter_mut().enumerate() {
                    top.push_block(&scratch.scores[qi * rows..(qi + 1) * rows], first);
                }
            }
        };
        let tops = fold_blocks(
            blocks,
            || (vec![TopK::new(length); nq], Scratch::default()),
            |(tops, scratch), b| block_pass(tops, scratch, b),
            |a, b| a.into_iter().zip(b).map(|(x, y)| x.merge(y)).collect(),
        );
        let tops = tops.unwrap_or_else(|| vec![TopK::new(length); nq]);
        Ok(tops
            .into_iter()
            .zip(queries.rows())
            .map(|(top, q)| self.finish(q, top.into_sorted(), k))
            .collect())
    }

    /// Every pair of embeddings in the index at cosine similarity `threshold` or above:
    /// the deduplication join. Exact whenever the index has f32 vectors; computed as blocked
    /// matrix products over the upper triangle, in parallel. Pairs come sorted by score,
    /// best first.
    pub fn join(&self, threshold: f32) -> Result<Vec<FacePair>> {
        check_threshold(threshold)?;
        let n = self.len();
        let d = self.dim;
        let blocks = n.div_ceil(ROWS);
        let tasks: Vec<(usize, usize)> = (0..blocks)
            .flat_map(|i| (i..blocks).map(move |j| (i, j)))
            .collect();
        let mut found = fold_list(
            &tasks,
            || (Vec::new(), Scratch::default(), Vec::new()),
            |(found, scratch, other): &mut JoinState, &(bi, bj)| {
                let (i0, i1) = (bi * ROWS, ((bi + 1) * ROWS).min(n));
                let (j0, j1) = (bj * ROWS, ((bj + 1) * ROWS).min(n));
                let a = rows_f32(self, i0..i1, &mut scratch.decoded);
                let b: &[f32] = if bi == bj {
                    a
                } else {
                    rows_f32(self, j0..j1, other)
                };
                let cols = j1 - j0;
                scratch.scores.resize((i1 - i0) * cols, 0.0);
                products(a, b, d, &mut scratch.scores);
                for (r, row) in scratch.scores.chunks_exact(cols).enumerate() {
                    let i = i0 + r;
                    let start = if bi == bj { r + 1 } else { 0 };
                    for (c, &s) in row.iter().enumerate().skip(start) {
                        if s >= threshold {
                            found.push((i as u32, (j0 + c) as u32, s));
                        }
                    }
                }
            },
        );
        found.sort_by(|x, y| {
            Scored {
                score: y.2,
                row: y.0,
            }
            .cmp(&Scored {
                score: x.2,
                row: x.0,
            })
            .then(x.1.cmp(&y.1))
        });
        Ok(found
            .into_iter()
            .map(|(i, j, s)| FacePair {
                a: self.ids[i as usize],
                b: self.ids[j as usize],
                score: s.clamp(-1.0, 1.0),
            })
            .collect())
    }
}

/// A join task's pairs found (rows and score) and buffers.
type JoinState = (Vec<(u32, u32, f32)>, Scratch, Vec<f32>);

/// Per-task buffers.
#[derive(Default)]
struct Scratch {
    scores: Vec<f32>,
    decoded: Vec<f32>,
}

/// Parallel (with rayon) or sequential fold over block numbers `0..blocks`; `None` when
/// there are none.
fn fold_blocks<T: Send, S: Send>(
    blocks: usize,
    init: impl Fn() -> (T, S) + Sync + Send,
    step: impl Fn(&mut (T, S), usize) + Sync + Send,
    merge: impl Fn(T, T) -> T + Sync + Send,
) -> Option<T> {
    let fold = |mut state: (T, S), b: usize| {
        step(&mut state, b);
        state
    };
    par_range(blocks)
        .fold(&init, fold)
        .map(|(t, _)| t)
        .reduce_with(merge)
}

/// Parallel (with rayon) fold over `tasks`, concatenating the found pairs.
fn fold_list<S: Send>(
    tasks: &[(usize, usize)],
    init: impl Fn() -> (Vec<(u32, u32, f32)>, Scratch, S) + Sync + Send,
    step: impl Fn(&mut (Vec<(u32, u32, f32)>, Scratch, S), &(usize, usize)) + Sync + Send,
) -> Vec<(u32, u32, f32)> {
    par_slice(tasks)
        .fold(&init, |mut state, t| {
            step(&mut state, t);
            state
        })
        .map(|(found, _, _)| found)
        .reduce_with(|mut a, mut b| {
            a.append(&mut b);
            a
        })
        .unwrap_or_default()
}

/// rayon's iterators when the feature is on; the same names over `std` iterators otherwise.
mod rayon_shim {
    #[cfg(feature = "rayon")]
    pub use rayon::prelude::*;

    #[cfg(feature = "rayon")]
    pub fn par_range(n: usize) -> rayon::range::Iter<usize> {
        (0..n).into_par_iter()
    }
    #[cfg(feature = "rayon")]
    pub fn par_slice<T: Sync>(s: &[T]) -> rayon::slice::Iter<'_, T> {
        s.par_iter()
    }

    #[cfg(not(feature = "rayon"))]
    pub use sequential::*;
    #[cfg(not(feature = "rayon"))]
    mod sequential {
        /// A sequential stand-in with rayon's fold/map/reduce_with shape.
        pub struct Seq<I>(pub I);
        impl<I: Iterator> Seq<I> {
            pub fn fold<S>(
                self,
                init: impl Fn() -> S,
                f: impl FnMut(S, I::Item) -> S,
            ) -> Seq<std::iter::Once<S>> {
                Seq(std::iter::once(self.0.fold(init(), f)))
            }
            pub fn map<B>(
                self,
                f: impl FnMut(I::Item) -> B,
            ) -> Seq<std::iter::Map<I, impl FnMut(I::Item) -> B>> {
                Seq(self.0.map(f))
            }
            pub fn reduce_with(
                self,
                f: impl FnMut(I::Item, I::Item) -> I::Item,
            ) -> Option<I::Item> {
                self.0.reduce(f)
            }
        }
        pub fn par_range(n: usize) -> Seq<std::ops::Range<usize>> {
            Seq(0..n)
        }
        pub fn par_slice<T>(s: &[T]) -> Seq<std::slice::Iter<'_, T>> {
            Seq(s.iter())
        }
    }
}

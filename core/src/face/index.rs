//! [`FaceIndex`]: embeddings stored contiguously with their ids, searched exactly.

use std::collections::HashMap;

use super::embedding::{
    check_batch_dimension, check_dimension, check_length, normalize_into, EmbeddingBatch,
};
use super::encoding::{Codes, Encoding};
use super::kernels::Kernel;
use super::topk::{Scored, TopK};
use crate::{Error, Result};

/// Rows scanned per task (and per top-k pass): 4096 × 512 f32 is 8 MiB of gallery.
pub(crate) const CHUNK: usize = 4096;

/// Largest number of rows an index holds (row numbers are 32-bit).
pub const MAX_ROWS: usize = u32::MAX as usize;

/// One search result: an id and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The id given when the embedding was added.
    pub id: u64,
    /// Cosine similarity in `[-1, 1]` (exact when re-ranked or f32-encoded).
    pub score: f32,
}

/// A pair found by [`FaceIndex::join`]: two ids whose embeddings are at or above the
/// threshold, each pair reported once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacePair {
    /// The id in the earlier row of the index.
    pub a: u64,
    /// The id in the later row.
    pub b: u64,
    /// Their cosine similarity.
    pub score: f32,
}

/// Embeddings of one dimension with `u64` ids, for exact 1:N search, batch search, range
/// search and the all-pairs deduplication join.
///
/// Vectors are stored in one [`Encoding`]; a lossy index (f16, int8) also keeps the f32
/// originals by default, so the short list of a search is re-ranked exactly (turn it off with
/// [`FaceIndex::with_originals`] to save memory: scores are then approximate).
///
/// ```
/// use galton::face::{Encoding, FaceIndex};
/// let mut index = FaceIndex::new(3, Encoding::Int8PerVector)?;
/// index.add(7, &[1.0, 0.0, 0.0])?;
/// index.add(8, &[0.0, 1.0, 0.2])?;
/// index.add(9, &[0.9, 0.1, 0.0])?;
/// let hits = index.search(&[1.0, 0.05, 0.0], 2)?;
/// assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [7, 9]);
/// // Every pair of embeddings at cosine ≥ 0.9.
/// let pairs = index.join(0.9)?;
/// assert_eq!((pairs[0].a, pairs[0].b), (7, 9));
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FaceIndex {
    pub(crate) dim: usize,
    pub(crate) codes: Codes,
    pub(crate) originals: Option<Vec<f32>>,
    pub(crate) ids: Vec<u64>,
    pub(crate) rows: HashMap<u64, u32>,
    pub(crate) kernel: Kernel,
    pub(crate) rerank: usize,
}

impl FaceIndex {
    /// An empty index of dimension `dim` ([`super::MIN_DIMENSION`]..=[`super::MAX_DIMENSION`]).
    pub fn new(dim: usize, encoding: Encoding) -> Result<FaceIndex> {
        check_dimension(dim)?;
        Ok(FaceIndex {
            dim,
            codes: Codes::new(encoding),
            originals: encoding.is_lossy().then(Vec::new),
            ids: Vec::new(),
            rows: HashMap::new(),
            kernel: Kernel::detect(),
            rerank: 10,
        })
    }

    /// Whether a lossy index keeps the f32 originals for exact re-ranking (the default).
    /// Only settable while the index is empty; ignored for [`Encoding::F32`].
    pub fn with_originals(mut self, keep: bool) -> Result<FaceIndex> {
        if !self.is_empty() {
            return Err(Error::InvalidArgument(
                "keeping originals can only be chosen on an empty index".into(),
            ));
        }
        self.originals = (keep && self.encoding().is_lossy()).then(Vec::new);
        Ok(self)
    }

    /// Uses `kernel` for scans (for tests and benchmarks; [`Kernel::detect`] by default).
    /// A kernel this CPU lacks runs the portable body.
    pub fn with_kernel(mut self, kernel: Kernel) -> FaceIndex {
        self.kernel = kernel;
        self
    }

    /// The short list of a lossy search holds `k × factor` candidates (at least `k + 16`)
    /// before exact re-ranking; 10 by default.
    pub fn with_rerank_factor(mut self, factor: usize) -> FaceIndex {
        self.rerank = factor.max(1);
        self
    }

    /// Learns the per-dimension scales of an [`Encoding::Int8PerDimension`] index from a
    /// sample (otherwise they are learnt from the first batch added). Only on an empty index.
    pub fn train(&mut self, sample: &EmbeddingBatch) -> Result<()> {
        check_batch_dimension(sample, self.dim, "training sample")?;
        match &mut self.codes {
            Codes::Int8PerDimension { codes, sigma } if codes.is_empty() => {
                if sample.is_empty() {
                    return Err(Error::InvalidArgument("empty training sample".into()));
                }
                *sigma = super::encoding::learn_dim_scales(sample.as_slice(), self.dim);
                Ok(())
            }
            Codes::Int8PerDimension { .. } => Err(Error::InvalidArgument(
                "scales can only be trained on an empty index".into(),
            )),
            _ => Err(Error::InvalidArgument(format!(
                "only int8-dim indexes are trained, this one is {}",
                self.encoding()
            ))),
        }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The encoding of the scanned vectors.
    pub fn encoding(&self) -> Encoding {
        self.codes.encoding()
    }

    /// Whether f32 originals are kept for re-ranking.
    pub fn keeps_originals(&self) -> bool {
        self.originals.is_some()
    }

    /// The kernel scans use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// How many embeddings.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids, in row order.
    pub fn ids(&self) -> &[u64] {
        &self.ids
    }

    /// Whether `id` is in the index.
    pub fn contains(&self, id: u64) -> bool {
        self.rows.contains_key(&id)
    }

    /// Bytes held by the vectors, scales and ids.
    pub fn memory_bytes(&self) -> usize {
        let n = self.len();
        self.encoding().bytes_per_vector(self.dim) * n
            + self.originals.as_ref().map_or(0, |o| o.len() * 4)
            + n * (8 + 16)
    }

    /// The stored unit-length embedding of `id` (the original, or decoded from its codes).
    pub fn get(&self, id: u64) -> Option<Vec<f32>> {
        let row = *self.rows.get(&id)? as usize;
        let mut out = vec![0.0; self.dim];
        match &self.originals {
            Some(o) => out.copy_from_slice(&o[row * self.dim..(row + 1) * self.dim]),
            None => self.codes.decode(row, self.dim, &mut out),
        }
        Some(out)
    }

    /// Adds one embedding under `id` (validated and normalised).
    pub fn add(&mut self, id: u64, embedding: &[f32]) -> Result<()> {
        check_length(embedding, self.dim, None)?;
        let mut unit = vec![0.0; self.dim];
        normalize_into(embedding, &mut unit, None)?;
        self.append(&[id], &unit)
    }

    /// Adds a batch: `ids[i]` for row `i`. All or nothing: on any error nothing is added.
    pub fn add_batch(&mut self, ids: &[u64], batch: &EmbeddingBatch) -> Result<()> {
        check_batch_dimension(batch, self.dim, "batch")?;
        if ids.len() != batch.len() {
            return Err(Error::InvalidArgument(format!(
                "{} ids for {} embeddings",
                ids.len(),
                batch.len()
            )));
        }
        self.append(ids, batch.as_slice())
    }

    /// Appends unit-length rows after checking the ids.
    pub(crate) fn append(&mut self, ids: &[u64], rows: &[f32]) -> Result<()> {
        if self.len() + ids.len() > MAX_ROWS {
            return Err(Error::InvalidArgument(format!(
                "an index holds at most {MAX_ROWS} embeddings"
            )));
        }
        let mut fresh = std::collections::HashSet::with_capacity(ids.len());
        for &id in ids {
            if self.rows.contains_key(&id) || !fresh.insert(id) {
                return Err(Error::DuplicateId(format!(
                    "id {id} is already in the index"
                )));
            }
        }
        let first = self.ids.len();
        for (i, &id) in ids.iter().enumerate() {
            self.rows.insert(id, (first + i) as u32);
        }
        self.ids.extend_from_slice(ids);
        self.codes.extend(rows, self.dim);
        if let Some(o) = &mut self.originals {
            o.extend_from_slice(rows);
        }
        Ok(())
    }

    /// Removes `id` (the last row takes its place).
    pub fn remove(&mut self, id: u64) -> Result<()> {
        let row = self
            .rows
            .remove(&id)
            .ok_or_else(|| Error::NotFound(format!("id {id} is not in the index")))?
            as usize;
        let last = self.ids.len() - 1;
        self.codes.swap_remove(row, self.dim);
        if let Some(o) = &mut self.originals {
            if row != last {
                o.copy_within(last * self.dim..(last + 1) * self.dim, row * self.dim);
            }
            o.truncate(last * self.dim);
        }
        self.ids.swap_remove(row);
        if row != last {
            self.rows.insert(self.ids[row], row as u32);
        }
        Ok(())
    }

    /// Validates and normalises a query.
    pub(crate) fn unit_query(&self, query: &[f32]) -> Result<Vec<f32>> {
        check_length(query, self.dim, None)?;
        let mut unit = vec![0.0; self.dim];
        normalize_into(query, &mut unit, None)?;
        Ok(unit)
    }

    /// The exact f32 rows, when the index has them (f32 codes or kept originals).
    pub(crate) fn exact_rows(&self) -> Option<&[f32]> {
        match (&self.codes, &self.originals) {
            (_, Some(o)) => Some(o),
            (Codes::F32(v), None) => Some(v),
            _ => None,
        }
    }

    /// Short-list length for `k` results.
    pub(crate) fn shortlist(&self, k: usize) -> usize {
        if self.encoding().is_lossy() && self.originals.is_some() {
            k.saturating_mul(self.rerank).max(k.saturating_add(16))
        } else {
            k
        }
    }

    /// The `k` most similar embeddings, best first (ties to the earlier-added).
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>> {
        let unit = self.unit_query(query)?;
        let length = self.shortlist(k);
        let prepared = self.codes.prepare(&unit);
        let scan = |chunk: usize, top: &mut TopK, scores: &mut Vec<f32>, ints: &mut Vec<i32>| {
            let first = chunk * CHUNK;
            let rows = CHUNK.min(self.len() - first);
            scores.resize(rows, 0.0);
            ints.resize(rows, 0);
            self.codes
                .scan(self.kernel, &prepared, first, self.dim, scores, ints);
            top.push_block(scores, first);
        };
        let chunks = self.len().div_ceil(CHUNK);
        #[cfg(feature = "rayon")]
        let top = {
            use rayon::prelude::*;
            (0..chunks)
                .into_par_iter()
                .fold(
                    || (TopK::new(length), Vec::new(), Vec::new()),
                    |(mut top, mut s, mut i), c| {
                        scan(c, &mut top, &mut s, &mut i);
                        (top, s, i)
                    },
                )
                .map(|(top, _, _)| top)
                .reduce(|| TopK::new(length), TopK::merge)
        };
        #[cfg(not(feature = "rayon"))]
        let top = {
            let (mut top, mut s, mut i) = (TopK::new(length), Vec::new(), Vec::new());
            for c in 0..chunks {
                scan(c, &mut top, &mut s, &mut i);
            }
            top
        };
        Ok(self.finish(&unit, top.into_sorted(), k))
    }

    /// Turns a short list into hits: re-ranked exactly when it is longer than `k`.
    pub(crate) fn finish(&self, unit: &[f32], list: Vec<Scored>, k: usize) -> Vec<Hit> {
        let mut list = list;
        if self.encoding().is_lossy() {
            if let Some(exact) = &self.originals {
                for s in &mut list {
                    let r = s.row as usize;
                    s.score = self
                        .kernel
                        .dot_f32(unit, &exact[r * self.dim..(r + 1) * self.dim]);
                }
                list.sort_by(|a, b| b.cmp(a));
            }
        }
        list.truncate(k);
        list.into_iter()
            .map(|s| Hit {
                id: self.ids[s.row as usize],
                score: s.score.clamp(-1.0, 1.0),
            })
            .collect()
    }

    /// Every embedding at cosine similarity `threshold` or above, best first; exact whenever
    /// the index has f32 vectors (f32 encoding or kept originals).
    pub fn range_search(&self, query: &[f32], threshold: f32) -> Result<Vec<Hit>> {
        check_threshold(threshold)?;
        let unit = self.unit_query(query)?;
        let mut found: Vec<Scored> = Vec::new();
        let mut scores = vec![0.0; CHUNK];
        let mut ints = vec![0; CHUNK];
        let exact = self.exact_rows();
        let prepared = self.codes.prepare(&unit);
        for first in (0..self.len()).step_by(CHUNK) {
            let rows = CHUNK.min(self.len() - first);
            let out = &mut scores[..rows];
            match exact {
                Some(e) => self.kernel.dots_f32(
                    &unit,
                    &e[first * self.dim..(first + rows) * self.dim],
                    out,
                ),
                None => self
                    .codes
                    .scan(self.kernel, &prepared, first, self.dim, out, &mut ints),
            }
            found.extend(out.iter().enumerate().filter(|(_, &s)| s >= threshold).map(
                |(i, &score)| Scored {
                    score,
                    row: (first + i) as u32,
                },
            ));
        }
        found.sort_by(|a, b| b.cmp(a));
        Ok(found
            .into_iter()
            .map(|s| Hit {
                id: self.ids[s.row as usize],
                score: s.score.clamp(-1.0, 1.0),
            })
            .collect())
    }
}

/// `search(row)` for every row of `queries`, in parallel over queries with rayon.
pub(crate) fn per_query(
    queries: &EmbeddingBatch,
    search: impl Fn(&[f32]) -> Vec<Hit> + Sync + Send,
) -> Vec<Vec<Hit>> {
    let rows: Vec<&[f32]> = queries.rows().collect();
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        rows.par_iter().map(|q| search(q)).collect()
    }
    #[cfg(not(feature = "rayon"))]
    rows.iter().map(|q| search(q)).collect()
}

/// A similarity threshold must be a number in `[-1, 1]`.
pub(crate) fn check_threshold(threshold: f32) -> Result<()> {
    if (-1.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "similarity threshold {threshold} is not in [-1, 1]"
        )))
    }
}

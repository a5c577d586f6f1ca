//! [`IvfIndex`]: an approximate inverted-file index for galleries of millions.
//!
//! Spherical k-means on a sample splits the space into `lists` cells (centroids of unit
//! length); every embedding is stored in the [`FaceIndex`] of its nearest centroid, int8 by
//! default with f32 originals for re-ranking. A search scores the centroids, scans the
//! `nprobe` best cells, and re-ranks their short lists exactly: recall grows with `nprobe`,
//! speed falls with it. The build is a few blocked matrix products (training and assignment);
//! it needs no graph construction.

use std::collections::HashMap;

use super::blocks::products;
use super::embedding::{check_batch_dimension, EmbeddingBatch};
use super::encoding::Encoding;
use super::index::{per_query, FaceIndex, Hit};
use super::topk::{Scored, TopK};
use crate::synth::rng::Rng;
use crate::{Error, Result};

/// How an [`IvfIndex`] is built.
#[derive(Debug, Clone, PartialEq)]
pub struct IvfConfig {
    /// Number of cells; 0 picks `4·√n` (about 4,000 for 10⁶ embeddings).
    pub lists: usize,
    /// Embeddings sampled to train the centroids; at most this many (at least 40 per cell
    /// when there are enough).
    pub train_sample: usize,
    /// k-means iterations.
    pub iterations: usize,
    /// Seed of the sample and initial centroids: the same data and seed give the same index.
    pub seed: u64,
    /// Encoding of the cells' vectors.
    pub encoding: Encoding,
    /// Whether cells keep f32 originals for exact re-ranking.
    pub keep_originals: bool,
}

impl Default for IvfConfig {
    fn default() -> Self {
        IvfConfig {
            lists: 0,
            train_sample: 100_000,
            iterations: 10,
            seed: 1,
            encoding: Encoding::Int8PerVector,
            keep_originals: true,
        }
    }
}

/// An approximate index: [`FaceIndex`] cells behind a coarse quantiser of centroids.
#[derive(Debug, Clone)]
pub struct IvfIndex {
    dim: usize,
    centroids: Vec<f32>,
    cells: Vec<FaceIndex>,
    cell_of: HashMap<u64, u32>,
}

impl IvfIndex {
    /// Trains the centroids on a sample of `batch` and stores every row under `ids[i]`.
    pub fn build(ids: &[u64], batch: &EmbeddingBatch, config: &IvfConfig) -> Result<IvfIndex> {
        if ids.len() != batch.len() {
            return Err(Error::InvalidArgument(format!(
                "{} ids for {} embeddings",
                ids.len(),
                batch.len()
            )));
        }
        if batch.is_empty() {
            return Err(Error::InvalidArgument(
                "an IVF index is trained on its data: give at least one embedding".into(),
            ));
        }
        let n = batch.len();
        let dim = batch.dim();
        let lists = match config.lists {
            0 => ((4.0 * (n as f64).sqrt()) as usize).clamp(1, n),
            l => l.min(n),
        };
        let mut rng = Rng::new(config.seed);
        let sample_size = config.train_sample.max(lists).min(n);
        let sample = sample_rows(batch, sample_size, &mut rng);
        let centroids = kmeans(&sample, dim, lists, config.iterations, &mut rng);
        let assignment = nearest(&centroids, batch.as_slice(), dim);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); lists];
        for (row, &cell) in assignment.iter().enumerate() {
            members[cell as usize].push(row);
        }
        let mut cells = Vec::with_capacity(lists);
        let mut cell_of = HashMap::with_capacity(n);
        for (c, rows) in members.iter().enumerate() {
            let mut cell =
                FaceIndex::new(dim, config.encoding)?.with_originals(config.keep_originals)?;
            let mut data = Vec::with_capacity(rows.len() * dim);
            let mut cell_ids = Vec::with_capacity(rows.len());
            for &r in rows {
                data.extend_from_slice(batch.row(r));
                cell_ids.push(ids[r]);
                if cell_of.insert(ids[r], c as u32).is_some() {
                    return Err(Error::DuplicateId(format!("id {} is given twice", ids[r])));
                }
            }
            if config.encoding == Encoding::Int8PerDimension && !data.is_empty() {
                cell.train(&EmbeddingBatch::from_normalized(data.clone(), dim)?)?;
            }
            cell.append(&cell_ids, &data)?;
            cells.push(cell);
        }
        Ok(IvfIndex {
            dim,
            centroids,
            cells,
            cell_of,
        })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many embeddings.
    pub fn len(&self) -> usize {
        self.cell_of.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.cell_of.is_empty()
    }

    /// Number of cells.
    pub fn lists(&self) -> usize {
        self.cells.len()
    }

    /// Bytes held by centroids and cells.
    pub fn memory_bytes(&self) -> usize {
        self.centroids.len() * 4
            + self
                .cells
                .iter()
                .map(FaceIndex::memory_bytes)
                .sum::<usize>()
            + self.cell_of.len() * 16
    }

    /// Adds one embedding to the cell of its nearest centroid.
    pub fn add(&mut self, id: u64, embedding: &[f32]) -> Result<()> {
        if self.cell_of.contains_key(&id) {
            return Err(Error::DuplicateId(format!(
                "id {id} is already in the index"
            )));
        }
        let unit = self.cells[0].unit_query(embedding)?;
        let cell = nearest(&self.centroids, &unit, self.dim)[0];
        self.cells[cell as usize].append(&[id], &unit)?;
        self.cell_of.insert(id, cell);
        Ok(())
    }

    /// Removes `id`.
    pub fn remove(&mut self, id: u64) -> Result<()> {
        let cell = self
            .cell_of
            .remove(&id)
            .ok_or_else(|| Error::NotFound(format!("id {id} is not in the index")))?;
        self.cells[cell as usize].remove(id)
    }

    /// The `k` most similar embeddings among the `nprobe` cells nearest the query.
    pub fn search(&self, query: &[f32], k: usize, nprobe: usize) -> Result<Vec<Hit>> {
        let unit = self.cells[0].unit_query(query)?;
        Ok(self.search_unit(&unit, k, nprobe))
    }

    /// [`IvfIndex::search`] for every row of `queries`, in parallel over queries.
    pub fn search_batch(
        &self,
        queries: &EmbeddingBatch,
        k: usize,
        nprobe: usize,
    ) -> Result<Vec<Vec<Hit>>> {
        check_batch_dimension(queries, self.dim, "queries")?;
        Ok(per_query(queries, |q| self.search_unit(q, k, nprobe)))
    }

    fn search_unit(&self, unit: &[f32], k: usize, nprobe: usize) -> Vec<Hit> {
        let lists = self.cells.len();
        let mut scores = vec![0.0; lists];
        products(unit, &self.centroids, self.dim, &mut scores);
        let mut best = TopK::new(nprobe.clamp(1, lists));
        best.push_block(&scores, 0);
        // One short list over all probed cells, by approximate score; `slots` maps its
        // entries to (cell, row).
        let length = self.cells[0].shortlist(k);
        let mut top = TopK::new(length);
        let mut slots: Vec<(u32, u32)> = Vec::new();
        let mut ints = Vec::new();
        for cell in best.into_sorted() {
            let index = &self.cells[cell.row as usize];
            if index.is_empty() {
                continue;
            }
            let prepared = index.codes.prepare(unit);
            scores.resize(index.len(), 0.0);
            ints.resize(index.len(), 0);
            index
                .codes
                .scan(index.kernel, &prepared, 0, self.dim, &mut scores, &mut ints);
            let mut bar = top.bar();
            for (row, &score) in scores.iter().enumerate() {
                if score >= bar {
                    top.push(Scored {
                        score,
                        row: slots.len() as u32,
                    });
                    slots.push((cell.row, row as u32));
                    bar = top.bar();
                }
            }
        }
        let mut list: Vec<(f32, u64)> = top
            .into_sorted()
            .into_iter()
            .map(|s| {
                let (c, r) = slots[s.row as usize];
                let index = &self.cells[c as usize];
                let r = r as usize;
                let score = match &index.originals {
                    Some(o) if index.encoding().is_lossy() => index
                        .kernel
                        .dot_f32(unit, &o[r * self.dim..(r + 1) * self.dim]),
                    _ => s.score,
                };
                (score, index.ids[r])
            })
            .collect();
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        list.truncate(k);
        list.into_iter()
            .map(|(score, id)| Hit {
                id,
                score: score.clamp(-1.0, 1.0),
            })
            .collect()
    }
}

/// `count` distinct rows of `batch`, chosen at random (all of them when `count >= len`).
fn sample_rows(batch: &EmbeddingBatch, count: usize, rng: &mut Rng) -> Vec<f32> {
    let n = batch.len();
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..count.min(n) {
        let j = i + rng.below(n - i);
        order.swap(i, j);
    }
    order[..count.min(n)]
        .iter()
        .flat_map(|&r| batch.row(r).iter().copied())
        .collect()
}

/// Index of the most similar centroid for each row (blocked products, in parallel).
fn nearest(centroids: &[f32], rows: &[f32], dim: usize) -> Vec<u32> {
    const BLOCK: usize = 1024;
    let lists = centroids.len() / dim;
    let assign = |block: &[f32]| -> Vec<u32> {
        let m = block.len() / dim;
        let mut s = vec![0.0; m * lists];
        products(block, centroids, dim, &mut s);
        s.chunks_exact(lists)
            .map(|row| {
                let mut best = Scored {
                    score: f32::NEG_INFINITY,
                    row: 0,
                };
                for (c, &v) in row.iter().enumerate() {
                    let cand = Scored {
                        score: v,
                        row: c as u32,
                    };
                    if cand > best {
                        best = cand;
                    }
                }
                best.row
            })
            .collect()
    };
    let blocks: Vec<&[f32]> = rows.chunks(BLOCK * dim).collect();
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        blocks.par_iter().flat_map_iter(|b| assign(b)).collect()
    }
    #[cfg(not(feature = "rayon"))]
    blocks.iter().flat_map(|b| assign(b)).collect()
}

/// Spherical k-means: `lists` unit centroids of the unit rows of `sample`.
fn kmeans(sample: &[f32], dim: usize, lists: usize, iterations: usize, rng: &mut Rng) -> Vec<f32> {
    let n = sample.len() / dim;
    let mut centroids = sample_rows(
        &EmbeddingBatch::from_normalized(sample.to_vec(), dim).expect("dimension checked"),
        lists,
        rng,
    );
    for _ in 0..iterations {
        let assignment = nearest(&centroids, sample, dim);
        let mut sums = vec![0.0f64; lists * dim];
        let mut counts = vec![0usize; lists];
        for (r, &c) in assignment.iter().enumerate() {
            counts[c as usize] += 1;
            let row = &sample[r * dim..(r + 1) * dim];
            for (s, &v) in sums[c as usize * dim..(c as usize + 1) * dim]
                .iter_mut()
                .zip(row)
            {
                *s += v as f64;
            }
        }
        for c in 0..lists {
            let centroid = &mut centroids[c * dim..(c + 1) * dim];
            let sum = &sums[c * dim..(c + 1) * dim];
            let norm = sum.iter().map(|v| v * v).sum::<f64>().sqrt();
            if counts[c] == 0 || norm == 0.0 {
                // An empty cell takes a random sample row.
                let r = rng.below(n);
                centroid.copy_from_slice(&sample[r * dim..(r + 1) * dim]);
            } else {
                for (o, &s) in centroid.iter_mut().zip(sum) {
                    *o = (s / norm) as f32;
                }
            }
        }
    }
    centroids
}

//! [`HnswIndex`]: a Hierarchical Navigable Small World graph (Malkov & Yashunin, 2018) for
//! approximate search of unit embeddings by cosine similarity.
//!
//! Written from the paper. Every node gets a top layer `⌊−ln(U) · mL⌋`, `mL = 1/ln(M)`, drawn
//! from its own random stream (`derive_seed(seed, row)`); a node links to at most `M`
//! neighbours on the upper layers and `M0 = 2·M` on layer 0. Neighbours are chosen by the
//! paper's heuristic (Algorithm 4: a candidate is kept only when it is more similar to the
//! new node than to every neighbour already kept) with keepPrunedConnections filling up to
//! `M`; a list that overflows on a reverse link is shrunk by the same heuristic.
//!
//! **Parallel build: deterministic batches.** Rows are inserted in order, in batches of at
//! most 1/64 of the nodes already in the graph (so the first ~64 alone, at most 4,096). The
//! nodes of a batch search the graph as it was before the batch, in parallel and without
//! locks; their links, and the reverse links grouped by target node, are then applied
//! (the shrinking of overflowing lists also in parallel, one target per task). Nodes of one
//! batch do not link to each other directly (what that costs in recall against a
//! one-at-a-time build has not been measured). The index therefore depends only on the data, the ids and the [`HnswConfig`]: not on
//! the number of threads, nor on whether the `rayon` feature is on. To amortise the O(M0²)
//! shrink, lists may grow to `M_max + M_max/4` while building before being shrunk back to
//! `M_max`; every list is within `M_max` when the build returns. [`HnswIndex::add`] inserts a
//! batch of one and shrinks on the first overflow.
//!
//! After the build the lists are flat `u32` rows (`[count, neighbours…]`, layer 0 as
//! `n × (1 + M0)`), so a search takes no lock. A search uses a visited set stamped by
//! generation and kept per thread (`4·n` bytes per thread that has searched, not counted in
//! [`HnswIndex::memory_bytes`]), so a query allocates nothing of size n.
//!
//! Removal is not supported (deleting from an HNSW graph degrades it); rebuild, or use
//! [`FaceIndex`](super::FaceIndex) or [`IvfIndex`](super::IvfIndex) when embeddings must be
//! removed.

mod build;
mod graph;

use std::collections::HashMap;

use self::graph::{descend, search_layer, Graph, Space};
use super::embedding::{check_batch_dimension, check_length, normalize_into, EmbeddingBatch};
use super::index::{per_query, Hit, MAX_ROWS};
use super::kernels::Kernel;
use crate::{Error, Result};

/// How an [`HnswIndex`] is built.
#[derive(Debug, Clone, PartialEq)]
pub struct HnswConfig {
    /// Neighbours per node on the upper layers (`2·m` on layer 0); 2..=256. 32 by default.
    pub m: usize,
    /// Candidate list length while inserting (raised to at least `m`); 100 by default.
    pub ef_construction: usize,
    /// Seed of the layer draws: the same data, ids and config give the same index.
    pub seed: u64,
}

impl Default for HnswConfig {
    fn default() -> Self {
        HnswConfig {
            m: 32,
            ef_construction: 100,
            seed: 1,
        }
    }
}

/// An approximate index: embeddings linked in a navigable small-world graph of layers.
///
/// ```
/// use galton::face::{EmbeddingBatch, HnswConfig, HnswIndex};
/// let batch = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 1.0, 0.9, 0.1], 2)?;
/// let mut index = HnswIndex::build(&[7, 8, 9], &batch, &HnswConfig::default())?;
/// index.add(10, &[-1.0, 0.0])?;
/// let hits = index.search(&[1.0, 0.05], 2, 16)?;
/// assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [7, 9]);
/// # Ok::<(), galton::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HnswIndex {
    dim: usize,
    config: HnswConfig,
    /// Unit-length rows, `n × dim`.
    vectors: Vec<f32>,
    ids: Vec<u64>,
    rows: HashMap<u64, u32>,
    graph: Graph,
    kernel: Kernel,
}

impl HnswIndex {
    /// Links every row of `batch` under `ids[i]` (in parallel with the `rayon` feature). An
    /// empty batch gives an empty index that [`HnswIndex::add`] grows.
    pub fn build(ids: &[u64], batch: &EmbeddingBatch, config: &HnswConfig) -> Result<HnswIndex> {
        if !(2..=256).contains(&config.m) {
            return Err(Error::InvalidArgument(format!(
                "HNSW m = {} is outside 2..=256",
                config.m
            )));
        }
        if config.ef_construction == 0 {
            return Err(Error::InvalidArgument(
                "HNSW ef_construction must be at least 1".into(),
            ));
        }
        if ids.len() != batch.len() {
            return Err(Error::InvalidArgument(format!(
                "{} ids for {} embeddings",
                ids.len(),
                batch.len()
            )));
        }
        if ids.len() >= MAX_ROWS {
            return Err(Error::InvalidArgument(format!(
                "an index holds fewer than {MAX_ROWS} embeddings"
            )));
        }
        let mut rows = HashMap::with_capacity(ids.len());
        for (row, &id) in ids.iter().enumerate() {
            if rows.insert(id, row as u32).is_some() {
                return Err(Error::DuplicateId(format!("id {id} is given twice")));
            }
        }
        let config = HnswConfig {
            ef_construction: config.ef_construction.max(config.m),
            ..config.clone()
        };
        let m = config.m;
        let mut graph = Graph::new(m, 2 * m + 2 * m / build::SLACK, m + m / build::SLACK);
        for row in 0..ids.len() {
            graph.push(build::draw_level(config.seed, row, m));
        }
        let kernel = Kernel::detect();
        let space = Space {
            vectors: batch.as_slice(),
            dim: batch.dim(),
            kernel,
        };
        build::build(&mut graph, space, config.ef_construction);
        Ok(HnswIndex {
            dim: batch.dim(),
            config,
            vectors: batch.as_slice().to_vec(),
            ids: ids.to_vec(),
            rows,
            graph,
            kernel,
        })
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// How many embeddings.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether `id` is in the index.
    pub fn contains(&self, id: u64) -> bool {
        self.rows.contains_key(&id)
    }

    /// The configuration the index was built with (`ef_construction` as used).
    pub fn config(&self) -> &HnswConfig {
        &self.config
    }

    /// Bytes held by the vectors, the graph, the ids and the id map.
    pub fn memory_bytes(&self) -> usize {
        self.vectors.capacity() * 4
            + self.graph.memory_bytes()
            + self.ids.capacity() * 8
            + self.rows.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }

    /// Adds one embedding under `id` (validated and normalised) and links it.
    pub fn add(&mut self, id: u64, embedding: &[f32]) -> Result<()> {
        check_length(embedding, self.dim, None)?;
        let mut unit = vec![0.0; self.dim];
        normalize_into(embedding, &mut unit, None)?;
        if self.rows.contains_key(&id) {
            return Err(Error::DuplicateId(format!(
                "id {id} is already in the index"
            )));
        }
        let row = self.len();
        if row + 1 >= MAX_ROWS {
            return Err(Error::InvalidArgument(format!(
                "an index holds fewer than {MAX_ROWS} embeddings"
            )));
        }
        self.vectors.extend_from_slice(&unit);
        self.ids.push(id);
        self.rows.insert(id, row as u32);
        self.graph
            .push(build::draw_level(self.config.seed, row, self.config.m));
        let space = Space {
            vectors: &self.vectors,
            dim: self.dim,
            kernel: self.kernel,
        };
        build::insert_batch(
            &mut self.graph,
            space,
            row..row + 1,
            self.config.ef_construction,
        );
        Ok(())
    }

    /// The `k` most similar embeddings found with a candidate list of `ef` (raised to at
    /// least `k`), best first, with exact cosine scores. A longer list finds more of the
    /// true top `k` and takes longer.
    pub fn search(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>> {
        check_length(query, self.dim, None)?;
        let mut unit = vec![0.0; self.dim];
        normalize_into(query, &mut unit, None)?;
        Ok(self.search_unit(&unit, k, ef))
    }

    /// A batch row normalised again exactly as [`HnswIndex::search`] does (a unit row may
    /// move in its last bit), so both give the same hits.
    fn search_row(&self, row: &[f32], k: usize, ef: usize) -> Vec<Hit> {
        let mut unit = vec![0.0; self.dim];
        normalize_into(row, &mut unit, None).expect("batch rows are finite and non-zero");
        self.search_unit(&unit, k, ef)
    }

    /// [`HnswIndex::search`] for every row of `queries`, in parallel over queries.
    pub fn search_batch(
        &self,
        queries: &EmbeddingBatch,
        k: usize,
        ef: usize,
    ) -> Result<Vec<Vec<Hit>>> {
        check_batch_dimension(queries, self.dim, "queries")?;
        Ok(per_query(queries, |q| self.search_row(q, k, ef)))
    }

    fn search_unit(&self, unit: &[f32], k: usize, ef: usize) -> Vec<Hit> {
        let space = Space {
            vectors: &self.vectors,
            dim: self.dim,
            kernel: self.kernel,
        };
        let Some(start) = descend(&self.graph, space, unit, 0).filter(|_| k > 0) else {
            return Vec::new();
        };
        let mut found = search_layer(&self.graph, space, unit, &[start], ef.max(k), 0);
        found.truncate(k);
        found
            .into_iter()
            .map(|s| Hit {
                id: self.ids[s.row as usize],
                score: s.score.clamp(-1.0, 1.0),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_geometric_with_ratio_one_over_m() {
        let n = 200_000;
        let above: usize = (0..n).filter(|&r| build::draw_level(5, r, 16) >= 1).count();
        // P(level ≥ 1) = 1/M.
        let p = above as f64 / n as f64;
        assert!((p - 1.0 / 16.0).abs() < 0.004, "{p}");
    }

    #[test]
    fn the_heuristic_drops_a_candidate_behind_a_kept_one() {
        // Base at (1, 0); a at 10°, b at 12° (closer to a than to the base), c at -40°.
        let deg = |d: f32| [d.to_radians().cos(), d.to_radians().sin()];
        let vectors: Vec<f32> = [deg(0.0), deg(10.0), deg(12.0), deg(-40.0)].concat();
        let space = Space {
            vectors: &vectors,
            dim: 2,
            kernel: Kernel::detect(),
        };
        let base = space.vector(0).to_vec();
        let mut candidates: Vec<_> = (1..4).map(|r| space.score(&base, r)).collect();
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(build::select(space, &candidates, 2), [1, 3]);
        // keepPrunedConnections fills up to the count with the pruned one.
        assert_eq!(build::select(space, &candidates, 3), [1, 3, 2]);
    }
}

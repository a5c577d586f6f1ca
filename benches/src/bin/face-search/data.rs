//! The synthetic data: gallery, queries, the join gallery with planted duplicates, and the
//! ground truth (exact top-k) with the accuracy measures against it.

use std::collections::HashSet;

use galton::face::{EmbeddingBatch, Encoding, FaceIndex, Hit};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::synth::rng::Rng;
use rayon::prelude::*;

use crate::{JOIN_PLANTED_SHARE, JOIN_SEED, K};

/// `rows` embeddings: row `i` is capture `capture(i)` of person `person(i)`, generated in
/// parallel, then validated and normalised by [`EmbeddingBatch::from_rows`].
pub fn generate(
    synth: &FaceSynth,
    rows: usize,
    person: impl Fn(usize) -> u64 + Sync,
    capture: impl Fn(usize) -> u64 + Sync,
) -> EmbeddingBatch {
    let dim = synth.dim();
    let mut flat = vec![0.0f32; rows * dim];
    flat.par_chunks_mut(dim).enumerate().for_each(|(i, out)| {
        out.copy_from_slice(&synth.capture(person(i), capture(i), DEFAULT_SPREAD));
    });
    EmbeddingBatch::from_rows(&flat, dim).expect("synthetic embeddings are valid")
}

/// One capture (number 0) of each of persons `0..n`, whose ids are the persons.
pub fn gallery(synth: &FaceSynth, n: usize) -> EmbeddingBatch {
    generate(synth, n, |i| i as u64, |_| 0)
}

/// Queries and the person each is a capture of.
pub struct Queries {
    pub batch: EmbeddingBatch,
    pub persons: Vec<u64>,
}

/// `count` queries, each a fresh capture (numbers from 1: the gallery holds capture 0) of a
/// random person among `0..persons`.
pub fn queries(synth: &FaceSynth, persons: usize, count: usize, seed: u64) -> Queries {
    let mut rng = Rng::new(seed);
    let who: Vec<u64> = (0..count).map(|_| rng.below(persons) as u64).collect();
    let batch = generate(synth, count, |i| who[i], |i| 1 + i as u64);
    Queries {
        batch,
        persons: who,
    }
}

/// The first `rows` rows of `batch`.
pub fn head(batch: &EmbeddingBatch, rows: usize) -> EmbeddingBatch {
    EmbeddingBatch::from_rows(&batch.as_slice()[..rows * batch.dim()], batch.dim())
        .expect("valid rows")
}

/// The exact index of `encoding` over `gallery`, with ids `0..` (the persons).
pub fn index(gallery: &EmbeddingBatch, encoding: Encoding) -> FaceIndex {
    let ids: Vec<u64> = (0..gallery.len() as u64).collect();
    let mut index = FaceIndex::new(gallery.dim(), encoding).expect("dimension checked");
    index.add_batch(&ids, gallery).expect("fresh ids");
    index
}

/// The exact top-[`K`] of each query over `gallery`.
pub fn exact_top_k(gallery: &EmbeddingBatch, queries: &EmbeddingBatch) -> Vec<Vec<Hit>> {
    index(gallery, Encoding::F32)
        .search_batch(queries, K)
        .expect("valid queries")
}

/// Where the join gallery's duplicates are: rows `0..persons` are capture 0 of each person;
/// the `count` rows from `persons` on are capture 1 of persons `0..count`.
pub struct Planted {
    pub persons: usize,
    pub count: usize,
}

impl Planted {
    fn person(&self, row: usize) -> u64 {
        (if row < self.persons {
            row
        } else {
            row - self.persons
        }) as u64
    }

    /// Whether rows `a` and `b` are a planted duplicate pair.
    pub fn contains(&self, a: u64, b: u64) -> bool {
        let (lo, hi) = (a.min(b) as usize, a.max(b) as usize);
        hi >= self.persons && self.person(hi) == lo as u64
    }
}

/// The join gallery: `n` embeddings of other people (seed [`JOIN_SEED`]), of which a share
/// [`JOIN_PLANTED_SHARE`] are second captures of persons already in it.
pub fn join_gallery(dim: usize, n: usize) -> (EmbeddingBatch, Planted) {
    let synth = FaceSynth::new(dim, JOIN_SEED);
    let count = (n as f64 * JOIN_PLANTED_SHARE) as usize;
    let planted = Planted {
        persons: n - count,
        count,
    };
    let batch = generate(
        &synth,
        n,
        |i| planted.person(i),
        |i| u64::from(i >= planted.persons),
    );
    (batch, planted)
}

/// Overlap of the ids of `found` with those of `truth`, over `truth.len()`.
fn overlap(found: &[Hit], truth: &[Hit]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let t: HashSet<u64> = truth.iter().map(|h| h.id).collect();
    found.iter().filter(|h| t.contains(&h.id)).count() as f64 / truth.len() as f64
}

/// Mean overlap of each query's results with its exact results (recall@k).
pub fn recall(found: &[Vec<Hit>], truth: &[Vec<Hit>]) -> f64 {
    found
        .iter()
        .zip(truth)
        .map(|(f, t)| overlap(f, t))
        .sum::<f64>()
        / truth.len().max(1) as f64
}

/// Share of queries whose first hit is the queried person (the mate).
pub fn mate_at_1(found: &[Vec<Hit>], persons: &[u64]) -> f64 {
    found
        .iter()
        .zip(persons)
        .filter(|(f, &p)| f.first().is_some_and(|h| h.id == p))
        .count() as f64
        / persons.len().max(1) as f64
}

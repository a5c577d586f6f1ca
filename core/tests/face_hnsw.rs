//! HnswIndex against a brute-force reference on synthetic embeddings with known identities.

use std::sync::OnceLock;

use galton::face::{EmbeddingBatch, FaceEmbedding, HnswConfig, HnswIndex};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::Error;

const DIM: usize = 128;
const PERSONS: u64 = 10_000;

/// Capture 0 of `persons` identities under ids `p`.
fn gallery(persons: u64, seed: u64) -> (Vec<u64>, EmbeddingBatch, FaceSynth) {
    let synth = FaceSynth::new(DIM, seed);
    let data: Vec<f32> = (0..persons)
        .flat_map(|p| synth.capture(p, 0, DEFAULT_SPREAD))
        .collect();
    let ids = (0..persons).collect();
    (ids, EmbeddingBatch::from_rows(&data, DIM).unwrap(), synth)
}

/// One 10,000-node index shared by the tests (built once, in parallel).
fn shared() -> &'static (Vec<u64>, EmbeddingBatch, FaceSynth, HnswIndex) {
    static SHARED: OnceLock<(Vec<u64>, EmbeddingBatch, FaceSynth, HnswIndex)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let (ids, batch, synth) = gallery(PERSONS, 11);
        let start = std::time::Instant::now();
        let index = HnswIndex::build(&ids, &batch, &HnswConfig::default()).unwrap();
        println!("built {} nodes in {:.2?}", index.len(), start.elapsed());
        (ids, batch, synth, index)
    })
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| *x as f64 * *y as f64)
        .sum::<f64>() as f32
}

/// The exact top-k ids by brute force (ties to the earlier row).
fn brute_top(batch: &EmbeddingBatch, ids: &[u64], q: &[f32], k: usize) -> Vec<u64> {
    let mut all: Vec<(usize, f32)> = batch.rows().map(|r| dot(q, r)).enumerate().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.into_iter().take(k).map(|(i, _)| ids[i]).collect()
}

fn unit(v: &[f32]) -> Vec<f32> {
    FaceEmbedding::new(v.to_vec()).unwrap().into_vec()
}

/// Capture 1 of persons `0, step, 2·step, …` (100 of them).
fn queries(synth: &FaceSynth, step: u64) -> EmbeddingBatch {
    let data: Vec<f32> = (0..100u64)
        .flat_map(|p| synth.capture(p * step, 1, DEFAULT_SPREAD))
        .collect();
    EmbeddingBatch::from_rows(&data, DIM).unwrap()
}

#[test]
fn recall_grows_with_ef_and_the_mate_ranks_first() {
    let (ids, batch, synth, index) = shared();
    assert_eq!((index.len(), index.dim()), (PERSONS as usize, DIM));
    let queries = queries(synth, 97);
    let truth: Vec<Vec<u64>> = queries
        .rows()
        .map(|q| brute_top(batch, ids, q, 10))
        .collect();
    let mut table = Vec::new();
    for ef in [10, 25, 50, 100, 200] {
        let results = index.search_batch(&queries, 10, ef).unwrap();
        let mut found = 0;
        let mut mate_first = 0;
        for (p, (hits, want)) in results.iter().zip(&truth).enumerate() {
            assert_eq!(hits.len(), 10);
            found += want
                .iter()
                .filter(|id| hits.iter().any(|h| h.id == **id))
                .count();
            mate_first += (hits[0].id == p as u64 * 97) as usize;
            // Exact cosines, best first.
            for w in hits.windows(2) {
                assert!(w[0].score >= w[1].score);
            }
            let q = queries.row(p);
            for h in hits {
                assert!((h.score - dot(q, batch.row(h.id as usize))).abs() < 1e-5);
            }
        }
        table.push((ef, found as f64 / 1000.0, mate_first));
    }
    println!("(ef, recall@10, mate first of 100): {table:?}");
    assert!(table.windows(2).all(|w| w[1].1 >= w[0].1), "{table:?}");
    // Measured 0.999 at ef = 200: the top 10 beyond the mate are impostors at cosine ~0.2.
    assert!(table[4].1 >= 0.97, "{table:?}");
    assert!(table[3].1 >= 0.93, "{table:?}");
    assert!(table.iter().all(|t| t.2 >= 99), "{table:?}");
}

#[test]
fn search_batch_equals_search_one_by_one() {
    let (_, _, synth, index) = shared();
    let queries = queries(synth, 97);
    let batch = index.search_batch(&queries, 7, 40).unwrap();
    for (q, hits) in queries.rows().zip(&batch) {
        assert_eq!(&index.search(q, 7, 40).unwrap(), hits);
    }
    // A raw (not unit) query is normalised first (to within rounding, which may steer the
    // walk elsewhere, so only the mate is compared).
    let q = queries.row(3).iter().map(|v| v * 5.0).collect::<Vec<_>>();
    let hits = index.search(&q, 7, 40).unwrap();
    assert_eq!(hits[0].id, batch[3][0].id);
    assert!((hits[0].score - batch[3][0].score).abs() < 1e-5);
}

#[test]
fn added_embeddings_are_found_and_errors_are_typed() {
    let (ids, batch, synth, shared) = shared();
    let mut index = shared.clone();
    let before = index.memory_bytes();
    for p in 0..20u64 {
        let late = synth.capture(50_000 + p, 0, DEFAULT_SPREAD);
        index.add(50_000 + p, &late).unwrap();
    }
    assert_eq!(index.len(), PERSONS as usize + 20);
    assert!(index.contains(50_007) && !shared.contains(50_007));
    assert!(index.memory_bytes() > before);
    for p in 0..20u64 {
        let q = synth.capture(50_000 + p, 1, DEFAULT_SPREAD);
        assert_eq!(index.search(&q, 1, 64).unwrap()[0].id, 50_000 + p);
    }

    let q = synth.capture(1, 1, DEFAULT_SPREAD);
    let mut nan = q.clone();
    nan[5] = f32::NAN;
    assert!(matches!(
        index.search(&nan, 5, 50),
        Err(Error::InvalidEmbedding { .. })
    ));
    assert!(matches!(
        index.search(&q[..DIM - 1], 5, 50),
        Err(Error::InvalidEmbedding { .. })
    ));
    assert!(matches!(
        index.search(&vec![0.0; DIM], 5, 50),
        Err(Error::InvalidEmbedding { .. })
    ));
    assert!(matches!(index.add(3, &q), Err(Error::DuplicateId(_))));
    assert!(matches!(
        index.add(99_999, &q[..10]),
        Err(Error::InvalidEmbedding { .. })
    ));
    assert!(matches!(
        index.add(99_999, &nan),
        Err(Error::InvalidEmbedding { .. })
    ));
    assert!(!index.contains(99_999));
    let other = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 1.0], 2).unwrap();
    assert!(matches!(
        index.search_batch(&other, 1, 10),
        Err(Error::InvalidEmbedding { .. })
    ));
    let config = HnswConfig::default();
    assert!(matches!(
        HnswIndex::build(&ids[..5], batch, &config),
        Err(Error::InvalidArgument(_))
    ));
    let two = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 1.0], 2).unwrap();
    assert!(matches!(
        HnswIndex::build(&[4, 4], &two, &config),
        Err(Error::DuplicateId(_))
    ));
    for m in [0, 1, 257] {
        let bad = HnswConfig {
            m,
            ..config.clone()
        };
        assert!(matches!(
            HnswIndex::build(&[4, 5], &two, &bad),
            Err(Error::InvalidArgument(_))
        ));
    }
}

#[test]
fn the_build_is_deterministic_whatever_the_threads() {
    let (ids, batch, synth) = gallery(3000, 5);
    let config = HnswConfig {
        m: 12,
        ef_construction: 60,
        seed: 9,
    };
    let build = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| HnswIndex::build(&ids, &batch, &config).unwrap())
    };
    let (one, two) = (build(1), build(2));
    assert_eq!(one.memory_bytes(), two.memory_bytes());
    let queries = queries(&synth, 29);
    assert_eq!(
        one.search_batch(&queries, 10, 20).unwrap(),
        two.search_batch(&queries, 10, 20).unwrap()
    );
    // Another seed draws other layers: another graph, the same quality.
    let other = HnswIndex::build(&ids, &batch, &HnswConfig { seed: 10, ..config }).unwrap();
    let mates = |index: &HnswIndex| {
        let results = index.search_batch(&queries, 1, 32).unwrap();
        (0..100)
            .filter(|&p| results[p][0].id == p as u64 * 29)
            .count()
    };
    assert!(mates(&one) >= 97 && mates(&other) >= 97);
}

#[test]
fn tiny_and_empty_indexes_work() {
    let synth = FaceSynth::new(DIM, 3);
    let rows: Vec<Vec<f32>> = (0..3).map(|p| unit(&synth.capture(p, 0, 0.3))).collect();
    for n in 1..=3usize {
        let batch = EmbeddingBatch::from_rows(&rows[..n].concat(), DIM).unwrap();
        let ids: Vec<u64> = (0..n as u64).map(|i| 100 + i).collect();
        let index = HnswIndex::build(&ids, &batch, &HnswConfig::default()).unwrap();
        assert_eq!(index.len(), n);
        for (p, row) in rows[..n].iter().enumerate() {
            // k > n returns every node, best first, the row itself first.
            let hits = index.search(row, 10, 1).unwrap();
            assert_eq!(hits.len(), n);
            assert_eq!(hits[0].id, 100 + p as u64);
            assert!((hits[0].score - 1.0).abs() < 1e-5);
        }
        assert!(index.search(&rows[0], 0, 10).unwrap().is_empty());
    }
    // An empty build, grown by add.
    let empty = EmbeddingBatch::new(DIM).unwrap();
    let mut index = HnswIndex::build(&[], &empty, &HnswConfig::default()).unwrap();
    assert!(index.is_empty() && index.search(&rows[0], 5, 10).unwrap().is_empty());
    assert!(index.search(&[1.0], 5, 10).is_err());
    for (i, row) in rows.iter().enumerate() {
        index.add(i as u64, row).unwrap();
    }
    let hits = index.search(&rows[2], 5, 10).unwrap();
    assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>()[0], 2);
    assert_eq!(hits.len(), 3);
}

/// The measurement of the README table: 100,000 × 512, build time, memory, and single-thread
/// queries per second and recall@10 by `ef`. Run with
/// `cargo test --release -p galton --test face_hnsw -- --ignored --nocapture measure`.
#[test]
#[ignore]
fn measure_100k_by_512() {
    use galton::face::{Encoding, FaceIndex};
    use std::time::Instant;
    let (n, dim) = (100_000u64, 512);
    let synth = FaceSynth::new(dim, 21);
    let data: Vec<f32> = (0..n)
        .flat_map(|p| synth.capture(p, 0, DEFAULT_SPREAD))
        .collect();
    let batch = EmbeddingBatch::from_rows(&data, dim).unwrap();
    let ids: Vec<u64> = (0..n).collect();
    let persons: Vec<u64> = (0..200u64).map(|i| i * 7919 % n).collect();
    let qdata: Vec<f32> = persons
        .iter()
        .flat_map(|&p| synth.capture(p, 1, DEFAULT_SPREAD))
        .collect();
    let queries = EmbeddingBatch::from_rows(&qdata, dim).unwrap();
    let mut exact = FaceIndex::new(dim, Encoding::F32).unwrap();
    exact.add_batch(&ids, &batch).unwrap();
    let truth: Vec<Vec<u64>> = queries
        .rows()
        .map(|q| exact.search(q, 10).unwrap().iter().map(|h| h.id).collect())
        .collect();
    let start = Instant::now();
    let index = HnswIndex::build(&ids, &batch, &HnswConfig::default()).unwrap();
    let build = start.elapsed().as_secs_f64();
    println!(
        "build {build:.1} s on {} threads, memory {:.1} MiB (vectors {:.1} MiB)",
        rayon::current_num_threads(),
        index.memory_bytes() as f64 / (1 << 20) as f64,
        (n as usize * dim * 4) as f64 / (1 << 20) as f64
    );
    println!("| ef | qps (1 thread) | recall@10 | mate first |");
    for ef in [16, 32, 64, 128, 256, 512] {
        let start = Instant::now();
        let results: Vec<Vec<_>> = queries
            .rows()
            .map(|q| index.search(q, 10, ef).unwrap())
            .collect();
        let qps = 200.0 / start.elapsed().as_secs_f64();
        let found: usize = results
            .iter()
            .zip(&truth)
            .map(|(hits, want)| {
                want.iter()
                    .filter(|id| hits.iter().any(|h| h.id == **id))
                    .count()
            })
            .sum();
        let mates = results
            .iter()
            .zip(&persons)
            .filter(|(hits, &p)| hits[0].id == p)
            .count();
        println!(
            "| {ef} | {qps:.0} | {:.3} | {mates}/200 |",
            found as f64 / 2000.0
        );
    }
}

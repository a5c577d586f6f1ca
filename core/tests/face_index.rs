//! FaceIndex against a brute-force reference on synthetic embeddings with known identities.

use galton::face::kernels::Kernel;
use galton::face::{
    cosine_similarity, EmbeddingBatch, Encoding, FaceEmbedding, FaceIndex, IvfConfig, IvfIndex,
};
use galton::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use galton::Error;
use proptest::prelude::*;

const DIM: usize = 128;

/// `persons` identities, one capture each; the first `twins` enrolled a second time under
/// id `1_000_000 + p` with another capture (the planted duplicates).
fn gallery(persons: u64, twins: u64) -> (Vec<u64>, EmbeddingBatch, FaceSynth) {
    let synth = FaceSynth::new(DIM, 11);
    let mut ids = Vec::new();
    let mut data = Vec::new();
    for p in 0..persons {
        ids.push(p);
        data.extend(synth.capture(p, 0, DEFAULT_SPREAD));
    }
    for p in 0..twins {
        ids.push(1_000_000 + p);
        data.extend(synth.capture(p, 1, DEFAULT_SPREAD));
    }
    (ids, EmbeddingBatch::from_rows(&data, DIM).unwrap(), synth)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| *x as f64 * *y as f64)
        .sum::<f64>() as f32
}

/// The exact top-k ids by brute force (ties to the earlier row).
fn brute_top(batch: &EmbeddingBatch, ids: &[u64], q: &[f32], k: usize) -> Vec<(u64, f32)> {
    let mut all: Vec<(usize, f32)> = batch.rows().map(|r| dot(q, r)).enumerate().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.into_iter().take(k).map(|(i, s)| (ids[i], s)).collect()
}

fn unit(v: &[f32]) -> Vec<f32> {
    FaceEmbedding::new(v.to_vec()).unwrap().into_vec()
}

#[test]
fn exact_search_equals_brute_force_for_every_kernel() {
    let (ids, batch, synth) = gallery(3000, 0);
    for kernel in Kernel::supported() {
        let mut index = FaceIndex::new(DIM, Encoding::F32)
            .unwrap()
            .with_kernel(kernel);
        index.add_batch(&ids, &batch).unwrap();
        for p in [0u64, 17, 2999] {
            let q = unit(&synth.capture(p, 7, DEFAULT_SPREAD));
            let hits = index.search(&q, 10).unwrap();
            let want = brute_top(&batch, &ids, &q, 10);
            assert_eq!(hits.len(), 10);
            assert_eq!(
                hits[0].id, p,
                "{kernel:?}: the person's own capture ranks first"
            );
            for (h, (id, s)) in hits.iter().zip(&want) {
                assert_eq!(h.id, *id, "{kernel:?}");
                assert!((h.score - s).abs() < 1e-4, "{kernel:?}: {} vs {s}", h.score);
            }
        }
    }
}

#[test]
fn lossy_encodings_find_the_exact_top_10_after_reranking() {
    let (ids, batch, synth) = gallery(5000, 0);
    for encoding in [
        Encoding::F16,
        Encoding::Int8PerVector,
        Encoding::Int8PerDimension,
    ] {
        for kernel in Kernel::supported() {
            let mut index = FaceIndex::new(DIM, encoding).unwrap().with_kernel(kernel);
            index.add_batch(&ids, &batch).unwrap();
            let mut found = 0;
            let queries = 40;
            for p in 0..queries {
                let q = unit(&synth.capture(p * 97, 5, DEFAULT_SPREAD));
                let hits = index.search(&q, 10).unwrap();
                let want = brute_top(&batch, &ids, &q, 10);
                found += want
                    .iter()
                    .filter(|(id, _)| hits.iter().any(|h| h.id == *id))
                    .count();
                // Re-ranked scores are exact.
                for h in &hits {
                    let row = ids.iter().position(|&i| i == h.id).unwrap();
                    assert!((h.score - dot(&q, batch.row(row))).abs() < 1e-4);
                }
            }
            let recall = found as f64 / (queries * 10) as f64;
            assert!(recall >= 0.99, "{encoding} {kernel:?}: recall@10 {recall}");
        }
    }
}

#[test]
fn without_originals_scores_are_approximate_but_close() {
    let (ids, batch, synth) = gallery(2000, 0);
    for encoding in [
        Encoding::F16,
        Encoding::Int8PerVector,
        Encoding::Int8PerDimension,
    ] {
        let mut index = FaceIndex::new(DIM, encoding)
            .unwrap()
            .with_originals(false)
            .unwrap();
        index.add_batch(&ids, &batch).unwrap();
        assert!(!index.keeps_originals());
        let q = unit(&synth.capture(3, 9, DEFAULT_SPREAD));
        let hits = index.search(&q, 5).unwrap();
        assert_eq!(hits[0].id, 3, "{encoding}");
        let exact = dot(&q, batch.row(3));
        let tolerance = if encoding == Encoding::F16 {
            2e-3
        } else {
            2e-2
        };
        assert!(
            (hits[0].score - exact).abs() < tolerance,
            "{encoding}: {} vs {exact}",
            hits[0].score
        );
        let f32_bytes = FaceIndex::new(DIM, Encoding::F32).unwrap().memory_bytes();
        assert_eq!(f32_bytes, 0);
        assert!(
            index.memory_bytes() < 2000 * DIM * 4 * 3 / 5,
            "{encoding} saves memory"
        );
    }
}

#[test]
fn batch_search_equals_one_by_one() {
    let (ids, batch, synth) = gallery(1300, 0);
    let queries: Vec<f32> = (0..300u64)
        .flat_map(|p| synth.capture(p * 3, 4, DEFAULT_SPREAD))
        .collect();
    let queries = EmbeddingBatch::from_rows(&queries, DIM).unwrap();
    for encoding in Encoding::ALL {
        let mut index = FaceIndex::new(DIM, encoding).unwrap();
        index.add_batch(&ids, &batch).unwrap();
        let together = index.search_batch(&queries, 7).unwrap();
        assert_eq!(together.len(), 300);
        for (q, hits) in queries.rows().zip(&together) {
            let alone = index.search(q, 7).unwrap();
            let a: Vec<u64> = alone.iter().map(|h| h.id).collect();
            let b: Vec<u64> = hits.iter().map(|h| h.id).collect();
            assert_eq!(a, b, "{encoding}");
            for (x, y) in alone.iter().zip(hits) {
                assert!((x.score - y.score).abs() < 1e-4, "{encoding}");
            }
        }
    }
}

#[test]
fn range_search_returns_everything_above_the_threshold() {
    let (ids, batch, synth) = gallery(2000, 50);
    for encoding in Encoding::ALL {
        let mut index = FaceIndex::new(DIM, encoding).unwrap();
        index.add_batch(&ids, &batch).unwrap();
        for p in [0u64, 10, 49, 1500] {
            let q = unit(&synth.capture(p, 3, DEFAULT_SPREAD));
            let hits = index.range_search(&q, 0.5).unwrap();
            let mut want: Vec<u64> = batch
                .rows()
                .zip(&ids)
                .filter(|(r, _)| dot(&q, r) >= 0.5)
                .map(|(_, &id)| id)
                .collect();
            want.sort();
            let mut got: Vec<u64> = hits.iter().map(|h| h.id).collect();
            got.sort();
            assert_eq!(got, want, "{encoding} person {p}");
            let expected = if p < 50 {
                vec![p, 1_000_000 + p]
            } else {
                vec![p]
            };
            assert_eq!(got, expected);
            assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        }
    }
}

#[test]
fn join_finds_every_planted_pair_and_equals_brute_force() {
    // 1,500 rows: three 512-row blocks, so off-diagonal and ragged blocks are exercised.
    let (ids, batch, _) = gallery(1400, 100);
    let mut index = FaceIndex::new(DIM, Encoding::F32).unwrap();
    index.add_batch(&ids, &batch).unwrap();
    let threshold = 0.6;
    let pairs = index.join(threshold).unwrap();
    let mut want = Vec::new();
    for i in 0..batch.len() {
        for j in i + 1..batch.len() {
            if dot(batch.row(i), batch.row(j)) >= threshold {
                want.push((ids[i], ids[j]));
            }
        }
    }
    let mut got: Vec<(u64, u64)> = pairs.iter().map(|p| (p.a, p.b)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let planted: Vec<(u64, u64)> = (0..100).map(|p| (p, 1_000_000 + p)).collect();
    assert_eq!(got, planted, "exactly the planted duplicates, none else");
    assert!(pairs.windows(2).all(|w| w[0].score >= w[1].score));
    // Lossy indexes join on their originals: the same pairs.
    let mut int8 = FaceIndex::new(DIM, Encoding::Int8PerVector).unwrap();
    int8.add_batch(&ids, &batch).unwrap();
    assert_eq!(int8.join(threshold).unwrap().len(), 100);
    assert!(index.join(1.5).is_err());
}

#[test]
fn add_remove_and_get_keep_ids_and_rows_consistent() {
    let (ids, batch, synth) = gallery(600, 0);
    for encoding in Encoding::ALL {
        let mut index = FaceIndex::new(DIM, encoding).unwrap();
        index.add_batch(&ids, &batch).unwrap();
        for id in (0..600).step_by(3) {
            index.remove(id).unwrap();
        }
        assert_eq!(index.len(), 400);
        assert!(matches!(index.remove(0), Err(Error::NotFound(_))));
        for p in [1u64, 2, 4, 599] {
            let q = unit(&synth.capture(p, 0, DEFAULT_SPREAD));
            let stored = index.get(p).unwrap();
            assert!(dot(&q, &stored) > 0.999, "{encoding}");
            assert_eq!(index.search(&q, 1).unwrap()[0].id, p, "{encoding}");
        }
        assert!(index.get(3).is_none());
        let q = synth.capture(3, 0, DEFAULT_SPREAD);
        assert_ne!(index.search(&q, 1).unwrap()[0].id, 3);
        index.add(3, &q).unwrap();
        assert_eq!(index.search(&q, 1).unwrap()[0].id, 3);
        assert!(matches!(index.add(3, &q), Err(Error::DuplicateId(_))));
    }
}

#[test]
fn bad_embeddings_are_typed_errors_naming_the_row() {
    let mut index = FaceIndex::new(4, Encoding::F32).unwrap();
    let nan = index.add(1, &[1.0, f32::NAN, 0.0, 0.0]).unwrap_err();
    assert!(
        matches!(nan, Error::InvalidEmbedding { row: None, .. }),
        "{nan}"
    );
    assert!(nan.to_string().contains("value 1 is NaN"), "{nan}");
    assert!(index
        .add(1, &[0.0; 4])
        .unwrap_err()
        .to_string()
        .contains("all zeros"));
    assert!(index
        .add(1, &[1.0; 3])
        .unwrap_err()
        .to_string()
        .contains("3 values where the dimension is 4"));
    assert!(index.add(1, &[f32::INFINITY, 0.0, 0.0, 0.0]).is_err());
    let err = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], 4).unwrap_err();
    assert!(
        matches!(err, Error::InvalidEmbedding { row: Some(1), .. }),
        "{err}"
    );
    assert!(EmbeddingBatch::from_rows(&[1.0; 5], 4).is_err());
    // A batch with a duplicate id adds nothing.
    let batch = EmbeddingBatch::from_rows(&[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], 4).unwrap();
    assert!(matches!(
        index.add_batch(&[5, 5], &batch),
        Err(Error::DuplicateId(_))
    ));
    assert!(index.add_batch(&[5], &batch).is_err());
    assert!(index.is_empty());
    assert!(index.search(&[1.0, 0.0], 3).is_err());
    assert!(index.search(&[1.0, 0.0, 0.0, 0.0], 3).unwrap().is_empty());
    // Any k: more than the index holds gives everything, without reserving k slots.
    index.add(1, &[1.0, 0.0, 0.0, 0.0]).unwrap();
    let mut int8 = FaceIndex::new(4, Encoding::Int8PerVector).unwrap();
    int8.add(1, &[1.0, 0.0, 0.0, 0.0]).unwrap();
    for idx in [&index, &int8] {
        assert_eq!(
            idx.search(&[1.0, 0.0, 0.0, 0.0], usize::MAX).unwrap().len(),
            1
        );
        let q = EmbeddingBatch::from_rows(&[0.0, 1.0, 0.0, 0.0], 4).unwrap();
        assert_eq!(idx.search_batch(&q, usize::MAX).unwrap()[0].len(), 1);
        assert!(idx.search(&[1.0, 0.0, 0.0, 0.0], 0).unwrap().is_empty());
    }
    index.remove(1).unwrap();
    assert!(FaceIndex::new(1, Encoding::F32).is_err());
    assert!(FaceIndex::new(100_000, Encoding::F32).is_err());
    assert!(cosine_similarity(&[1.0, 0.0], &[1.0, 0.0, 0.0]).is_err());
    assert!((cosine_similarity(&[2.0, 0.0], &[1.0, 1.0]).unwrap() - 0.70710677).abs() < 1e-6);
    let a = FaceEmbedding::new(vec![1.0, 1.0]).unwrap();
    assert!((a.distance(&a).unwrap()).abs() < 1e-6);
}

#[test]
fn index_files_round_trip_and_damage_is_refused() {
    let (ids, batch, synth) = gallery(700, 0);
    let dir = std::env::temp_dir().join(format!("galton-face-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for encoding in Encoding::ALL {
        let mut index = FaceIndex::new(DIM, encoding).unwrap();
        index.add_batch(&ids, &batch).unwrap();
        index.remove(5).unwrap();
        let path = dir.join(format!("{encoding}.gfi"));
        index.save(&path).unwrap();
        let back = FaceIndex::load(&path).unwrap();
        assert_eq!(back.len(), 699);
        assert_eq!(back.encoding(), encoding);
        assert_eq!(back.ids(), index.ids());
        let q = synth.capture(9, 2, DEFAULT_SPREAD);
        assert_eq!(back.search(&q, 5).unwrap(), index.search(&q, 5).unwrap());
        assert_eq!(back.to_bytes(), index.to_bytes());

        let bytes = std::fs::read(&path).unwrap();
        let refuse = |b: &[u8], what: &str| {
            let err = FaceIndex::from_bytes(b).unwrap_err();
            assert!(matches!(err, Error::InvalidIndexFile(_)), "{err}");
            assert!(err.to_string().contains(what), "{err} lacks {what:?}");
        };
        refuse(&bytes[..bytes.len() - 1], "truncated");
        refuse(&bytes[..40], "shorter than");
        let mut extra = bytes.clone();
        extra.push(0);
        refuse(&extra, "trailing");
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 0x10;
        refuse(&flipped, "payload checksum");
        let mut header = bytes.clone();
        header[24] ^= 1;
        refuse(&header, "header checksum");
        let mut newer = bytes.clone();
        newer[8] = 2;
        refuse(&newer, "version 2");
        refuse(
            b"\x89PNG\r\n\x1a\n not an index at all, but long enough for a header.......",
            "not a galton face index",
        );
    }
    // Empty indexes, including an untrained int8-dim one, round-trip too.
    for encoding in Encoding::ALL {
        let empty = FaceIndex::new(DIM, encoding).unwrap();
        let back = FaceIndex::from_bytes(&empty.to_bytes()).unwrap();
        assert!(back.is_empty());
    }
    assert!(matches!(
        FaceIndex::load(dir.join("missing.gfi")),
        Err(Error::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ivf_recall_grows_with_nprobe_and_is_exact_when_probing_every_cell() {
    let (ids, batch, synth) = gallery(8000, 0);
    let config = IvfConfig {
        lists: 64,
        ..IvfConfig::default()
    };
    let ivf = IvfIndex::build(&ids, &batch, &config).unwrap();
    assert_eq!((ivf.len(), ivf.lists()), (8000, 64));
    let queries: Vec<f32> = (0..100u64)
        .flat_map(|p| synth.capture(p * 71, 3, DEFAULT_SPREAD))
        .collect();
    let queries = EmbeddingBatch::from_rows(&queries, DIM).unwrap();
    let mut recalls = Vec::new();
    for nprobe in [1, 4, 16, 64] {
        let results = ivf.search_batch(&queries, 10, nprobe).unwrap();
        let mut found = 0;
        let mut own_first = 0;
        for (p, (q, hits)) in queries.rows().zip(&results).enumerate() {
            let want = brute_top(&batch, &ids, q, 10);
            found += want
                .iter()
                .filter(|(id, _)| hits.iter().any(|h| h.id == *id))
                .count();
            own_first += (hits[0].id == p as u64 * 71) as usize;
        }
        recalls.push((nprobe, found as f64 / 1000.0, own_first));
    }
    assert!(recalls.windows(2).all(|w| w[1].1 >= w[0].1), "{recalls:?}");
    assert_eq!(
        recalls[3].1, 1.0,
        "every cell probed is exact search: {recalls:?}"
    );
    // Beyond the person's own capture, the exact top 10 are impostors at cosine ~0.2, spread
    // over many cells: recall of all ten needs a quarter of the cells probed...
    assert!(recalls[2].1 >= 0.7, "{recalls:?}");
    // ...while the mate itself is in the first cells.
    assert!(recalls[2].2 >= 98, "the person's own capture: {recalls:?}");
    // Add and remove.
    let mut ivf = ivf;
    let late = synth.capture(123_456, 0, DEFAULT_SPREAD);
    ivf.add(123_456, &late).unwrap();
    assert_eq!(ivf.search(&late, 1, 4).unwrap()[0].id, 123_456);
    ivf.remove(123_456).unwrap();
    assert_ne!(ivf.search(&late, 1, 64).unwrap()[0].id, 123_456);
    assert!(ivf.add(0, &late).is_err());
    assert!(IvfIndex::build(&[1], &EmbeddingBatch::new(DIM).unwrap(), &config).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any small gallery: top-k by every encoding with originals equals brute force by id set
    /// (scores may tie, so compare score multisets), for random dimensions.
    #[test]
    fn search_matches_brute_force(
        dim in 2usize..70,
        n in 1usize..300,
        k in 1usize..12,
        seed in any::<u64>(),
    ) {
        let synth = FaceSynth::new(dim, seed);
        let data: Vec<f32> = (0..n as u64).flat_map(|p| synth.capture(p, 0, 0.3)).collect();
        let batch = EmbeddingBatch::from_rows(&data, dim).unwrap();
        let ids: Vec<u64> = (0..n as u64).map(|i| i * 2 + 1).collect();
        let q = unit(&synth.capture(0, 1, 0.9));
        let want = brute_top(&batch, &ids, &q, k);
        for encoding in [Encoding::F32, Encoding::F16] {
            let mut index = FaceIndex::new(dim, encoding).unwrap();
            index.add_batch(&ids, &batch).unwrap();
            let hits = index.search(&q, k).unwrap();
            prop_assert_eq!(hits.len(), k.min(n));
            for (h, (_, s)) in hits.iter().zip(&want) {
                prop_assert!((h.score - s).abs() < 1e-4, "{} vs {}", h.score, s);
            }
        }
    }
}

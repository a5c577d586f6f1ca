//! Extraction speed on real FVC2002 DB1 images (388 × 374, 500 ppi):
//! `cargo bench -p galton-benches --bench extract`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use galton::fingerprint::{extract, extract_many};
use galton::image::FingerprintImage;
use std::hint::black_box;

fn db1(count: usize) -> Vec<FingerprintImage> {
    galton_benches::fvc2002_images("DB1_B")
        .iter()
        .take(count)
        .map(|p| FingerprintImage::open(p, 500.0).expect("readable FVC2002 image"))
        .collect()
}

fn single(c: &mut Criterion) {
    let image = db1(1).remove(0);
    let mut group = c.benchmark_group("extract");
    group.throughput(Throughput::Elements(1));
    group.bench_function("db1_101_1", |b| {
        b.iter(|| extract(black_box(&image)).unwrap())
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let images = db1(32);
    let mut group = c.benchmark_group("batch32");
    group.throughput(Throughput::Elements(images.len() as u64));
    group.sample_size(10);
    group.bench_function("sequential", |b| {
        b.iter(|| {
            images
                .iter()
                .map(|i| extract(black_box(i)).unwrap().minutiae.len())
                .sum::<usize>()
        })
    });
    group.bench_function("extract_many", |b| {
        b.iter_batched(
            || (),
            |_| extract_many(black_box(&images)),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, single, batch);
criterion_main!(benches);

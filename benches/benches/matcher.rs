//! Matcher speed: one comparison of prepared templates (about 40 minutiae each) per kernel,
//! preparation, and 1:N over a synthetic gallery, sequential against rayon.
//!
//! `cargo bench -p galton-benches --bench matcher`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Kernel, Matcher, PreparedTemplate};
use galton_benches::fvc2002_images;
use rayon::prelude::*;
use std::hint::black_box;

fn db2_templates() -> Vec<galton::Template> {
    fvc2002_images("DB2_B")
        .iter()
        .take(16)
        .map(|p| fingerprint::extract(&FingerprintImage::open(p, 569.0).unwrap()).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    // DB2 templates have about 40 minutiae, the size the speed goal names.
    let templates = db2_templates();
    let prepared: Vec<PreparedTemplate> = templates.iter().map(PreparedTemplate::new).collect();
    let mean = prepared.iter().map(|p| p.len()).sum::<usize>() as f64 / prepared.len() as f64;
    eprintln!(
        "prepared templates: {} of mean {mean:.1} minutiae",
        prepared.len()
    );

    let mut group = c.benchmark_group("compare");
    // Every probe against every other: 16 × 15 comparisons, genuine and impostor mixed.
    let pairs: Vec<(usize, usize)> = (0..16)
        .flat_map(|i| (0..16).filter(move |&j| j != i).map(move |j| (i, j)))
        .collect();
    group.throughput(Throughput::Elements(pairs.len() as u64));
    for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
        if !kernel.is_supported() {
            continue;
        }
        let mut matcher = Matcher::with_kernel(kernel);
        group.bench_function(format!("{kernel:?}"), |b| {
            b.iter(|| {
                let mut sum = 0.0;
                for &(i, j) in &pairs {
                    sum += matcher.score(&prepared[i], &prepared[j]);
                }
                black_box(sum)
            })
        });
    }
    group.finish();

    c.bench_function("prepare/db2", |b| {
        b.iter_batched(
            || &templates[3],
            |t| PreparedTemplate::new(black_box(t)),
            BatchSize::SmallInput,
        )
    });

    // 1:N: one probe against a gallery of 10,000 prepared templates (the 16 repeated).
    let gallery: Vec<&PreparedTemplate> = (0..10_000).map(|i| &prepared[i % 16]).collect();
    let mut group = c.benchmark_group("one_to_n_10k");
    group.throughput(Throughput::Elements(gallery.len() as u64));
    group.sample_size(10);
    group.bench_function("sequential", |b| {
        let mut matcher = Matcher::new();
        b.iter(|| {
            gallery
                .iter()
                .map(|g| matcher.score(&prepared[0], g))
                .sum::<f32>()
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            gallery
                .par_iter()
                .map_init(Matcher::new, |m, g| m.score(&prepared[0], g))
                .sum::<f32>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

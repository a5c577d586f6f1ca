//! Matcher speed: one comparison of prepared templates (about 40 minutiae each) per kernel,
//! preparation, and 1:N over a gallery of 100,000, one thread against rayon.
//!
//! `cargo bench -p galton-benches --bench matcher`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Kernel, Matcher, PreparedTemplate};
use galton_benches::fvc2002_images;
use rayon::prelude::*;
use std::hint::black_box;

/// All 160 templates of FVC2002 DB1_B and DB2_B.
fn real_templates() -> Vec<galton::Template> {
    let mut paths: Vec<(std::path::PathBuf, f32)> = Vec::new();
    paths.extend(fvc2002_images("DB1_B").into_iter().map(|p| (p, 500.0)));
    paths.extend(fvc2002_images("DB2_B").into_iter().map(|p| (p, 569.0)));
    paths
        .par_iter()
        .map(|(p, ppi)| fingerprint::extract(&FingerprintImage::open(p, *ppi).unwrap()).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    // The 16 real templates closest to 40 minutiae, the size the speed goal names.
    let all = real_templates();
    let mut templates = all.clone();
    templates.sort_by_key(|t| (t.minutiae.len() as i64 - 40).abs());
    templates.truncate(16);
    let prepared: Vec<PreparedTemplate> = templates.iter().map(PreparedTemplate::new).collect();
    let minutiae = templates.iter().map(|t| t.minutiae.len()).sum::<usize>() as f64 / 16.0;
    let cylinders = prepared.iter().map(|p| p.len()).sum::<usize>() as f64 / 16.0;
    eprintln!("16 templates: mean {minutiae:.1} minutiae, {cylinders:.1} with a cylinder");

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

    c.bench_function("prepare/40_minutiae", |b| {
        b.iter_batched(
            || &templates[3],
            |t| PreparedTemplate::new(black_box(t)),
            BatchSize::SmallInput,
        )
    });

    // 1:N: one probe against a gallery of 100,000 prepared templates (the 160 real ones of
    // DB1_B and DB2_B, repeated), one thread against all cores.
    let distinct: Vec<PreparedTemplate> = all.iter().map(PreparedTemplate::new).collect();
    let gallery: Vec<&PreparedTemplate> = (0..100_000)
        .map(|i| &distinct[i % distinct.len()])
        .collect();
    let mut group = c.benchmark_group("one_to_n_100k");
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

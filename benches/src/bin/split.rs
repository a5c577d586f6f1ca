//! Where a comparison spends its time: the local similarity matrix alone against the whole
//! score, per comparison, on the first 24 prints of a set.
//!
//! `cargo run --release -p galton-benches --bin split -- DB2_B`

use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Kernel, Matcher, PreparedTemplate};
use galton_benches::fvc2002_images;
use std::time::Instant;
fn main() {
    let db = std::env::args().nth(1).unwrap_or("DB1_B".into());
    let ppi = if db == "DB2_B" { 569.0 } else { 500.0 };
    let prepared: Vec<PreparedTemplate> = fvc2002_images(&db)
        .iter()
        .take(24)
        .map(|p| {
            PreparedTemplate::new(
                &fingerprint::extract(&FingerprintImage::open(p, ppi).unwrap()).unwrap(),
            )
        })
        .collect();
    let mean = prepared.iter().map(|p| p.len()).sum::<usize>() as f64 / prepared.len() as f64;
    let mut matchers = [
        Matcher::with_kernel(Kernel::Avx2),
        Matcher::with_kernel(Kernel::Avx512),
    ];
    let mut best = [f64::INFINITY; 4];
    for _ in 0..20 {
        for (k, (full, kernel)) in [(false, 0), (true, 0), (false, 1), (true, 1)]
            .into_iter()
            .enumerate()
        {
            let m = &mut matchers[kernel];
            let t = Instant::now();
            let mut n = 0;
            let mut sum = 0.0;
            for a in &prepared {
                for b in &prepared {
                    sum += if full {
                        m.score(a, b)
                    } else {
                        m.matrix_only(a, b)
                    };
                    n += 1;
                }
            }
            std::hint::black_box(sum);
            best[k] = best[k].min(t.elapsed().as_secs_f64() / n as f64);
        }
    }
    for (k, name) in ["avx2", "avx512"].iter().enumerate() {
        println!(
            "{db} {name}: mean cylinders {mean:.1}; matrix {:.2} us, full {:.2} us => {:.0}/s",
            best[2 * k] * 1e6,
            best[2 * k + 1] * 1e6,
            1.0 / best[2 * k + 1]
        );
    }
}

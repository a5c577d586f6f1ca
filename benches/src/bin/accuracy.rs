//! Accuracy of the matcher on the four FVC2002 B sets: EER per set under the FVC protocol
//! and under all pairs.
//!
//! `cargo run --release -p galton-benches --bin accuracy`

use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Matcher, PreparedTemplate};
use galton_benches::fvc2002_images;
use rayon::prelude::*;

fn eer(genuine: &[f32], impostor: &[f32]) -> f64 {
    let mut thresholds: Vec<f32> = genuine.iter().chain(impostor).cloned().collect();
    thresholds.sort_by(|a, b| a.total_cmp(b));
    let mut best = (f64::INFINITY, 0.0);
    for &t in &thresholds {
        let fmr = impostor.iter().filter(|&&s| s >= t).count() as f64 / impostor.len() as f64;
        let fnmr = genuine.iter().filter(|&&s| s < t).count() as f64 / genuine.len() as f64;
        let gap = (fmr - fnmr).abs();
        if gap < best.0 {
            best = (gap, (fmr + fnmr) / 2.0);
        }
    }
    best.1
}

fn main() {
    let mut sums = [0.0; 2];
    for (db, ppi) in [
        ("DB1_B", 500.0),
        ("DB2_B", 569.0),
        ("DB3_B", 500.0),
        ("DB4_B", 500.0),
    ] {
        let paths = fvc2002_images(db);
        let prepared: Vec<PreparedTemplate> = paths
            .par_iter()
            .map(|p| {
                let image = FingerprintImage::open(p, ppi).unwrap();
                PreparedTemplate::new(&fingerprint::extract(&image).unwrap())
            })
            .collect();
        let finger = |i: usize| i / 8;
        let mut pairs = Vec::new();
        for i in 0..80 {
            for j in i + 1..80 {
                pairs.push((i, j));
            }
        }
        let scores: Vec<(usize, usize, f32)> = pairs
            .par_iter()
            .map_init(Matcher::new, |m, &(i, j)| {
                (i, j, m.score(&prepared[i], &prepared[j]))
            })
            .collect();
        let genuine: Vec<f32> = scores
            .iter()
            .filter(|s| finger(s.0) == finger(s.1))
            .map(|s| s.2)
            .collect();
        let impostor_all: Vec<f32> = scores
            .iter()
            .filter(|s| finger(s.0) != finger(s.1))
            .map(|s| s.2)
            .collect();
        let impostor_fvc: Vec<f32> = scores
            .iter()
            .filter(|s| finger(s.0) != finger(s.1) && s.0 % 8 == 0 && s.1 % 8 == 0)
            .map(|s| s.2)
            .collect();
        if std::env::var("WORST").is_ok() {
            let max_imp = impostor_all.iter().cloned().fold(0.0f32, f32::max);
            let mut worst: Vec<_> = scores
                .iter()
                .filter(|s| finger(s.0) == finger(s.1) && s.2 < max_imp)
                .collect();
            worst.sort_by(|x, y| x.2.total_cmp(&y.2));
            for w in worst.iter().take(12) {
                println!(
                    "  {}_{} vs {}_{}: {:.3} ({} / {} cylinders)",
                    101 + w.0 / 8,
                    1 + w.0 % 8,
                    101 + w.1 / 8,
                    1 + w.1 % 8,
                    w.2,
                    prepared[w.0].len(),
                    prepared[w.1].len()
                );
            }
            println!("  {} genuine below max impostor {max_imp:.3}", worst.len());
        }
        let (e_fvc, e_all) = (eer(&genuine, &impostor_fvc), eer(&genuine, &impostor_all));
        sums[0] += e_fvc;
        sums[1] += e_all;
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let max_imp = impostor_all.iter().cloned().fold(0.0f32, f32::max);
        println!(
            "{db}: EER fvc {:.2}%  all-pairs {:.2}%  (genuine mean {:.3}, impostor mean {:.3}, max {:.3}, cylinders mean {:.1})",
            100.0 * e_fvc,
            100.0 * e_all,
            mean(&genuine),
            mean(&impostor_all),
            max_imp,
            prepared.iter().map(|p| p.len()).sum::<usize>() as f32 / 80.0
        );
    }
    println!(
        "mean EER fvc {:.2}%  all-pairs {:.2}%",
        25.0 * sums[0],
        25.0 * sums[1]
    );
}

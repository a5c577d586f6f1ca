//! Accuracy of the matcher on the four FVC2002 B sets, under the FVC protocol (45 impostor
//! pairs per set) and all pairs (2,880), and the decision thresholds calibrated on the pooled
//! all-pairs impostor scores of the four sets.
//!
//! `cargo run --release -p galton-benches --bin accuracy` (`WORST=1` also lists the genuine
//! pairs scoring below the highest impostor of their set).

use galton::evaluation::{self, ErrorRates, Protocol};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Matcher, PreparedTemplate};
use galton_benches::{fvc2002_images, FVC2002_SETS};
use rayon::prelude::*;

fn percent(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn main() {
    let worst = std::env::var_os("WORST").is_some();
    let mut pooled_impostors = Vec::new();
    let mut sums = [0.0; 2];
    println!(
        "| set | FVC EER | FVC FMR100 | all-pairs EER | FMR100 | FMR1000 | ZeroFMR | minutiae |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (db, ppi) in FVC2002_SETS {
        let paths = fvc2002_images(db);
        let samples: Vec<(u32, u32)> = paths
            .iter()
            .map(|p| evaluation::parse_fvc_name(p.file_stem().unwrap().to_str().unwrap()).unwrap())
            .collect();
        let prepared: Vec<PreparedTemplate> = paths
            .par_iter()
            .map(|p| {
                let image = FingerprintImage::open(p, ppi).unwrap();
                PreparedTemplate::new(&fingerprint::extract(&image).unwrap())
            })
            .collect();
        let all = evaluation::pairs(Protocol::AllPairs, &samples).unwrap();
        let scores: Vec<f32> = all
            .par_iter()
            .map_init(Matcher::new, |m, p| {
                m.score(&prepared[p.probe], &prepared[p.gallery])
            })
            .collect();
        let fvc: std::collections::HashSet<(usize, usize)> =
            evaluation::pairs(Protocol::Fvc, &samples)
                .unwrap()
                .iter()
                .map(|p| (p.probe, p.gallery))
                .collect();
        let (mut genuine, mut impostor, mut impostor_fvc) = (Vec::new(), Vec::new(), Vec::new());
        for (pair, &score) in all.iter().zip(&scores) {
            if pair.genuine {
                genuine.push(score);
            } else {
                impostor.push(score);
                if fvc.contains(&(pair.probe, pair.gallery)) {
                    impostor_fvc.push(score);
                }
            }
        }
        let rates_fvc = ErrorRates::compute(&genuine, &impostor_fvc).unwrap();
        let rates = ErrorRates::compute(&genuine, &impostor).unwrap();
        sums[0] += rates_fvc.eer;
        sums[1] += rates.eer;
        let minutiae =
            prepared.iter().map(|p| p.len()).sum::<usize>() as f64 / prepared.len() as f64;
        println!(
            "| {db} | {} | {} | {} | {} | {} | {} | {minutiae:.1} |",
            percent(rates_fvc.eer),
            percent(rates_fvc.fnmr_at_fmr_1_percent),
            percent(rates.eer),
            percent(rates.fnmr_at_fmr_1_percent),
            percent(rates.fnmr_at_fmr_0_1_percent),
            percent(rates.zero_fmr),
        );
        if worst {
            let max = impostor.iter().cloned().fold(0.0f32, f32::max);
            let mut low: Vec<_> = all
                .iter()
                .zip(&scores)
                .filter(|(p, &s)| p.genuine && s < max)
                .collect();
            low.sort_by(|x, y| x.1.total_cmp(y.1));
            for (p, s) in &low {
                let name = |i: usize| format!("{}_{}", samples[i].0, samples[i].1);
                println!("    {} vs {}: {s:.3}", name(p.probe), name(p.gallery));
            }
        }
        pooled_impostors.extend(impostor);
    }
    println!(
        "| mean | {} | | {} | | | | |",
        percent(sums[0] / 4.0),
        percent(sums[1] / 4.0)
    );
    println!(
        "\nthresholds from {} pooled impostor scores:",
        pooled_impostors.len()
    );
    for fmr in [0.01, 0.001, 0.0001] {
        let t = evaluation::threshold_at_fmr(&pooled_impostors, fmr).unwrap();
        println!("  FMR {:>6}: {t:.4}", format!("{}%", fmr * 100.0));
    }
}

//! The classical Hough matcher ([`galton_benches::hough`]) beside galton's own matcher (MCC,
//! [`galton::matcher`]) on the four FVC2002 B sets: EER and FMR100 under the FVC protocol (280
//! genuine, 45 impostor pairs per set) and all pairs (280 genuine, 2,880 impostor), and the
//! time per comparison of each, single-threaded.
//!
//! `cargo run --release -p galton-benches --bin hough` (datasets from `$GALTON_DATASETS`, as
//! the `accuracy` binary).

use std::collections::HashSet;
use std::time::Instant;

use galton::evaluation::{self, ErrorRates, Pair, Protocol};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Matcher, PreparedTemplate};
use galton::Template;
use galton_benches::{fvc2002_images, hough, FVC2002_SETS};
use rayon::prelude::*;

fn percent(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

/// Error rates under the FVC protocol and all pairs, from the all-pairs scores.
fn rates(all: &[Pair], fvc: &HashSet<(usize, usize)>, scores: &[f32]) -> [ErrorRates; 2] {
    let (mut genuine, mut impostor, mut impostor_fvc) = (Vec::new(), Vec::new(), Vec::new());
    for (pair, &score) in all.iter().zip(scores) {
        if pair.genuine {
            genuine.push(score);
        } else {
            impostor.push(score);
            if fvc.contains(&(pair.probe, pair.gallery)) {
                impostor_fvc.push(score);
            }
        }
    }
    [
        ErrorRates::compute(&genuine, &impostor_fvc).unwrap(),
        ErrorRates::compute(&genuine, &impostor).unwrap(),
    ]
}

fn main() {
    println!("| set | matcher | FVC EER | FVC FMR100 | all-pairs EER | all-pairs FMR100 | µs / comparison |");
    println!("|---|---|---|---|---|---|---|");
    let mut sums = [[0.0; 2]; 2];
    for (db, ppi) in FVC2002_SETS {
        let paths = fvc2002_images(db);
        let samples: Vec<(u32, u32)> = paths
            .iter()
            .map(|p| evaluation::parse_fvc_name(p.file_stem().unwrap().to_str().unwrap()).unwrap())
            .collect();
        let templates: Vec<Template> = paths
            .par_iter()
            .map(|p| fingerprint::extract(&FingerprintImage::open(p, ppi).unwrap()).unwrap())
            .collect();
        let prepared: Vec<PreparedTemplate> = templates.iter().map(PreparedTemplate::new).collect();
        let all = evaluation::pairs(Protocol::AllPairs, &samples).unwrap();
        let fvc: HashSet<(usize, usize)> = evaluation::pairs(Protocol::Fvc, &samples)
            .unwrap()
            .iter()
            .map(|p| (p.probe, p.gallery))
            .collect();

        // Single-threaded, so the times are per comparison on one core.
        let start = Instant::now();
        let hough_scores: Vec<f32> = all
            .iter()
            .map(|p| hough::score(&templates[p.probe], &templates[p.gallery]))
            .collect();
        let hough_us = start.elapsed().as_secs_f64() * 1e6 / all.len() as f64;
        let mut matcher = Matcher::new();
        let start = Instant::now();
        let mcc_scores: Vec<f32> = all
            .iter()
            .map(|p| matcher.score(&prepared[p.probe], &prepared[p.gallery]))
            .collect();
        let mcc_us = start.elapsed().as_secs_f64() * 1e6 / all.len() as f64;

        let rows = [
            ("Hough", rates(&all, &fvc, &hough_scores), hough_us),
            ("galton MCC", rates(&all, &fvc, &mcc_scores), mcc_us),
        ];
        for (k, (name, [f, a], us)) in rows.iter().enumerate() {
            sums[k][0] += f.eer;
            sums[k][1] += a.eer;
            println!(
                "| {db} | {name} | {} | {} | {} | {} | {us:.1} |",
                percent(f.eer),
                percent(f.fnmr_at_fmr_1_percent),
                percent(a.eer),
                percent(a.fnmr_at_fmr_1_percent),
            );
        }
    }
    for (name, [f, a]) in ["Hough", "galton MCC"].iter().zip(sums) {
        println!(
            "| mean | {name} | {} | | {} | | |",
            percent(f / 4.0),
            percent(a / 4.0)
        );
    }
    println!(
        "\nMCC time: `Matcher::score` on templates prepared once (what `matcher::compare` does \
         after preparing both); Hough time: `hough::score` on the templates themselves."
    );
}

//! Fingerprint quality on the four FVC2002 B sets: fitting the model, and the
//! error-versus-reject curves that validate it.
//!
//! - `cargo run --release -p galton-benches --bin quality` prints the curves: FNMR at the
//!   all-pairs threshold of FMR 1% as the lowest-quality 0–20% of the genuine comparisons
//!   are rejected (quality of a pair = the lower of its two images'), per set, for galton's
//!   matcher and for the Hough matcher (`galton_benches::hough`, which the model never saw),
//!   with the shipped model and with models fitted leaving the set out.
//! - `... --bin quality -- fit` refits the model on all four sets and rewrites
//!   `core/src/quality/finger/model_params.rs`.

use std::fmt::Write as _;
use std::time::Instant;

use galton::evaluation::{self, ErrorRates, Pair, Protocol};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{Matcher, PreparedTemplate};
use galton::quality::finger::model::{inputs, LinearModel, INPUTS, SIGNS};
use galton::quality::finger::{self, FingerFeatures};
use galton::Template;
use galton_benches::{fvc2002_images, hough, FVC2002_SETS};
use rayon::prelude::*;

const FRACTIONS: [f64; 5] = [0.0, 0.05, 0.10, 0.15, 0.20];
/// Ridge penalty on the standardised inputs.
const RIDGE: f64 = 10.0;

/// One FVC2002 set, measured.
struct Set {
    name: &'static str,
    features: Vec<FingerFeatures>,
    /// The shipped model's score of each image (through `finger::assess`).
    shipped: Vec<f32>,
    pairs: Vec<Pair>,
    galton: Vec<f32>,
    hough: Vec<f32>,
    /// Milliseconds per `finger::assess`, one thread.
    assess_ms: Vec<f64>,
}

impl Set {
    fn load(name: &'static str, ppi: f32) -> Set {
        let paths = fvc2002_images(name);
        let samples: Vec<(u32, u32)> = paths
            .iter()
            .map(|p| evaluation::parse_fvc_name(p.file_stem().unwrap().to_str().unwrap()).unwrap())
            .collect();
        let images: Vec<FingerprintImage> = paths
            .iter()
            .map(|p| FingerprintImage::open(p, ppi).unwrap())
            .collect();
        let mut shipped = Vec::new();
        let mut assess_ms = Vec::new();
        let mut features = Vec::new();
        for image in &images {
            let start = Instant::now();
            let q = finger::assess(image).unwrap();
            assess_ms.push(start.elapsed().as_secs_f64() * 1e3);
            shipped.push(q.score);
            features.push(
                q.features
                    .expect("every FVC2002 image has a fingerprint area"),
            );
        }
        let templates: Vec<Template> = images
            .par_iter()
            .map(|i| fingerprint::extract(i).unwrap())
            .collect();
        let prepared: Vec<PreparedTemplate> = templates.iter().map(PreparedTemplate::new).collect();
        let pairs = evaluation::pairs(Protocol::AllPairs, &samples).unwrap();
        let galton = pairs
            .par_iter()
            .map_init(Matcher::new, |m, p| {
                m.score(&prepared[p.probe], &prepared[p.gallery])
            })
            .collect();
        let hough = pairs
            .par_iter()
            .map(|p| hough::score(&templates[p.probe], &templates[p.gallery]))
            .collect();
        Set {
            name,
            features,
            shipped,
            pairs,
            galton,
            hough,
            assess_ms,
        }
    }

    /// Each image's utility: its mean galton score against the other impressions of its
    /// finger.
    fn utility(&self) -> Vec<f64> {
        let mut sum = vec![(0.0, 0usize); self.features.len()];
        for (p, &s) in self.pairs.iter().zip(&self.galton) {
            if p.genuine {
                for i in [p.probe, p.gallery] {
                    sum[i].0 += f64::from(s);
                    sum[i].1 += 1;
                }
            }
        }
        sum.iter().map(|&(s, n)| s / n.max(1) as f64).collect()
    }

    /// FNMR at FMR 1% as the lowest-quality comparisons are rejected.
    fn erc(&self, scores: &[f32], quality: &[f32]) -> Vec<f64> {
        let (mut genuine, mut pair_quality, mut impostor) = (Vec::new(), Vec::new(), Vec::new());
        for (p, &s) in self.pairs.iter().zip(scores) {
            if p.genuine {
                genuine.push(s);
                pair_quality.push(quality[p.probe].min(quality[p.gallery]));
            } else {
                impostor.push(s);
            }
        }
        // The FMR100 operating point of `galton eval`, so both print the same curves.
        let threshold = ErrorRates::compute(&genuine, &impostor)
            .unwrap()
            .fmr_1_percent_threshold;
        evaluation::error_reject_curve(&genuine, &pair_quality, threshold, &FRACTIONS)
            .unwrap()
            .iter()
            .map(|p| p.fnmr)
            .collect()
    }
}

/// Ridge regression of the utility on the standardised model inputs, keeping only inputs
/// whose weight has the sign [`SIGNS`] allows (refitting without the others until all do).
fn fit(sets: &[&Set]) -> LinearModel {
    let x: Vec<[f64; INPUTS]> = sets
        .iter()
        .flat_map(|s| s.features.iter().map(|f| inputs(f).map(f64::from)))
        .collect();
    let y: Vec<f64> = sets.iter().flat_map(|s| s.utility()).collect();
    let n = x.len() as f64;
    let mut mean = [0.0; INPUTS];
    let mut scale = [0.0; INPUTS];
    for j in 0..INPUTS {
        mean[j] = x.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
        scale[j] = var.sqrt().max(1e-9);
    }
    let y_mean = y.iter().sum::<f64>() / n;
    let mut active: Vec<usize> = (0..INPUTS).filter(|&j| SIGNS[j] != 0).collect();
    let mut weights;
    loop {
        let w = ridge(&x, &y, y_mean, &mean, &scale, &active);
        weights = [0.0; INPUTS];
        for (&j, &v) in active.iter().zip(&w) {
            weights[j] = v;
        }
        let wrong: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&j| weights[j] * f64::from(SIGNS[j]) < 0.0)
            .collect();
        if wrong.is_empty() {
            break;
        }
        // Drop the most wrongly signed input and refit.
        let worst = wrong
            .iter()
            .copied()
            .max_by(|&a, &b| weights[a].abs().total_cmp(&weights[b].abs()))
            .unwrap();
        active.retain(|&j| j != worst);
    }
    LinearModel {
        mean: mean.map(|v| v as f32),
        scale: scale.map(|v| v as f32),
        weights: weights.map(|v| v as f32),
        intercept: y_mean as f32,
    }
}

/// Solves (ZᵀZ + λI) w = Zᵀ(y − ȳ) over the `active` inputs by Gaussian elimination.
fn ridge(
    x: &[[f64; INPUTS]],
    y: &[f64],
    y_mean: f64,
    mean: &[f64; INPUTS],
    scale: &[f64; INPUTS],
    active: &[usize],
) -> Vec<f64> {
    let k = active.len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (r, &t) in x.iter().zip(y) {
        let z: Vec<f64> = active
            .iter()
            .map(|&j| (r[j] - mean[j]) / scale[j])
            .collect();
        for i in 0..k {
            for j in 0..k {
                a[i][j] += z[i] * z[j];
            }
            a[i][k] += z[i] * (t - y_mean);
        }
    }
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += RIDGE;
    }
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, &p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *v -= f * p;
                }
            }
        }
    }
    (0..k).map(|i| a[i][k] / a[i][i]).collect()
}

fn write_params(model: &LinearModel) {
    let array = |name: &str, v: &[f32; INPUTS]| {
        let items: Vec<String> = v.iter().map(|x| format!("{x:e}")).collect();
        format!("const {name}: [f32; INPUTS] = [{}];\n", items.join(", "))
    };
    let mut out = String::from(
        "// Written by `cargo run --release -p galton-benches --bin quality -- fit`; do not edit.\n\
         // Ridge regression (penalty 10 on standardised inputs, weights restricted to the signs of\n\
         // model::SIGNS) of each FVC2002 DB1-DB4 B image's mean genuine galton score on its\n\
         // quality inputs (320 images).\n",
    );
    out += &array("MEAN", &model.mean);
    out += &array("SCALE", &model.scale);
    out += &array("WEIGHTS", &model.weights);
    let _ = writeln!(out, "const INTERCEPT: f32 = {:e};", model.intercept);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/src/quality/finger/model_params.rs"
    );
    std::fs::write(path, out).unwrap();
    println!("wrote {path}");
}

fn row(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{:.2}%", 100.0 * v))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let refit = std::env::args().nth(1).as_deref() == Some("fit");
    let sets: Vec<Set> = FVC2002_SETS
        .iter()
        .map(|&(name, ppi)| Set::load(name, ppi))
        .collect();
    if refit {
        let model = fit(&sets.iter().collect::<Vec<_>>());
        println!(
            "weights on standardised inputs: {:?}",
            finger::FEATURE_NAMES
                .iter()
                .zip(model.weights)
                .map(|(n, w)| format!("{n} {w:.4}"))
                .collect::<Vec<_>>()
        );
        write_params(&model);
        println!("rebuild and rerun without `fit` for the curves of the new model");
        return;
    }
    println!(
        "FNMR at FMR 1% (all pairs; 280 genuine, 2,880 impostor comparisons per set) as the \
         lowest-quality comparisons are rejected"
    );
    println!();
    println!("| set | matcher | model | 0% | 5% | 10% | 15% | 20% |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut means = vec![vec![0.0; FRACTIONS.len()]; 4];
    for (k, set) in sets.iter().enumerate() {
        let others: Vec<&Set> = sets.iter().filter(|s| s.name != set.name).collect();
        let loso = fit(&others);
        let held_out: Vec<f32> = set.features.iter().map(|f| loso.score(f)).collect();
        for (m, (matcher, scores)) in [("galton", &set.galton), ("Hough", &set.hough)]
            .into_iter()
            .enumerate()
        {
            for (q, (model, quality)) in [("shipped", &set.shipped), ("set left out", &held_out)]
                .into_iter()
                .enumerate()
            {
                let curve = set.erc(scores, quality);
                for (acc, v) in means[2 * m + q].iter_mut().zip(&curve) {
                    *acc += v / sets.len() as f64;
                }
                println!("| {} | {matcher} | {model} | {} |", set.name, row(&curve));
            }
        }
        let _ = k;
    }
    for (i, (matcher, model)) in [
        ("galton", "shipped"),
        ("galton", "set left out"),
        ("Hough", "shipped"),
        ("Hough", "set left out"),
    ]
    .iter()
    .enumerate()
    {
        let m = &means[i];
        println!(
            "| mean | {matcher} | {model} | {} | (at 20%: {:.0}% of the errors left) |",
            row(m),
            100.0 * m[4] / m[0]
        );
    }
    println!();
    for set in &sets {
        let mut scores = set.shipped.clone();
        scores.sort_by(f32::total_cmp);
        println!(
            "{}: quality median {:.0} (min {:.0}, max {:.0}); assess {:.1} ms median per image, one thread",
            set.name,
            scores[scores.len() / 2],
            scores[0],
            scores[scores.len() - 1],
            median(set.assess_ms.clone())
        );
    }
}

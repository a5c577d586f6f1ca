//! Realism of the synthetic fingerprints: minutiae count, ridge period, orientation coherence
//! and foreground area of synthetic impressions side by side with the real FVC2002 B sets,
//! all measured by the same extractor.
//!
//! `cargo run --release -p galton-benches --bin realism [-- --impressions N]`

use galton::fingerprint::{extract_with_maps, Extraction};
use galton::image::FingerprintImage;
use galton::synth::{self, SynthConfig};
use galton_benches::fvc2002_images;

/// Summary statistics of one set of images.
struct Stats {
    name: String,
    images: usize,
    minutiae: Vec<f64>,
    period: Vec<f64>,
    coherence: Vec<f64>,
    area: Vec<f64>,
}

impl Stats {
    fn new(name: &str) -> Self {
        Stats {
            name: name.into(),
            images: 0,
            minutiae: Vec::new(),
            period: Vec::new(),
            coherence: Vec::new(),
            area: Vec::new(),
        }
    }

    /// Adds one extraction: per-image minutiae count, median ridge period (working pixels,
    /// 500 ppi), mean coherence over the foreground, foreground share of the image.
    fn add(&mut self, e: &Extraction) {
        let maps = &e.maps;
        let mut periods = Vec::new();
        let mut coherence = 0.0;
        let mut blocks = 0usize;
        for ((fg, f), c) in maps
            .foreground
            .iter()
            .zip(maps.frequency.iter())
            .zip(maps.coherence.iter())
        {
            if *fg {
                blocks += 1;
                coherence += *c as f64;
                if *f > 0.0 {
                    periods.push(1.0 / *f as f64);
                }
            }
        }
        self.images += 1;
        self.minutiae.push(e.template.minutiae.len() as f64);
        if !periods.is_empty() {
            self.period.push(median(&mut periods));
        }
        if blocks > 0 {
            self.coherence.push(coherence / blocks as f64);
            self.area.push(blocks as f64 / maps.foreground.len() as f64);
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn main() {
    let impressions: u64 = std::env::args()
        .skip_while(|a| a != "--impressions")
        .nth(1)
        .map(|n| n.parse().expect("--impressions takes a number"))
        .unwrap_or(80);
    let mut sets = Vec::new();
    for (db, ppi) in [
        ("DB1_B", 500.0),
        ("DB2_B", 569.0),
        ("DB3_B", 500.0),
        ("DB4_B", 500.0),
    ] {
        let mut stats = Stats::new(&format!("FVC2002 {db}"));
        for path in fvc2002_images(db) {
            let image = FingerprintImage::open(&path, ppi).expect("FVC image decodes");
            match extract_with_maps(&image) {
                Ok(e) => stats.add(&e),
                Err(err) => eprintln!("{}: {err}", path.display()),
            }
        }
        sets.push(stats);
    }
    // Synthetic: impressions of `impressions / 4` fingers, four each, default settings.
    let config = SynthConfig::default();
    let mut stats = Stats::new("galton synth");
    for finger in 0..impressions.div_ceil(4) {
        let seed = synth::finger_seed(7, finger);
        let master = synth::generate_master(seed, &config);
        for k in 0..4 {
            let imp = synth::impression(&master, synth::impression_seed(seed, k), &config);
            let image = FingerprintImage::new(imp.image, config.ppi).expect("synthetic image");
            match extract_with_maps(&image) {
                Ok(e) => stats.add(&e),
                Err(err) => eprintln!("synthetic finger {finger} impression {k}: {err}"),
            }
        }
    }
    sets.push(stats);

    println!("| set | images | minutiae (mean ± sd) | ridge period px @500 ppi (mean ± sd) | coherence (mean ± sd) | foreground share |");
    println!("|---|---|---|---|---|---|");
    for s in &sets {
        let (m, msd) = mean_sd(&s.minutiae);
        let (p, psd) = mean_sd(&s.period);
        let (c, csd) = mean_sd(&s.coherence);
        let (a, _) = mean_sd(&s.area);
        println!(
            "| {} | {} | {m:.1} ± {msd:.1} | {p:.2} ± {psd:.2} | {c:.3} ± {csd:.3} | {a:.2} |",
            s.name, s.images
        );
    }
}

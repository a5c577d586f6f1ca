//! Extraction accuracy against the synthetic generator's ground truth.
//!
//! 144 impressions of 36 synthetic fingers (two good, one dry, one wet per finger): each is
//! extracted and its minutiae paired with the true ones (found when within 12 px and 30°).
//! Print the table with
//! `cargo test --release -p galton --test synth_extraction -- --nocapture`.

use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::metrics::{compare_minutiae, MinutiaTolerance, MinutiaeAccuracy};
use galton::synth::{
    finger_seed, generate_master, impression::render, impression_seed, Condition, ImpressionParams,
    SynthConfig,
};
use rayon::prelude::*;

const FINGERS: u64 = 36;
const SEED: u64 = 20_260_422;
const CONDITIONS: [Condition; 4] = [
    Condition::Good,
    Condition::Good,
    Condition::Dry,
    Condition::Wet,
];

#[test]
fn extraction_finds_the_true_minutiae_of_synthetic_impressions() {
    let config = SynthConfig::default();
    let results: Vec<(Condition, MinutiaeAccuracy)> = (0..FINGERS)
        .into_par_iter()
        .flat_map_iter(|finger| {
            let seed = finger_seed(SEED, finger);
            let master = generate_master(seed, &config);
            CONDITIONS
                .iter()
                .enumerate()
                .map(|(i, &condition)| {
                    let mut params = ImpressionParams::sample(
                        impression_seed(seed, i as u64),
                        &master.params,
                        &config,
                    );
                    params.condition = condition;
                    let imp = render(&master, params, &config);
                    let image = FingerprintImage::new(imp.image, config.ppi).unwrap();
                    let template = fingerprint::extract(&image)
                        .unwrap_or_else(|e| panic!("finger {finger} impression {i}: {e}"));
                    let acc = compare_minutiae(
                        &imp.minutiae,
                        &template.minutiae,
                        MinutiaTolerance::default(),
                    );
                    (condition, acc)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(results.len(), FINGERS as usize * CONDITIONS.len());

    let total = |c: Condition| {
        let mut acc = MinutiaeAccuracy::default();
        let mut n = 0;
        for (_, a) in results.iter().filter(|(k, _)| *k == c) {
            acc += *a;
            n += 1;
        }
        (n, acc)
    };
    println!("condition  impressions  true  found  spurious  precision  recall  kind-agrees");
    let mut table = Vec::new();
    for c in [Condition::Good, Condition::Dry, Condition::Wet] {
        let (n, acc) = total(c);
        println!(
            "{:<10} {:>11} {:>5} {:>6} {:>9} {:>10.3} {:>7.3} {:>12.3}",
            format!("{c:?}").to_lowercase(),
            n,
            acc.found + acc.missed,
            acc.found,
            acc.spurious,
            acc.precision(),
            acc.recall(),
            acc.kind_accuracy()
        );
        table.push((c, acc));
    }
    // The goal for good-quality impressions: precision and recall at least 0.85.
    let good = table[0].1;
    assert!(
        good.precision() >= 0.85,
        "good precision {:.3}",
        good.precision()
    );
    assert!(good.recall() >= 0.85, "good recall {:.3}", good.recall());
    // Dry and wet skin are harder; these floors guard against regressions.
    for (c, acc) in &table[1..] {
        assert!(
            acc.precision() >= 0.75,
            "{c:?} precision {:.3}",
            acc.precision()
        );
        assert!(acc.recall() >= 0.70, "{c:?} recall {:.3}", acc.recall());
    }
}

//! The matcher on real prints: FVC2002 DB1_B under the FVC protocol, self-matches, and the
//! explanation of a genuine comparison.

mod common;

use galton::evaluation::{self, ErrorRates, Protocol};
use galton::fingerprint;
use galton::image::FingerprintImage;
use galton::matcher::{thresholds, Matcher, PreparedTemplate};
use galton::Template;
use rayon::prelude::*;

fn db1() -> (Vec<(u32, u32)>, Vec<Template>) {
    let paths = common::fvc2002_images("DB1_B");
    let names = paths
        .iter()
        .map(|p| evaluation::parse_fvc_name(p.file_stem().unwrap().to_str().unwrap()).unwrap())
        .collect();
    let templates = paths
        .par_iter()
        .map(|p| fingerprint::extract(&FingerprintImage::open(p, 500.0).unwrap()).unwrap())
        .collect();
    (names, templates)
}

#[test]
fn db1_error_rates_meet_the_goal() {
    let (names, templates) = db1();
    let prepared: Vec<PreparedTemplate> = templates.iter().map(PreparedTemplate::new).collect();
    let mut matcher = Matcher::new();
    let mut rates = Vec::new();
    for protocol in [Protocol::Fvc, Protocol::AllPairs] {
        let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
        for pair in evaluation::pairs(protocol, &names).unwrap() {
            let score = matcher.score(&prepared[pair.probe], &prepared[pair.gallery]);
            if pair.genuine {
                &mut genuine
            } else {
                &mut impostor
            }
            .push(score);
        }
        rates.push(ErrorRates::compute(&genuine, &impostor).unwrap());
    }
    let (fvc, all) = (&rates[0], &rates[1]);
    assert_eq!((fvc.genuine, fvc.impostor), (280, 45));
    assert_eq!((all.genuine, all.impostor), (280, 2880));
    assert!(fvc.eer < 0.015, "FVC protocol EER {:.2}%", 100.0 * fvc.eer);
    assert!(all.eer < 0.025, "all-pairs EER {:.2}%", 100.0 * all.eer);
    assert!(
        all.fnmr_at_fmr_1_percent < 0.04,
        "FMR100 {:.2}%",
        100.0 * all.fnmr_at_fmr_1_percent
    );
}

#[test]
fn every_print_matches_itself_above_the_strictest_threshold() {
    let (_, templates) = db1();
    let mut matcher = Matcher::new();
    for (i, t) in templates.iter().enumerate() {
        let p = PreparedTemplate::new(t);
        let score = matcher.score(&p, &p);
        assert!(
            score >= thresholds::FMR_0_01_PERCENT,
            "print {i}: self score {score}"
        );
    }
}

#[test]
fn genuine_explanation_pairs_agree_with_its_alignment() {
    // 101_1 against 101_2: the same finger, moved and slightly turned.
    let (_, templates) = db1();
    let (a, b) = (&templates[0], &templates[1]);
    let mut matcher = Matcher::new();
    let explanation = matcher.explain(&PreparedTemplate::new(a), &PreparedTemplate::new(b));
    assert!(
        explanation.score >= thresholds::FMR_0_1_PERCENT,
        "score {}",
        explanation.score
    );
    assert!(explanation.pairs.len() >= 4);
    let mut close = 0;
    for pair in &explanation.pairs {
        let m = &a.minutiae[pair.probe];
        let (x, y) = explanation.alignment.apply(m.x, m.y);
        let q = &b.minutiae[pair.candidate];
        if (x - q.x).hypot(y - q.y) < 20.0 {
            close += 1;
        }
    }
    // Skin stretches, so a rigid alignment leaves some residual; most pairs stay close.
    assert!(
        close * 4 >= explanation.pairs.len() * 3,
        "{close} of {} pairs within 20 px",
        explanation.pairs.len()
    );
    // Impostor: 101_1 against 102_1 stays below the loosest threshold.
    let impostor = matcher.score(
        &PreparedTemplate::new(a),
        &PreparedTemplate::new(&templates[8]),
    );
    assert!(
        impostor < thresholds::FMR_1_PERCENT,
        "impostor score {impostor}"
    );
}

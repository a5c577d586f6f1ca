//! Properties of the matcher on generated templates: symmetry, invariance to rotation (within
//! the ±60° the matcher tolerates) and translation, with the alignment recovered, agreement
//! of the SIMD kernels with the portable one, and defined scores for degenerate input.

use std::f32::consts::TAU;

use galton::matcher::{thresholds, Kernel, Matcher, PreparedTemplate, MAX_MINUTIAE};
use galton::template::{Minutia, MinutiaKind, Template};
use proptest::prelude::*;

fn template(minutiae: Vec<Minutia>) -> Template {
    Template {
        width: 1000,
        height: 1000,
        ppi: 500.0,
        finger: None,
        quality: None,
        minutiae,
    }
}

fn minutia(x: f32, y: f32, direction: f32) -> Minutia {
    Minutia {
        x,
        y,
        direction,
        kind: MinutiaKind::Ending,
        quality: 60,
    }
}

/// Any minutiae at all, possibly on top of each other.
fn any_minutiae(max: usize) -> impl Strategy<Value = Vec<Minutia>> {
    prop::collection::vec((0f32..400.0, 0f32..400.0, 0f32..TAU), 0..max)
        .prop_map(|v| v.into_iter().map(|(x, y, d)| minutia(x, y, d)).collect())
}

/// Fingerprint-like minutiae: at most one per 24-pixel cell of a 288×288 square centred on
/// (500, 500), so no two are closer than a ridge or two.
fn print_like() -> impl Strategy<Value = Vec<Minutia>> {
    prop::collection::btree_set(0usize..144, 25..60).prop_flat_map(|cells| {
        let n = cells.len();
        (
            Just(cells),
            prop::collection::vec((2f32..22.0, 2f32..22.0, 0f32..TAU), n),
        )
            .prop_map(|(cells, jitter)| {
                cells
                    .into_iter()
                    .zip(jitter)
                    .map(|(c, (jx, jy, d))| {
                        minutia(
                            356.0 + (c % 12) as f32 * 24.0 + jx,
                            356.0 + (c / 12) as f32 * 24.0 + jy,
                            d,
                        )
                    })
                    .collect()
            })
    })
}

/// Turns minutiae by `r` (counter-clockwise as seen) about (500, 500) and moves them.
fn moved(minutiae: &[Minutia], r: f32, dx: f32, dy: f32) -> Vec<Minutia> {
    let (s, c) = r.sin_cos();
    minutiae
        .iter()
        .map(|m| {
            let (x, y) = (m.x - 500.0, m.y - 500.0);
            minutia(
                500.0 + x * c + y * s + dx,
                500.0 - x * s + y * c + dy,
                (m.direction + r).rem_euclid(TAU),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn score_is_symmetric_and_bounded(a in any_minutiae(90), b in any_minutiae(90)) {
        let (a, b) = (PreparedTemplate::new(&template(a)), PreparedTemplate::new(&template(b)));
        let mut matcher = Matcher::new();
        let ab = matcher.score(&a, &b);
        let ba = matcher.score(&b, &a);
        prop_assert!((0.0..=1.0).contains(&ab), "score {ab}");
        prop_assert_eq!(ab, ba);
    }

    #[test]
    fn rotated_and_moved_copy_matches_with_its_alignment(
        minutiae in print_like(),
        // The matcher compares minutiae whose directions differ by at most 60° (a finger
        // placed on a scanner turns less than that).
        r in -0.95f32..0.95,
        dx in -120f32..120.0,
        dy in -120f32..120.0,
    ) {
        let original = template(minutiae.clone());
        let copy = template(moved(&minutiae, r, dx, dy));
        let mut matcher = Matcher::new();
        let explanation = matcher.explain(&PreparedTemplate::new(&original), &PreparedTemplate::new(&copy));
        prop_assert!(
            explanation.score >= thresholds::FMR_0_01_PERCENT,
            "score {} below the 0.01% threshold {}", explanation.score, thresholds::FMR_0_01_PERCENT
        );
        // Every pair is a minutia and its own copy, and the alignment maps one onto the other.
        prop_assert!(explanation.pairs.len() >= 4);
        for pair in &explanation.pairs {
            prop_assert_eq!(pair.probe, pair.candidate);
            let m = &original.minutiae[pair.probe];
            let (x, y) = explanation.alignment.apply(m.x, m.y);
            let q = &copy.minutiae[pair.candidate];
            prop_assert!((x - q.x).hypot(y - q.y) < 2.0, "aligned {x},{y} vs {},{}", q.x, q.y);
        }
        let turn = (explanation.alignment.rotation - r).rem_euclid(TAU);
        // (alignment.rotation is in [0, 2π); r may be negative)
        prop_assert!(turn.min(TAU - turn) < 0.02, "rotation {} vs {r}", explanation.alignment.rotation);
    }

    #[test]
    fn kernels_agree(a in print_like(), b in print_like(), r in 0f32..TAU) {
        let a = PreparedTemplate::new(&template(a));
        let b = PreparedTemplate::new(&template(moved(&b, r, 10.0, -20.0)));
        let portable = Matcher::with_kernel(Kernel::Portable).score(&a, &b);
        for kernel in [Kernel::Avx2, Kernel::Avx512] {
            let mut matcher = Matcher::with_kernel(kernel);
            prop_assert_eq!(matcher.score(&a, &b), portable, "{:?}", matcher.kernel());
        }
    }
}

#[test]
fn empty_and_tiny_templates_score_zero() {
    let mut matcher = Matcher::new();
    let empty = PreparedTemplate::new(&template(vec![]));
    let two = PreparedTemplate::new(&template(vec![
        minutia(100.0, 100.0, 1.0),
        minutia(120.0, 100.0, 2.0),
    ]));
    assert!(empty.is_empty());
    assert!(two.is_empty(), "two minutiae cannot describe each other");
    assert_eq!(matcher.score(&empty, &empty), 0.0);
    assert_eq!(matcher.score(&empty, &two), 0.0);
    assert_eq!(matcher.score(&two, &two), 0.0);
}

#[test]
fn huge_and_non_finite_templates_are_handled() {
    // 2,000 minutiae on a grid, some with NaN or infinite values.
    let mut minutiae: Vec<Minutia> = (0..2000)
        .map(|i| {
            minutia(
                (i % 50) as f32 * 9.0,
                (i / 50) as f32 * 9.0,
                (i as f32 * 0.37) % TAU,
            )
        })
        .collect();
    minutiae[3].x = f32::NAN;
    minutiae[7].direction = f32::INFINITY;
    let huge = template(minutiae);
    let prepared = PreparedTemplate::new(&huge);
    assert!(prepared.len() <= MAX_MINUTIAE);
    let mut matcher = Matcher::new();
    let score = matcher.score(&prepared, &prepared);
    assert!(score.is_finite() && (0.0..=1.0).contains(&score));
    let explanation = matcher.explain(&prepared, &prepared);
    assert!(explanation
        .pairs
        .iter()
        .all(|p| p.probe != 3 && p.probe != 7));
}

#[test]
fn resolution_is_normalised() {
    // The same minutiae scanned at 569 ppi sit 1.138 times further apart in pixels.
    let minutiae: Vec<Minutia> = (0..40)
        .map(|i| {
            minutia(
                380.0 + (i % 7) as f32 * 31.0,
                380.0 + (i / 7) as f32 * 29.0,
                (i as f32 * 1.3) % TAU,
            )
        })
        .collect();
    let at_500 = template(minutiae.clone());
    let mut at_569 = template(
        minutiae
            .iter()
            .map(|m| minutia(m.x * 569.0 / 500.0, m.y * 569.0 / 500.0, m.direction))
            .collect(),
    );
    at_569.ppi = 569.0;
    let mut matcher = Matcher::new();
    let (a, b) = (
        PreparedTemplate::new(&at_500),
        PreparedTemplate::new(&at_569),
    );
    let self_score = matcher.score(&a, &a);
    let cross = matcher.score(&a, &b);
    assert!(
        (cross - self_score).abs() < 0.05,
        "{cross} vs self {self_score}"
    );
    let explanation = matcher.explain(&a, &b);
    assert!((explanation.alignment.scale - 569.0 / 500.0).abs() < 1e-3);
}

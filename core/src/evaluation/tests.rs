use super::*;

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn eer_where_the_curves_meet_at_a_threshold() {
    // At 0.35: FNMR = 1/4 (0.3 rejected), FMR = 1/4 (0.35 accepted).
    let rates = ErrorRates::compute(&[0.9, 0.8, 0.7, 0.3], &[0.1, 0.2, 0.35, 0.05]).unwrap();
    assert_eq!((rates.genuine, rates.impostor), (4, 4));
    assert_close(rates.eer, 0.25);
    assert_close(rates.eer_low, 0.25);
    assert_close(rates.eer_high, 0.25);
    assert_eq!(rates.eer_threshold, 0.35);
}

#[test]
fn eer_interval_read_at_t1() {
    // t      0.1  0.2  0.3  0.4  0.5  0.6  0.7  0.8  0.9  above
    // FNMR   0    0    0    1/4  1/4  2/4  2/4  3/4  3/4  1
    // FMR    5/5  4/5  3/5  3/5  2/5  2/5  1/5  1/5  0    0
    // t1 = 0.5 (FNMR .25 <= FMR .4), t2 = 0.6 (.5 >= .4); sums .65 <= .9, so the interval
    // is [FNMR(t1), FMR(t1)] = [.25, .4].
    let genuine = [0.3, 0.5, 0.7, 0.9];
    let impostor = [0.1, 0.2, 0.4, 0.6, 0.8];
    let rates = ErrorRates::compute(&genuine, &impostor).unwrap();
    assert_close(rates.eer_low, 0.25);
    assert_close(rates.eer_high, 0.4);
    assert_close(rates.eer, 0.325);
    assert_eq!(rates.eer_threshold, 0.5);
    // Only above 0.8 is there no false match; FNMR is 3/4 there.
    for (fnmr, threshold) in [
        (rates.fnmr_at_fmr_1_percent, rates.fmr_1_percent_threshold),
        (
            rates.fnmr_at_fmr_0_1_percent,
            rates.fmr_0_1_percent_threshold,
        ),
        (rates.zero_fmr, rates.zero_fmr_threshold),
    ] {
        assert_close(fnmr, 0.75);
        assert_eq!(threshold, 0.9);
    }
}

#[test]
fn eer_interval_read_at_t2() {
    // t      0.1  0.2  0.3  0.4  0.5  0.6  0.7  0.8  0.9  above
    // FNMR   0    0    1/5  1/5  2/5  2/5  3/5  3/5  4/5  1
    // FMR    4/4  3/4  3/4  2/4  2/4  1/4  1/4  0    0    0
    // t1 = 0.5 (sum .9), t2 = 0.6 (sum .65): the interval is [FMR(t2), FNMR(t2)] = [.25, .4].
    let genuine = [0.2, 0.4, 0.6, 0.8, 0.9];
    let impostor = [0.1, 0.3, 0.5, 0.7];
    let rates = ErrorRates::compute(&genuine, &impostor).unwrap();
    assert_close(rates.eer_low, 0.25);
    assert_close(rates.eer_high, 0.4);
    assert_close(rates.eer, 0.325);
    assert_eq!(rates.eer_threshold, 0.6);
    assert_close(rates.zero_fmr, 0.6);
    assert_eq!(rates.zero_fmr_threshold, 0.8);
}

#[test]
fn fmr100_fmr1000_and_zero_fmr_differ_with_enough_impostors() {
    // 2000 impostors k/2000: FMR <= 1% allows 20 of them (threshold 1980/2000 = 0.99),
    // FMR <= 0.1% allows 2 (0.999), FMR = 0 none (above 0.9995: the genuine 1.0).
    let impostor: Vec<f32> = (0..2000).map(|k| k as f32 / 2000.0).collect();
    let genuine = [0.2, 0.995, 0.9992, 1.0];
    let rates = ErrorRates::compute(&genuine, &impostor).unwrap();
    assert_eq!(rates.fmr_1_percent_threshold, 0.99);
    assert_close(rates.fnmr_at_fmr_1_percent, 0.25);
    assert_eq!(rates.fmr_0_1_percent_threshold, 0.999);
    assert_close(rates.fnmr_at_fmr_0_1_percent, 0.5);
    assert_eq!(rates.zero_fmr_threshold, 1.0);
    assert_close(rates.zero_fmr, 0.75);
    // The calibration helper agrees where no genuine score lies below the impostor's.
    assert_eq!(threshold_at_fmr(&impostor, 0.01).unwrap(), 0.99);
    assert_eq!(threshold_at_fmr(&impostor, 0.001).unwrap(), 0.999);
}

#[test]
fn perfect_separation_and_total_overlap() {
    let rates = ErrorRates::compute(&[0.8, 0.9], &[0.1, 0.2, 0.3]).unwrap();
    assert_close(rates.eer, 0.0);
    assert_close(rates.zero_fmr, 0.0);
    assert_eq!(rates.zero_fmr_threshold, 0.8);

    // Every score equal: accept everything (FMR 1) or reject everything (FNMR 1).
    let rates = ErrorRates::compute(&[0.5; 3], &[0.5; 3]).unwrap();
    assert_close(rates.eer, 0.5);
    assert_close(rates.zero_fmr, 1.0);
    assert!(rates.zero_fmr_threshold > 0.5);
}

#[test]
fn failures_passed_as_zero_genuine_scores_are_rejections() {
    let rates = ErrorRates::compute(&[0.0, 0.9, 0.9, 0.9], &[0.1, 0.2]).unwrap();
    assert_close(rates.zero_fmr, 0.25);
}

#[test]
fn empty_or_nan_scores_are_refused() {
    for (g, i) in [
        (&[][..], &[0.5][..]),
        (&[0.5][..], &[][..]),
        (&[0.5, f32::NAN][..], &[0.1][..]),
        (&[0.5][..], &[f32::NAN][..]),
    ] {
        assert!(matches!(
            ErrorRates::compute(g, i),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(det_curve(g, i), Err(Error::InvalidArgument(_))));
    }
    assert!(threshold_at_fmr(&[], 0.01).is_err());
    assert!(threshold_at_fmr(&[f32::NAN], 0.01).is_err());
    assert!(threshold_at_fmr(&[0.5], -0.1).is_err());
    assert!(threshold_at_fmr(&[0.5], f64::NAN).is_err());
}

#[test]
fn det_curve_has_one_point_per_distinct_score() {
    let curve = det_curve(&[0.3, 0.5, 0.5, 0.9], &[0.1, 0.5, 0.3]).unwrap();
    let expected = [
        (0.1, 1.0, 0.0),
        (0.3, 2.0 / 3.0, 0.0),
        (0.5, 1.0 / 3.0, 0.25),
        (0.9, 0.0, 0.75),
    ];
    assert_eq!(curve.len(), expected.len());
    for (p, (t, fmr, fnmr)) in curve.iter().zip(expected) {
        assert_eq!(p.threshold, t);
        assert_close(p.fmr, fmr);
        assert_close(p.fnmr, fnmr);
    }
}

#[test]
fn threshold_at_fmr_is_the_lowest_impostor_score_within_target() {
    let impostor = [0.4, 0.1, 0.3, 0.2];
    assert_eq!(threshold_at_fmr(&impostor, 1.0).unwrap(), 0.1);
    assert_eq!(threshold_at_fmr(&impostor, 0.5).unwrap(), 0.3);
    assert_eq!(threshold_at_fmr(&impostor, 0.3).unwrap(), 0.4);
    assert_eq!(threshold_at_fmr(&impostor, 0.25).unwrap(), 0.4);
    assert_eq!(threshold_at_fmr(&impostor, 0.0).unwrap(), 0.4f32.next_up());
    // Ties move together: 0.5 would let two of four through.
    let tied = [0.5, 0.5, 0.1, 0.2];
    assert_eq!(threshold_at_fmr(&tied, 0.25).unwrap(), 0.5f32.next_up());
    assert_eq!(threshold_at_fmr(&tied, 0.5).unwrap(), 0.5);
}

#[test]
fn fvc_names() {
    assert_eq!(parse_fvc_name("101_1"), Some((101, 1)));
    assert_eq!(parse_fvc_name("7_12"), Some((7, 12)));
    for bad in ["101", "101_", "_1", "101_1_2", "a_1", "101_+1", "101-1", ""] {
        assert_eq!(parse_fvc_name(bad), None, "{bad}");
    }
}

fn fvc_set() -> Vec<(u32, u32)> {
    (101..=110)
        .flat_map(|f| (1..=8).map(move |i| (f, i)))
        .collect()
}

fn counts(pairs: &[Pair]) -> (usize, usize) {
    let genuine = pairs.iter().filter(|p| p.genuine).count();
    (genuine, pairs.len() - genuine)
}

#[test]
fn fvc_protocol_counts_280_genuine_and_45_impostor() {
    let mut samples = fvc_set();
    samples.reverse();
    let pairs = pairs(Protocol::Fvc, &samples).unwrap();
    assert_eq!(counts(&pairs), (280, 45));
    for p in &pairs {
        assert!(p.probe < p.gallery);
        let (a, b) = (samples[p.probe], samples[p.gallery]);
        assert_eq!(p.genuine, a.0 == b.0);
        if !p.genuine {
            assert_eq!((a.1, b.1), (1, 1));
        }
    }
}

#[test]
fn all_pairs_counts_280_genuine_and_2880_impostor() {
    let pairs = pairs(Protocol::AllPairs, &fvc_set()).unwrap();
    assert_eq!(counts(&pairs), (280, 2880));
}

#[test]
fn fvc_first_impression_is_the_lowest_present() {
    let samples = [(1, 2), (1, 3), (2, 5), (2, 4)];
    let pairs = pairs(Protocol::Fvc, &samples).unwrap();
    let impostor: Vec<_> = pairs.iter().filter(|p| !p.genuine).collect();
    assert_eq!(impostor.len(), 1);
    assert_eq!((impostor[0].probe, impostor[0].gallery), (0, 3));
}

#[test]
fn duplicate_samples_are_refused() {
    assert!(matches!(
        pairs(Protocol::Fvc, &[(1, 1), (1, 1)]),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn protocol_names_round_trip() {
    for p in [Protocol::Fvc, Protocol::AllPairs] {
        assert_eq!(p.name().parse::<Protocol>().unwrap(), p);
    }
    assert!("pairs".parse::<Protocol>().is_err());
}

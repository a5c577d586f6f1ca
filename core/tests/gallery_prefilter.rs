//! The candidate prefilter must not lose true matches: on synthetic templates-only fingers,
//! probes whose mate the full matcher ranks first over the whole gallery (and scores at or
//! above the FMR 0.1% threshold) should have that mate in the prefilter's shortlist.
//!
//! Measured with the default settings: 2 of 2,000 such probes are lost (mates scoring 0.062
//! and 0.041). The goal is none; until the prefilter gets there this test bounds the loss at
//! 0.25% so that a regression shows.

use galton::gallery::prefilter::{FingerPrefilter, PrefilterConfig, PrefilterScratch};
use galton::matcher::{thresholds, Matcher, PreparedTemplate};
use galton::synth::templates::templates_only;
use galton::synth::SynthConfig;

const FINGERS: u64 = 2000;

/// Shortlist size: 1% of the gallery, at least 100.
fn limit(gallery: usize) -> usize {
    (gallery / 100).max(100)
}

#[test]
fn shortlist_keeps_every_match_the_full_matcher_finds() {
    let fingers = templates_only(11, 0..FINGERS, 2, &SynthConfig::default());
    let prepare = |i: usize| -> Vec<PreparedTemplate> {
        fingers
            .iter()
            .map(|f| PreparedTemplate::new(&f.impressions[i]))
            .collect()
    };
    let (gallery, probes) = (prepare(0), prepare(1));
    let mut prefilter = FingerPrefilter::new(PrefilterConfig::default());
    for (key, template) in gallery.iter().enumerate() {
        prefilter.insert(key as u32, template);
    }
    assert_eq!(prefilter.len(), gallery.len());
    let limit = limit(gallery.len());
    let mut scratch = PrefilterScratch::new();
    let mut matcher = Matcher::new();
    let (mut in_shortlist, mut lost) = (0, Vec::new());
    for (mate, probe) in probes.iter().enumerate() {
        let shortlist = prefilter.candidates_with(&mut scratch, probe, limit);
        assert!(shortlist.len() <= limit);
        assert!(shortlist.windows(2).all(|w| w[0].votes >= w[1].votes));
        if shortlist.iter().any(|c| c.key == mate as u32) {
            in_shortlist += 1;
            continue;
        }
        // Lost: acceptable only if the full matcher would not have found the mate either.
        let score = matcher.score(probe, &gallery[mate]);
        if score < thresholds::FMR_0_1_PERCENT {
            continue;
        }
        let beaten = gallery
            .iter()
            .enumerate()
            .any(|(j, g)| j != mate && matcher.score(probe, g) >= score);
        if !beaten {
            lost.push((mate, score));
        }
    }
    eprintln!(
        "mate in the top {limit} of {} for {in_shortlist} probes",
        gallery.len()
    );
    assert!(
        lost.len() * 400 <= probes.len(),
        "the prefilter lost {} full-matcher rank-1 matches: {lost:?}",
        lost.len()
    );
    assert!(in_shortlist as f64 >= 0.99 * probes.len() as f64);
}

//! Decision thresholds on [`super::Matcher::score`]: a score at or above `FMR_x` is declared a
//! match, and different fingers reach it with a probability of about x.
//!
//! Calibrated on impostor scores: every comparison of two different fingers within each of the
//! four FVC2002 B sets (4 × 2,880 = 11,520 pairs, galton's own extractor), taking for each
//! target the lowest threshold whose false match rate on those pairs is at most the target
//! ([`crate::evaluation::threshold_at_fmr`]). Reproduce with
//! `cargo run --release -p galton-benches --bin accuracy`, which prints them last.
//!
//! With 11,520 impostor pairs, 1% rests on 115 scores and 0.1% on 11, but 0.01% rests on the
//! single highest one: treat it as an estimate until a larger impostor set is measured. Scores
//! of templates made by other extractors, or of other sensors, may be distributed differently;
//! calibrate on your own data with `galton eval --protocol all-pairs` where it matters.

/// Threshold for a false match rate of 1%.
pub const FMR_1_PERCENT: f32 = 0.0271;
/// Threshold for a false match rate of 0.1%.
pub const FMR_0_1_PERCENT: f32 = 0.0388;
/// Threshold for a false match rate of 0.01%.
pub const FMR_0_01_PERCENT: f32 = 0.0509;

/// A named operating point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Target false match rate, as a fraction (0.01 = 1%).
    pub fmr: f64,
    /// Minimum score for a match.
    pub score: f32,
}

/// The calibrated operating points, loosest first.
pub const ALL: [Threshold; 3] = [
    Threshold {
        fmr: 0.01,
        score: FMR_1_PERCENT,
    },
    Threshold {
        fmr: 0.001,
        score: FMR_0_1_PERCENT,
    },
    Threshold {
        fmr: 0.0001,
        score: FMR_0_01_PERCENT,
    },
];

//! Decision thresholds on [`super::Matcher::score`], calibrated on impostor score
//! distributions: a score at or above `FMR_x` is a match at a false match rate of about x.
//!
//! Derived with `cargo run --release -p galton-cli -- eval <set> --protocol all-pairs` on the
//! four FVC2002 B sets (see the README's accuracy section).

/// Threshold for a false match rate of 1%.
pub const FMR_1_PERCENT: f32 = 0.5;
/// Threshold for a false match rate of 0.1%.
pub const FMR_0_1_PERCENT: f32 = 0.6;
/// Threshold for a false match rate of 0.01%.
pub const FMR_0_01_PERCENT: f32 = 0.7;

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

//! Verification accuracy: error rates from genuine and impostor scores, DET curves, and the
//! comparison protocols of the Fingerprint Verification Competitions (FVC).
//!
//! Scores are similarities ([`crate::matcher::Matcher::score`]); throughout, **a score at or
//! above the threshold is a match**. At threshold `t`:
//!
//! - FMR(t), the false match rate, is the share of impostor scores `>= t`;
//! - FNMR(t), the false non-match rate, is the share of genuine scores `< t`.
//!
//! A comparison that could not be made (a failure to enrol or to extract) must still be
//! counted: pass it as a **genuine score of 0**, as FVC counts such failures as rejections of
//! genuine pairs. Nothing here does I/O.
//!
//! ```
//! use galton::evaluation::ErrorRates;
//!
//! # fn main() -> Result<(), galton::Error> {
//! let genuine = [0.9, 0.8, 0.7, 0.3];
//! let impostor = [0.1, 0.2, 0.35, 0.05];
//! let rates = ErrorRates::compute(&genuine, &impostor)?;
//! assert_eq!(rates.eer, 0.25);
//! # Ok(())
//! # }
//! ```

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Error rates of a verification test, as FVC reports them. Rates are fractions in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorRates {
    /// Number of genuine comparisons.
    pub genuine: usize,
    /// Number of impostor comparisons.
    pub impostor: usize,
    /// Equal error rate, FVC definition: the midpoint of [`ErrorRates::eer_low`] and
    /// [`ErrorRates::eer_high`].
    pub eer: f64,
    /// Lower end of the FVC interval that holds the EER.
    pub eer_low: f64,
    /// Upper end of the FVC interval that holds the EER.
    pub eer_high: f64,
    /// The threshold (`t1` or `t2` of the FVC definition) the EER interval was read at.
    pub eer_threshold: f32,
    /// FMR100: the lowest FNMR with FMR `<= 1%`.
    pub fnmr_at_fmr_1_percent: f64,
    /// The lowest threshold that reaches FMR `<= 1%`.
    pub fmr_1_percent_threshold: f32,
    /// FMR1000: the lowest FNMR with FMR `<= 0.1%`.
    pub fnmr_at_fmr_0_1_percent: f64,
    /// The lowest threshold that reaches FMR `<= 0.1%`.
    pub fmr_0_1_percent_threshold: f32,
    /// ZeroFMR: the lowest FNMR with FMR `= 0`.
    pub zero_fmr: f64,
    /// The lowest threshold with no false match.
    pub zero_fmr_threshold: f32,
}

/// One point of a DET curve: the error rates at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DetPoint {
    /// The score threshold (a score `>= threshold` is a match).
    pub threshold: f32,
    /// False match rate at this threshold.
    pub fmr: f64,
    /// False non-match rate at this threshold.
    pub fnmr: f64,
}

/// Scores sorted ascending, with the rates at any threshold by binary search.
struct Sorted {
    genuine: Vec<f32>,
    impostor: Vec<f32>,
}

impl Sorted {
    fn new(genuine: &[f32], impostor: &[f32]) -> Result<Self> {
        Ok(Sorted {
            genuine: sorted("genuine", genuine)?,
            impostor: sorted("impostor", impostor)?,
        })
    }

    fn fmr(&self, t: f32) -> f64 {
        let above = self.impostor.len() - self.impostor.partition_point(|&s| s < t);
        above as f64 / self.impostor.len() as f64
    }

    fn fnmr(&self, t: f32) -> f64 {
        self.genuine.partition_point(|&s| s < t) as f64 / self.genuine.len() as f64
    }

    fn point(&self, threshold: f32) -> DetPoint {
        DetPoint {
            threshold,
            fmr: self.fmr(threshold),
            fnmr: self.fnmr(threshold),
        }
    }

    /// Every distinct score, ascending.
    fn distinct_scores(&self) -> Vec<f32> {
        let mut all: Vec<f32> = self.genuine.iter().chain(&self.impostor).copied().collect();
        all.sort_by(f32::total_cmp);
        all.dedup();
        all
    }

    /// The thresholds the rates are read at: every distinct score, then one just above the
    /// highest (which rejects everything), so that FMR = 0 is always reachable.
    fn thresholds(&self) -> Vec<f32> {
        let mut thresholds = self.distinct_scores();
        let top = *thresholds.last().expect("inputs are not empty");
        thresholds.push(top.next_up());
        thresholds
    }
}

/// A copy sorted ascending; refuses an empty list and NaN.
fn sorted(what: &str, scores: &[f32]) -> Result<Vec<f32>> {
    if scores.is_empty() {
        return Err(Error::InvalidArgument(format!("no {what} scores")));
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(Error::InvalidArgument(format!("{what} score {i} is NaN")));
    }
    let mut sorted = scores.to_vec();
    sorted.sort_by(f32::total_cmp);
    Ok(sorted)
}

impl ErrorRates {
    /// Computes the FVC indicators from genuine and impostor scores (pass failures to compare
    /// as genuine scores of 0, see the [module documentation](self)).
    ///
    /// The rates are read at every distinct score and just above the highest one.
    ///
    /// **EER** follows Maio et al., "FVC2000: Fingerprint Verification Competition" (2002):
    /// with `t1` the highest threshold where FNMR `<=` FMR and `t2` the lowest where
    /// FNMR `>=` FMR, the EER lies in `[FNMR(t1), FMR(t1)]` if
    /// `FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2)`, otherwise in `[FMR(t2), FNMR(t2)]`, and is
    /// reported as the midpoint of that interval. Where the curves meet at a threshold, the
    /// interval is that single value.
    ///
    /// **FMR100**, **FMR1000**, **ZeroFMR**: the FNMR at the lowest threshold where FMR is at
    /// most 1%, 0.1% and 0 (FNMR only grows with the threshold, so this is the lowest FNMR
    /// at such an FMR).
    ///
    /// Errors with [`Error::InvalidArgument`] when either list is empty or holds a NaN.
    pub fn compute(genuine: &[f32], impostor: &[f32]) -> Result<ErrorRates> {
        let sorted = Sorted::new(genuine, impostor)?;
        let points: Vec<DetPoint> = sorted
            .thresholds()
            .into_iter()
            .map(|t| sorted.point(t))
            .collect();
        // The first threshold accepts everything (FNMR 0) and the last rejects everything
        // (FMR 0), so both t1 and t2 exist.
        let t1 = points
            .iter()
            .rev()
            .find(|p| p.fnmr <= p.fmr)
            .expect("FNMR is 0 at the lowest score");
        let t2 = points
            .iter()
            .find(|p| p.fnmr >= p.fmr)
            .expect("FMR is 0 above the highest score");
        let (eer_low, eer_high, eer_threshold) = if t1.fnmr + t1.fmr <= t2.fmr + t2.fnmr {
            (t1.fnmr, t1.fmr, t1.threshold)
        } else {
            (t2.fmr, t2.fnmr, t2.threshold)
        };
        let at_fmr = |target: f64| {
            *points
                .iter()
                .find(|p| p.fmr <= target)
                .expect("FMR is 0 above the highest score")
        };
        let fmr100 = at_fmr(0.01);
        let fmr1000 = at_fmr(0.001);
        let zero = at_fmr(0.0);
        Ok(ErrorRates {
            genuine: genuine.len(),
            impostor: impostor.len(),
            eer: (eer_low + eer_high) / 2.0,
            eer_low,
            eer_high,
            eer_threshold,
            fnmr_at_fmr_1_percent: fmr100.fnmr,
            fmr_1_percent_threshold: fmr100.threshold,
            fnmr_at_fmr_0_1_percent: fmr1000.fnmr,
            fmr_0_1_percent_threshold: fmr1000.threshold,
            zero_fmr: zero.fnmr,
            zero_fmr_threshold: zero.threshold,
        })
    }
}

/// The DET curve: FMR and FNMR at each distinct score (genuine or impostor), by ascending
/// threshold, so FMR falls and FNMR rises along it.
///
/// Errors with [`Error::InvalidArgument`] when either list is empty or holds a NaN.
pub fn det_curve(genuine: &[f32], impostor: &[f32]) -> Result<Vec<DetPoint>> {
    let sorted = Sorted::new(genuine, impostor)?;
    Ok(sorted
        .distinct_scores()
        .into_iter()
        .map(|t| sorted.point(t))
        .collect())
}

/// The decision threshold for a target false match rate, from impostor scores alone.
///
/// Returns the smallest threshold `t` with FMR(t) `<=` `fmr`, FMR(t) being the share of
/// impostor scores `>= t`, searched among the impostor scores themselves and the value just
/// above the highest one (`max.next_up()`, returned when even the highest impostor score
/// is one false match too many). Any threshold between the returned one and the next lower
/// impostor score (excluded) gives the same FMR; the returned one is the most lenient.
///
/// Errors with [`Error::InvalidArgument`] when `impostor` is empty or holds a NaN, or `fmr`
/// is not in `[0, 1]`.
pub fn threshold_at_fmr(impostor: &[f32], fmr: f64) -> Result<f32> {
    if !(0.0..=1.0).contains(&fmr) {
        return Err(Error::InvalidArgument(format!(
            "target false match rate {fmr} is not in [0, 1]"
        )));
    }
    let sorted = sorted("impostor", impostor)?;
    let n = sorted.len() as f64;
    let mut threshold = sorted[sorted.len() - 1].next_up();
    // Walk down the distinct scores while the share at or above them stays within target.
    let mut i = sorted.len();
    while i > 0 {
        let value = sorted[i - 1];
        let start = sorted.partition_point(|&s| s < value);
        if (sorted.len() - start) as f64 / n > fmr {
            break;
        }
        threshold = value;
        i = start;
    }
    Ok(threshold)
}

/// One point of an error-versus-reject curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErcPoint {
    /// Fraction of the genuine comparisons rejected for quality, 0–1.
    pub rejected: f64,
    /// FNMR of the remaining genuine comparisons at the fixed threshold.
    pub fnmr: f64,
}

/// The error-versus-reject curve of a quality measure (as NFIQ 2 is validated): the genuine
/// comparisons are ranked by `quality` (the quality of a pair, usually the lower of its two
/// samples'), and for each fraction in `fractions` the lowest-quality share of them is
/// rejected and the FNMR of the rest is measured at the fixed `threshold` (a score
/// `>= threshold` is a match). Ties in quality are broken by input order, so exactly
/// `round(fraction × n)` comparisons are rejected.
///
/// A quality measure that predicts errors makes the curve fall faster than random
/// rejection, which leaves the FNMR where it was.
///
/// Errors with [`Error::InvalidArgument`] when the slices differ in length or are empty, a
/// score or quality is NaN, or a fraction is outside `[0, 1)`.
pub fn error_reject_curve(
    genuine: &[f32],
    quality: &[f32],
    threshold: f32,
    fractions: &[f64],
) -> Result<Vec<ErcPoint>> {
    if genuine.len() != quality.len() || genuine.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "error-versus-reject curve needs one quality per genuine score ({} scores, {} qualities)",
            genuine.len(),
            quality.len()
        )));
    }
    if genuine.iter().chain(quality).any(|v| v.is_nan()) {
        return Err(Error::InvalidArgument(
            "error-versus-reject curve: a score or quality is NaN".into(),
        ));
    }
    if let Some(f) = fractions.iter().find(|f| !(0.0..1.0).contains(*f)) {
        return Err(Error::InvalidArgument(format!(
            "rejected fraction {f} is not in [0, 1)"
        )));
    }
    let mut order: Vec<usize> = (0..genuine.len()).collect();
    order.sort_by(|&a, &b| quality[a].total_cmp(&quality[b]).then(a.cmp(&b)));
    Ok(fractions
        .iter()
        .map(|&rejected| {
            let skip = (rejected * genuine.len() as f64).round() as usize;
            let kept = &order[skip.min(order.len() - 1)..];
            let errors = kept.iter().filter(|&&i| genuine[i] < threshold).count();
            ErcPoint {
                rejected,
                fnmr: errors as f64 / kept.len() as f64,
            }
        })
        .collect())
}

/// Parses an FVC file stem `<finger>_<impression>` (such as `101_1`) into
/// `(finger, impression)`. `None` for anything else.
pub fn parse_fvc_name(stem: &str) -> Option<(u32, u32)> {
    let (finger, impression) = stem.split_once('_')?;
    let number = |s: &str| {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            s.parse::<u32>().ok()
        }
    };
    Some((number(finger)?, number(impression)?))
}

/// Which pairs of samples a verification test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// The FVC protocol: every pair of impressions of one finger is a genuine comparison;
    /// the first impression of each finger against the first impression of every other
    /// finger is an impostor comparison. Symmetric pairs are counted once. For 10 fingers of
    /// 8 impressions: 280 genuine, 45 impostor.
    Fvc,
    /// Every unordered pair of samples, genuine when the fingers agree. For 10 fingers of 8
    /// impressions: 280 genuine, 2880 impostor. Gives far more impostor scores, so FMR100 and
    /// FMR1000 mean something.
    AllPairs,
}

impl Protocol {
    /// The name as [`FromStr`](std::str::FromStr) accepts it: `fvc` or `all-pairs`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Fvc => "fvc",
            Protocol::AllPairs => "all-pairs",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Protocol {
    type Err = Error;

    /// Parses `fvc` or `all-pairs` (any case).
    fn from_str(s: &str) -> Result<Self> {
        [Protocol::Fvc, Protocol::AllPairs]
            .into_iter()
            .find(|p| s.trim().eq_ignore_ascii_case(p.name()))
            .ok_or_else(|| {
                Error::InvalidArgument(format!("unknown protocol {s:?}: expected fvc or all-pairs"))
            })
    }
}

/// One comparison of a protocol: indices into the sample list, `probe < gallery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pair {
    /// Index of the first sample.
    pub probe: usize,
    /// Index of the second sample.
    pub gallery: usize,
    /// True when both samples are of the same finger.
    pub genuine: bool,
}

/// The comparisons of `protocol` over samples given as `(finger, impression)`, ordered by
/// probe then gallery index. Under [`Protocol::Fvc`], the "first impression" of a finger is
/// its lowest impression number present.
///
/// Errors with [`Error::InvalidArgument`] when a `(finger, impression)` occurs twice.
pub fn pairs(protocol: Protocol, samples: &[(u32, u32)]) -> Result<Vec<Pair>> {
    let mut seen = std::collections::HashSet::with_capacity(samples.len());
    for &(finger, impression) in samples {
        if !seen.insert((finger, impression)) {
            return Err(Error::InvalidArgument(format!(
                "finger {finger} impression {impression} occurs twice"
            )));
        }
    }
    let first_of = |finger: u32| samples.iter().filter(|s| s.0 == finger).map(|s| s.1).min();
    let is_first: Vec<bool> = samples
        .iter()
        .map(|&(finger, impression)| first_of(finger) == Some(impression))
        .collect();
    let mut out = Vec::new();
    for i in 0..samples.len() {
        for j in i + 1..samples.len() {
            let genuine = samples[i].0 == samples[j].0;
            let compared = match protocol {
                Protocol::AllPairs => true,
                Protocol::Fvc => genuine || (is_first[i] && is_first[j]),
            };
            if compared {
                out.push(Pair {
                    probe: i,
                    gallery: j,
                    genuine,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

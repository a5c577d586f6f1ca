//! Score fusion: fingers and face on one scale.
//!
//! Each modality's raw score (the fingerprint matcher's similarity, the face cosine) is mapped
//! to **evidence**: `e = −log10 FMR(s)`, where `FMR(s)` is the fraction of impostor
//! comparisons of that modality scoring `s` or more ([`TailModel`]). Evidence is measured in
//! bans (decimal digits of improbability): 3 bans means one impostor comparison in a thousand
//! scores that high. It is the log-likelihood ratio of the score against the impostor
//! distribution when the genuine distribution is flat over the impostors' tail, which is where
//! every decision is taken; and it needs only impostor scores, the ones an institution can
//! always collect in quantity (any two different people).
//!
//! **Fusion** adds the evidence of the `k` modalities two records share (each finger both
//! have, and the face if both have one). Impostor comparisons of different modalities are
//! independent (fingers of two different people, and their faces, are unrelated), and for an
//! impostor `e · ln 10` is exponentially distributed, so the sum follows a Gamma(k) law and the
//! fused false match rate of a total `E` is exact (Fisher's method):
//!
//! `FMR_fused(E, k) = 10^(−E) · Σ_{j<k} (E ln 10)^j / j!`
//!
//! The fused score of a comparison ([`Comparison::evidence`]) is `−log10 FMR_fused`: a
//! comparison over two fingers and a face, and one over a single finger, are on the same
//! scale, and every decision threshold is a false match rate per comparison. A finger with
//! several enrolled impressions counts its best score, with its FMR multiplied by the number
//! of impression pairs compared (Bonferroni; conservative).
//!
//! The defaults: fingerprints from galton's FVC2002 calibration ([`crate::matcher::thresholds`]),
//! faces from a zero-mean Gaussian impostor law of standard deviation 0.08 (what ArcFace-like
//! models give between different people). Calibrate both on your own impostor scores with
//! [`TailModel::fit`]: a different extractor, sensor or face model moves them. Beyond the last
//! calibrated point the tail is extrapolated at **half** the rate of its last calibrated
//! decade (nothing says how an impostor tail goes on beyond the data, and a steep guess is
//! what produces confident false matches), and each modality's
//! evidence is capped at [`MAX_EVIDENCE`] bans so that no single score, however high, decides
//! alone beyond what any calibration can support.

use serde::{Deserialize, Serialize};

use crate::matcher::thresholds;
use crate::template::FingerPosition;
use crate::{Error, Result};

/// Largest evidence one modality contributes, in bans (an FMR of 10⁻¹²).
pub const MAX_EVIDENCE: f64 = 12.0;

/// Fewest impostor scores [`TailModel::fit`] accepts.
pub const MIN_FIT_SCORES: usize = 1000;

/// An impostor score distribution's upper tail: `log10 FMR` at increasing scores, linear in
/// between; beyond the last point, `log10 FMR` keeps falling at half the mean rate of the last
/// calibrated decade (conservative: heavier than the data's tail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailModel {
    /// `(score, log10 FMR)`, scores strictly increasing, `log10 FMR` strictly decreasing
    /// from 0 (every impostor scores at least the first score).
    knots: Vec<(f32, f64)>,
}

impl TailModel {
    /// A model from its points `(score, log10 FMR)`: at least two, scores strictly increasing,
    /// `log10 FMR` at most 0 and strictly decreasing.
    pub fn from_knots(knots: Vec<(f32, f64)>) -> Result<TailModel> {
        let ok = knots.len() >= 2
            && knots
                .iter()
                .all(|&(s, l)| s.is_finite() && l.is_finite() && l <= 0.0)
            && knots.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 > w[1].1);
        if !ok {
            return Err(Error::InvalidArgument(format!(
                "a tail model needs two or more points with increasing scores and decreasing \
                 log10 FMR at most 0; got {knots:?}"
            )));
        }
        Ok(TailModel { knots })
    }

    /// galton's fingerprint matcher on FVC2002 (11,520 impostor comparisons): FMR 1%, 0.1%
    /// and 0.01% at the [`thresholds`], half the impostors below 0.012.
    pub fn fingerprint_default() -> TailModel {
        TailModel {
            knots: vec![
                (0.0, 0.0),
                (0.012, -0.301),
                (thresholds::FMR_1_PERCENT, -2.0),
                (thresholds::FMR_0_1_PERCENT, -3.0),
                (thresholds::FMR_0_01_PERCENT, -4.0),
            ],
        }
    }

    /// Face cosine similarities of a model whose impostor scores are Gaussian around 0 with
    /// standard deviation 0.08 (typical of ArcFace-like models); the points are that law's
    /// quantiles down to an FMR of 10⁻⁹. Real models' tails are
    /// usually heavier far out: fit your model's own with [`TailModel::fit`].
    pub fn face_default() -> TailModel {
        TailModel {
            knots: vec![
                (-0.4, 0.0),
                (0.0, -0.301),
                (0.1025, -1.0),
                (0.1861, -2.0),
                (0.2472, -3.0),
                (0.2975, -4.0),
                (0.3412, -5.0),
                (0.3803, -6.0),
                (0.4159, -7.0),
                (0.4490, -8.0),
                (0.4798, -9.0),
            ],
        }
    }

    /// Fits the tail to impostor scores (at least [`MIN_FIT_SCORES`], all finite): a point
    /// every half decade of FMR from the median down to the rarest rate that at least ten
    /// scores support.
    pub fn fit(impostor: &[f32]) -> Result<TailModel> {
        if impostor.len() < MIN_FIT_SCORES {
            return Err(Error::InvalidArgument(format!(
                "fitting a tail model needs at least {MIN_FIT_SCORES} impostor scores, got {}",
                impostor.len()
            )));
        }
        if let Some(bad) = impostor.iter().find(|s| !s.is_finite()) {
            return Err(Error::InvalidArgument(format!(
                "impostor score {bad} is not finite"
            )));
        }
        let mut sorted = impostor.to_vec();
        sorted.sort_unstable_by(|a, b| b.total_cmp(a));
        let n = sorted.len() as f64;
        let mut knots: Vec<(f32, f64)> = Vec::new();
        let mut level = 0.5f64.log10();
        loop {
            let fmr = 10f64.powf(level);
            let above = (fmr * n).floor() as usize;
            if above < 10 {
                break;
            }
            // The score that `above` impostors reach: FMR(s) = above / n.
            let s = sorted[above - 1];
            let l = (above as f64 / n).log10();
            if knots.last().is_none_or(|&(ls, ll)| s > ls && l < ll) {
                knots.push((s, l));
            }
            level -= 0.5;
        }
        // Anchor FMR 1 at the lowest score.
        let lowest = *sorted.last().expect("checked non-empty");
        if knots.first().is_some_and(|&(s, _)| lowest < s) {
            knots.insert(0, (lowest, 0.0));
        }
        TailModel::from_knots(knots)
    }

    /// The points of the model.
    pub fn knots(&self) -> &[(f32, f64)] {
        &self.knots
    }

    /// `log10 FMR` at `score` (0 below the first point; a NaN counts as the lowest score).
    pub fn log10_fmr(&self, score: f32) -> f64 {
        let k = &self.knots;
        if score.is_nan() || score <= k[0].0 {
            return k[0].1.min(0.0);
        }
        let i = k.partition_point(|&(s, _)| s <= score);
        if i >= k.len() {
            let last = k[k.len() - 1];
            // The first point within a decade of the last one, or the first point.
            let from = k
                .iter()
                .find(|&&(_, l)| l <= last.1 + 1.0)
                .filter(|&&(s, _)| s < last.0)
                .unwrap_or(&k[0]);
            let slope = (last.1 - from.1) / (last.0 as f64 - from.0 as f64);
            return (last.1 + 0.5 * slope * (score as f64 - last.0 as f64)).min(0.0);
        }
        let (a, b) = (k[i - 1], k[i]);
        let t = (score as f64 - a.0 as f64) / (b.0 as f64 - a.0 as f64);
        (a.1 + t * (b.1 - a.1)).min(0.0)
    }

    /// Evidence of the best of `comparisons` scores, in bans: `−log10 min(1, comparisons ·
    /// FMR(score))`, capped at [`MAX_EVIDENCE`].
    pub fn evidence(&self, score: f32, comparisons: usize) -> f64 {
        let l = self.log10_fmr(score) + (comparisons.max(1) as f64).log10();
        (-l).clamp(0.0, MAX_EVIDENCE)
    }

    /// The lowest score whose evidence (one comparison) reaches `bans`.
    pub fn score_for(&self, bans: f64) -> f32 {
        let (mut lo, mut hi) = (self.knots[0].0, self.knots[self.knots.len() - 1].0 + 1.0);
        while self.evidence(hi, 1) < bans && hi < 1e6 {
            hi = hi * 2.0 + 1.0;
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if self.evidence(mid, 1) >= bans {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }
}

/// `−log10` of the fused false match rate of a total of `evidence` bans over `k` independent
/// modalities (see the module documentation).
pub fn fused_evidence(evidence: f64, k: usize) -> f64 {
    if k <= 1 || evidence <= 0.0 {
        return evidence.max(0.0);
    }
    let x = evidence * std::f64::consts::LN_10;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for j in 1..k {
        term *= x / j as f64;
        sum += term;
    }
    (evidence - sum.log10()).max(0.0)
}

/// What a score was measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    /// A finger, by position.
    Finger(FingerPosition),
    /// The face.
    Face,
}

impl std::fmt::Display for Modality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Modality::Finger(p) => write!(f, "{p}"),
            Modality::Face => f.write_str("face"),
        }
    }
}

/// One modality's part in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModalityScore {
    /// The finger or the face.
    pub modality: Modality,
    /// The raw score: the fingerprint matcher's similarity (best over impression pairs) or the
    /// face cosine.
    pub score: f32,
    /// Its evidence, bans ([`TailModel::evidence`]).
    pub evidence: f64,
}

impl ModalityScore {
    /// The false match rate of this modality's score on its own.
    pub fn fmr(&self) -> f64 {
        10f64.powf(-self.evidence)
    }
}

/// The outcome of comparing two records over every modality they share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Comparison {
    /// The fused score: `−log10` of the fused false match rate ([`fused_evidence`]); 0 when
    /// the records share no modality.
    pub evidence: f64,
    /// The modalities compared, fingers in position order, then the face.
    pub modalities: Vec<ModalityScore>,
}

impl Comparison {
    /// Fuses per-modality scores.
    pub fn fuse(modalities: Vec<ModalityScore>) -> Comparison {
        let total: f64 = modalities.iter().map(|m| m.evidence).sum();
        Comparison {
            evidence: fused_evidence(total, modalities.len()),
            modalities,
        }
    }

    /// The estimated false match rate of this comparison: the probability that two different
    /// people's records compare this well over the same modalities.
    pub fn fmr(&self) -> f64 {
        10f64.powf(-self.evidence)
    }

    /// Whether this is a match at a false match rate of `target_fmr` per comparison.
    pub fn is_match(&self, target_fmr: f64) -> bool {
        !self.modalities.is_empty() && self.evidence >= -target_fmr.log10()
    }

    /// The modalities that match on their own at `target_fmr`.
    pub fn matching_modalities(&self, target_fmr: f64) -> impl Iterator<Item = &ModalityScore> {
        let bans = -target_fmr.log10();
        self.modalities.iter().filter(move |m| m.evidence >= bans)
    }

    /// The score of one modality, if compared.
    pub fn modality(&self, modality: Modality) -> Option<&ModalityScore> {
        self.modalities.iter().find(|m| m.modality == modality)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_default_reproduces_the_calibrated_thresholds() {
        let m = TailModel::fingerprint_default();
        assert!((m.evidence(thresholds::FMR_0_1_PERCENT, 1) - 3.0).abs() < 1e-9);
        assert!((m.evidence(thresholds::FMR_1_PERCENT, 1) - 2.0).abs() < 1e-9);
        assert_eq!(m.evidence(-1.0, 1), 0.0);
        assert_eq!(m.evidence(f32::NAN, 1), 0.0);
        // Extrapolated at half the last decade's rate (0.0121 per decade there), then capped.
        assert!((m.evidence(0.0630, 1) - 4.5).abs() < 0.01);
        assert!((m.evidence(0.0751, 1) - 5.0).abs() < 0.01);
        assert_eq!(m.evidence(0.9, 1), MAX_EVIDENCE);
        // Ten impression pairs cost one ban.
        assert!((m.evidence(thresholds::FMR_0_1_PERCENT, 10) - 2.0).abs() < 1e-9);
        let s = m.score_for(3.0);
        assert!((s - thresholds::FMR_0_1_PERCENT).abs() < 1e-4, "{s}");
    }

    /// The fused FMR is the Gamma survival function: checked against simulated impostors
    /// whose per-modality evidence is exactly −log10 of a uniform variable.
    #[test]
    fn fused_fmr_matches_simulated_independent_impostors() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let trials = 400_000;
        for k in 1..=3 {
            let threshold = 3.0; // fused FMR 1e-3
            let hits = (0..trials)
                .filter(|_| {
                    let total: f64 = (0..k).map(|_| -uniform().log10()).sum();
                    fused_evidence(total, k) >= threshold
                })
                .count();
            let rate = hits as f64 / trials as f64;
            assert!((rate - 1e-3).abs() < 2.5e-4, "k = {k}: {rate}");
        }
    }

    #[test]
    fn fit_recovers_a_known_tail() {
        // Exponential impostors: FMR(s) = exp(−s / 0.01), log10 FMR = −s / (0.01 ln 10).
        let n = 200_000;
        let scores: Vec<f32> = (0..n)
            .map(|i| (-(((i as f64) + 0.5) / n as f64).ln() * 0.01) as f32)
            .collect();
        let m = TailModel::fit(&scores).unwrap();
        for s in [0.02f32, 0.05, 0.08] {
            let want = -(s as f64) / (0.01 * std::f64::consts::LN_10);
            assert!(
                (m.log10_fmr(s) - want).abs() < 0.05,
                "{s}: {}",
                m.log10_fmr(s)
            );
        }
        // Beyond the data, at half the true rate.
        let (s_last, l_last) = *m.knots().last().unwrap();
        let want = l_last - 0.5 * (0.15 - s_last as f64) / (0.01 * std::f64::consts::LN_10);
        assert!(
            (m.log10_fmr(0.15) - want).abs() < 0.2,
            "{}",
            m.log10_fmr(0.15)
        );
        assert!(m.log10_fmr(0.15) > -0.15 / (0.01 * std::f64::consts::LN_10));
        assert!(TailModel::fit(&scores[..10]).is_err());
        let mut bad = scores.clone();
        bad[3] = f32::NAN;
        assert!(TailModel::fit(&bad).is_err());
    }

    #[test]
    fn comparisons_over_more_modalities_need_more_total_evidence() {
        let one = Comparison::fuse(vec![ModalityScore {
            modality: Modality::Face,
            score: 0.3,
            evidence: 4.0,
        }]);
        let two = Comparison::fuse(vec![
            ModalityScore {
                modality: Modality::Face,
                score: 0.3,
                evidence: 2.0,
            },
            ModalityScore {
                modality: Modality::Finger(FingerPosition::RightIndex),
                score: 0.03,
                evidence: 2.0,
            },
        ]);
        assert!((one.evidence - 4.0).abs() < 1e-12);
        assert!(two.evidence < 4.0 && two.evidence > 2.0, "{}", two.evidence);
        assert!(one.is_match(1e-4) && !two.is_match(1e-4));
        assert!(!Comparison::default().is_match(1.0));
    }
}

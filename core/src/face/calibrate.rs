//! Decision thresholds for a face model the caller brings: from impostor (and optionally
//! genuine) cosine scores, the threshold for a target false match rate and the false
//! non-match rate there.

use crate::evaluation::threshold_at_fmr;
use crate::{Error, Result};

/// One operating point of a face model: decide "same person" when the cosine similarity is
/// at or above `threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// The false match rate asked for, as a fraction (0.001 = 0.1%).
    pub target_fmr: f64,
    /// The lowest threshold whose false match rate on the impostor scores is at most the
    /// target.
    pub threshold: f32,
    /// The false match rate actually reached on the impostor scores.
    pub fmr: f64,
    /// The false non-match rate at the threshold, when genuine scores were given.
    pub fnmr: Option<f64>,
    /// Impostor scores at or above the threshold: fewer than about ten means the target is
    /// too small for the number of impostor scores, and the threshold is an estimate.
    pub impostors_above: usize,
    /// Impostor scores the point rests on.
    pub impostors: usize,
    /// Genuine scores the point rests on (0 when none were given).
    pub genuines: usize,
}

impl OperatingPoint {
    /// Whether the target FMR is backed by at least ten impostor scores, i.e. the impostor
    /// set holds at least `10 / target_fmr` scores.
    pub fn is_well_supported(&self) -> bool {
        self.impostors as f64 * self.target_fmr >= 10.0
    }
}

/// The threshold for `target_fmr` (in `[0, 1]`) from impostor scores, with the FNMR there
/// when `genuine` scores are given.
///
/// ```
/// use galton::face::calibrate;
/// let impostor: Vec<f32> = (0..1000).map(|i| i as f32 / 2000.0).collect(); // 0 .. 0.4995
/// let genuine = [0.45, 0.6, 0.7, 0.8];
/// let point = calibrate(&impostor, Some(&genuine), 0.01)?;
/// assert_eq!(point.threshold, 0.495);     // 10 of 1000 impostors at or above
/// assert_eq!(point.fnmr, Some(0.25));     // 0.45 is rejected
/// # Ok::<(), galton::Error>(())
/// ```
///
/// Errors with [`Error::InvalidArgument`] when `impostor` is empty, a score is not finite,
/// or the target is outside `[0, 1]`.
pub fn calibrate(
    impostor: &[f32],
    genuine: Option<&[f32]>,
    target_fmr: f64,
) -> Result<OperatingPoint> {
    if let Some(i) = impostor.iter().position(|s| !s.is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "impostor score {i} is {}",
            impostor[i]
        )));
    }
    let threshold = threshold_at_fmr(impostor, target_fmr)?;
    let impostors_above = impostor.iter().filter(|&&s| s >= threshold).count();
    let fnmr = match genuine {
        None => None,
        Some([]) => {
            return Err(Error::InvalidArgument(
                "genuine scores were given but the list is empty".into(),
            ))
        }
        Some(g) => {
            if let Some(i) = g.iter().position(|s| !s.is_finite()) {
                return Err(Error::InvalidArgument(format!(
                    "genuine score {i} is {}",
                    g[i]
                )));
            }
            Some(g.iter().filter(|&&s| s < threshold).count() as f64 / g.len() as f64)
        }
    };
    Ok(OperatingPoint {
        target_fmr,
        threshold,
        fmr: impostors_above as f64 / impostor.len() as f64,
        fnmr,
        impostors_above,
        impostors: impostor.len(),
        genuines: genuine.map_or(0, <[f32]>::len),
    })
}

/// [`calibrate`] at several targets.
pub fn calibrate_many(
    impostor: &[f32],
    genuine: Option<&[f32]>,
    targets: &[f64],
) -> Result<Vec<OperatingPoint>> {
    targets
        .iter()
        .map(|&t| calibrate(impostor, genuine, t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_and_fnmr_follow_the_scores() {
        // Impostors 0.00 .. 0.99; genuines 0.90 .. 0.99 and one low.
        let impostor: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let genuine: Vec<f32> = (90..100).map(|i| i as f32 / 100.0).chain([0.1]).collect();
        let p = calibrate(&impostor, Some(&genuine), 0.05).unwrap();
        assert_eq!(p.threshold, 0.95);
        assert_eq!(p.impostors_above, 5);
        assert!((p.fmr - 0.05).abs() < 1e-12);
        // 0.90 .. 0.94 and 0.1 fall below 0.95.
        assert!((p.fnmr.unwrap() - 6.0 / 11.0).abs() < 1e-12);
        assert!(!p.is_well_supported());
        let none = calibrate(&impostor, None, 0.0).unwrap();
        assert!(none.threshold > 0.99 && none.impostors_above == 0 && none.fnmr.is_none());
    }

    #[test]
    fn bad_scores_are_refused() {
        assert!(calibrate(&[], None, 0.01).is_err());
        assert!(calibrate(&[0.1, f32::NAN], None, 0.01).is_err());
        assert!(calibrate(&[0.1], Some(&[f32::INFINITY]), 0.01).is_err());
        assert!(calibrate(&[0.1], Some(&[]), 0.01).is_err());
        assert!(calibrate(&[0.1], None, 1.5).is_err());
    }
}

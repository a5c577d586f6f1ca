//! Measures of how well galton does its job.
//!
//! For now: minutiae extraction accuracy against ground truth (precision and recall of the
//! extracted minutiae, a pair counting as found when position and direction agree within a
//! tolerance). Matching error rates (FMR, FNMR, EER) are in [`crate::evaluation`].

use serde::{Deserialize, Serialize};

use crate::template::Minutia;

/// When an extracted minutia counts as finding a true one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinutiaTolerance {
    /// Largest distance between the two positions, in pixels.
    pub distance: f32,
    /// Largest difference between the two directions, in radians.
    pub angle: f32,
}

impl Default for MinutiaTolerance {
    /// 12 pixels and 30 degrees (about one and a half ridge periods at 500 ppi).
    fn default() -> Self {
        MinutiaTolerance {
            distance: 12.0,
            angle: 30f32.to_radians(),
        }
    }
}

/// Counts from comparing extracted minutiae with the true ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutiaeAccuracy {
    /// True minutiae paired with an extracted one.
    pub found: usize,
    /// Extracted minutiae paired with no true one (spurious).
    pub spurious: usize,
    /// True minutiae paired with no extracted one (missed).
    pub missed: usize,
    /// Paired minutiae whose kinds (ending, bifurcation) also agree.
    pub kind_agrees: usize,
}

impl MinutiaeAccuracy {
    /// Share of extracted minutiae that are true: found / (found + spurious).
    pub fn precision(&self) -> f64 {
        ratio(self.found, self.found + self.spurious)
    }

    /// Share of true minutiae that were extracted: found / (found + missed).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.found + self.missed)
    }

    /// Share of paired minutiae whose kind agrees.
    pub fn kind_accuracy(&self) -> f64 {
        ratio(self.kind_agrees, self.found)
    }
}

impl std::ops::AddAssign for MinutiaeAccuracy {
    fn add_assign(&mut self, other: Self) {
        self.found += other.found;
        self.spurious += other.spurious;
        self.missed += other.missed;
        self.kind_agrees += other.kind_agrees;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Smallest absolute difference between two directions, in `[0, π]`.
pub fn angle_difference(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(std::f32::consts::TAU);
    d.min(std::f32::consts::TAU - d)
}

/// Pairs extracted minutiae with true ones one-to-one, closest pairs first, and counts.
///
/// Kinds are not required to agree (an ending in one impression is often a bifurcation in
/// another); their agreement is counted separately in [`MinutiaeAccuracy::kind_agrees`].
pub fn compare_minutiae(
    truth: &[Minutia],
    extracted: &[Minutia],
    tolerance: MinutiaTolerance,
) -> MinutiaeAccuracy {
    let max_d2 = tolerance.distance * tolerance.distance;
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, t) in truth.iter().enumerate() {
        for (j, e) in extracted.iter().enumerate() {
            let d2 = (t.x - e.x).powi(2) + (t.y - e.y).powi(2);
            if d2 <= max_d2 && angle_difference(t.direction, e.direction) <= tolerance.angle {
                candidates.push((d2, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut truth_used = vec![false; truth.len()];
    let mut extracted_used = vec![false; extracted.len()];
    let mut acc = MinutiaeAccuracy::default();
    for (_, i, j) in candidates {
        if !truth_used[i] && !extracted_used[j] {
            truth_used[i] = true;
            extracted_used[j] = true;
            acc.found += 1;
            if truth[i].kind == extracted[j].kind {
                acc.kind_agrees += 1;
            }
        }
    }
    acc.missed = truth.len() - acc.found;
    acc.spurious = extracted.len() - acc.found;
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::MinutiaKind;

    fn m(x: f32, y: f32, deg: f32, kind: MinutiaKind) -> Minutia {
        Minutia {
            x,
            y,
            direction: deg.to_radians(),
            kind,
            quality: 50,
        }
    }

    #[test]
    fn angle_difference_wraps() {
        assert!((angle_difference(0.1, std::f32::consts::TAU - 0.1) - 0.2).abs() < 1e-5);
        assert!((angle_difference(0.0, std::f32::consts::PI) - std::f32::consts::PI).abs() < 1e-5);
    }

    #[test]
    fn counts_found_missed_and_spurious() {
        use MinutiaKind::*;
        let truth = [
            m(10.0, 10.0, 0.0, Ending),
            m(50.0, 50.0, 90.0, Bifurcation),
            m(90.0, 90.0, 0.0, Ending),
        ];
        let extracted = [
            m(13.0, 14.0, 350.0, Ending),      // finds the first (5 px, 10°)
            m(50.0, 52.0, 90.0, Ending),       // finds the second, kind differs
            m(90.0, 90.0, 180.0, Ending),      // right place, opposite direction: spurious
            m(200.0, 200.0, 0.0, Bifurcation), // nowhere near: spurious
        ];
        let acc = compare_minutiae(&truth, &extracted, MinutiaTolerance::default());
        assert_eq!(
            acc,
            MinutiaeAccuracy {
                found: 2,
                spurious: 2,
                missed: 1,
                kind_agrees: 1
            }
        );
        assert!((acc.precision() - 0.5).abs() < 1e-9);
        assert!((acc.recall() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn pairs_one_to_one_closest_first() {
        use MinutiaKind::*;
        // Two extracted minutiae near one true one: only one may pair with it.
        let truth = [m(10.0, 10.0, 0.0, Ending)];
        let extracted = [m(18.0, 10.0, 0.0, Ending), m(11.0, 10.0, 0.0, Ending)];
        let acc = compare_minutiae(&truth, &extracted, MinutiaTolerance::default());
        assert_eq!((acc.found, acc.spurious, acc.missed), (1, 1, 0));
    }
}

//! Pattern classes and the placement of their singular points.
//!
//! Class frequencies follow the natural distribution reported by Wilson, Candela and Watson
//! (1994) and used by SFinGe: arch 3.7 %, tented arch 2.9 %, left loop 33.8 %, right loop
//! 31.7 %, whorl 27.9 %. Cores and deltas are placed relative to the fingertip silhouette with
//! the geometry of each class (a loop's delta below the core on the side opposite the loop's
//! opening, a tented arch's delta straight below its core, a whorl's two cores close together
//! between two deltas); deltas may fall outside the fingertip, as they often do in plain
//! impressions.

use serde::{Deserialize, Serialize};

use super::rng::Rng;
use super::shape::Silhouette;

/// Henry pattern class of a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternClass {
    /// Plain arch: ridges cross the finger with a hump, no singular point.
    Arch,
    /// Tented arch: a core with a delta right below it.
    TentedArch,
    /// Loop whose ridges enter and leave on the left (as seen), delta on the right.
    LeftLoop,
    /// Loop whose ridges enter and leave on the right (as seen), delta on the left.
    RightLoop,
    /// Whorl: two cores (a circle or spiral) and two deltas.
    Whorl,
}

impl PatternClass {
    /// All classes, in the order of [`PatternClass::NATURAL_FREQUENCIES`].
    pub const ALL: [PatternClass; 5] = [
        PatternClass::Arch,
        PatternClass::TentedArch,
        PatternClass::LeftLoop,
        PatternClass::RightLoop,
        PatternClass::Whorl,
    ];

    /// Natural frequencies of the classes (Wilson et al. 1994), summing to 1.
    pub const NATURAL_FREQUENCIES: [f32; 5] = [0.037, 0.029, 0.338, 0.317, 0.279];

    /// Draws a class with the given weights (one per entry of [`PatternClass::ALL`]).
    pub fn sample(rng: &mut Rng, weights: &[f32; 5]) -> Self {
        Self::ALL[rng.weighted(weights)]
    }

    /// Snake-case name, as in the JSON files.
    pub fn name(self) -> &'static str {
        match self {
            PatternClass::Arch => "arch",
            PatternClass::TentedArch => "tented_arch",
            PatternClass::LeftLoop => "left_loop",
            PatternClass::RightLoop => "right_loop",
            PatternClass::Whorl => "whorl",
        }
    }
}

/// A point in master coordinates (pixels, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Column.
    pub x: f32,
    /// Row.
    pub y: f32,
}

/// Cores and deltas of a master fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Singularities {
    /// Cores (Poincaré index +1/2 each).
    pub cores: Vec<Point>,
    /// Deltas (Poincaré index −1/2 each).
    pub deltas: Vec<Point>,
}

impl Singularities {
    /// Random singular points for `class` inside (or, for deltas, near) the silhouette.
    pub fn sample(rng: &mut Rng, class: PatternClass, s: &Silhouette) -> Self {
        let w = (s.left + s.right) * 0.5;
        let h = s.top + s.bottom + s.band;
        let p = |x: f32, y: f32| Point { x, y };
        match class {
            PatternClass::Arch => Singularities::default(),
            PatternClass::TentedArch => {
                let core = p(
                    s.cx + rng.normal() * 0.06 * w,
                    s.cy + rng.range(-0.08, 0.04) * h,
                );
                let delta = p(
                    core.x + rng.normal() * 0.04 * w,
                    core.y + rng.range(0.12, 0.2) * h,
                );
                Singularities {
                    cores: vec![core],
                    deltas: vec![delta],
                }
            }
            PatternClass::LeftLoop | PatternClass::RightLoop => {
                let side = if class == PatternClass::LeftLoop {
                    1.0
                } else {
                    -1.0
                };
                let core = p(
                    s.cx - side * rng.range(-0.05, 0.2) * w,
                    s.cy + rng.range(-0.15, 0.02) * h,
                );
                let delta = p(
                    core.x + side * rng.range(0.5, 0.9) * w,
                    core.y + rng.range(0.22, 0.36) * h,
                );
                Singularities {
                    cores: vec![core],
                    deltas: vec![delta],
                }
            }
            PatternClass::Whorl => {
                let c1 = p(
                    s.cx + rng.normal() * 0.06 * w,
                    s.cy + rng.range(-0.14, -0.02) * h,
                );
                let c2 = p(
                    c1.x + rng.range(-0.18, 0.18) * w,
                    c1.y + rng.range(0.05, 0.12) * h,
                );
                let mid_y = (c1.y + c2.y) * 0.5;
                let d1 = p(
                    s.cx - rng.range(0.6, 0.95) * w,
                    mid_y + rng.range(0.2, 0.34) * h,
                );
                let d2 = p(
                    s.cx + rng.range(0.6, 0.95) * w,
                    mid_y + rng.range(0.2, 0.34) * h,
                );
                Singularities {
                    cores: vec![c1, c2],
                    deltas: vec![d1, d2],
                }
            }
        }
    }
}

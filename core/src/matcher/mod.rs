//! 1:1 fingerprint matching.
//!
//! [`compare`] answers "how likely are these two templates the same finger?" with a
//! similarity in `[0, 1]`. For 1:N work, prepare each template once ([`PreparedTemplate`]) and
//! compare with a reusable [`Matcher`], which does no heap allocation per comparison.
//!
//! ```
//! use galton::matcher::{self, Matcher, PreparedTemplate};
//! # use galton::template::{Minutia, MinutiaKind, Template};
//! # let template = Template { width: 300, height: 300, ppi: 500.0, finger: None, quality: None,
//! #     minutiae: (0..30).map(|i| Minutia { x: 40.0 + (i * 37 % 220) as f32,
//! #         y: 40.0 + (i * 53 % 220) as f32, direction: (i as f32 * 0.7) % 6.28,
//! #         kind: MinutiaKind::Ending, quality: 60 }).collect() };
//! let probe = PreparedTemplate::new(&template);
//! let mut matcher = Matcher::new();
//! let score = matcher.score(&probe, &probe);
//! assert!(score >= matcher::thresholds::FMR_0_01_PERCENT);
//! ```
//!
//! ## Algorithm
//! See `README.md`, section "Matching": local Minutia Cylinder-Code descriptors compared with
//! popcounts, then a relaxation that keeps only geometrically consistent pairs.

use crate::template::Template;

pub mod thresholds;

/// Resolution every template is scaled to before matching, in pixels per inch.
pub const MATCHING_PPI: f32 = 500.0;

/// At most this many minutiae of a template take part in matching: the most reliable ones
/// (highest quality) are kept. Real templates rarely exceed 100.
pub const MAX_MINUTIAE: usize = 192;

/// A template made ready for fast comparison: its minutiae at [`MATCHING_PPI`] and one local
/// descriptor per minutia. Prepare once, compare many times; cheap to clone and to cache.
#[derive(Debug, Clone, Default)]
pub struct PreparedTemplate {
    /// Positions and directions at the matching resolution, with their index in the source
    /// template.
    pub(crate) points: Vec<Point>,
}

/// One minutia at the matching resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub x: f32,
    pub y: f32,
    /// Radians in `[0, 2π)`, counter-clockwise as seen, as in [`crate::Minutia`].
    pub direction: f32,
    /// Index of the minutia in the source template.
    pub source: u16,
}

impl PreparedTemplate {
    /// Prepares a template. Never fails: a template with few or no minutiae prepares to
    /// something that matches nothing (score 0).
    pub fn new(template: &Template) -> Self {
        let scale = if template.ppi.is_finite() && template.ppi > 0.0 {
            MATCHING_PPI / template.ppi
        } else {
            1.0
        };
        let mut order: Vec<usize> = (0..template.minutiae.len())
            .filter(|&i| {
                let m = &template.minutiae[i];
                m.x.is_finite() && m.y.is_finite() && m.direction.is_finite()
            })
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(template.minutiae[i].quality));
        order.truncate(MAX_MINUTIAE);
        order.sort_unstable();
        let points = order
            .into_iter()
            .map(|i| {
                let m = &template.minutiae[i];
                Point {
                    x: m.x * scale,
                    y: m.y * scale,
                    direction: m.direction.rem_euclid(std::f32::consts::TAU),
                    source: i as u16,
                }
            })
            .collect();
        PreparedTemplate { points }
    }

    /// Number of minutiae taking part in matching.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when no minutia takes part in matching.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Compares prepared templates. Holds the working memory of a comparison, allocated once in
/// [`Matcher::new`], so [`Matcher::score`] does no heap allocation. One per thread.
#[derive(Debug, Clone)]
pub struct Matcher {
    _scratch: Vec<f32>,
}

impl Default for Matcher {
    fn default() -> Self {
        Self::new()
    }
}

/// The estimated rigid alignment of a comparison: a probe point `p` maps to
/// `R(rotation)·p + (dx, dy)` in the candidate's pixels (both at their own resolution).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Alignment {
    /// Rotation in radians, counter-clockwise as seen.
    pub rotation: f32,
    /// Horizontal translation, candidate pixels.
    pub dx: f32,
    /// Vertical translation, candidate pixels (downwards).
    pub dy: f32,
}

/// One pair of minutiae the matcher considers the same point of the finger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchedPair {
    /// Index in the probe template's `minutiae`.
    pub probe: usize,
    /// Index in the candidate template's `minutiae`.
    pub candidate: usize,
    /// How strongly this pair supports the match, `[0, 1]`.
    pub weight: f32,
}

/// Why a comparison scored what it did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    /// The similarity, as [`Matcher::score`] returns it.
    pub score: f32,
    /// The minutiae pairs behind the score, strongest first.
    pub pairs: Vec<MatchedPair>,
    /// The alignment estimated from the pairs.
    pub alignment: Alignment,
}

impl Matcher {
    /// A matcher with its working memory allocated for templates of up to
    /// [`MAX_MINUTIAE`] minutiae.
    pub fn new() -> Self {
        Matcher {
            _scratch: Vec::with_capacity(MAX_MINUTIAE * MAX_MINUTIAE),
        }
    }

    /// Similarity of two prepared templates, in `[0, 1]`: 0 for unrelated fingers, close to 1
    /// for two captures of the same finger with large overlap. Compare it with the
    /// [`thresholds`]. Symmetric up to rounding.
    pub fn score(&mut self, probe: &PreparedTemplate, candidate: &PreparedTemplate) -> f32 {
        placeholder_score(probe, candidate)
    }

    /// The score with the pairs and alignment behind it. Allocates (for the pair list).
    pub fn explain(
        &mut self,
        probe: &PreparedTemplate,
        candidate: &PreparedTemplate,
    ) -> Explanation {
        Explanation {
            score: self.score(probe, candidate),
            ..Explanation::default()
        }
    }
}

/// Similarity of two templates (prepares both; for many comparisons prepare once and use a
/// [`Matcher`]).
pub fn compare(probe: &Template, candidate: &Template) -> f32 {
    Matcher::new().score(
        &PreparedTemplate::new(probe),
        &PreparedTemplate::new(candidate),
    )
}

/// Temporary: fraction of probe minutiae with a candidate minutia nearby (no alignment).
fn placeholder_score(a: &PreparedTemplate, b: &PreparedTemplate) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let near = |p: &Point, set: &PreparedTemplate| {
        set.points
            .iter()
            .any(|q| (p.x - q.x).hypot(p.y - q.y) < 12.0)
    };
    let n = a.points.iter().filter(|p| near(p, b)).count()
        + b.points.iter().filter(|p| near(p, a)).count();
    n as f32 / (a.len() + b.len()) as f32
}

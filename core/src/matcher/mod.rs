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
//! 1. **Preparation** ([`PreparedTemplate::new`]): minutiae are scaled to 500 ppi; each gets a
//!    Minutia Cylinder-Code descriptor ([`cylinder`], Cappelli, Ferrara and Maltoni, 2010): a
//!    1,536-bit picture of where its neighbours lie and how they are turned, relative to the
//!    minutia itself, so it does not change when the finger moves or turns.
//! 2. **Local similarity** ([`similarity`]): every probe cylinder against every candidate
//!    cylinder whose minutia points within 60° of it, by popcounts (AVX-512, AVX2 or portable,
//!    chosen at run time; all give the same bits).
//! 3. **Consolidation**: the most similar pairs (each minutia used once, at most 24) are
//!    relaxed against each other: a pair keeps its value only if other pairs agree with it on
//!    distances and angles. The score is the mean relaxed similarity of the pairs that kept
//!    most of their value (4 to 12 of them, more for larger templates).
//!
//! ## What the score means
//! A similarity in `[0, 1]`, symmetric (`score(a, b) == score(b, a)` exactly). Different
//! fingers score about 0.015 (FVC2002, 11,520 impostor comparisons: mean 0.014, highest
//! 0.064); two impressions of one finger typically 0.1–0.5; a template against itself close
//! to 1.
//! Only its order is meaningful: decide with the [`thresholds`], calibrated for false match
//! rates of 1%, 0.1% and 0.01%.
//!
//! ## Limits
//! - Rotation: minutiae whose directions differ by more than 60° are never paired, so two
//!   captures turned by more than about 50° relative to each other do not match.
//! - At most [`MAX_MINUTIAE`] minutiae per template take part (the highest quality ones).
//! - A template needs at least three minutiae near each other to have any descriptor; fewer
//!   score 0 against everything.

use crate::template::Template;

mod consolidate;
pub mod cylinder;
mod similarity;
pub mod thresholds;

use cylinder::{angle_diff, Cylinder};
pub use similarity::{Kernel, MAX_DIRECTION_DIFFERENCE};

/// Resolution every template is scaled to before matching, in pixels per inch.
pub const MATCHING_PPI: f32 = 500.0;

/// At most this many minutiae of a template take part in matching: the most reliable ones
/// (highest quality) are kept. Real templates rarely exceed 100.
pub const MAX_MINUTIAE: usize = 192;

/// A template made ready for fast comparison: its minutiae at [`MATCHING_PPI`], one
/// [`Cylinder`] per minutia, and the distances and angles between them. Prepare once,
/// compare many times; cheap to clone and to cache.
#[derive(Debug, Clone, Default)]
pub struct PreparedTemplate {
    /// Minutiae that have a cylinder, by ascending direction, in the math frame (y up) at the matching resolution.
    pub(crate) centres: Vec<Centre>,
    pub(crate) cylinders: Vec<Cylinder>,
    /// Directions of the centres, ascending (centres and cylinders are kept in this order).
    pub(crate) directions: Vec<f32>,
    /// Distance between centres t and k at `t * n + k`.
    distances: Vec<f32>,
    /// Direction of the segment from centre t to centre k, relative to t's direction.
    radials: Vec<f32>,
    /// Matching pixels per source pixel.
    scale: f32,
    /// Orders templates so that a comparison runs the same way round whichever is the probe.
    order_key: u64,
}

/// A minutia with a cylinder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Centre {
    pub x: f32,
    /// Upwards (the negated image row).
    pub y: f32,
    /// Radians in `[0, 2π)`, counter-clockwise.
    pub direction: f32,
    /// Index of the minutia in the source template.
    pub source: u16,
}

/// One minutia at the matching resolution, image frame.
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
    /// Prepares a template. Never fails: minutiae with non-finite values, or positions that
    /// are not finite once scaled to 500 ppi (a resolution so small that the scale
    /// overflows), are ignored, and a template with few or no usable minutiae prepares to
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
                (m.x * scale).is_finite() && (m.y * scale).is_finite() && m.direction.is_finite()
            })
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(template.minutiae[i].quality));
        order.truncate(MAX_MINUTIAE);
        order.sort_unstable();
        let points: Vec<Point> = order
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
        let mut built = cylinder::build(&points);
        built.sort_by(|x, y| points[x.0].direction.total_cmp(&points[y.0].direction));
        let centres: Vec<Centre> = built
            .iter()
            .map(|&(i, _)| {
                let p = points[i];
                Centre {
                    x: p.x,
                    y: -p.y,
                    direction: p.direction,
                    source: p.source,
                }
            })
            .collect();
        let n = centres.len();
        let mut distances = vec![0.0; n * n];
        let mut radials = vec![0.0; n * n];
        for (t, ct) in centres.iter().enumerate() {
            for (k, ck) in centres.iter().enumerate() {
                let (dx, dy) = (ck.x - ct.x, ck.y - ct.y);
                distances[t * n + k] = dx.hypot(dy);
                radials[t * n + k] = angle_diff(dy.atan2(dx), ct.direction);
            }
        }
        // Size, then a digest of the prepared positions: equal keys mean equal templates in
        // all but the rarest cases, and then the order does not matter.
        let digest = centres.iter().fold(0u32, |h, c| {
            h.rotate_left(5) ^ c.x.to_bits() ^ c.y.to_bits().rotate_left(13)
        });
        let order_key = ((n as u64) << 32) | digest as u64;
        PreparedTemplate {
            order_key,
            directions: centres.iter().map(|c| c.direction).collect(),
            centres,
            cylinders: built.into_iter().map(|(_, c)| c).collect(),
            distances,
            radials,
            scale,
        }
    }

    /// Number of minutiae taking part in matching (those with a valid cylinder).
    pub fn len(&self) -> usize {
        self.centres.len()
    }

    /// True when no minutia takes part in matching.
    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }

    /// Heap memory held, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.centres.capacity() * std::mem::size_of::<Centre>()
            + self.cylinders.capacity() * std::mem::size_of::<Cylinder>()
            + (self.directions.capacity() + self.distances.capacity() + self.radials.capacity())
                * std::mem::size_of::<f32>()
    }

    /// Distances from centre t to every centre.
    #[inline]
    pub(crate) fn distance_row(&self, t: usize) -> &[f32] {
        let n = self.centres.len();
        &self.distances[t * n..(t + 1) * n]
    }

    /// Directions of the segments from centre t to every centre, relative to t's direction.
    #[inline]
    pub(crate) fn radial_row(&self, t: usize) -> &[f32] {
        let n = self.centres.len();
        &self.radials[t * n..(t + 1) * n]
    }
}

/// Compares prepared templates. Holds the working memory of a comparison, allocated once in
/// [`Matcher::new`], so [`Matcher::score`] does no heap allocation. Not shared between
/// threads: make one per thread.
#[derive(Debug, Clone)]
pub struct Matcher {
    kernel: Kernel,
    scratch: consolidate::Scratch,
}

impl Default for Matcher {
    fn default() -> Self {
        Self::new()
    }
}

/// The estimated alignment of a comparison: a probe point `p` (pixels of the probe image)
/// maps to `scale·R(rotation)·p + (dx, dy)` in pixels of the candidate image.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Alignment {
    /// Rotation in radians, counter-clockwise as seen.
    pub rotation: f32,
    /// Horizontal translation, candidate pixels.
    pub dx: f32,
    /// Vertical translation, candidate pixels (downwards).
    pub dy: f32,
    /// Ratio of the resolutions, candidate ppi over probe ppi (1 for equal resolutions).
    pub scale: f32,
}

impl Alignment {
    /// Where the probe pixel `(x, y)` falls in the candidate image.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.rotation.sin_cos();
        // Counter-clockwise as seen, with y downwards.
        let xr = x * cos + y * sin;
        let yr = -x * sin + y * cos;
        (self.scale * xr + self.dx, self.scale * yr + self.dy)
    }
}

/// One pair of minutiae the matcher considers the same point of the finger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchedPair {
    /// Index in the probe template's `minutiae`.
    pub probe: usize,
    /// Index in the candidate template's `minutiae`.
    pub candidate: usize,
    /// How strongly this pair supports the match, `[0, 1]`: its similarity after relaxation,
    /// typically 0.2–0.6 between impressions of one finger and near 0 between different
    /// fingers.
    pub weight: f32,
}

/// Why a comparison scored what it did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    /// The similarity, as [`Matcher::score`] returns it.
    pub score: f32,
    /// The minutiae pairs behind the score, and others as consistent with them, strongest
    /// first; pairs whose own relaxed similarity is below [`thresholds::FMR_1_PERCENT`] are
    /// left out, so between different fingers this is usually empty.
    pub pairs: Vec<MatchedPair>,
    /// The alignment estimated from the pairs (identity when there are none).
    pub alignment: Alignment,
}

impl Matcher {
    /// A matcher using the fastest kernel of this CPU, with its working memory allocated for
    /// templates of up to [`MAX_MINUTIAE`] minutiae.
    pub fn new() -> Self {
        Self::with_kernel(Kernel::detect())
    }

    /// A matcher using the given kernel (falls back to the portable one when the CPU lacks
    /// it). All kernels give the same scores; this exists to test and measure them.
    pub fn with_kernel(kernel: Kernel) -> Self {
        Matcher {
            kernel: if kernel.is_supported() {
                kernel
            } else {
                Kernel::Portable
            },
            scratch: consolidate::Scratch::new(MAX_MINUTIAE),
        }
    }

    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Similarity of two prepared templates, in `[0, 1]`: about 0 for different fingers,
    /// higher the more minutiae agree in a consistent constellation. Compare it with the
    /// [`thresholds`]. Symmetric up to rounding.
    pub fn score(&mut self, probe: &PreparedTemplate, candidate: &PreparedTemplate) -> f32 {
        self.run(probe, candidate).0
    }

    /// Scores the pair in a canonical order (so that `score(a, b) == score(b, a)` exactly:
    /// ties in the pair selection would otherwise break differently). Returns the score and
    /// whether the templates were swapped, leaving the details in the scratch.
    fn run(&mut self, probe: &PreparedTemplate, candidate: &PreparedTemplate) -> (f32, bool) {
        let swapped = candidate.order_key < probe.order_key;
        let (a, b) = if swapped {
            (candidate, probe)
        } else {
            (probe, candidate)
        };
        let s = &mut self.scratch;
        let kept = self.kernel.matrix(
            &a.cylinders,
            &a.directions,
            &b.cylinders,
            &b.directions,
            &mut s.keys,
        );
        (consolidate::score(a, b, s, kept), swapped)
    }

    /// Only the local similarity matrix (for measuring where time goes).
    #[doc(hidden)]
    pub fn matrix_only(&mut self, probe: &PreparedTemplate, candidate: &PreparedTemplate) -> f32 {
        let kept = self.kernel.matrix(
            &probe.cylinders,
            &probe.directions,
            &candidate.cylinders,
            &candidate.directions,
            &mut self.scratch.keys,
        );
        kept as f32
    }

    /// The score with the pairs and alignment behind it. Allocates (for the pair list).
    pub fn explain(
        &mut self,
        probe: &PreparedTemplate,
        candidate: &PreparedTemplate,
    ) -> Explanation {
        let (score, swapped) = self.run(probe, candidate);
        let s = &self.scratch;
        // The pairs behind the score, and any other relaxed pair that kept as much of its
        // value (its support from the rest) as the weakest of them; but not pairs too weak
        // to support a match on their own (all of them, between different fingers).
        let floor = s.scored.last().map_or(f32::INFINITY, |&(e, _)| e);
        let mut pairs: Vec<(usize, usize, f32)> = s
            .pairs
            .iter()
            .zip(s.efficiency.iter().zip(&s.relaxed))
            .filter(|(_, (&e, &w))| e >= floor && w >= thresholds::FMR_1_PERCENT)
            .map(|(&(i, j), (_, &w))| {
                let (i, j) = if swapped { (j, i) } else { (i, j) };
                (i as usize, j as usize, w)
            })
            .collect();
        pairs.sort_by(|x, y| y.2.total_cmp(&x.2));
        let alignment = estimate_alignment(probe, candidate, &pairs);
        Explanation {
            score,
            pairs: pairs
                .iter()
                .map(|&(i, j, w)| MatchedPair {
                    probe: probe.centres[i].source as usize,
                    candidate: candidate.centres[j].source as usize,
                    weight: w.clamp(0.0, 1.0),
                })
                .collect(),
            alignment,
        }
    }
}

/// Weighted least-squares rigid alignment of the paired centres, in source pixels.
fn estimate_alignment(
    a: &PreparedTemplate,
    b: &PreparedTemplate,
    pairs: &[(usize, usize, f32)],
) -> Alignment {
    let total: f32 = pairs.iter().map(|p| p.2).sum();
    if pairs.is_empty() || total <= 0.0 {
        return Alignment {
            scale: 1.0,
            ..Alignment::default()
        };
    }
    let (mut ax, mut ay, mut bx, mut by) = (0.0, 0.0, 0.0, 0.0);
    for &(i, j, w) in pairs {
        ax += w * a.centres[i].x;
        ay += w * a.centres[i].y;
        bx += w * b.centres[j].x;
        by += w * b.centres[j].y;
    }
    let (ax, ay, bx, by) = (ax / total, ay / total, bx / total, by / total);
    let (mut sin, mut cos) = (0.0f32, 0.0f32);
    for &(i, j, w) in pairs {
        let (px, py) = (a.centres[i].x - ax, a.centres[i].y - ay);
        let (qx, qy) = (b.centres[j].x - bx, b.centres[j].y - by);
        cos += w * (px * qx + py * qy);
        sin += w * (px * qy - py * qx);
    }
    if pairs.len() < 2 {
        // One pair: take the rotation from the minutia directions.
        let d = angle_diff(
            b.centres[pairs[0].1].direction,
            a.centres[pairs[0].0].direction,
        );
        (sin, cos) = d.sin_cos();
    }
    let rotation = sin.atan2(cos);
    // In matching pixels (math frame): q = R p + t. Back to source pixels, image frame.
    let (rs, rc) = rotation.sin_cos();
    let tx = bx - (rc * ax - rs * ay);
    let ty = by - (rs * ax + rc * ay);
    Alignment {
        rotation: rotation.rem_euclid(std::f32::consts::TAU),
        dx: tx / b.scale,
        dy: -ty / b.scale,
        scale: a.scale / b.scale,
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

//! A classical minutiae matcher, for evaluation only: generalised Hough transform alignment
//! followed by one-to-one pairing of the aligned minutiae.
//!
//! It is designed from the literature, independently of galton's own matcher (Minutia
//! Cylinder-Code, [`galton::matcher`]), so that what is measured with one matcher (for example
//! whether a quality score predicts errors) can be checked with a matcher it was not tuned on.
//!
//! ## Algorithm
//! 1. **Normalisation.** Positions are scaled to 500 ppi (by `500 / ppi` of each template) and
//!    turned into a right-handed frame (`y` up), in which the template convention for
//!    directions (counter-clockwise as seen) is a plain rotation angle.
//! 2. **Hough voting** (Ratha, Karu, Chen and Jain, 1996, "A real-time matching system for
//!    large fingerprint databases", IEEE PAMI 18(8)). The transform sought maps `b` onto `a`:
//!    `p_a ≈ R(θ) p_b + t`. Every pair `(i, j)` whose direction difference
//!    `θ = d_a(i) − d_b(j)` is within [`HoughConfig::max_rotation`] votes for the rotation `θ`
//!    and the translation `t = p_a(i) − R(θ) p_b(j)` it implies. The accumulator has cells of
//!    [`HoughConfig::rotation_bin`] × [`HoughConfig::translation_bin`]²; each vote goes to the
//!    two nearest cells along each axis (eight in all), so a cell counts the votes inside a
//!    window two cells wide and a cluster is never split by a cell boundary. Minutia types are
//!    ignored (they are unreliable across impressions).
//! 3. **Candidates.** The [`HoughConfig::candidates`] cells with most votes (with non-maximum
//!    suppression: a cell next to an already chosen one is skipped) each give a transform: the
//!    mean of the votes they hold.
//! 4. **Pairing and refinement.** For each candidate transform, `b` is moved onto `a`; pairs
//!    closer than [`HoughConfig::distance_tolerance`] with directions within
//!    [`HoughConfig::angle_tolerance`] are paired greedily, best first (cost: distance and
//!    angle difference, each over its tolerance), each minutia at most once. With three pairs
//!    or more the transform is re-estimated by least squares from the pairs (rigid 2-D
//!    Procrustes) and the pairing done again; the better of the two counts is kept.
//! 5. **Score**: with `n` pairs at the best candidate, `n² / (|a| · |b|)` (the normalisation
//!    of Bozorth3), in `[0, 1]`; 1 when every minutia of both templates is paired.
//!
//! The score is deterministic and exactly symmetric: the two templates are put in a canonical
//! order (fewer minutiae first, then by their values) before matching.

use std::cmp::Ordering;
use std::f32::consts::{PI, TAU};

use galton::Template;

/// Settings of the matcher. Lengths are pixels at 500 ppi, angles radians.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoughConfig {
    /// Largest rotation between the two impressions considered (default 45°).
    pub max_rotation: f32,
    /// Rotation cell of the accumulator (default 6°; a cell counts votes within ±6°).
    pub rotation_bin: f32,
    /// Translation cell of the accumulator (default 8 px; a cell counts votes within ±8 px).
    pub translation_bin: f32,
    /// Number of accumulator peaks tried (default 6).
    pub candidates: usize,
    /// Largest distance between two paired minutiae after alignment (default 15 px).
    pub distance_tolerance: f32,
    /// Largest direction difference between two paired minutiae (default 25°).
    pub angle_tolerance: f32,
}

impl Default for HoughConfig {
    fn default() -> Self {
        HoughConfig {
            max_rotation: 45f32.to_radians(),
            rotation_bin: 6f32.to_radians(),
            translation_bin: 8.0,
            candidates: 6,
            distance_tolerance: 15.0,
            angle_tolerance: 25f32.to_radians(),
        }
    }
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoughMatch {
    /// `pairs² / (|a| · |b|)`, in `[0, 1]`.
    pub score: f32,
    /// Number of paired minutiae.
    pub pairs: usize,
    /// Rotation of the best alignment, radians (of the template put second in canonical order
    /// onto the first).
    pub rotation: f32,
    /// Translation of the best alignment, pixels at 500 ppi, in a `y`-up frame.
    pub translation: (f32, f32),
}

/// A minutia in the matching frame: 500 ppi, `y` up.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: f32,
    y: f32,
    d: f32,
}

/// A rigid transform `p ↦ R(θ) p + t`.
#[derive(Debug, Clone, Copy)]
struct Rigid {
    theta: f32,
    tx: f32,
    ty: f32,
}

impl Rigid {
    fn apply(&self, p: Point) -> Point {
        let (s, c) = self.theta.sin_cos();
        Point {
            x: c * p.x - s * p.y + self.tx,
            y: s * p.x + c * p.y + self.ty,
            d: p.d + self.theta,
        }
    }
}

/// `a − b` wrapped to `(−π, π]`.
fn angle_diff(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(TAU);
    if d > PI {
        d - TAU
    } else {
        d
    }
}

fn points(t: &Template) -> Vec<Point> {
    let s = if t.ppi > 0.0 { 500.0 / t.ppi } else { 1.0 };
    t.minutiae
        .iter()
        .map(|m| Point {
            x: m.x * s,
            y: -m.y * s,
            d: m.direction,
        })
        .collect()
}

/// Canonical order of two point sets: fewer points first, then lexicographic on the values.
fn canonical(a: &[Point], b: &[Point]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        a.iter()
            .zip(b)
            .map(|(p, q)| {
                p.x.total_cmp(&q.x)
                    .then(p.y.total_cmp(&q.y))
                    .then(p.d.total_cmp(&q.d))
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    })
}

/// Similarity of two templates with the default [`HoughConfig`], in `[0, 1]`.
pub fn score(a: &Template, b: &Template) -> f32 {
    compare(a, b, &HoughConfig::default()).score
}

/// Compares two templates with explicit settings. Empty templates score 0.
pub fn compare(a: &Template, b: &Template, config: &HoughConfig) -> HoughMatch {
    let (mut pa, mut pb) = (points(a), points(b));
    if canonical(&pa, &pb) == Ordering::Greater {
        std::mem::swap(&mut pa, &mut pb);
    }
    let mut best = HoughMatch {
        score: 0.0,
        pairs: 0,
        rotation: 0.0,
        translation: (0.0, 0.0),
    };
    if pa.is_empty() || pb.is_empty() {
        return best;
    }
    for candidate in peaks(&pa, &pb, config) {
        let mut found = (pair(&pa, &pb, &candidate, config), candidate);
        if found.0.len() >= 3 {
            let refined = procrustes(&pa, &pb, &found.0);
            let again = pair(&pa, &pb, &refined, config);
            if again.len() > found.0.len() {
                found = (again, refined);
            }
        }
        if found.0.len() > best.pairs {
            best.pairs = found.0.len();
            best.rotation = found.1.theta;
            best.translation = (found.1.tx, found.1.ty);
        }
    }
    let n = best.pairs as f32;
    best.score = (n * n / (pa.len() as f32 * pb.len() as f32)).min(1.0);
    best
}

/// The transforms of the strongest accumulator cells, strongest first.
fn peaks(a: &[Point], b: &[Point], config: &HoughConfig) -> Vec<Rigid> {
    // Each vote: cell (rotation, x, y) and the transform it stands for.
    let mut votes: Vec<([i32; 3], Rigid)> = Vec::with_capacity(a.len() * b.len() * 2);
    let bins = [
        config.rotation_bin,
        config.translation_bin,
        config.translation_bin,
    ];
    for p in a {
        for q in b {
            let theta = angle_diff(p.d, q.d);
            if theta.abs() > config.max_rotation {
                continue;
            }
            let (s, c) = theta.sin_cos();
            let v = Rigid {
                theta,
                tx: p.x - (c * q.x - s * q.y),
                ty: p.y - (s * q.x + c * q.y),
            };
            // The nearest two cells along each axis.
            let mut axes = [[0i32; 2]; 3];
            for (axis, (&value, &bin)) in [v.theta, v.tx, v.ty].iter().zip(&bins).enumerate() {
                let u = value / bin;
                let base = u.floor();
                let other = if u - base >= 0.5 { 1 } else { -1 };
                axes[axis] = [base as i32, base as i32 + other];
            }
            for r in axes[0] {
                for x in axes[1] {
                    for y in axes[2] {
                        votes.push(([r, x, y], v));
                    }
                }
            }
        }
    }
    votes.sort_by_key(|u| u.0); // stable: the order of the votes in a cell is defined
                                // Cells: (votes, cell, mean transform).
    let mut cells: Vec<(usize, [i32; 3], Rigid)> = Vec::new();
    for run in votes.chunk_by(|u, v| u.0 == v.0) {
        let n = run.len() as f32;
        let sum = run.iter().fold([0.0f32; 3], |s, (_, v)| {
            [s[0] + v.theta, s[1] + v.tx, s[2] + v.ty]
        });
        let mean = Rigid {
            theta: sum[0] / n,
            tx: sum[1] / n,
            ty: sum[2] / n,
        };
        cells.push((run.len(), run[0].0, mean));
    }
    cells.sort_by(|u, v| v.0.cmp(&u.0).then(u.1.cmp(&v.1)));
    let mut chosen: Vec<[i32; 3]> = Vec::new();
    let mut out = Vec::new();
    for (_, cell, mean) in cells {
        if out.len() == config.candidates {
            break;
        }
        let near = |c: &[i32; 3]| c.iter().zip(&cell).all(|(u, v)| (u - v).abs() <= 1);
        if chosen.iter().any(near) {
            continue;
        }
        chosen.push(cell);
        out.push(mean);
    }
    out
}

/// Greedy best-first one-to-one pairing of `a` with `b` moved by `t`: `(index in a, index in
/// b)`.
fn pair(a: &[Point], b: &[Point], t: &Rigid, config: &HoughConfig) -> Vec<(usize, usize)> {
    let moved: Vec<Point> = b.iter().map(|&q| t.apply(q)).collect();
    let max_d2 = config.distance_tolerance * config.distance_tolerance;
    let mut options: Vec<(f32, usize, usize)> = Vec::new();
    for (i, p) in a.iter().enumerate() {
        for (j, q) in moved.iter().enumerate() {
            let d2 = (p.x - q.x).powi(2) + (p.y - q.y).powi(2);
            if d2 > max_d2 {
                continue;
            }
            let da = angle_diff(p.d, q.d).abs();
            if da > config.angle_tolerance {
                continue;
            }
            let cost = d2.sqrt() / config.distance_tolerance + da / config.angle_tolerance;
            options.push((cost, i, j));
        }
    }
    options.sort_by(|u, v| u.0.total_cmp(&v.0).then((u.1, u.2).cmp(&(v.1, v.2))));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut pairs = Vec::new();
    for (_, i, j) in options {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

/// The rigid transform of `b` onto `a` that best fits the pairs in least squares.
fn procrustes(a: &[Point], b: &[Point], pairs: &[(usize, usize)]) -> Rigid {
    let n = pairs.len() as f32;
    let (mut ax, mut ay, mut bx, mut by) = (0.0, 0.0, 0.0, 0.0);
    for &(i, j) in pairs {
        (ax, ay, bx, by) = (ax + a[i].x, ay + a[i].y, bx + b[j].x, by + b[j].y);
    }
    (ax, ay, bx, by) = (ax / n, ay / n, bx / n, by / n);
    let (mut sin, mut cos) = (0.0f32, 0.0f32);
    for &(i, j) in pairs {
        let (px, py, qx, qy) = (a[i].x - ax, a[i].y - ay, b[j].x - bx, b[j].y - by);
        sin += qx * py - qy * px;
        cos += qx * px + qy * py;
    }
    let theta = sin.atan2(cos);
    let (s, c) = theta.sin_cos();
    Rigid {
        theta,
        tx: ax - (c * bx - s * by),
        ty: ay - (s * bx + c * by),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use galton::synth::templates::templates_only;
    use galton::synth::SynthConfig;

    fn fingers() -> Vec<Template> {
        templates_only(7, 0..2, 1, &SynthConfig::default())
            .into_iter()
            .map(|f| f.impressions.into_iter().next().unwrap())
            .collect()
    }

    /// `t` turned by `angle` (counter-clockwise as seen) about its centre and shifted.
    fn moved(t: &Template, angle: f32, dx: f32, dy: f32) -> Template {
        let (cx, cy) = (t.width as f32 / 2.0, t.height as f32 / 2.0);
        let (s, c) = angle.sin_cos();
        let mut out = t.clone();
        for m in &mut out.minutiae {
            let (x, y) = (m.x - cx, m.y - cy);
            m.x = cx + c * x + s * y + dx;
            m.y = cy - s * x + c * y + dy;
            m.direction = (m.direction + angle).rem_euclid(TAU);
        }
        out
    }

    #[test]
    fn itself_scores_one() {
        let t = &fingers()[0];
        assert!(t.minutiae.len() > 10);
        assert_eq!(score(t, t), 1.0);
    }

    #[test]
    fn rotated_and_translated_copy_scores_nearly_the_same() {
        let t = &fingers()[0];
        for (angle, dx, dy) in [(20f32, 15.0, -10.0), (-35.0, -30.0, 25.0)] {
            let copy = moved(t, angle.to_radians(), dx, dy);
            let m = compare(t, &copy, &HoughConfig::default());
            assert!(m.score > 0.95, "{angle}°: {m:?}");
        }
    }

    #[test]
    fn other_resolution_scores_one() {
        let t = &fingers()[0];
        let mut big = t.clone();
        big.ppi = 1000.0;
        for m in &mut big.minutiae {
            m.x *= 2.0;
            m.y *= 2.0;
        }
        assert!(score(t, &big) > 0.99);
    }

    #[test]
    fn unrelated_finger_scores_low() {
        let f = fingers();
        let s = score(&f[0], &f[1]);
        assert!(s < 0.1, "{s}");
    }

    #[test]
    fn symmetric_and_deterministic() {
        let f = fingers();
        let copy = moved(&f[0], 0.2, 5.0, 3.0);
        assert_eq!(score(&f[0], &copy), score(&copy, &f[0]));
        assert_eq!(score(&f[0], &f[1]), score(&f[1], &f[0]));
        assert_eq!(score(&f[0], &copy), score(&f[0], &copy));
    }

    #[test]
    fn empty_templates_score_zero() {
        let t = &fingers()[0];
        let mut empty = t.clone();
        empty.minutiae.clear();
        assert_eq!(score(&empty, &empty), 0.0);
        assert_eq!(score(t, &empty), 0.0);
        assert_eq!(score(&empty, t), 0.0);
    }
}

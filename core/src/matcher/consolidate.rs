//! Global consolidation: from the local similarity matrix to one score.
//!
//! Local Similarity Sort with Relaxation (LSS-R, Cappelli et al. 2010): the most similar
//! cylinder pairs (each minutia used once) are kept; each pair's similarity is then relaxed
//! for a few rounds towards the similarities of the pairs that agree with it geometrically
//! (distance between the two minutiae, their relative direction, and the direction of the
//! segment joining them, all compared across the two prints). Pairs that stand alone fade;
//! pairs that belong to a consistent constellation keep their value. The score is the mean
//! relaxed similarity of the pairs that kept most of their value.

use std::f32::consts::PI;

use super::cylinder::angle_diff;
use super::similarity;
use super::PreparedTemplate;

/// At most this many pairs are relaxed (n_R). The relaxation costs the square of it; on the
/// FVC2002 sets 24 scores as well as no limit.
const MAX_RELAXED: usize = 24;
/// Relaxation rounds (n_rel).
const ROUNDS: usize = 5;
/// Weight of a pair's own value in each round (w_R).
const SELF_WEIGHT: f32 = 0.5;
/// Compatibility: distance difference (μ, τ), pixels.
const RHO_DISTANCE: (f32, f32) = (5.0, -8.0 / 5.0);
/// Compatibility: relative-direction difference (μ, τ), radians.
const RHO_DIRECTION: (f32, f32) = (PI / 12.0, -30.0);
/// Compatibility: radial-angle difference (μ, τ), radians.
const RHO_RADIAL: (f32, f32) = (PI / 12.0, -30.0);
/// Pairs averaged into the score: between these, depending on the template sizes.
const MIN_SCORED: usize = 4;
const MAX_SCORED: usize = 12;
/// … following a sigmoid of the smaller template's size (μ, τ).
const SCORED_SIGMOID: (f32, f32) = (20.0, 2.0 / 5.0);

/// Distance beyond which the distance term of the compatibility is taken as 0.
const RHO_DISTANCE_CUTOFF: f32 = 12.0;

/// Working memory of a comparison, sized once.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// Local similarity entries; always `max × max` long, the front part in use.
    pub keys: Vec<u64>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
    /// Selected pairs: (probe cylinder, candidate cylinder).
    pub pairs: Vec<(u16, u16)>,
    lambda: Vec<f32>,
    initial: Vec<f32>,
    next: Vec<f32>,
    rho: Vec<f32>,
    /// Indices into `pairs` of the pairs behind the score, strongest first.
    pub scored: Vec<(f32, u16)>,
    /// Relaxed value of each selected pair.
    pub relaxed: Vec<f32>,
    /// Share of its initial value each selected pair kept.
    pub efficiency: Vec<f32>,
}

impl Scratch {
    pub fn new(max: usize) -> Self {
        Scratch {
            keys: vec![0; max * max],
            used_a: Vec::with_capacity(max),
            used_b: Vec::with_capacity(max),
            pairs: Vec::with_capacity(max),
            lambda: Vec::with_capacity(max),
            initial: Vec::with_capacity(max),
            next: Vec::with_capacity(max),
            rho: Vec::with_capacity(max * max),
            scored: Vec::with_capacity(max),
            relaxed: Vec::with_capacity(max),
            efficiency: Vec::with_capacity(max),
        }
    }
}

fn sigmoid(v: f32, (mu, tau): (f32, f32)) -> f32 {
    1.0 / (1.0 + (-tau * (v - mu)).exp())
}

/// A decreasing sigmoid tabulated over `[0, end]`, 0 beyond (where it is below 1e-3).
struct Table {
    /// Two zeros at the end, so lookups past the range need no branch.
    values: [f32; TABLE_SIZE + 2],
    per_unit: f32,
}

const TABLE_SIZE: usize = 256;

impl Table {
    fn new(params: (f32, f32), end: f32) -> Self {
        let mut values = [0.0; TABLE_SIZE + 2];
        for (i, v) in values[..TABLE_SIZE].iter_mut().enumerate() {
            *v = sigmoid(i as f32 * end / TABLE_SIZE as f32, params);
        }
        Table {
            values,
            per_unit: TABLE_SIZE as f32 / end,
        }
    }

    /// The sigmoid at `v ≥ 0`, linearly interpolated.
    #[inline]
    fn at(&self, v: f32) -> f32 {
        let x = (v * self.per_unit).min(TABLE_SIZE as f32);
        let i = x as usize;
        let f = x - i as f32;
        self.values[i] + f * (self.values[i + 1] - self.values[i])
    }
}

struct Tables {
    distance: Table,
    direction: Table,
    radial: Table,
}

fn tables() -> &'static Tables {
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| Tables {
        distance: Table::new(RHO_DISTANCE, RHO_DISTANCE_CUTOFF),
        direction: Table::new(RHO_DIRECTION, 0.5),
        radial: Table::new(RHO_RADIAL, 0.5),
    })
}

/// Number of pairs averaged into the score for templates of these sizes.
fn scored_count(na: usize, nb: usize) -> usize {
    let z = sigmoid(na.min(nb) as f32, SCORED_SIGMOID);
    MIN_SCORED + (z * (MAX_SCORED - MIN_SCORED) as f32).round() as usize
}

/// Consolidates the first `kept` entries of `scratch.keys` (the positive local similarities
/// of `a` × `b`, see [`similarity::entry`]) into the score. Leaves the selected
/// pairs, their relaxed values and the scored subset in `scratch`.
pub fn score(a: &PreparedTemplate, b: &PreparedTemplate, s: &mut Scratch, kept: usize) -> f32 {
    let (na, nb) = (a.cylinders.len(), b.cylinders.len());
    s.pairs.clear();
    s.scored.clear();
    s.relaxed.clear();
    s.efficiency.clear();
    if na == 0 || nb == 0 {
        return 0.0;
    }
    let wanted = na.min(nb).min(MAX_RELAXED);
    // Candidate pairs, most similar first: keys sort by value (the bits of a non-negative
    // f32 order like the number), then by index for a deterministic order. Written
    // unconditionally, kept when positive: no unpredictable branch.
    let keys = &mut s.keys[..kept];
    let take = (wanted * 2).min(keys.len());
    if take == 0 {
        return 0.0;
    }
    if take < keys.len() {
        keys.select_nth_unstable_by(take - 1, |x, y| y.cmp(x));
    }
    let keys = &mut keys[..take];
    keys.sort_unstable_by(|x, y| y.cmp(x));
    s.used_a.clear();
    s.used_a.resize(na, false);
    s.used_b.clear();
    s.used_b.resize(nb, false);
    s.initial.clear();
    for &key in keys.iter() {
        let (value, i, j) = similarity::decode_entry(key, nb);
        if s.used_a[i] || s.used_b[j] {
            continue;
        }
        s.used_a[i] = true;
        s.used_b[j] = true;
        s.pairs.push((i as u16, j as u16));
        s.initial.push(value);
        if s.pairs.len() == wanted {
            break;
        }
    }
    let n = s.pairs.len();
    let tables = tables();
    // Compatibility of every two selected pairs.
    s.rho.clear();
    s.rho.resize(n * n, 0.0);
    for t in 0..n {
        let (at, bt) = (s.pairs[t].0 as usize, s.pairs[t].1 as usize);
        let (da, db) = (a.centres[at].direction, b.centres[bt].direction);
        let (dist_a, dist_b) = (a.distance_row(at), b.distance_row(bt));
        let (radial_a, radial_b) = (a.radial_row(at), b.radial_row(bt));
        for k in t + 1..n {
            let (ak, bk) = (s.pairs[k].0 as usize, s.pairs[k].1 as usize);
            // Most pairs of pairs disagree on distance already: skip the angles then.
            let r1 = tables.distance.at((dist_a[ak] - dist_b[bk]).abs());
            if r1 == 0.0 {
                continue;
            }
            let d2 = angle_diff(
                angle_diff(da, a.centres[ak].direction),
                angle_diff(db, b.centres[bk].direction),
            )
            .abs();
            let d3 = angle_diff(radial_a[ak], radial_b[bk]).abs();
            let rho = r1 * tables.direction.at(d2) * tables.radial.at(d3);
            s.rho[t * n + k] = rho;
            s.rho[k * n + t] = rho;
        }
    }
    // Relaxation.
    s.lambda.clear();
    s.lambda.extend_from_slice(&s.initial);
    let spread = if n > 1 { 1.0 / (n - 1) as f32 } else { 0.0 };
    for _ in 0..ROUNDS {
        s.next.clear();
        for t in 0..n {
            let row = &s.rho[t * n..(t + 1) * n];
            let support = dot(row, &s.lambda);
            s.next
                .push(SELF_WEIGHT * s.lambda[t] + (1.0 - SELF_WEIGHT) * support * spread);
        }
        std::mem::swap(&mut s.lambda, &mut s.next);
    }
    // Efficiency: the share of its value a pair kept.
    for t in 0..n {
        let efficiency = s.lambda[t] / s.initial[t];
        s.efficiency.push(efficiency);
        s.scored.push((efficiency, t as u16));
    }
    s.relaxed.extend_from_slice(&s.lambda);
    s.scored
        .sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let keep = scored_count(na, nb).min(n);
    s.scored.truncate(keep);
    let sum: f32 = s.scored.iter().map(|&(_, t)| s.lambda[t as usize]).sum();
    (sum / keep as f32).clamp(0.0, 1.0)
}

/// Dot product with eight independent partial sums, so the compiler can vectorise it (a
/// plain `sum()` of floats must keep its order and runs one add at a time).
#[inline]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let mut partial = [0.0f32; 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f32 = xc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (a, b) in xc.zip(yc) {
        for k in 0..8 {
            partial[k] += a[k] * b[k];
        }
    }
    partial.iter().sum::<f32>() + tail
}

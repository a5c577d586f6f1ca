//! Synthetic face embeddings with known identities, for tests and benchmarks of face search
//! and deduplication (no face model ships with galton, and real embeddings of real people
//! cannot).
//!
//! Each identity is a unit vector made of a part in a shared low-rank subspace (as real
//! embeddings concentrate near one: impostor cosines then spread like a model's, about
//! N(0, 0.08) at 512-d, rather than the 0.044 of random directions) plus an individual part.
//! A capture of an identity adds a random direction of length `spread` and renormalises, so
//! two captures of one person have a cosine similarity of about `1 / (1 + spread²)`
//! (0.7 at the default spread of 0.65), as genuine pairs of a good model do.
//!
//! Everything is a pure function of the seed, the identity number and the capture number.

use super::rng::{derive_seed, Rng};

/// Rank of the shared subspace.
const RANK: usize = 32;
/// Share (in squared norm) of an identity in the shared subspace.
const SHARED: f32 = 0.36;

/// Default capture spread: captures of one identity at cosine about 0.7.
pub const DEFAULT_SPREAD: f32 = 0.65;

/// A generator of synthetic face embeddings of one dimension.
#[derive(Debug, Clone)]
pub struct FaceSynth {
    dim: usize,
    seed: u64,
    basis: Vec<f32>,
}

impl FaceSynth {
    /// A generator of `dim`-dimensional embeddings (`dim >= 2`) from `seed`.
    pub fn new(dim: usize, seed: u64) -> FaceSynth {
        assert!(dim >= 2, "embedding dimension {dim} is below 2");
        let mut rng = Rng::new(derive_seed(seed, 0xFACE));
        let basis = (0..RANK * dim).map(|_| rng.normal()).collect();
        FaceSynth { dim, seed, basis }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The unit-length template of identity `person`.
    pub fn identity(&self, person: u64) -> Vec<f32> {
        let mut rng = Rng::new(derive_seed(
            self.seed,
            person.wrapping_mul(2).wrapping_add(1),
        ));
        let mut shared = vec![0.0f32; self.dim];
        for r in 0..RANK {
            let z = rng.normal();
            for (s, &b) in shared
                .iter_mut()
                .zip(&self.basis[r * self.dim..(r + 1) * self.dim])
            {
                *s += z * b;
            }
        }
        let own: Vec<f32> = (0..self.dim).map(|_| rng.normal()).collect();
        let (a, b) = (unit(shared), unit(own));
        unit(
            a.iter()
                .zip(&b)
                .map(|(x, y)| SHARED.sqrt() * x + (1.0 - SHARED).sqrt() * y)
                .collect(),
        )
    }

    /// Capture `capture` of identity `person`: its template moved by a random direction of
    /// length `spread`, renormalised.
    pub fn capture(&self, person: u64, capture: u64, spread: f32) -> Vec<f32> {
        let identity = self.identity(person);
        let mut rng = Rng::new(derive_seed(
            derive_seed(self.seed, person.wrapping_mul(2)),
            capture,
        ));
        let noise = unit((0..self.dim).map(|_| rng.normal()).collect());
        unit(
            identity
                .iter()
                .zip(&noise)
                .map(|(x, n)| x + spread * n)
                .collect(),
        )
    }
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn genuine_pairs_near_0_7_impostors_near_0() {
        let synth = FaceSynth::new(512, 3);
        let mut genuine = Vec::new();
        let mut impostor = Vec::new();
        for p in 0..60u64 {
            let a = synth.capture(p, 0, DEFAULT_SPREAD);
            let b = synth.capture(p, 1, DEFAULT_SPREAD);
            genuine.push(dot(&a, &b));
            impostor.push(dot(&a, &synth.capture(p + 1000, 0, DEFAULT_SPREAD)));
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let sd = |v: &[f32]| {
            let m = mean(v);
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32).sqrt()
        };
        assert!(
            (mean(&genuine) - 0.70).abs() < 0.03,
            "genuine mean {}",
            mean(&genuine)
        );
        assert!(genuine.iter().all(|&g| g > 0.6));
        assert!(
            mean(&impostor).abs() < 0.03,
            "impostor mean {}",
            mean(&impostor)
        );
        let spread = sd(&impostor);
        assert!((0.04..0.12).contains(&spread), "impostor sd {spread}");
        // Deterministic.
        assert_eq!(
            synth.capture(5, 2, 0.5),
            FaceSynth::new(512, 3).capture(5, 2, 0.5)
        );
    }
}

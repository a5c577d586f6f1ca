//! Synthetic enrollment populations with planted duplicates, for tests, benchmarks and the
//! demo of [`crate::gallery`].
//!
//! Person `p` has `fingers` fingers (templates-only, [`super::templates_only`]; finger `f` of
//! person `p` is dataset finger `p · fingers + f`) and, with `face_dim`, a synthetic face
//! ([`super::faces::FaceSynth`]). Every person is enrolled once from impression 0 and face
//! capture 0 under id `P<p>`. Then the planted cases, each under a new id and each a pair of
//! the ground truth ([`Population::planted`]):
//!
//! - **re-enrolled**: the same person again from impression 1 and face capture 1 (the
//!   double registration deduplication exists for); id `DUP<n>`;
//! - **shared face**: somebody else's fingers (a person outside the population) with person
//!   `p`'s face (capture 1); id `SHF<n>`;
//! - **shared finger**: person `p`'s first finger (impression 1) with an outsider's other
//!   fingers and face; id `SHP<n>`.
//!
//! The people planted are spread over the population, each at most once; outsiders come
//! after the last person.

use super::faces::{FaceSynth, DEFAULT_SPREAD};
use super::rng::{derive_seed, Rng};
use super::templates::templates_only;
use super::SynthConfig;
use crate::face::FaceEmbedding;
use crate::gallery::{Probe, Subject};
use crate::matcher::{Matcher, PreparedTemplate};
use crate::template::{FingerPosition, Template};

/// Finger positions in the order people are given them.
pub const FINGER_ORDER: [FingerPosition; 10] = [
    FingerPosition::RightIndex,
    FingerPosition::LeftIndex,
    FingerPosition::RightThumb,
    FingerPosition::LeftThumb,
    FingerPosition::RightMiddle,
    FingerPosition::LeftMiddle,
    FingerPosition::RightRing,
    FingerPosition::LeftRing,
    FingerPosition::RightLittle,
    FingerPosition::LeftLittle,
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct PopulationSpec {
    /// Seed of everything.
    pub seed: u64,
    /// People enrolled once each.
    pub people: usize,
    /// Fingers per person (1 to 10, in [`FINGER_ORDER`]).
    pub fingers: usize,
    /// Face embedding dimension, or no faces.
    pub face_dim: Option<usize>,
    /// People enrolled a second time under a new id.
    pub reenrolled: usize,
    /// New ids carrying a person's face with somebody else's fingers.
    pub shared_face: usize,
    /// New ids carrying a person's first finger with somebody else's other biometrics.
    pub shared_finger: usize,
    /// The templates-only generator's settings.
    pub synth: SynthConfig,
}

impl Default for PopulationSpec {
    fn default() -> Self {
        PopulationSpec {
            seed: 1,
            people: 1000,
            fingers: 2,
            face_dim: Some(128),
            reenrolled: 20,
            shared_face: 5,
            shared_finger: 5,
            synth: SynthConfig::default(),
        }
    }
}

/// A generated population: the subjects to enroll, in order, and the pairs of ids that are
/// planted duplicates.
#[derive(Debug, Clone)]
pub struct Population {
    /// The specification.
    pub spec: PopulationSpec,
    /// Everyone once, then the planted records, in enrollment order.
    pub subjects: Vec<Subject>,
    /// `(original id, planted id)` of every planted duplicate.
    pub planted: Vec<(String, String)>,
    /// `fingers[p][f]`: impressions 0 and 1 of finger `f` of person `p` (outsiders after
    /// the people).
    fingers: Vec<Vec<Vec<Template>>>,
    faces: Option<FaceSynth>,
}

/// The id of person `p`.
pub fn person_id(p: usize) -> String {
    format!("P{p:07}")
}

impl Population {
    /// Generates a population (in parallel with the `rayon` feature; deterministic).
    pub fn generate(spec: PopulationSpec) -> Population {
        let fingers = spec.fingers.clamp(1, FINGER_ORDER.len());
        let planted_people = spec.reenrolled + spec.shared_face + spec.shared_finger;
        let outsiders = spec.shared_face + spec.shared_finger;
        let total = spec.people + outsiders;
        let templates = templates_only(
            spec.seed,
            0..(total * fingers) as u64,
            2,
            &spec.synth,
        );
        let mut by_person: Vec<Vec<Vec<Template>>> = Vec::with_capacity(total);
        let mut it = templates.into_iter().map(|f| f.impressions);
        for _ in 0..total {
            by_person.push((0..fingers).map(|_| it.next().expect("generated")).collect());
        }
        let faces = spec
            .face_dim
            .map(|d| FaceSynth::new(d.max(2), derive_seed(spec.seed, 0xFA)));
        let mut population = Population {
            spec: PopulationSpec { fingers, ..spec },
            subjects: Vec::new(),
            planted: Vec::new(),
            fingers: by_person,
            faces,
        };
        let people = population.spec.people;
        population.subjects = (0..people)
            .map(|p| population.subject(person_id(p), p, 0, p, 0))
            .collect();
        // Distinct people to plant, spread over the population.
        let mut rng = Rng::new(derive_seed(population.spec.seed, 0xD0B));
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < planted_people.min(people) {
            let p = rng.below(people);
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        let mut outsider = people;
        for (n, &p) in chosen.iter().enumerate() {
            let (id, subject) = if n < population.spec.reenrolled {
                let id = format!("DUP{n:05}");
                (id.clone(), population.subject(id, p, 1, p, 1))
            } else if n < population.spec.reenrolled + population.spec.shared_face {
                let id = format!("SHF{n:05}");
                let s = population.subject(id.clone(), outsider, 0, p, 1);
                outsider += 1;
                (id, s)
            } else {
                let id = format!("SHP{n:05}");
                let mut s = population.subject(id.clone(), outsider, 0, outsider, 0);
                outsider += 1;
                s.fingers
                    .insert(FINGER_ORDER[0], vec![population.fingers[p][0][1].clone()]);
                (id, s)
            };
            population.planted.push((person_id(p), id));
            population.subjects.push(subject);
        }
        population
    }

    /// A record with `finger_person`'s fingers at `impression` and `face_person`'s face at
    /// `face_capture`.
    fn subject(
        &self,
        id: String,
        finger_person: usize,
        impression: usize,
        face_person: usize,
        face_capture: u64,
    ) -> Subject {
        let mut s = Subject::new(id);
        for (f, views) in self.fingers[finger_person].iter().enumerate() {
            s = s.with_finger(FINGER_ORDER[f], views[impression].clone());
        }
        if let Some(face) = self.face(face_person, face_capture) {
            s = s.with_face(face);
        }
        s
    }

    /// Person `p`'s face at `capture`, if the population has faces.
    pub fn face(&self, p: usize, capture: u64) -> Option<FaceEmbedding> {
        self.faces.as_ref().map(|f| {
            FaceEmbedding::new(f.capture(p as u64, capture, DEFAULT_SPREAD))
                .expect("synthetic faces are finite unit vectors")
        })
    }

    /// A probe of person `p` from impression 1 and face capture 2 (neither enrolled for a
    /// person that was not re-enrolled), with `fingers` fingers and the face if `face`.
    pub fn probe(&self, p: usize, fingers: usize, face: bool) -> Probe {
        let mut probe = Probe::new();
        for (f, views) in self.fingers[p].iter().take(fingers).enumerate() {
            probe = probe.with_finger(FINGER_ORDER[f], views[1].clone());
        }
        if face {
            if let Some(e) = self.face(p, 2) {
                probe = probe.with_face(e);
            }
        }
        probe
    }

    /// Impression `i` (0 or 1) of finger `f` of person `p`.
    pub fn template(&self, p: usize, f: usize, i: usize) -> &Template {
        &self.fingers[p][f][i]
    }

    /// Fingerprint scores of `count` impostor pairs (finger `f` of two different people,
    /// impressions 0 and 1, pairs drawn from a seed): what an institution collects to
    /// calibrate [`crate::gallery::TailModel::fit`].
    pub fn finger_impostor_scores(&self, count: usize) -> Vec<f32> {
        // Pairs among the first people (up to 1,000), each template prepared once.
        let n = self.fingers.len().min(1000);
        if n < 2 {
            return Vec::new();
        }
        let fingers = self.spec.fingers;
        let cells: Vec<(usize, usize)> = (0..n)
            .flat_map(|p| (0..fingers).flat_map(move |f| [(p, f), (p, f)]))
            .collect();
        let prepared: Vec<PreparedTemplate> = {
            let prep = |(k, &(p, f)): (usize, &(usize, usize))| {
                PreparedTemplate::new(&self.fingers[p][f][k % 2])
            };
            #[cfg(feature = "rayon")]
            {
                use rayon::prelude::*;
                cells.par_iter().enumerate().map(prep).collect()
            }
            #[cfg(not(feature = "rayon"))]
            {
                cells.iter().enumerate().map(prep).collect()
            }
        };
        let at = |p: usize, f: usize, i: usize| &prepared[(p * fingers + f) * 2 + i];
        let mut rng = Rng::new(derive_seed(self.spec.seed, 0x1A905));
        let pairs: Vec<(usize, usize, usize)> = (0..count)
            .map(|_| {
                let a = rng.below(n);
                let b = (a + 1 + rng.below(n - 1)) % n;
                (a, b, rng.below(fingers))
            })
            .collect();
        let score = |m: &mut Matcher, &(a, b, f): &(usize, usize, usize)| {
            m.score(at(a, f, 0), at(b, f, 1))
        };
        #[cfg(feature = "rayon")]
        {
            use rayon::prelude::*;
            pairs.par_iter().map_init(Matcher::new, score).collect()
        }
        #[cfg(not(feature = "rayon"))]
        {
            let mut m = Matcher::new();
            pairs.iter().map(|p| score(&mut m, p)).collect()
        }
    }
}

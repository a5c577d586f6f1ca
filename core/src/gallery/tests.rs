//! Gallery behaviour on synthetic people: templates-only fingers and synthetic face embeddings.

use super::*;
use crate::face::FaceEmbedding;
use crate::synth::faces::{FaceSynth, DEFAULT_SPREAD};
use crate::synth::templates::templates_only;
use crate::synth::SynthConfig;
use crate::Template;
use FingerPosition::{LeftIndex, RightIndex};

/// `people` synthetic people, two fingers × `impressions` each, and a face generator.
struct Population {
    fingers: Vec<Vec<Template>>,
    faces: FaceSynth,
}

impl Population {
    fn new(seed: u64, people: u64, impressions: usize) -> Population {
        Population {
            fingers: templates_only(seed, 0..2 * people, impressions, &SynthConfig::default())
                .into_iter()
                .map(|f| f.impressions)
                .collect(),
            faces: FaceSynth::new(128, seed),
        }
    }

    fn face(&self, person: u64, capture: u64) -> FaceEmbedding {
        FaceEmbedding::new(self.faces.capture(person, capture, DEFAULT_SPREAD)).unwrap()
    }

    /// Person `p`'s two fingers at impression `i`, with a face from capture `i`.
    fn subject(&self, id: &str, p: u64, i: usize) -> Subject {
        Subject::new(id)
            .with_finger(RightIndex, self.fingers[2 * p as usize][i].clone())
            .with_finger(LeftIndex, self.fingers[2 * p as usize + 1][i].clone())
            .with_face(self.face(p, i as u64))
    }

    fn probe(&self, p: u64, i: usize) -> Probe {
        self.subject("probe", p, i).to_probe()
    }
}

fn id(p: u64) -> String {
    format!("P{p:05}")
}

fn gallery_of(pop: &Population, people: u64) -> Gallery {
    let mut g = Gallery::new(GalleryConfig::default());
    let subjects = (0..people).map(|p| pop.subject(&id(p), p, 0)).collect();
    for outcome in g.enroll_many(subjects, DuplicatePolicy::Reject) {
        assert_eq!(outcome.unwrap(), EnrollOutcome::Enrolled);
    }
    g
}

#[test]
fn identification_ranks_the_mate_first_and_the_prefilter_loses_none() {
    let people = 300;
    let pop = Population::new(11, people, 2);
    let g = gallery_of(&pop, people);
    assert_eq!(g.len(), people as usize);
    let mut first = 0;
    for p in 0..people {
        // Fingers only, so that the face cannot rescue a prefilter miss.
        let mut probe = pop.probe(p, 1);
        probe.face = None;
        let hits = g.identify(&probe, 5).unwrap();
        let full = g.identify_exhaustive(&probe, 1).unwrap();
        if full[0].id == id(p) && full[0].is_match {
            assert_eq!(hits[0].id, id(p), "the prefilter lost person {p}");
            assert_eq!(hits[0].comparison, full[0].comparison);
        }
        if hits[0].id == id(p) {
            first += 1;
            assert_eq!(hits[0].comparison.modalities.len(), 2);
        }
    }
    assert!(
        first as f64 >= 0.97 * people as f64,
        "rank-1 {first}/{people}"
    );
    // With the face too, the fused score is higher still.
    let hits = g.identify(&pop.probe(3, 1), 1).unwrap();
    assert_eq!(hits[0].id, id(3));
    assert_eq!(hits[0].comparison.modalities.len(), 3);
    assert!(hits[0].comparison.modality(Modality::Face).unwrap().score > 0.5);
}

#[test]
fn verification_decides_per_claimed_id_with_clear_errors() {
    let pop = Population::new(12, 40, 2);
    let g = gallery_of(&pop, 40);
    let genuine = g.verify(&id(5), &pop.probe(5, 1)).unwrap();
    assert!(genuine.is_match, "{genuine:?}");
    assert_eq!(genuine.comparison.modalities.len(), 3);
    let impostor = g.verify(&id(6), &pop.probe(5, 1)).unwrap();
    assert!(!impostor.is_match, "{impostor:?}");
    assert!(impostor.comparison.fmr() > 1e-4);
    // A face alone decides too.
    let face_only = Probe::new().with_face(pop.face(7, 3));
    assert!(g.verify(&id(7), &face_only).unwrap().is_match);
    assert!(!g.verify(&id(8), &face_only).unwrap().is_match);

    assert!(matches!(
        g.verify("nobody", &pop.probe(5, 1)),
        Err(Error::NotFound(_))
    ));
    let thumb = Probe::new().with_finger(FingerPosition::RightThumb, pop.fingers[0][1].clone());
    let err = g.verify(&id(0), &thumb).unwrap_err().to_string();
    assert!(
        err.contains("shares no modality") && err.contains("right-index"),
        "{err}"
    );
    let wrong_dim = Probe::new().with_face(FaceEmbedding::new(vec![1.0; 64]).unwrap());
    let err = g.verify(&id(0), &wrong_dim).unwrap_err().to_string();
    assert!(err.contains("64 values") && err.contains("128"), "{err}");
    let unknown = Probe::new().with_finger(FingerPosition::Unknown, pop.fingers[0][1].clone());
    assert!(g.identify(&unknown, 3).is_err());
}

#[test]
fn enrollment_tells_the_duplicate_outcomes_apart() {
    let pop = Population::new(13, 60, 3);
    let mut g = gallery_of(&pop, 50);

    // Person 4 again under a new id, from other captures.
    let again = pop.subject("NEW-4", 4, 1);
    let EnrollOutcome::RejectedDuplicate { duplicates } =
        g.enroll(again.clone(), DuplicatePolicy::Reject).unwrap()
    else {
        panic!("not caught")
    };
    assert_eq!(duplicates.len(), 1);
    assert_eq!(duplicates[0].id, id(4));
    assert!(!g.contains("NEW-4"));
    let EnrollOutcome::Flagged { duplicates } = g.enroll(again, DuplicatePolicy::Flag).unwrap()
    else {
        panic!("not caught")
    };
    assert_eq!(duplicates[0].id, id(4));
    let (flagged, note) = g.flag("NEW-4").unwrap();
    assert!(flagged && note.contains(&id(4)), "{note}");

    // The id of person 5 with person 55's biometrics.
    let EnrollOutcome::IdRegisteredWithDifferentBiometrics { comparison } = g
        .enroll(pop.subject(&id(5), 55, 0), DuplicatePolicy::Flag)
        .unwrap()
    else {
        panic!("id conflict not reported")
    };
    assert_eq!(comparison.modalities.len(), 3);
    // The same person and id again.
    assert!(matches!(
        g.enroll(pop.subject(&id(5), 5, 2), DuplicatePolicy::Flag)
            .unwrap(),
        EnrollOutcome::AlreadyEnrolled { .. }
    ));
    // Somebody new.
    assert_eq!(
        g.enroll(pop.subject("NEW-56", 56, 0), DuplicatePolicy::Reject)
            .unwrap(),
        EnrollOutcome::Enrolled
    );
    assert_eq!(g.len(), 52);

    // Invalid subjects are errors, and change nothing.
    assert!(g
        .enroll(Subject::new("EMPTY"), DuplicatePolicy::Flag)
        .is_err());
    assert!(g.enroll(Subject::new(""), DuplicatePolicy::Flag).is_err());
    let bad_face = Subject::new("BAD").with_face(FaceEmbedding::new(vec![1.0; 12]).unwrap());
    assert!(g.enroll(bad_face, DuplicatePolicy::Flag).is_err());
    assert_eq!(g.len(), 52);
}

#[test]
fn update_and_remove_change_what_searches_find() {
    let pop = Population::new(14, 30, 2);
    let mut g = gallery_of(&pop, 20);
    let removed = g.remove(&id(3)).unwrap();
    assert_eq!(removed.id, id(3));
    assert!(matches!(g.remove(&id(3)), Err(Error::NotFound(_))));
    let hits = g.identify(&pop.probe(3, 1), 3).unwrap();
    assert!(
        hits.iter().all(|h| h.id != id(3) && !h.is_match),
        "{hits:?}"
    );
    // The free slot is reused by the next enrollment.
    assert_eq!(
        g.enroll(pop.subject("P-25", 25, 0), DuplicatePolicy::Reject)
            .unwrap(),
        EnrollOutcome::Enrolled
    );
    assert_eq!(g.identify(&pop.probe(25, 1), 1).unwrap()[0].id, "P-25");
    // Person 7's record replaced by person 26's captures.
    g.update(pop.subject(&id(7), 26, 0)).unwrap();
    assert_eq!(g.identify(&pop.probe(26, 1), 1).unwrap()[0].id, id(7));
    assert!(!g.verify(&id(7), &pop.probe(7, 1)).unwrap().is_match);
    assert!(matches!(
        g.update(pop.subject("ABSENT", 27, 0)),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn deduplication_finds_planted_duplicates_and_clusters_them() {
    let people = 120;
    let pop = Population::new(15, people + 10, 3);
    let mut g = gallery_of(&pop, people);
    // Short lists of 10, so that the prefilter's saving shows at this size.
    g.set_config(GalleryConfig {
        min_shortlist: 10,
        shortlist_fraction: 0.05,
        ..GalleryConfig::default()
    })
    .unwrap();
    // Person 10 twice more under new ids (a cluster of three), person 20 once more, with
    // other captures; "SHARED-30" carries person 30's face with person 125's fingers.
    let planted = [
        pop.subject("DUP-10-A", 10, 1),
        pop.subject("DUP-10-B", 10, 2),
        pop.subject("DUP-20", 20, 1),
        Subject::new("SHARED-30")
            .with_finger(RightIndex, pop.fingers[250][0].clone())
            .with_finger(LeftIndex, pop.fingers[251][0].clone())
            .with_face(pop.face(30, 1)),
    ];
    for s in planted {
        assert!(g.enroll(s, DuplicatePolicy::Flag).unwrap().is_stored());
    }
    // Two people's right index fingers under one id.
    let mixed = Subject::new("MIXED")
        .with_finger(RightIndex, pop.fingers[252][0].clone())
        .with_finger(RightIndex, pop.fingers[254][0].clone());
    assert_eq!(
        g.enroll(mixed, DuplicatePolicy::Reject).unwrap(),
        EnrollOutcome::Enrolled
    );

    let report = g.deduplicate().unwrap();
    let mut pairs: Vec<(String, String)> = report
        .pairs
        .iter()
        .map(|p| (p.a.clone(), p.b.clone()))
        .collect();
    pairs.sort();
    let want: Vec<(String, String)> = [
        ("DUP-10-A", "DUP-10-B"),
        ("P00010", "DUP-10-A"),
        ("P00010", "DUP-10-B"),
        ("P00020", "DUP-20"),
        ("P00030", "SHARED-30"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect::<std::collections::BTreeSet<_>>()
    .into_iter()
    .collect();
    assert_eq!(pairs, want);
    assert_eq!(report.clusters.len(), 3);
    assert_eq!(report.clusters[0], ["P00010", "DUP-10-A", "DUP-10-B"]);
    // The evidence says what matched: fingers and face for the re-enrollment, the face
    // alone for the shared record.
    let shared = report.pairs.iter().find(|p| p.b == "SHARED-30").unwrap();
    assert_eq!(shared.matched(1e-4), [Modality::Face]);
    let dup = report.pairs.iter().find(|p| p.b == "DUP-20").unwrap();
    assert_eq!(
        dup.matched(1e-4),
        [
            Modality::Finger(RightIndex),
            Modality::Finger(LeftIndex),
            Modality::Face
        ]
    );
    assert_eq!(report.inconsistent.len(), 1);
    assert_eq!(report.inconsistent[0].id, "MIXED");
    assert_eq!(report.subjects, people as usize + 5);
    // The prefilter and the face join keep the full comparisons far below all pairs.
    assert!(
        report.compared < report.subjects * report.subjects / 8,
        "{}",
        report.compared
    );
}

#[test]
fn deduplication_without_faces_finds_a_planted_duplicate() {
    // Fingers only, enrolled one by one: the prefilter alone must bring the pair up.
    let people = 40;
    let pop = Population::new(4, people + 1, 2);
    let mut g = Gallery::new(GalleryConfig {
        min_shortlist: 10,
        ..GalleryConfig::default()
    });
    let fingers = |id: &str, p: usize, i: usize| {
        Subject::new(id)
            .with_finger(RightIndex, pop.fingers[2 * p][i].clone())
            .with_finger(LeftIndex, pop.fingers[2 * p + 1][i].clone())
    };
    for p in 0..people as usize {
        let outcome = g.enroll(fingers(&id(p as u64), p, 0), DuplicatePolicy::Reject);
        assert_eq!(outcome.unwrap(), EnrollOutcome::Enrolled);
    }
    let outcome = g
        .enroll(fingers("DUP-5", 5, 1), DuplicatePolicy::Flag)
        .unwrap();
    assert!(
        matches!(outcome, EnrollOutcome::Flagged { .. }),
        "{outcome:?}"
    );
    let report = g.deduplicate().unwrap();
    assert!(report.compared > 0, "{report:?}");
    let pairs: Vec<(&str, &str)> = report
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    assert_eq!(pairs, [("P00005", "DUP-5")]);
    assert_eq!(report.clusters, [["P00005", "DUP-5"]]);
}

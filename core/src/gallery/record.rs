//! Prepared biometrics of a subject or a probe, and the fused comparison of two of them.

use std::collections::BTreeMap;

use super::fusion::{Comparison, Modality, ModalityScore, TailModel};
use super::subject::{Probe, Subject};
use crate::face::FaceEmbedding;
use crate::matcher::{Matcher, PreparedTemplate};
use crate::template::FingerPosition;

/// Biometrics made ready to compare: every impression prepared for the matcher.
#[derive(Debug, Clone, Default)]
pub(crate) struct Record {
    pub fingers: BTreeMap<FingerPosition, Vec<PreparedTemplate>>,
    pub face: Option<FaceEmbedding>,
}

impl Record {
    pub fn from_subject(subject: &Subject) -> Record {
        Record {
            fingers: subject
                .fingers
                .iter()
                .map(|(&p, views)| (p, views.iter().map(PreparedTemplate::new).collect()))
                .collect(),
            face: subject.face.clone(),
        }
    }

    pub fn from_probe(probe: &Probe) -> Record {
        Record {
            fingers: probe
                .fingers
                .iter()
                .map(|(&p, t)| (p, vec![PreparedTemplate::new(t)]))
                .collect(),
            face: probe.face.clone(),
        }
    }
}

/// The two calibrations a comparison needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Models<'a> {
    pub finger: &'a TailModel,
    pub face: &'a TailModel,
}

/// Compares two records over every modality both have: each shared finger by its best
/// impression pair, and the face; then fuses.
pub(crate) fn compare(a: &Record, b: &Record, matcher: &mut Matcher, models: Models) -> Comparison {
    let mut modalities = Vec::with_capacity(a.fingers.len() + 1);
    for (position, views_a) in &a.fingers {
        let Some(views_b) = b.fingers.get(position) else {
            continue;
        };
        let mut best = 0.0f32;
        for x in views_a {
            for y in views_b {
                best = best.max(matcher.score(x, y));
            }
        }
        modalities.push(ModalityScore {
            modality: Modality::Finger(*position),
            score: best,
            evidence: models.finger.evidence(best, views_a.len() * views_b.len()),
        });
    }
    if let (Some(fa), Some(fb)) = (&a.face, &b.face) {
        // Same dimension: both were checked against the gallery's.
        let score = fa.cosine(fb).unwrap_or(0.0);
        modalities.push(ModalityScore {
            modality: Modality::Face,
            score,
            evidence: models.face.evidence(score, 1),
        });
    }
    Comparison::fuse(modalities)
}

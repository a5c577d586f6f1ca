//! 1:1 verification and 1:N identification.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::fusion::Comparison;
use super::prefilter::Candidate;
use super::record::{self, Record};
use super::subject::Probe;
use super::{par_map, par_map_matcher, slot_of_key, Gallery};
use crate::matcher::{Matcher, PreparedTemplate};
use crate::template::FingerPosition;
use crate::{Error, Result};

/// One candidate of an identification, or a suspected duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The registered subject's id.
    pub id: String,
    /// The probe against that subject, per modality and fused.
    pub comparison: Comparison,
    /// Whether the fused score reaches the gallery's `match_fmr`.
    pub is_match: bool,
}

/// The answer of [`Gallery::verify`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// The claimed id.
    pub id: String,
    /// The probe against the record of the claimed id.
    pub comparison: Comparison,
    /// Whether the fused score reaches the gallery's `match_fmr`.
    pub is_match: bool,
}

impl Gallery {
    /// 1:1: compares the probe with the record registered under `id`, over every modality
    /// both have. [`Error::NotFound`] if `id` is not registered; [`Error::InvalidArgument`] if
    /// the probe and the record share no modality (nothing to decide on).
    ///
    /// With a store, the verification is recorded in its audit trail (outcome `match`,
    /// `no-match`, or `unknown-id` for an id not registered), with the probe's hash.
    pub fn verify(&self, id: &str, probe: &Probe) -> Result<Verification> {
        let result = self.verify_unrecorded(id, probe);
        #[cfg(feature = "store")]
        self.record_verification(id, probe, &result)?;
        result
    }

    fn verify_unrecorded(&self, id: &str, probe: &Probe) -> Result<Verification> {
        probe.validate(self.face_dim)?;
        let entry = self
            .entry(id)
            .ok_or_else(|| Error::NotFound(format!("no subject with id {id:?}")))?;
        let comparison = record::compare(
            &Record::from_probe(probe),
            &entry.record,
            &mut Matcher::new(),
            self.models(),
        );
        if comparison.modalities.is_empty() {
            let has: Vec<String> = entry
                .subject
                .finger_positions()
                .map(|p| p.to_string())
                .chain(entry.subject.face.as_ref().map(|_| "face".to_string()))
                .collect();
            return Err(Error::InvalidArgument(format!(
                "the probe shares no modality with {id:?}, which has: {}",
                has.join(", ")
            )));
        }
        Ok(Verification {
            id: id.to_string(),
            is_match: comparison.is_match(self.config.match_fmr),
            comparison,
        })
    }

    /// 1:N: the `k` registered subjects that compare best with the probe, best first, with
    /// fused and per-modality scores. Fingerprint candidates come from the prefilter (a
    /// shortlist per finger, see [`super::GalleryConfig::shortlist_fraction`]) and face
    /// candidates from the face index; each candidate is then compared in full, in parallel.
    pub fn identify(&self, probe: &Probe, k: usize) -> Result<Vec<Hit>> {
        probe.validate(self.face_dim)?;
        Ok(self.search_record(&Record::from_probe(probe), k, None))
    }

    /// [`Gallery::identify`] without the prefilter: every subject compared in full. Slow
    /// (the time of a full comparison per subject); it exists to validate the prefilter.
    pub fn identify_exhaustive(&self, probe: &Probe, k: usize) -> Result<Vec<Hit>> {
        probe.validate(self.face_dim)?;
        let record = Record::from_probe(probe);
        let slots: Vec<u32> = (0..self.slots.len() as u32)
            .filter(|&s| self.slots[s as usize].is_some())
            .collect();
        Ok(self.rank(&record, &slots, k))
    }

    /// The candidate slots of a record: the prefilter's shortlist of each finger and the
    /// nearest faces (with `faces`), without `exclude`, sorted and unique.
    pub(super) fn candidates(
        &self,
        record: &Record,
        exclude: Option<u32>,
        faces: bool,
    ) -> Vec<u32> {
        // One prefilter lookup per impression, in parallel (they are independent).
        let lookups: Vec<(FingerPosition, &super::FingerShard, &PreparedTemplate)> = record
            .fingers
            .iter()
            .filter_map(|(&position, views)| {
                self.shards.get(&position).map(|s| (position, s, views))
            })
            .flat_map(|(position, shard, views)| views.iter().map(move |v| (position, shard, v)))
            .collect();
        let found: Vec<(FingerPosition, Vec<Candidate>)> =
            par_map(&lookups, |&(position, shard, view)| {
                let limit = self.shortlist(shard.templates);
                (position, shard.prefilter.candidates(view, limit))
            });
        let mut slots = self.merge_shortlists(&found);
        if let (Some(face), Some(index), true) = (&record.face, &self.faces, faces) {
            if let Ok(hits) = index.search(face.as_slice(), self.config.face_candidates) {
                slots.extend(hits.into_iter().map(|h| h.id as u32));
            }
        }
        slots.sort_unstable();
        slots.dedup();
        // The prefilter forgets removed templates; this guards against any that it kept.
        slots.retain(|&s| self.slots.get(s as usize).is_some_and(Option::is_some));
        if let Some(x) = exclude {
            slots.retain(|&s| s != x);
        }
        slots
    }

    /// One finger: its whole shortlist. Several fingers: the subjects with the most votes
    /// over all fingers (each finger's votes scaled by its best candidate's), and each
    /// finger's own best few, so that a subject sharing a single finger is still compared.
    fn merge_shortlists(&self, found: &[(FingerPosition, Vec<Candidate>)]) -> Vec<u32> {
        let positions: std::collections::BTreeSet<FingerPosition> =
            found.iter().map(|(p, _)| *p).collect();
        if positions.len() <= 1 {
            return found
                .iter()
                .flat_map(|(_, c)| c.iter().map(|c| slot_of_key(c.key)))
                .collect();
        }
        let subjects = self.by_id.len();
        let fused_limit = ((subjects as f64 * self.config.fused_shortlist_fraction).ceil()
            as usize)
            .max(self.config.min_shortlist);
        let single_limit = ((subjects as f64 * self.config.single_finger_shortlist_fraction).ceil()
            as usize)
            .max(self.config.min_shortlist / 4);
        // Best scaled vote of each (subject, finger).
        let mut best: HashMap<(u32, FingerPosition), f32> = HashMap::new();
        let mut out: Vec<u32> = Vec::new();
        for (position, candidates) in found {
            let top = candidates.first().map_or(0.0, |c| c.votes);
            if top <= 0.0 {
                continue;
            }
            for (rank, c) in candidates.iter().enumerate() {
                let slot = slot_of_key(c.key);
                if rank < single_limit {
                    out.push(slot);
                }
                let v = best.entry((slot, *position)).or_insert(0.0);
                *v = v.max(c.votes / top);
            }
        }
        let mut fused: HashMap<u32, f32> = HashMap::new();
        for ((slot, _), v) in best {
            *fused.entry(slot).or_insert(0.0) += v;
        }
        let mut ranked: Vec<(u32, f32)> = fused.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.extend(ranked.into_iter().take(fused_limit).map(|(s, _)| s));
        out
    }

    pub(super) fn shortlist(&self, templates: usize) -> usize {
        ((templates as f64 * self.config.shortlist_fraction).ceil() as usize)
            .max(self.config.min_shortlist)
    }

    pub(super) fn search_record(
        &self,
        record: &Record,
        k: usize,
        exclude: Option<u32>,
    ) -> Vec<Hit> {
        let slots = self.candidates(record, exclude, true);
        self.rank(record, &slots, k)
    }

    /// Compares the record with every slot in full and keeps the `k` best.
    fn rank(&self, record: &Record, slots: &[u32], k: usize) -> Vec<Hit> {
        let models = self.models();
        let mut scored: Vec<(u32, Comparison)> = par_map_matcher(slots, |m, &slot| {
            let entry = self.slots[slot as usize].as_ref().expect("live slot");
            (slot, record::compare(record, &entry.record, m, models))
        });
        scored.retain(|(_, c)| !c.modalities.is_empty());
        scored.sort_by(|a, b| b.1.evidence.total_cmp(&a.1.evidence).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
            .into_iter()
            .map(|(slot, comparison)| Hit {
                id: self.slots[slot as usize]
                    .as_ref()
                    .expect("live slot")
                    .subject
                    .id
                    .clone(),
                is_match: comparison.is_match(self.config.match_fmr),
                comparison,
            })
            .collect()
    }
}

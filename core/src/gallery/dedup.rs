//! N-by-N deduplication: every pair of subjects whose biometrics match, grouped into
//! clusters, and records whose own impressions disagree.

use serde::{Deserialize, Serialize};

use super::fusion::{Comparison, Modality};
use super::record;
use super::{par_map, par_map_matcher, Gallery};
use crate::matcher::Matcher;
use crate::template::FingerPosition;
use crate::Result;

/// Two subjects whose biometrics match: the same person registered twice, or two records
/// sharing someone's biometrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicatePair {
    /// One id (the one enrolled first, by slot).
    pub a: String,
    /// The other id.
    pub b: String,
    /// The evidence: each shared modality's score, and the fused score.
    pub comparison: Comparison,
}

impl DuplicatePair {
    /// The modalities that match on their own at `fmr` (which fingers, the face).
    pub fn matched(&self, fmr: f64) -> Vec<Modality> {
        self.comparison
            .matching_modalities(fmr)
            .map(|m| m.modality)
            .collect()
    }
}

/// A record whose impressions of one finger do not match each other: two people's fingers
/// under one id, or a mislabelled finger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inconsistency {
    /// The subject.
    pub id: String,
    /// The finger.
    pub finger: FingerPosition,
    /// The lowest score between two of its impressions.
    pub score: f32,
}

/// The result of [`Gallery::deduplicate`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DedupReport {
    /// Suspected duplicate pairs, strongest first.
    pub pairs: Vec<DuplicatePair>,
    /// Groups of two or more ids linked by the pairs (connected components), largest first,
    /// ids in slot order.
    pub clusters: Vec<Vec<String>>,
    /// Records whose own impressions of a finger disagree.
    pub inconsistent: Vec<Inconsistency>,
    /// Subjects examined.
    pub subjects: usize,
    /// Pairs compared in full (after the prefilter and the face join).
    pub compared: usize,
}

impl Gallery {
    /// Every pair of subjects whose fused comparison reaches the gallery's `duplicate_fmr`,
    /// grouped into clusters; plus every record whose impressions of one finger do not match
    /// each other at `match_fmr`.
    ///
    /// Candidates: for each subject, the fingerprint prefilter's shortlist of each of its
    /// impressions, and every pair whose faces reach the score of `dedup_face_fmr` (the face
    /// index's all-pairs join); each candidate pair is then compared in full over every
    /// shared modality, in parallel.
    pub fn deduplicate(&self) -> Result<DedupReport> {
        let live: Vec<u32> = (0..self.slots.len() as u32)
            .filter(|&s| self.slots[s as usize].is_some())
            .collect();
        let mut pairs: Vec<(u32, u32)> = par_map(&live, |&slot| {
            let entry = self.slots[slot as usize].as_ref().expect("live slot");
            self.candidates(&entry.record, Some(slot), false)
                .into_iter()
                .map(|other| (slot.min(other), slot.max(other)))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
        if let Some(faces) = &self.faces {
            let threshold = self
                .config
                .face_model
                .score_for(-self.config.dedup_face_fmr.log10());
            for p in faces.join(threshold)? {
                let (a, b) = (p.a as u32, p.b as u32);
                pairs.push((a.min(b), a.max(b)));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let models = self.models();
        let duplicate_fmr = self.config.duplicate_fmr;
        let compared = pairs.len();
        let found: Vec<Option<(u32, u32, Comparison)>> = par_map_matcher(&pairs, |m, &(a, b)| {
            let (ea, eb) = (
                self.slots[a as usize].as_ref().expect("live slot"),
                self.slots[b as usize].as_ref().expect("live slot"),
            );
            let c = record::compare(&ea.record, &eb.record, m, models);
            c.is_match(duplicate_fmr).then_some((a, b, c))
        });
        let mut found: Vec<(u32, u32, Comparison)> = found.into_iter().flatten().collect();
        found.sort_by(|x, y| {
            y.2.evidence
                .total_cmp(&x.2.evidence)
                .then((x.0, x.1).cmp(&(y.0, y.1)))
        });

        let mut sets = UnionFind::new(self.slots.len());
        for (a, b, _) in &found {
            sets.union(*a, *b);
        }
        let id = |s: u32| {
            self.slots[s as usize]
                .as_ref()
                .expect("live slot")
                .subject
                .id
                .clone()
        };
        let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for (a, b, _) in &found {
            for s in [*a, *b] {
                groups.entry(sets.find(s)).or_default().push(s);
            }
        }
        let mut clusters: Vec<Vec<String>> = groups
            .into_values()
            .map(|mut members| {
                members.sort_unstable();
                members.dedup();
                members.into_iter().map(id).collect()
            })
            .collect();
        clusters.sort_by_key(|c| std::cmp::Reverse(c.len()));

        let inconsistent = self.inconsistencies(&live);
        Ok(DedupReport {
            pairs: found
                .into_iter()
                .map(|(a, b, comparison)| DuplicatePair {
                    a: id(a),
                    b: id(b),
                    comparison,
                })
                .collect(),
            clusters,
            inconsistent,
            subjects: live.len(),
            compared,
        })
    }

    fn inconsistencies(&self, live: &[u32]) -> Vec<Inconsistency> {
        let bans = -self.config.match_fmr.log10();
        let model = &self.config.finger_model;
        let found: Vec<Vec<Inconsistency>> = par_map_matcher(live, |m: &mut Matcher, &slot| {
            let entry = self.slots[slot as usize].as_ref().expect("live slot");
            let mut out = Vec::new();
            for (&finger, views) in &entry.record.fingers {
                let mut lowest = f32::INFINITY;
                for i in 0..views.len() {
                    for j in i + 1..views.len() {
                        lowest = lowest.min(m.score(&views[i], &views[j]));
                    }
                }
                if lowest.is_finite() && model.evidence(lowest, 1) < bans {
                    out.push(Inconsistency {
                        id: entry.subject.id.clone(),
                        finger,
                        score: lowest,
                    });
                }
            }
            out
        });
        found.into_iter().flatten().collect()
    }
}

/// Disjoint sets over slots, with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

#[cfg(test)]
mod union_find_tests {
    use super::UnionFind;

    #[test]
    fn components_are_transitive_and_separate() {
        let mut u = UnionFind::new(6);
        u.union(0, 1);
        u.union(2, 1);
        u.union(4, 5);
        assert_eq!(u.find(0), u.find(2));
        assert_eq!(u.find(4), u.find(5));
        assert_ne!(u.find(0), u.find(4));
        assert_ne!(u.find(3), u.find(0));
    }
}

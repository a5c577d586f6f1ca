//! PLACEHOLDER, replaced when the prefilter branch lands: returns every template (a full scan).
use crate::matcher::PreparedTemplate;
/// Config.
#[derive(Debug, Clone, Default)]
pub struct PrefilterConfig {}
/// Candidate.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// k
    pub key: u32,
    /// v
    pub votes: f32,
}
/// Prefilter.
#[derive(Debug, Clone, Default)]
pub struct FingerPrefilter {
    keys: Vec<u32>,
}
impl FingerPrefilter {
    /// new
    pub fn new(_c: PrefilterConfig) -> Self {
        Self::default()
    }
    /// insert
    pub fn insert(&mut self, key: u32, _t: &PreparedTemplate) {
        self.keys.push(key)
    }
    /// remove
    pub fn remove(&mut self, key: u32) {
        self.keys.retain(|&k| k != key)
    }
    /// candidates
    pub fn candidates(&self, _p: &PreparedTemplate, limit: usize) -> Vec<Candidate> {
        {
            let _ = limit;
            self.keys.iter()
        }
        .map(|&key| Candidate { key, votes: 1.0 })
        .collect()
    }
    /// memory
    pub fn memory_bytes(&self) -> usize {
        self.keys.len() * 4
    }
}

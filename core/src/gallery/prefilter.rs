//! Candidate prefilter for 1:N fingerprint identification: Minutia Cylinder-Code indexing by
//! locality-sensitive hashing (after Cappelli, Ferrara and Maltoni, "Fingerprint indexing
//! based on Minutia Cylinder-Code", IEEE TPAMI 2011), with MinHash in place of bit sampling.
//!
//! A [`FingerPrefilter`] holds, for each enrolled template, its cylinders hashed by
//! [`PrefilterConfig::hash_functions`] functions. A function's bucket key combines
//! [`PrefilterConfig::minhashes_per_key`] MinHash values of the cylinder's set bits (each: the
//! first set bit under a fixed random permutation of the 1,536 bits, drawn from the seed), so
//! two cylinders collide with probability about J^b, J being the Jaccard similarity of their
//! set bits. For a probe, [`FingerPrefilter::candidates`] looks up the buckets of each of its
//! cylinders. A collision weighs `4 ln(1 / f)` (f: the bucket's share of all enrolled
//! cylinders, so rare buckets count more); for each probe cylinder, each gallery template
//! gets the summed weight of its best-colliding cylinder; a template's votes are the sum
//! over probe cylinders divided by the square root of its own number of cylinders (large
//! templates otherwise collect chance votes). The templates with the most votes form the
//! shortlist that the full [`crate::matcher::Matcher`] then scores.
//!
//! ## Why MinHash
//! Binary cylinders are sparse: on synthetic templates about 8% of a valid cell's bits are
//! set in the layers of directions parallel or opposite to the central minutia, 0–3% across
//! it. Bit sampling (the paper's LSH) then puts most cylinders in the all-zero bucket: 24
//! sampled bits gave 59% of mates in the top 1% of 2,000, at 35 ms a lookup. MinHash only
//! looks at set bits.
//!
//! ## Measured (synthetic templates-only, `--bin prefilter`, 2 cores shared with other builds)
//! Default (`minhashes_per_key: 2`): mate in the shortlist for 99.6 / 99.8 / 99.9 / 100% of
//! probes at 0.5 / 1 / 2 / 5% of a 2,000 gallery; at 100,000 templates 560 ms per
//! [`FingerPrefilter::candidates`] call on one thread, 5.4 KB per template, 0.4 ms per
//! insertion. `minhashes_per_key: 3` is five times faster (110 ms at 100,000, 6.2 KB per
//! template: more distinct buckets) but finds fewer mates (98.7 / 99.5% at 1 / 5%). Skipping
//! large buckets ([`PrefilterConfig::max_bucket_share`]) speeds lookups but loses mates
//! (97.2% at 1% with a share of 0.001): mates often collide in common buckets.
//!
//! ## Storage
//! Each hash function has a table: a compact array of (bucket key, cylinder ids), sorted by a
//! mixed key and reached through a small directory, plus a hash map of recent insertions.
//! Insertions go to the map; when it grows past half of the compact part, both are merged (so
//! an insertion costs a constant amortised time). Removal marks the template dead; its
//! entries go at the next merge ([`FingerPrefilter::compact`] forces one).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::matcher::cylinder::{Cylinder, WORDS};
use crate::matcher::PreparedTemplate;

/// Settings of a [`FingerPrefilter`]. Two prefilters hash alike only with equal settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefilterConfig {
    /// Number of hash functions (tables). More find more mates and cost proportionally more
    /// memory and lookup time. At most 255.
    pub hash_functions: usize,
    /// MinHash values combined into each hash function's bucket key, 1 or more. More make
    /// buckets smaller (faster, more selective) but make mates collide less often.
    pub minhashes_per_key: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Lookups skip buckets holding more than this fraction of all enrolled cylinders: such
    /// buckets are slow to read and say little (like stop words in text search). Buckets of
    /// up to [`MIN_BUCKET_CAP`] cylinders are always read, so that a small gallery (where
    /// every bucket is a large share) is still searched.
    pub max_bucket_share: f32,
}

/// Buckets this small are always read, whatever [`PrefilterConfig::max_bucket_share`] says:
/// reading them is cheap, and in a small gallery the share alone would skip every bucket a
/// stored template sits in (it and its mate already make two).
pub const MIN_BUCKET_CAP: usize = 256;

impl PrefilterConfig {
    /// The gallery's setting: three MinHash values per key and buckets above 0.1% of all
    /// cylinders skipped. Six times faster than the default at 10⁵ templates (53 against 568
    /// ms a lookup, one thread) for a little single-finger recall (mate in the top 1% for
    /// 98.8% of 2,000 probes, against 99.8%); a gallery fuses the votes of several fingers,
    /// which recovers it (`--bin gallery`: no mate lost at 10⁵ subjects × 2 fingers).
    pub fn fast() -> Self {
        PrefilterConfig {
            minhashes_per_key: 3,
            max_bucket_share: 0.001,
            ..PrefilterConfig::default()
        }
    }
}

impl Default for PrefilterConfig {
    fn default() -> Self {
        PrefilterConfig {
            hash_functions: 32,
            minhashes_per_key: 2,
            seed: 0x6761_6c74_6f6e,
            max_bucket_share: 1.0,
        }
    }
}

/// One shortlisted template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The key the template was inserted with.
    pub key: u32,
    /// Its votes; only their order is meaningful.
    pub votes: f32,
}

/// Working memory of [`FingerPrefilter::candidates_with`], reusable across calls and
/// prefilters (one per thread).
#[derive(Debug, Clone, Default)]
pub struct PrefilterScratch {
    /// Collisions per gallery cylinder for the current probe cylinder.
    counts: Vec<u16>,
    /// Cylinders with a non-zero count.
    touched: Vec<u32>,
    /// Per template: index + 1 of the last probe cylinder that reached it.
    stamp: Vec<u32>,
    /// Per template: best collision count for that probe cylinder.
    best: Vec<u16>,
    /// Templates reached by the current probe cylinder.
    reached: Vec<u32>,
    /// Votes per template.
    votes: Vec<f32>,
    /// Templates with votes.
    voted: Vec<u32>,
}

impl PrefilterScratch {
    /// Empty working memory; it grows to the size of the largest prefilter it serves.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Identity-like hasher for keys that are already mixed.
#[derive(Debug, Default, Clone, Copy)]
struct MixedKeyHasher(u64);

impl Hasher for MixedKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type PendingMap = HashMap<u32, Vec<u32>, BuildHasherDefault<MixedKeyHasher>>;

/// Spreads bucket keys evenly over u32 (a bijection), so the directory's top bits balance.
#[inline]
fn mix(key: u32) -> u32 {
    let x = key.wrapping_mul(0x9E37_79B1);
    x ^ (x >> 15)
}

/// The buckets of one hash function.
#[derive(Debug, Clone, Default)]
struct Table {
    /// Mixed bucket keys of the compact part, ascending, distinct.
    keys: Vec<u32>,
    /// Bucket i holds `ids[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    /// Cylinder ids, bucket after bucket, ascending within a bucket.
    ids: Vec<u32>,
    /// `directory[b]` = first bucket whose key's top bits are ≥ b.
    directory: Vec<u32>,
    /// Right shift that leaves a key's directory bits.
    shift: u32,
    /// Recent insertions, by mixed key.
    pending: PendingMap,
}

impl Table {
    /// The compact and the recent cylinder ids of a mixed key.
    #[inline]
    fn lookup(&self, mixed: u32) -> (&[u32], &[u32]) {
        let main = if self.keys.is_empty() {
            &[][..]
        } else {
            let b = (mixed >> self.shift) as usize;
            let (lo, hi) = (self.directory[b] as usize, self.directory[b + 1] as usize);
            match self.keys[lo..hi].binary_search(&mixed) {
                Ok(i) => {
                    let i = lo + i;
                    &self.ids[self.starts[i] as usize..self.starts[i + 1] as usize]
                }
                Err(_) => &[][..],
            }
        };
        let recent = self.pending.get(&mixed).map_or(&[][..], |v| &v[..]);
        (main, recent)
    }

    /// Merges the recent insertions into the compact part, renumbering cylinder ids through
    /// `remap` (`u32::MAX` drops the entry).
    fn merge(&mut self, remap: &[u32]) {
        let mut pending: Vec<(u32, Vec<u32>)> =
            std::mem::take(&mut self.pending).into_iter().collect();
        pending.sort_unstable_by_key(|p| p.0);
        let mut keys = Vec::with_capacity(self.keys.len() + pending.len());
        let mut starts = Vec::with_capacity(self.keys.len() + pending.len() + 1);
        let mut ids =
            Vec::with_capacity(self.ids.len() + pending.iter().map(|p| p.1.len()).sum::<usize>());
        starts.push(0u32);
        let mut push =
            |key: u32, main: &[u32], recent: &[u32], keys: &mut Vec<u32>, starts: &mut Vec<u32>| {
                let before = ids.len();
                ids.extend(
                    main.iter()
                        .chain(recent)
                        .map(|&id| remap[id as usize])
                        .filter(|&id| id != u32::MAX),
                );
                if ids.len() > before {
                    keys.push(key);
                    starts.push(ids.len() as u32);
                }
            };
        let (mut i, mut j) = (0, 0);
        while i < self.keys.len() || j < pending.len() {
            let main_key = self.keys.get(i).copied();
            let recent_key = pending.get(j).map(|p| p.0);
            let main_slice =
                |i: usize| &self.ids[self.starts[i] as usize..self.starts[i + 1] as usize];
            match (main_key, recent_key) {
                (Some(a), Some(b)) if a == b => {
                    push(a, main_slice(i), &pending[j].1, &mut keys, &mut starts);
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a < b => {
                    push(a, main_slice(i), &[], &mut keys, &mut starts);
                    i += 1;
                }
                (Some(a), None) => {
                    push(a, main_slice(i), &[], &mut keys, &mut starts);
                    i += 1;
                }
                (_, Some(b)) => {
                    push(b, &[], &pending[j].1, &mut keys, &mut starts);
                    j += 1;
                }
                (None, None) => unreachable!(),
            }
        }
        keys.shrink_to_fit();
        starts.shrink_to_fit();
        ids.shrink_to_fit();
        // About four buckets per directory slot.
        let bits = (usize::BITS - (keys.len() / 4).max(1).leading_zeros()).min(20);
        let shift = 32 - bits;
        let mut directory = vec![0u32; (1usize << bits) + 1];
        let mut k = 0usize;
        for (b, slot) in directory.iter_mut().enumerate() {
            while k < keys.len() && ((keys[k] as u64) >> shift) < b as u64 {
                k += 1;
            }
            *slot = k as u32;
        }
        self.keys = keys;
        self.starts = starts;
        self.ids = ids;
        self.directory = directory;
        self.shift = shift;
    }

    fn memory_bytes(&self) -> usize {
        let pending: usize = self
            .pending
            .values()
            .map(|v| v.capacity() * 4 + std::mem::size_of::<(u32, Vec<u32>)>() + 1)
            .sum();
        (self.keys.capacity()
            + self.starts.capacity()
            + self.ids.capacity()
            + self.directory.capacity())
            * 4
            + pending
    }
}

/// An enrolled template.
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u32,
    alive: bool,
    cylinders: u32,
}

/// A prefilter over the templates of one finger position (or of any set of templates):
/// shortlists the enrolled templates most likely to match a probe. See the
/// [module documentation](self).
#[derive(Debug, Clone)]
pub struct FingerPrefilter {
    config: PrefilterConfig,
    /// Per hash function, `minhashes_per_key` permutations of the cylinder bits: the rank of
    /// each bit, bit after bit.
    ranks: Vec<Vec<u16>>,
    tables: Vec<Table>,
    /// Template slot of each cylinder id.
    owner: Vec<u32>,
    slots: Vec<Slot>,
    by_key: HashMap<u32, u32>,
    /// Entries in the compact parts and in the recent parts, summed over tables.
    compact_entries: usize,
    pending_entries: usize,
    /// Cylinders of dead templates not yet dropped.
    dead_cylinders: usize,
}

/// A collision in a bucket holding a fraction f of all gallery cylinders weighs
/// `IDF_SCALE · ln(1/f)`, rounded, at least 1.
const IDF_SCALE: f32 = 4.0;

/// Bits of a cylinder.
const BITS: usize = WORDS * 64;

/// Recent entries always allowed before a merge.
const MIN_PENDING: usize = 1 << 16;

impl FingerPrefilter {
    /// An empty prefilter.
    ///
    /// # Panics
    /// If `config.hash_functions` is 0 or above 255, or `config.minhashes_per_key` is 0.
    pub fn new(config: PrefilterConfig) -> Self {
        assert!(
            (1..=255).contains(&config.hash_functions),
            "hash_functions must be 1 to 255"
        );
        assert!(
            config.minhashes_per_key >= 1,
            "minhashes_per_key must be at least 1"
        );
        let mut state = config.seed;
        let ranks = (0..config.hash_functions)
            .map(|_| {
                let mut ranks = Vec::with_capacity(BITS * config.minhashes_per_key);
                for _ in 0..config.minhashes_per_key {
                    let mut perm: Vec<u16> = (0..BITS as u16).collect();
                    for i in (1..BITS).rev() {
                        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
                        perm.swap(i, j);
                    }
                    ranks.extend(perm);
                }
                ranks
            })
            .collect();
        FingerPrefilter {
            config,
            ranks,
            tables: vec![Table::default(); config.hash_functions],
            owner: Vec::new(),
            slots: Vec::new(),
            by_key: HashMap::new(),
            compact_entries: 0,
            pending_entries: 0,
            dead_cylinders: 0,
        }
    }

    /// The settings.
    pub fn config(&self) -> &PrefilterConfig {
        &self.config
    }

    /// Number of enrolled templates.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// True when no template is enrolled.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// True when a template is enrolled under `key`.
    pub fn contains(&self, key: u32) -> bool {
        self.by_key.contains_key(&key)
    }

    /// Bucket keys of a cylinder, one per hash function, into `keys` (left empty for a
    /// cylinder without set bits). `set` is working memory.
    fn buckets(&self, cylinder: &Cylinder, set: &mut Vec<u16>, keys: &mut Vec<u32>) {
        set.clear();
        keys.clear();
        for (w, &word) in cylinder.bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                set.push((w * 64) as u16 + word.trailing_zeros() as u16);
                word &= word - 1;
            }
        }
        if set.is_empty() {
            return;
        }
        for ranks in &self.ranks {
            let mut key = 0u32;
            for perm in ranks.chunks_exact(BITS) {
                let min = set.iter().map(|&b| perm[b as usize]).min().unwrap_or(0);
                key = key.rotate_left(11) ^ min as u32;
            }
            keys.push(mix(key));
        }
    }

    /// Enrolls a template under `key`, replacing any template enrolled under it. A template
    /// without cylinders is enrolled but never shortlisted.
    pub fn insert(&mut self, key: u32, template: &PreparedTemplate) {
        self.remove(key);
        let slot = self.slots.len() as u32;
        self.slots.push(Slot {
            key,
            alive: true,
            cylinders: template.cylinders.len() as u32,
        });
        self.by_key.insert(key, slot);
        let (mut set, mut keys) = (Vec::new(), Vec::new());
        for cylinder in &template.cylinders {
            let id = self.owner.len() as u32;
            self.owner.push(slot);
            self.buckets(cylinder, &mut set, &mut keys);
            for (table, &bucket) in self.tables.iter_mut().zip(&keys) {
                table.pending.entry(bucket).or_default().push(id);
            }
            self.pending_entries += keys.len();
        }
        if self.pending_entries > MIN_PENDING.max(self.compact_entries / 2) {
            self.compact();
        }
    }

    /// Removes the template enrolled under `key`; returns whether there was one. Its memory
    /// is reclaimed at the next merge.
    pub fn remove(&mut self, key: u32) -> bool {
        let Some(slot) = self.by_key.remove(&key) else {
            return false;
        };
        self.slots[slot as usize].alive = false;
        self.dead_cylinders += self.owner.iter().filter(|&&s| s == slot).count();
        if self.dead_cylinders * 4 > self.owner.len() + MIN_PENDING {
            self.compact();
        }
        true
    }

    /// Merges recent insertions into the compact tables and drops removed templates. Done
    /// automatically as the prefilter grows; call it after a bulk load for the fastest
    /// lookups and the smallest memory.
    pub fn compact(&mut self) {
        let mut slot_map = vec![u32::MAX; self.slots.len()];
        let mut slots = Vec::with_capacity(self.by_key.len());
        for (old, s) in self.slots.iter().enumerate() {
            if s.alive {
                slot_map[old] = slots.len() as u32;
                slots.push(*s);
            }
        }
        let mut remap = vec![u32::MAX; self.owner.len()];
        let mut owner = Vec::with_capacity(self.owner.len() - self.dead_cylinders);
        for (old, &s) in self.owner.iter().enumerate() {
            let new_slot = slot_map[s as usize];
            if new_slot != u32::MAX {
                remap[old] = owner.len() as u32;
                owner.push(new_slot);
            }
        }
        #[cfg(feature = "rayon")]
        {
            use rayon::prelude::*;
            self.tables.par_iter_mut().for_each(|t| t.merge(&remap));
        }
        #[cfg(not(feature = "rayon"))]
        self.tables.iter_mut().for_each(|t| t.merge(&remap));
        self.by_key = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key, i as u32))
            .collect();
        self.slots = slots;
        self.owner = owner;
        self.compact_entries = self.tables.iter().map(|t| t.ids.len()).sum();
        self.pending_entries = 0;
        self.dead_cylinders = 0;
    }

    /// The `limit` enrolled templates most likely to match `probe`, most likely first (ties
    /// by key). Templates that share no bucket with the probe are never returned, so fewer may
    /// come back.
    pub fn candidates(&self, probe: &PreparedTemplate, limit: usize) -> Vec<Candidate> {
        self.candidates_with(&mut PrefilterScratch::new(), probe, limit)
    }

    /// [`Self::candidates`] with caller-provided working memory (no large allocation per call).
    pub fn candidates_with(
        &self,
        scratch: &mut PrefilterScratch,
        probe: &PreparedTemplate,
        limit: usize,
    ) -> Vec<Candidate> {
        let s = scratch;
        if s.counts.len() < self.owner.len() {
            s.counts.resize(self.owner.len(), 0);
        }
        let slots = self.slots.len();
        if s.stamp.len() < slots {
            s.stamp.resize(slots, 0);
            s.best.resize(slots, 0);
            s.votes.resize(slots, 0.0);
        }
        s.stamp[..slots].fill(0);
        s.voted.clear();
        let (mut set, mut keys) = (Vec::new(), Vec::new());
        let total = (self.owner.len() - self.dead_cylinders).max(1) as f32;
        let cap = ((self.config.max_bucket_share * total) as usize).max(MIN_BUCKET_CAP);
        for (p, cylinder) in probe.cylinders.iter().enumerate() {
            s.touched.clear();
            self.buckets(cylinder, &mut set, &mut keys);
            for (table, &bucket) in self.tables.iter().zip(&keys) {
                let (main, recent) = table.lookup(bucket);
                let len = main.len() + recent.len();
                if len == 0 || len > cap {
                    continue;
                }
                // The rarer the bucket, the more a collision in it says.
                let q = (IDF_SCALE * (total / len as f32).ln())
                    .round()
                    .clamp(1.0, 255.0) as u16;
                for &id in main.iter().chain(recent) {
                    let c = &mut s.counts[id as usize];
                    if *c == 0 {
                        s.touched.push(id);
                    }
                    *c += q;
                }
            }
            let stamp = p as u32 + 1;
            s.reached.clear();
            for &id in &s.touched {
                let count = std::mem::take(&mut s.counts[id as usize]);
                let slot = self.owner[id as usize] as usize;
                if s.stamp[slot] != stamp {
                    s.stamp[slot] = stamp;
                    s.best[slot] = count;
                    s.reached.push(slot as u32);
                } else if count > s.best[slot] {
                    s.best[slot] = count;
                }
            }
            for &slot in &s.reached {
                let w = s.best[slot as usize] as f32;
                {
                    let v = &mut s.votes[slot as usize];
                    if *v == 0.0 {
                        s.voted.push(slot);
                    }
                    *v += w;
                }
            }
        }
        let mut out: Vec<Candidate> = s
            .voted
            .iter()
            .filter(|&&slot| self.slots[slot as usize].alive)
            .map(|&slot| Candidate {
                key: self.slots[slot as usize].key,
                votes: s.votes[slot as usize] / (self.slots[slot as usize].cylinders as f32).sqrt(),
            })
            .collect();
        for &slot in &s.voted {
            s.votes[slot as usize] = 0.0;
        }
        let order =
            |a: &Candidate, b: &Candidate| b.votes.total_cmp(&a.votes).then(a.key.cmp(&b.key));
        if out.len() > limit && limit > 0 {
            out.select_nth_unstable_by(limit - 1, order);
        }
        out.truncate(limit);
        out.sort_unstable_by(order);
        out
    }

    /// Heap memory held, bytes (tables, bookkeeping; not the scratch of lookups).
    pub fn memory_bytes(&self) -> usize {
        self.tables.iter().map(Table::memory_bytes).sum::<usize>()
            + self.owner.capacity() * 4
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.by_key.capacity() * 9
            + self.ranks.iter().map(|r| r.capacity() * 2).sum::<usize>()
    }
}

/// One SplitMix64 step (the choice of bits must never change with a dependency).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::templates::templates_only;
    use crate::synth::SynthConfig;

    fn prepared(fingers: u64, impressions: usize) -> Vec<Vec<PreparedTemplate>> {
        templates_only(5, 0..fingers, impressions, &SynthConfig::default())
            .iter()
            .map(|f| f.impressions.iter().map(PreparedTemplate::new).collect())
            .collect()
    }

    #[test]
    fn finds_mates_and_follows_insert_remove_replace() {
        let data = prepared(60, 2);
        let mut pf = FingerPrefilter::new(PrefilterConfig::default());
        for (i, f) in data.iter().enumerate() {
            pf.insert(1000 + i as u32, &f[0]);
        }
        assert_eq!(pf.len(), 60);
        let top = |pf: &FingerPrefilter, i: usize| pf.candidates(&data[i][1], 3);
        for i in 0..data.len() {
            assert!(
                top(&pf, i).iter().any(|c| c.key == 1000 + i as u32),
                "finger {i}"
            );
        }
        // Removal, before and after a merge.
        assert!(pf.remove(1000));
        assert!(!pf.remove(1000));
        assert!(!pf.contains(1000));
        assert!(top(&pf, 0).iter().all(|c| c.key != 1000));
        pf.compact();
        assert_eq!(pf.len(), 59);
        assert!(top(&pf, 0).iter().all(|c| c.key != 1000));
        assert!(top(&pf, 1).iter().any(|c| c.key == 1001));
        // Replacing a key's template.
        pf.insert(1001, &data[0][0]);
        assert_eq!(pf.len(), 59);
        assert_eq!(top(&pf, 0)[0].key, 1001);
        assert!(top(&pf, 1).iter().all(|c| c.key != 1001));
        // The same best candidates from the recent and the compact parts (votes differ a
        // little before the merge: removed entries still count in bucket sizes).
        let best = |pf: &FingerPrefilter| {
            (0..data.len())
                .map(|i| top(pf, i)[0].key)
                .collect::<Vec<_>>()
        };
        let before = best(&pf);
        pf.compact();
        let after = best(&pf);
        assert_eq!(before, after);
        assert!(pf.memory_bytes() > 0);
    }

    #[test]
    fn empty_cases() {
        let pf = FingerPrefilter::new(PrefilterConfig::default());
        let data = prepared(1, 1);
        assert!(pf.is_empty());
        assert!(pf.candidates(&data[0][0], 10).is_empty());
        let mut pf = pf;
        pf.insert(7, &PreparedTemplate::default());
        pf.insert(8, &data[0][0]);
        assert_eq!(pf.len(), 2);
        assert!(pf.candidates(&PreparedTemplate::default(), 10).is_empty());
        assert_eq!(pf.candidates(&data[0][0], 0), vec![]);
        assert_eq!(pf.candidates(&data[0][0], 10)[0].key, 8);
    }
}

//! The flattened HNSW graph and the searches over it (no locks: the build mutates it only
//! between its parallel phases).

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::face::kernels::Kernel;
use crate::face::topk::Scored;

/// No upper layers for this node.
const NONE: u32 = u32::MAX;

/// Neighbour lists in compact arrays: a list is one row `[count, slot, slot, …]` of
/// `1 + capacity` `u32`s, so a node's count and neighbours share cache lines.
#[derive(Debug, Clone)]
pub(super) struct Graph {
    /// Most neighbours kept on layer 0 (`2·M`) and above (`M`).
    pub m0: usize,
    pub m: usize,
    /// Row capacities: `m0`/`m` once built; larger while building (see `build::SLACK`).
    pub cap0: usize,
    pub cap: usize,
    /// Layer-0 rows of every node, `n × (1 + cap0)`.
    pub links0: Vec<u32>,
    /// Top layer of every node.
    pub levels: Vec<u8>,
    /// Index in `upper` of a node's layer-1 row ([`NONE`] on layer 0 only); its layer `l`
    /// row follows at `(l − 1) · (1 + cap)`.
    pub upper_at: Vec<u32>,
    pub upper: Vec<u32>,
    /// The entry point (a node on the top layer) and that layer.
    pub entry: Option<u32>,
    pub max_level: usize,
}

impl Graph {
    pub fn new(m: usize, cap0: usize, cap: usize) -> Graph {
        Graph {
            m0: 2 * m,
            m,
            cap0,
            cap,
            links0: Vec::new(),
            levels: Vec::new(),
            upper_at: Vec::new(),
            upper: Vec::new(),
            entry: None,
            max_level: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Most neighbours kept on `layer`.
    pub fn max_degree(&self, layer: usize) -> usize {
        if layer == 0 {
            self.m0
        } else {
            self.m
        }
    }

    /// Row capacity on `layer`.
    pub fn capacity(&self, layer: usize) -> usize {
        if layer == 0 {
            self.cap0
        } else {
            self.cap
        }
    }

    /// Appends a node with empty lists on layers `0..=level`.
    pub fn push(&mut self, level: u8) {
        self.links0.resize(self.links0.len() + 1 + self.cap0, 0);
        self.levels.push(level);
        if level == 0 {
            self.upper_at.push(NONE);
        } else {
            self.upper_at.push(self.upper.len() as u32);
            self.upper
                .resize(self.upper.len() + level as usize * (1 + self.cap), 0);
        }
    }

    fn row_start(&self, node: u32, layer: usize) -> usize {
        if layer == 0 {
            node as usize * (1 + self.cap0)
        } else {
            debug_assert!(layer <= self.levels[node as usize] as usize);
            self.upper_at[node as usize] as usize + (layer - 1) * (1 + self.cap)
        }
    }

    /// The neighbours of `node` on `layer` (which must be at most its level).
    #[inline]
    pub fn neighbours(&self, node: u32, layer: usize) -> &[u32] {
        let start = self.row_start(node, layer);
        let store = if layer == 0 {
            &self.links0
        } else {
            &self.upper
        };
        let count = store[start] as usize;
        &store[start + 1..start + 1 + count]
    }

    /// Replaces the list of `node` on `layer` (at most its capacity).
    pub fn set(&mut self, node: u32, layer: usize, list: &[u32]) {
        assert!(list.len() <= self.capacity(layer));
        let start = self.row_start(node, layer);
        let store = if layer == 0 {
            &mut self.links0
        } else {
            &mut self.upper
        };
        store[start] = list.len() as u32;
        store[start + 1..start + 1 + list.len()].copy_from_slice(list);
    }

    /// The same lists in rows of capacity `m0`/`m` (every list must already fit).
    pub fn compact(&mut self) {
        if (self.cap0, self.cap) == (self.m0, self.m) {
            return;
        }
        let mut out = Graph::new(self.m, self.m0, self.m);
        out.entry = self.entry;
        out.max_level = self.max_level;
        for node in 0..self.len() as u32 {
            let level = self.levels[node as usize];
            out.push(level);
            for layer in 0..=level as usize {
                out.set(node, layer, self.neighbours(node, layer));
            }
        }
        *self = out;
    }

    pub fn memory_bytes(&self) -> usize {
        4 * (self.links0.capacity() + self.upper.capacity() + self.upper_at.capacity())
            + self.levels.capacity()
    }
}

/// The vectors a graph links, with the kernel that compares them.
#[derive(Clone, Copy)]
pub(super) struct Space<'a> {
    pub vectors: &'a [f32],
    pub dim: usize,
    pub kernel: Kernel,
}

impl Space<'_> {
    #[inline]
    pub fn vector(&self, row: u32) -> &[f32] {
        let r = row as usize;
        &self.vectors[r * self.dim..(r + 1) * self.dim]
    }

    #[inline]
    pub fn score(&self, query: &[f32], row: u32) -> Scored {
        Scored {
            score: self.kernel.dot_f32(query, self.vector(row)),
            row,
        }
    }
}

/// A visited set for one search at a time: a node is visited when its stamp equals the
/// current generation, so starting a search costs nothing (no O(n) clearing or allocation).
#[derive(Default)]
struct Visited {
    stamps: Vec<u32>,
    generation: u32,
}

impl Visited {
    fn start(&mut self, n: usize) {
        if self.stamps.len() < n {
            self.stamps.resize(n, 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.fill(0);
            self.generation = 1;
        }
    }

    /// Marks `node`; false when it was already marked in this search.
    #[inline]
    fn insert(&mut self, node: u32) -> bool {
        let stamp = &mut self.stamps[node as usize];
        let fresh = *stamp != self.generation;
        *stamp = self.generation;
        fresh
    }
}

thread_local! {
    /// One visited set per thread, reused by every search that thread runs.
    static VISITED: RefCell<Visited> = RefCell::new(Visited::default());
}

/// From `entry` on `layer`, moves to the most similar neighbour until none is better
/// (the paper's SEARCH-LAYER with `ef = 1`, used above the target layer).
pub(super) fn greedy(
    graph: &Graph,
    space: Space,
    query: &[f32],
    entry: Scored,
    layer: usize,
) -> Scored {
    let mut best = entry;
    loop {
        let mut moved = false;
        for &node in graph.neighbours(best.row, layer) {
            let candidate = space.score(query, node);
            if candidate > best {
                best = candidate;
                moved = true;
            }
        }
        if !moved {
            return best;
        }
    }
}

/// The paper's SEARCH-LAYER (Algorithm 2): the `ef` nodes most similar to `query` on `layer`
/// reached from `entries`, best first.
pub(super) fn search_layer(
    graph: &Graph,
    space: Space,
    query: &[f32],
    entries: &[Scored],
    ef: usize,
    layer: usize,
) -> Vec<Scored> {
    VISITED.with(|visited| {
        let mut visited = visited.borrow_mut();
        visited.start(graph.len());
        // `candidates` pops the best, `found` the worst of the `ef` kept.
        let mut candidates: BinaryHeap<Scored> = BinaryHeap::with_capacity(ef * 2);
        let mut found: BinaryHeap<Reverse<Scored>> = BinaryHeap::with_capacity(ef + 1);
        for &e in entries {
            if visited.insert(e.row) {
                candidates.push(e);
                found.push(Reverse(e));
                if found.len() > ef {
                    found.pop();
                }
            }
        }
        while let Some(nearest) = candidates.pop() {
            let worst = found.peek().expect("at least one entry").0;
            if nearest < worst && found.len() >= ef {
                break;
            }
            for &node in graph.neighbours(nearest.row, layer) {
                if !visited.insert(node) {
                    continue;
                }
                let candidate = space.score(query, node);
                if found.len() < ef || candidate > found.peek().expect("not empty").0 {
                    candidates.push(candidate);
                    found.push(Reverse(candidate));
                    if found.len() > ef {
                        found.pop();
                    }
                }
            }
        }
        let mut out: Vec<Scored> = found.into_iter().map(|r| r.0).collect();
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    })
}

/// Descends from the entry point to `layer + 1` greedily and returns where it arrives.
pub(super) fn descend(graph: &Graph, space: Space, query: &[f32], layer: usize) -> Option<Scored> {
    let entry = graph.entry?;
    let mut at = space.score(query, entry);
    for l in (layer + 1..=graph.max_level).rev() {
        at = greedy(graph, space, query, at, l);
    }
    Some(at)
}

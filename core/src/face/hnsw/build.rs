//! Insertion: deterministic batches whose searches run in parallel on the graph as it was
//! before the batch, then whose links are applied (and overflowing lists shrunk) per node.

use super::graph::{descend, search_layer, Graph, Space};
use crate::face::topk::Scored;
use crate::synth::rng::{derive_seed, Rng};

/// Extra slots per list while building: a list overflowing its `M_max` is shrunk by the
/// heuristic only when it exceeds `M_max + M_max / SLACK`, back to `M_max`, so the O(M_max²)
/// shrink is paid once per `M_max / SLACK` reverse links instead of once per link. Lists
/// still over `M_max` at the end of a build are shrunk before the graph is compacted.
pub(super) const SLACK: usize = 4;

/// A batch holds at most `1 / BATCH_FRACTION` of the nodes already inserted: its nodes do
/// not see each other, which costs nothing measurable while batches are this small.
const BATCH_FRACTION: usize = 64;
/// And at most this many nodes.
const MAX_BATCH: usize = 4096;

/// The layer of a node: `⌊−ln(U) · mL⌋` with `mL = 1 / ln(M)`, drawn from the node's own
/// stream so it does not depend on threads or insertion batches.
pub(super) fn draw_level(seed: u64, row: usize, m: usize) -> u8 {
    let u = 1.0 - Rng::new(derive_seed(seed, row as u64)).unit() as f64; // (0, 1]
    (-u.ln() / (m as f64).ln()).floor().min(31.0) as u8
}

/// `f(i)` for every `i` of `range`, in parallel with rayon, in order.
fn map_range<T: Send>(
    range: std::ops::Range<usize>,
    f: impl Fn(usize) -> T + Sync + Send,
) -> Vec<T> {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        range.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "rayon"))]
    range.map(f).collect()
}

/// The paper's SELECT-NEIGHBORS-HEURISTIC (Algorithm 4) without candidate extension:
/// `candidates` (best first, scored against the base node) are kept only when more similar
/// to the base than to every neighbour already kept; with keepPrunedConnections the
/// discarded ones then fill up to `count`, most similar first.
pub(super) fn select(space: Space, candidates: &[Scored], count: usize) -> Vec<u32> {
    let mut kept: Vec<u32> = Vec::with_capacity(count);
    let mut pruned: Vec<u32> = Vec::new();
    for c in candidates {
        if kept.len() >= count {
            break;
        }
        let v = space.vector(c.row);
        if kept
            .iter()
            .all(|&k| space.kernel.dot_f32(v, space.vector(k)) < c.score)
        {
            kept.push(c.row);
        } else {
            pruned.push(c.row);
        }
    }
    let room = count - kept.len();
    kept.extend(pruned.into_iter().take(room));
    kept
}

/// The neighbours `node` should have on `layer` among `members`, shrunk by the heuristic to
/// the layer's `M_max`.
fn shrink(graph: &Graph, space: Space, node: u32, layer: usize, members: &[u32]) -> Vec<u32> {
    let base = space.vector(node);
    let mut scored: Vec<Scored> = members.iter().map(|&r| space.score(base, r)).collect();
    scored.sort_unstable_by(|a, b| b.cmp(a));
    select(space, &scored, graph.max_degree(layer))
}

/// The neighbours a node gets on each layer `0..=min(level, max_level)`, found by searching
/// `graph` (which does not contain it yet).
fn plan(graph: &Graph, space: Space, row: u32, ef_construction: usize) -> Vec<Vec<u32>> {
    let level = graph.levels[row as usize] as usize;
    let query = space.vector(row);
    let top = level.min(graph.max_level);
    let Some(start) = descend(graph, space, query, top) else {
        return Vec::new();
    };
    let mut entries = vec![start];
    let mut lists = vec![Vec::new(); top + 1];
    for layer in (0..=top).rev() {
        let found = search_layer(graph, space, query, &entries, ef_construction, layer);
        lists[layer] = select(space, &found, graph.m);
        entries = found;
    }
    lists
}

/// Inserts rows `range` (already pushed as nodes of `graph`, so far unlinked) as one batch.
pub(super) fn insert_batch(
    graph: &mut Graph,
    space: Space,
    range: std::ops::Range<usize>,
    ef_construction: usize,
) {
    let plans = {
        let g = &*graph;
        map_range(range.clone(), |r| plan(g, space, r as u32, ef_construction))
    };
    // Each new node's own lists, and the reverse links `(layer, target, source)`.
    let mut links: Vec<(usize, u32, u32)> = Vec::new();
    for (row, lists) in range.clone().zip(&plans) {
        for (layer, list) in lists.iter().enumerate() {
            graph.set(row as u32, layer, list);
            links.extend(list.iter().map(|&t| (layer, t, row as u32)));
        }
    }
    links.sort_unstable();
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, link) in links.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if links[g.start].0 == link.0 && links[g.start].1 == link.1 => g.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    let updated = {
        let g = &*graph;
        let links = &links;
        map_range(0..groups.len(), |i| {
            let group = &links[groups[i].clone()];
            let (layer, target) = (group[0].0, group[0].1);
            let mut members = g.neighbours(target, layer).to_vec();
            members.extend(group.iter().map(|l| l.2));
            if members.len() > g.capacity(layer) {
                members = shrink(g, space, target, layer, &members);
            }
            members
        })
    };
    for (group, list) in groups.iter().zip(&updated) {
        let (layer, target, _) = links[group.start];
        graph.set(target, layer, list);
    }
    for row in range {
        let level = graph.levels[row] as usize;
        if graph.entry.is_none() || level > graph.max_level {
            graph.entry = Some(row as u32);
            graph.max_level = level;
        }
    }
}

/// Inserts every node of `graph` (pushed, unlinked) in batches, then shrinks lists still over
/// their `M_max` and compacts the rows.
pub(super) fn build(graph: &mut Graph, space: Space, ef_construction: usize) {
    let n = graph.len();
    let mut done = 0;
    while done < n {
        let size = (done / BATCH_FRACTION).clamp(1, MAX_BATCH).min(n - done);
        insert_batch(graph, space, done..done + size, ef_construction);
        done += size;
    }
    let over: Vec<(u32, usize)> = (0..n as u32)
        .flat_map(|node| (0..=graph.levels[node as usize] as usize).map(move |l| (node, l)))
        .filter(|&(node, l)| graph.neighbours(node, l).len() > graph.max_degree(l))
        .collect();
    let shrunk = {
        let g = &*graph;
        let over = &over;
        map_range(0..over.len(), |i| {
            let (node, layer) = over[i];
            shrink(g, space, node, layer, g.neighbours(node, layer))
        })
    };
    for (&(node, layer), list) in over.iter().zip(&shrunk) {
        graph.set(node, layer, list);
    }
    graph.compact();
}

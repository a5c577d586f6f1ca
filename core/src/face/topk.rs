//! The k best hits of a scan, kept in a small min-heap whose root is the bar a new score must
//! clear.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A scored row. Orders by score, ties broken towards the lower row (which therefore ranks
/// first), so results do not depend on scan order or thread count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub score: f32,
    pub row: u32,
}

impl Eq for Scored {}

impl Ord for Scored {
    /// `Greater` is better: higher score, then lower row.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.row.cmp(&self.row))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the `k` best [`Scored`] pushed into it.
#[derive(Debug, Clone)]
pub(crate) struct TopK {
    k: usize,
    /// Min-heap through `Reverse`: the root is the worst kept.
    heap: BinaryHeap<std::cmp::Reverse<Scored>>,
}

impl TopK {
    pub fn new(k: usize) -> TopK {
        TopK {
            k,
            // k may be anything a caller asks for; the heap grows only with what is pushed.
            heap: BinaryHeap::with_capacity(k.saturating_add(1).min(1024)),
        }
    }

    /// The score a candidate must exceed to enter (−∞ while fewer than k are kept).
    #[inline]
    pub fn bar(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::NEG_INFINITY, |r| r.0.score)
        }
    }

    #[inline]
    pub fn push(&mut self, candidate: Scored) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if candidate > worst.0 {
                worst.0 = candidate;
            }
        }
    }

    /// Pushes `scores[i]` as row `first_row + i`, testing against the bar first.
    #[inline]
    pub fn push_block(&mut self, scores: &[f32], first_row: usize) {
        let mut bar = self.bar();
        for (i, &score) in scores.iter().enumerate() {
            if score >= bar {
                self.push(Scored {
                    score,
                    row: (first_row + i) as u32,
                });
                bar = self.bar();
            }
        }
    }

    pub fn merge(mut self, other: TopK) -> TopK {
        for s in other.heap {
            self.push(s.0);
        }
        self
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let mut v: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.cmp(a));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_in_order_with_ties_to_the_lower_row() {
        let scores = [0.1, 0.9, 0.5, 0.9, -1.0, 0.7, 0.5];
        let mut top = TopK::new(4);
        top.push_block(&scores[..3], 0);
        let mut rest = TopK::new(4);
        rest.push_block(&scores[3..], 3);
        let rows: Vec<u32> = top
            .merge(rest)
            .into_sorted()
            .iter()
            .map(|s| s.row)
            .collect();
        assert_eq!(rows, [1, 3, 5, 2]);
        assert!(TopK::new(0).into_sorted().is_empty());
    }
}

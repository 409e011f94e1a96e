//! Consistent hashing: nodes and keys hashed onto the same circle; a key belongs to the first
//! node point clockwise from it.
//!
//! Why it moves few keys: a new node takes over only the arcs just counter-clockwise of its own
//! points, and only from the nodes that owned those arcs; every other key keeps its owner. With
//! one point per node the arcs are wildly uneven (one node can own three times its share), so each
//! node gets `vnodes` points ("virtual nodes"): the more points, the closer every node's share is
//! to `1/N`, at the price of a bigger table to search.

use crate::hash::hash_str;
use crate::Partitioner;

/// A hash ring with `vnodes` points per node.
///
/// The points are rebuilt from the node names on every change, and two points that land on the
/// same hash are ordered by node name, so the same set of nodes always gives the same ring, no
/// matter in which order the nodes were added.
#[derive(Debug, Clone)]
pub struct Ring {
    vnodes: u32,
    /// Sorted by name; `points` refer to nodes by their index here.
    nodes: Vec<String>,
    /// How far each node's points are turned from where their hashes put them (0 unless an
    /// operator moved the node's tokens, as `nodetool move` does), parallel to `nodes`.
    offsets: Vec<u64>,
    /// `(position, index into nodes)`, sorted by position, then by node.
    points: Vec<(u64, usize)>,
}

impl Ring {
    /// An empty ring that will give each node `vnodes` points (at least one).
    pub fn new(vnodes: u32) -> Self {
        Self {
            vnodes: vnodes.max(1),
            nodes: Vec::new(),
            offsets: Vec::new(),
            points: Vec::new(),
        }
    }

    /// A ring holding `nodes`, each with `vnodes` points.
    pub fn with_nodes<S: AsRef<str>>(nodes: &[S], vnodes: u32) -> Self {
        Self::from_names(
            nodes.iter().map(|n| n.as_ref().to_string()).collect(),
            vnodes,
        )
    }

    /// The work of [`with_nodes`](Self::with_nodes), kept out of the generic function so it is
    /// compiled (optimized) once in this crate rather than in every snippet that calls it, and so
    /// the ring is built once rather than once per node.
    fn from_names(mut nodes: Vec<String>, vnodes: u32) -> Self {
        nodes.sort_unstable();
        nodes.dedup();
        let mut ring = Self::new(vnodes);
        ring.offsets = vec![0; nodes.len()];
        ring.nodes = nodes;
        ring.rebuild();
        ring
    }

    /// Puts `node`'s points on the ring; returns `false` if it was already there.
    pub fn add_node(&mut self, node: &str) -> bool {
        match self
            .nodes
            .binary_search_by(|existing| existing.as_str().cmp(node))
        {
            Ok(_) => false,
            Err(index) => {
                self.nodes.insert(index, node.to_string());
                self.offsets.insert(index, 0);
                self.rebuild();
                true
            }
        }
    }

    /// Takes `node`'s points off the ring; its arcs fall to the next point clockwise of each.
    /// Returns `false` if it was not there.
    pub fn remove_node(&mut self, node: &str) -> bool {
        match self
            .nodes
            .binary_search_by(|existing| existing.as_str().cmp(node))
        {
            Ok(index) => {
                self.nodes.remove(index);
                self.offsets.remove(index);
                self.rebuild();
                true
            }
            Err(_) => false,
        }
    }

    /// Points per node: the knob that trades table size for even load.
    pub fn vnodes(&self) -> u32 {
        self.vnodes
    }

    /// Changes the number of points per node (at least one) and rebuilds the ring.
    pub fn set_vnodes(&mut self, vnodes: u32) {
        self.vnodes = vnodes.max(1);
        self.rebuild();
    }

    /// Turns every point of `node` clockwise by `delta` (a wrapping distance on the 64-bit
    /// circle): the keys just behind its new positions become its own, and those it passed go to
    /// the neighbours. Returns `false` if `node` is not on the ring.
    ///
    /// Why a node moves all its points together: it is one operation an operator (or the widget's
    /// drag) performs on one node, and it keeps the ring a function of names plus offsets.
    pub fn rotate_node(&mut self, node: &str, delta: u64) -> bool {
        match self
            .nodes
            .binary_search_by(|existing| existing.as_str().cmp(node))
        {
            Ok(index) => {
                self.offsets[index] = self.offsets[index].wrapping_add(delta);
                self.rebuild();
                true
            }
            Err(_) => false,
        }
    }

    /// How far `node`'s points are turned from their hashed positions (0 if never moved, or not a
    /// node).
    pub fn offset(&self, node: &str) -> u64 {
        self.nodes
            .iter()
            .position(|n| n == node)
            .map_or(0, |index| self.offsets[index])
    }

    /// Every point clockwise from position 0, with the node it belongs to: what the widget draws.
    pub fn points(&self) -> impl Iterator<Item = (u64, &str)> + '_ {
        self.points
            .iter()
            .map(|&(position, node)| (position, self.nodes[node].as_str()))
    }

    /// Where virtual node `index` of `node` sits: the hash of `"<node>#<index>"`.
    pub fn point_position(node: &str, index: u32) -> u64 {
        let mut label = String::new();
        Self::point_label(&mut label, node, index);
        hash_str(&label)
    }

    /// Writes `"<node>#<index>"` into `label`, reusing its allocation.
    fn point_label(label: &mut String, node: &str, index: u32) {
        use std::fmt::Write;
        label.clear();
        label.push_str(node);
        // Writing to a String cannot fail.
        let _ = write!(label, "#{index}");
    }

    fn rebuild(&mut self) {
        self.points.clear();
        self.points.reserve(self.nodes.len() * self.vnodes as usize);
        let mut label = String::new();
        for (node_index, node) in self.nodes.iter().enumerate() {
            for vnode in 0..self.vnodes {
                Self::point_label(&mut label, node, vnode);
                let position = hash_str(&label).wrapping_add(self.offsets[node_index]);
                self.points.push((position, node_index));
            }
        }
        // Ties (two points on one hash) go to the node that sorts first, so the ring depends
        // only on the set of nodes.
        self.points.sort_unstable();
    }
}

impl Partitioner for Ring {
    fn owner(&self, key: &str) -> Option<&str> {
        if self.points.is_empty() {
            return None;
        }
        let position = hash_str(key);
        // The first point at or after the key's position; past the last point, wrap to the first.
        let next = self.points.partition_point(|&(point, _)| point < position);
        let (_, node) = self.points[next % self.points.len()];
        Some(&self.nodes[node])
    }

    fn nodes(&self) -> Vec<&str> {
        self.nodes.iter().map(String::as_str).collect()
    }
}

/// How many times its fair share the busiest of `nodes` nodes owns, on average, with one random
/// point each: the harmonic number H_N = 1 + 1/2 + … + 1/N (about ln N + 0.58).
///
/// Why H_N: N random points cut the circle into N arcs, and the largest of N such arcs is on
/// average H_N / N of the circle, against a fair share of 1 / N.
pub fn largest_arc_factor(nodes: usize) -> f64 {
    (1..=nodes).map(|k| 1.0 / k as f64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{keys_moved, load, Workload};

    #[test]
    fn growing_four_to_five_moves_about_one_fifth_of_keys() {
        let workload = Workload::uniform(10_000);
        let before = Ring::with_nodes(&["A", "B", "C", "D"], 100);
        let mut after = before.clone();
        after.add_node("E");
        let moves = keys_moved(&before, &after, workload.keys());
        // Expected 1/5 = 20%; with 100 vnodes the new node's share varies by about 10% of that.
        assert!((0.14..0.26).contains(&moves.fraction()), "{moves}");
    }

    #[test]
    fn more_vnodes_means_less_skew() {
        let workload = Workload::uniform(10_000);
        let nodes = ["A", "B", "C", "D", "E"];
        let one = load(&Ring::with_nodes(&nodes, 1), workload.keys()).skew();
        let many = load(&Ring::with_nodes(&nodes, 500), workload.keys()).skew();
        assert!(
            one > 1.5,
            "one point per node should be badly skewed, got {one:.2}"
        );
        assert!(
            many < 1.15,
            "500 points per node should be near even, got {many:.2}"
        );
    }

    #[test]
    fn insertion_order_does_not_matter() {
        let forward = Ring::with_nodes(&["A", "B", "C"], 50);
        let backward = Ring::with_nodes(&["C", "B", "A"], 50);
        for key in Workload::uniform(1_000).keys() {
            assert_eq!(forward.owner(key), backward.owner(key));
        }
    }

    #[test]
    fn turning_a_node_moves_keys_only_to_or_from_it() {
        let workload = Workload::uniform(10_000);
        let before = Ring::with_nodes(&["A", "B", "C", "D"], 1);
        let mut after = before.clone();
        assert!(after.rotate_node("B", u64::MAX / 20));
        let moves = keys_moved(&before, &after, workload.keys());
        assert!(moves.moved > 0);
        for key in workload.keys() {
            let (old, new) = (before.owner(key), after.owner(key));
            assert!(old == new || old == Some("B") || new == Some("B"), "{key}");
        }
        // Turning it back restores every owner; the offset survives other nodes joining.
        after.rotate_node("B", (u64::MAX / 20).wrapping_neg());
        assert_eq!(keys_moved(&before, &after, workload.keys()).moved, 0);
        after.rotate_node("B", 7);
        after.add_node("E");
        assert_eq!(after.offset("B"), 7);
    }

    #[test]
    fn the_busiest_of_n_single_point_nodes_owns_about_h_n_shares() {
        // The consistent-hashing page quotes these three.
        let shown: Vec<String> = [4, 10, 100]
            .map(|n| format!("{:.1}", largest_arc_factor(n)))
            .to_vec();
        assert_eq!(shown, ["2.1", "2.9", "5.2"]);
        // And the ring agrees, on average over many differently named 10-node clusters.
        let keys = Workload::uniform(10_000);
        let mean: f64 = (0..64)
            .map(|c| {
                let nodes: Vec<String> = (0..10).map(|i| format!("h{c}-{i}")).collect();
                load(&Ring::with_nodes(&nodes, 1), keys.keys()).skew()
            })
            .sum::<f64>()
            / 64.0;
        assert!((mean - largest_arc_factor(10)).abs() < 0.3, "{mean:.2}");
    }

    #[test]
    fn zero_vnodes_means_one() {
        let ring = Ring::with_nodes(&["A"], 0);
        assert_eq!(ring.vnodes(), 1);
        assert_eq!(ring.owner("anything"), Some("A"));
    }
}

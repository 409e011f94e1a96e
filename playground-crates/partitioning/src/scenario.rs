//! A cluster you change one step at a time, reporting after each step which keys moved, the load
//! per node and the skew. The hash-ring widget is a drawing of a `Scenario`; a snippet can drive
//! the same steps and print the same numbers.
//!
//! Load here is request load: every key has a request count drawn from the workload (seeded), so
//! a Zipfian workload shows the hot key's node standing out even when keys are spread evenly.

use crate::measure::{weighted_load, Load, Moves};
use crate::triage::{triage, TrafficShape, Triage};
use crate::{ModN, Partitioner, Rendezvous, Ring, Workload};
use std::collections::BTreeMap;

/// Nodes are provisioned for this skew: each can serve 1.5 times the average load of the cluster
/// it started in. The widget draws it as the capacity line on the load bars.
pub const SKEW_BUDGET: f64 = 1.5;

/// Which partitioning rule the scenario uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `hash(key) % N`: see [`crate::mod_n`].
    ModN,
    /// Consistent hashing with `vnodes` points per node: see [`crate::ring`].
    Ring {
        /// Points per node.
        vnodes: u32,
    },
    /// Highest-random-weight hashing: see [`crate::rendezvous`].
    Rendezvous,
}

/// The partitioner a scheme builds; one type so a scenario can switch schemes in place.
#[derive(Debug, Clone)]
enum Layout {
    ModN(ModN),
    Ring(Ring),
    Rendezvous(Rendezvous),
}

impl Layout {
    fn build(scheme: Scheme, nodes: &[String], offsets: &BTreeMap<String, u64>) -> Self {
        match scheme {
            Scheme::ModN => Layout::ModN(ModN::with_nodes(nodes)),
            Scheme::Ring { vnodes } => {
                let mut ring = Ring::with_nodes(nodes, vnodes);
                for (node, &offset) in offsets {
                    ring.rotate_node(node, offset);
                }
                Layout::Ring(ring)
            }
            Scheme::Rendezvous => Layout::Rendezvous(Rendezvous::with_nodes(nodes)),
        }
    }

    fn as_partitioner(&self) -> &dyn Partitioner {
        match self {
            Layout::ModN(layout) => layout,
            Layout::Ring(layout) => layout,
            Layout::Rendezvous(layout) => layout,
        }
    }
}

/// A hot key made on purpose by [`Scenario::melt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HotKey {
    index: usize,
    extra_requests: u64,
    shape: TrafficShape,
}

/// A cluster of named nodes, a set of keys with request counts, and a partitioning scheme.
#[derive(Debug, Clone)]
pub struct Scenario {
    scheme: Scheme,
    /// In the order they joined: mod-N's slot order.
    nodes: Vec<String>,
    layout: Layout,
    workload: Workload,
    requests: usize,
    seed: u64,
    request_counts: Vec<u64>,
    node_capacity: f64,
    last_moved: Vec<usize>,
    hot_key: Option<HotKey>,
    /// Ring only: how far each moved node's points are turned (see [`Ring::rotate_node`]).
    offsets: BTreeMap<String, u64>,
}

impl Scenario {
    /// `nodes` partitioned by `scheme`, serving `requests` requests drawn from `workload` with
    /// `seed`. Each node's capacity is fixed now, at [`SKEW_BUDGET`] times this cluster's average
    /// load, and stays fixed as nodes come and go (hardware does not grow when a neighbour joins).
    pub fn new<S: AsRef<str>>(
        scheme: Scheme,
        nodes: &[S],
        workload: Workload,
        requests: usize,
        seed: u64,
    ) -> Self {
        let nodes: Vec<String> = nodes.iter().map(|n| n.as_ref().to_string()).collect();
        let request_counts = workload.request_counts(requests, seed);
        Self {
            scheme,
            layout: Layout::build(scheme, &nodes, &BTreeMap::new()),
            node_capacity: SKEW_BUDGET * requests as f64 / nodes.len().max(1) as f64,
            nodes,
            workload,
            requests,
            seed,
            request_counts,
            last_moved: Vec::new(),
            hot_key: None,
            offsets: BTreeMap::new(),
        }
    }

    /// The partitioner as it stands, for any measurement in [`crate::measure`].
    pub fn partitioner(&self) -> &dyn Partitioner {
        self.layout.as_partitioner()
    }

    /// The current scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The keys and their popularity.
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// The nodes, sorted by name: the order of [`owners`](Self::owners) and of [`load`](Self::load).
    pub fn nodes(&self) -> Vec<&str> {
        let mut sorted: Vec<&str> = self.nodes.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        sorted
    }

    /// The first single letter `A`..`Z` not yet used as a node name: what "add a node" adds.
    pub fn next_node_name(&self) -> Option<String> {
        ('A'..='Z')
            .map(String::from)
            .find(|name| !self.nodes.contains(name))
    }

    /// Adds `node` and reports the keys that moved, or `None` if it was already there.
    pub fn add_node(&mut self, node: &str) -> Option<Moves> {
        if self.nodes.iter().any(|existing| existing == node) {
            return None;
        }
        let mut nodes = self.nodes.clone();
        nodes.push(node.to_string());
        Some(self.change_to(self.scheme, nodes))
    }

    /// Removes `node` and reports the keys that moved, or `None` if it was not there or is the
    /// last node (a cluster with no nodes owns nothing, and nothing could be measured).
    pub fn remove_node(&mut self, node: &str) -> Option<Moves> {
        if self.nodes.len() <= 1 || !self.nodes.iter().any(|existing| existing == node) {
            return None;
        }
        let nodes: Vec<String> = self.nodes.iter().filter(|n| *n != node).cloned().collect();
        self.offsets.remove(node);
        Some(self.change_to(self.scheme, nodes))
    }

    /// Turns every point of `node` by `turn` of a full circle (negative: anticlockwise) and
    /// reports the keys that moved, or `None` unless the scheme is a ring holding `node`.
    /// This is what dragging a node along the widget's ring does.
    pub fn move_node(&mut self, node: &str, turn: f64) -> Option<Moves> {
        if !matches!(self.scheme, Scheme::Ring { .. }) || !self.nodes.iter().any(|n| n == node) {
            return None;
        }
        // A turn as a distance on the 64-bit circle; rem_euclid makes a negative turn wrap.
        let delta = (turn.rem_euclid(1.0) * 2f64.powi(64)) as u64;
        let offset = self.offsets.entry(node.to_string()).or_insert(0);
        *offset = offset.wrapping_add(delta);
        Some(self.change_to(self.scheme, self.nodes.clone()))
    }

    /// Switches to `scheme` (a different rule, or a different vnode count) and reports the keys
    /// that moved: changing the rule on a live cluster is a migration too.
    pub fn set_scheme(&mut self, scheme: Scheme) -> Moves {
        self.change_to(scheme, self.nodes.clone())
    }

    /// Replaces the key popularity (same number of keys, same request total and seed). No key
    /// changes owner, only how busy each one is; a melted key stays melted.
    ///
    /// # Panics
    /// If `workload` has a different number of keys.
    pub fn set_workload(&mut self, workload: Workload) {
        assert_eq!(workload.keys().len(), self.workload.keys().len());
        self.request_counts = workload.request_counts(self.requests, self.seed);
        self.workload = workload;
        self.last_moved.clear();
    }

    /// The change a popularity or melt step makes to placement: none. Reported as such, so a
    /// "keys moved on the last change" figure never shows an older change as the latest.
    pub fn no_moves(&self) -> Moves {
        Moves {
            moved: 0,
            total: self.workload.keys().len(),
        }
    }

    fn change_to(&mut self, scheme: Scheme, nodes: Vec<String>) -> Moves {
        let layout = Layout::build(scheme, &nodes, &self.offsets);
        let keys = self.workload.keys();
        let (before, after) = (self.partitioner(), layout.as_partitioner());
        let moved: Vec<usize> = (0..keys.len())
            .filter(|&i| before.owner(&keys[i]) != after.owner(&keys[i]))
            .collect();
        let total = keys.len();
        self.last_moved = moved;
        self.scheme = scheme;
        self.nodes = nodes;
        self.layout = layout;
        Moves {
            moved: self.last_moved.len(),
            total,
        }
    }

    /// The ring's points as `(position, node)` when the scheme is a ring, else empty: what the
    /// widget draws as ticks around the circle.
    pub fn ring_points(&self) -> Vec<(u64, &str)> {
        match &self.layout {
            Layout::Ring(ring) => ring.points().collect(),
            Layout::ModN(_) | Layout::Rendezvous(_) => Vec::new(),
        }
    }

    /// Indices (into the workload's keys) of the keys that moved on the last change.
    pub fn last_moved(&self) -> &[usize] {
        &self.last_moved
    }

    /// For each key, the position of its owner in [`nodes`](Self::nodes).
    pub fn owners(&self) -> Vec<usize> {
        let nodes = self.nodes();
        self.workload
            .keys()
            .iter()
            .map(|key| {
                let owner = self.partitioner().owner(key);
                nodes.iter().position(|&n| Some(n) == owner).unwrap_or(0)
            })
            .collect()
    }

    /// Requests per key, the melted key's extra included.
    pub fn request_counts(&self) -> Vec<u64> {
        let mut counts = self.request_counts.clone();
        if let Some(hot) = self.hot_key {
            counts[hot.index] += hot.extra_requests;
        }
        counts
    }

    /// Request load per node, in [`nodes`](Self::nodes) order.
    pub fn load(&self) -> Load {
        let mut load = weighted_load(
            self.partitioner(),
            self.workload.keys(),
            &self.request_counts(),
        );
        load.sort_by_node();
        load
    }

    /// Keys stored per node, in [`nodes`](Self::nodes) order.
    pub fn keys_per_node(&self) -> Load {
        let weights = vec![1; self.workload.keys().len()];
        let mut load = weighted_load(self.partitioner(), self.workload.keys(), &weights);
        load.sort_by_node();
        load
    }

    /// Requests one node can serve (see [`SKEW_BUDGET`]).
    pub fn node_capacity(&self) -> f64 {
        self.node_capacity
    }

    /// Makes one key hot: the busiest key on `node` (or on the busiest node, if `None`) gets an
    /// extra `share` of the scenario's whole request total, with traffic of the given `shape`.
    /// Returns what the triage tree recommends for it.
    ///
    /// Adding nodes afterwards does not help, and the scenario shows it: a key lives on one node.
    pub fn melt(&mut self, node: Option<&str>, share: f64, shape: TrafficShape) -> Triage {
        let load = self.load();
        let target = match node {
            Some(node) => node.to_string(),
            None => load
                .per_node()
                .iter()
                .max_by_key(|(_, load)| *load)
                .map(|(node, _)| node.clone())
                .unwrap_or_default(),
        };
        let keys = self.workload.keys();
        let counts = self.request_counts();
        let index = (0..keys.len())
            .filter(|&i| self.partitioner().owner(&keys[i]) == Some(target.as_str()))
            .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        self.hot_key = Some(HotKey {
            index,
            extra_requests: (share.max(0.0) * self.requests as f64).round() as u64,
            shape,
        });
        self.last_moved.clear();
        self.triage().expect("a key was just melted")
    }

    /// Ends the melt: the hot key goes back to its normal request count.
    pub fn cool(&mut self) {
        self.hot_key = None;
        self.last_moved.clear();
    }

    /// The melted key's index in the workload's keys, if one is melted.
    pub fn hot_key(&self) -> Option<usize> {
        self.hot_key.map(|hot| hot.index)
    }

    /// The triage for the melted key as the cluster stands now, if one is melted.
    pub fn triage(&self) -> Option<Triage> {
        let hot = self.hot_key?;
        let key = &self.workload.keys()[hot.index];
        let rate = self.request_counts()[hot.index] as f64;
        Some(triage(&hot.shape.profile(key, rate, self.node_capacity)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash-ring widget's starting point on the consistent-hashing page (its `viz` params are
    /// `{ keys = 10000, nodes = 4, vnodes = 64 }`; requests and seed are the widget's defaults).
    fn widget_default() -> Scenario {
        Scenario::new(
            Scheme::Ring { vnodes: 64 },
            &["A", "B", "C", "D"],
            Workload::uniform(10_000),
            100_000,
            42,
        )
    }

    #[test]
    fn adding_e_to_the_widget_default_moves_the_number_the_browser_test_expects() {
        // tests/browser/hash-ring.test.mjs hard-codes this number: keep them equal.
        let mut scenario = widget_default();
        let moves = scenario.add_node("E").unwrap();
        assert_eq!(moves.to_string(), "1,868 of 10,000 keys moved (18.7%)");
        assert_eq!(scenario.last_moved().len(), moves.moved);
    }

    #[test]
    fn mod_n_moves_more_than_the_ring_for_the_same_change() {
        let mut ring = widget_default();
        let mut mod_n = widget_default();
        mod_n.set_scheme(Scheme::ModN);
        let ring_moves = ring.add_node("E").unwrap();
        let mod_n_moves = mod_n.add_node("E").unwrap();
        assert!(mod_n_moves.moved > 3 * ring_moves.moved);
        // tests/browser/hash-ring.test.mjs hard-codes this number too.
        assert_eq!(
            mod_n_moves.to_string(),
            "7,915 of 10,000 keys moved (79.1%)"
        );
    }

    #[test]
    fn names_go_a_to_z_filling_gaps() {
        let mut scenario = widget_default();
        assert_eq!(scenario.next_node_name().as_deref(), Some("E"));
        scenario.remove_node("B").unwrap();
        assert_eq!(scenario.next_node_name().as_deref(), Some("B"));
    }

    #[test]
    fn the_last_node_cannot_be_removed() {
        let mut scenario = widget_default();
        for node in ["A", "B", "C"] {
            assert!(scenario.remove_node(node).is_some());
        }
        assert_eq!(scenario.remove_node("D"), None);
        assert!(scenario.owners().iter().all(|&owner| owner == 0));
    }

    #[test]
    fn a_melted_key_melts_its_node_and_more_nodes_do_not_help() {
        let mut scenario = widget_default();
        let answer = scenario.melt(None, 0.5, TrafficShape::ReadsStaleOk);
        assert_eq!(answer.remedies, [crate::Remedy::CacheReads]);
        let hot_node_load = scenario.load().max() as f64;
        assert!(hot_node_load > scenario.node_capacity());
        for node in ["E", "F", "G", "H"] {
            scenario.add_node(node);
        }
        // The hot key alone is above capacity wherever it lands.
        assert!(scenario.load().max() as f64 > scenario.node_capacity());
        scenario.cool();
        assert!((scenario.load().max() as f64) < scenario.node_capacity());
    }

    #[test]
    fn a_new_workload_moves_no_keys_and_says_so() {
        let mut scenario = widget_default();
        let owners = scenario.owners();
        scenario.add_node("E");
        scenario.remove_node("E");
        assert!(!scenario.last_moved().is_empty());
        scenario.set_workload(Workload::zipf(10_000, 1.2));
        assert_eq!(scenario.owners(), owners);
        assert!(scenario.last_moved().is_empty(), "no stale moved keys");
        assert_eq!(
            scenario.no_moves().to_string(),
            "0 of 10,000 keys moved (0.0%)"
        );
        assert!(scenario.load().skew() > 1.2);
    }

    #[test]
    fn dragging_a_node_moves_its_tokens_and_only_its_keys() {
        let mut scenario = widget_default();
        let before = scenario.owners();
        let names: Vec<String> = scenario.nodes().iter().map(|n| n.to_string()).collect();
        let moves = scenario.move_node("B", 0.01).unwrap();
        assert!(moves.moved > 0);
        let b = names.iter().position(|n| n == "B").unwrap();
        for (old, new) in before.iter().zip(scenario.owners()) {
            assert!(*old == new || *old == b || new == b);
        }
        // Back again: every key home. A moved node keeps its offset when others join.
        scenario.move_node("B", -0.01).unwrap();
        assert!(scenario.owners() == before);
        assert_eq!(scenario.move_node("Z", 0.1), None);
        scenario.set_scheme(Scheme::ModN);
        assert_eq!(
            scenario.move_node("B", 0.1),
            None,
            "mod-N has no ring to move on"
        );
    }
}

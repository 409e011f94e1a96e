//! Hash partitioning by `hash(key) % N`: the scheme everyone writes first.
//!
//! It spreads keys evenly, and that is why it is tempting. The trouble is the `% N`: when `N`
//! becomes `N + 1`, a key stays put only if `hash % N == hash % (N + 1)`, which holds for about
//! one key in `N + 1`. Growing from 4 to 5 nodes moves about 80% of all keys, almost all of them
//! between two old nodes that had nothing to do with the change.

use crate::hash::hash_str;
use crate::Partitioner;

/// Nodes in slots `0..N`; a key belongs to slot `hash(key) % N`.
#[derive(Debug, Clone, Default)]
pub struct ModN {
    nodes: Vec<String>,
}

impl ModN {
    /// An empty cluster: every lookup answers `None` until a node is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cluster whose slots hold `nodes` in the order given (the order matters: it is the slot
    /// number, which is exactly what makes this scheme fragile).
    pub fn with_nodes<S: AsRef<str>>(nodes: &[S]) -> Self {
        let mut cluster = Self::new();
        for node in nodes {
            cluster.add_node(node.as_ref());
        }
        cluster
    }

    /// Appends `node` as slot `N` (so `N` grows by one); returns `false` if it was already there.
    pub fn add_node(&mut self, node: &str) -> bool {
        if self.nodes.iter().any(|existing| existing == node) {
            return false;
        }
        self.nodes.push(node.to_string());
        true
    }

    /// Removes `node`; every node after it slides down a slot, which is what moves keys that had
    /// nothing to do with the removed node. Returns `false` if it was not there.
    pub fn remove_node(&mut self, node: &str) -> bool {
        match self.nodes.iter().position(|existing| existing == node) {
            Some(slot) => {
                self.nodes.remove(slot);
                true
            }
            None => false,
        }
    }
}

impl Partitioner for ModN {
    fn owner(&self, key: &str) -> Option<&str> {
        if self.nodes.is_empty() {
            return None;
        }
        let slot = hash_str(key) % self.nodes.len() as u64;
        Some(&self.nodes[slot as usize])
    }

    fn nodes(&self) -> Vec<&str> {
        self.nodes.iter().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{keys_moved, Workload};

    #[test]
    fn growing_four_to_five_moves_about_four_fifths_of_keys() {
        let workload = Workload::uniform(10_000);
        let before = ModN::with_nodes(&["A", "B", "C", "D"]);
        let mut after = before.clone();
        after.add_node("E");
        let moves = keys_moved(&before, &after, workload.keys());
        // Expected 1 - 1/5 = 80%; 10,000 keys give about +-0.4% of sampling noise.
        assert!((0.78..0.82).contains(&moves.fraction()), "{moves}");
    }

    #[test]
    fn an_empty_cluster_owns_nothing() {
        assert_eq!(ModN::new().owner("key"), None);
    }
}

//! Rendezvous (highest-random-weight) hashing: every node scores every key, the highest score
//! wins.
//!
//! Why this and not jump consistent hash: jump hash (Lamping and Veach, 2014) is faster and needs
//! no memory, but its buckets are numbered `0..N` and it can only grow or shrink at the end. A real
//! cluster loses node 3 of 7, not node 7 of 7, and jump hash cannot say "everything but node 3"
//! without a remapping table. Rendezvous hashing handles any node leaving, moves only that node's
//! keys, and needs no ring and no virtual nodes; it pays with `O(N)` work per lookup, which is
//! nothing for tens of nodes and too much for thousands (that is where a ring wins).

use crate::hash::{hash_str, mix64};
use crate::Partitioner;

/// A set of nodes; a key belongs to the node whose score `mix(hash(key) ^ hash(node))` is highest.
#[derive(Debug, Clone, Default)]
pub struct Rendezvous {
    /// `(name, hash of name)`, sorted by name so ties go to the name that sorts first.
    nodes: Vec<(String, u64)>,
}

impl Rendezvous {
    /// An empty cluster: every lookup answers `None` until a node is added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cluster holding `nodes` (the order does not matter).
    pub fn with_nodes<S: AsRef<str>>(nodes: &[S]) -> Self {
        let mut cluster = Self::new();
        for node in nodes {
            cluster.add_node(node.as_ref());
        }
        cluster
    }

    /// Adds `node`; it wins exactly the keys it now outscores everyone on. Returns `false` if it
    /// was already there.
    pub fn add_node(&mut self, node: &str) -> bool {
        match self
            .nodes
            .binary_search_by(|(existing, _)| existing.as_str().cmp(node))
        {
            Ok(_) => false,
            Err(index) => {
                self.nodes.insert(index, (node.to_string(), hash_str(node)));
                true
            }
        }
    }

    /// Removes `node`; each of its keys goes to its runner-up, nobody else's keys move. Returns
    /// `false` if it was not there.
    pub fn remove_node(&mut self, node: &str) -> bool {
        match self
            .nodes
            .binary_search_by(|(existing, _)| existing.as_str().cmp(node))
        {
            Ok(index) => {
                self.nodes.remove(index);
                true
            }
            Err(_) => false,
        }
    }

    /// The score `node` gives `key`: printed by the examples to show why a key went where it did.
    pub fn score(key: &str, node: &str) -> u64 {
        mix64(hash_str(key) ^ hash_str(node))
    }
}

impl Partitioner for Rendezvous {
    fn owner(&self, key: &str) -> Option<&str> {
        let key_hash = hash_str(key);
        let mut best: Option<(&str, u64)> = None;
        for (node, node_hash) in &self.nodes {
            let score = mix64(key_hash ^ node_hash);
            if best.is_none_or(|(_, best_score)| score > best_score) {
                best = Some((node, score));
            }
        }
        best.map(|(node, _)| node)
    }

    fn nodes(&self) -> Vec<&str> {
        self.nodes.iter().map(|(node, _)| node.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{keys_moved, load, Workload};

    #[test]
    fn growing_four_to_five_moves_about_one_fifth_of_keys() {
        let workload = Workload::uniform(10_000);
        let before = Rendezvous::with_nodes(&["A", "B", "C", "D"]);
        let mut after = before.clone();
        after.add_node("E");
        let moves = keys_moved(&before, &after, workload.keys());
        // No virtual nodes to average over: only the 10,000-key sample adds noise (about +-0.4%).
        assert!((0.18..0.22).contains(&moves.fraction()), "{moves}");
    }

    #[test]
    fn load_is_even_without_virtual_nodes() {
        let workload = Workload::uniform(10_000);
        let cluster = Rendezvous::with_nodes(&["A", "B", "C", "D", "E"]);
        let skew = load(&cluster, workload.keys()).skew();
        assert!(skew < 1.06, "skew {skew:.3}");
    }

    #[test]
    fn the_owner_has_the_highest_score() {
        let cluster = Rendezvous::with_nodes(&["A", "B", "C"]);
        let owner = cluster.owner("user:42").unwrap();
        for node in ["A", "B", "C"] {
            assert!(Rendezvous::score("user:42", owner) >= Rendezvous::score("user:42", node));
        }
    }
}

//! A fixed slot map: keys hash into a fixed number of slots, and a small table says which node
//! holds each slot. Redis Cluster does this with 16,384 slots.
//!
//! Why it is often enough: the hash never depends on the node count, so a change moves whole
//! slots, and only as many as the new balance needs. Going from 4 to 5 nodes over 1,024 slots
//! hands the new node a fifth of them (204) and copies only their keys. Unlike a ring, the table
//! is readable (slot 17 is on node C) and a hot slot can be moved by hand; what it needs is
//! someone to own the table, which a ring does without.

use crate::hash::hash_str;
use crate::Partitioner;

/// `slots` slots, each assigned to one node.
#[derive(Debug, Clone)]
pub struct SlotMap {
    /// Sorted by name; `owner_of_slot` refers to nodes by their index here.
    nodes: Vec<String>,
    owner_of_slot: Vec<usize>,
}

impl SlotMap {
    /// `slot_count` slots (at least one) dealt round-robin over `nodes` (at least one).
    ///
    /// # Panics
    /// If `nodes` is empty: a slot must belong to someone.
    pub fn with_nodes<S: AsRef<str>>(slot_count: usize, nodes: &[S]) -> Self {
        let mut names: Vec<String> = nodes.iter().map(|n| n.as_ref().to_string()).collect();
        names.sort_unstable();
        names.dedup();
        assert!(!names.is_empty(), "a slot map needs at least one node");
        let owner_of_slot = (0..slot_count.max(1))
            .map(|slot| slot % names.len())
            .collect();
        Self {
            nodes: names,
            owner_of_slot,
        }
    }

    /// The slot a key hashes to: fixed for ever, whatever the nodes.
    pub fn slot_of(&self, key: &str) -> usize {
        (hash_str(key) % self.owner_of_slot.len() as u64) as usize
    }

    /// How many slots `node` holds.
    pub fn slots_of(&self, node: &str) -> usize {
        match self.nodes.iter().position(|n| n == node) {
            Some(index) => self.owner_of_slot.iter().filter(|&&o| o == index).count(),
            None => 0,
        }
    }

    /// Adds `node` and moves slots to it, one at a time from the node holding the most, until no
    /// node holds more than one slot above it. Returns the slots moved (0 if it was there already).
    pub fn add_node(&mut self, node: &str) -> usize {
        let Err(index) = self.nodes.binary_search_by(|n| n.as_str().cmp(node)) else {
            return 0;
        };
        self.nodes.insert(index, node.to_string());
        for owner in &mut self.owner_of_slot {
            if *owner >= index {
                *owner += 1;
            }
        }
        let mut moved = 0;
        loop {
            let counts = self.counts();
            let (donor, most) = counts
                .iter()
                .enumerate()
                .max_by_key(|&(i, &count)| (count, std::cmp::Reverse(i)))
                .map(|(i, &count)| (i, count))
                .unwrap_or((index, 0));
            if most <= counts[index] + 1 {
                return moved;
            }
            // The donor's last slot: any would do, and the last keeps the layout easy to read.
            let slot = self
                .owner_of_slot
                .iter()
                .rposition(|&owner| owner == donor)
                .unwrap_or(0);
            self.owner_of_slot[slot] = index;
            moved += 1;
        }
    }

    /// Removes `node` (unless it is the last) and deals each of its slots to the node that then
    /// holds the fewest, so only the leaving node's keys move. Returns the slots moved.
    pub fn remove_node(&mut self, node: &str) -> usize {
        let Some(index) = self.nodes.iter().position(|n| n == node) else {
            return 0;
        };
        if self.nodes.len() == 1 {
            return 0;
        }
        let mut moved = 0;
        for slot in 0..self.owner_of_slot.len() {
            if self.owner_of_slot[slot] != index {
                continue;
            }
            let counts = self.counts();
            let fewest = (0..self.nodes.len())
                .filter(|&i| i != index)
                .min_by_key(|&i| (counts[i], i))
                .unwrap_or(0);
            self.owner_of_slot[slot] = fewest;
            moved += 1;
        }
        self.nodes.remove(index);
        for owner in &mut self.owner_of_slot {
            if *owner > index {
                *owner -= 1;
            }
        }
        moved
    }

    fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.nodes.len()];
        for &owner in &self.owner_of_slot {
            counts[owner] += 1;
        }
        counts
    }
}

impl Partitioner for SlotMap {
    fn owner(&self, key: &str) -> Option<&str> {
        let owner = self.owner_of_slot[self.slot_of(key)];
        Some(&self.nodes[owner])
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
    fn four_to_five_nodes_moves_a_fifth_of_1024_slots_and_only_their_keys() {
        let before = SlotMap::with_nodes(1_024, &["A", "B", "C", "D"]);
        let mut after = before.clone();
        // The page's "about 205 slots": 1,024 / 5 = 204.8, and the new node gets 204.
        assert_eq!(after.add_node("E"), 204);
        assert_eq!(after.slots_of("E"), 204);
        for node in ["A", "B", "C", "D"] {
            assert_eq!(after.slots_of(node), 205);
        }
        let keys = Workload::uniform(10_000);
        for key in keys.keys() {
            let moved = before.owner(key) != after.owner(key);
            assert_eq!(moved, after.owner(key) == Some("E"), "{key}");
        }
        let moves = keys_moved(&before, &after, keys.keys());
        assert!((0.17..0.23).contains(&moves.fraction()), "{moves}");
    }

    #[test]
    fn removing_a_node_moves_only_its_slots() {
        let mut map = SlotMap::with_nodes(1_024, &["A", "B", "C", "D"]);
        map.add_node("E");
        let before = map.clone();
        assert_eq!(map.remove_node("B"), 205);
        for node in ["A", "C", "D", "E"] {
            assert_eq!(map.slots_of(node), 256);
        }
        for key in Workload::uniform(2_000).keys() {
            let moved = before.owner(key) != map.owner(key);
            assert_eq!(moved, before.owner(key) == Some("B"), "{key}");
        }
    }

    #[test]
    fn adding_a_node_twice_moves_nothing() {
        let mut map = SlotMap::with_nodes(16, &["A", "B"]);
        assert_eq!(map.add_node("B"), 0);
        assert_eq!(map.slots_of("A"), 8);
    }
}

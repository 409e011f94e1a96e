//! The invariants a reader of Module 4 relies on, checked on random clusters.

use partitioning::{keys_moved, ModN, Partitioner, RangePartitions, Rendezvous, Ring, Workload};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

/// Distinct node names, as many as `count` allows; a test that removes one asks for two or more.
fn node_names(count: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<String>> {
    btree_set("[a-z]{1,6}", count).prop_map(|names| names.into_iter().collect())
}

/// Every hashing scheme built over the same nodes, so each property runs on all of them.
fn layouts(nodes: &[String], vnodes: u32) -> Vec<(&'static str, Box<dyn Partitioner>)> {
    vec![
        ("mod-N", Box::new(ModN::with_nodes(nodes))),
        ("ring", Box::new(Ring::with_nodes(nodes, vnodes))),
        ("rendezvous", Box::new(Rendezvous::with_nodes(nodes))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Adding one node to N moves about 1/(N+1) of the keys, and only onto the new node.
    ///
    /// The tolerance is the honest one for the vnode count: the new node's share of the ring is a
    /// sum of `vnodes` arcs, whose relative spread is about 1/sqrt(vnodes); sampling K keys adds a
    /// binomial spread of sqrt((1-p)/(pK)). We allow five of those combined standard deviations,
    /// so a correct ring fails this about once in a few million runs.
    #[test]
    fn adding_a_node_to_a_ring_moves_about_one_over_n_plus_one(
        nodes in node_names(1..=12),
        vnodes in 50u32..400,
    ) {
        let keys = Workload::uniform(5_000);
        let before = Ring::with_nodes(&nodes, vnodes);
        let mut after = before.clone();
        prop_assert!(after.add_node("NEW"));

        let expected = 1.0 / (nodes.len() as f64 + 1.0);
        let arc_spread = 1.0 / f64::from(vnodes).sqrt();
        let sample_spread = ((1.0 - expected) / (expected * 5_000.0)).sqrt();
        let tolerance = 5.0 * (arc_spread.powi(2) + sample_spread.powi(2)).sqrt() * expected;
        let moved = keys_moved(&before, &after, keys.keys());
        prop_assert!(
            (moved.fraction() - expected).abs() <= tolerance,
            "{moved}, expected {:.1}% +- {:.1}%", expected * 100.0, tolerance * 100.0
        );
        for key in keys.keys() {
            if before.owner(key) != after.owner(key) {
                prop_assert_eq!(after.owner(key), Some("NEW"));
            }
        }
    }

    /// Same key, same nodes, same owner: also after unrelated rebuilds (a node added and removed
    /// again, the vnode count changed and changed back, the nodes given in another order).
    #[test]
    fn lookups_are_stable(nodes in node_names(1..=10), vnodes in 1u32..200, key in "[ -~]{0,20}") {
        let ring = Ring::with_nodes(&nodes, vnodes);
        let owner = ring.owner(&key);
        prop_assert_eq!(owner, ring.owner(&key));

        let mut rebuilt = ring.clone();
        rebuilt.add_node("unrelated-node");
        rebuilt.remove_node("unrelated-node");
        rebuilt.set_vnodes(vnodes + 7);
        rebuilt.set_vnodes(vnodes);
        prop_assert_eq!(rebuilt.owner(&key), owner);

        let reversed: Vec<String> = nodes.iter().rev().cloned().collect();
        let reversed_ring = Ring::with_nodes(&reversed, vnodes);
        prop_assert_eq!(reversed_ring.owner(&key), owner);
        let hrw = Rendezvous::with_nodes(&nodes);
        let reversed_hrw = Rendezvous::with_nodes(&reversed);
        prop_assert_eq!(reversed_hrw.owner(&key), hrw.owner(&key));
    }

    /// Every key has exactly one owner, and it is one of the cluster's nodes.
    #[test]
    fn every_key_has_exactly_one_owner(
        nodes in node_names(1..=10),
        vnodes in 1u32..100,
        keys in vec("[ -~]{0,20}", 1..50),
    ) {
        for (scheme, layout) in layouts(&nodes, vnodes) {
            let members = layout.nodes();
            for key in &keys {
                let owner = layout.owner(key);
                prop_assert!(owner.is_some(), "{} left {:?} unowned", scheme, key);
                prop_assert!(members.contains(&owner.unwrap()), "{}", scheme);
            }
        }
    }

    /// Removing a node moves only that node's keys, under the ring and rendezvous hashing (and
    /// not under mod-N, which is why it is in the module).
    #[test]
    fn removing_a_node_moves_only_its_keys(
        nodes in node_names(2..=10),
        vnodes in 1u32..200,
        leaving in any::<prop::sample::Index>(),
    ) {
        let leaving = nodes[leaving.index(nodes.len())].as_str();
        let keys = Workload::uniform(2_000);

        let ring = Ring::with_nodes(&nodes, vnodes);
        let mut smaller_ring = ring.clone();
        smaller_ring.remove_node(leaving);
        let hrw = Rendezvous::with_nodes(&nodes);
        let mut smaller_hrw = hrw.clone();
        smaller_hrw.remove_node(leaving);

        for key in keys.keys() {
            if ring.owner(key) != Some(leaving) {
                prop_assert_eq!(smaller_ring.owner(key), ring.owner(key));
            }
            if hrw.owner(key) != Some(leaving) {
                prop_assert_eq!(smaller_hrw.owner(key), hrw.owner(key));
            }
        }
    }

    /// Splits keep the ranges sorted and contiguous, keep every key in key order across ranges,
    /// and move only the keys at or above the split point of the range that was cut.
    #[test]
    fn range_splits_preserve_ownership_order(
        split_points in vec("[a-z]{1,4}", 1..20),
        keys in vec("[a-z]{0,5}", 1..100),
    ) {
        let mut table = RangePartitions::new("n0");
        for (i, at) in split_points.iter().enumerate() {
            let before = table.clone();
            let new_owner = format!("n{}", i + 1);
            if table.split(at, &new_owner).is_err() {
                // Refused only because a range already starts there.
                prop_assert_eq!(before.ranges()[before.range_index(at)].start, at.as_str());
                continue;
            }
            for key in &keys {
                let same_range = before.range_index(key) == before.range_index(at);
                if same_range && key.as_str() >= at.as_str() {
                    prop_assert_eq!(table.owner(key), Some(new_owner.as_str()));
                } else {
                    prop_assert_eq!(table.owner(key), before.owner(key));
                }
            }
        }

        let ranges = table.ranges();
        prop_assert_eq!(ranges[0].start, "");
        for pair in ranges.windows(2) {
            prop_assert!(pair[0].start < pair[1].start);
            prop_assert_eq!(pair[0].end, Some(pair[1].start));
        }
        prop_assert_eq!(ranges.last().unwrap().end, None);

        let mut sorted = keys.clone();
        sorted.sort();
        for pair in sorted.windows(2) {
            prop_assert!(table.range_index(&pair[0]) <= table.range_index(&pair[1]));
        }
        for key in &keys {
            let range = ranges[table.range_index(key)];
            prop_assert!(range.start <= key.as_str());
            prop_assert!(range.end.is_none_or(|end| key.as_str() < end));
        }
    }
}

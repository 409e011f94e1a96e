//! The three numbers that judge a partitioning scheme: keys moved by a change, load per node, and
//! skew (the busiest node's load over the average).
//!
//! Why skew is max / mean and not a standard deviation: capacity is planned for the busiest node.
//! A skew of 1.5 means one node needs 50% more headroom than the average, whatever the others do;
//! that is the figure a skew budget is written in.

use crate::Partitioner;
use std::collections::HashMap;
use std::fmt;

/// How many of a set of keys changed owner between two layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moves {
    /// Keys whose owner differs between before and after.
    pub moved: usize,
    /// Keys compared.
    pub total: usize,
}

impl Moves {
    /// The moved share in `[0, 1]` (0 when no keys were compared).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.moved as f64 / self.total as f64
        }
    }
}

/// Prints `1,987 of 10,000 keys moved (19.9%)`, the sentence the widget announces.
impl fmt::Display for Moves {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} keys moved ({:.1}%)",
            thousands(self.moved as u64),
            thousands(self.total as u64),
            self.fraction() * 100.0
        )
    }
}

/// Counts the `keys` whose owner under `before` differs from their owner under `after`.
///
/// Every moved key is data copied over the network while the cluster is changing, so this is the
/// cost of a rebalance.
pub fn keys_moved<S: AsRef<str>>(
    before: &dyn Partitioner,
    after: &dyn Partitioner,
    keys: &[S],
) -> Moves {
    count_moved(before, after, &as_strs(keys))
}

/// The loop of [`keys_moved`], outside the generic function so it is compiled optimized in this
/// crate even when a snippet is compiled without optimizations.
fn count_moved(before: &dyn Partitioner, after: &dyn Partitioner, keys: &[&str]) -> Moves {
    let moved = keys
        .iter()
        .filter(|&&key| before.owner(key) != after.owner(key))
        .count();
    Moves {
        moved,
        total: keys.len(),
    }
}

fn as_strs<S: AsRef<str>>(keys: &[S]) -> Vec<&str> {
    keys.iter().map(AsRef::as_ref).collect()
}

/// Load per node: how many keys (or requests) each node serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    per_node: Vec<(String, u64)>,
}

impl Load {
    /// `(node, load)` for every node of the partitioner, idle ones included, in its node order.
    pub fn per_node(&self) -> &[(String, u64)] {
        &self.per_node
    }

    /// Orders the rows by node name, for tables whose order must not depend on the scheme.
    pub fn sort_by_node(&mut self) {
        self.per_node.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// The load of `node` (0 if it is not in the table).
    pub fn of(&self, node: &str) -> u64 {
        self.per_node
            .iter()
            .find(|(name, _)| name == node)
            .map_or(0, |&(_, load)| load)
    }

    /// The sum over all nodes.
    pub fn total(&self) -> u64 {
        self.per_node.iter().map(|&(_, load)| load).sum()
    }

    /// The busiest node's load.
    pub fn max(&self) -> u64 {
        self.per_node
            .iter()
            .map(|&(_, load)| load)
            .max()
            .unwrap_or(0)
    }

    /// The average load per node.
    pub fn mean(&self) -> f64 {
        if self.per_node.is_empty() {
            0.0
        } else {
            self.total() as f64 / self.per_node.len() as f64
        }
    }

    /// Max over mean: 1.0 is perfectly even, 2.0 means the busiest node carries twice the average.
    /// An idle cluster (no load at all) counts as perfectly even.
    pub fn skew(&self) -> f64 {
        let mean = self.mean();
        if mean == 0.0 {
            1.0
        } else {
            self.max() as f64 / mean
        }
    }
}

/// A table of node, load and share, then the skew: what the examples print.
impl fmt::Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total().max(1) as f64;
        for (node, load) in &self.per_node {
            let share = *load as f64 / total * 100.0;
            writeln!(f, "{node:>8} {:>12} {share:>6.1}%", thousands(*load))?;
        }
        write!(f, "skew (max/mean): {:.2}", self.skew())
    }
}

/// Counts how many of `keys` each node owns: the storage load.
pub fn load<S: AsRef<str>>(partitioner: &dyn Partitioner, keys: &[S]) -> Load {
    sum_load(partitioner, &as_strs(keys), None)
}

/// Sums `weights[i]` onto the owner of `keys[i]`: the request load when `weights` are request
/// counts (see [`crate::Workload::request_counts`]), which is where a hot key shows.
///
/// # Panics
/// If `weights` is shorter than `keys`.
pub fn weighted_load<S: AsRef<str>>(
    partitioner: &dyn Partitioner,
    keys: &[S],
    weights: &[u64],
) -> Load {
    assert!(weights.len() >= keys.len(), "one weight per key");
    sum_load(partitioner, &as_strs(keys), Some(weights))
}

/// The loop of [`load`] and [`weighted_load`] (no weights: each key counts once), compiled
/// optimized in this crate.
fn sum_load(partitioner: &dyn Partitioner, keys: &[&str], weights: Option<&[u64]>) -> Load {
    let nodes = partitioner.nodes();
    let slot: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut per_node: Vec<(String, u64)> = nodes.iter().map(|&n| (n.to_string(), 0)).collect();
    for (index, &key) in keys.iter().enumerate() {
        if let Some(owner) = partitioner.owner(key) {
            per_node[slot[owner]].1 += weights.map_or(1, |weights| weights[index]);
        }
    }
    Load { per_node }
}

/// Writes `1987` as `1,987`: tables and announcements are read by people.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The skew that placement noise alone gives `shards` shards whose shares each spread by
/// `spread` (a relative standard deviation: about 1/sqrt(v) for v random tokens a shard):
/// 1 + spread × sqrt(2 ln N).
///
/// Why it matters: the busiest of N noisy shares sits about sqrt(2 ln N) standard deviations above
/// the mean, so the same tokens give a larger skew on a larger fleet. A skew threshold that is
/// healthy at 10 shards is unreachable at 1,000; compare a measurement with this baseline first.
pub fn expected_placement_skew(shards: usize, spread: f64) -> f64 {
    1.0 + spread * (2.0 * (shards.max(1) as f64).ln()).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_noise_grows_with_the_shard_count() {
        // The Skew Budget page quotes these: 256 random tokens a shard (spread 1/16).
        let shown: Vec<String> = [10, 100, 1_000]
            .map(|n| format!("{:.2}", expected_placement_skew(n, 1.0 / 16.0)))
            .to_vec();
        assert_eq!(shown, ["1.13", "1.19", "1.23"]);
        // The ring agrees: 10 nodes with 256 vnodes, averaged over clusters.
        let keys = crate::Workload::uniform(20_000);
        let mean: f64 = (0..16)
            .map(|c| {
                let nodes: Vec<String> = (0..10).map(|i| format!("p{c}-{i}")).collect();
                load(&crate::Ring::with_nodes(&nodes, 256), keys.keys()).skew()
            })
            .sum::<f64>()
            / 16.0;
        assert!(
            (mean - expected_placement_skew(10, 1.0 / 16.0)).abs() < 0.05,
            "{mean:.3}"
        );
    }
    use crate::{ModN, Ring, Workload};

    #[test]
    fn moves_read_like_a_sentence() {
        let moves = Moves {
            moved: 1_987,
            total: 10_000,
        };
        assert_eq!(moves.to_string(), "1,987 of 10,000 keys moved (19.9%)");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn load_counts_every_key_once_and_lists_idle_nodes() {
        let keys = Workload::uniform(1_000);
        let cluster = Ring::with_nodes(&["A", "B", "C"], 1);
        let per_node = load(&cluster, keys.keys());
        assert_eq!(per_node.total(), 1_000);
        assert_eq!(per_node.per_node().len(), 3);
    }

    #[test]
    fn one_hot_key_skews_an_otherwise_even_layout() {
        // Mod-N spreads distinct keys evenly; a Zipf(1.1) request stream still piles up on the
        // node that owns key-000000.
        let workload = Workload::zipf(10_000, 1.1);
        let cluster = ModN::with_nodes(&["A", "B", "C", "D", "E"]);
        let storage = load(&cluster, workload.keys()).skew();
        let requests = weighted_load(
            &cluster,
            workload.keys(),
            &workload.request_counts(100_000, 1),
        )
        .skew();
        assert!(storage < 1.05, "storage skew {storage:.2}");
        assert!(requests > 1.2, "request skew {requests:.2}");
    }

    #[test]
    fn an_idle_cluster_is_even() {
        let empty: [&str; 0] = [];
        assert_eq!(load(&ModN::with_nodes(&["A"]), &empty).skew(), 1.0);
    }
}

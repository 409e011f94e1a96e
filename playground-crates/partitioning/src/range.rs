//! Range partitioning: the key space cut into sorted, contiguous ranges, each owned by one node.
//!
//! Why use it when hashing spreads load so well: neighbouring keys stay together, so a scan of
//! `user:100..user:200` touches one or two nodes instead of all of them. The price is that load
//! follows the data: sequential keys (timestamps, auto-increment ids) all land in the last range,
//! and a popular range gets hot. The cure is to split a range that has grown too big or too busy,
//! which is what Bigtable, HBase, Spanner and CockroachDB do.

use crate::Partitioner;
use std::fmt;

/// One range as it is read from [`RangePartitions::ranges`]: keys `start <= key < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRange<'a> {
    /// The smallest key in the range (the first range starts at `""`, below every key).
    pub start: &'a str,
    /// The first key of the next range, or `None` for the last range (it runs to the end).
    pub end: Option<&'a str>,
    /// The node that serves every key in the range.
    pub owner: &'a str,
}

/// Why a split was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The split key is already where a range starts, so there is nothing to cut.
    AlreadyABoundary(String),
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::AlreadyABoundary(key) => write!(f, "a range already starts at {key:?}"),
        }
    }
}

impl std::error::Error for SplitError {}

/// Sorted ranges covering every possible key, each with an owner.
#[derive(Debug, Clone)]
pub struct RangePartitions {
    /// `(start, owner)`, sorted by start; the first start is `""`, and each range ends where the
    /// next begins, so there are no gaps and no overlaps by construction.
    ranges: Vec<(String, String)>,
}

impl RangePartitions {
    /// One range holding every key, owned by `owner`: where every range-partitioned table starts.
    pub fn new(owner: &str) -> Self {
        Self {
            ranges: vec![(String::new(), owner.to_string())],
        }
    }

    /// The ranges in key order.
    pub fn ranges(&self) -> Vec<KeyRange<'_>> {
        self.ranges
            .iter()
            .enumerate()
            .map(|(index, (start, owner))| KeyRange {
                start,
                end: self.ranges.get(index + 1).map(|(next, _)| next.as_str()),
                owner,
            })
            .collect()
    }

    /// The position of the range that holds `key` in [`ranges`](Self::ranges).
    pub fn range_index(&self, key: &str) -> usize {
        // The first range starts at "", so at least one start is <= key.
        self.ranges
            .partition_point(|(start, _)| start.as_str() <= key)
            - 1
    }

    /// Cuts the range holding `at` in two: keys below `at` stay with the old owner, keys from
    /// `at` up go to `new_owner`. Returns the new range's position.
    ///
    /// Only the upper half moves, and every other range is untouched, which is why a split is a
    /// cheap, local operation compared with rehashing.
    pub fn split(&mut self, at: &str, new_owner: &str) -> Result<usize, SplitError> {
        let index = self.range_index(at);
        if self.ranges[index].0 == at {
            return Err(SplitError::AlreadyABoundary(at.to_string()));
        }
        self.ranges
            .insert(index + 1, (at.to_string(), new_owner.to_string()));
        Ok(index + 1)
    }

    /// Splits the range that holds the most of `keys` at its median key, giving the upper half to
    /// `new_owner`; returns the split key, or `None` if that range cannot be cut (all its keys are
    /// one key, or it holds none).
    ///
    /// This is load-based splitting: pass a sample of recent requests as `keys` and the busiest
    /// range is cut where half of its traffic falls on each side.
    pub fn split_busiest<S: AsRef<str>>(&mut self, keys: &[S], new_owner: &str) -> Option<String> {
        let mut per_range: Vec<Vec<&str>> = vec![Vec::new(); self.ranges.len()];
        for key in keys {
            let key = key.as_ref();
            per_range[self.range_index(key)].push(key);
        }
        let busiest = (0..per_range.len()).max_by_key(|&index| per_range[index].len())?;
        let mut in_range = std::mem::take(&mut per_range[busiest]);
        in_range.sort_unstable();
        let median = *in_range.get(in_range.len() / 2)?;
        let split_at = if median != self.ranges[busiest].0 {
            median
        } else {
            // The median is the range's own start: cut just above it instead, if anything is.
            *in_range.iter().find(|&&key| key != median)?
        };
        self.split(split_at, new_owner).ok()?;
        Some(split_at.to_string())
    }

    /// Hands range `index` to `owner`: how a rebalancer moves a hot or big range off a node.
    ///
    /// # Panics
    /// If `index` is not a position in [`ranges`](Self::ranges).
    pub fn assign(&mut self, index: usize, owner: &str) {
        self.ranges[index].1 = owner.to_string();
    }
}

impl Partitioner for RangePartitions {
    fn owner(&self, key: &str) -> Option<&str> {
        Some(&self.ranges[self.range_index(key)].1)
    }

    /// Each owner once, in the order of the first range it owns.
    fn nodes(&self) -> Vec<&str> {
        let mut nodes: Vec<&str> = Vec::new();
        for (_, owner) in &self.ranges {
            if !nodes.contains(&owner.as_str()) {
                nodes.push(owner);
            }
        }
        nodes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, Workload};

    #[test]
    fn a_split_moves_only_the_upper_half() {
        let mut table = RangePartitions::new("A");
        table.split("m", "B").unwrap();
        assert_eq!(table.owner("apple"), Some("A"));
        assert_eq!(table.owner("m"), Some("B"));
        assert_eq!(table.owner("zebra"), Some("B"));
        assert_eq!(
            table.split("m", "C"),
            Err(SplitError::AlreadyABoundary("m".to_string()))
        );
    }

    #[test]
    fn splitting_the_busiest_range_evens_out_load() {
        let workload = Workload::uniform(10_000);
        let mut table = RangePartitions::new("A");
        for node in ["B", "C", "D"] {
            table.split_busiest(workload.keys(), node).unwrap();
        }
        // Four ranges from three median splits of sorted keys: 2,500 keys each, give or take one.
        let skew = load(&table, workload.keys()).skew();
        assert!(skew < 1.01, "skew {skew:.3}");
    }

    #[test]
    fn sequential_keys_all_hit_the_last_range() {
        let mut table = RangePartitions::new("A");
        table.split("key-005000", "B").unwrap();
        let newest: Vec<String> = (9_000..10_000).map(|i| format!("key-{i:06}")).collect();
        let per_node = load(&table, &newest);
        assert_eq!(per_node.of("B"), 1_000);
        assert_eq!(per_node.of("A"), 0);
    }

    #[test]
    fn one_repeated_key_cannot_be_split() {
        let mut table = RangePartitions::new("A");
        assert_eq!(
            table.split_busiest(&["hot"; 10], "B"),
            Some("hot".to_string())
        );
        assert_eq!(table.split_busiest(&["hot"; 10], "C"), None);
    }
}

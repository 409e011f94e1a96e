//! Vector clocks (Fidge 1988, Mattern 1988).
//!
//! Why one counter per process? A Lamport timestamp squeezes "everything I have seen" into a single
//! number, and the squeeze loses information: you cannot tell "I saw your event" from "I did a lot
//! of my own". A vector keeps one entry per process: entry `i` counts the events of process `i` that
//! this event has seen (directly or through messages). Then
//!
//! - `a → b` (happened before) exactly when `a ≤ b` entry by entry and `a ≠ b`;
//! - `a ∥ b` (concurrent) exactly when each has an entry larger than the other's.
//!
//! The cost is size: a vector grows with the number of processes, which is why real systems (Dynamo,
//! Riak) bound or prune them, and why many settle for Lamport or hybrid logical clocks.

use std::fmt;

use crate::ordering::CausalOrder;

/// A vector clock: entry `i` is the number of events of process `i` this point in history has seen.
///
/// Vectors of different lengths compare as if the shorter one were padded with zeros, so a system
/// that grows from three replicas to four keeps comparing correctly.
#[derive(Debug, Clone, Default)]
pub struct VectorClock {
    counts: Vec<u64>,
}

impl VectorClock {
    /// The vector of a process that has seen nothing yet, for a system of `processes` processes.
    pub fn new(processes: usize) -> Self {
        Self {
            counts: vec![0; processes],
        }
    }

    /// A vector with the given entries, for tests, examples and reading vectors back from the wire.
    pub fn from_counts(counts: impl Into<Vec<u64>>) -> Self {
        Self {
            counts: counts.into(),
        }
    }

    /// The entries, one per process.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Entry `process`, zero if the vector is shorter (that process's events were never seen).
    pub fn get(&self, process: usize) -> u64 {
        self.counts.get(process).copied().unwrap_or(0)
    }

    /// A local event or a send on `process`: its own entry goes up by one. Only the owner ever
    /// increments its entry, which is what makes the entry a count of *its* events.
    pub fn tick(&mut self, process: usize) {
        if self.counts.len() <= process {
            self.counts.resize(process + 1, 0);
        }
        self.counts[process] += 1;
    }

    /// The entry-by-entry maximum of the two: everything either side has seen. A receive is
    /// `merge` with the message's vector followed by a [`tick`](Self::tick) of the receiver.
    pub fn merge(&self, other: &VectorClock) -> VectorClock {
        let len = self.counts.len().max(other.counts.len());
        let counts = (0..len).map(|i| self.get(i).max(other.get(i))).collect();
        VectorClock { counts }
    }

    /// [`merge`](Self::merge) in place, for the receiving replica's own clock.
    pub fn merge_from(&mut self, other: &VectorClock) {
        *self = self.merge(other);
    }

    /// How `self` relates to `other`: the whole of happened-before in one comparison.
    pub fn compare(&self, other: &VectorClock) -> CausalOrder {
        let len = self.counts.len().max(other.counts.len());
        let mut some_smaller = false;
        let mut some_larger = false;
        for i in 0..len {
            let (mine, theirs) = (self.get(i), other.get(i));
            some_smaller |= mine < theirs;
            some_larger |= mine > theirs;
        }
        match (some_smaller, some_larger) {
            (false, false) => CausalOrder::Equal,
            (true, false) => CausalOrder::Before,
            (false, true) => CausalOrder::After,
            (true, true) => CausalOrder::Concurrent,
        }
    }

    /// `self → other`: every entry ≤ and at least one <.
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.compare(other) == CausalOrder::Before
    }

    /// `self ∥ other`: neither could have influenced the other.
    pub fn concurrent_with(&self, other: &VectorClock) -> bool {
        self.compare(other) == CausalOrder::Concurrent
    }
}

impl PartialEq for VectorClock {
    /// Equal when every entry matches after zero-padding, so `[1,0]` equals `[1]`.
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == CausalOrder::Equal
    }
}

impl Eq for VectorClock {}

impl fmt::Display for VectorClock {
    /// `[2,1,0]`, the way the book and the widget print vectors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, count) in self.counts.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{count}")?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(counts: &[u64]) -> VectorClock {
        VectorClock::from_counts(counts.to_vec())
    }

    #[test]
    fn tick_increments_only_the_owner() {
        let mut clock = VectorClock::new(3);
        clock.tick(1);
        clock.tick(1);
        assert_eq!(clock.counts(), &[0, 2, 0]);
    }

    #[test]
    fn merge_is_the_entrywise_maximum() {
        assert_eq!(v(&[3, 0, 1]).merge(&v(&[1, 2, 0])).counts(), &[3, 2, 1]);
    }

    #[test]
    fn compare_gives_all_four_answers() {
        assert_eq!(v(&[1, 0, 0]).compare(&v(&[2, 1, 0])), CausalOrder::Before);
        assert_eq!(v(&[2, 1, 0]).compare(&v(&[1, 0, 0])), CausalOrder::After);
        assert_eq!(v(&[1, 1, 0]).compare(&v(&[1, 1, 0])), CausalOrder::Equal);
        assert_eq!(
            v(&[1, 0, 0]).compare(&v(&[0, 0, 1])),
            CausalOrder::Concurrent
        );
    }

    #[test]
    fn shorter_vectors_are_zero_padded() {
        assert_eq!(v(&[1]), v(&[1, 0, 0]));
        assert!(v(&[1]).happened_before(&v(&[1, 0, 1])));
        assert_eq!(v(&[1]).merge(&v(&[0, 0, 4])).counts(), &[1, 0, 4]);
    }

    #[test]
    fn tick_grows_a_short_vector() {
        let mut clock = VectorClock::new(1);
        clock.tick(2);
        assert_eq!(clock.counts(), &[0, 0, 1]);
    }

    #[test]
    fn displays_without_spaces() {
        assert_eq!(v(&[2, 1, 0]).to_string(), "[2,1,0]");
        assert_eq!(VectorClock::new(0).to_string(), "[]");
    }
}

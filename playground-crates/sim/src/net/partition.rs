//! Partitions: links that stop working for a while, then heal.

use super::NodeId;
use crate::time::Time;

/// A set of one-way links that are cut from `start` until `heal`.
///
/// Why a schedule rather than a switch flipped by hand: a partition that starts and heals at
/// known virtual times is part of the scenario, so the same seed replays the same outage, and a
/// test can say "nothing crosses between 2 s and 5 s". The cut applies to a message both when it
/// is sent and when it would arrive: a message in flight when the cable is cut is lost too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// When the links go down.
    pub start: Time,
    /// When they come back (exclusive: at `heal` the links work again). [`Time::MAX`] for never.
    pub heal: Time,
    /// The cut links, as `(from, to)` pairs.
    pub cut: Vec<(NodeId, NodeId)>,
}

impl Partition {
    /// Cuts every link between `side_a` and `side_b`, both ways: the classic split brain.
    pub fn between(start: Time, heal: Time, side_a: &[NodeId], side_b: &[NodeId]) -> Self {
        let mut cut = Vec::new();
        for &a in side_a {
            for &b in side_b {
                cut.push((a, b));
                cut.push((b, a));
            }
        }
        Self { start, heal, cut }
    }

    /// Cuts only the links from `senders` to `receivers`: the other direction still works. An
    /// asymmetric partition, where a node hears its peers but they never hear it.
    pub fn one_way(start: Time, heal: Time, senders: &[NodeId], receivers: &[NodeId]) -> Self {
        let cut = senders
            .iter()
            .flat_map(|&from| receivers.iter().map(move |&to| (from, to)))
            .collect();
        Self { start, heal, cut }
    }

    /// True if this partition cuts `from → to` at `at`.
    pub fn cuts(&self, from: NodeId, to: NodeId, at: Time) -> bool {
        self.start <= at && at < self.heal && self.cut.contains(&(from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_cuts_both_ways_only_inside_its_window() {
        let (a, b, c) = (NodeId::new(0), NodeId::new(1), NodeId::new(2));
        let split = Partition::between(Time::from_secs(2), Time::from_secs(5), &[a], &[b, c]);
        assert!(split.cuts(a, b, Time::from_secs(2)));
        assert!(split.cuts(c, a, Time::from_secs(4)));
        assert!(!split.cuts(b, c, Time::from_secs(3)), "same side");
        assert!(!split.cuts(a, b, Time::from_secs(5)), "healed");
        assert!(!split.cuts(a, b, Time::from_millis(1_999)), "not yet");
    }

    #[test]
    fn one_way_leaves_the_return_path_open() {
        let (a, b) = (NodeId::new(0), NodeId::new(1));
        let deaf = Partition::one_way(Time::ZERO, Time::MAX, &[a], &[b]);
        assert!(deaf.cuts(a, b, Time::from_secs(100)));
        assert!(!deaf.cuts(b, a, Time::from_secs(100)));
    }
}

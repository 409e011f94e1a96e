//! The simulated network: who the nodes are, how each link between them behaves, and when the
//! links are cut.
//!
//! Every message between two nodes goes through [`Network::transmit`], which decides its fate:
//! cut by a partition, lost, delivered after a delay, or delivered twice. The decision draws from
//! the run's seeded generator, so the same seed gives the same fates. What a node may *not* learn
//! from the network is also the lesson: a message that was lost and one that is merely slow look
//! the same to the sender.

mod delay;
mod link;
mod partition;

pub use delay::Delay;
pub use link::Link;
pub use partition::Partition;

use std::collections::BTreeMap;
use std::fmt;

use crate::rng::SplitMix64;
use crate::time::Time;

/// Names a node of a simulated cluster.
///
/// Ids are handed out by [`World::add_node`](crate::World::add_node) in order, starting at 0, so
/// a protocol that must know its peers before they exist (a cluster of three replicas) can name
/// them ahead with [`NodeId::new`]. The human-readable name lives in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(usize);

impl NodeId {
    /// The id of the `index`-th node added to a world (counting from 0).
    pub const fn new(index: usize) -> NodeId {
        NodeId(index)
    }

    /// The position of this node in the world, for per-node arrays.
    pub const fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {}", self.0)
    }
}

/// What the network did with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// A partition cut the link when the message was sent.
    Cut,
    /// The link dropped it (its `loss` draw came up).
    Lost,
    /// It will arrive at this time (unless a partition cuts the link by then).
    Arrives(Time),
    /// The link duplicated it: two copies arrive, at these times.
    Duplicated(Time, Time),
}

/// All links between the nodes, and the partition schedule.
///
/// A link is directed (`a → b` may differ from `b → a`: asymmetric routes are real). Links not
/// set explicitly behave like the default link.
#[derive(Clone, Debug)]
pub struct Network {
    default_link: Link,
    links: BTreeMap<(NodeId, NodeId), Link>,
    partitions: Vec<Partition>,
    /// The latest arrival scheduled on each link, so a link that does not reorder can keep
    /// messages in order (each arrives no earlier than the one sent before it).
    last_arrival: BTreeMap<(NodeId, NodeId), Time>,
}

impl Default for Network {
    fn default() -> Self {
        Self::new(Link::default())
    }
}

impl Network {
    /// A network where every link behaves like `default_link` and nothing is partitioned.
    pub fn new(default_link: Link) -> Self {
        Self {
            default_link,
            links: BTreeMap::new(),
            partitions: Vec::new(),
            last_arrival: BTreeMap::new(),
        }
    }

    /// Makes every link that was not set explicitly behave like `link`.
    pub fn set_default_link(&mut self, link: Link) {
        self.default_link = link;
    }

    /// Sets the one-way link `from → to`.
    pub fn set_link(&mut self, from: NodeId, to: NodeId, link: Link) {
        self.links.insert((from, to), link);
    }

    /// How the link `from → to` behaves.
    pub fn link(&self, from: NodeId, to: NodeId) -> &Link {
        self.links.get(&(from, to)).unwrap_or(&self.default_link)
    }

    /// Adds a partition to the schedule; it cuts its links from its start until it heals.
    pub fn add_partition(&mut self, partition: Partition) {
        self.partitions.push(partition);
    }

    /// The scheduled partitions, in the order they were added.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// True if some partition cuts `from → to` at `at`.
    pub fn is_cut(&self, from: NodeId, to: NodeId, at: Time) -> bool {
        self.partitions
            .iter()
            .any(|partition| partition.cuts(from, to, at))
    }

    /// Decides what happens to a message sent on `from → to` at `now`.
    ///
    /// The draws, in order: loss (one), then for each copy its delay (see [`Delay`]) and whether
    /// it may overtake earlier messages (one), with the duplication draw (one) between the first
    /// copy and the second. A cut link draws nothing. A message that arrives while its link is
    /// cut is dropped on arrival by the world, so a partition also kills messages in flight.
    pub fn transmit(&mut self, from: NodeId, to: NodeId, now: Time, rng: &mut SplitMix64) -> Fate {
        if self.is_cut(from, to, now) {
            return Fate::Cut;
        }
        let link = *self.link(from, to);
        if rng.bernoulli(link.loss) {
            return Fate::Lost;
        }
        let first = self.arrival(from, to, now, &link, rng);
        if rng.bernoulli(link.duplicate) {
            let second = self.arrival(from, to, now, &link, rng);
            Fate::Duplicated(first, second)
        } else {
            Fate::Arrives(first)
        }
    }

    /// When one copy arrives: now plus a drawn delay, held back behind the link's previous
    /// message unless this one is allowed to overtake it.
    fn arrival(
        &mut self,
        from: NodeId,
        to: NodeId,
        now: Time,
        link: &Link,
        rng: &mut SplitMix64,
    ) -> Time {
        let drawn = now + link.delay.sample(rng);
        let overtakes = rng.bernoulli(link.reorder);
        let last = self.last_arrival.entry((from, to)).or_insert(Time::ZERO);
        let at = if overtakes { drawn } else { drawn.max(*last) };
        *last = (*last).max(at);
        at
    }
}

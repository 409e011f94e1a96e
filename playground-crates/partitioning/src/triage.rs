//! The Hot-Key Triage tree as code: given what you measured about one hot key, what to do.
//!
//! Why a tree and not "add a cache": every remedy has a precondition, and applying one whose
//! precondition fails makes things worse. Caching a key whose readers need fresh values serves
//! stale data; salting a key whose writes must stay ordered breaks correctness; adding nodes does
//! nothing at all, because one key lives on one node however many there are.
//!
//! Why reads and writes are asked about separately: a key is rarely all one or the other. A key at
//! 100,000 requests a second with 80% reads still sends 20,000 writes a second to one node, and no
//! read remedy touches them; a key with 60% reads that is split for its writes makes every read
//! gather every sub-key. So the tree tests each side against the node and lets remedies combine:
//!
//! ```text
//! Is one key using at least half a node?          no → Rebalance (the layout, not a key)
//! Reads hot? (at least half a node, or the larger side of a hot key)
//!   Do identical reads meet in one process?       yes → Coalesce: R / (1 + R × fetch latency)
//!   still hot: can readers take a stale value?    yes → Cache reads
//!                                                 no  → Replicate reads (×RF, ×RF/quorum)
//!   still hot                                         → Replicate the key (k copies, write all)
//! Writes hot? (the same test)
//!   Do the writes commute?                        yes → Split the key (k sub-keys, read all)
//!                                                 no  → Rate-limit, then redesign the key
//! ```

use crate::measure::thousands;
use std::fmt;

/// A key is a single-key problem once it alone uses this share of one node's capacity, and a
/// remedy is enough once it brings each side of the key under it.
pub const HOT_SHARE_OF_CAPACITY: f64 = 0.5;

/// What you measured about one key (with [`crate::SpaceSaving`] and your metrics).
#[derive(Debug, Clone, PartialEq)]
pub struct HotKeyProfile {
    /// The key.
    pub key: String,
    /// Requests per second for this key, reads and writes together.
    pub key_rate: f64,
    /// Requests per second one node can serve (a read and a write cost the same here).
    pub node_capacity: f64,
    /// Share of the key's requests that are reads, in `[0, 1]`.
    pub read_fraction: f64,
    /// Seconds one backend read of the key takes. Identical reads in flight at once are
    /// read rate × this, which is why it is measured rather than guessed.
    pub fetch_latency: f64,
    /// Whether identical reads can meet in one process: requests are routed by key to one
    /// instance, and two reads of the key are the same request (same query, no per-user part).
    /// Without it coalescing saves nothing, however many reads are in flight.
    pub reads_meet: bool,
    /// Whether readers can be given a value a few seconds old.
    pub stale_reads_ok: bool,
    /// Whether writes can be applied in any order and summed later (increments, appends, adds).
    pub writes_commute: bool,
    /// Copies of the key's shard (3 in most stores): the most that replica reads can spread over.
    pub replication_factor: u32,
    /// Whether each read asks a quorum (a majority of the replicas), as Cassandra's `QUORUM`
    /// does; then each read costs a majority of replica reads, not one.
    pub quorum_reads: bool,
}

impl HotKeyProfile {
    /// Reads per second.
    pub fn read_rate(&self) -> f64 {
        self.key_rate * self.read_fraction
    }

    /// Writes per second.
    pub fn write_rate(&self) -> f64 {
        self.key_rate * (1.0 - self.read_fraction)
    }

    /// How many times replica reads multiply the key's read capacity: the replication factor
    /// when one replica answers each read, RF ÷ (RF/2 + 1) when a quorum must (1.5 for RF 3).
    pub fn replica_read_gain(&self) -> f64 {
        let rf = f64::from(self.replication_factor.max(1));
        if self.quorum_reads {
            rf / f64::from(self.replication_factor.max(1) / 2 + 1)
        } else {
            rf
        }
    }
}

/// Backend reads per second left after coalescing `read_rate` reads whose fetch takes
/// `fetch_latency` seconds, all meeting in one process.
///
/// Why this formula: a fetch starts with a read and lasts one latency; every read arriving meanwhile
/// joins it. The next fetch starts with the next read after that, so one cycle is a latency plus
/// the mean gap between reads, and the backend sees `R / (1 + R × L)` reads a second: about
/// `1 / L` for a hot key, `R` for a cold one.
pub fn coalesced_rate(read_rate: f64, fetch_latency: f64) -> f64 {
    read_rate / (1.0 + read_rate * fetch_latency.max(0.0))
}

/// One thing to do. Remedies combine: a key can need one for its reads and one for its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Not one key's fault: fix the layout (more virtual nodes, split or move ranges).
    Rebalance,
    /// Collapse identical concurrent reads into one backend read ([`crate::Coalescer`]).
    Coalesce,
    /// Serve the key from a cache in front of the shard, with a short TTL.
    CacheReads,
    /// Serve the key's reads from every replica of its shard (at most RF times the capacity).
    ReplicateReads,
    /// The read-side twin of splitting: keep `copies` copies of the key on different shards,
    /// write all of them, read one at random.
    ReplicateKey {
        /// Copies of the key, each on its own shard.
        copies: u32,
    },
    /// Spread writes over `parts` sub-keys `key#0..key#parts` on different nodes; readers sum them.
    SplitKey {
        /// Sub-keys.
        parts: u32,
    },
    /// Admit only what the node can take and reject the rest early, at the edge.
    RateLimit,
}

impl Remedy {
    /// A short name for buttons, tables and the widget's heading.
    pub fn title(self) -> &'static str {
        match self {
            Remedy::Rebalance => "Rebalance",
            Remedy::Coalesce => "Coalesce identical reads",
            Remedy::CacheReads => "Cache the key's reads",
            Remedy::ReplicateReads => "Read from every replica",
            Remedy::ReplicateKey { .. } => "Replicate the key",
            Remedy::SplitKey { .. } => "Split the key",
            Remedy::RateLimit => "Rate-limit the key",
        }
    }

    /// What to actually do, and the catch.
    pub fn advice(self) -> &'static str {
        match self {
            Remedy::Rebalance => "No single key is the problem, so fix the layout: add virtual nodes, split the busiest range or move it to an idle node.",
            Remedy::Coalesce => "Let one read per key go to the backend and hand its reply to everyone who asked meanwhile; a write invalidates the fetch in flight, so no reader gets a value older than its own write.",
            Remedy::CacheReads => "Put the key in a cache in front of the shard (or in the clients) with a short TTL, and coalesce the misses so an expiry is not a thundering herd.",
            Remedy::ReplicateReads => "Spread the key's reads over the replicas of its shard. The gain stops at the replication factor, and at RF / quorum when reads need a quorum.",
            Remedy::ReplicateKey { .. } => "Keep copies of the key on several shards: every write goes to all of them, each read to one at random. Writes get that many times dearer.",
            Remedy::SplitKey { .. } => "Write to one sub-key chosen at random, so the writes land on several nodes; a read gathers and sums the parts, so every read touches every part.",
            Remedy::RateLimit => "Writes must stay ordered on one node, so admit only what it can take, reject the rest at the edge with a retry-after, and redesign the key.",
        }
    }
}

/// `Split the key into 6 sub-keys`: the title with its size.
impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::ReplicateKey { copies } => write!(f, "Replicate the key on {copies} shards"),
            Remedy::SplitKey { parts } => write!(f, "Split the key into {parts} sub-keys"),
            other => f.write_str(other.title()),
        }
    }
}

/// The answer: the remedies, and the questions asked on the way with their answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// What to do, reads' remedies first; more than one when both sides of the key are hot.
    pub remedies: Vec<Remedy>,
    /// Each question of the tree that was asked, with the answer this profile gave
    /// (for example `("Do identical reads meet in one process?", "yes: routed by key")`).
    pub path: Vec<(String, String)>,
}

impl Triage {
    /// The remedies on one line: `Coalesce identical reads + Rate-limit the key`.
    pub fn summary(&self) -> String {
        let names: Vec<String> = self.remedies.iter().map(Remedy::to_string).collect();
        names.join(" + ")
    }

    /// One paragraph: each remedy and why, as the widget shows it.
    pub fn recommendation(&self) -> String {
        let parts: Vec<String> = self
            .remedies
            .iter()
            .map(|remedy| format!("{remedy}. {}", remedy.advice()))
            .collect();
        parts.join(" ")
    }
}

/// Typical shapes of a hot key's traffic, so a demo (or the widget's "melt a shard") can build a
/// [`HotKeyProfile`] from one choice instead of ten numbers. Each is physically consistent: the
/// fetch latency and the routing are what such a key really has, not a number of reads in flight
/// picked to land on a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficShape {
    /// A celebrity's profile page: almost all reads, each rendered per viewer on whichever API
    /// server took it, and a few seconds of staleness is fine.
    ReadsStaleOk,
    /// Stock left in a flash sale: almost all reads, must be fresh, read at quorum.
    ReadsMustBeFresh,
    /// A cache entry that just expired: identical reads, routed by key, all arriving together.
    ThunderingHerd,
    /// A like counter on a viral post: mostly increments, which commute.
    CommutingWrites,
    /// One busy chat channel: its messages must stay in order, and everyone reads the latest.
    OrderedWrites,
}

impl TrafficShape {
    /// Every shape, in the order a menu lists them.
    pub const ALL: [TrafficShape; 5] = [
        TrafficShape::ReadsStaleOk,
        TrafficShape::ReadsMustBeFresh,
        TrafficShape::ThunderingHerd,
        TrafficShape::CommutingWrites,
        TrafficShape::OrderedWrites,
    ];

    /// A stable identifier, used in the widget's JSON commands.
    pub fn id(self) -> &'static str {
        match self {
            TrafficShape::ReadsStaleOk => "reads-stale-ok",
            TrafficShape::ReadsMustBeFresh => "reads-must-be-fresh",
            TrafficShape::ThunderingHerd => "thundering-herd",
            TrafficShape::CommutingWrites => "commuting-writes",
            TrafficShape::OrderedWrites => "ordered-writes",
        }
    }

    /// The shape whose [`id`](Self::id) is `id`.
    pub fn from_id(id: &str) -> Option<TrafficShape> {
        Self::ALL.into_iter().find(|shape| shape.id() == id)
    }

    /// A description for a menu.
    pub fn label(self) -> &'static str {
        match self {
            TrafficShape::ReadsStaleOk => "Reads, staleness OK (a celebrity's profile)",
            TrafficShape::ReadsMustBeFresh => "Reads, must be fresh (stock in a flash sale)",
            TrafficShape::ThunderingHerd => "Thundering herd (an expired cache entry)",
            TrafficShape::CommutingWrites => "Counter writes (likes on a viral post)",
            TrafficShape::OrderedWrites => "Ordered writes (one busy chat channel)",
        }
    }

    /// The profile of `key` receiving `key_rate` requests per second with this shape, on
    /// nodes that serve `node_capacity` requests a second with replication factor 3.
    pub fn profile(self, key: &str, key_rate: f64, node_capacity: f64) -> HotKeyProfile {
        // (read share, fetch latency in s, reads meet in one process, stale OK, commute, quorum)
        let (read_fraction, fetch_latency, reads_meet, stale_reads_ok, writes_commute, quorum) =
            match self {
                TrafficShape::ReadsStaleOk => (0.98, 0.002, false, true, false, false),
                TrafficShape::ReadsMustBeFresh => (0.95, 0.002, false, false, false, true),
                TrafficShape::ThunderingHerd => (1.0, 0.005, true, true, false, false),
                TrafficShape::CommutingWrites => (0.1, 0.002, false, true, true, false),
                TrafficShape::OrderedWrites => (0.2, 0.005, true, false, false, true),
            };
        HotKeyProfile {
            key: key.to_string(),
            key_rate,
            node_capacity,
            read_fraction,
            fetch_latency,
            reads_meet,
            stale_reads_ok,
            writes_commute,
            replication_factor: 3,
            quorum_reads: quorum,
        }
    }
}

/// The smallest number of equal parts that brings `rate` under the hot threshold of a node.
fn parts_needed(rate: f64, capacity: f64) -> u32 {
    // The small nudge keeps 19,999.999… (an 80% read share of 100,000 in floating point) from
    // counting as just under 4 parts' worth: a part at exactly the limit is still hot.
    (rate / (HOT_SHARE_OF_CAPACITY * capacity) + 1e-9).floor() as u32 + 1
}

/// Walks the tree for `profile`.
pub fn triage(profile: &HotKeyProfile) -> Triage {
    let mut path = Vec::new();
    let mut ask = |question: &str, yes: bool, detail: String| {
        let answer = if yes { "yes" } else { "no" };
        path.push((question.to_string(), format!("{answer}: {detail}")));
        yes
    };
    let capacity = profile.node_capacity;
    let limit = HOT_SHARE_OF_CAPACITY * capacity;
    let of_node = |rate: f64| format!("{:.0}% of a node", rate / capacity * 100.0);
    let (reads, writes) = (profile.read_rate(), profile.write_rate());

    if !ask(
        "Is one key using at least half a node's capacity?",
        profile.key_rate >= limit,
        format!("{} uses {}", profile.key, of_node(profile.key_rate)),
    ) {
        return Triage {
            remedies: vec![Remedy::Rebalance],
            path,
        };
    }

    let mut remedies = Vec::new();
    // Each side is hot when it alone reaches the limit; when neither does, the larger side of a
    // hot key is the one to cool.
    let reads_hot = reads >= limit || (writes < limit && reads >= writes);
    let writes_hot = writes >= limit || (reads < limit && writes > reads);

    if ask(
        "Are its reads hot?",
        reads_hot,
        format!(
            "{} reads/s, {}",
            thousands(reads.round() as u64),
            of_node(reads)
        ),
    ) {
        let mut left = reads;
        if ask(
            "Do identical reads meet in one process (routed by key, same request)?",
            profile.reads_meet,
            if profile.reads_meet {
                let in_flight = reads * profile.fetch_latency;
                left = coalesced_rate(reads, profile.fetch_latency);
                format!(
                    "{in_flight:.0} in flight per {:.0} ms fetch, so {} fetches/s, {}",
                    profile.fetch_latency * 1000.0,
                    thousands(left.round() as u64),
                    of_node(left)
                )
            } else {
                "each lands on a different server or differs per reader".to_string()
            },
        ) {
            remedies.push(Remedy::Coalesce);
        }
        if left >= limit {
            if ask(
                "Can readers accept a value a few seconds old?",
                profile.stale_reads_ok,
                if profile.stale_reads_ok {
                    "a few seconds old is fine".to_string()
                } else {
                    "they must see the latest write".to_string()
                },
            ) {
                remedies.push(Remedy::CacheReads);
            } else {
                let gain = profile.replica_read_gain();
                let per_replica = left / gain;
                remedies.push(Remedy::ReplicateReads);
                if !ask(
                    "Do the shard's replicas absorb the reads?",
                    per_replica < limit,
                    format!(
                        "RF {}{}: {gain:.1}x, so {} each",
                        profile.replication_factor,
                        if profile.quorum_reads {
                            " at quorum"
                        } else {
                            ""
                        },
                        of_node(per_replica)
                    ),
                ) {
                    remedies.push(Remedy::ReplicateKey {
                        copies: parts_needed(per_replica, capacity),
                    });
                }
            }
        }
    }

    if ask(
        "Are its writes hot?",
        writes_hot,
        format!(
            "{} writes/s, {}",
            thousands(writes.round() as u64),
            of_node(writes)
        ),
    ) {
        if ask(
            "Do the writes commute (counters, appends, set adds)?",
            profile.writes_commute,
            if profile.writes_commute {
                "order does not matter".to_string()
            } else {
                "they must apply in order".to_string()
            },
        ) {
            remedies.push(Remedy::SplitKey {
                parts: parts_needed(writes, capacity),
            });
        } else {
            remedies.push(Remedy::RateLimit);
        }
    }
    Triage { remedies, path }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot_reads() -> HotKeyProfile {
        TrafficShape::ReadsStaleOk.profile("celebrity", 30_000.0, 10_000.0)
    }

    #[test]
    fn the_five_shapes_and_their_remedies() {
        let remedies: Vec<String> = TrafficShape::ALL
            .iter()
            .map(|shape| triage(&shape.profile("k", 30_000.0, 10_000.0)).summary())
            .collect();
        assert_eq!(
            remedies,
            [
                "Cache the key's reads",
                "Read from every replica + Replicate the key on 4 shards",
                "Coalesce identical reads",
                "Split the key into 6 sub-keys",
                "Coalesce identical reads + Rate-limit the key",
            ]
        );
        for shape in TrafficShape::ALL {
            assert_eq!(TrafficShape::from_id(shape.id()), Some(shape));
        }
    }

    #[test]
    fn a_lukewarm_key_is_a_layout_problem() {
        let profile = HotKeyProfile {
            key_rate: 2_000.0,
            ..hot_reads()
        };
        let answer = triage(&profile);
        assert_eq!(answer.remedies, [Remedy::Rebalance]);
        assert_eq!(answer.path.len(), 1);
    }

    #[test]
    fn a_mixed_key_gets_a_remedy_for_each_side() {
        // The review's example: 100,000 requests/s at 80% reads leaves 20,000 writes/s, twice a
        // node, whatever is done for the reads.
        let mixed = HotKeyProfile {
            key_rate: 100_000.0,
            read_fraction: 0.8,
            reads_meet: true,
            ..hot_reads()
        };
        let answer = triage(&mixed);
        assert_eq!(answer.remedies, [Remedy::Coalesce, Remedy::RateLimit]);
        let counter = HotKeyProfile {
            writes_commute: true,
            ..mixed
        };
        assert_eq!(
            triage(&counter).remedies,
            [Remedy::Coalesce, Remedy::SplitKey { parts: 5 }]
        );
    }

    #[test]
    fn a_sixty_percent_read_key_is_not_only_split() {
        // Splitting alone would multiply 18,000 reads/s by the number of parts.
        let key = HotKeyProfile {
            read_fraction: 0.6,
            writes_commute: true,
            ..hot_reads()
        };
        let answer = triage(&key);
        assert_eq!(
            answer.remedies,
            [Remedy::CacheReads, Remedy::SplitKey { parts: 3 }]
        );
    }

    #[test]
    fn replica_reads_stop_at_the_replication_factor_and_at_rf_over_quorum() {
        let fresh = HotKeyProfile {
            stale_reads_ok: false,
            key_rate: 12_000.0,
            read_fraction: 1.0,
            ..hot_reads()
        };
        assert_eq!(fresh.replica_read_gain(), 3.0);
        // 12,000 / 3 = 4,000 a replica: under half a node.
        assert_eq!(triage(&fresh).remedies, [Remedy::ReplicateReads]);
        let quorum = HotKeyProfile {
            quorum_reads: true,
            ..fresh
        };
        assert_eq!(quorum.replica_read_gain(), 1.5);
        // 12,000 / 1.5 = 8,000 a replica: the key needs copies on two shards as well.
        assert_eq!(
            triage(&quorum).remedies,
            [Remedy::ReplicateReads, Remedy::ReplicateKey { copies: 2 }]
        );
    }

    #[test]
    fn coalescing_needs_reads_that_meet() {
        // The same herd, spread over servers at random, coalesces nothing.
        let herd = TrafficShape::ThunderingHerd.profile("k", 30_000.0, 10_000.0);
        let answer = triage(&herd);
        assert_eq!(answer.remedies, [Remedy::Coalesce]);
        assert!(
            answer.path[2].1.contains("150 in flight"),
            "{:?}",
            answer.path
        );
        let scattered = HotKeyProfile {
            reads_meet: false,
            ..herd
        };
        assert_eq!(triage(&scattered).remedies, [Remedy::CacheReads]);
        assert!((coalesced_rate(30_000.0, 0.005) - 198.675).abs() < 0.01);
        // The postmortem page's illustration: 10,000 readers a second, a 20 ms query.
        assert_eq!(format!("{:.0}", coalesced_rate(10_000.0, 0.02)), "50");
    }

    #[test]
    fn ordered_writes_are_rate_limited() {
        let ledger = HotKeyProfile {
            read_fraction: 0.1,
            ..hot_reads()
        };
        let answer = triage(&ledger);
        assert_eq!(answer.remedies, [Remedy::RateLimit]);
        assert!(answer.recommendation().starts_with("Rate-limit the key."));
    }
}

//! The Hot-Key Triage tree as code: given what you measured about one hot key, what to do first.
//!
//! Why a tree and not "add a cache": every remedy has a precondition, and applying one whose
//! precondition fails makes things worse. Caching a key whose readers need fresh values serves
//! stale data; salting a key whose writes must stay ordered breaks correctness; adding nodes does
//! nothing at all, because one key lives on one node however many there are. The questions, in
//! order:
//!
//! ```text
//! Is one key using at least half a node's capacity?
//! ├─ no  → Rebalance: the skew is in the layout (more vnodes, split or move ranges)
//! └─ yes → Is it at least 80% reads?
//!          ├─ yes → Are many identical reads in flight at once, enough that one fetch
//!          │        per flight brings the key under half a node?
//!          │        ├─ yes → Coalesce
//!          │        └─ no  → Can readers accept slightly stale values?
//!          │                 ├─ yes → Cache reads
//!          │                 └─ no  → Replicate reads
//!          └─ no  → Do the writes commute (counters, appends, set adds)?
//!                   ├─ yes → Split the key (salt writes over several sub-keys)
//!                   └─ no  → Rate-limit
//! ```

use std::fmt;

/// A key is a single-key problem once it alone uses this share of one node's capacity.
pub const HOT_SHARE_OF_CAPACITY: f64 = 0.5;

/// At or above this share of reads, read-side remedies apply.
pub const READ_HEAVY: f64 = 0.8;

/// What you measured about one key (with [`crate::SpaceSaving`] and your metrics).
#[derive(Debug, Clone, PartialEq)]
pub struct HotKeyProfile {
    /// The key.
    pub key: String,
    /// Requests per second for this key.
    pub key_rate: f64,
    /// Requests per second one node can serve.
    pub node_capacity: f64,
    /// Share of the key's requests that are reads, in `[0, 1]`.
    pub read_fraction: f64,
    /// On average, how many identical reads of the key are waiting at once while one is being
    /// served (1 when reads never overlap).
    pub identical_reads_in_flight: f64,
    /// Whether readers can be given a value a few seconds old.
    pub stale_reads_ok: bool,
    /// Whether writes can be applied in any order and summed later (increments, appends, adds).
    pub writes_commute: bool,
}

/// What to do first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Not one key's fault: fix the layout (more virtual nodes, split or move ranges).
    Rebalance,
    /// Collapse identical concurrent reads into one backend read ([`crate::Coalescer`]).
    Coalesce,
    /// Serve the key from a cache in front of the shard, with a short TTL.
    CacheReads,
    /// Serve the key's reads from several replicas of its shard.
    ReplicateReads,
    /// Spread writes over sub-keys `key#0..key#n` on different nodes; readers sum them.
    SplitKey,
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
            Remedy::ReplicateReads => "Replicate the key's reads",
            Remedy::SplitKey => "Split the key (salt its writes)",
            Remedy::RateLimit => "Rate-limit the key",
        }
    }

    /// What to actually do, and the catch.
    pub fn advice(self) -> &'static str {
        match self {
            Remedy::Rebalance => "No single key is the problem, so fix the layout: add virtual nodes, split the busiest range or move it to an idle node.",
            Remedy::Coalesce => "Let one read per key go to the backend and hand its reply to everyone who asked meanwhile. Cheap and never stale; it only helps while reads overlap.",
            Remedy::CacheReads => "Put the key in a cache in front of the shard (or in the clients) with a short TTL, and coalesce the misses so an expiry is not a thundering herd.",
            Remedy::ReplicateReads => "Readers need fresh values, so serve them from replicas of the shard that follow its log, and spread the key's reads over them.",
            Remedy::SplitKey => "Write to key#0..key#n chosen at random, so the writes land on n nodes; a read gathers and sums the parts. Reads get n times dearer.",
            Remedy::RateLimit => "Writes must stay ordered on one node, so admit only what it can take, reject the rest at the edge with a retry-after, and redesign the key.",
        }
    }
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// The answer: the remedy, and the questions asked on the way with their answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// What to do first.
    pub remedy: Remedy,
    /// Each question of the tree that was asked, with the answer this profile gave
    /// (for example `("Is it at least 80% reads?", "yes: 95% reads")`).
    pub path: Vec<(String, String)>,
}

impl Triage {
    /// One paragraph: the remedy and why, as the widget shows it.
    pub fn recommendation(&self) -> String {
        format!("{}. {}", self.remedy.title(), self.remedy.advice())
    }
}

/// Typical shapes of a hot key's traffic, so a demo (or the widget's "melt a shard") can build a
/// [`HotKeyProfile`] from one choice instead of five numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficShape {
    /// A celebrity's profile page: almost all reads, a few seconds of staleness is fine.
    ReadsStaleOk,
    /// An account balance shown after a payment: almost all reads, must be fresh.
    ReadsMustBeFresh,
    /// A cache entry that just expired: a herd of identical reads arriving together.
    ThunderingHerd,
    /// A like counter on a viral post: mostly increments, which commute.
    CommutingWrites,
    /// A ledger or a chat channel's message order: mostly writes that must stay ordered.
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
            TrafficShape::ReadsMustBeFresh => "Reads, must be fresh (a balance after payment)",
            TrafficShape::ThunderingHerd => "Thundering herd (an expired cache entry)",
            TrafficShape::CommutingWrites => "Counter writes (likes on a viral post)",
            TrafficShape::OrderedWrites => "Ordered writes (one busy chat channel)",
        }
    }

    /// The profile of `key` receiving `key_rate` requests per second with this shape.
    pub fn profile(self, key: &str, key_rate: f64, node_capacity: f64) -> HotKeyProfile {
        let (read_fraction, identical_reads_in_flight, stale_reads_ok, writes_commute) = match self
        {
            TrafficShape::ReadsStaleOk => (0.98, 1.0, true, false),
            TrafficShape::ReadsMustBeFresh => (0.95, 1.0, false, false),
            TrafficShape::ThunderingHerd => (1.0, 50.0, true, false),
            TrafficShape::CommutingWrites => (0.1, 1.0, true, true),
            TrafficShape::OrderedWrites => (0.2, 1.0, false, false),
        };
        HotKeyProfile {
            key: key.to_string(),
            key_rate,
            node_capacity,
            read_fraction,
            identical_reads_in_flight,
            stale_reads_ok,
            writes_commute,
        }
    }
}

/// Walks the tree for `profile`.
pub fn triage(profile: &HotKeyProfile) -> Triage {
    let mut path = Vec::new();
    let mut ask = |question: &str, yes: bool, detail: String| {
        let answer = if yes { "yes" } else { "no" };
        path.push((question.to_string(), format!("{answer}: {detail}")));
        yes
    };

    let share = profile.key_rate / profile.node_capacity;
    if !ask(
        "Is one key using at least half a node's capacity?",
        share >= HOT_SHARE_OF_CAPACITY,
        format!("{} uses {:.0}% of a node", profile.key, share * 100.0),
    ) {
        return Triage {
            remedy: Remedy::Rebalance,
            path,
        };
    }

    let remedy = if ask(
        "Is it at least 80% reads?",
        profile.read_fraction >= READ_HEAVY,
        format!("{:.0}% reads", profile.read_fraction * 100.0),
    ) {
        let overlap = profile.identical_reads_in_flight.max(1.0);
        let coalesced_share = share / overlap;
        if ask(
            "Would one fetch per batch of identical reads bring it under half a node?",
            coalesced_share < HOT_SHARE_OF_CAPACITY,
            format!(
                "identical reads per fetch: {overlap:.0}, so {:.0}% of a node",
                coalesced_share * 100.0
            ),
        ) {
            Remedy::Coalesce
        } else if ask(
            "Can readers accept slightly stale values?",
            profile.stale_reads_ok,
            if profile.stale_reads_ok {
                "a few seconds old is fine".to_string()
            } else {
                "they must see the latest write".to_string()
            },
        ) {
            Remedy::CacheReads
        } else {
            Remedy::ReplicateReads
        }
    } else if ask(
        "Do the writes commute (counters, appends, set adds)?",
        profile.writes_commute,
        if profile.writes_commute {
            "order does not matter".to_string()
        } else {
            "they must apply in order".to_string()
        },
    ) {
        Remedy::SplitKey
    } else {
        Remedy::RateLimit
    };
    Triage { remedy, path }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot_reads() -> HotKeyProfile {
        HotKeyProfile {
            key: "celebrity".to_string(),
            key_rate: 30_000.0,
            node_capacity: 10_000.0,
            read_fraction: 0.98,
            identical_reads_in_flight: 1.0,
            stale_reads_ok: true,
            writes_commute: false,
        }
    }

    #[test]
    fn every_shape_leads_to_a_different_remedy() {
        let remedies: Vec<Remedy> = TrafficShape::ALL
            .iter()
            .map(|shape| triage(&shape.profile("k", 30_000.0, 10_000.0)).remedy)
            .collect();
        assert_eq!(
            remedies,
            [
                Remedy::CacheReads,
                Remedy::ReplicateReads,
                Remedy::Coalesce,
                Remedy::SplitKey,
                Remedy::RateLimit
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
        assert_eq!(answer.remedy, Remedy::Rebalance);
        assert_eq!(answer.path.len(), 1);
    }

    #[test]
    fn read_heavy_keys_are_cached_or_replicated() {
        assert_eq!(triage(&hot_reads()).remedy, Remedy::CacheReads);
        let fresh = HotKeyProfile {
            stale_reads_ok: false,
            ..hot_reads()
        };
        assert_eq!(triage(&fresh).remedy, Remedy::ReplicateReads);
    }

    #[test]
    fn a_herd_of_identical_reads_is_coalesced() {
        // 300% of a node, but 20 identical reads per flight: one fetch each is 15% of a node.
        let herd = HotKeyProfile {
            identical_reads_in_flight: 20.0,
            ..hot_reads()
        };
        let answer = triage(&herd);
        assert_eq!(answer.remedy, Remedy::Coalesce);
        assert!(
            answer.path[2].1.contains("15% of a node"),
            "{:?}",
            answer.path
        );
    }

    #[test]
    fn write_heavy_keys_are_split_or_rate_limited() {
        let counter = HotKeyProfile {
            read_fraction: 0.1,
            writes_commute: true,
            ..hot_reads()
        };
        assert_eq!(triage(&counter).remedy, Remedy::SplitKey);
        let ledger = HotKeyProfile {
            writes_commute: false,
            ..counter
        };
        let answer = triage(&ledger);
        assert_eq!(answer.remedy, Remedy::RateLimit);
        assert!(answer.recommendation().starts_with("Rate-limit the key."));
    }
}

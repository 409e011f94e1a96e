//! The PACELC Decision Grid as data: what well-known systems give up, under a partition and else.
//!
//! Abadi's PACELC (IEEE Computer 45(2), 2012, "Consistency Tradeoffs in Modern Distributed
//! Database System Design: CAP is only part of the story") adds the half of the story CAP leaves
//! out: **if** there is a Partition, a replicated system chooses Availability or Consistency;
//! **E**lse, in normal running, it still chooses Latency or Consistency, because waiting for
//! replicas costs time on every request. The chapter's grid and the Consistency Dial read this
//! table. Each row says whose classification it is: the paper's own (for the systems it
//! discusses, in their default configuration) or ours (for systems it does not cover, in the
//! configuration named), so a reader can tell a citation from a judgement.

/// What a system gives up when the network partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnderPartition {
    /// PA: keeps answering on both sides, and the answers may disagree.
    Availability,
    /// PC: the minority side refuses (or waits), so no answer is wrong.
    Consistency,
}

/// What a system gives up when the network is fine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Else {
    /// EL: answers from the nearest replica without waiting for the others.
    Latency,
    /// EC: waits for a leader or quorum on every request it must get right.
    Consistency,
}

/// Whose classification a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Abadi (2012) classifies this system himself.
    Abadi2012,
    /// Ours: the paper does not cover it; the reasoning is in `why`.
    Ours,
}

/// One system's row in the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The system, and the configuration the row is about.
    pub system: &'static str,
    /// PA or PC.
    pub partition: UnderPartition,
    /// EL or EC.
    pub otherwise: Else,
    /// Whose classification this is.
    pub source: Source,
    /// Why, in one sentence.
    pub why: &'static str,
}

impl Choice {
    /// "PA/EL", "PC/EC", ...
    pub fn label(&self) -> &'static str {
        match (self.partition, self.otherwise) {
            (UnderPartition::Availability, Else::Latency) => "PA/EL",
            (UnderPartition::Availability, Else::Consistency) => "PA/EC",
            (UnderPartition::Consistency, Else::Latency) => "PC/EL",
            (UnderPartition::Consistency, Else::Consistency) => "PC/EC",
        }
    }
}

/// Where the paper is: for the links in the chapter and the widget.
pub const ABADI_2012: &str = "https://doi.org/10.1109/MC.2012.33";

use Else as E;
use Source::{Abadi2012, Ours};
use UnderPartition as P;

/// The grid.
pub const GRID: &[Choice] = &[
    Choice {
        system: "Dynamo (Amazon, 2007), default",
        partition: P::Availability,
        otherwise: E::Latency,
        source: Abadi2012,
        why: "sloppy quorums and hinted handoff keep writes flowing on both sides; R + W ≤ N by default so a read does not wait for the newest copy",
    },
    Choice {
        system: "Cassandra, default consistency levels",
        partition: P::Availability,
        otherwise: E::Latency,
        source: Abadi2012,
        why: "a read or write at ONE is answered by one reachable replica, partition or not",
    },
    Choice {
        system: "Riak, default",
        partition: P::Availability,
        otherwise: E::Latency,
        source: Abadi2012,
        why: "Dynamo's design: any reachable replicas take the request, conflicts are reconciled later",
    },
    Choice {
        system: "VoltDB / H-Store",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Abadi2012,
        why: "fully ACID: replicas of a partition apply the same transactions, and the minority side stops",
    },
    Choice {
        system: "Megastore",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Abadi2012,
        why: "Paxos across data centres for every write within an entity group",
    },
    Choice {
        system: "BigTable / HBase",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Abadi2012,
        why: "each row range has one serving node; if it is unreachable, so is the data",
    },
    Choice {
        system: "PNUTS (Yahoo!)",
        partition: P::Consistency,
        otherwise: E::Latency,
        source: Abadi2012,
        why: "a per-record master orders writes (consistent), while reads are served from a local, possibly stale, replica",
    },
    Choice {
        system: "MongoDB (2012 defaults)",
        partition: P::Availability,
        otherwise: E::Consistency,
        source: Abadi2012,
        why: "reads and writes go to the primary (consistent in normal running); an isolated primary kept accepting writes that could later be rolled back",
    },
    Choice {
        system: "DynamoDB, eventually consistent reads (the default)",
        partition: P::Availability,
        otherwise: E::Latency,
        source: Ours,
        why: "a default read may be served by any replica and miss a recent write; ConsistentRead=true moves that read to EC, at twice the read-capacity cost",
    },
    Choice {
        system: "Spanner",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Ours,
        why: "Paxos groups and TrueTime commit-wait: the minority side cannot commit, and every commit waits out the clock uncertainty",
    },
    Choice {
        system: "etcd / ZooKeeper (writes; etcd linearizable reads)",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Ours,
        why: "a majority quorum orders every write; the minority side refuses. ZooKeeper's default reads come from the local server (sequential, so EL for reads) unless preceded by sync",
    },
    Choice {
        system: "PostgreSQL, primary with asynchronous replicas, reads from replicas",
        partition: P::Availability,
        otherwise: E::Latency,
        source: Ours,
        why: "replicas answer from what they have replayed; an acknowledged commit can be lost if the primary fails before shipping it",
    },
    Choice {
        system: "CockroachDB",
        partition: P::Consistency,
        otherwise: E::Consistency,
        source: Ours,
        why: "Raft per range with leaseholder reads; follower reads are opt-in and explicitly stale",
    },
];

/// The rows with this label ("PA/EL", ...), for the grid's four cells.
pub fn cell(label: &str) -> impl Iterator<Item = &'static Choice> + '_ {
    GRID.iter().filter(move |c| c.label() == label)
}

//! What the nodes say to each other, what their timers carry, and what they report.

use sim::{Kind, KvOp, NodeId, Time};

use crate::wal::Entry;

/// A message between clients, replicas and the failure detector.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Client → replica: write `value` to `key`.
    Write {
        /// The client's request number, echoed in the reply.
        req: u64,
        /// The key.
        key: String,
        /// The value (unique in a run).
        value: String,
    },
    /// Client → replica: read `key`.
    Read {
        /// The client's request number.
        req: u64,
        /// The key.
        key: String,
    },
    /// Replica → client: the write is acknowledged.
    WriteOk {
        /// The request answered.
        req: u64,
    },
    /// Replica → client: the read's answer.
    ReadOk {
        /// The request answered.
        req: u64,
        /// The value found (`""` if none).
        value: String,
    },
    /// Replica → client: "I am not the leader", so the request did nothing.
    NotLeader {
        /// The request refused.
        req: u64,
        /// Who the replica thinks leads, if it knows.
        leader: Option<NodeId>,
    },
    /// Leader → follower: "my log matches yours up to `from` (whose epoch is `prev_epoch`);
    /// here is what follows". Empty `entries` is a heartbeat that still confirms leadership.
    Append {
        /// The sender's epoch: the fencing token.
        epoch: u64,
        /// The position the entries follow.
        from: u64,
        /// The epoch of the sender's entry at `from`.
        prev_epoch: u64,
        /// The entries after `from`.
        entries: Vec<Entry>,
        /// The sender's log length when it sent this: a follower drops entries past it that
        /// come from an older epoch (they are not in the sender's log).
        leader_len: u64,
        /// The leader's confirmation round, echoed in the ack (reads wait on it).
        round: u64,
    },
    /// Follower → leader: the answer to an `Append`.
    AppendAck {
        /// The follower's epoch (higher than the leader's: the leader has been replaced).
        epoch: u64,
        /// Whether the entries were taken.
        ok: bool,
        /// If ok, the follower's log length; if not, where the leader should resume from.
        len: u64,
        /// The round acknowledged.
        round: u64,
    },
    /// Failure detector → replica: "are you alive, and how long is your log?". Carries who the
    /// detector believes leads, so a replica that missed a promotion learns of it.
    Ping {
        /// The detector's current epoch.
        epoch: u64,
        /// The leader of that epoch.
        leader: NodeId,
    },
    /// Replica → failure detector.
    Pong {
        /// The replica's log length.
        len: u64,
        /// The replica's epoch.
        epoch: u64,
    },
    /// Failure detector → the chosen follower: lead `epoch`, with these followers counting
    /// towards acknowledgements.
    Promote {
        /// The new epoch.
        epoch: u64,
        /// The followers whose acks count.
        voters: Vec<NodeId>,
    },
    /// Failure detector → everyone: `leader` leads `epoch`.
    Leader {
        /// The epoch.
        epoch: u64,
        /// Its leader.
        leader: NodeId,
    },
}

/// What the nodes' timers carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A leader's shipping tick: resend followers what they lack, sample their lag. Carries the
    /// leadership it belongs to, so a tick from an earlier term is ignored.
    Ship(u64),
    /// The failure detector's tick: ping, and decide whether the leader is dead.
    Detect,
    /// A client starts its next operation.
    NextOp,
    /// A client gives up on request `req`.
    Timeout(u64),
}

/// What a node reports to the experiment.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    /// A client event for the history.
    Client {
        /// The client's number (0-based).
        client: usize,
        /// Invoke, ok, fail or info.
        kind: Kind,
        /// The operation.
        op: KvOp,
    },
    /// A leader measured a follower's lag.
    Lag {
        /// The leader that measured it.
        leader: NodeId,
        /// The follower.
        follower: NodeId,
        /// Entries the follower lacks.
        entries: u64,
        /// Age of the oldest entry it lacks, in ms (0 when caught up).
        ms: f64,
    },
    /// The detector promoted `leader` to lead `epoch`; its log was `len` long.
    Promoted {
        /// The new leader.
        leader: NodeId,
        /// The new epoch.
        epoch: u64,
        /// The new leader's log length when promoted.
        len: u64,
    },
    /// A replica cut entries from its log because the leader's log disagrees: writes it held
    /// that the surviving history does not (divergence), now gone from it.
    Truncated {
        /// The replica.
        replica: NodeId,
        /// What was cut.
        entries: Vec<Entry>,
    },
    /// A replica that believed it led has stepped down.
    SteppedDown {
        /// The replica.
        replica: NodeId,
        /// Its epoch.
        epoch: u64,
        /// The epoch that replaced it.
        newer: u64,
    },
    /// A semi-synchronous leader waited longer than its timeout for acks and now acknowledges
    /// writes without them (MySQL's fallback to asynchronous replication).
    FellBackToAsync {
        /// The leader.
        replica: NodeId,
    },
    /// A follower refused an append from a stale leader (only with fencing).
    Fenced {
        /// The follower.
        follower: NodeId,
        /// The stale epoch refused.
        stale: u64,
    },
}

/// When something was reported, and by whom: a kernel record of an [`Out`].
pub type Report = sim::Record<Out>;

/// How long ago `t` was, in ms, seen from `now`.
pub(crate) fn age_ms(now: Time, t: Time) -> f64 {
    now.since(t).as_millis_f64()
}

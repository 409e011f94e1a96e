//! How many followers must hold a write before the client hears "ok": the one knob that decides
//! what a failover can lose.

use std::fmt;

/// The replication mode of a leader-follower group.
///
/// The names are MySQL's, and so is the meaning: *asynchronous* acknowledges a write as soon as
/// the leader's own log has it; *semi-synchronous* waits until `acks` followers have *received*
/// it (MySQL's `rpl_semi_sync_source_wait_for_replica_count`); *synchronous* waits for every
/// follower in the group. PostgreSQL calls the last two `synchronous_standby_names = 'ANY k (...)'`
/// and `FIRST n`/all standbys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Ack once every follower has the write.
    Sync,
    /// Ack once `acks` followers have the write.
    SemiSync {
        /// How many followers must hold the write (at least 1).
        acks: usize,
    },
    /// Ack once the leader's own log has the write.
    Async,
}

impl Mode {
    /// How many of `followers` must hold a write before it is acknowledged.
    pub fn acks_needed(self, followers: usize) -> usize {
        match self {
            Mode::Sync => followers,
            Mode::SemiSync { acks } => acks.clamp(1, followers.max(1)).min(followers),
            Mode::Async => 0,
        }
    }

    /// The three modes the chapter compares, in order of decreasing durability.
    pub fn all() -> [Mode; 3] {
        [Mode::Sync, Mode::SemiSync { acks: 1 }, Mode::Async]
    }

    /// Where this mode sits on The Write-Path Trilemma, for a group of `followers` followers:
    /// which of durability, latency and availability it buys, and which it pays.
    pub fn trilemma(self, followers: usize) -> Trilemma {
        match self {
            Mode::Sync => Trilemma {
                durability: "every follower holds each acknowledged write: a failover loses none",
                latency: "each write waits for the slowest follower's round trip",
                availability: "one slow or cut-off follower stops every write",
                gives_up: "availability",
            },
            Mode::SemiSync { acks } if acks >= followers => Mode::Sync.trilemma(followers),
            Mode::SemiSync { .. } => Trilemma {
                durability: "k followers hold each acknowledged write: a failover that promotes the most up-to-date one loses none",
                latency: "each write waits for the k-th fastest follower",
                availability: "writes stop only when fewer than k followers answer",
                gives_up: "a little of each",
            },
            Mode::Async => Trilemma {
                durability: "only the leader holds a write when it is acknowledged: a failover loses whatever was still in flight",
                latency: "a write costs one local disk write",
                availability: "the leader alone can take writes",
                gives_up: "durability",
            },
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Sync => write!(f, "sync"),
            Mode::SemiSync { acks } => write!(f, "semi-sync (k={acks})"),
            Mode::Async => write!(f, "async"),
        }
    }
}

/// One mode's place on The Write-Path Trilemma: what it does for each corner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trilemma {
    /// What survives the loss of the leader.
    pub durability: &'static str,
    /// What a write costs.
    pub latency: &'static str,
    /// When writes stop.
    pub availability: &'static str,
    /// The corner it gives up.
    pub gives_up: &'static str,
}

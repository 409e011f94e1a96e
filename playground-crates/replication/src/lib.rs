//! # replication: keeping copies honest
//!
//! Module 3 of *Distributed Systems in Practice*. A leader-follower group on the course's
//! simulation kernel ([`sim`]), with every rule that decides what a failover loses:
//!
//! | module | what it holds |
//! |---|---|
//! | [`wal`] | the write-ahead log the leader ships, with the epoch of every entry |
//! | [`mode`] | sync, semi-sync (ack from k of n) and async, and where each sits on The Write-Path Trilemma |
//! | [`replica`] | the leader and follower state machine: shipping, acks, reads, fencing, truncation |
//! | [`monitor`] | the failure detector that promotes the most up-to-date follower |
//! | [`client`] | clients that record every operation for the history |
//! | [`scenario`] | a two-region group, faults, and the counts: lost, divergent, lag, the verdict |
//! | [`quorum`] | leaderless N/R/W quorums with read repair and a sloppy quorum with hinted handoff |
//! | [`check`] | the recorded history, through Jepsen's format, to Module 2's checker |
//!
//! ```
//! use replication::{Mode, Scenario};
//!
//! let run = Scenario::failover(Mode::Async).run();
//! assert!(!run.lost.is_empty()); // acknowledged, and gone
//! assert!(!run.linearizable);
//!
//! let run = Scenario::failover(Mode::Sync).run();
//! assert!(run.lost.is_empty());
//! assert!(run.linearizable);
//! ```

pub mod actor;
pub mod check;
pub mod client;
pub mod isr;
pub mod mode;
pub mod monitor;
pub mod protocol;
pub mod quorum;
pub mod replica;
pub mod scenario;
pub mod wal;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

pub use consistency::{Verdict, Witness};
pub use mode::{Mode, Trilemma};
pub use replica::Config;
pub use scenario::{Fault, LagSample, LostWrite, Reconcile, Run, Scenario, CLIENTS, REPLICAS};
pub use sim::{Span, Time};
pub use wal::{Entry, Wal};

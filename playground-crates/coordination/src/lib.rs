//! # coordination: the pause that breaks a lock, and the token that saves it
//!
//! Module 8 of *Distributed Systems in Practice*. Everything here runs on the course's simulation
//! kernel ([`sim`]): seeded, in virtual time, so a run is a function of its seed and its scenario.
//!
//! | module | what it shows |
//! |---|---|
//! | [`lease`] | a lock service that grants leases and numbers every grant with a fencing token |
//! | [`storage`] | a store that refuses a request whose token is older than the newest it has seen |
//! | [`pause`] | two clients, the lock and the store on one timeline: a stop-the-world pause outlasts the lease, and the history is judged by Module 2's linearizability checker |
//! | [`redlock`] | a single-node lock and a Redlock-style majority lock over five nodes, with clock jumps, crashes and partitions, and who believed they held the lock when |
//! | [`raft`] | leader election and log replication, small and deterministic, with a lock as its state machine: the token is the log index |
//! | [`saga`] | an orchestrator with compensating actions, and what is left when a compensation fails |
//!
//! ```
//! use coordination::pause::{PauseScenario, run};
//!
//! let unfenced = run(&PauseScenario { fencing: false, ..PauseScenario::default() });
//! let fenced = run(&PauseScenario { fencing: true, ..PauseScenario::default() });
//! assert_eq!(unfenced.stale_accepted, 1);     // token 33 lands after 34
//! assert!(!unfenced.linearizable);
//! assert_eq!(fenced.stale_accepted, 0);       // storage refuses 33
//! assert!(fenced.linearizable);
//! ```

pub mod lease;
pub mod pause;
pub mod raft;
pub mod redlock;
pub mod saga;
pub mod storage;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

pub use lease::{Grant, LeaseLock};
pub use storage::{Refused, Storage};

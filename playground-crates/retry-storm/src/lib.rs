//! # retry-storm: how retries turn a blip into an outage, and what stops them
//!
//! A deterministic discrete-event simulator of a fleet of clients (timeouts, retries) calling one
//! server (a fixed number of workers and a bounded queue). At 70% load it runs fine forever. A
//! short trigger, a capacity dip of a few seconds, tips it into a *metastable* failure (Bronson,
//! Aghayev, Charapko and Zhu, "Metastable Failures in Distributed Systems", HotOS 2021): requests
//! time out, clients retry, the server's queue fills with attempts whose clients already gave up,
//! and it spends all its capacity on them. Throughput stays at capacity; goodput falls to nearly
//! zero; and it stays there after the trigger is gone, because the retries (a *workload
//! amplification*, in Huang et al., "Metastable Failures in the Wild", OSDI 2022) keep offering
//! 2.8× what the server can serve. Without retries, the same system recovers by itself.
//!
//! ```
//! use std::time::Duration;
//! use retry_storm::{Scenario, Simulation};
//!
//! let storm = Simulation::run(Scenario::metastable(), Duration::from_secs(60));
//! assert!(storm.collapsed(), "still collapsed 45 s after a 5 s trigger");
//!
//! let budgeted = Simulation::run(
//!     Scenario::metastable().with_defense("retry_budget"),
//!     Duration::from_secs(60),
//! );
//! assert!(!budgeted.collapsed());
//! ```
//!
//! The defenses live in [`defenses`], one module each, with the failure mode each can cause.
//! The client ([`client`]) and the server ([`server`]) are sans-IO state machines; [`sim`] is the
//! event loop that connects them; [`metrics`] turns a run into per-step numbers and finds the
//! tipping point; [`scenario`] holds the named parameter sets.

pub mod client;
pub mod defenses;
pub mod event;
pub mod metrics;
pub mod scenario;
pub mod server;
pub mod sim;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
pub mod wasm;

pub use defenses::Defenses;
pub use metrics::{goodput_share, table, Episode, Step};
pub use scenario::{Scenario, Trigger, TriggerKind};
pub use sim::{Counts, Simulation};

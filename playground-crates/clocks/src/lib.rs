//! # clocks: time, order and failure when there is more than one machine
//!
//! Module 1 of *Distributed Systems in Practice*. A single machine has one clock and one order of
//! events; a distributed system has neither. This crate is the smallest honest model of what
//! replaces them:
//!
//! - [`LamportClock`]: one counter a process, enough to give every event a timestamp consistent
//!   with causality (if `a → b` then `L(a) < L(b)`), but not enough to tell causality back from
//!   the timestamps.
//! - [`VectorClock`]: one counter a process *per process*, which captures happened-before
//!   exactly, so [`VectorClock::compare`] can say "before", "after" or "concurrent".
//! - [`Replica`] and [`Simulation`]: three (or more) replicas exchanging messages step by step,
//!   recording every event with its vector and Lamport time. The book's vector-clock widget is
//!   this simulation compiled to WebAssembly.
//! - [`failure_detector`]: deciding that a silent peer is dead, with a fixed heartbeat timeout and
//!   with phi accrual, and the trade-off between speed, accuracy and cost that no detector escapes.
//! - [`truetime`] and [`commit_wait`]: Spanner's interval clock, whose uncertainty ε follows a
//!   sawtooth between syncs, and the commit wait that makes timestamps from two servers agree with
//!   real time (Module 10). Their time is in microseconds.
//!
//! Everything is deterministic and sans-IO: time is a `u64` of milliseconds you pass in, events go
//! in and messages come out, and the only randomness is a seeded generator. A test, a snippet and
//! the widget given the same inputs see the same history.
//!
//! ```
//! use clocks::{CausalOrder, Simulation};
//!
//! let mut sim = Simulation::new(3);
//! let a1 = sim.local(0).unwrap();          // A: [1,0,0]
//! let (a2, m1) = sim.send(0, 1).unwrap();  // A sends m1 to B: [2,0,0]
//! let b1 = sim.receive(m1).unwrap();       // B merges and ticks: [2,1,0]
//! let c1 = sim.local(2).unwrap();          // C never heard from anyone: [0,0,1]
//!
//! assert_eq!(sim.event(b1).unwrap().vector.to_string(), "[2,1,0]");
//! assert_eq!(sim.compare(a2, b1), Some(CausalOrder::Before));
//! assert_eq!(sim.compare(a1, c1), Some(CausalOrder::Concurrent));
//! ```

pub mod commit_wait;
pub mod failure_detector;
pub mod lamport;
pub mod ordering;
pub mod rng;
pub mod sim;
pub mod truetime;
pub mod vector;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

pub use lamport::LamportClock;
pub use ordering::CausalOrder;
pub use sim::{
    Envelope, Event, EventId, EventKind, Message, MessageId, Replica, SimError, Simulation, Stamp,
    Step,
};
pub use vector::VectorClock;

//! `tail-latency`: Module 9's companion crate. The tail-at-scale math you can run.
//!
//! A user request that fans out to many servers is as slow as the slowest one it waits for. This
//! crate makes that sentence a number, and then plans capacity with the same care:
//!
//! | module | what it holds |
//! |---|---|
//! | [`latency`] | leaf latency distributions: exponential, log-normal, a fast mode with a rare slow mode, recorded samples |
//! | [`percentile`] | nearest-rank percentiles, the only kind you can merge honestly (from the samples) |
//! | [`fanout`] | a request that fans out to N leaves and waits for all, a quorum, or the first k; `1 − (1 − p)^N` |
//! | [`hedge`] | hedged requests (a backup after the leaf's pXX) and tied requests (both queued, the loser cancelled), with the load each costs |
//! | [`queueing`] | M/M/c: Erlang C, mean and percentile waits, Little's law, the knee of the curve, capacity for a target |
//! | [`pool`] | a discrete-event server pool on the `sim` kernel: checks the formulas, and shows hedging without a budget at overload |
//! | [`cli`] | the two fixed commands, `capacity` and `fanout`, as functions the tests call |
//! | [`slack`] | a small model of the Slack outage of 4 January 2021: a CPU autoscaler and a slowly ramping network path |
//!
//! Everything is deterministic: a run is a pure function of its seed, so the figures in the chapter
//! are the same on every reader's machine. Times are milliseconds as `f64` in the analytic parts and
//! [`sim::Time`] in the discrete-event pool.
//!
//! The paper behind the math: Jeffrey Dean and Luiz André Barroso, *The Tail at Scale*,
//! Communications of the ACM 56(2), February 2013.

pub mod cli;
pub mod fanout;
pub mod hedge;
pub mod latency;
pub mod percentile;
pub mod pool;
pub mod queueing;
pub mod slack;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
pub mod wasm;

pub use fanout::{p_at_least_one_slow, FanOut, FanOutReport, Wait};
pub use hedge::{Hedge, HedgeReport, Tied, TiedReport};
pub use latency::Latency;
pub use percentile::Summary;
pub use pool::{Pool, PoolReport};
pub use queueing::MMc;

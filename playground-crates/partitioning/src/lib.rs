//! Module 4's companion crate: how keys are spread over nodes, what moves when the cluster
//! changes, and what to do about the one key that melts a shard.
//!
//! Every scheme implements [`Partitioner`], so the measurements in [`measure`] work on all of
//! them alike:
//!
//! | module | what it shows |
//! |---|---|
//! | [`mod_n`] | `hash(key) % N`: even load, but growing 4 → 5 nodes moves about 80% of keys |
//! | [`ring`] | consistent hashing with virtual nodes: growing moves about 1/(N+1) of keys |
//! | [`rendezvous`] | highest-random-weight hashing: the same minimal moves with no ring at all |
//! | [`slots`] | a fixed slot map: 1,024 slots and a table, the simple fix that is often enough |
//! | [`range`] | sorted key ranges that split when they grow: scans stay cheap, hot spots move |
//! | [`workload`] | seeded uniform and Zipfian key streams, so every run prints the same numbers |
//! | [`measure`] | keys moved, load per node, skew (max / mean) |
//! | [`hot_keys`] | space-saving: the top keys of a stream in bounded memory |
//! | [`coalesce`] | many concurrent reads of one key become one backend read (sans-IO) |
//! | [`triage`] | the Hot-Key Triage tree as code |
//! | [`scenario`] | a cluster you change one step at a time; the hash-ring widget drives it |
//!
//! Everything is deterministic: the hash is written out in [`hash`] and the random numbers come
//! from a seeded generator, so a snippet, a test and the widget in the browser agree to the key.

pub mod coalesce;
pub mod hash;
pub mod hot_keys;
pub mod measure;
pub mod mod_n;
pub mod range;
pub mod rendezvous;
pub mod ring;
pub mod scenario;
pub mod slots;
pub mod triage;
pub mod workload;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

pub use coalesce::{Action, Coalescer, Event, FetchId, WaiterId};
pub use hot_keys::{HeavyHitter, SpaceSaving};
pub use measure::{keys_moved, load, weighted_load, Load, Moves};
pub use mod_n::ModN;
pub use range::{KeyRange, RangePartitions, SplitError};
pub use rendezvous::Rendezvous;
pub use ring::Ring;
pub use scenario::{Scenario, Scheme};
pub use slots::SlotMap;
pub use triage::{coalesced_rate, triage, HotKeyProfile, Remedy, TrafficShape, Triage};
pub use workload::{Distribution, SplitMix64, Workload};

/// A rule that decides which node owns a key.
///
/// Why a trait: the whole point of the module is comparing schemes under the same measurements,
/// so [`keys_moved`] and [`load`] take any `Partitioner`, and a snippet can swap [`ModN`] for
/// [`Ring`] in one line and watch the numbers change.
pub trait Partitioner {
    /// The node that owns `key`, or `None` when there are no nodes.
    fn owner(&self, key: &str) -> Option<&str>;

    /// Every node that can own keys, in a stable order (sorted by name, or by range for
    /// [`RangePartitions`]), so load tables print the same way every run.
    fn nodes(&self) -> Vec<&str>;
}

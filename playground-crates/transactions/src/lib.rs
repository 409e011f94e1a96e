//! `transactions`: Module 5's companion crate. An MVCC key-value store whose three isolation
//! levels answer the way PostgreSQL's do, step for step, and the tools to see why.
//!
//! | module | what it holds |
//! |---|---|
//! | [`store`] | the heap of row versions, snapshots, row locks, and read committed / repeatable read |
//! | [`ssi`] | serializable snapshot isolation: SIREAD locks, rw-antidependencies, dangerous structures |
//! | [`step`] | the script language, one step a line, each the stand-in for one SQL statement |
//! | [`script`] | plays a script and prints `<txn> <step> -> <result>` lines |
//! | `scripts/` | Hermitage's PostgreSQL tests, and one script for each rule above |
//! | `src/wasm.rs` | the isolation-stepper widget's entry point (wasm only, `widget` feature) |
//! | [`adya`] | the dependency-graph checker that names a history's anomaly and prints its cycle |
//! | [`twopc`] | two-phase commit on the simulation kernel, with a crash at any step and recovery from the log |
//!
//! Why a store that copies PostgreSQL rather than a textbook: readers use PostgreSQL. A test
//! (`tests/postgres.rs`) plays every script here and through a real PostgreSQL server and
//! requires the two outputs to be identical.
//!
//! ```
//! let out = transactions::script::run(
//!     "T1 begin repeatable-read\n\
//!      T2 begin repeatable-read\n\
//!      T1 set 1 11\n\
//!      T2 set 1 12\n\
//!      T1 commit\n",
//! )
//! .unwrap();
//! assert_eq!(out[3], "T2 set 1 12 -> blocked");
//! assert_eq!(out[5], "T2 set 1 12 -> error: serialization failure (was blocked)");
//! ```

pub mod adya;
pub mod script;
pub mod ssi;
pub mod step;
pub mod store;
pub mod twopc;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

//! # consistency: consistency is a per-operation decision
//!
//! Module 2 of *Distributed Systems in Practice*. The crate holds:
//!
//! - [`lincheck`]: a linearizability checker (Wing & Gong's search with Lowe's memoisation, as
//!   Porcupine does it) for a register with read/write/compare-and-set and for a key-value map
//!   with get/put/append, which agrees with Jepsen's recorded etcd and kv histories;
//! - [`parse`]: readers for those two Jepsen formats;
//! - [`history`]: the operation histories every part shares, and a [`Recorder`] to build them;
//! - [`generate`]: histories that are linearizable by construction, or broken on purpose;
//! - [`session`]: checkers for read-your-writes, monotonic reads and bounded staleness that say
//!   which client saw which anomaly;
//! - [`pacelc`]: the PACELC Decision Grid as data (Abadi 2012's classifications, and ours, labelled);
//! - [`register`]: a replicated register on the simulation kernel, where each read and write
//!   names its consistency level, recording Jepsen histories through the kernel's recorder.
//!
//! ```
//! use consistency::{check_register, Outcome, Recorder, RegisterOp};
//!
//! let mut h = Recorder::new();
//! h.invoke(0, 1, RegisterOp::Write(1));
//! h.complete(10, 1, Outcome::Ok(None));
//! h.invoke(20, 2, RegisterOp::Read);          // invoked after the write returned...
//! h.complete(30, 2, Outcome::Ok(None));       // ...yet saw no value: a stale read
//! let verdict = check_register(&h.finish());
//! assert!(!verdict.is_linearizable());
//! ```

pub mod cli;
pub mod generate;
pub mod hash;
pub mod history;
pub mod lincheck;
pub mod model;
pub mod pacelc;
pub mod parse;
pub mod register;
pub mod rng;
pub mod samples;
pub mod session;

#[cfg(all(target_arch = "wasm32", feature = "widget"))]
mod wasm;

pub use history::{
    History, KvOp, KvOperation, Operation, Outcome, Recorder, RegisterOp, RegisterOperation, Stamp,
};
pub use lincheck::{
    check, check_kv, check_operations, check_register, Verdict, Witness, WitnessOp,
};
pub use model::{KvKey, Model, Register};
pub use parse::{parse, parse_file, ParseError};

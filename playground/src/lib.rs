//! The playground behind the book's Run buttons.
//!
//! It speaks the public Rust playground's HTTP API as mdBook's `book.js` uses it (`/meta/crates`,
//! `/evaluate.json`), compiles each snippet with rustc against the prebuilt companion-crate rlibs
//! and runs it, both steps inside a bubblewrap sandbox with rlimits and a cgroup per step. Unedited
//! snippets are answered from results computed at build time, repeated ones from a cache, and
//! compiles are rationed by a bulkhead. See `playground/README.md` for the why of each piece.
//!
//! Entry points: [`Playground::new`] + [`Playground::evaluate`] (the one code path used by the
//! server, the snippet tests and precomputation), [`router`] (the axum routes), [`Config`], and
//! [`precompute::precompute_book`] for the build.

pub mod api;
pub mod bench;
pub mod bulkhead;
pub mod cache;
pub mod cgroup;
pub mod compile;
pub mod config;
pub mod deps;
pub mod evaluate;
pub mod limits;
pub mod precompute;
pub mod sandbox;
pub mod wire;

pub use api::router;
pub use config::{CompanionCrate, Config};
pub use evaluate::{Health, Playground, Source};
pub use limits::{LimitHit, Limits, StepLimits};
pub use precompute::{precompute, precompute_book, Precomputed};
pub use wire::{CrateInfo, CratesResponse, EvaluateRequest, EvaluateResponse, Outcome};

//! The JSON shapes of the public Rust playground's API, as mdBook's `book.js` uses them.
//!
//! Kept in one place because three parties must agree on them byte for byte: `book.js` (which we do
//! not control), the fetch shim in `theme/head.hbs`, and the static `precomputed.json` file.

use serde::{Deserialize, Serialize};

/// A Run request: what `book.js` POSTs to `/evaluate.json`.
///
/// Every field but `code` has a default so that hand-written clients (curl, tests) can send less
/// than `book.js` does; unknown fields (the public playground also accepts `tests`, `backtrace`)
/// are ignored rather than rejected, for the same reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateRequest {
    /// Release channel: `book.js` sends `stable`, or `nightly` when the code contains `#![feature`.
    #[serde(default = "default_version")]
    pub version: String,
    /// Optimisation level as a string: `book.js` always sends `"0"`.
    #[serde(default = "default_optimize")]
    pub optimize: String,
    /// The snippet's full source, hidden (`# `) lines included.
    pub code: String,
    /// Rust edition: `2015`, `2018`, `2021` or `2024`.
    #[serde(default = "default_edition")]
    pub edition: String,
}

fn default_version() -> String {
    "stable".to_owned()
}
fn default_optimize() -> String {
    "0".to_owned()
}
fn default_edition() -> String {
    "2021".to_owned()
}

impl EvaluateRequest {
    /// The request `book.js` (mdBook 0.5.4) sends for `code` shown with the given edition class.
    ///
    /// Precomputation must build exactly this request, or the browser's lookup key would differ
    /// from the one we stored: `book.js` picks `nightly` when the text contains `#![feature` and
    /// always sends optimize `"0"`.
    pub fn like_book_js(code: &str, edition: &str) -> Self {
        let version = if code.contains("#![feature") {
            "nightly"
        } else {
            "stable"
        };
        EvaluateRequest {
            version: version.to_owned(),
            optimize: "0".to_owned(),
            code: code.to_owned(),
            edition: edition.to_owned(),
        }
    }
}

/// How an evaluation ended, so programmatic callers (the snippet tests) need not parse `result`.
///
/// Serialized as `outcome` next to `result`/`error`; `book.js` ignores fields it does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// Compiled and ran; the program exited with status 0.
    #[default]
    Success,
    /// rustc rejected the snippet (its message is in `result` and `error`).
    CompileError,
    /// The program ran and exited unsuccessfully (a panic exits with 101).
    RuntimeError {
        /// The exit status, or 128 + signal number when a signal ended it.
        status: i32,
    },
    /// A sandbox limit stopped the compiler or the program.
    LimitExceeded {
        /// Which limit, e.g. `wall_clock` or `memory`.
        limit: String,
    },
    /// The playground was saturated and did not start this run; retry later.
    Busy,
    /// The request itself was unacceptable (too large, unknown edition, ...).
    Rejected,
    /// The playground itself failed (sandbox could not start); not the snippet's fault.
    InternalError,
}

/// The answer to a Run: what `/evaluate.json` returns.
///
/// `book.js` shows only `result` and ignores `error`, so everything the learner must see (rustc's
/// message, the program's stderr, a limit's one-line notice, "busy, retry") is in `result`, as the
/// public playground does. `error` repeats the failure part for other clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateResponse {
    /// What the learner sees: stdout then stderr, or rustc's message, plus any limit notice.
    pub result: String,
    /// `None` on success; otherwise the failure text (rustc's message, stderr, the notice).
    pub error: Option<String>,
    /// How it ended.
    #[serde(default)]
    pub outcome: Outcome,
}

impl EvaluateResponse {
    /// A failure whose text goes into both `result` (for `book.js`) and `error`.
    pub fn failure(message: impl Into<String>, outcome: Outcome) -> Self {
        let message = message.into();
        EvaluateResponse {
            result: message.clone(),
            error: Some(message),
            outcome,
        }
    }

    /// Whether the snippet compiled and ran to a zero exit status.
    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }
}

/// One companion crate as `/meta/crates` lists it.
///
/// `book.js` only reads `id` (matched against `extern crate <id>;`), so `id` is the lib name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateInfo {
    /// The lib name, as used in `use <id>::...` and `extern crate <id>;`.
    pub id: String,
    /// The package name from Cargo.toml.
    pub name: String,
    /// The package version from Cargo.toml.
    pub version: String,
}

/// The answer to `/meta/crates` (also written to `book/playground/meta-crates.json`).
///
/// `book.js` keeps every Run button hidden unless this has a `crates` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CratesResponse {
    /// The companion crates snippets may use.
    pub crates: Vec<CrateInfo>,
}

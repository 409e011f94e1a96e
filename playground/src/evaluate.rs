//! [`Playground`]: the one code path from a Run request to its answer.
//!
//! Order of work, cheapest first: validate → precomputed table → result cache → admission →
//! sandboxed compile and run → cache. Only the sandboxed step is rationed, so answers that need
//! no compile keep flowing while every compile slot is taken.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use anyhow::Result;
use futures_util::FutureExt;
use serde::Serialize;

use crate::bulkhead::{Admission, Bulkhead, Estimate};
use crate::cache::{self, ResultCache};
use crate::compile::{Compiler, Snippet, Toolchain};
use crate::config::Config;
use crate::limits::Bytes;
use crate::precompute::{lookup_key, Precomputed};
use crate::sandbox::Sandbox;
use crate::wire::{CrateInfo, CratesResponse, EvaluateRequest, EvaluateResponse, Outcome};

/// Where an answer came from; reported to HTTP clients in the `x-dsip-source` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The build-time table of the book's own snippets.
    Precomputed,
    /// The in-memory result cache.
    Cache,
    /// A sandboxed compile and run just now.
    Compiled,
    /// Not run: it could not have been answered within the client's deadline.
    Busy,
    /// Not run: the request was invalid.
    Rejected,
    /// Not run to completion: the playground itself failed.
    Internal,
}

impl Source {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Precomputed => "precomputed",
            Source::Cache => "cache",
            Source::Compiled => "compiled",
            Source::Busy => "busy",
            Source::Rejected => "rejected",
            Source::Internal => "internal",
        }
    }
}

/// The playground: evaluates snippets for the HTTP server, the snippet tests and precomputation.
#[derive(Debug)]
pub struct Playground {
    config: Config,
    sandbox: Sandbox,
    compiler: Compiler,
    cache: ResultCache,
    bulkhead: Bulkhead,
    precomputed: HashMap<String, EvaluateResponse>,
    crates: CratesResponse,
}

/// What `/health` reports: enough to see at a glance whether the sandbox is degraded.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// `rustc -V` of the toolchain.
    pub toolchain: String,
    /// What the host could not provide; empty when every limit is enforced.
    pub degraded: Vec<String>,
    /// Compiles running now.
    pub in_flight: usize,
    /// Runs waiting for a compile slot.
    pub waiting: usize,
    /// The admission rule's current estimate of one compile-and-run, in ms.
    pub mean_run_ms: u64,
    /// Cached results.
    pub cache_entries: usize,
    /// Bytes held by the cache.
    pub cache_bytes: usize,
    /// Precomputed results loaded.
    pub precomputed: usize,
}

impl Playground {
    /// Checks the host (bubblewrap, cgroups), the toolchain and the rlibs; loads the precomputed
    /// table if configured. Fails loudly on anything that would make every Run fail.
    pub fn new(config: Config) -> Result<Self> {
        let sandbox = Sandbox::new(config.cgroups, config.temp_dir.clone())?;
        let toolchain = Toolchain::discover(config.rustc.as_deref())?;
        let compiler = Compiler::new(&config, toolchain, sandbox.memory_bounded())?;
        // One launcher per compile slot and step, started ahead of time (see Sandbox).
        for job in compiler.jobs() {
            sandbox.prewarm(job, config.concurrency.max(1));
        }
        let precomputed = match &config.precomputed {
            Some(path) => {
                let table = Precomputed::load(path)?;
                if table.toolchain != compiler.toolchain().version {
                    tracing::warn!(
                        "{} was made with {}, serving with {}",
                        path.display(),
                        table.toolchain,
                        compiler.toolchain().version
                    );
                }
                table.into_map()
            }
            None => HashMap::new(),
        };
        let crates = CratesResponse {
            crates: config
                .crates
                .iter()
                .map(|c| CrateInfo {
                    id: c.lib.clone(),
                    name: c.name.clone(),
                    version: c.version.clone(),
                })
                .collect(),
        };
        Ok(Playground {
            cache: ResultCache::new(config.cache_bytes),
            bulkhead: Bulkhead::new(
                Admission {
                    slots: config.concurrency,
                    deadline: config.deadline,
                    margin: config.deadline_margin,
                },
                Estimate::PRIOR,
            ),
            sandbox,
            compiler,
            precomputed,
            crates,
            config,
        })
    }

    /// Evaluates a Run request: the answer `/evaluate.json` gives.
    pub async fn evaluate(&self, req: EvaluateRequest) -> EvaluateResponse {
        self.evaluate_traced(req).await.0
    }

    /// [`Playground::evaluate`], also saying where the answer came from.
    pub async fn evaluate_traced(&self, req: EvaluateRequest) -> (EvaluateResponse, Source) {
        let snippet = match self.validate(&req) {
            Ok(snippet) => snippet,
            Err(rejection) => return (rejection, Source::Rejected),
        };
        if let Some(hit) = self.precomputed.get(&lookup_key(&req)) {
            return (hit.clone(), Source::Precomputed);
        }
        let key = cache::key(&req);
        if let Some(hit) = self.cache.get(&key) {
            return (hit, Source::Cache);
        }
        let slot = match self.bulkhead.enter().await {
            Ok(slot) => slot,
            Err(busy) => {
                return (
                    EvaluateResponse::failure(busy.message(), Outcome::Busy),
                    Source::Busy,
                )
            }
        };
        let (resp, source) = self.run_guarded(&snippet).await;
        drop(slot);
        if cacheable(&resp.outcome) {
            self.cache.insert(key, resp.clone());
        }
        (resp, source)
    }

    /// Compiles and runs without consulting the precomputed table or the cache, waiting for a
    /// compile slot however long it takes. For precomputation, which must produce fresh results.
    pub async fn evaluate_fresh(&self, req: EvaluateRequest) -> EvaluateResponse {
        let snippet = match self.validate(&req) {
            Ok(snippet) => snippet,
            Err(rejection) => return rejection,
        };
        loop {
            if let Ok(slot) = self.bulkhead.enter().await {
                let (resp, _) = self.run_guarded(&snippet).await;
                drop(slot);
                return resp;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The `/meta/crates` answer.
    pub fn crates(&self) -> CratesResponse {
        self.crates.clone()
    }

    /// The `/health` answer.
    pub fn health(&self) -> Health {
        let (in_flight, waiting) = self.bulkhead.load();
        let (cache_entries, cache_bytes) = self.cache.usage();
        Health {
            toolchain: self.toolchain_version().to_owned(),
            degraded: self.sandbox.degraded().to_vec(),
            in_flight,
            waiting,
            mean_run_ms: self.bulkhead.mean().as_millis() as u64,
            cache_entries,
            cache_bytes,
            precomputed: self.precomputed.len(),
        }
    }

    /// The configuration this playground was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Compiles allowed at once.
    pub fn concurrency(&self) -> usize {
        self.config.concurrency.max(1)
    }

    /// `rustc -V` of the toolchain in use.
    pub fn toolchain_version(&self) -> &str {
        &self.compiler.toolchain().version
    }

    /// Compile and run, turning a sandbox failure or a panic into an answer instead of a crash.
    async fn run_guarded(&self, snippet: &Snippet<'_>) -> (EvaluateResponse, Source) {
        let work = self.compiler.compile_and_run(&self.sandbox, snippet);
        match AssertUnwindSafe(work).catch_unwind().await {
            Ok(Ok(resp)) => (resp, Source::Compiled),
            Ok(Err(e)) => {
                tracing::error!("sandbox failure: {e:#}");
                (internal(&format!("{e:#}")), Source::Internal)
            }
            Err(_) => {
                tracing::error!("panic while evaluating a snippet");
                (internal("panic"), Source::Internal)
            }
        }
    }

    fn validate<'a>(&self, req: &'a EvaluateRequest) -> Result<Snippet<'a>, EvaluateResponse> {
        let limit = self.config.max_code_bytes;
        if req.code.len() > limit {
            return Err(EvaluateResponse::failure(
                format!(
                    "Not run: the snippet is {} bytes; the limit is {}.",
                    req.code.len(),
                    Bytes(limit as u64)
                ),
                Outcome::Rejected,
            ));
        }
        if !matches!(req.edition.as_str(), "2015" | "2018" | "2021" | "2024") {
            return Err(EvaluateResponse::failure(
                format!(
                    "Not run: unknown edition {:?} (use 2015, 2018, 2021 or 2024).",
                    req.edition
                ),
                Outcome::Rejected,
            ));
        }
        let opt_level = match req.optimize.as_str() {
            "0" => 0,
            "1" => 1,
            "2" => 2,
            "3" => 3,
            other => {
                return Err(EvaluateResponse::failure(
                    format!("Not run: unknown optimize level {other:?} (use \"0\" to \"3\")."),
                    Outcome::Rejected,
                ))
            }
        };
        Ok(Snippet {
            code: &req.code,
            edition: &req.edition,
            opt_level,
        })
    }
}

/// Results worth caching are those that do not depend on load: a wall-clock or CPU stop under a
/// busy machine might succeed later, and busy/internal answers are about the server, not the code.
fn cacheable(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Success | Outcome::CompileError | Outcome::RuntimeError { .. }
    )
}

fn internal(detail: &str) -> EvaluateResponse {
    EvaluateResponse::failure(
        format!(
            "The playground could not run this snippet (internal error: {detail}). \
             This is not your code's fault; please try again."
        ),
        Outcome::InternalError,
    )
}

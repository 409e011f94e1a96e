//! Build-time Run results: every snippet on the built pages is compiled and run once through the
//! playground, and the results ship with the site (see `playground::precompute`).
//!
//! Compiling every snippet takes about a second each, so results are kept between builds in the
//! target directory and only new or changed snippets are compiled again: `cargo xtask serve`
//! rebuilds after each edit, and an edit to prose should not cost a recompile of the whole book.

use crate::workspace::scratch_dir;
use anyhow::{Context, Result};
use playground::precompute::{book_snippets, lookup_key, write_static_files, SERVER_URL_ENV};
use playground::{Config, EvaluateResponse, Outcome, Playground, Precomputed};
use std::collections::BTreeMap;
use std::path::Path;

/// What one precomputation did, for the build's log line.
#[derive(Debug)]
pub struct Summary {
    /// Distinct snippets on the site.
    pub snippets: usize,
    /// How many of those were compiled now (the rest came from earlier builds).
    pub compiled: usize,
    /// Snippets whose result is not a clean run, with where the build log can point.
    pub not_clean: Vec<Outcome>,
    /// Every snippet's result, keyed by `playground::precompute::lookup_key`.
    pub results: BTreeMap<String, EvaluateResponse>,
}

/// The playground a build compiles snippets with, and the runtime it lives on. Made once a process
/// and reused for every rebuild: starting a playground pre-starts its sandboxes, and those belong
/// to the runtime that started them.
pub struct Precomputer {
    runtime: tokio::runtime::Runtime,
    playground: Playground,
}

impl Precomputer {
    /// Starts a batch playground (never "busy"; see `playground::Config::batch`) for `root`'s
    /// companion crates, which must already be built.
    pub fn start(root: &Path) -> Result<Self> {
        let runtime = tokio::runtime::Runtime::new()?;
        let playground = runtime
            .block_on(async { Playground::new(Config::for_workspace(root).batch()) })
            .context("the playground could not start, so Run results cannot be precomputed")?;
        Ok(Precomputer {
            runtime,
            playground,
        })
    }

    /// Precomputes the results for every page under `site` and writes the static files there.
    pub fn run(&self, root: &Path, site: &Path) -> Result<Summary> {
        run(&self.runtime, &self.playground, root, site)
    }
}

/// A hash of every companion rlib the playground links snippets against (its bytes, so a rebuild
/// that changed nothing keeps the cache).
fn crates_fingerprint(playground: &Playground) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut crates = playground.config().crates.clone();
    crates.sort_by(|a, b| a.lib.cmp(&b.lib));
    for krate in &crates {
        krate.lib.hash(&mut hasher);
        std::fs::read(&krate.rlib)
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn said_nothing_about_the_snippet(outcome: &playground::Outcome) -> bool {
    use playground::Outcome;
    matches!(
        outcome,
        Outcome::LimitExceeded { .. } | Outcome::Busy | Outcome::InternalError
    )
}

fn run(
    runtime: &tokio::runtime::Runtime,
    playground: &Playground,
    root: &Path,
    site: &Path,
) -> Result<Summary> {
    let requests = book_snippets(site)?;
    let cache_file = scratch_dir(root).join("precomputed.json");
    // A result is only as current as the companion crates it was linked against: after a crate
    // changes (a seed, a default), every cached result is stale, and an output block checked
    // against a stale result would pass while the page lies.
    let crates_file = scratch_dir(root).join("precomputed.crates");
    let crates_now = crates_fingerprint(playground);
    let crates_then = std::fs::read_to_string(&crates_file).unwrap_or_default();
    let mut known = Precomputed::load(&cache_file)
        .ok()
        .filter(|cached| cached.toolchain == playground.toolchain_version())
        .filter(|_| crates_then.trim() == crates_now)
        .unwrap_or_default();
    // A run the machine cut short (a limit hit while every core was busy, a full playground, a
    // sandbox that failed to start) says nothing about the snippet: run it again rather than let
    // one loaded build pin a timeout onto the page and fail its output block on every build after.
    known
        .entries
        .retain(|_, result| !said_nothing_about_the_snippet(&result.outcome));
    let missing: Vec<_> = requests
        .iter()
        .filter(|request| !known.entries.contains_key(&lookup_key(request)))
        .cloned()
        .collect();
    let mut fresh = runtime.block_on(playground::precompute(playground, &missing))?;
    // Those the machine cut short get one more try, in a smaller batch once the first pass is done.
    let cut_short: Vec<_> = missing
        .iter()
        .filter(|request| {
            fresh
                .entries
                .get(&lookup_key(request))
                .is_some_and(|result| said_nothing_about_the_snippet(&result.outcome))
        })
        .cloned()
        .collect();
    if !cut_short.is_empty() {
        let again = runtime.block_on(playground::precompute(playground, &cut_short))?;
        fresh.entries.extend(again.entries);
    }
    let compiled = fresh.entries.len();
    known.entries.extend(fresh.entries);
    let wanted: std::collections::BTreeSet<String> = requests.iter().map(lookup_key).collect();
    known.entries.retain(|key, _| wanted.contains(key));
    let merged = Precomputed {
        entries: known.entries,
        ..fresh
    };
    std::fs::create_dir_all(scratch_dir(root))?;
    std::fs::write(&cache_file, serde_json::to_vec(&merged)?)?;
    std::fs::write(&crates_file, &crates_now)?;
    let server = std::env::var(SERVER_URL_ENV)
        .ok()
        .filter(|url| !url.is_empty());
    write_static_files(site, &merged, &playground.crates(), server.as_deref())?;
    Ok(Summary {
        snippets: merged.entries.len(),
        compiled,
        not_clean: merged
            .entries
            .values()
            .filter(|result| !result.is_success())
            .map(|result| result.outcome.clone())
            .collect(),
        results: merged.entries,
    })
}

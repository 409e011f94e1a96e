//! Configuration: where the companion rlibs are, the limits, and the serving knobs.
//!
//! Every knob has a default that is safe on a small shared machine; the server binary exposes each
//! one as a CLI flag and an environment variable (see `playground-server --help`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::limits::Limits;

/// A prebuilt companion crate that snippets may `use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanionCrate {
    /// Package name (`retry-storm`).
    pub name: String,
    /// Lib name (`retry_storm`): the `--extern` name and `/meta/crates` id.
    pub lib: String,
    /// Package version, for `/meta/crates`.
    pub version: String,
    /// The prebuilt `lib<lib>.rlib`.
    pub rlib: PathBuf,
}

/// Everything a [`crate::Playground`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The companion crates, each passed as `--extern <lib>=<rlib>`.
    pub crates: Vec<CompanionCrate>,
    /// Directories with the crates' dependencies (`-L dependency=`), e.g. `target/release/deps`.
    pub deps_dirs: Vec<PathBuf>,
    /// The rustc to use (its sysroot is what the sandbox shows); `None` = `rustc` on PATH.
    pub rustc: Option<PathBuf>,
    /// Sandbox limits for the compile and run steps.
    pub limits: Limits,
    /// Compiles running at once (the bulkhead); default: the number of cores.
    pub concurrency: usize,
    /// Runs allowed to wait for a compile slot; past this, an immediate "busy".
    pub queue_len: usize,
    /// How long a queued run waits for a slot before answering "busy".
    pub queue_wait: Duration,
    /// Bytes of results kept in the in-memory LRU cache.
    pub cache_bytes: usize,
    /// Largest snippet accepted (and largest HTTP body, plus JSON overhead).
    pub max_code_bytes: usize,
    /// Origins allowed by CORS (`*` = any); empty = same origin only.
    pub allowed_origins: Vec<String>,
    /// `precomputed.json` to answer unedited snippets from (see [`crate::precompute`]).
    pub precomputed: Option<PathBuf>,
    /// Where per-request temp dirs go; `None` = the system temp dir.
    pub temp_dir: Option<PathBuf>,
    /// Use cgroups for memory/process limits when the host allows (the default).
    pub cgroups: bool,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Config {
            crates: Vec::new(),
            deps_dirs: Vec::new(),
            rustc: None,
            limits: Limits::default(),
            concurrency: cores,
            queue_len: 2 * cores,
            queue_wait: Duration::from_millis(500),
            cache_bytes: 64 * 1024 * 1024,
            max_code_bytes: 64 * 1024,
            allowed_origins: Vec::new(),
            precomputed: None,
            temp_dir: None,
            cgroups: true,
        }
    }
}

/// Environment variable that overrides where [`Config::for_workspace`] looks for rlibs.
pub const RLIB_DIR_ENV: &str = "DSIP_RLIB_DIR";

impl Config {
    /// The companion crates of a workspace, prebuilt under `<root>/target/release`.
    ///
    /// Lib names come from `playground-crates/*/Cargo.toml` (`[lib] name`, else the package name
    /// with `-` → `_`); `wasm-bridge` is excluded (it is the wasm ABI, not a teaching crate). The
    /// rlib dir can be overridden with `DSIP_RLIB_DIR` or [`Config::with_rlib_dir`], for builds
    /// that use another `CARGO_TARGET_DIR`. The rlibs need not exist yet; [`crate::Playground::new`]
    /// says which are missing and how to build them.
    pub fn for_workspace(workspace_root: &Path) -> Config {
        let rlib_dir = std::env::var_os(RLIB_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root.join("target").join("release"));
        let crates =
            companion_crates(&workspace_root.join("playground-crates")).unwrap_or_else(|e| {
                tracing::warn!("no companion crates found: {e:#}");
                Vec::new()
            });
        Config {
            crates,
            ..Config::default()
        }
        .with_rlib_dir(&rlib_dir)
    }

    /// Points every crate at `<dir>/lib<lib>.rlib` and the deps dir at `<dir>/deps`.
    pub fn with_rlib_dir(mut self, dir: &Path) -> Config {
        for krate in &mut self.crates {
            krate.rlib = dir.join(format!("lib{}.rlib", krate.lib));
        }
        self.deps_dirs = vec![dir.join("deps")];
        self
    }

    /// Settings for batch callers (snippet tests, precomputation) that must never be told "busy":
    /// an effectively unbounded queue with a long wait, and a compile step allowed 30 s instead of
    /// 3 s, because a build compiles every snippet of the book on a machine busy with the build
    /// itself, and a precomputed result must depend on the snippet, not on that load. The run
    /// step's limits are unchanged, so a snippet that is too slow for learners still fails here.
    pub fn batch(mut self) -> Config {
        self.queue_len = 100_000;
        self.queue_wait = Duration::from_secs(3600);
        self.limits.compile.wall = Duration::from_secs(30);
        self.limits.compile.cpu = Duration::from_secs(30);
        self
    }
}

/// Reads `<dir>/*/Cargo.toml`, skipping `wasm-bridge`, sorted by lib name.
pub fn companion_crates(dir: &Path) -> Result<Vec<CompanionCrate>> {
    let mut crates = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let manifest = entry?.path().join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest)?;
        let doc: toml::Table =
            toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
        let package = doc.get("package").and_then(|p| p.as_table());
        let Some(name) = package.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
            continue;
        };
        if name == "wasm-bridge" {
            continue;
        }
        let lib = doc
            .get("lib")
            .and_then(|l| l.get("name"))
            .and_then(|n| n.as_str())
            .map_or_else(|| name.replace('-', "_"), str::to_owned);
        let version = package
            .and_then(|p| p.get("version"))
            .and_then(|v| v.as_str())
            .unwrap_or("0.0.0")
            .to_owned();
        crates.push(CompanionCrate {
            name: name.to_owned(),
            lib,
            version,
            rlib: PathBuf::new(),
        });
    }
    crates.sort_by(|a, b| a.lib.cmp(&b.lib));
    Ok(crates)
}

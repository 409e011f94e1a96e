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
    /// Whether the crate also builds a `cdylib` (`<lib>.wasm` for its widget). A library-only
    /// crate (the simulation kernel `sim`) is linked by snippets but has no wasm of its own.
    pub wasm: bool,
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
    /// How long the client waits for an answer: 6 s for mdBook's `book.js`. A run is admitted
    /// to the queue while its expected wait plus its own expected time fit inside this less
    /// `deadline_margin` (see [`crate::bulkhead`]); beyond that it is told "busy" at once.
    pub deadline: Duration,
    /// Part of the deadline kept free of planned work (default 1 s: the shim gives up at 5.5 s,
    /// and the estimate of a run's time is a moving average, not a promise).
    pub deadline_margin: Duration,
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
            deadline: Duration::from_secs(6),
            deadline_margin: Duration::from_secs(1),
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

    /// Points every crate at `<dir>/lib<lib>.rlib` and the deps dir at `<dir>/snippet-deps`.
    ///
    /// `snippet-deps/` holds exactly the library files the companion crates depend on (see
    /// [`crate::deps`]; `cargo xtask build` makes it). Where it is missing (crates built with
    /// plain `cargo build`), cargo's whole `<dir>/deps` is used instead, with a warning: snippets
    /// still link, but the compile step then sees everything cargo built there.
    pub fn with_rlib_dir(mut self, dir: &Path) -> Config {
        for krate in &mut self.crates {
            krate.rlib = dir.join(format!("lib{}.rlib", krate.lib));
        }
        let exact = dir.join(crate::deps::DEPS_DIR);
        self.deps_dirs = if exact.is_dir() {
            vec![exact]
        } else {
            tracing::warn!(
                "{} is missing (build the crates with `cargo xtask build`): the compile step will see all of {}",
                exact.display(),
                dir.join("deps").display()
            );
            vec![dir.join("deps")]
        };
        self
    }

    /// Settings for batch callers (snippet tests, precomputation) that must never be told "busy":
    /// a deadline of an hour (so every run is admitted and waits its turn), and a compile step allowed 30 s instead of
    /// 3 s, because a build compiles every snippet of the book on a machine busy with the build
    /// itself, and a precomputed result must depend on the snippet, not on that load.
    ///
    /// The run step keeps its CPU limit, so a snippet that computes for longer than a learner's
    /// run still fails here; only its wall clock grows (to 20 s), because on a loaded machine
    /// a run that needs 0.3 s of CPU can wait seconds for a core, and a build must not fail, or pin
    /// "ran longer than 2 s" onto a page, for that.
    pub fn batch(mut self) -> Config {
        self.deadline = Duration::from_secs(3600);
        self.limits.compile.wall = Duration::from_secs(30);
        self.limits.compile.cpu = Duration::from_secs(30);
        self.limits.run.wall = Duration::from_secs(20);
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
        // No `crate-type` means cargo's default, a plain library: no wasm.
        let wasm = doc
            .get("lib")
            .and_then(|l| l.get("crate-type"))
            .and_then(|t| t.as_array())
            .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("cdylib")));
        crates.push(CompanionCrate {
            name: name.to_owned(),
            lib,
            version,
            rlib: PathBuf::new(),
            wasm,
        });
    }
    crates.sort_by(|a, b| a.lib.cmp(&b.lib));
    Ok(crates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_crate(dir: &Path, folder: &str, manifest: &str) {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        std::fs::write(dir.join(folder).join("Cargo.toml"), manifest).unwrap();
    }

    #[test]
    fn discovery_finds_library_only_crates_and_says_which_have_a_widget() {
        let dir = tempfile::tempdir().unwrap();
        write_crate(
            dir.path(),
            "retry-storm",
            "[package]\nname = \"retry-storm\"\nversion = \"0.2.0\"\n\n[lib]\nname = \"retry_storm\"\ncrate-type = [\"rlib\", \"cdylib\"]\n",
        );
        write_crate(
            dir.path(),
            "sim",
            "[package]\nname = \"sim\"\nversion = \"0.1.0\"\n",
        );
        write_crate(
            dir.path(),
            "wasm-bridge",
            "[package]\nname = \"wasm-bridge\"\nversion = \"0.1.0\"\n",
        );
        let found = companion_crates(dir.path()).unwrap();
        let summary: Vec<(&str, &str, bool)> = found
            .iter()
            .map(|c| (c.name.as_str(), c.lib.as_str(), c.wasm))
            .collect();
        assert_eq!(
            summary,
            [("retry-storm", "retry_storm", true), ("sim", "sim", false)]
        );
    }

    #[test]
    fn the_exact_deps_folder_is_preferred_over_cargos_whole_deps() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("deps")).unwrap();
        let config = Config::default().with_rlib_dir(dir.path());
        assert_eq!(config.deps_dirs, [dir.path().join("deps")]);
        std::fs::create_dir(dir.path().join(crate::deps::DEPS_DIR)).unwrap();
        let config = Config::default().with_rlib_dir(dir.path());
        assert_eq!(config.deps_dirs, [dir.path().join(crate::deps::DEPS_DIR)]);
    }
}

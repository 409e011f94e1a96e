//! Shared fixtures: a tiny companion crate built once into a temp dir, the fixture crates with
//! dependencies (`tests/fixtures/`), and a playground using them all.
//!
//! The tests do not depend on the book's module crates (they are written concurrently and may not
//! build at any given moment); they need *an* rlib to prove `--extern` linking works, and crates
//! with real dependencies to prove `-L dependency=` does: `sim_dice` depends on the simulation
//! kernel (also linked itself, as `sim`), and `sqlite_kv` on rusqlite with SQLite's C source
//! bundled. Every test binary's playground mounts their dependency folder, so the attack suite
//! runs with it in place.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use playground::{CompanionCrate, Config, EvaluateRequest, Playground};

/// The demo crate's source: just enough API for a snippet to use.
const DEMO: &str = r#"
//! A stand-in companion crate for the playground's tests.
/// A Lamport clock.
pub struct Clock { t: u64 }
impl Clock {
    /// A clock at zero.
    pub fn new() -> Self { Clock { t: 0 } }
    /// Advances and returns the time.
    pub fn tick(&mut self) -> u64 { self.t += 1; self.t }
}
"#;

/// Builds `libdemo.rlib` once per test binary (under cargo's per-target temp dir, so nothing
/// accumulates in /tmp) and returns its directory.
pub fn demo_rlib_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("playground-demo-rlib");
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join(format!("demo-{}.rs", std::process::id()));
        let staged = dir.join(format!("libdemo-{}.rlib", std::process::id()));
        std::fs::write(&source, DEMO).unwrap();
        let status = std::process::Command::new("rustc")
            .args([
                "--edition",
                "2021",
                "--crate-type",
                "rlib",
                "--crate-name",
                "demo",
                "-C",
                "opt-level=1",
            ])
            .arg(&source)
            .arg("-o")
            .arg(&staged)
            .status()
            .unwrap();
        assert!(status.success(), "building the demo rlib failed");
        // Rename is atomic: test binaries running at once never see a half-written rlib.
        std::fs::rename(&staged, dir.join("libdemo.rlib")).unwrap();
        let _ = std::fs::remove_file(&source);
        dir
    })
    .clone()
}

/// The fixture crates with dependencies, built as `cargo xtask build` builds the companion crates
/// (through [`playground::deps::build`]), and the folder holding exactly their dependencies.
pub struct Fixtures {
    /// `sim`, `sim_dice`, `sqlite_kv`.
    pub crates: Vec<CompanionCrate>,
    /// Their dependency closure (`snippet-deps/`).
    pub deps_dir: PathBuf,
}

/// Builds the fixtures once per test binary (debug profile: SQLite's C compiles in seconds, not
/// a minute). Cargo's lock serialises test binaries building at once; each binary gets its own
/// `snippet-deps/`, so none replaces a folder another is reading.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("playground-fixtures");
        let target = scratch.join("target");
        let deps_dir = scratch
            .join(env!("CARGO_CRATE_NAME"))
            .join(playground::deps::DEPS_DIR);
        let cargo = || {
            let mut cargo = std::process::Command::new(option_env!("CARGO").unwrap_or("cargo"));
            cargo.current_dir(&workspace);
            cargo
        };
        let target_arg = target.to_string_lossy().into_owned();
        let built = playground::deps::build(
            cargo,
            &["--quiet", "--target-dir", &target_arg],
            &["sim", "sim-dice", "sqlite-kv"],
            &deps_dir,
        )
        .expect("building tests/fixtures (needs crates.io once, for rusqlite)");
        let crates = built
            .rlibs
            .into_iter()
            .map(|(name, (lib, rlib))| CompanionCrate {
                name,
                lib,
                version: "0.1.0".into(),
                rlib,
                wasm: false,
            })
            .collect();
        Fixtures { crates, deps_dir }
    })
}

/// A config using the demo crate and the fixtures, with test-friendly limits (small and quick).
pub fn config() -> Config {
    let dir = demo_rlib_dir();
    let fixtures = fixtures();
    let mut config = Config {
        crates: vec![CompanionCrate {
            name: "demo".into(),
            lib: "demo".into(),
            version: "0.1.0".into(),
            rlib: PathBuf::new(),
            wasm: false,
        }],
        ..Config::default()
    }
    .with_rlib_dir(&dir);
    config.crates.extend(fixtures.crates.iter().cloned());
    config.deps_dirs = vec![fixtures.deps_dir.clone()];
    // Tests run in parallel on a shared 2-core machine: generous compile time, patient queue.
    config.limits.compile.wall = Duration::from_secs(20);
    config.limits.compile.cpu = Duration::from_secs(20);
    config.deadline = Duration::from_secs(120);
    config
}

/// Runs the calling test alone among those that take it. The attack tests measure limits in wall
/// time: a memory bomb that must fault in 512 MiB within the 2 s run limit, next to a fork bomb and a
/// thread bomb on the same two cores, can hit the clock before the memory limit. One at a time, each
/// limit is the one its test means to hit (a test that panics releases the lock as it unwinds).
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    SERIAL.lock().await
}

/// One playground per test binary (cgroup setup and probing happen once).
pub fn playground() -> Arc<Playground> {
    static PG: OnceLock<Arc<Playground>> = OnceLock::new();
    PG.get_or_init(|| Arc::new(Playground::new(config()).expect("playground starts")))
        .clone()
}

/// A 2021-edition request for `code`.
pub fn req(code: &str) -> EvaluateRequest {
    EvaluateRequest::like_book_js(code, "2021")
}

//! Shared fixtures: a tiny companion crate built once into a temp dir, and a playground using it.
//!
//! The tests do not depend on the book's real companion crates (they are written concurrently and
//! may not build at any given moment); they only need *an* rlib to prove `--extern` linking works.

#![allow(dead_code)]

use std::path::PathBuf;
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
        std::fs::create_dir_all(dir.join("deps")).unwrap();
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

/// A config using the demo crate, with test-friendly limits (small and quick).
pub fn config() -> Config {
    let dir = demo_rlib_dir();
    let mut config = Config {
        crates: vec![CompanionCrate {
            name: "demo".into(),
            lib: "demo".into(),
            version: "0.1.0".into(),
            rlib: PathBuf::new(),
        }],
        ..Config::default()
    }
    .with_rlib_dir(&dir);
    // Tests run in parallel on a shared 2-core machine: generous compile time, patient queue.
    config.limits.compile.wall = Duration::from_secs(20);
    config.limits.compile.cpu = Duration::from_secs(20);
    config.queue_len = 1000;
    config.queue_wait = Duration::from_secs(120);
    config
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

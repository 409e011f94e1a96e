//! The benchmark behind `cargo xtask bench`: latency of the three kinds of Run, the bare-rustc
//! floor measured in the same run (for a companion crate, and for a crate whose dependencies come
//! from the registry with native code), crowds sent at once, and a bounded load test, all over
//! loopback HTTP.
//!
//! Targets (from the playground issues): unedited and cached Run p95 < 20 ms server-side; an
//! edited snippet within 1.3x of the floor at p50, also when its crate has dependencies; 40
//! distinct edited snippets at once: at least 38 run with their output and every answer within
//! 6 s; 200 at once: every answer (output or busy) within 6 s and the server healthy after; under
//! 50 clients for 30 s, zero crashes and every request answered (result or busy) within 6 s.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::compile::Toolchain;
use crate::config::{CompanionCrate, Config};
use crate::precompute::{precompute, PRECOMPUTED_FILE};
use crate::wire::{EvaluateRequest, EvaluateResponse};
use crate::Playground;

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Workspace whose prebuilt companion crates to use; when `None` or not built, a small
    /// stand-in crate is compiled into a temp dir so the bench always links a companion rlib.
    pub workspace: Option<PathBuf>,
    /// Sequential samples for the precomputed and cached latencies.
    pub samples: usize,
    /// Sequential samples for the edited snippet and the floor (each a full compile).
    pub compile_samples: usize,
    /// Concurrent clients in the load test.
    pub clients: usize,
    /// Length of the load test.
    pub load: Duration,
    /// Crowds sent at once, each as (distinct edited snippets, how many must run with output).
    pub crowds: Vec<(usize, usize)>,
    /// The workspace holding `sqlite-kv` (`playground/tests/fixtures`), built here in release,
    /// for the edited Run with a registry dependency; `None` skips that measurement.
    pub fixtures: Option<PathBuf>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            workspace: None,
            samples: 200,
            compile_samples: 25,
            clients: 50,
            load: Duration::from_secs(30),
            crowds: vec![(40, 38), (200, 0)],
            fixtures: None,
        }
    }
}

/// Latency percentiles of one kind of request, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Samples.
    pub n: usize,
}

impl Percentiles {
    fn of(mut samples: Vec<f64>) -> Self {
        samples.sort_by(f64::total_cmp);
        let at = |p: f64| {
            let index = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[index]
        };
        Percentiles {
            p50: at(0.50),
            p95: at(0.95),
            n: samples.len(),
        }
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {:8.2} ms   p95 {:8.2} ms   (n={})",
            self.p50, self.p95, self.n
        )
    }
}

/// An edited Run measured against its floor (bare rustc + run, same flags, same crates).
#[derive(Debug, Clone)]
pub struct VsFloor {
    /// What the snippet uses.
    pub label: String,
    /// Edited snippet: full HTTP round trip with sandboxed compile + run.
    pub edited: Percentiles,
    /// Bare rustc with the server's flags, then running the binary; no server, no sandbox.
    pub floor: Percentiles,
}

impl VsFloor {
    /// edited p50 / floor p50.
    pub fn ratio(&self) -> f64 {
        self.edited.p50 / self.floor.p50
    }
}

/// A crowd: `size` distinct edited snippets sent at the same moment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Crowd {
    /// Requests sent at once.
    pub size: usize,
    /// How many must run with their real output (the target).
    pub must_run: usize,
    /// Answered with the snippet's own output.
    pub ran: usize,
    /// Answered "busy".
    pub busy: usize,
    /// Anything else: no answer within 6 s, a transport error, a wrong or failed output.
    pub errors: usize,
    /// Slowest answer.
    pub slowest: Duration,
    /// Whether a fresh snippet ran correctly right after.
    pub healthy_after: bool,
    /// The admission rule's estimate of one compile-and-run when the crowd arrived.
    pub estimate: Duration,
}

impl Crowd {
    fn passed(&self) -> bool {
        self.ran >= self.must_run
            && self.errors == 0
            && self.slowest <= Duration::from_secs(6)
            && self.healthy_after
    }
}

/// Everything one bench run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// The companion crate the edited snippet used.
    pub companion: String,
    /// Unedited Run answered from the precomputed table: server-side time.
    pub precomputed_server: Percentiles,
    /// Same, as the HTTP client saw it (loopback).
    pub precomputed_client: Percentiles,
    /// Repeated Run answered from the cache: server-side time.
    pub cached_server: Percentiles,
    /// Same, as the HTTP client saw it.
    pub cached_client: Percentiles,
    /// Edited snippet using a companion crate: full HTTP round trip with sandboxed compile + run.
    pub edited: Percentiles,
    /// Bare rustc with the server's flags, then running the binary; no server, no sandbox.
    pub floor: Percentiles,
    /// Bare rustc with default flags (what a learner would type), then running the binary.
    pub floor_default_flags: Percentiles,
    /// The same comparison for a snippet using a crate with registry dependencies (native code).
    pub with_deps: Option<VsFloor>,
    /// The crowds, in the order sent.
    pub crowds: Vec<Crowd>,
    /// `/proc/loadavg` (1, 5, 15 min) before and after the run: the machine is shared.
    pub load_average: (String, String),
    /// Load test: clients.
    pub clients: usize,
    /// Load test: duration.
    pub load: Duration,
    /// Requests answered with a result (any outcome but busy).
    pub answered: usize,
    /// Requests answered "busy".
    pub busy: usize,
    /// Requests not answered within 6 s, transport errors, or non-200 statuses.
    pub errors: usize,
    /// Slowest answer seen in the load test.
    pub max_latency: Duration,
    /// Whether the server was still answering correctly after the load test.
    pub healthy_after: bool,
}

impl BenchReport {
    /// edited p50 / floor p50.
    pub fn ratio(&self) -> f64 {
        self.edited.p50 / self.floor.p50
    }

    /// Each target with whether it was met.
    pub fn targets(&self) -> Vec<(String, bool)> {
        vec![
            (
                format!(
                    "unedited Run p95 < 20 ms server-side ({:.2} ms)",
                    self.precomputed_server.p95
                ),
                self.precomputed_server.p95 < 20.0,
            ),
            (
                format!(
                    "cached Run p95 < 20 ms server-side ({:.2} ms)",
                    self.cached_server.p95
                ),
                self.cached_server.p95 < 20.0,
            ),
            (
                format!("edited Run p50 within 1.3x of the floor ({:.2}x)", self.ratio()),
                self.ratio() <= 1.3,
            ),
        ]
        .into_iter()
        .chain(self.with_deps.iter().map(|deps| {
            (
                format!(
                    "edited Run with dependencies ({}) p50 within 1.3x of the floor ({:.2}x)",
                    deps.label,
                    deps.ratio()
                ),
                deps.ratio() <= 1.3,
            )
        }))
        .chain(self.crowds.iter().map(|crowd| {
            let ran = if crowd.must_run > 0 {
                format!("at least {} run with their output, ", crowd.must_run)
            } else {
                String::new()
            };
            (
                format!(
                    "{} at once: {ran}every answer within 6 s, healthy after ({} ran, {} busy, {} errors, slowest {:.0} ms)",
                    crowd.size,
                    crowd.ran,
                    crowd.busy,
                    crowd.errors,
                    crowd.slowest.as_secs_f64() * 1000.0
                ),
                crowd.passed(),
            )
        }))
        .chain([

            (
                format!(
                    "{} clients: every request answered within 6 s ({} errors, max {:.0} ms) and the server healthy after",
                    self.clients,
                    self.errors,
                    self.max_latency.as_secs_f64() * 1000.0
                ),
                self.errors == 0 && self.healthy_after,
            ),
        ])
        .collect()
    }

    /// Whether every target was met.
    pub fn passed(&self) -> bool {
        self.targets().iter().all(|(_, ok)| *ok)
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "playground bench (companion crate: {}; load average {} before, {} after)",
            self.companion, self.load_average.0, self.load_average.1
        )?;
        writeln!(
            f,
            "  unedited Run (precomputed), server  {}",
            self.precomputed_server
        )?;
        writeln!(
            f,
            "  unedited Run (precomputed), client  {}",
            self.precomputed_client
        )?;
        writeln!(
            f,
            "  cached Run, server                  {}",
            self.cached_server
        )?;
        writeln!(
            f,
            "  cached Run, client                  {}",
            self.cached_client
        )?;
        writeln!(f, "  edited Run (compile + run)          {}", self.edited)?;
        writeln!(f, "  floor: bare rustc (same flags)+run  {}", self.floor)?;
        writeln!(
            f,
            "  floor: bare rustc (defaults)+run    {}",
            self.floor_default_flags
        )?;
        writeln!(
            f,
            "  ratio edited/floor at p50           {:.2}x (vs default flags {:.2}x)",
            self.ratio(),
            self.edited.p50 / self.floor_default_flags.p50
        )?;
        if let Some(deps) = &self.with_deps {
            writeln!(f, "  edited Run, {:<28} {}", deps.label, deps.edited)?;
            writeln!(f, "  floor, {:<34} {}", deps.label, deps.floor)?;
            writeln!(
                f,
                "  ratio edited/floor at p50, with dependencies {:.2}x",
                deps.ratio()
            )?;
        }
        for crowd in &self.crowds {
            writeln!(
                f,
                "  crowd: {} distinct edited snippets at once (estimate {} ms a run): {} ran with their output, {} busy, {} errors, slowest {:.0} ms, healthy after: {}",
                crowd.size,
                crowd.estimate.as_millis(),
                crowd.ran,
                crowd.busy,
                crowd.errors,
                crowd.slowest.as_secs_f64() * 1000.0,
                crowd.healthy_after
            )?;
        }
        let secs = self.load.as_secs_f64();
        let total = self.answered + self.busy + self.errors;
        writeln!(
            f,
            "  load: {} clients for {:.0} s: {} requests ({:.1}/s): {} answered, {} busy, {} errors, max {:.0} ms",
            self.clients,
            secs,
            total,
            total as f64 / secs,
            self.answered,
            self.busy,
            self.errors,
            self.max_latency.as_secs_f64() * 1000.0
        )?;
        for (target, ok) in self.targets() {
            writeln!(f, "  [{}] {target}", if ok { "PASS" } else { "FAIL" })?;
        }
        Ok(())
    }
}

/// Runs the whole benchmark. Only loopback traffic; the load test is bounded by `options.load`
/// and each crowd by its size and the client's 6 s timeout.
pub async fn run(options: &BenchOptions) -> Result<BenchReport> {
    let load_before = load_average();
    let scratch = tempfile::tempdir()?;
    let (mut config, companion, uses) = bench_config(options.workspace.as_deref(), scratch.path())?;
    config.temp_dir = None;
    let sqlite = match &options.fixtures {
        Some(fixtures) => {
            let target = options
                .workspace
                .as_deref()
                .map_or_else(|| scratch.path().to_path_buf(), target_dir)
                .join("playground-fixtures");
            let (krate, deps_dir) = sqlite_fixture(fixtures, &target)?;
            config.crates.push(krate);
            config.deps_dirs.push(deps_dir);
            true
        }
        None => false,
    };

    // The unedited snippet, precomputed exactly as the book build does.
    let unedited = EvaluateRequest::like_book_js(&snippet(&uses, "unedited"), "2021");
    let builder = Playground::new(config.clone().batch())?;
    let table = precompute(&builder, std::slice::from_ref(&unedited)).await?;
    drop(builder);
    let table_path = scratch.path().join(PRECOMPUTED_FILE);
    std::fs::write(&table_path, serde_json::to_vec(&table)?)?;
    config.precomputed = Some(table_path);

    let playground = Arc::new(Playground::new(config.clone())?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = crate::router(playground.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(6))
        .build()?;
    let url = format!("http://{addr}/evaluate.json");

    let (precomputed_server, precomputed_client) =
        sequential(&client, &url, &unedited, options.samples, "precomputed").await?;
    let cached = EvaluateRequest::like_book_js(&snippet(&uses, "cached"), "2021");
    post(&client, &url, &cached).await?;
    let (cached_server, cached_client) =
        sequential(&client, &url, &cached, options.samples, "cache").await?;

    let toolchain = Toolchain::discover(config.rustc.as_deref())?;
    let (mut edited, mut floor, mut floor_default) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..options.compile_samples {
        // Interleaved so that both see the same background load from the shared machine.
        let code = snippet(&uses, &format!("edited {i}"));
        edited.push(edited_run(&client, &url, &code).await?);
        let code = snippet(&uses, &format!("floor {i}"));
        floor.push(bare(&toolchain, &config, scratch.path(), &code, true)?);
        floor_default.push(bare(&toolchain, &config, scratch.path(), &code, false)?);
    }
    // Crowds right after the plain edited runs: the admission rule's estimate then reflects
    // snippets like the crowd's, as in a classroom where everyone edits the same page.
    let mut crowds = Vec::new();
    for (round, &(size, must_run)) in options.crowds.iter().enumerate() {
        wait_until_idle(&playground).await;
        let estimate = Duration::from_millis(playground.health().mean_run_ms);
        let mut result = crowd(&client, &url, &uses, size, round).await;
        result.must_run = must_run;
        result.estimate = estimate;
        let check = snippet(&uses, &format!("after crowd {round}"));
        result.healthy_after = answers(&client, &url, &check, "after crowd").await;
        crowds.push(result);
    }

    let with_deps = if sqlite {
        let (mut edited, mut floor) = (Vec::new(), Vec::new());
        for i in 0..options.compile_samples {
            let code = sqlite_snippet(&format!("edited {i}"));
            edited.push(edited_run(&client, &url, &code).await?);
            let code = sqlite_snippet(&format!("floor {i}"));
            floor.push(bare(&toolchain, &config, scratch.path(), &code, true)?);
        }
        Some(VsFloor {
            label: "sqlite_kv: rusqlite, bundled SQLite".into(),
            edited: Percentiles::of(edited),
            floor: Percentiles::of(floor),
        })
    } else {
        None
    };

    wait_until_idle(&playground).await;
    let load = load_test(&client, &url, &uses, &unedited, &cached, options).await;
    let check = snippet(&uses, "after load");
    let healthy_after = answers(&client, &url, &check, "after load").await;
    server.abort();

    Ok(BenchReport {
        companion,
        precomputed_server,
        precomputed_client,
        cached_server,
        cached_client,
        edited: Percentiles::of(edited),
        floor: Percentiles::of(floor),
        floor_default_flags: Percentiles::of(floor_default),
        with_deps,
        crowds,
        load_average: (load_before, load_average()),
        clients: options.clients,
        load: options.load,
        answered: load.answered.load(Ordering::Relaxed),
        busy: load.busy.load(Ordering::Relaxed),
        errors: load.errors.load(Ordering::Relaxed),
        max_latency: Duration::from_micros(load.max_us.load(Ordering::Relaxed)),
        healthy_after,
    })
}

/// One edited Run over HTTP, which must be compiled and succeed; its round trip in ms.
async fn edited_run(client: &reqwest::Client, url: &str, code: &str) -> Result<f64> {
    let req = EvaluateRequest::like_book_js(code, "2021");
    let started = Instant::now();
    let (resp, source) = post(client, url, &req).await?;
    if source != "compiled" || !resp.is_success() {
        bail!("edited snippet: {source}: {}", resp.result);
    }
    Ok(ms(started.elapsed()))
}

/// Whether `code` runs now and prints `expect`.
async fn answers(client: &reqwest::Client, url: &str, code: &str, expect: &str) -> bool {
    let req = EvaluateRequest::like_book_js(code, "2021");
    matches!(post(client, url, &req).await, Ok((resp, _)) if resp.is_success() && resp.result.contains(expect))
}

/// Waits (at most 30 s) until no compile runs or waits, so one phase does not measure another.
async fn wait_until_idle(playground: &Playground) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let health = playground.health();
        if health.in_flight == 0 && health.waiting == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `size` distinct edited snippets, released at the same moment; each answer classified.
async fn crowd(
    client: &reqwest::Client,
    url: &str,
    uses: &str,
    size: usize,
    round: usize,
) -> Crowd {
    let start = Arc::new(tokio::sync::Barrier::new(size));
    let mut tasks = Vec::new();
    for i in 0..size {
        let (client, url, start) = (client.clone(), url.to_owned(), start.clone());
        let tag = format!("crowd {round} learner {i}");
        let req = EvaluateRequest::like_book_js(&snippet(uses, &tag), "2021");
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let sent = Instant::now();
            let outcome = post(&client, &url, &req).await;
            let took = sent.elapsed();
            let kind = match outcome {
                Ok((resp, _)) if took <= Duration::from_secs(6) => {
                    if resp.outcome == crate::Outcome::Busy {
                        Answer::Busy
                    } else if resp.is_success() && resp.result.contains(&tag) {
                        Answer::Ran
                    } else {
                        Answer::Wrong
                    }
                }
                _ => Answer::Wrong,
            };
            (kind, took)
        }));
    }
    let mut result = Crowd {
        size,
        ..Crowd::default()
    };
    for task in tasks {
        let (kind, took) = task.await.unwrap_or((Answer::Wrong, Duration::MAX));
        result.slowest = result.slowest.max(took);
        match kind {
            Answer::Ran => result.ran += 1,
            Answer::Busy => result.busy += 1,
            Answer::Wrong => result.errors += 1,
        }
    }
    result
}

/// How a crowd member's request ended.
enum Answer {
    Ran,
    Busy,
    Wrong,
}

/// The machine's load average (1, 5 and 15 minutes), as `/proc/loadavg` gives it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// Cargo's target directory for `workspace`, honouring `CARGO_TARGET_DIR` like cargo does.
fn target_dir(workspace: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// Builds the `sqlite-kv` fixture (release, like the companion crates) and its dependency
/// folder under `target`; returns the crate and the folder.
fn sqlite_fixture(fixtures: &Path, target: &Path) -> Result<(CompanionCrate, PathBuf)> {
    let deps_dir = target.join(crate::deps::DEPS_DIR);
    let target_arg = target.join("cargo").to_string_lossy().into_owned();
    eprintln!(
        "building {}/sqlite-kv (release; the first time compiles SQLite, about a minute)",
        fixtures.display()
    );
    let cargo = || {
        let mut cargo =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.current_dir(fixtures);
        cargo
    };
    let built = crate::deps::build(
        cargo,
        &["--quiet", "--release", "--target-dir", &target_arg],
        &["sqlite-kv"],
        &deps_dir,
    )?;
    let (lib, rlib) = built
        .rlibs
        .get("sqlite-kv")
        .cloned()
        .context("cargo built no rlib for sqlite-kv")?;
    Ok((
        CompanionCrate {
            name: "sqlite-kv".into(),
            lib,
            version: "0.1.0".into(),
            rlib,
            wasm: false,
        },
        deps_dir,
    ))
}

/// An edited snippet using the SQLite fixture for real (so SQLite's objects are linked in).
fn sqlite_snippet(tag: &str) -> String {
    format!(
        r#"use sqlite_kv::Store;

fn main() {{
    let store = Store::in_memory().unwrap();
    for (i, word) in "the quick brown fox jumps over the lazy dog".split_whitespace().enumerate() {{
        store.put(word, &i.to_string()).unwrap();
    }}
    println!("fox -> {{:?}} ({tag})", store.get("fox").unwrap());
}}"#
    )
}

/// A small, realistic edited snippet that links the companion crate; `tag` makes it unique.
fn snippet(uses: &str, tag: &str) -> String {
    format!(
        r#"{uses}
use std::collections::BTreeMap;

fn main() {{
    let mut counts = BTreeMap::new();
    for word in "the quick brown fox jumps over the lazy dog the end".split_whitespace() {{
        *counts.entry(word).or_insert(0) += 1;
    }}
    println!("{{counts:?}} ({tag})");
}}"#
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The workspace's first built companion crate, else a stand-in built into `scratch`.
/// Returns the config, the crate's name and the `use` line the snippet starts with.
fn bench_config(workspace: Option<&Path>, scratch: &Path) -> Result<(Config, String, String)> {
    if let Some(root) = workspace {
        let mut config = Config::for_workspace(root);
        config.crates.retain(|c| c.rlib.is_file());
        if let Some(first) = config.crates.first() {
            let (name, lib) = (first.name.clone(), first.lib.clone());
            config.crates.truncate(1);
            return Ok((config, name, format!("use {lib} as _;")));
        }
        eprintln!(
            "no companion rlib built under {}/target/release; using a stand-in crate",
            root.display()
        );
    }
    let source = scratch.join("standin.rs");
    std::fs::write(
        &source,
        "//! Stand-in companion crate.\n/// Doubles.\npub fn double(x: u64) -> u64 { x * 2 }\n",
    )?;
    std::fs::create_dir_all(scratch.join("deps"))?;
    let status = std::process::Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "rlib",
            "--crate-name",
            "standin",
            "-C",
            "opt-level=3",
            "-o",
        ])
        .arg(scratch.join("libstandin.rlib"))
        .arg(&source)
        .status()?;
    if !status.success() {
        bail!("building the stand-in crate failed");
    }
    let config = Config {
        crates: vec![CompanionCrate {
            name: "standin".into(),
            lib: "standin".into(),
            version: "0.0.0".into(),
            rlib: PathBuf::new(),
            wasm: false,
        }],
        ..Config::default()
    }
    .with_rlib_dir(scratch);
    Ok((
        config,
        "standin (stand-in)".into(),
        "use standin as _;".into(),
    ))
}

/// POSTs a request; returns the answer and the `x-dsip-source` header.
async fn post(
    client: &reqwest::Client,
    url: &str,
    req: &EvaluateRequest,
) -> Result<(EvaluateResponse, String)> {
    let (resp, source, _) = post_timed(client, url, req).await?;
    Ok((resp, source))
}

/// Like [`post`], plus the server-side duration from the `server-timing` header, in ms.
async fn post_timed(
    client: &reqwest::Client,
    url: &str,
    req: &EvaluateRequest,
) -> Result<(EvaluateResponse, String, f64)> {
    let response = client.post(url).json(req).send().await?;
    if !response.status().is_success() {
        bail!("HTTP {}", response.status());
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let source = header("x-dsip-source");
    let server_ms = header("server-timing")
        .rsplit("dur=")
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    Ok((response.json().await?, source, server_ms))
}

async fn sequential(
    client: &reqwest::Client,
    url: &str,
    req: &EvaluateRequest,
    samples: usize,
    expected_source: &str,
) -> Result<(Percentiles, Percentiles)> {
    let (mut server, mut seen) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        let started = Instant::now();
        let (_, source, server_ms) = post_timed(client, url, req).await?;
        seen.push(ms(started.elapsed()));
        if source != expected_source {
            bail!("expected a {expected_source} answer, got {source}");
        }
        server.push(server_ms);
    }
    Ok((Percentiles::of(server), Percentiles::of(seen)))
}

/// rustc on the host (no sandbox, no server) then running the binary: the floor.
fn bare(
    toolchain: &Toolchain,
    config: &Config,
    dir: &Path,
    code: &str,
    same_flags: bool,
) -> Result<f64> {
    let source = dir.join("floor.rs");
    let binary = dir.join("floor");
    std::fs::write(&source, code)?;
    let started = Instant::now();
    let mut rustc = std::process::Command::new(&toolchain.rustc);
    rustc.args(["--edition", "2021", "--crate-type", "bin"]);
    if same_flags {
        rustc.args([
            "-C",
            "opt-level=0",
            "-C",
            "debuginfo=0",
            "-C",
            "strip=debuginfo",
            "-C",
            "codegen-units=1",
        ]);
    }
    for krate in &config.crates {
        rustc
            .arg("--extern")
            .arg(format!("{}={}", krate.lib, krate.rlib.display()));
    }
    for deps in &config.deps_dirs {
        rustc
            .arg("-L")
            .arg(format!("dependency={}", deps.display()));
    }
    let status = rustc
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .status()
        .context("running rustc")?;
    if !status.success() {
        bail!("floor compile failed");
    }
    let output = std::process::Command::new(&binary).output()?;
    if !output.status.success() {
        bail!("floor run failed");
    }
    Ok(ms(started.elapsed()))
}

#[derive(Default)]
struct LoadCounters {
    answered: AtomicUsize,
    busy: AtomicUsize,
    errors: AtomicUsize,
    max_us: AtomicU64,
}

/// `clients` loops for `load`, each cycling unedited → cached → edited (unique) requests.
async fn load_test(
    client: &reqwest::Client,
    url: &str,
    uses: &str,
    unedited: &EvaluateRequest,
    cached: &EvaluateRequest,
    options: &BenchOptions,
) -> Arc<LoadCounters> {
    let counters = Arc::new(LoadCounters::default());
    let deadline = Instant::now() + options.load;
    let mut tasks = Vec::new();
    for c in 0..options.clients {
        let (client, url, counters) = (client.clone(), url.to_owned(), counters.clone());
        let (unedited, cached, uses) = (unedited.clone(), cached.clone(), uses.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut i = 0usize;
            while Instant::now() < deadline {
                let req = match i % 3 {
                    0 => unedited.clone(),
                    1 => cached.clone(),
                    _ => EvaluateRequest::like_book_js(
                        &snippet(&uses, &format!("load {c} {i}")),
                        "2021",
                    ),
                };
                i += 1;
                let started = Instant::now();
                let outcome = post(&client, &url, &req).await;
                let took = started.elapsed();
                counters
                    .max_us
                    .fetch_max(took.as_micros() as u64, Ordering::Relaxed);
                let counter = match outcome {
                    Ok((resp, _)) if took <= Duration::from_secs(6) => {
                        if resp.outcome == crate::Outcome::Busy {
                            &counters.busy
                        } else {
                            &counters.answered
                        }
                    }
                    _ => &counters.errors,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        if task.await.is_err() {
            counters.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    counters
}

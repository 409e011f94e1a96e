//! Building the book with mdBook's own library and our preprocessor in-process.
//!
//! book.toml names our preprocessor as a command (`[preprocessor.dsip]`) so the stock `mdbook` CLI
//! works. Here we register the same preprocessor in-process under the same name, which replaces the
//! command in mdBook's preprocessor list (same position, same `after = ["links"]`), so the two
//! paths run identical code and xtask never spawns `cargo run` for it.

use crate::companions::{wasm_file, CompanionCrate};
use anyhow::{anyhow, Context, Result};
use mdbook_driver::MDBook;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The websocket path mdBook's page script connects to for live reload (the value mdBook's own
/// `serve` uses, so the page template needs nothing of ours).
pub const LIVE_RELOAD_ENDPOINT: &str = "__livereload";

/// How to build the book.
#[derive(Debug, Clone)]
pub struct BookOptions {
    /// Where the HTML goes (mdBook's `build-dir`).
    pub dest: PathBuf,
    /// Whether pages include mdBook's live-reload script (for `cargo xtask serve`).
    pub live_reload: bool,
    /// How our preprocessor runs.
    pub preprocessor: PreprocessorMode,
}

/// The two ways mdBook can run our preprocessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreprocessorMode {
    /// Registered in-process, as `cargo xtask` does.
    InProcess,
    /// Through book.toml's `[preprocessor.dsip] command`, exactly as the stock `mdbook` CLI does
    /// (the CLI is a thin shell over the same mdbook-driver library).
    Command,
}

/// What mdBook reported while building.
#[derive(Debug, Default)]
pub struct BookReport {
    /// Every warning mdBook logged, one entry a line. A clean book has none.
    pub warnings: Vec<String>,
}

/// Builds the book's HTML into `options.dest`.
///
/// mdBook logs problems it can work around (a broken link target, a preprocessor ordering issue)
/// as warnings rather than errors; they are captured and returned so `cargo xtask build` can show
/// them and the tests can insist on none.
pub fn build(root: &Path, options: &BookOptions) -> Result<BookReport> {
    let captured = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_writer(CapturedLog(Arc::clone(&captured)))
        .finish();
    let outcome = tracing::subscriber::with_default(subscriber, || build_quietly(root, options));
    let log = String::from_utf8_lossy(&captured.lock().expect("log buffer poisoned")).into_owned();
    let warnings = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_string)
        .collect();
    outcome?;
    Ok(BookReport { warnings })
}

fn build_quietly(root: &Path, options: &BookOptions) -> Result<()> {
    let mut book = MDBook::load(root).map_err(|e| anyhow!("{e:#}"))?;
    book.config
        .set("build.build-dir", &options.dest)
        .map_err(|e| anyhow!("{e:#}"))?;
    if options.live_reload {
        book.config
            .set("output.html.live-reload-endpoint", LIVE_RELOAD_ENDPOINT)
            .map_err(|e| anyhow!("{e:#}"))?;
    }
    if options.preprocessor == PreprocessorMode::InProcess {
        book.with_preprocessor(mdbook_dsip::Dsip);
    }
    book.build().map_err(|e| anyhow!("{e:#}"))
}

/// Copies each companion crate's WebAssembly into the site, where the widget runtime fetches it
/// (`<site>/wasm/<lib>.wasm`). mdBook empties its build directory on every build, so this runs
/// after each one.
pub fn install_wasm(root: &Path, dest: &Path, crates: &[CompanionCrate]) -> Result<()> {
    let wasm_dir = dest.join("wasm");
    std::fs::create_dir_all(&wasm_dir)?;
    for krate in crates {
        let from = wasm_file(root, krate);
        let to = wasm_dir.join(format!("{}.wasm", krate.lib));
        std::fs::copy(&from, &to).with_context(|| {
            format!(
                "could not copy {} (was the wasm build skipped?)",
                from.display()
            )
        })?;
    }
    Ok(())
}

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("log buffer poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

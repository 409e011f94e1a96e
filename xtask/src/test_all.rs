//! `cargo xtask test`: every test the project has, in the order that fails fastest.

use crate::{serve, site};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;
use xtask::process::{cargo, run as run_command};
use xtask::setup::{self, CHROMIUM};
use xtask::workspace;

/// Runs formatting and lint checks, the workspace's Rust tests, then the browser tests against a
/// freshly built site served with the real playground. `browser_only` skips straight to the
/// browser tests, for working on a widget.
pub fn run(root: &Path, browser_only: bool) -> Result<()> {
    setup::ensure_wasm_target()?;
    setup::ensure_sandbox()?;
    let browser_tests = root.join("tests/browser");
    setup::ensure_browser_tests(&browser_tests)?;

    let site_dir = workspace::scratch_dir(root).join("test-site");
    if browser_only {
        let built = site::build(root, &site_dir, false)?;
        return browser(root, &site_dir, &browser_tests, built);
    }

    step("formatting");
    run_command(cargo(root).args(["fmt", "--all", "--check"]))?;

    // Every module's required parts and reading time (`cargo xtask check`): reads Markdown only,
    // so it fails in milliseconds, before anything is compiled.
    step("course check: modules' parts and reading time");
    crate::check::run(root)?;

    step("clippy (native and wasm)");
    run_command(cargo(root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]))?;
    let crates = xtask::companions::discover(root)?;
    let mut wasm_clippy = cargo(root);
    wasm_clippy.args(["clippy", "--quiet", "--target", setup::WASM_TARGET]);
    for krate in &crates {
        wasm_clippy.args(["-p", &krate.name]);
        // The widget's export is behind the crate's `widget` feature (companions::build_wasm):
        // lint it too. Checking links nothing, so the unified features cannot clash here.
        if krate.wasm {
            wasm_clippy.args(["--features", &format!("{}/widget", krate.name)]);
        }
    }
    run_command(wasm_clippy.args(["--", "-D", "warnings"]))?;

    step("the site (companion crates, wasm, book)");
    let built = site::build(root, &site_dir, false)?;

    step("Rust tests: preprocessor, companion crates, playground, the whole book");
    // Only the Rust tests need it (Module 5's comparison with a real PostgreSQL).
    setup::ensure_postgres()?;
    run_command(cargo(root).args(["test", "--workspace", "--quiet"]))?;

    step("browser tests (headless Chromium)");
    browser(root, &site_dir, &browser_tests, built)?;
    eprintln!("\nall tests passed");
    Ok(())
}

fn browser(root: &Path, site_dir: &Path, browser_tests: &Path, built: site::Built) -> Result<()> {
    let files = test_files(browser_tests)?;
    // A copy of the book that the live-reload test may edit, served exactly as `cargo xtask
    // serve` serves the real one: its own watcher, rebuilds and reload socket.
    let live_book = workspace::scratch_dir(root).join("live-book");
    copy_book(root, &live_book)?;
    let live_site = workspace::scratch_dir(root).join("live-site");
    site::pages(root, &live_book, &live_site, &built, true)?;
    let (live_reload, _) = broadcast::channel(4);
    let watcher =
        serve::rebuild_on_change(root, &live_book, &live_site, built, live_reload.clone())?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (reload, _) = broadcast::channel(1);
    let app = serve::app(root, site_dir, reload)?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    runtime.spawn(async move { axum::serve(listener, app).await });
    // The same site as a static host serves it: files only, no playground behind it.
    let static_only = axum::Router::new().fallback_service(ServeDir::new(site_dir));
    let static_listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let static_address = static_listener.local_addr()?;
    runtime.spawn(async move { axum::serve(static_listener, static_only).await });
    let live_app = serve::app(root, &live_site, live_reload)?;
    let live_listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let live_address = live_listener.local_addr()?;
    runtime.spawn(async move { axum::serve(live_listener, live_app).await });
    let mut node = Command::new("node");
    // One file at a time: the Run-button tests time real compiles against the playground's limits,
    // and the page walks (layout, axe-core) running beside them on two cores push a compile past 3 s.
    node.arg("--test")
        .arg("--test-concurrency=1")
        .args(&files)
        .current_dir(browser_tests)
        .env("BOOK_URL", format!("http://{address}/"))
        .env("STATIC_BOOK_URL", format!("http://{static_address}/"))
        .env("LIVE_BOOK_URL", format!("http://{live_address}/"))
        .env("LIVE_BOOK_DIR", &live_book)
        .env("CHROMIUM", CHROMIUM);
    let outcome = run_command(&mut node);
    eprintln!(
        "live-reload server: {} rebuild(s) during the browser tests",
        watcher.rebuilds()
    );
    runtime.shutdown_background();
    outcome
}

/// Copies what a book is built from (book.toml, src/, theme/) to `to`, replacing what was there.
fn copy_book(root: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    std::fs::create_dir_all(to)?;
    std::fs::copy(root.join("book.toml"), to.join("book.toml"))?;
    for dir in ["src", "theme"] {
        copy_dir(&root.join(dir), &to.join(dir))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().expect("a directory entry has a name"));
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Names a subset of the browser test files (comma-separated parts of their names, such as
/// `hash-ring,layout`), for working on one widget without walking every page of the book.
const ONLY_VAR: &str = "DSIP_BROWSER_TESTS";

fn test_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let only = std::env::var(ONLY_VAR)
        .ok()
        .filter(|names| !names.trim().is_empty());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .filter(|path| chosen(path, only.as_deref()))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(
            "no browser tests found in {}{}",
            dir.display(),
            only.map(|names| format!(" matching {ONLY_VAR}={names}"))
                .unwrap_or_default()
        );
    }
    Ok(files)
}

fn chosen(path: &Path, only: Option<&str>) -> bool {
    let Some(names) = only else { return true };
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy())
        .unwrap_or_default();
    names
        .split(',')
        .map(str::trim)
        .any(|name| !name.is_empty() && file.contains(name))
}

fn step(name: &str) {
    eprintln!("\n==> {name}");
}

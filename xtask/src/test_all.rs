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
        site::build(root, &site_dir, false)?;
        return browser(root, &site_dir, &browser_tests);
    }

    step("formatting");
    run_command(cargo(root).args(["fmt", "--all", "--check"]))?;

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
    }
    run_command(wasm_clippy.args(["--", "-D", "warnings"]))?;

    step("the site (companion crates, wasm, book)");
    site::build(root, &site_dir, false)?;

    step("Rust tests: preprocessor, companion crates, playground, the whole book");
    run_command(cargo(root).args(["test", "--workspace", "--quiet"]))?;

    step("browser tests (headless Chromium)");
    browser(root, &site_dir, &browser_tests)?;
    eprintln!("\nall tests passed");
    Ok(())
}

fn browser(root: &Path, site_dir: &Path, browser_tests: &Path) -> Result<()> {
    let files = test_files(browser_tests)?;
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
    let mut node = Command::new("node");
    node.arg("--test")
        .args(&files)
        .current_dir(browser_tests)
        .env("BOOK_URL", format!("http://{address}/"))
        .env("STATIC_BOOK_URL", format!("http://{static_address}/"))
        .env("CHROMIUM", CHROMIUM);
    let outcome = run_command(&mut node);
    runtime.shutdown_background();
    outcome
}

fn test_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no browser tests found in {}", dir.display());
    }
    Ok(files)
}

fn step(name: &str) {
    eprintln!("\n==> {name}");
}

//! `cargo xtask bench`: the speed figures the issues ask for, printed from one run.

use crate::site;
use anyhow::Result;
use std::path::Path;
use std::process::Command;
use xtask::process::run as run_command;
use xtask::{setup, workspace};

/// Builds the site (the playground needs the companion rlibs and the precomputed results), then
/// runs the playground's benchmark.
pub fn run(root: &Path) -> Result<()> {
    setup::ensure_sandbox()?;
    let site_dir = workspace::scratch_dir(root).join("bench-site");
    site::build(root, &site_dir, false)?;
    run_command(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "playground",
                "--bin",
                "playground-bench",
                "--",
            ])
            .arg(&site_dir),
    )
}

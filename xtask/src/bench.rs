//! `cargo xtask bench`: the speed figures the issues ask for, printed from one run on this machine:
//! the playground's latencies and load behaviour, and each simulator's own throughput.

use anyhow::{Context, Result};
use std::path::Path;
use xtask::process::{cargo, run as run_command};
use xtask::{companions, setup};

/// The companion crates' throughput examples, each printing its figure in a release build.
const THROUGHPUT_EXAMPLES: &[&str] = &["partitioning", "retry-storm"];

/// Builds the companion rlibs the playground links against, then runs its benchmark and the
/// simulators' throughput examples.
pub fn run(root: &Path) -> Result<()> {
    setup::ensure_sandbox()?;
    let crates = companions::discover(root)?;
    companions::build_native(root, &crates)?;
    // The playground's benchmark exits non-zero when it misses a target; the simulators' figures
    // are still worth printing, so that is reported at the end rather than stopping here.
    let playground = run_command(
        cargo(root)
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
            .arg("--workspace")
            .arg(root),
    );
    for package in THROUGHPUT_EXAMPLES {
        run_command(cargo(root).args([
            "run",
            "--release",
            "--quiet",
            "-p",
            package,
            "--example",
            "throughput",
        ]))?;
    }
    playground.context("the playground missed a target: see [FAIL] above")
}

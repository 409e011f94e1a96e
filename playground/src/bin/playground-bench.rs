//! `playground-bench`: prints the playground's latency, floor ratio and load-test figures.
//!
//! `cargo xtask bench` runs it (release build) from the workspace root. Exit status 1 when a
//! target is missed, so CI can gate on it.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use playground::bench::{run, BenchOptions};

/// Benchmark the playground over loopback.
#[derive(Debug, Parser)]
struct Args {
    /// Workspace root (companion rlibs under <root>/target/release); a stand-in crate otherwise.
    #[arg(long, default_value = ".")]
    workspace: PathBuf,
    /// Samples for the precomputed and cached latencies.
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Samples for the edited snippet and the floor.
    #[arg(long, default_value_t = 25)]
    compile_samples: usize,
    /// Concurrent clients in the load test.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Load test duration in seconds.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = BenchOptions {
        workspace: Some(args.workspace),
        samples: args.samples.max(1),
        compile_samples: args.compile_samples.max(1),
        clients: args.clients.max(1),
        load: Duration::from_secs(args.seconds),
    };
    let report = run(&options).await?;
    print!("{report}");
    if !report.passed() {
        std::process::exit(1);
    }
    Ok(())
}

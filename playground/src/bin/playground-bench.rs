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
    /// Crowds sent at once, as SIZE:MUST_RUN (distinct edited snippets, how many must run).
    #[arg(long, value_delimiter = ',', default_value = "40:38,200:0")]
    crowds: Vec<String>,
    /// Fixture workspace with `sqlite-kv`, for the edited Run with registry dependencies
    /// (default <workspace>/playground/tests/fixtures when present).
    #[arg(long)]
    fixtures: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut crowds = Vec::new();
    for crowd in &args.crowds {
        let parsed = crowd
            .split_once(':')
            .and_then(|(size, must)| Some((size.parse().ok()?, must.parse().ok()?)));
        match parsed {
            Some(pair) => crowds.push(pair),
            None => anyhow::bail!("--crowds: expected SIZE:MUST_RUN like 40:38, got {crowd:?}"),
        }
    }
    let fixtures = args.fixtures.or_else(|| {
        let default = args.workspace.join("playground/tests/fixtures");
        default.join("Cargo.toml").is_file().then_some(default)
    });
    let options = BenchOptions {
        workspace: Some(args.workspace),
        samples: args.samples.max(1),
        compile_samples: args.compile_samples.max(1),
        clients: args.clients.max(1),
        load: Duration::from_secs(args.seconds),
        crowds,
        fixtures,
    };
    let report = run(&options).await?;
    print!("{report}");
    if !report.passed() {
        std::process::exit(1);
    }
    Ok(())
}

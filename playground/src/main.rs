//! `playground-server`: the playground's HTTP API on its own port.
//!
//! Every knob is a flag and an environment variable, so the same binary runs under systemd, in a
//! container, or by hand. Stateless: run several behind a load balancer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use playground::{Config, Playground};

/// Serve the Rust playground API for the book's Run buttons.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to bind.
    #[arg(long, env = "DSIP_BIND", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on.
    #[arg(long, env = "DSIP_PORT", default_value_t = 3002)]
    port: u16,
    /// Workspace root: companion crates are read from <root>/playground-crates.
    #[arg(long, env = "DSIP_WORKSPACE", default_value = ".")]
    workspace: PathBuf,
    /// Directory with the prebuilt lib<crate>.rlib files and deps/ (default <workspace>/target/release).
    #[arg(long, env = "DSIP_RLIB_DIR")]
    rlib_dir: Option<PathBuf>,
    /// precomputed.json to answer unedited snippets from (default <workspace>/book/playground/precomputed.json if present).
    #[arg(long, env = "DSIP_PRECOMPUTED")]
    precomputed: Option<PathBuf>,
    /// Compiles at once (default: number of cores).
    #[arg(long, env = "DSIP_CONCURRENCY")]
    concurrency: Option<usize>,
    /// The client's deadline in ms (book.js: 6000): a run waits for a compile slot only while
    /// its expected wait plus its own expected time fit inside it, less the margin.
    #[arg(long, env = "DSIP_DEADLINE_MS", default_value_t = 6000)]
    deadline_ms: u64,
    /// Part of the deadline, in ms, kept free of planned work.
    #[arg(long, env = "DSIP_DEADLINE_MARGIN_MS", default_value_t = 1000)]
    deadline_margin_ms: u64,
    /// Origins allowed by CORS, comma-separated; `*` for any; empty for same-origin only.
    #[arg(long, env = "DSIP_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// Result cache size in MiB.
    #[arg(long, env = "DSIP_CACHE_MIB", default_value_t = 64)]
    cache_mib: usize,
    /// Largest snippet accepted, in KiB.
    #[arg(long, env = "DSIP_MAX_CODE_KIB", default_value_t = 64)]
    max_code_kib: usize,
    /// Wall-clock limit of the compile step, in ms.
    #[arg(long, env = "DSIP_COMPILE_WALL_MS", default_value_t = 3000)]
    compile_wall_ms: u64,
    /// Memory limit of the compile step, in MiB.
    #[arg(long, env = "DSIP_COMPILE_MEMORY_MIB", default_value_t = 1024)]
    compile_memory_mib: u64,
    /// Wall-clock limit of the program, in ms.
    #[arg(long, env = "DSIP_RUN_WALL_MS", default_value_t = 2000)]
    run_wall_ms: u64,
    /// CPU-time limit of the program, in seconds.
    #[arg(long, env = "DSIP_RUN_CPU_SECS", default_value_t = 2)]
    run_cpu_secs: u64,
    /// Memory limit of the program, in MiB.
    #[arg(long, env = "DSIP_RUN_MEMORY_MIB", default_value_t = 512)]
    run_memory_mib: u64,
    /// Processes + threads at once, per step.
    #[arg(long, env = "DSIP_PROCESSES", default_value_t = 64)]
    processes: u64,
    /// Output (stdout + stderr) kept per step, in KiB.
    #[arg(long, env = "DSIP_OUTPUT_KIB", default_value_t = 64)]
    output_kib: usize,
    /// Largest file the program may write, in KiB.
    #[arg(long, env = "DSIP_FILE_SIZE_KIB", default_value_t = 1024)]
    file_size_kib: u64,
    /// Directory for per-request temp dirs (default: the system temp dir).
    #[arg(long, env = "DSIP_TEMP_DIR")]
    temp_dir: Option<PathBuf>,
    /// Do not use cgroups (memory and process limits then fall back to rlimits; logged).
    #[arg(long, env = "DSIP_NO_CGROUPS")]
    no_cgroups: bool,
}

impl Args {
    fn config(&self) -> Config {
        let mut config = Config::for_workspace(&self.workspace);
        if let Some(dir) = &self.rlib_dir {
            config = config.with_rlib_dir(dir);
        }
        config.precomputed = self.precomputed.clone().or_else(|| {
            let default = self.workspace.join("book/playground/precomputed.json");
            default.is_file().then_some(default)
        });
        if let Some(n) = self.concurrency {
            config.concurrency = n.max(1);
        }
        config.deadline = Duration::from_millis(self.deadline_ms);
        config.deadline_margin = Duration::from_millis(self.deadline_margin_ms);
        config.allowed_origins = self
            .allowed_origins
            .iter()
            .filter(|o| !o.is_empty())
            .cloned()
            .collect();
        config.cache_bytes = self.cache_mib * 1024 * 1024;
        config.max_code_bytes = self.max_code_kib * 1024;
        config.temp_dir = self.temp_dir.clone();
        config.cgroups = !self.no_cgroups;
        let mib = 1024 * 1024;
        let compile = &mut config.limits.compile;
        compile.wall = Duration::from_millis(self.compile_wall_ms);
        compile.cpu = compile.wall;
        compile.memory_bytes = self.compile_memory_mib * mib;
        compile.processes = self.processes;
        compile.output_bytes = self.output_kib * 1024;
        let run = &mut config.limits.run;
        run.wall = Duration::from_millis(self.run_wall_ms);
        run.cpu = Duration::from_secs(self.run_cpu_secs);
        run.memory_bytes = self.run_memory_mib * mib;
        run.processes = self.processes;
        run.output_bytes = self.output_kib * 1024;
        run.file_size_bytes = self.file_size_kib * 1024;
        config
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let playground = Arc::new(Playground::new(args.config())?);
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(
        "playground on http://{addr} ({}; {} companion crates)",
        playground.toolchain_version(),
        playground.crates().crates.len()
    );
    axum::serve(listener, playground::router(playground))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

//! `playground-prepare`: builds what a playground server links snippets against, and nothing else.
//!
//! A server on its own host (deploy/README.md) needs the companion crates' release rlibs and their
//! dependency closure in `target/release/snippet-deps/`. `cargo xtask build` makes them too, but
//! also the book and the widgets' WebAssembly, which a playground image has no use for; this is the
//! same build (the same library call) without the rest.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use clap::Parser;

/// Build the companion crates for a playground server.
#[derive(Debug, Parser)]
struct Args {
    /// Workspace root: the crates are read from <root>/playground-crates and built into
    /// <root>/target/release (or $CARGO_TARGET_DIR/release).
    #[arg(long, default_value = ".")]
    workspace: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let crates = playground::config::companion_crates(&args.workspace.join("playground-crates"))?;
    let names: Vec<&str> = crates.iter().map(|krate| krate.name.as_str()).collect();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| args.workspace.join("target"));
    let deps_dir = target.join("release").join(playground::deps::DEPS_DIR);
    let cargo = || {
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo.current_dir(&args.workspace);
        cargo
    };
    let built = playground::deps::build(cargo, &["--quiet", "--release"], &names, &deps_dir)
        .context("building the companion crates")?;
    println!(
        "{} companion crates ({}), {} library files in {}",
        built.rlibs.len(),
        names.join(", "),
        built.deps.len(),
        deps_dir.display()
    );
    Ok(())
}

//! The complete static site: companion crates (native for the playground, wasm for the widgets),
//! the book's HTML, the wasm files beside it and the precomputed Run results.

use anyhow::Result;
use std::path::Path;
use std::time::Instant;
use xtask::book::{self, BookOptions, PreprocessorMode};
use xtask::companions::{self, CompanionCrate};
use xtask::setup;

/// Builds everything into `dest`. Returns the companion crates so `serve` can rebuild pages
/// without rediscovering them.
pub fn build(root: &Path, dest: &Path, live_reload: bool) -> Result<Vec<CompanionCrate>> {
    let started = Instant::now();
    setup::ensure_wasm_target()?;
    let crates = companions::discover(root)?;
    eprintln!("[1/3] companion crates: native rlibs for the playground");
    companions::build_native(root, &crates)?;
    eprintln!("[2/3] companion crates: WebAssembly for the widgets");
    companions::build_wasm(root, &crates)?;
    eprintln!("[3/3] the book");
    pages(root, dest, &crates, live_reload)?;
    eprintln!(
        "built {} in {:.1} s",
        dest.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(crates)
}

/// Rebuilds the pages (and what mdBook's clean build directory loses each time) without touching
/// the crates: what `serve` runs on each edit of `src/` or `theme/`.
pub fn pages(root: &Path, dest: &Path, crates: &[CompanionCrate], live_reload: bool) -> Result<()> {
    let report = book::build(
        root,
        &BookOptions {
            dest: dest.to_path_buf(),
            live_reload,
            preprocessor: PreprocessorMode::InProcess,
        },
    )?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    book::install_wasm(root, dest, crates)?;
    Ok(())
}

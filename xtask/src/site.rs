//! The complete static site: companion crates (native for the playground, wasm for the widgets),
//! the book's HTML, the wasm files beside it and the precomputed Run results.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Instant;
use xtask::book::{self, BookOptions, PreprocessorMode};
use xtask::companions::{self, CompanionCrate};
use xtask::precompute::Precomputer;
use xtask::{links, outputs, setup, snippets};

/// What a rebuild of the pages needs that the first build made: the companion crates and the
/// playground that precomputes Run results.
pub struct Built {
    crates: Vec<CompanionCrate>,
    precomputer: Precomputer,
}

/// Builds everything into `dest`. Returns what `serve` needs to rebuild the pages on each edit.
pub fn build(root: &Path, dest: &Path, live_reload: bool) -> Result<Built> {
    let started = Instant::now();
    setup::ensure_wasm_target()?;
    setup::ensure_sandbox()?;
    let crates = companions::discover(root)?;
    eprintln!("[1/3] companion crates: native rlibs for the playground");
    companions::build_native(root, &crates)?;
    eprintln!("[2/3] companion crates: WebAssembly for the widgets");
    companions::build_wasm(root, &crates)?;
    eprintln!("[3/3] the book");
    let built = Built {
        crates,
        precomputer: Precomputer::start(root)?,
    };
    pages(root, root, dest, &built, live_reload)?;
    eprintln!(
        "built {} in {:.1} s",
        dest.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(built)
}

/// Rebuilds the pages (and what mdBook's clean build directory loses each time) without touching
/// the crates: what `serve` runs on each edit of `src/` or `theme/`. `book` is the folder holding
/// book.toml (the repository root, except in the tests that edit a copy of the book).
///
/// Every internal link must land on a file of the site and an id of its page (`xtask::links`);
/// every snippet's ` ```output ` block is checked against what it really prints. Either failing
/// fails the build with the place and the fix.
///
/// The site is assembled in a staging folder beside `dest` and swapped in with two renames, so a
/// browser reloading during a rebuild never sees a half-written or empty site, and a build that
/// fails leaves the last good site in place.
pub fn pages(
    root: &Path,
    book: &Path,
    dest: &Path,
    built: &Built,
    live_reload: bool,
) -> Result<()> {
    let staging = sibling(dest, "staging");
    let retired = sibling(dest, "retired");
    for leftover in [&staging, &retired] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover)?;
        }
    }
    let report = book::build(
        book,
        &BookOptions {
            dest: staging.clone(),
            live_reload,
            preprocessor: PreprocessorMode::InProcess,
        },
    )?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    book::install_wasm(root, &staging, &built.crates)?;
    book::install_widgets(book, &staging)?;
    let started = Instant::now();
    let checked = links::check(&staging, &report.src_dir)?;
    eprintln!(
        "links: {checked} internal links land ({} ms)",
        started.elapsed().as_millis()
    );
    let summary = built.precomputer.run(root, &staging)?;
    eprintln!(
        "Run results: {} snippets ({} compiled now, the rest from earlier builds)",
        summary.snippets, summary.compiled
    );
    for outcome in &summary.not_clean {
        eprintln!("note: a snippet's precomputed result is {outcome:?} (marked as meant to fail?)");
    }
    let sources = snippets::extract(&report.src_dir, &report.edition)?;
    let verified = outputs::verify(&sources, &summary.results)?;
    eprintln!("output blocks: {verified} checked against their snippets' real output");
    if dest.exists() {
        std::fs::rename(dest, &retired)?;
    }
    std::fs::rename(&staging, dest)?;
    if retired.exists() {
        std::fs::remove_dir_all(&retired)?;
    }
    Ok(())
}

/// `book` → `.book.staging`: hidden, and on the same filesystem so `rename` is atomic.
fn sibling(dest: &Path, role: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    dest.with_file_name(format!(".{name}.{role}"))
}

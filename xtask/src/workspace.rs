//! Where things are in the repository.

use std::path::{Path, PathBuf};

/// The repository root: the folder holding `book.toml` and the workspace `Cargo.toml`.
///
/// Computed from this crate's own manifest directory rather than the current directory, so
/// `cargo xtask` works from any subfolder and tests work whatever cargo's working directory is.
/// Cargo's value at run time comes first: a binary built in one checkout and run from another
/// (a `target/` copied into a git worktree) must work on the checkout it is run from.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// Cargo's target directory for this workspace, honouring `CARGO_TARGET_DIR` like cargo does.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Where `cargo xtask build` and `serve` write the static site (mdBook's `build-dir`): `book/`, or
/// the folder `DSIP_BOOK_DIR` names, so two people building one checkout at once (or a build
/// beside a running `serve`) do not swap sites under each other.
pub fn site_dir(root: &Path) -> PathBuf {
    match std::env::var_os("DSIP_BOOK_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("book"),
    }
}

/// Scratch space for xtask's own caches, kept under the target directory so `cargo clean`
/// clears it and git never sees it.
pub fn scratch_dir(root: &Path) -> PathBuf {
    target_dir(root).join("xtask")
}

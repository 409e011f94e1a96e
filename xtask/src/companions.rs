//! The companion crates under `playground-crates/`: finding them and building them for the
//! playground (native rlibs) and for the widgets (WebAssembly).

use crate::process::{cargo, describe, run};
use crate::setup::WASM_TARGET;
use crate::workspace::target_dir;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One module's companion crate, as the playground sees it (`name` is the cargo package, `lib`
/// the library snippets `use` and the widget's `.wasm` is named after).
pub use playground::CompanionCrate;

/// Every companion crate under `playground-crates/`, found the way the playground finds them, so
/// the crates xtask builds are exactly the ones the playground links snippets against.
pub fn discover(root: &Path) -> Result<Vec<CompanionCrate>> {
    playground::config::companion_crates(&root.join("playground-crates"))
}

/// The cargo profile for the widgets' WebAssembly (size-optimised; see the workspace Cargo.toml).
const WASM_PROFILE: &str = "wasm";

/// Builds the native release rlibs the playground links snippets against, and puts exactly the
/// library files they depend on (the simulation kernel, registry crates) into
/// `target/release/snippet-deps/`, the one dependency folder the playground's sandbox shows.
pub fn build_native(root: &Path, crates: &[CompanionCrate]) -> Result<()> {
    let names: Vec<&str> = crates.iter().map(|krate| krate.name.as_str()).collect();
    let deps_dir = target_dir(root)
        .join("release")
        .join(playground::deps::DEPS_DIR);
    let mut shown = cargo(root);
    shown.args(["build", "--quiet", "--release"]);
    shown.args(names.iter().flat_map(|name| ["-p", name]));
    eprintln!(
        "    $ {} (dependencies into {})",
        describe(&shown),
        deps_dir.display()
    );
    let built =
        playground::deps::build(|| cargo(root), &["--quiet", "--release"], &names, &deps_dir)
            .context("building the companion crates for the playground")?;
    eprintln!(
        "    {} companion crates, {} library files in their dependency closure",
        built.rlibs.len(),
        built.deps.len()
    );
    Ok(())
}

/// Builds, for the browser, every companion crate that has a widget (a `cdylib`); a
/// library-only crate such as `sim` is compiled into those that use it.
pub fn build_wasm(root: &Path, crates: &[CompanionCrate]) -> Result<()> {
    // One cargo run per crate, each with only its own `widget` feature: a crate that links another
    // companion crate (Module 2's checker, say) must not compile that crate's `dsip_call` export
    // too, and within one cargo run features are unified across the packages it builds.
    for krate in crates.iter().filter(|krate| krate.wasm) {
        let mut cargo = cargo_build(root, krate, WASM_PROFILE);
        cargo.args(["--target", WASM_TARGET, "--features", "widget"]);
        run(&mut cargo)?;
    }
    Ok(())
}

/// The `.wasm` file `build_wasm` produced for `krate` (only crates with `wasm` set have one).
pub fn wasm_file(root: &Path, krate: &CompanionCrate) -> PathBuf {
    target_dir(root)
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{}.wasm", krate.lib))
}

fn cargo_build(root: &Path, krate: &CompanionCrate, profile: &str) -> Command {
    let mut cargo = cargo(root);
    cargo.args(["build", "--quiet", "--profile", profile, "-p", &krate.name]);
    cargo
}

//! The companion crates under `playground-crates/`: finding them and building them for the
//! playground (native rlibs) and for the widgets (WebAssembly).

use crate::process::{cargo, run};
use crate::setup::WASM_TARGET;
use crate::workspace::target_dir;
use anyhow::Result;
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

/// Builds the native release rlibs the playground links snippets against.
pub fn build_native(root: &Path, crates: &[CompanionCrate]) -> Result<()> {
    run(&mut cargo_build(root, crates, "release"))
}

/// Builds every companion crate for the browser.
pub fn build_wasm(root: &Path, crates: &[CompanionCrate]) -> Result<()> {
    let mut cargo = cargo_build(root, crates, WASM_PROFILE);
    cargo.args(["--target", WASM_TARGET]);
    run(&mut cargo)
}

/// The `.wasm` file `build_wasm` produced for `krate`.
pub fn wasm_file(root: &Path, krate: &CompanionCrate) -> PathBuf {
    target_dir(root)
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(format!("{}.wasm", krate.lib))
}

fn cargo_build(root: &Path, crates: &[CompanionCrate], profile: &str) -> Command {
    let mut cargo = cargo(root);
    cargo.args(["build", "--quiet", "--profile", profile]);
    for krate in crates {
        cargo.args(["-p", &krate.name]);
    }
    cargo
}

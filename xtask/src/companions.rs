//! The companion crates under `playground-crates/`: finding them and building them for the
//! playground (native rlibs) and for the widgets (WebAssembly).

use crate::process::run;
use crate::setup::WASM_TARGET;
use crate::workspace::target_dir;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One module's companion crate.
#[derive(Debug, Clone)]
pub struct CompanionCrate {
    /// The cargo package name, for `cargo build -p`.
    pub package: String,
    /// The library name snippets `use` and the widgets' `.wasm` file is named after.
    pub lib: String,
}

/// Every companion crate: a package under `playground-crates/` that builds a `cdylib`.
///
/// The cdylib is what makes a crate a companion (it is the widget's WebAssembly); shared helper
/// crates such as `wasm-bridge` are plain rlibs and are left out. Sorted by library name so builds
/// and listings are stable.
pub fn discover(root: &Path) -> Result<Vec<CompanionCrate>> {
    let mut crates = Vec::new();
    for entry in std::fs::read_dir(root.join("playground-crates"))? {
        let manifest_path = entry?.path().join("Cargo.toml");
        if !manifest_path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest_path)?;
        let manifest: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", manifest_path.display()))?;
        let package = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .with_context(|| format!("{} has no package.name", manifest_path.display()))?
            .to_string();
        let lib_table = manifest.get("lib");
        let is_cdylib = lib_table
            .and_then(|lib| lib.get("crate-type"))
            .and_then(|types| types.as_array())
            .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("cdylib")));
        if !is_cdylib {
            continue;
        }
        let lib = lib_table
            .and_then(|lib| lib.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| package.replace('-', "_"));
        crates.push(CompanionCrate { package, lib });
    }
    crates.sort_by(|a, b| a.lib.cmp(&b.lib));
    Ok(crates)
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
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(root)
        .args(["build", "--quiet", "--profile", profile]);
    for krate in crates {
        cargo.args(["-p", &krate.package]);
    }
    cargo
}

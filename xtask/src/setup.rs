//! Installing what the commands need on a fresh machine.
//!
//! The README promises that `cargo xtask serve` and `cargo xtask test` work on a fresh machine with
//! only a Rust toolchain, node and npm. Everything else is installed here, from the registries
//! this project may use (rustup's targets, Debian's packages, npm), and when something cannot be
//! installed the command stops with one line that says what to install.

use crate::process::{on_path, run};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// The compilation target the widgets' WebAssembly is built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where Debian's chromium package puts the browser the UI tests drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Makes sure rustc can build for [`WASM_TARGET`], adding it through rustup when missing.
pub fn ensure_wasm_target() -> Result<()> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .context("could not run rustc")?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        return Ok(());
    }
    if !on_path("rustup") {
        bail!("the {WASM_TARGET} target is missing: install it with `rustup target add {WASM_TARGET}`");
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// A Debian package the project needs, and the file that shows it is installed (a `*` folder
/// stands for any one folder there, such as PostgreSQL's version).
struct DebianPackage {
    name: &'static str,
    provides: &'static str,
    why: &'static str,
}

const SANDBOX: DebianPackage = DebianPackage {
    name: "bubblewrap",
    provides: "/usr/bin/bwrap",
    why: "the playground runs every snippet inside bubblewrap",
};

const LINKER: DebianPackage = DebianPackage {
    name: "gcc",
    provides: "/usr/bin/cc",
    why: "rustc links the playground's snippets with cc",
};

const C_LIBRARY: DebianPackage = DebianPackage {
    name: "libc6-dev",
    provides: "/usr/include/stdio.h",
    why: "the linker needs libc's start files",
};

const BROWSER: DebianPackage = DebianPackage {
    name: "chromium",
    provides: CHROMIUM,
    why: "the browser tests drive Debian's chromium",
};

/// Makes sure the playground can compile and link snippets inside its sandbox (bubblewrap).
pub fn ensure_sandbox() -> Result<()> {
    ensure_debian_packages(&[SANDBOX, LINKER, C_LIBRARY])
}

/// Makes sure everything the browser tests need is installed: chromium from Debian and
/// playwright-core from npm (which drives that chromium; it downloads no browser of its own).
pub fn ensure_browser_tests(browser_tests: &Path) -> Result<()> {
    ensure_debian_packages(&[BROWSER])?;
    ensure_node_modules(browser_tests)
}

/// Makes sure a PostgreSQL server is installed: Module 5's comparison test starts a throwaway
/// one. Debian's `postgresql` puts it in /usr/lib/postgresql/<version>/bin, so any version counts.
pub fn ensure_postgres() -> Result<()> {
    ensure_debian_packages(&[DATABASE])
}

const DATABASE: DebianPackage = DebianPackage {
    name: "postgresql",
    provides: "/usr/lib/postgresql/*/bin/initdb",
    why: "Module 5's test compares its store with a real PostgreSQL",
};

/// Whether `provides` exists, a `*` folder matching any one folder.
fn present(provides: &str) -> bool {
    match provides.split_once("/*/") {
        None => Path::new(provides).exists(),
        Some((parent, rest)) => std::fs::read_dir(parent)
            .map(|folders| {
                folders
                    .filter_map(|entry| entry.ok())
                    .any(|entry| entry.path().join(rest).exists())
            })
            .unwrap_or(false),
    }
}

fn ensure_debian_packages(packages: &[DebianPackage]) -> Result<()> {
    let missing: Vec<&DebianPackage> = packages
        .iter()
        .filter(|package| !present(package.provides))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(|package| package.name).collect();
    let why: Vec<&str> = missing.iter().map(|package| package.why).collect();
    if !is_root() || !on_path("apt-get") {
        bail!(
            "missing {} ({}): install with `sudo apt-get install {}`",
            names.join(", "),
            why.join("; "),
            names.join(" ")
        );
    }
    eprintln!("    installing {} ({})", names.join(", "), why.join("; "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&names)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Runs `npm ci` unless every dependency package.json names is already installed, so adding a
/// dependency (axe-core joined playwright-core) reaches machines that installed the old set.
fn ensure_node_modules(dir: &Path) -> Result<()> {
    let manifest = std::fs::read_to_string(dir.join("package.json"))
        .with_context(|| format!("could not read {}/package.json", dir.display()))?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest)
        .with_context(|| format!("{}/package.json is not valid JSON", dir.display()))?;
    let installed = manifest["dependencies"]
        .as_object()
        .map(|dependencies| {
            dependencies
                .keys()
                .all(|name| dir.join("node_modules").join(name).is_dir())
        })
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    if !on_path("npm") {
        bail!("npm is missing: install Node.js 20 or later with npm (Debian: `apt-get install nodejs npm`)");
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::present;

    #[test]
    fn a_star_folder_matches_any_one_folder() {
        let root = std::env::temp_dir().join(format!("dsip-present-{}", std::process::id()));
        std::fs::create_dir_all(root.join("15/bin")).unwrap();
        std::fs::write(root.join("15/bin/initdb"), "").unwrap();
        let pattern = |rest: &str| format!("{}/*/{rest}", root.display());
        assert!(present(&pattern("bin/initdb")));
        assert!(!present(&pattern("bin/postgres")));
        assert!(present(&format!("{}/15/bin/initdb", root.display())));
        assert!(!present(&format!("{}/16/bin/initdb", root.display())));
        std::fs::remove_dir_all(&root).unwrap();
    }
}

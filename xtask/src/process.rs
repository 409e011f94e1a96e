//! Running other programs with errors a newcomer can act on.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Runs `command` to completion, echoing it first, and fails with the command line and its exit
/// status when it does not succeed.
///
/// Output is inherited, not captured: the person running `cargo xtask` sees cargo's and npm's own
/// progress and errors as they happen.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = describe(command);
    eprintln!("    $ {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Whether `program` can be found on the `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// The command line as a person would type it, for messages.
pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `cargo` command run from the repository root, using the same cargo that runs xtask
/// (`CARGO`, set by `cargo xtask`), so a toolchain override applies to everything it builds.
pub fn cargo(root: &Path) -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(root);
    cargo
}

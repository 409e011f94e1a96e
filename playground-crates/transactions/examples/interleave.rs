//! Plays an interleaving script against the store, one output line a step.
//!
//! `cargo run --release -p transactions --example interleave -- SCRIPT`
//!
//! SCRIPT is a file of `<txn> <step>` lines (see the crate's `step` module); every script
//! starts from Hermitage's table, rows 1 → 10 and 2 → 20. A script the runner refuses is
//! reported with its line number, and nothing else is printed.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: interleave SCRIPT");
        return ExitCode::from(2);
    };
    let script = match std::fs::read_to_string(&path) {
        Ok(script) => script,
        Err(error) => {
            eprintln!("could not read {path}: {error}");
            return ExitCode::from(2);
        }
    };
    match transactions::script::run(&script) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{path}: {error}");
            ExitCode::FAILURE
        }
    }
}

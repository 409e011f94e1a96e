//! `cargo run --release -p consistency --example lincheck -- FILE...`
//!
//! One line a file: `FILE: linearizable` or `FILE: not linearizable: <witness>`. Exits 0 if every
//! file was linearizable, 1 if any was not, 2 if a file could not be read or parsed (the error, with
//! file and line, goes to stderr).

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!(
            "usage: lincheck FILE...  (etcd logs or kv histories, see shared/histories/README.md)"
        );
        return ExitCode::from(2);
    }
    let mut any_bad = false;
    let mut any_error = false;
    for file in &files {
        let history = match consistency::parse_file(file) {
            Ok(h) => h,
            Err(e) => {
                // The error carries the path as given; make sure it names FILE exactly.
                eprintln!("{e}");
                any_error = true;
                continue;
            }
        };
        match consistency::check(&history) {
            consistency::Verdict::Linearizable => println!("{file}: linearizable"),
            consistency::Verdict::NotLinearizable(w) => {
                any_bad = true;
                println!("{file}: not linearizable: {w}");
            }
        }
    }
    ExitCode::from(if any_error {
        2
    } else if any_bad {
        1
    } else {
        0
    })
}

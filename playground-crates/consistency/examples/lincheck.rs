//! `cargo run --release -p consistency --example lincheck -- FILE...`
//!
//! One line a file: `FILE: linearizable` or `FILE: not linearizable: <witness>`. Exits 0 if every
//! file was linearizable, 1 if any was not, 2 if a file could not be read or parsed (the error, with
//! file and line, goes to stderr). The format is told from the content: etcd logs contain
//! `jepsen.util`, kv histories have one `{...}` map a line.

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!(
            "usage: lincheck FILE...  (etcd logs or kv histories, see shared/histories/README.md)"
        );
        return ExitCode::from(2);
    }
    let code = consistency::cli::lincheck(&files, &mut std::io::stdout(), &mut std::io::stderr());
    ExitCode::from(code)
}

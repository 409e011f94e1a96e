//! The `lincheck` command, as a function so tests can run it: one line a file, and an exit code.

use std::io::Write;

use crate::lincheck::{check, Verdict};
use crate::parse::parse_file;

/// Checks each file and writes `FILE: linearizable` or `FILE: not linearizable: <witness>` to
/// `out`, one line a file, with FILE exactly as given. A file that cannot be read or parsed gets
/// its error (with file and line) on `err` instead. Returns the exit code: 0 if every file was
/// linearizable, 1 if any was not, 2 if any could not be read or parsed.
pub fn lincheck(files: &[String], out: &mut impl Write, err: &mut impl Write) -> u8 {
    let mut any_bad = false;
    let mut any_error = false;
    for file in files {
        let history = match parse_file(file) {
            Ok(history) => history,
            Err(e) => {
                let _ = writeln!(err, "{e}");
                any_error = true;
                continue;
            }
        };
        let _ = match check(&history) {
            Verdict::Linearizable => writeln!(out, "{file}: linearizable"),
            Verdict::NotLinearizable(w) => {
                any_bad = true;
                writeln!(out, "{file}: not linearizable: {w}")
            }
        };
    }
    if any_error {
        2
    } else if any_bad {
        1
    } else {
        0
    }
}

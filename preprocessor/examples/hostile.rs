//! Times the two hostile inputs of issue 19 that used to take quadratic time: one chapter with 8,000
//! directives, and one directive with 60,000 unknown keys. Both must finish well under a second.
//!
//! ```sh
//! cargo run --release -p mdbook-dsip --example hostile
//! ```

use std::path::Path;
use std::time::{Duration, Instant};

const FRAMEWORK: &str =
    "id = \"x{n}\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n";

/// One chapter holding `count` valid framework cards, each with its own id.
fn many_directives(count: usize) -> String {
    let mut chapter = String::new();
    for n in 0..count {
        chapter.push_str("Some prose.\n\n```framework\n");
        chapter.push_str(&FRAMEWORK.replace("{n}", &n.to_string()));
        chapter.push_str("```\n\n");
    }
    chapter
}

/// One framework directive with `count` unknown keys (every one an error to report).
fn many_keys(count: usize) -> String {
    let mut chapter = String::from("```framework\n");
    for n in 0..count {
        chapter.push_str(&format!("k{n} = 1\n"));
    }
    chapter.push_str("```\n");
    chapter
}

/// The best of three runs, so one scheduling hiccup on a shared machine does not decide the figure.
fn time(source: &str) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut errors = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let result = mdbook_dsip::expand(source, Path::new("hostile.md"));
        best = best.min(start.elapsed());
        errors = result.err().map_or(0, |errors| errors.len());
    }
    (best, errors)
}

fn main() {
    let (elapsed, errors) = time(&many_directives(8_000));
    println!("8,000 directives in one chapter: {elapsed:.2?} ({errors} errors)");
    let (elapsed, errors) = time(&many_keys(60_000));
    println!("60,000 unknown keys in one directive: {elapsed:.2?} ({errors} errors)");
}

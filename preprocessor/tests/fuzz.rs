//! A bounded fuzz run over mutated real chapters: whatever a contributor's edit does to a chapter, the
//! preprocessor neither panics (its `catch_unwind` would turn a panic into an "internal error", so
//! that counts as a failure here too) nor reports an error without the chapter's file and a line
//! inside it.
//!
//! The seeds are the book's own chapters (`src/**/*.md`); each case applies a few mutations (cut,
//! insert a hostile token, duplicate or swap lines, truncate, change line endings). `cargo test` runs
//! 256 cases; a longer run, for a change to the scanner or the fields reader:
//!
//! ```sh
//! DSIP_FUZZ_CASES=200000 cargo test --release -p mdbook-dsip --test fuzz
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;

/// Tokens contributors (and their editors) put into chapters, each one a known way to hurt a parser.
const TOKENS: &[&str] = &[
    "```",
    "~~~",
    "````",
    "```framework\n",
    "```check\n",
    "```framwork\n",
    "```Viz\n",
    "\"\"\"",
    "'''",
    "\"",
    "'",
    "[[",
    "]]",
    "[[timeline]]\n",
    "[[question]\n",
    "=",
    " = ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "> ",
    ">",
    "- ",
    "1. ",
    "[^x>y]: ",
    "    ",
    "\t",
    "#",
    "## Next\n",
    "<div>",
    "</div>",
    "</article>",
    "<!--",
    "-->",
    "<h2>",
    "<script>",
    "<details>",
    "0x",
    "0xff",
    "0b1",
    "0o17",
    "-9223372036854775808",
    "99999999999999999999",
    "2015-02-31",
    "date = 2015-9-20\n",
    "id = \"x\"\n",
    "id = \"Café\"\n",
    "critical = true\n",
    "moment = \"M\"\n",
    "params = { h = 0x1 }\n",
    "link = \"javascript:alert(1)//.md\"\n",
    "link = \"../x.md\"\n",
    "{",
    "}",
    "\\",
    "\u{0}",
    "é",
    "日本",
    "\u{feff}",
    "¶",
];

/// The book's chapters, read once.
fn seeds() -> &'static [(PathBuf, String)] {
    static SEEDS: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
        let mut seeds = Vec::new();
        let mut dirs = vec![src.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|extension| extension == "md") {
                    let text = fs::read_to_string(&path).unwrap();
                    seeds.push((path.strip_prefix(&src).unwrap().to_path_buf(), text));
                }
            }
        }
        seeds.sort();
        assert!(
            seeds.len() > 10,
            "no chapters found under {}",
            src.display()
        );
        seeds
    })
}

/// One edit to a chapter; positions are taken modulo the chapter's length when applied.
#[derive(Debug, Clone)]
enum Mutation {
    Cut(usize, usize),
    Insert(usize, &'static str),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
    LineEndings(&'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<usize>(), 1..200usize).prop_map(|(at, len)| Mutation::Cut(at, len)),
        4 => (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, token)| Mutation::Insert(at, token)),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => prop::sample::select(&["\r\n", "\r"][..]).prop_map(Mutation::LineEndings),
    ]
}

/// The nearest char boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, mutation: &Mutation) {
    match *mutation {
        Mutation::Cut(at, len) => {
            let start = boundary(text, at);
            let end = boundary(text, start + len.min(text.len() - start));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert(at, token) => {
            let at = boundary(text, at);
            text.insert_str(at, token);
        }
        Mutation::DuplicateLine(index)
        | Mutation::SwapLines(index, _)
        | Mutation::Truncate(index)
            if text.is_empty() =>
        {
            let _ = index;
        }
        Mutation::DuplicateLine(index) => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            let line = lines[index % lines.len()];
            lines.insert(index % lines.len(), line);
            *text = lines.concat();
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            let len = lines.len();
            lines.swap(a % len, b % len);
            *text = lines.concat();
        }
        Mutation::Truncate(at) => {
            let at = boundary(text, at);
            text.truncate(at);
        }
        Mutation::LineEndings(ending) => *text = text.replace('\n', ending),
    }
}

/// Lines as an editor counts them: `\n`, `\r\n` and a lone `\r` each end one.
fn line_count(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1
}

fn cases() -> u32 {
    std::env::var("DSIP_FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, ..Config::default() })]

    #[test]
    fn mutated_chapters_never_panic_and_every_error_is_located(
        seed in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let (path, text) = &seeds()[seed % seeds().len()];
        let mut chapter = text.clone();
        for mutation in &mutations {
            apply(&mut chapter, mutation);
        }
        let lines = line_count(&chapter);
        if let Err(errors) = mdbook_dsip::expand(&chapter, path) {
            for error in errors {
                prop_assert!(!error.problem.contains("internal error"), "a panic: {error}");
                prop_assert_eq!(&error.file, path);
                prop_assert!((1..=lines).contains(&error.line), "line {} of {lines}: {error}", error.line);
                prop_assert!(!error.problem.is_empty() && !error.fix.is_empty(), "{error}");
            }
        }
    }
}

#[test]
fn the_seeds_themselves_expand() {
    // Together, as the book: a module's term links resolve only against the glossary page.
    let book: Vec<mdbook_dsip::BookChapter> = seeds()
        .iter()
        .map(|(path, text)| mdbook_dsip::BookChapter {
            path: path.clone(),
            name: String::new(),
            source: text.clone(),
        })
        .collect();
    for ((path, _), result) in seeds().iter().zip(mdbook_dsip::expand_book(&book)) {
        if let Err(errors) = result {
            panic!("{}: {errors:#?}", path.display());
        }
    }
}

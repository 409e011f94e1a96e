//! Golden tests: each `tests/golden/<name>.md` expands to exactly `tests/golden/<name>.html`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the `.html` files after an intended change, then review the
//! diff by eye: it is the HTML readers get.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn check_golden(name: &str) {
    let input = golden_dir().join(format!("{name}.md"));
    let expected_path = golden_dir().join(format!("{name}.html"));
    let source = fs::read_to_string(&input).unwrap();
    let expanded = mdbook_dsip::expand(&source, Path::new(&format!("{name}.md")))
        .unwrap_or_else(|errors| panic!("{name}.md has errors: {errors:#?}"));
    common::assert_mdbook_accepts(&expanded);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&expected_path, &expanded).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with UPDATE_GOLDEN=1",
            expected_path.display()
        )
    });
    assert_eq!(
        expanded, expected,
        "{name}.md no longer expands to {name}.html (UPDATE_GOLDEN=1 rewrites it)"
    );
}

/// Every golden input, by name: each `.md` file in `tests/golden/`.
fn golden_inputs() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(golden_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .map(|path| path.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

macro_rules! golden {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $test() { check_golden($name); })*
        /// The inputs that have a test of their own.
        const TESTED: &[&str] = &[$($name),*];
    };
}

golden! {
    module => "module",
    framework => "framework",
    postmortem => "postmortem",
    ladder => "ladder",
    when_not => "when-not",
    viz => "viz",
    check => "check",
    crate_card => "crate",
    curriculum => "curriculum",
    frameworks_sheet => "frameworks-sheet",
    where_you_sit => "where-you-sit",
    glossary => "glossary",
    mixed => "mixed",
    after_fence => "after-fence",
    containers => "containers",
}

/// A chapter from a Windows checkout (`core.autocrlf`) ends every line with `\r\n`: it must expand
/// exactly as the LF chapter does, with `\r\n` line endings in the HTML too. The `.md` files are stored
/// with LF (git could rewrite stored CRLF), so the CRLF input is made here.
#[test]
fn crlf_chapters_expand_like_lf_ones() {
    for name in golden_inputs() {
        let source = fs::read_to_string(golden_dir().join(format!("{name}.md"))).unwrap();
        let expected = fs::read_to_string(golden_dir().join(format!("{name}.html"))).unwrap();
        let crlf = source.replace('\n', "\r\n");
        let expanded = mdbook_dsip::expand(&crlf, Path::new(&format!("{name}.md")))
            .unwrap_or_else(|errors| panic!("{name}.md in CRLF has errors: {errors:#?}"));
        common::assert_mdbook_accepts(&expanded);
        assert_eq!(
            expanded,
            expected.replace('\n', "\r\n"),
            "{name}.md in CRLF expands differently from LF"
        );
    }
}

/// The finding behind `after-fence.md`: Markdown on the line after a closing fence is still Markdown
/// once the card is in place, with either line ending.
#[test]
fn markdown_after_a_closing_fence_stays_markdown() {
    let source = fs::read_to_string(golden_dir().join("after-fence.md")).unwrap();
    for source in [source.clone(), source.replace('\n', "\r\n")] {
        let expanded = mdbook_dsip::expand(&source, Path::new("after-fence.md")).unwrap();
        let (headings, paragraphs, items) = common::outline(&expanded);
        assert!(headings.contains(&"Next".to_string()), "{headings:?}");
        assert!(
            paragraphs.contains(&"A paragraph straight after the fence.".to_string()),
            "{paragraphs:?}"
        );
        assert_eq!(items, ["one", "two"]);
    }
}

/// Every golden input has its own named test (so a failure names the directive), and every
/// directive has a golden input, named after it.
#[test]
fn every_directive_and_every_golden_input_has_a_test() {
    for name in golden_inputs() {
        assert!(
            TESTED.contains(&name.as_str()),
            "{name}.md has no golden! entry"
        );
    }
    for name in mdbook_dsip::directive_names() {
        assert!(
            TESTED.contains(&name),
            "the {name} directive has no golden input"
        );
    }
}

#[test]
fn contributing_examples_all_expand() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../CONTRIBUTING.md");
    let source = fs::read_to_string(path).unwrap();
    let expanded = mdbook_dsip::expand(&source, Path::new("CONTRIBUTING.md"))
        .unwrap_or_else(|errors| panic!("CONTRIBUTING.md examples have errors: {errors:#?}"));
    common::assert_mdbook_accepts(&expanded);
    for class in mdbook_dsip::directive_names() {
        assert!(
            expanded.contains(&format!("class=\"dsip-{class}\"")),
            "CONTRIBUTING.md has no {class} example"
        );
    }
}

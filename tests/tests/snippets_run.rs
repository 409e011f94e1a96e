//! Every Rust snippet in the book runs through the playground's own code path, exactly as its Run
//! button sends it, and does what its info string promises.

use playground::{Config, EvaluateRequest, Outcome, Playground};
use xtask::outputs;
use xtask::snippets::{self, Expectation};
use xtask::workspace;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_snippet_runs_clean_or_fails_as_marked() {
    let root = workspace::root();
    let all = snippets::extract(&root.join("src"), "2021").unwrap();
    assert!(
        all.len() >= 9,
        "three snippets a published module at least, found {}",
        all.len()
    );
    let playground =
        Playground::new(Config::for_workspace(&root).batch()).expect("the playground starts");
    let mut failures = Vec::new();
    for snippet in &all {
        let response = playground
            .evaluate(EvaluateRequest {
                version: "stable".into(),
                optimize: "0".into(),
                code: snippet.code.clone(),
                edition: snippet.edition.clone(),
            })
            .await;
        let place = format!("src/{}:{}", snippet.file.display(), snippet.line);
        let ok = match snippet.expect {
            Expectation::Success => response.outcome == Outcome::Success,
            Expectation::Panic => {
                matches!(response.outcome, Outcome::RuntimeError { .. })
                    && response.result.contains("panicked")
            }
            Expectation::CompileError => response.outcome == Outcome::CompileError,
        };
        if !ok {
            failures.push(format!(
                "{place} ({:?}):\n{}",
                snippet.expect, response.result
            ));
        } else if snippet.expect == Expectation::Success {
            assert!(
                !response.result.trim().is_empty(),
                "{place} prints nothing: a snippet should print something worth seeing"
            );
            // Run afresh, not from the build's cache: a snippet whose output block only matched
            // once (a clock, a hash map's order) fails here.
            if let Some(expected) = &snippet.output {
                if let Some(difference) = outputs::first_difference(expected, &response.result) {
                    failures.push(format!(
                        "{place}: output block at line {} no longer matches a fresh run: {difference}",
                        expected.line
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "snippets that did not run as marked:\n\n{}",
        failures.join("\n\n")
    );
}

/// The snippets this suite runs (found in the Markdown, with mdBook's rules mirrored) are exactly
/// the ones the built pages send (found in the HTML, which the precomputed results are keyed on).
/// If mdBook changed its hidden-line or `fn main` rules, this is the test that notices.
#[test]
fn the_markdown_snippets_are_exactly_what_the_built_pages_send() {
    use playground::precompute::{book_snippets, lookup_key};
    use std::collections::BTreeSet;
    use xtask::book::PreprocessorMode;

    let root = workspace::root();
    let scratch = book_tests::ScratchBook::copy_of(&root).unwrap();
    scratch.build(PreprocessorMode::InProcess).unwrap();
    let from_html: BTreeSet<String> = book_snippets(&scratch.site())
        .unwrap()
        .iter()
        .map(lookup_key)
        .collect();
    let from_markdown: BTreeSet<String> = snippets::extract(&root.join("src"), "2021")
        .unwrap()
        .into_iter()
        .map(|snippet| EvaluateRequest::like_book_js(&snippet.code, &snippet.edition))
        .map(|request| lookup_key(&request))
        .collect();
    assert_eq!(from_markdown, from_html);
}

//! Verified snippet output: a ` ```output ` block under a snippet shows what it prints, and the
//! build proves it.
//!
//! The prose quotes numbers that snippets print. Without a check, a change to a seed, a hash or a
//! default would quietly falsify the page. So every output block is compared with the snippet's
//! real output (the result the build already computed for the Run button), and a mismatch fails
//! the build with the place, the first line that differs and the new output to paste.

use crate::snippets::{ExpectedOutput, Snippet};
use anyhow::{bail, Result};
use playground::precompute::lookup_key;
use playground::{EvaluateRequest, EvaluateResponse};
use std::collections::BTreeMap;

/// In an output block, stands for any run of text within one line (timings, throughput).
pub const ANY_TEXT: char = '…';

/// The Run-button request for a snippet, as `book.js` sends it.
pub fn request(snippet: &Snippet) -> EvaluateRequest {
    EvaluateRequest::like_book_js(&snippet.code, &snippet.edition)
}

/// Checks every snippet's output block against its result; `results` is keyed as the precomputed
/// Run table is. All mismatches are reported together.
pub fn verify(snippets: &[Snippet], results: &BTreeMap<String, EvaluateResponse>) -> Result<usize> {
    let mut problems = Vec::new();
    let mut checked = 0;
    for snippet in snippets {
        let Some(expected) = &snippet.output else {
            continue;
        };
        checked += 1;
        let place = format!("src/{}:{}", snippet.file.display(), expected.line);
        let Some(result) = results.get(&lookup_key(&request(snippet))) else {
            problems.push(format!(
                "{place}: the snippet above this output block (line {}) has no Run result",
                snippet.line
            ));
            continue;
        };
        if let Some(difference) = first_difference(expected, &result.result) {
            problems.push(format!(
                "{place}: this output block does not match what the snippet at line {} prints.\n\
                 {difference}\n\
                 The snippet now prints (paste it into the block, with {ANY_TEXT} for text that \
                 changes between runs):\n{}",
                snippet.line,
                indent(&result.result)
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} output block(s) do not match their snippets:\n\n{}",
            problems.len(),
            problems.join("\n\n")
        );
    }
    Ok(checked)
}

/// Where the printed text first departs from the block, or `None` if they agree. Trailing blank
/// lines and trailing spaces do not count: the page cannot show them.
pub fn first_difference(expected: &ExpectedOutput, actual: &str) -> Option<String> {
    let want = lines(&expected.text);
    let got = lines(actual);
    for index in 0..want.len().max(got.len()) {
        let line = expected.line + 1 + index;
        match (want.get(index), got.get(index)) {
            (Some(w), Some(g)) if line_matches(w, g) => continue,
            (Some(w), Some(g)) => {
                return Some(format!(
                    "first difference at line {line}:\n  block:  {w}\n  prints: {g}"
                ))
            }
            (Some(w), None) => {
                return Some(format!(
                    "line {line} of the block, `{w}`, is past the end of what it prints"
                ))
            }
            (None, Some(g)) => {
                return Some(format!(
                    "it prints more than the block shows; the next line is `{g}`"
                ))
            }
            (None, None) => unreachable!("the loop stops at the longer of the two"),
        }
    }
    None
}

fn lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    lines
}

/// Whether `actual` matches the pattern line `expected`, where each `…` matches any text (and
/// nothing else is special).
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let mut parts = expected.split(ANY_TEXT);
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> ExpectedOutput {
        ExpectedOutput {
            line: 10,
            text: text.into(),
        }
    }

    #[test]
    fn identical_text_matches() {
        assert_eq!(first_difference(&block("a 1\nb 2\n"), "a 1\nb 2\n"), None);
        assert_eq!(
            first_difference(&block("a 1\n"), "a 1   \n\n"),
            None,
            "trailing blanks are invisible on the page"
        );
    }

    #[test]
    fn a_changed_number_names_the_line() {
        let difference = first_difference(
            &block("keys 10000\nmoved 1868\n"),
            "keys 10000\nmoved 1869\n",
        )
        .expect("a difference");
        assert!(difference.contains("line 12"), "{difference}");
        assert!(difference.contains("moved 1869"), "{difference}");
    }

    #[test]
    fn missing_and_extra_lines_are_differences() {
        assert!(first_difference(&block("a\nb\n"), "a\n").is_some());
        assert!(first_difference(&block("a\n"), "a\nb\n").is_some());
    }

    #[test]
    fn the_placeholder_matches_any_text_within_a_line() {
        assert!(line_matches("took … ms", "took 12.5 ms"));
        assert!(line_matches("took … ms", "took  ms"));
        assert!(line_matches("…", "anything at all"));
        assert!(line_matches(
            "rate …/s, p99 … ms",
            "rate 19.5k/s, p99 3.1 ms"
        ));
        assert!(!line_matches("took … ms", "took 12.5 s"));
        assert!(!line_matches("moved 1868", "moved 1868 keys"));
        assert!(!line_matches("a…a", "a"), "the two ends may not overlap");
    }

    #[test]
    fn the_placeholder_never_spans_lines() {
        assert!(first_difference(&block("start\n…\nend\n"), "start\none\ntwo\nend\n").is_some());
    }
}

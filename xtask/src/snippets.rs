//! The book's runnable Rust snippets, exactly as a Run button sends them.
//!
//! mdBook changes a Rust code block before it reaches the page: it wraps code without `fn main` in
//! a hidden `fn main() { ... }`, and it hides lines that start with `# ` by dropping that prefix and
//! wrapping the line in a hidden span. The Run button sends the text *with* the hidden lines. To
//! precompute results the page can look up, and to test what learners will really run, we apply
//! the same two rules here (mirroring mdbook-html 0.5's `hide_lines.rs`).

use anyhow::{Context, Result};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::path::{Path, PathBuf};

/// What a snippet is expected to do when run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expectation {
    /// Compiles and exits successfully.
    Success,
    /// Compiles, then panics (`should_panic` in the info string).
    Panic,
    /// Fails to compile (`compile_fail`): a lesson about an error rustc catches.
    CompileError,
}

/// One runnable code block of the book.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// The chapter file, relative to the book's `src/`.
    pub file: PathBuf,
    /// The 1-based line of the opening fence, for error messages.
    pub line: usize,
    /// The program text as the Run button sends it.
    pub code: String,
    /// The edition the Run button asks for (`[rust] edition` in book.toml).
    pub edition: String,
    /// What running it should do.
    pub expect: Expectation,
    /// The ` ```output ` block right after it, if the page shows what the snippet prints.
    pub output: Option<ExpectedOutput>,
}

/// A snippet's printed output as the page shows it, checked against a real run at build time
/// (see `crate::outputs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedOutput {
    /// The 1-based line of the output block's opening fence.
    pub line: usize,
    /// The block's text. `…` in a line stands for any text within that line.
    pub text: String,
}

/// The info string of a snippet's output block.
pub const OUTPUT_INFO: &str = "output";

/// Info-string attributes on which mdBook hides the Run button: those blocks are never sent.
const NOT_RUNNABLE: &[&str] = &["ignore", "no_run", "noplayground", "noplaypen"];

/// Every runnable Rust snippet of the book's chapters (the files `src_dir/SUMMARY.md` links), in
/// file then line order. A page SUMMARY.md does not list yet is not built, so it has no Run result
/// to check its output blocks against; it is checked from the day it is linked.
pub fn extract(src_dir: &Path, edition: &str) -> Result<Vec<Snippet>> {
    let chapters: std::collections::BTreeSet<PathBuf> =
        crate::summary::chapters_in(src_dir)?.into_iter().collect();
    let mut files = Vec::new();
    collect_markdown(src_dir, &mut files)?;
    files.retain(|path| {
        path.strip_prefix(src_dir)
            .is_ok_and(|relative| chapters.contains(relative))
    });
    files.sort();
    let mut snippets = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let file = path.strip_prefix(src_dir).unwrap_or(&path).to_path_buf();
        snippets.extend(extract_from(&file, &text, edition));
    }
    Ok(snippets)
}

/// The runnable snippets of one Markdown document, each with the output block that follows it.
pub fn extract_from(file: &Path, markdown: &str, edition: &str) -> Vec<Snippet> {
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut snippets: Vec<Snippet> = Vec::new();
    let mut open: Option<(usize, Expectation, String)> = None;
    // An output block belongs to the snippet only if nothing else comes between them.
    let mut awaiting_output = false;
    let mut output: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(markdown, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let attributes: Vec<&str> = info
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|a| !a.is_empty())
                    .collect();
                let runnable = attributes.first() == Some(&"rust")
                    && !attributes.iter().any(|a| NOT_RUNNABLE.contains(a));
                if runnable {
                    open = Some((
                        line_of(range.start),
                        expectation(&attributes),
                        String::new(),
                    ));
                } else if awaiting_output && info.trim() == OUTPUT_INFO {
                    output = Some((line_of(range.start), String::new()));
                }
                awaiting_output = false;
            }
            Event::Text(text) => {
                if let Some((_, _, code)) = open.as_mut() {
                    code.push_str(&text);
                } else if let Some((_, printed)) = output.as_mut() {
                    printed.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((line, expect, code)) = open.take() {
                    snippets.push(Snippet {
                        file: file.to_path_buf(),
                        line,
                        code: as_sent_by_run_button(&code),
                        edition: edition.to_string(),
                        expect,
                        output: None,
                    });
                    awaiting_output = true;
                } else if let Some((line, text)) = output.take() {
                    if let Some(snippet) = snippets.last_mut() {
                        snippet.output = Some(ExpectedOutput { line, text });
                    }
                }
            }
            Event::Start(_) | Event::Html(_) | Event::InlineHtml(_) | Event::Rule => {
                awaiting_output = false;
            }
            _ => {}
        }
    }
    snippets
}

fn expectation(attributes: &[&str]) -> Expectation {
    if attributes.contains(&"compile_fail") {
        Expectation::CompileError
    } else if attributes.contains(&"should_panic") {
        Expectation::Panic
    } else {
        Expectation::Success
    }
}

/// The text of a code block after mdBook's `fn main` wrapping and hidden-line rules.
pub fn as_sent_by_run_button(block: &str) -> String {
    let wrapped = if block.contains("fn main") || block.contains("quick_main!") {
        block.to_string()
    } else {
        // mdBook puts inner attributes before the wrapper; snippets here always have `fn main`,
        // so the simple wrapping is enough to keep a missing one runnable rather than silently
        // different.
        format!(
            "# #![allow(unused)]\n# fn main() {{\n{}\n# }}",
            block.trim_end()
        )
    };
    wrapped.lines().map(unhide).collect::<Vec<_>>().join("\n")
}

/// One line under mdBook's rule `^(\s*)#(.?)(.*)$`: `# x` and `#` become `x` and ``, `##x`
/// becomes `#x`, anything else (such as `#[derive]`) stays.
fn unhide(line: &str) -> String {
    let indent_len = line.len() - line.trim_start().len();
    let (indent, rest) = line.split_at(indent_len);
    let Some(after_hash) = rest.strip_prefix('#') else {
        return line.to_string();
    };
    match after_hash.chars().next() {
        None => indent.to_string(),
        Some(' ') => format!("{indent}{}", &after_hash[1..]),
        Some('#') => format!("{indent}{after_hash}"),
        Some(_) => line.to_string(),
    }
}

fn collect_markdown(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect_markdown(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "md") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_lines_are_sent_without_their_marker() {
        let block = "# use clocks::VectorClock;\nfn main() {\n#     let x = 1;\n    println!(\"{x}\");\n#\n}\n";
        assert_eq!(
            as_sent_by_run_button(block),
            "use clocks::VectorClock;\nfn main() {\n    let x = 1;\n    println!(\"{x}\");\n\n}"
        );
    }

    #[test]
    fn attributes_and_escaped_hashes_survive() {
        assert_eq!(unhide("#[derive(Debug)]"), "#[derive(Debug)]");
        assert_eq!(unhide("##[derive(Debug)]"), "#[derive(Debug)]");
        assert_eq!(unhide("    # let y = 2;"), "    let y = 2;");
    }

    #[test]
    fn only_runnable_rust_blocks_are_collected() {
        let md = "# T\n\n```rust,editable\nfn main() {}\n```\n\n```rust,ignore\nnot run\n```\n\n```toml\na = 1\n```\n\n```rust,should_panic\nfn main() { panic!() }\n```\n";
        let snippets = extract_from(Path::new("a.md"), md, "2021");
        assert_eq!(snippets.len(), 2);
        assert_eq!(snippets[0].line, 3);
        assert_eq!(snippets[0].expect, Expectation::Success);
        assert_eq!(snippets[1].expect, Expectation::Panic);
    }

    #[test]
    fn an_output_block_right_after_a_snippet_is_its_output() {
        let md = "```rust\nfn main() { println!(\"1\"); }\n```\n\n```output\n1\n```\n\n```rust\nfn main() {}\n```\n\nText.\n\n```output\nnot this one's\n```\n";
        let snippets = extract_from(Path::new("a.md"), md, "2021");
        assert_eq!(
            snippets[0].output,
            Some(ExpectedOutput {
                line: 5,
                text: "1\n".into()
            })
        );
        assert_eq!(
            snippets[1].output, None,
            "a paragraph in between breaks the pairing"
        );
    }

    #[test]
    fn code_without_main_is_wrapped_like_mdbook_does() {
        let sent = as_sent_by_run_button("println!(\"hi\");\n");
        assert_eq!(sent, "#![allow(unused)]\nfn main() {\nprintln!(\"hi\");\n}");
    }
}

//! The `mdbook-dsip` preprocessor: turns the course's directives (fenced code blocks whose info string
//! is `module`, `framework`, `postmortem`, `ladder`, `when-not`, `viz`, `check`, `crate` or
//! `curriculum`, with a TOML body) into HTML. ARCHITECTURE.md section 1 is the contract; CONTRIBUTING.md
//! shows every directive with an example.
//!
//! There are two ways in, both running the same code: [`Dsip`] is the `Preprocessor` that
//! `cargo xtask` registers in-process, and the `mdbook-dsip` binary speaks the command-preprocessor
//! protocol for the stock `mdbook` CLI. [`expand`] is the pure function underneath, for tests.

mod directives;
mod errors;
mod fields;
mod render;
mod scan;

use std::path::Path;

use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

pub use errors::{BookErrors, DirectiveError};

/// Expands every directive in one chapter's Markdown.
///
/// `chapter_path` is the chapter's path relative to the book's `src/` directory: relative links (a
/// curriculum card's `link`) are computed from its depth, and errors name it. Everything outside the
/// directive blocks comes back byte for byte; each block is replaced by its HTML. When any directive is
/// wrong, nothing is expanded and every problem in the chapter is returned.
pub fn expand(source: &str, chapter_path: &Path) -> Result<String, Vec<DirectiveError>> {
    let page = directives::Page { path: chapter_path };
    let mut expanded = String::with_capacity(source.len() * 2);
    let mut errors = Vec::new();
    let mut copied_up_to = 0;
    for block in scan::directive_blocks(source) {
        match directives::render(&block, &page) {
            Ok(html) => {
                expanded.push_str(&source[copied_up_to..block.span.start]);
                expanded.push_str(&fit_into_place(&html, &block, source));
                copied_up_to = block.span.end;
            }
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    expanded.push_str(&source[copied_up_to..]);
    Ok(expanded)
}

/// Makes the HTML a valid CommonMark HTML block where the fence stood: continuation lines carry the
/// container prefix (so a directive in a list item or block quote stays there), the block ends where
/// the fence's block ended, and a separating line is added when text follows at once (an HTML block
/// runs until a blank line, so it would otherwise swallow the next paragraph).
fn fit_into_place(html: &str, block: &scan::Block, source: &str) -> String {
    let mut placed = String::with_capacity(html.len());
    for (index, line) in html.lines().enumerate() {
        if index > 0 {
            placed.push('\n');
            placed.push_str(&block.continuation);
        }
        placed.push_str(line);
    }
    // pulldown-cmark's span ends after the closing fence, usually before its newline.
    let span_ends_line = source[block.span.clone()].ends_with('\n');
    if span_ends_line {
        placed.push('\n');
    }
    let after = &source[block.span.end..];
    let next_line = if span_ends_line {
        Some(after)
    } else {
        after.strip_prefix('\n')
    }
    .and_then(|rest| rest.split('\n').next())
    .filter(|line| {
        !line
            .trim_matches(|c: char| c == '>' || c.is_whitespace())
            .is_empty()
    });
    if next_line.is_some() {
        let separator = block.continuation.trim_end();
        if span_ends_line {
            placed.push_str(separator);
            placed.push('\n');
        } else {
            placed.push('\n');
            placed.push_str(separator);
        }
    }
    placed
}

/// The preprocessor mdBook runs: `MDBook::with_preprocessor(Dsip)` in xtask, or the `mdbook-dsip`
/// binary through `[preprocessor.dsip]` in book.toml. Both report every directive error of the book at
/// once, each as `file:line: ...`, and fail the build.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dsip;

impl Dsip {
    /// The name in book.toml (`[preprocessor.dsip]`); registering `Dsip` in-process replaces that command.
    pub const NAME: &'static str = "dsip";
}

impl Preprocessor for Dsip {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(
        &self,
        ctx: &PreprocessorContext,
        mut book: Book,
    ) -> mdbook_preprocessor::errors::Result<Book> {
        let src = ctx.config.book.src.clone();
        let mut errors = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            let Some(path) = chapter.path.clone() else {
                return;
            };
            match expand(&chapter.content, &path) {
                Ok(expanded) => chapter.content = expanded,
                Err(problems) => {
                    let file = src.join(chapter.source_path.as_ref().unwrap_or(&path));
                    errors.extend(problems.into_iter().map(|problem| DirectiveError {
                        file: file.clone(),
                        ..problem
                    }));
                }
            }
        });
        if errors.is_empty() {
            Ok(book)
        } else {
            Err(BookErrors(errors).into())
        }
    }

    /// Directives render to HTML, so only the HTML renderer can use them.
    fn supports_renderer(&self, renderer: &str) -> mdbook_preprocessor::errors::Result<bool> {
        Ok(renderer == "html")
    }
}

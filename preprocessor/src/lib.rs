//! The `mdbook-dsip` preprocessor: turns the course's directives (fenced code blocks whose info string
//! is `module`, `framework`, `postmortem`, `ladder`, `when-not`, `viz`, `check`, `crate` or
//! `curriculum`, with a TOML body) into HTML. ARCHITECTURE.md section 1 is the contract; CONTRIBUTING.md
//! shows every directive with an example.
//!
//! There are two ways in, both running the same code: [`Dsip`] is the `Preprocessor` that
//! `cargo xtask` registers in-process, and the `mdbook-dsip` binary speaks the command-preprocessor
//! protocol for the stock `mdbook` CLI. [`expand`] is the pure function underneath, for tests.

mod anchors;
mod course;
mod directives;
mod errors;
mod fields;
mod html_check;
mod kind;
mod lines;
mod relink;
mod render;
mod scan;

use std::cell::Cell;
use std::collections::HashSet;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

pub use course::BookChapter;
pub use errors::{BookErrors, DirectiveError};

use course::Course;

/// Every directive's info string, in the order CONTRIBUTING.md documents them. Tools that must tell
/// a directive from an ordinary code block (xtask's course check, this crate's tests) ask here, so a
/// new directive is known everywhere the day it is added.
pub fn directive_names() -> impl Iterator<Item = &'static str> + Clone {
    kind::Kind::ALL.into_iter().map(kind::Kind::name)
}

use kind::Kind;
use lines::{first_line, leading_line_ending, trailing_line_ending, Lines};
use scan::Block;

/// Expands every directive in one chapter's Markdown.
///
/// `chapter_path` is the chapter's path relative to the book's `src/` directory: relative links (a
/// curriculum card's `link`) are computed from its depth, and errors name it. Everything outside the
/// directive blocks comes back byte for byte; each block is replaced by its HTML. When any directive is
/// wrong, nothing is expanded and every problem in the chapter is returned.
///
/// Without the rest of the book, a curriculum `link` is checked for its form only; [`expand_in_book`]
/// also checks that it names a chapter.
pub fn expand(source: &str, chapter_path: &Path) -> Result<String, Vec<DirectiveError>> {
    let course = alone(source, chapter_path);
    expand_guarded(source, chapter_path, None, &course, directives::render)
}

/// The course as a chapter alone sees it: its own frameworks, ladders, terms and module.
fn alone(source: &str, chapter_path: &Path) -> Course {
    Course::gather(&[BookChapter {
        path: chapter_path.to_path_buf(),
        name: course::title_from_source(source),
        source: source.to_string(),
    }])
}

/// Expands every chapter of a book, each knowing the whole book: the frameworks sheet lists every
/// framework, "Where you sit" every ladder, and term links find the glossary wherever it is. Paths
/// are relative to `src/`; the results are in the order of `chapters`.
pub fn expand_book(chapters: &[BookChapter]) -> Vec<Result<String, Vec<DirectiveError>>> {
    let course = Course::gather(chapters);
    let paths: HashSet<PathBuf> = chapters
        .iter()
        .map(|chapter| chapter.path.clone())
        .collect();
    chapters
        .iter()
        .map(|chapter| {
            expand_guarded(
                &chapter.source,
                &chapter.path,
                Some(&paths),
                &course,
                directives::render,
            )
        })
        .collect()
}

/// [`expand`], knowing the book's chapters (paths relative to `src/`, as SUMMARY.md links them), so a
/// curriculum `link` to a chapter that does not exist is an error instead of a dead link.
pub fn expand_in_book(
    source: &str,
    chapter_path: &Path,
    chapters: &HashSet<PathBuf>,
) -> Result<String, Vec<DirectiveError>> {
    let course = alone(source, chapter_path);
    expand_guarded(
        source,
        chapter_path,
        Some(chapters),
        &course,
        directives::render,
    )
}

/// How one directive block is rendered: [`directives::render`], or a stand-in in tests.
type RenderFn = fn(&Block, &directives::Page<'_>) -> Result<String, Vec<DirectiveError>>;

/// Runs the expansion under `catch_unwind`: a bug in this crate becomes a located error naming the
/// directive it was rendering, never a backtrace that leaves the contributor without a file or line.
fn expand_guarded(
    source: &str,
    chapter_path: &Path,
    chapters: Option<&HashSet<PathBuf>>,
    course: &Course,
    render: RenderFn,
) -> Result<String, Vec<DirectiveError>> {
    let current: Cell<Option<(Kind, usize)>> = Cell::new(None);
    let page = directives::Page {
        path: chapter_path,
        chapters,
        course,
    };
    let expanded = panic::catch_unwind(AssertUnwindSafe(|| {
        expand_chapter(source, &page, &current, render)
    }));
    expanded.unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let (directive, line) = current
            .get()
            .map_or(("mdbook-dsip", 1), |(kind, line)| (kind.name(), line));
        Err(vec![DirectiveError {
            file: chapter_path.to_path_buf(),
            line,
            directive: directive.to_string(),
            field: None,
            problem: format!("internal error in the preprocessor ({reason})"),
            fix: "this is a bug in mdbook-dsip, not in the chapter: please report it with this \
                  directive; until it is fixed, changing the directive's fields may avoid it"
                .to_string(),
        }])
    })
}

fn expand_chapter(
    source: &str,
    page: &directives::Page<'_>,
    current: &Cell<Option<(Kind, usize)>>,
    render: RenderFn,
) -> Result<String, Vec<DirectiveError>> {
    let lines = Lines::new(source);
    let scan = scan::scan(source, &lines);
    // Problems grouped by the line of the block they belong to, reported in document order.
    let mut problems: Vec<(usize, Vec<DirectiveError>)> = scan
        .near_misses
        .iter()
        .map(|miss| {
            let error = DirectiveError {
            file: page.path.to_path_buf(),
            line: miss.line,
            directive: miss.kind.name().to_string(),
            field: None,
            problem: format!(
                "the info string `{}` is not a directive's name (names are exact and lowercase)",
                miss.info
            ),
            fix: format!(
                "did you mean `{0}`? write ```{0} on the opening fence; to show TOML as code, write ```toml",
                    miss.kind.name()
                ),
            };
            (miss.line, vec![error])
        })
        .collect();
    // What replaces which bytes of the chapter: directive blocks and term links, in document order.
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut anchors = anchors::Anchors::default();
    for block in &scan.blocks {
        current.set(Some((block.kind, block.fence_line)));
        if !block.closed {
            let fence_char = source[block.span.start..].chars().next().unwrap_or('`');
            let fence: String = source[block.span.start..]
                .chars()
                .take_while(|&c| c == fence_char)
                .collect();
            problems.push((block.fence_line, vec![unclosed(block, &fence, page.path)]));
            continue;
        }
        match render(block, page) {
            Ok(html) => {
                let mut clashes = Vec::new();
                anchors.add(block, &html, page.path, &mut clashes);
                problems.push((block.fence_line, clashes));
                replacements.push((block.span.clone(), fit_into_place(&html, block, source)));
            }
            Err(errors) => problems.push((block.fence_line, errors)),
        }
    }
    current.set(None);
    for (index, link) in scan.term_links.iter().enumerate() {
        if link.in_heading {
            problems.push((
                link.line,
                vec![DirectiveError {
                    file: page.path.to_path_buf(),
                    line: link.line,
                    directive: "glossary".to_string(),
                    field: None,
                    problem: format!(
                        "the term link `term:{}` is in a heading, whose text becomes its anchor",
                        link.slug
                    ),
                    fix:
                        "write the term as plain text in the heading and link it in the prose below"
                            .to_string(),
                }],
            ));
            continue;
        }
        let tip = format!("term-tip-{}", index + 1);
        match directives::glossary::term_link(&link.slug, &link.text_html, &tip, link.line, page) {
            Ok(html) => replacements.push((link.span.clone(), html)),
            Err(error) => problems.push((link.line, vec![*error])),
        }
    }
    for (line, error) in anchors.clash_with_headings(&scan.headings, page.path) {
        problems.push((line, vec![error]));
    }
    problems.sort_by_key(|(line, _)| *line);
    let errors: Vec<DirectiveError> = problems
        .into_iter()
        .flat_map(|(_, errors)| errors)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    replacements.sort_by_key(|(span, _)| span.start);
    let mut expanded = String::with_capacity(source.len() * 2);
    let mut copied_up_to = 0;
    for (span, html) in replacements {
        expanded.push_str(&source[copied_up_to..span.start]);
        expanded.push_str(&html);
        copied_up_to = span.end;
    }
    expanded.push_str(&source[copied_up_to..]);
    Ok(expanded)
}

/// A directive whose closing fence is missing swallows the rest of its container (often the whole
/// chapter); say so at the fence instead of reporting the prose as broken TOML.
fn unclosed(block: &Block, fence: &str, file: &Path) -> DirectiveError {
    DirectiveError {
        file: file.to_path_buf(),
        line: block.fence_line,
        directive: block.kind.name().to_string(),
        field: None,
        problem: format!(
            "the fence that closes the directive opened at line {} is missing",
            block.fence_line
        ),
        fix: format!(
            "end the directive with a line holding {fence} (the same fence as its opening line) \
             right after its last field"
        ),
    }
}

/// Makes the HTML a valid CommonMark HTML block where the fence stood: continuation lines carry the
/// container prefix (so a directive in a list item or block quote stays there) and the chapter's own
/// line ending, the block ends where the fence's block ended, and a separating line is added when text
/// follows at once (an HTML block runs until a blank line, so it would otherwise swallow the next line).
fn fit_into_place(html: &str, block: &Block, source: &str) -> String {
    let newline = block.newline;
    let mut placed = String::with_capacity(html.len());
    for (index, line) in html.lines().enumerate() {
        if index > 0 {
            placed.push_str(newline);
            placed.push_str(&block.continuation);
        }
        placed.push_str(line);
    }
    // pulldown-cmark's span ends after the closing fence, usually before its line ending.
    let span_ending = trailing_line_ending(&source[block.span.clone()]);
    if let Some(ending) = span_ending {
        placed.push_str(ending);
    }
    let after = &source[block.span.end..];
    let next_line = match span_ending {
        Some(_) => Some(after),
        None => leading_line_ending(after).map(|ending| &after[ending.len()..]),
    }
    .filter(|rest| !rest.is_empty())
    .map(first_line)
    .filter(|line| !scan::is_blank_within(line, block.quote_depth));
    if next_line.is_some() {
        let separator = block.continuation.trim_end();
        if span_ending.is_some() {
            placed.push_str(separator);
            placed.push_str(newline);
        } else {
            placed.push_str(newline);
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
        let mut chapters = Vec::new();
        let mut sources = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            if let Some(path) = chapter.path.clone() {
                sources.push(src.join(chapter.source_path.as_ref().unwrap_or(&path)));
                chapters.push(BookChapter {
                    path,
                    name: chapter.name.clone(),
                    source: chapter.content.clone(),
                });
            }
        });
        let mut results = expand_book(&chapters).into_iter().zip(sources);
        let mut errors = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            if chapter.path.is_none() {
                return;
            }
            let Some((result, file)) = results.next() else {
                return;
            };
            match result {
                Ok(expanded) => chapter.content = expanded,
                Err(problems) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn panicking_render(
        _: &Block,
        _: &directives::Page<'_>,
    ) -> Result<String, Vec<DirectiveError>> {
        panic!("index out of bounds: the len is 1 but the index is 2")
    }

    #[test]
    fn a_panic_becomes_a_located_internal_error() {
        let source = "Intro.\n\n```viz\nid = \"v\"\n```\n";
        let errors = expand_guarded(
            source,
            Path::new("ch.md"),
            None,
            &Course::default(),
            panicking_render,
        )
        .expect_err("the panic is reported");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "ch.md:3: viz directive: internal error in the preprocessor (index out of bounds: the len is 1 \
             but the index is 2); this is a bug in mdbook-dsip, not in the chapter: please report it with this \
             directive; until it is fixed, changing the directive's fields may avoid it"
        );
    }
}

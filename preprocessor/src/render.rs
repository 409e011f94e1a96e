//! HTML output helpers shared by every directive: escaping, an indenting element writer that cannot
//! leave a tag open, and Markdown rendering for *md* fields.
//!
//! Two rules of the HTML contract live here so no directive can break them: the output has no blank
//! line (CommonMark ends a raw HTML block at one, and the rest would be parsed as Markdown), and every
//! tag that is opened is closed (mdBook 0.5 parses raw HTML and warns on unbalanced tags).

use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use crate::relink::Moved;
use crate::scan::mdbook_options;

/// Escapes text for element content and for attribute values in either quote style.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a value for a single-quoted attribute, leaving `"` readable (JSON in `data-params`).
pub(crate) fn escape_single_quoted(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

/// Escapes the content of a `<pre>`, encoding newlines so a blank line of code cannot end the HTML block.
pub(crate) fn escape_pre(text: &str) -> String {
    escape(text).replace('\n', "&#10;")
}

/// Writes indented HTML, one tag a line, keeping the stack of open tags so `close` always matches.
pub(crate) struct Html {
    out: String,
    open: Vec<&'static str>,
}

impl Html {
    pub(crate) fn new() -> Self {
        Html {
            out: String::new(),
            open: Vec::new(),
        }
    }

    fn line(&mut self, content: &str) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
        self.out.push_str(content);
        self.out.push('\n');
    }

    /// Opens `tag` on its own line; everything written until the matching `close` is indented inside it.
    pub(crate) fn open(&mut self, tag: &'static str, attrs: &[(&str, &str)]) -> &mut Self {
        self.line(&start_tag(tag, attrs));
        self.open.push(tag);
        self
    }

    /// Opens `tag` with a start tag written by the caller, for the one attribute style `start_tag` does
    /// not produce (the viz figure's single-quoted JSON).
    pub(crate) fn open_verbatim(&mut self, tag: &'static str, start_tag: &str) -> &mut Self {
        self.line(start_tag);
        self.open.push(tag);
        self
    }

    /// Closes the innermost open tag.
    pub(crate) fn close(&mut self) -> &mut Self {
        let tag = self.open.pop().expect("close() without a matching open()");
        self.line(&format!("</{tag}>"));
        self
    }

    /// One element on one line whose content is already HTML (inline Markdown, a nested fragment).
    pub(crate) fn element(
        &mut self,
        tag: &'static str,
        attrs: &[(&str, &str)],
        inner_html: &str,
    ) -> &mut Self {
        let line = format!("{}{inner_html}</{tag}>", start_tag(tag, attrs));
        self.raw(&line)
    }

    /// One element on one line whose content is plain text.
    pub(crate) fn text(
        &mut self,
        tag: &'static str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> &mut Self {
        self.element(tag, attrs, &escape(text))
    }

    /// Block-level HTML (rendered Markdown): indented line by line, blank lines dropped.
    pub(crate) fn raw(&mut self, html: &str) -> &mut Self {
        for line in html.lines().filter(|line| !line.trim().is_empty()) {
            self.line(line);
        }
        self
    }

    pub(crate) fn finish(self) -> String {
        assert!(self.open.is_empty(), "unclosed tags: {:?}", self.open);
        self.out
    }
}

fn start_tag(tag: &str, attrs: &[(&str, &str)]) -> String {
    let mut out = format!("<{tag}");
    for (name, value) in attrs {
        out.push_str(&format!(" {name}=\"{}\"", escape(value)));
    }
    out.push('>');
    out
}

/// Why a Markdown field cannot be rendered where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkdownProblem {
    /// Headings would break the page outline (the card already has its heading), so we refuse them.
    Heading,
    /// An inline field (a thesis, a question) holds more than one paragraph, a list or a table.
    NotInline,
}

/// Renders an *md* field as block HTML. `scope` makes footnote ids unique on the page; `moved`,
/// when the field is shown on another page than its own, rewrites its relative links for that page.
pub(crate) fn markdown_block(
    source: &str,
    scope: &str,
    moved: Option<Moved<'_>>,
) -> Result<String, MarkdownProblem> {
    let events = markdown_events(source, scope, moved)?;
    Ok(to_html(events))
}

/// Renders an *md* field that sits inside a heading, summary or label: one paragraph, without its `<p>`.
pub(crate) fn markdown_inline(
    source: &str,
    scope: &str,
    moved: Option<Moved<'_>>,
) -> Result<String, MarkdownProblem> {
    let events = markdown_events(source, scope, moved)?;
    let single_paragraph = matches!(events.first(), Some(Event::Start(Tag::Paragraph)))
        && events
            .iter()
            .filter(|event| matches!(event, Event::End(TagEnd::Paragraph)))
            .count()
            == 1
        && matches!(events.last(), Some(Event::End(TagEnd::Paragraph)));
    match events.len() {
        0 => Ok(String::new()),
        len if single_paragraph => Ok(to_html(events[1..len - 1].to_vec()).trim_end().to_string()),
        _ => Err(MarkdownProblem::NotInline),
    }
}

/// Renders an *md* field inline when it is one paragraph, and as blocks when it is more (a figure
/// caption can be one sentence or a set of numbered steps).
pub(crate) fn markdown_inline_or_block(
    source: &str,
    scope: &str,
    moved: Option<Moved<'_>>,
) -> Result<String, MarkdownProblem> {
    match markdown_inline(source, scope, moved) {
        Err(MarkdownProblem::NotInline) => markdown_block(source, scope, moved),
        other => other,
    }
}

fn to_html(events: Vec<Event<'_>>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Parses `source` and rewrites the events whose stock rendering would break the HTML contract: code
/// blocks (their blank lines), footnotes (their ids, which would clash between fields on one page)
/// and, for a field shown away from its chapter, relative links.
fn markdown_events<'a>(
    source: &'a str,
    scope: &str,
    moved: Option<Moved<'_>>,
) -> Result<Vec<Event<'a>>, MarkdownProblem> {
    let mut footnotes = FootnoteIds::new(scope);
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(source, mdbook_options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => return Err(MarkdownProblem::Heading),
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([',', ' ']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                code.as_mut().expect("checked").1.push_str(&text)
            }
            Event::End(TagEnd::CodeBlock) => {
                let (language, text) = code.take().expect("code block end without start");
                events.push(Event::Html(code_block(&language, &text).into()));
            }
            Event::FootnoteReference(label) => {
                events.push(Event::InlineHtml(footnotes.reference(&label).into()))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                events.push(Event::Html(footnotes.definition_start(&label).into()))
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                events.push(Event::Html(CowStr::from("</div>\n")))
            }
            // A checklist in a card is for reading and printing, not for filling in: pulldown-cmark's
            // disabled `<input>` has no label (axe-core rates that critical), so draw the box instead.
            Event::TaskListMarker(done) => events.push(Event::InlineHtml(task_box(done).into())),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                events.push(Event::Start(relinked(tag, moved)))
            }
            other => events.push(other),
        }
    }
    Ok(events)
}

/// A link or image whose relative URL is rewritten for the page that shows the field.
fn relinked<'a>(tag: Tag<'a>, moved: Option<Moved<'_>>) -> Tag<'a> {
    let Some(moved) = moved else { return tag };
    let rebase = |url: CowStr<'a>| moved.rebase(&url).map_or(url, CowStr::from);
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type,
            dest_url: rebase(dest_url),
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: rebase(dest_url),
            title,
            id,
        },
        other => other,
    }
}

fn task_box(done: bool) -> &'static str {
    if done {
        "<span class=\"dsip-task-box\" role=\"img\" aria-label=\"done\">☑</span> "
    } else {
        "<span class=\"dsip-task-box\" role=\"img\" aria-label=\"to do\">☐</span> "
    }
}

fn code_block(language: &str, text: &str) -> String {
    let class = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(language))
    };
    format!(
        "<pre><code{class}>{}</code></pre>\n",
        escape_pre(text.strip_suffix('\n').unwrap_or(text))
    )
}

/// Footnote ids scoped to one field, numbered in order of first appearance.
struct FootnoteIds<'s> {
    scope: &'s str,
    numbers: HashMap<String, usize>,
}

impl<'s> FootnoteIds<'s> {
    fn new(scope: &'s str) -> Self {
        FootnoteIds {
            scope,
            numbers: HashMap::new(),
        }
    }

    fn number(&mut self, label: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(label.to_string()).or_insert(next)
    }

    fn id(&self, label: &str) -> String {
        let label: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{}-fn-{label}", self.scope)
    }

    fn reference(&mut self, label: &str) -> String {
        let number = self.number(label);
        let id = self.id(label);
        format!("<sup class=\"footnote-reference\" id=\"{id}-ref\"><a href=\"#{id}\">{number}</a></sup>")
    }

    fn definition_start(&mut self, label: &str) -> String {
        let number = self.number(label);
        let id = self.id(label);
        format!("<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{number}</sup>\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_both_quote_styles() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn code_blocks_in_markdown_keep_no_blank_line() {
        let html = markdown_block("```rust\nfn a() {}\n\nfn b() {}\n```\n", "s", None).unwrap();
        assert_eq!(
            html,
            "<pre><code class=\"language-rust\">fn a() {}&#10;&#10;fn b() {}</code></pre>\n"
        );
    }

    #[test]
    fn inline_markdown_drops_the_paragraph() {
        assert_eq!(
            markdown_inline("Count *before* you `retry`.", "s", None).unwrap(),
            "Count <em>before</em> you <code>retry</code>."
        );
        assert_eq!(
            markdown_inline("One.\n\nTwo.", "s", None),
            Err(MarkdownProblem::NotInline)
        );
        assert_eq!(
            markdown_inline("- a list", "s", None),
            Err(MarkdownProblem::NotInline)
        );
    }

    #[test]
    fn headings_are_refused() {
        assert_eq!(
            markdown_block("Text\n\n## Sub", "s", None),
            Err(MarkdownProblem::Heading)
        );
    }

    #[test]
    fn tables_tasklists_strikethrough_and_scoped_footnotes_render() {
        let html = markdown_block(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] ~~old~~ done[^n]\n\n[^n]: Source.\n",
            "framework-x-body",
            None,
        )
        .unwrap();
        assert!(html.contains("<table>"), "{html}");
        // A task box a screen reader can name, not an unlabelled disabled checkbox.
        assert!(
            html.contains("role=\"img\" aria-label=\"done\">☑</span> <del>old</del>"),
            "{html}"
        );
        assert!(!html.contains("<input"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("href=\"#framework-x-body-fn-n\""), "{html}");
        assert!(html.contains("id=\"framework-x-body-fn-n\""), "{html}");
    }

    #[test]
    fn writer_indents_and_closes() {
        let mut html = Html::new();
        html.open("section", &[("class", "a\"b")])
            .text("h3", &[], "x < y")
            .close();
        assert_eq!(
            html.finish(),
            "<section class=\"a&quot;b\">\n  <h3>x &lt; y</h3>\n</section>\n"
        );
    }
}

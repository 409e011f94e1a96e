//! Finding directive blocks in a chapter.
//!
//! We let pulldown-cmark find fenced code blocks (with byte offsets) instead of matching fences by hand:
//! a directive inside a list or a block quote is still found, a fence inside another code block is not,
//! and a code block that merely mentions a directive name is left alone. The containers a block sits
//! in (block quotes, list items, footnote definitions) also come from pulldown-cmark, so the HTML put
//! back in its place continues exactly those containers, whatever other characters share the line.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::fields::kebab_case;
use crate::kind::Kind;
use crate::lines::{first_line, first_line_ending, Lines};
use crate::render::escape;

/// A fenced code block whose info string is a directive name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: Kind,
    /// Bytes of the chapter the rendered HTML replaces: the opening fence to the end of the closing one
    /// (usually without its line ending).
    pub span: Range<usize>,
    /// The TOML body with container prefixes (`> `, list indentation) already removed.
    pub body: String,
    /// 1-based line of the opening fence; body line `n` (0-based) is chapter line `fence_line + 1 + n`.
    pub fence_line: usize,
    /// What to put before every line of the HTML after the first so it stays inside the same list item,
    /// block quote or footnote definition as the fence was.
    pub continuation: String,
    /// How many block quotes the fence sits in: a line holding only that many `>` is blank there.
    pub quote_depth: usize,
    /// The chapter's line ending at the fence (`\n`, `\r\n` or `\r`), used for the HTML put back.
    pub newline: &'static str,
    /// Whether a closing fence ends the block; without one it runs to the end of its container.
    pub closed: bool,
}

/// A fenced block whose info string is not a directive but looks like one was meant (`framwork`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NearMiss {
    /// The directive it is closest to.
    pub kind: Kind,
    /// The info string as written.
    pub info: String,
    /// 1-based line of the fence.
    pub line: usize,
}

/// Everything the scan finds in a chapter.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Directive blocks in document order.
    pub blocks: Vec<Block>,
    /// Code blocks whose info string is a near miss of a directive's name.
    pub near_misses: Vec<NearMiss>,
    /// The ids mdBook will give the chapter's Markdown headings, with their lines.
    pub headings: Vec<(String, usize)>,
    /// Term links in the prose (`[quorum](term:)`), in document order.
    pub term_links: Vec<TermLink>,
}

/// A Markdown link to a glossary term: `[text](term:slug)`, or `[text](term:)` when the text is the term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TermLink {
    /// Bytes of the chapter the link covers, `[` to `)`.
    pub span: Range<usize>,
    /// The term's key: the slug after `term:`, or the link text in kebab-case.
    pub slug: String,
    /// The link text as inline HTML (text and `code`, escaped).
    pub text_html: String,
    /// 1-based line of the link.
    pub line: usize,
    /// Whether it sits in a heading (where a definition would become part of the heading's id).
    pub in_heading: bool,
}

/// The parser options mdBook 0.5 uses by default, so we see the same block structure it will.
pub(crate) fn mdbook_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// A container a block can sit in, with the byte offset where pulldown-cmark says it starts.
#[derive(Debug, Clone, Copy)]
enum Container {
    Quote,
    /// A list item or a definition-list definition: continued by indentation.
    Item(usize),
    /// A footnote definition: continued by four spaces of indentation.
    Footnote(usize),
}

/// Every directive block of `source`, in document order, and the near misses.
pub(crate) fn scan(source: &str, lines: &Lines) -> Scan {
    let mut scan = Scan::default();
    let mut containers: Vec<Container> = Vec::new();
    let mut current: Option<Block> = None;
    let mut heading: Option<(String, usize)> = None;
    let mut heading_ids = HashSet::new();
    let mut in_heading = false;
    let mut term_link: Option<(TermLink, String)> = None;
    for (event, range) in Parser::new_ext(source, mdbook_options()).into_offset_iter() {
        if let Some((link, text)) = term_link.as_mut() {
            match &event {
                Event::Text(part) => {
                    text.push_str(part);
                    link.text_html.push_str(&escape(part));
                }
                Event::Code(part) => {
                    text.push_str(part);
                    link.text_html
                        .push_str(&format!("<code>{}</code>", escape(part)));
                }
                Event::End(TagEnd::Link) => {
                    let (mut link, text) = term_link.take().expect("checked");
                    if link.slug.is_empty() {
                        link.slug = kebab_case(&text);
                    }
                    scan.term_links.push(link);
                    continue;
                }
                _ => {}
            }
        }
        match &event {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(slug) = dest_url.strip_prefix("term:") {
                    term_link = Some((
                        TermLink {
                            span: range.clone(),
                            slug: slug.trim().to_string(),
                            text_html: String::new(),
                            line: lines.line_of(range.start),
                            in_heading,
                        },
                        String::new(),
                    ));
                }
            }
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                let line = lines.line_of(range.start);
                match id {
                    // An explicit `{#id}` is used as written.
                    Some(id) => scan.headings.push((id.to_string(), line)),
                    None => heading = Some((String::new(), line)),
                }
            }
            Event::Text(text) | Event::Code(text) if heading.is_some() => {
                if let Some((content, _)) = heading.as_mut() {
                    content.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((content, line)) = heading.take() {
                    let id = unique_id(id_from_content(&content), &mut heading_ids);
                    scan.headings.push((id, line));
                }
            }
            Event::Start(Tag::BlockQuote(_)) => containers.push(Container::Quote),
            Event::Start(Tag::Item | Tag::DefinitionListDefinition) => {
                containers.push(Container::Item(range.start))
            }
            Event::Start(Tag::FootnoteDefinition(_)) => {
                containers.push(Container::Footnote(range.start))
            }
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::Item
                | TagEnd::DefinitionListDefinition
                | TagEnd::FootnoteDefinition,
            ) => {
                containers.pop();
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let fence_line = lines.line_of(range.start);
                match Kind::from_info(&info) {
                    Some(kind) => {
                        let line_start = lines.start_of_line_at(range.start);
                        current = Some(Block {
                            kind,
                            span: range.clone(),
                            body: String::new(),
                            fence_line,
                            continuation: continuation(
                                &source[line_start..range.start],
                                line_start,
                                &containers,
                            ),
                            quote_depth: containers
                                .iter()
                                .filter(|container| matches!(container, Container::Quote))
                                .count(),
                            newline: first_line_ending(&source[range.start..]),
                            closed: is_closed(&source[range.clone()]),
                        });
                    }
                    None => scan
                        .near_misses
                        .extend(Kind::near_miss(&info).map(|kind| NearMiss {
                            kind,
                            info: info.to_string(),
                            line: fence_line,
                        })),
                }
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => scan.blocks.extend(current.take()),
            _ => {}
        }
    }
    scan
}

/// The id mdBook 0.5 derives from a heading's text (mdbook-html's `id_from_content`): lowercase,
/// alphanumerics, `_` and `-` kept, whitespace turned into `-`, everything else dropped.
fn id_from_content(content: &str) -> String {
    content
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// mdBook's `unique_id`: a repeated heading id gets `-1`, `-2`, ... appended.
fn unique_id(id: String, used: &mut HashSet<String>) -> String {
    if used.insert(id.clone()) {
        return id;
    }
    (1..)
        .map(|counter| format!("{id}-{counter}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("some suffix is free")
}

/// Whether the block's last line is a fence that closes its opening one: the same character, at
/// least as many times. pulldown-cmark lets an unclosed block run to the end of its container.
fn is_closed(span_text: &str) -> bool {
    let fence_char = span_text.chars().next().unwrap_or('`');
    let opening = span_text.chars().take_while(|&c| c == fence_char).count();
    let text = span_text.trim_end_matches(['\n', '\r']);
    if first_line(text).len() == text.len() {
        return false;
    }
    let last_line = text.rsplit(['\n', '\r']).next().unwrap_or("");
    let last_line = last_line
        .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
        .trim_end();
    last_line.len() >= opening && last_line.chars().all(|c| c == fence_char)
}

/// The prefix that continues the fence's containers on later lines, read from the text before the
/// fence on its own line, one container at a time: a block-quote marker is kept, a list marker or
/// footnote label becomes the indentation that continues its item. Characters that are not a
/// container's marker (a `>` inside a footnote label, say) never become one.
fn continuation(before_fence: &str, line_start: usize, containers: &[Container]) -> String {
    let mut prefix = String::new();
    let mut rest = before_fence;
    let whitespace = |text: &str| text.len() - text.trim_start().len();
    for container in containers {
        let consumed = rest.len() - rest.trim_start().len();
        let offset = line_start + (before_fence.len() - rest.len());
        match *container {
            Container::Quote => {
                let indent = whitespace(rest);
                match rest[indent..].strip_prefix('>') {
                    Some(after) => {
                        prefix.push_str(&rest[..indent]);
                        prefix.push('>');
                        rest = match after.strip_prefix([' ', '\t']) {
                            Some(after_space) => {
                                prefix.push(' ');
                                after_space
                            }
                            None => after,
                        };
                    }
                    None => {
                        // A fence cannot be a lazy continuation line, so this does not happen;
                        // keep the marker anyway so the HTML stays inside the quote.
                        prefix.push_str("> ");
                    }
                }
            }
            Container::Item(start) if (offset..offset + rest.len()).contains(&start) => {
                let marker_start = start - offset;
                let marker_len = rest[marker_start..]
                    .find(char::is_whitespace)
                    .unwrap_or(rest.len() - marker_start);
                let after_marker = marker_start + marker_len;
                let end = after_marker + whitespace(&rest[after_marker..]);
                prefix.extend(rest[..end].chars().map(blank));
                rest = &rest[end..];
            }
            Container::Footnote(start) if (offset..offset + rest.len()).contains(&start) => {
                let label_end = rest[start - offset..]
                    .find("]:")
                    .map_or(rest.len(), |at| start - offset + at + 2);
                let end = label_end + whitespace(&rest[label_end..]);
                prefix.push_str("    ");
                rest = &rest[end..];
            }
            Container::Item(_) | Container::Footnote(_) => {
                prefix.push_str(&rest[..consumed]);
                rest = &rest[consumed..];
            }
        }
    }
    prefix.extend(rest.chars().map(blank));
    prefix
}

/// A character of a container prefix turned into the indentation that stands for it.
fn blank(c: char) -> char {
    if c.is_whitespace() {
        c
    } else {
        ' '
    }
}

/// Whether `line` (without its ending) is blank inside `quote_depth` block quotes.
pub(crate) fn is_blank_within(line: &str, quote_depth: usize) -> bool {
    let mut rest = line;
    for _ in 0..quote_depth {
        let trimmed = rest.trim_start();
        rest = trimmed.strip_prefix('>').unwrap_or(trimmed);
    }
    rest.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(source: &str) -> Vec<Block> {
        scan(source, &Lines::new(source)).blocks
    }

    #[test]
    fn finds_a_top_level_directive_with_its_exact_span() {
        let source = "Intro\n\n```framework\nid = \"x\"\n```\n\nAfter\n";
        let blocks = blocks(source);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].kind, Kind::Framework);
        assert_eq!(
            &source[blocks[0].span.clone()],
            "```framework\nid = \"x\"\n```"
        );
        assert_eq!(blocks[0].body, "id = \"x\"\n");
        assert_eq!(blocks[0].fence_line, 3);
        assert_eq!(blocks[0].continuation, "");
        assert!(blocks[0].closed);
    }

    #[test]
    fn finds_directives_in_lists_and_quotes_with_prefixes_stripped() {
        let source =
            "- item\n\n  ~~~~check\n  id = \"a\"\n  ~~~~\n\n> ```viz\n> id = \"b\"\n> ```\n";
        let blocks = blocks(source);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].body, "id = \"a\"\n");
        assert_eq!(blocks[0].continuation, "  ");
        assert_eq!(blocks[1].body, "id = \"b\"\n");
        assert_eq!(blocks[1].continuation, "> ");
        assert_eq!(blocks[1].fence_line, 7);
        assert_eq!(blocks[1].quote_depth, 1);
    }

    #[test]
    fn ignores_other_languages_and_fences_inside_code() {
        let source =
            "````markdown\n```framework\nid = \"x\"\n```\n````\n\n```toml\nframework = 1\n```\n";
        let found = scan(source, &Lines::new(source));
        assert!(found.blocks.is_empty());
        assert!(found.near_misses.is_empty());
    }

    #[test]
    fn near_misses_are_reported_with_their_line() {
        let source = "Text\n\n```framwork\nid = \"x\"\n```\n\n```Framework\n```\n";
        let found = scan(source, &Lines::new(source));
        assert!(found.blocks.is_empty());
        let lines: Vec<(Kind, usize)> = found
            .near_misses
            .iter()
            .map(|miss| (miss.kind, miss.line))
            .collect();
        assert_eq!(lines, [(Kind::Framework, 3), (Kind::Framework, 7)]);
    }

    #[test]
    fn list_marker_becomes_spaces_in_the_continuation() {
        let source = "> 1. ```ladder\n>    id = \"q\"\n>    ```\n";
        let blocks = blocks(source);
        assert_eq!(blocks[0].continuation, ">    ");
        assert_eq!(blocks[0].body, "id = \"q\"\n");
    }

    #[test]
    fn a_quote_inside_a_list_item_keeps_its_marker() {
        let source = "- > ```viz\n  > id = \"q\"\n  > ```\n";
        assert_eq!(blocks(source)[0].continuation, "  > ");
    }

    #[test]
    fn a_footnote_label_is_not_a_block_quote() {
        let source = "Text[^a>b].\n\n[^a>b]: ```framework\n    id = \"x\"\n    ```\n";
        let blocks = blocks(source);
        assert_eq!(blocks[0].continuation, "    ");
        assert_eq!(blocks[0].quote_depth, 0);
    }

    #[test]
    fn crlf_chapters_keep_their_line_ending_and_lines() {
        let source = "Intro\r\n\r\n```check\r\nid = \"c\"\r\n```\r\n## Next\r\n";
        let blocks = blocks(source);
        assert_eq!(blocks[0].newline, "\r\n");
        assert_eq!(blocks[0].fence_line, 3);
        assert_eq!(blocks[0].body, "id = \"c\"\n");
        assert!(blocks[0].closed);
    }

    #[test]
    fn an_unclosed_fence_is_noticed() {
        let source = "```framework\nid = \"x\"\n\nSome prose.\n";
        let blocks = blocks(source);
        assert!(!blocks[0].closed);
        let source = "> ```framework\n> id = \"x\"\n\nSome prose.\n";
        assert!(!self::blocks(source)[0].closed);
        let source = "````framework\nid = \"x\"\n```\n";
        assert!(!self::blocks(source)[0].closed);
    }

    #[test]
    fn heading_ids_are_the_ones_mdbook_gives() {
        let source = "# The `check` Card!\n\n## Framework: retry budget\n\n## Framework: retry budget\n\n## Set {#own-id}\n";
        let found = scan(source, &Lines::new(source));
        assert_eq!(
            found.headings,
            [
                ("the-check-card".to_string(), 1),
                ("framework-retry-budget".to_string(), 3),
                ("framework-retry-budget-1".to_string(), 5),
                ("own-id".to_string(), 7),
            ]
        );
    }

    #[test]
    fn blank_lines_inside_quotes() {
        assert!(is_blank_within("> >", 2));
        assert!(is_blank_within("  ", 0));
        assert!(!is_blank_within(">", 0));
        assert!(!is_blank_within("> text", 1));
    }
}

//! Finding directive blocks in a chapter.
//!
//! We let pulldown-cmark find fenced code blocks (with byte offsets) instead of matching fences by hand:
//! a directive inside a list or a block quote is still found, a fence inside another code block is not,
//! and a code block that merely mentions a directive name is left alone.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::directives::Kind;

/// A fenced code block whose info string is a directive name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: Kind,
    /// Bytes of the chapter the rendered HTML replaces: the opening fence to the end of the closing one
    /// (usually without its newline).
    pub span: Range<usize>,
    /// The TOML body with container prefixes (`> `, list indentation) already removed.
    pub body: String,
    /// 1-based line of the opening fence; body line `n` (0-based) is chapter line `fence_line + 1 + n`.
    pub fence_line: usize,
    /// What to put before every line of the HTML after the first so it stays inside the same list item
    /// or block quote as the fence was.
    pub continuation: String,
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

/// Every directive block of `source`, in document order.
pub(crate) fn directive_blocks(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new_ext(source, mdbook_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Kind::from_info(&info).map(|kind| Block {
                    kind,
                    span: range.clone(),
                    body: String::new(),
                    fence_line: line_of(source, range.start),
                    continuation: continuation_prefix(source, range.start),
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// 1-based line number of byte `offset`.
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source[..offset].matches('\n').count() + 1
}

/// The container prefix of the fence's line turned into a continuation prefix: block-quote markers
/// stay, list markers become the spaces that continue a list item.
fn continuation_prefix(source: &str, fence_start: usize) -> String {
    let line_start = source[..fence_start].rfind('\n').map_or(0, |i| i + 1);
    source[line_start..fence_start]
        .chars()
        .map(|c| {
            if c == '>' || c.is_whitespace() {
                c
            } else {
                ' '
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_top_level_directive_with_its_exact_span() {
        let source = "Intro\n\n```framework\nid = \"x\"\n```\n\nAfter\n";
        let blocks = directive_blocks(source);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].kind, Kind::Framework);
        assert_eq!(
            &source[blocks[0].span.clone()],
            "```framework\nid = \"x\"\n```"
        );
        assert_eq!(blocks[0].body, "id = \"x\"\n");
        assert_eq!(blocks[0].fence_line, 3);
        assert_eq!(blocks[0].continuation, "");
    }

    #[test]
    fn finds_directives_in_lists_and_quotes_with_prefixes_stripped() {
        let source =
            "- item\n\n  ~~~~check\n  id = \"a\"\n  ~~~~\n\n> ```viz\n> id = \"b\"\n> ```\n";
        let blocks = directive_blocks(source);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].body, "id = \"a\"\n");
        assert_eq!(blocks[0].continuation, "  ");
        assert_eq!(blocks[1].body, "id = \"b\"\n");
        assert_eq!(blocks[1].continuation, "> ");
        assert_eq!(blocks[1].fence_line, 7);
    }

    #[test]
    fn ignores_other_languages_and_fences_inside_code() {
        let source = "````markdown\n```framework\nid = \"x\"\n```\n````\n\n```toml\nframework = 1\n```\n\n```framework extra\n```\n";
        assert!(directive_blocks(source).is_empty());
    }

    #[test]
    fn list_marker_becomes_spaces_in_the_continuation() {
        let source = "> 1. ```ladder\n>    id = \"q\"\n>    ```\n";
        let blocks = directive_blocks(source);
        assert_eq!(blocks[0].continuation, ">    ");
        assert_eq!(blocks[0].body, "id = \"q\"\n");
    }
}

//! Shared test helpers: checking expanded chapters the way mdBook 0.5 will read them.

#![allow(dead_code)]

use std::cell::RefCell;

use html5ever::tendril::ByteTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

#[derive(Default)]
struct Collector(RefCell<Vec<Token>>);

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        self.0.borrow_mut().push(token);
        TokenSinkResult::Continue
    }
}

/// Tokenizes `html` with html5ever (what mdBook 0.5 uses) and checks that it parses without error and
/// that every opened tag is closed in order.
pub fn assert_balanced(html: &str) {
    let tendril: ByteTendril = html.as_bytes().into();
    let queue = BufferQueue::default();
    queue.push_back(tendril.try_reinterpret().unwrap());
    let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let mut open: Vec<String> = Vec::new();
    for token in tokenizer.sink.0.take() {
        match token {
            Token::ParseError(error) => panic!("HTML parse error {error} in:\n{html}"),
            Token::TagToken(tag) if VOID.contains(&&*tag.name) || tag.self_closing => {}
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                open.push(tag.name.to_string())
            }
            Token::TagToken(tag) => {
                let top = open.pop();
                assert_eq!(
                    top.as_deref(),
                    Some(&*tag.name),
                    "unbalanced </{}> in:\n{html}",
                    tag.name
                );
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed tags {open:?} in:\n{html}");
}

/// The Markdown extensions mdBook 0.5 turns on.
pub fn mdbook_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// Parses an expanded chapter as mdBook does and checks every raw HTML block is balanced on its own:
/// a blank line inside directive HTML would split it into an unbalanced block and fail here.
pub fn assert_mdbook_accepts(markdown: &str) {
    let options = mdbook_options();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::Html(html) | Event::Text(html) if block.is_some() => {
                block.as_mut().unwrap().push_str(&html)
            }
            Event::End(TagEnd::HtmlBlock) => assert_balanced(&block.take().unwrap()),
            // Directive HTML that CommonMark did not take as an HTML block (it would be wrapped in a
            // paragraph, or shown as text) is a splicing bug. Term links are inline by design.
            Event::InlineHtml(html) if is_term_link_tag(&html) => {}
            Event::InlineHtml(html) | Event::Text(html) if html.contains("dsip-") => {
                panic!("directive HTML outside an HTML block: {html}\nin:\n{markdown}")
            }
            _ => {}
        }
    }
}

/// A tag of a glossary term link, which sits inline in a paragraph (`<span class="dsip-term">`).
fn is_term_link_tag(html: &str) -> bool {
    ["<span class=\"dsip-term", "<a class=\"dsip-term-link\""]
        .iter()
        .any(|start| html.starts_with(start))
}

/// The text of every heading, paragraph and list item of a chapter as mdBook parses it, outside raw
/// HTML: what a reader sees as Markdown.
pub fn outline(markdown: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut headings, mut paragraphs, mut items) = (Vec::new(), Vec::new(), Vec::new());
    let mut text: Option<String> = None;
    for event in Parser::new_ext(markdown, mdbook_options()) {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::Paragraph | Tag::Item) => {
                text = Some(String::new())
            }
            Event::Text(part) | Event::Code(part) => {
                if let Some(text) = text.as_mut() {
                    text.push_str(&part)
                }
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(text.take()),
            Event::End(TagEnd::Paragraph) => paragraphs.extend(text.take()),
            Event::End(TagEnd::Item) => items.extend(text.take()),
            _ => {}
        }
    }
    (headings, paragraphs, items)
}

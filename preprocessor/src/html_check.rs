//! The HTML contract for *md* fields, checked field by field.
//!
//! A Markdown field may hold raw HTML, and raw HTML can break the card around it: a stray `</article>`
//! closes the card early, an unclosed `<div>` or `<!--` swallows the rest of the page. mdBook 0.5 only
//! warns about that, so the build would pass with a broken page. We tokenize each field's HTML with
//! html5ever, the tokenizer mdBook itself uses, and refuse what would break the card or the page:
//! unbalanced tags, unterminated comments, raw headings (the card has its heading; a raw one would
//! break the page outline and search), `<script>` and `<style>`, and a field that shows nothing.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What is wrong with a field's HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HtmlProblem {
    /// A raw `<h1>`..`<h6>`.
    Heading(String),
    /// A `<script>` or `<style>` element.
    Forbidden(String),
    /// A `<!--` with no `-->`.
    UnterminatedComment,
    /// An end tag with no matching start tag (`</article>`, the tag's name).
    StrayEndTag(String),
    /// A start tag that is never closed (`<div>`, the tag's name).
    Unclosed(String),
    /// The field renders to no visible text or media.
    Empty,
}

/// Elements that never have an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements that show something without any text.
const MEDIA: &[&str] = &[
    "img", "svg", "video", "audio", "picture", "canvas", "iframe", "object", "embed", "math",
    "input",
];

#[derive(Default)]
struct Collector(RefCell<Vec<Token>>);

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        // As mdBook does: the content of <script> and <style> is raw text, not markup.
        let raw = match &token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => match &*tag.name {
                "script" => Some(RawKind::ScriptData),
                "style" => Some(RawKind::Rawtext),
                _ => None,
            },
            _ => None,
        };
        self.0.borrow_mut().push(token);
        raw.map_or(TokenSinkResult::Continue, TokenSinkResult::RawData)
    }
}

/// Checks one field's rendered HTML against the contract.
pub(crate) fn check(html: &str) -> Result<(), HtmlProblem> {
    // Our own text is escaped, so every `<!--` here was written as raw HTML.
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        let after = &rest[start + "<!--".len()..];
        match after.find("-->") {
            Some(end) => rest = &after[end + "-->".len()..],
            None => return Err(HtmlProblem::UnterminatedComment),
        }
    }
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let tokens = tokenizer.sink.0.take();
    let mut open: Vec<String> = Vec::new();
    let mut shows_something = false;
    for token in tokens {
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
                    return Err(HtmlProblem::Heading(name));
                }
                if matches!(name.as_str(), "script" | "style") {
                    return Err(HtmlProblem::Forbidden(name));
                }
                shows_something |= MEDIA.contains(&name.as_str());
                if VOID.contains(&name.as_str()) || tag.self_closing {
                    continue;
                }
                match tag.kind {
                    TagKind::StartTag => open.push(name),
                    TagKind::EndTag if open.last() == Some(&name) => {
                        open.pop();
                    }
                    TagKind::EndTag if open.contains(&name) => {
                        return Err(HtmlProblem::Unclosed(open.pop().unwrap_or_default()))
                    }
                    TagKind::EndTag => return Err(HtmlProblem::StrayEndTag(name)),
                }
            }
            Token::CharacterTokens(text) => shows_something |= !text.trim().is_empty(),
            _ => {}
        }
    }
    if let Some(name) = open.pop() {
        return Err(HtmlProblem::Unclosed(name));
    }
    if !shows_something {
        return Err(HtmlProblem::Empty);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_html_passes() {
        assert_eq!(
            check("<p>A <em>b</em> <code>&lt;c&gt;</code><br />\n<img src=\"x\"></p>"),
            Ok(())
        );
        assert_eq!(check("<p><img src=\"x.png\" alt=\"\"></p>"), Ok(()));
    }

    #[test]
    fn broken_html_is_named() {
        assert_eq!(
            check("<div>\n<p>x</p>"),
            Err(HtmlProblem::Unclosed("div".into()))
        );
        assert_eq!(
            check("<p>x</p></article>"),
            Err(HtmlProblem::StrayEndTag("article".into()))
        );
        assert_eq!(
            check("<p>x <!-- y</p>"),
            Err(HtmlProblem::UnterminatedComment)
        );
        assert_eq!(
            check("<h2>Sub</h2>"),
            Err(HtmlProblem::Heading("h2".into()))
        );
        assert_eq!(
            check("<p>x</p><script>alert(1)</script>"),
            Err(HtmlProblem::Forbidden("script".into()))
        );
        assert_eq!(check("<!-- only a comment -->\n"), Err(HtmlProblem::Empty));
        assert_eq!(check(""), Err(HtmlProblem::Empty));
    }
}

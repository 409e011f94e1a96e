//! The directives: one file each, plus what they share (the dispatch, links, headings, fact lists).
//!
//! Each directive file declares the fields it accepts (`FIELDS`, with a one-line example each, used in
//! error messages) and a `render` that reads them through [`crate::fields::Fields`] and writes HTML with [`Html`].
//! A directive whose fields have any error is not rendered; its errors are returned instead.

mod check;
mod crate_card;
mod curriculum;
mod framework;
mod frameworks_sheet;
pub(crate) mod glossary;
mod ladder;
pub(crate) mod module;
mod postmortem;
mod viz;
mod when_not;
mod where_you_sit;

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::course::Course;
use crate::errors::DirectiveError;
use crate::fields::{FieldSpec, Fields, Site};
use crate::kind::Kind;
use crate::render::{escape, Html};
use crate::scan::Block;

/// The fields a directive accepts, for the unknown-field check and the examples in messages.
fn spec(kind: Kind) -> &'static [FieldSpec] {
    match kind {
        Kind::Module => module::FIELDS,
        Kind::Framework => framework::FIELDS,
        Kind::Postmortem => postmortem::FIELDS,
        Kind::Ladder => ladder::FIELDS,
        Kind::WhenNot => when_not::FIELDS,
        Kind::Viz => viz::FIELDS,
        Kind::Check => check::FIELDS,
        Kind::Crate => crate_card::FIELDS,
        Kind::Curriculum => curriculum::FIELDS,
        Kind::FrameworksSheet => frameworks_sheet::FIELDS,
        Kind::WhereYouSit => where_you_sit::FIELDS,
        Kind::Glossary => glossary::FIELDS,
    }
}

/// The chapter being expanded: its path relative to the book's `src/`, for errors and relative links.
pub(crate) struct Page<'a> {
    pub path: &'a Path,
    /// The book's chapters (paths relative to `src/`), when the whole book is known.
    pub chapters: Option<&'a HashSet<PathBuf>>,
    /// What the rest of the book holds (frameworks, ladders, glossary terms, modules); for a chapter
    /// expanded alone, only what that chapter holds.
    pub course: &'a Course,
}

impl Page<'_> {
    /// A link from this chapter to `target`, a `.md` path relative to `src/` (with an optional `#anchor`):
    /// mdBook serves chapters as `.html` at the same relative place.
    pub(crate) fn link(&self, target: &str) -> String {
        let depth = self.path.parent().map_or(0, |parent| {
            parent
                .components()
                .filter(|component| matches!(component, Component::Normal(_)))
                .count()
        });
        let (file, anchor) = target
            .split_once('#')
            .map_or((target, None), |(file, anchor)| (file, Some(anchor)));
        let file = file
            .strip_suffix(".md")
            .map_or(file.to_string(), |stem| format!("{stem}.html"));
        let anchor = anchor.map_or(String::new(), |anchor| format!("#{anchor}"));
        format!("{}{file}{anchor}", "../".repeat(depth))
    }
}

/// The page a chapter becomes, relative to the book's root (`02-consistency/interview.html`): the
/// key the reader's browser stores answers and progress under.
pub(crate) fn html_path(chapter: &Path) -> String {
    let path = chapter.to_string_lossy().replace('\\', "/");
    path.strip_suffix(".md")
        .map_or(path.clone(), |stem| format!("{stem}.html"))
}

/// "Module 2: Consistency Is a Per-Operation Decision", or "Module 2" when its title is unknown.
pub(crate) fn module_label(number: u32, title: &str) -> String {
    if title.is_empty() {
        format!("Module {number}")
    } else {
        format!("Module {number}: {title}")
    }
}

/// Renders one directive block, or returns every problem found in it.
pub(crate) fn render(block: &Block, page: &Page<'_>) -> Result<String, Vec<DirectiveError>> {
    let site = Site::new(block, page.path);
    let html = site.parse().map(|table| {
        let fields = site.fields(table.get_ref(), spec(block.kind));
        match block.kind {
            Kind::Module => module::render(&fields),
            Kind::Framework => framework::render(&fields),
            Kind::Postmortem => postmortem::render(&fields),
            Kind::Ladder => ladder::render(&fields),
            Kind::WhenNot => when_not::render(&fields),
            Kind::Viz => viz::render(&fields),
            Kind::Check => check::render(&fields),
            Kind::Crate => crate_card::render(&fields),
            Kind::Curriculum => curriculum::render(&fields, page),
            Kind::FrameworksSheet => frameworks_sheet::render(&fields, page),
            Kind::WhereYouSit => where_you_sit::render(&fields, page),
            Kind::Glossary => glossary::render(&fields, page),
        }
    });
    match html {
        Some(html) if !site.has_errors() => Ok(html),
        _ => Err(site.into_errors()),
    }
}

/// Opens the directive's root element with the contract's class and id.
fn open_root(html: &mut Html, tag: &'static str, kind: Kind, id: &str) {
    let class = format!("dsip-{}", kind.name());
    let id = format!("{}-{id}", kind.name());
    html.open(tag, &[("class", &class), ("id", &id)]);
}

/// Opens a page the preprocessor generates from the whole book (the frameworks sheet, "Where you
/// sit"), with its optional `intro` above what it lists.
fn open_generated(
    html: &mut Html,
    fields: &Fields<'_, '_>,
    class: &str,
    id: &str,
    intro_class: &str,
) {
    html.open("section", &[("class", class), ("id", id)]);
    if let Some(intro) = fields.optional_markdown("intro") {
        html.open("div", &[("class", intro_class)])
            .raw(&intro)
            .close();
    }
}

/// The small label above a card's heading ("Framework", "Postmortem"), so a screenshot says what it is.
fn eyebrow(html: &mut Html, text: &str) {
    html.text("p", &[("class", "dsip-eyebrow")], text);
}

/// A card's heading, written the way mdBook writes a Markdown heading: its own `id` (`<anchor>-title`)
/// and its text wrapped in `<a class="header">` linking to the card's anchor.
///
/// mdBook's search indexer (mdbook-html 0.5, `search.rs`) starts a new section at every `h1`-`h3` that
/// has an `id` and, at *every* closing heading, pushes the current section heading onto the result's
/// breadcrumbs. A heading without an id therefore pushed the previous section's heading again
/// ("The curriculum » The curriculum » ..."); with its id each card is its own section, so a result
/// reads "Chapter » card". The wrapping link (instead of a trailing ¶) keeps the heading's text, which
/// is the breadcrumb and the sidebar entry, exactly the card's title. A heading whose text holds a link
/// of its own is not wrapped, since links cannot nest.
fn heading(html: &mut Html, tag: &'static str, class: &str, inner_html: &str, anchor: &str) {
    let id = format!("{anchor}-title");
    let content = if inner_html.contains("<a ") {
        inner_html.to_string()
    } else {
        format!(
            "<a class=\"header\" href=\"#{}\">{inner_html}</a>",
            escape(anchor)
        )
    };
    html.element(tag, &[("class", class), ("id", &id)], &content);
}

/// One term/description pair of a `<dl>`, grouped in a `<div>` so CSS can lay pairs out as a grid.
fn fact(html: &mut Html, class: &str, term: &str, description_html: &str) {
    html.open("div", &[("class", class)]);
    html.text("dt", &[], term);
    if description_html.contains('\n') {
        html.open("dd", &[]).raw(description_html).close();
    } else {
        html.element("dd", &[], description_html);
    }
    html.close();
}

/// "Module 3 · Core · 60 min": the line above a module's title, on its header and on its curriculum card.
fn module_meta(html: &mut Html, class: &str, number: u32, track: &str, minutes: &str) {
    html.open("p", &[("class", class)]);
    let number = format!("Module {number}");
    html.text("span", &[("class", "dsip-module-number")], &number);
    html.text("span", &[("class", "dsip-module-track")], track);
    html.text("span", &[("class", "dsip-module-minutes")], minutes);
    html.close();
}

/// Names shown as chips (frameworks on module headers and curriculum cards).
fn chips(items: &[String]) -> String {
    let items: String = items
        .iter()
        .map(|item| format!("<li>{}</li>", escape(item)))
        .collect();
    format!("<ul class=\"dsip-chips\">{items}</ul>")
}

/// A labelled block of rendered Markdown ("Use it when", "Break it").
fn labelled(html: &mut Html, class: &str, label: &str, body_html: &str) {
    html.open("div", &[("class", class)]);
    html.text("p", &[("class", "dsip-label")], label);
    html.raw(body_html);
    html.close();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Renders a directive from its info string and TOML body, for the per-directive unit tests.
    pub(crate) fn render_one(info: &str, body: &str) -> Result<String, Vec<String>> {
        let source = format!("```{info}\n{body}\n```\n");
        crate::expand(&source, Path::new("index.md"))
            .map(|html| html.trim_end().to_string())
            .map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn links_are_relative_to_the_chapter() {
        let top = Page {
            path: Path::new("index.md"),
            chapters: None,
            course: &Course::default(),
        };
        assert_eq!(
            top.link("01-single-node-lie/index.md"),
            "01-single-node-lie/index.html"
        );
        let nested = Page {
            path: Path::new("01-single-node-lie/clocks.md"),
            chapters: None,
            course: &Course::default(),
        };
        assert_eq!(
            nested.link("02-consistency/index.md#dial"),
            "../02-consistency/index.html#dial"
        );
    }
}

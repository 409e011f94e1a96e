//! `where-you-sit`: every level ladder of the book, by module, with what each tier's answer misses.
//! Made at build time from the `ladder` blocks themselves; the reader's browser then marks the tier
//! each answer reached (stored by `theme/js/dsip-calibrate.js` under the ladder's `data-ladder` key)
//! and keeps only the moves still ahead. Without JavaScript it is a plain list of the next moves.

use std::path::Path;

use super::{heading, html_path, ladder, module_label, Page};
use crate::course::Found;
use crate::fields::{FieldSpec, Fields, Site};
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[(
    "intro",
    r#"intro = "Answer a ladder on its page, place yourself, and your next move shows here.""#,
)];

/// One summary a page, so its id is fixed: `where-you-sit-list` (the page titled so has `#where-you-sit`).
pub(crate) fn render(fields: &Fields<'_, '_>, page: &Page<'_>) -> String {
    let mut html = Html::new();
    super::open_generated(
        &mut html,
        fields,
        "dsip-where-you-sit",
        "where-you-sit-list",
        "dsip-sit-intro",
    );
    // Modules in the order their first ladder appears in the book.
    let mut groups: Vec<(Option<u32>, String, Vec<&Found>)> = Vec::new();
    for found in &page.course.ladders {
        let module = page.course.module_of(&found.chapter);
        let number = module.map(|module| module.number);
        match groups.iter_mut().find(|(known, _, _)| *known == number) {
            Some((_, _, ladders)) => ladders.push(found),
            None => {
                let title = module.map_or("Ladders".to_string(), |module| {
                    module_label(module.number, &module.title)
                });
                groups.push((number, title, vec![found]));
            }
        }
    }
    let count = page.course.ladders.len();
    let noun = if count == 1 { "ladder" } else { "ladders" };
    html.text(
        "p",
        &[("class", "dsip-sit-count")],
        &format!("{count} {noun} in {} modules.", groups.len()),
    );
    for (number, title, ladders) in &groups {
        let anchor = match number {
            Some(number) => format!("where-you-sit-module-{number}"),
            None => "where-you-sit-ladders".to_string(),
        };
        html.open("section", &[("class", "dsip-sit-module"), ("id", &anchor)]);
        heading(
            &mut html,
            "h3",
            "dsip-sit-module-title",
            &escape(title),
            &anchor,
        );
        html.open("ol", &[("class", "dsip-sit-ladders")]);
        for found in ladders {
            entry(&mut html, found, title, page);
        }
        html.close().close();
    }
    html.close();
    html.finish()
}

/// One ladder: its question (linking to it), the reader's placement, and each tier's missed line.
fn entry(html: &mut Html, found: &Found, module: &str, page: &Page<'_>) {
    let site = Site::new(&found.block, &found.chapter).shown_on(page.path);
    let Some(table) = site.parse() else {
        return;
    };
    let fields = site.fields(table.get_ref(), ladder::FIELDS);
    let id = fields.id();
    let question = fields.inline_markdown("question");
    let tiers: Vec<(String, String)> = fields
        .tables("answer", ladder::TIER)
        .iter()
        .map(|tier| (tier.string("level"), tier.inline_markdown("missed")))
        .collect();
    // A ladder with a problem is reported by its own chapter; the summary leaves it out.
    if site.has_errors() {
        return;
    }
    let key = format!("{}#ladder-{id}", html_path(&found.chapter));
    let target = format!("{}#ladder-{id}", chapter_md(&found.chapter));
    html.open(
        "li",
        &[
            ("class", "dsip-sit-ladder"),
            ("data-ladder", &key),
            ("data-module", module),
        ],
    );
    let link = format!("<a href=\"{}\">{question}</a>", escape(&page.link(&target)));
    html.element("p", &[("class", "dsip-sit-question")], &link);
    html.text(
        "p",
        &[("class", "dsip-sit-placement")],
        "Not answered yet: answer it on its page, then place yourself.",
    );
    html.open("dl", &[("class", "dsip-sit-moves")]);
    for (level, missed) in &tiers {
        let term = format!("What an {level} answer misses");
        html.open("div", &[("class", "dsip-sit-move"), ("data-level", level)]);
        html.text("dt", &[], &term);
        html.element("dd", &[], missed);
        html.close();
    }
    html.close().close();
}

fn chapter_md(chapter: &Path) -> String {
    chapter.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn a_summary_alone_has_no_ladders_and_says_so() {
        let html = render_one("where-you-sit", "").unwrap();
        assert!(html.contains("0 ladders in 0 modules."), "{html}");
    }
}

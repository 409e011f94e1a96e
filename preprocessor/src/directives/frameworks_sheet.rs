//! `frameworks-sheet`: every framework callout of the book as a compact card on one page, made at
//! build time from the same `framework` blocks the module pages render, so the sheet never drifts.
//! Each card says which module teaches it, links there, and has a link readers can copy.

use super::{framework, html_path, module_label, Page};
use crate::fields::{FieldSpec, Fields, Site};
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[(
    "intro",
    r#"intro = "Every framework of the course on one page: print one a sheet, or copy a card's link.""#,
)];

/// One sheet a page, so its id is fixed: `frameworks-sheet`.
pub(crate) fn render(fields: &Fields<'_, '_>, page: &Page<'_>) -> String {
    let mut html = Html::new();
    super::open_generated(
        &mut html,
        fields,
        "dsip-frameworks-sheet",
        "frameworks-sheet",
        "dsip-sheet-intro",
    );
    let mut cards = Html::new();
    let mut count = 0;
    for found in &page.course.frameworks {
        let site = Site::new(&found.block, &found.chapter).shown_on(page.path);
        let Some(table) = site.parse() else {
            continue;
        };
        let framework_fields = site.fields(table.get_ref(), framework::FIELDS);
        let id = framework_fields.id();
        let anchor = format!("sheet-{id}");
        let module = page.course.module_of(&found.chapter);
        let label = module.map_or("Framework".to_string(), |module| {
            format!("Framework · Module {}", module.number)
        });
        let mut card = Html::new();
        card.open(
            "article",
            &[("class", "dsip-framework dsip-sheet-card"), ("id", &anchor)],
        );
        framework::card(&mut card, &framework_fields, &anchor, &label);
        let source = module.map_or_else(
            || format!("See it on {}", html_path(&found.chapter)),
            |module| format!("From {}", module_label(module.number, &module.title)),
        );
        let target = format!("{}#framework-{id}", found.chapter.to_string_lossy());
        let actions = format!(
            "<a class=\"dsip-sheet-source\" href=\"{}\">{} →</a> <a class=\"dsip-sheet-copy\" href=\"#{anchor}\">Link to this card</a>",
            escape(&page.link(&target)),
            escape(&source),
        );
        card.element("p", &[("class", "dsip-sheet-actions")], &actions);
        card.close();
        // A framework with a problem is reported by its own chapter; the sheet leaves it out.
        if site.has_errors() {
            continue;
        }
        cards.raw(card.finish().trim_end());
        count += 1;
    }
    let noun = if count == 1 {
        "framework"
    } else {
        "frameworks"
    };
    html.text(
        "p",
        &[("class", "dsip-sheet-count")],
        &format!("{count} {noun}, in course order."),
    );
    html.open("div", &[("class", "dsip-sheet-cards")]);
    html.raw(cards.finish().trim_end());
    html.close().close();
    html.finish()
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn a_sheet_alone_has_no_cards_and_says_so() {
        let html = render_one("frameworks-sheet", "").unwrap();
        assert!(html.contains("0 frameworks, in course order."), "{html}");
    }
}

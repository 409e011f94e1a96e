//! `framework`: a named decision tool as a card (name, one-line thesis, body, "Use it when").

use super::{eyebrow, heading, labelled, open_root};
use crate::fields::{FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::Html;

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "assumption-ledger""#),
    ("name", r#"name = "The Assumption Ledger""#),
    (
        "thesis",
        r#"thesis = "Every distributed design rests on assumptions; write them down with a way to detect each one breaking.""#,
    ),
    (
        "body",
        r#"body = """- [ ] Clocks agree within 10 ms (detector: NTP offset alert)""""#,
    ),
    (
        "use_when",
        r#"use_when = "You are reviewing a design that says *the network is reliable*.""#,
    ),
];

pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let anchor = format!("framework-{id}");
    let mut html = Html::new();
    open_root(&mut html, "article", Kind::Framework, &id);
    card(&mut html, fields, &anchor, "Framework");
    html.close();
    html.finish()
}

/// The card's content (header, body, "Use it when") under `anchor`: the module page's callout and
/// the frameworks sheet's card are the same card, so the sheet can never show a different one.
pub(crate) fn card(html: &mut Html, fields: &Fields<'_, '_>, anchor: &str, label: &str) {
    let name = crate::render::escape(&fields.string("name"));
    html.open("header", &[("class", "dsip-card-header")]);
    eyebrow(html, label);
    heading(html, "h3", "dsip-framework-name", &name, anchor);
    html.element(
        "p",
        &[("class", "dsip-framework-thesis")],
        &fields.inline_markdown("thesis"),
    );
    html.close();
    html.open("div", &[("class", "dsip-framework-body")])
        .raw(&fields.markdown("body"))
        .close();
    labelled(
        html,
        "dsip-framework-use-when",
        "Use it when",
        &fields.markdown("use_when"),
    );
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn thesis_is_inline_and_the_name_links_to_the_card() {
        let html = render_one(
            "framework",
            "id = \"a\"\nname = \"A & B\"\nthesis = \"*T*\"\nbody = \"B\"\nuse_when = \"U\"",
        )
        .unwrap();
        assert!(
            html.contains("<p class=\"dsip-framework-thesis\"><em>T</em></p>"),
            "{html}"
        );
        assert!(
            html.contains("<h3 class=\"dsip-framework-name\" id=\"framework-a-title\"><a class=\"header\" href=\"#framework-a\">A &amp; B</a></h3>"),
            "{html}"
        );
    }
}

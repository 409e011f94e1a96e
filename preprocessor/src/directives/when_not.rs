//! `when-not`: where the pattern is the wrong tool, what it costs for nothing, and what to use instead.

use super::{fact, heading, open_root};
use crate::fields::{FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "vector-clocks""#),
    ("title", r#"title = "When NOT to reach for vector clocks""#),
    (
        "intro",
        r#"intro = "Vector clocks answer *did A see B?*. Most systems never ask.""#,
    ),
    (
        "case",
        r#"[[case]] (then when = "...", cost = "..." and instead = "..." on the lines below)"#,
    ),
];

const CASE: &[FieldSpec] = &[
    ("when", r#"when = "All writes go through one leader.""#),
    (
        "cost",
        r#"cost = "A vector per key that only ever has one non-zero entry.""#,
    ),
    ("instead", r#"instead = "The leader's log position.""#),
];

const DEFAULT_TITLE: &str = "When NOT to use it";

/// A chapter section in its own right (`<h2>`), unlike the cards, which sit inside sections.
pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let title = fields
        .optional_string("title")
        .unwrap_or_else(|| DEFAULT_TITLE.to_string());
    let mut html = Html::new();
    open_root(&mut html, "section", Kind::WhenNot, &id);
    heading(
        &mut html,
        "h2",
        "dsip-when-not-title",
        &escape(&title),
        &format!("when-not-{id}"),
    );
    if let Some(intro) = fields.optional_markdown("intro") {
        html.open("div", &[("class", "dsip-when-not-intro")])
            .raw(&intro)
            .close();
    }
    html.open("ul", &[("class", "dsip-when-not-cases")]);
    for case in fields.tables("case", CASE) {
        html.open("li", &[("class", "dsip-case")]).open("dl", &[]);
        fact(
            &mut html,
            "dsip-case-when",
            "Wrong tool when",
            &case.markdown("when"),
        );
        fact(
            &mut html,
            "dsip-case-cost",
            "What it costs for nothing",
            &case.markdown("cost"),
        );
        fact(
            &mut html,
            "dsip-case-instead",
            "What you probably need instead",
            &case.markdown("instead"),
        );
        html.close().close();
    }
    html.close().close();
    html.finish()
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn default_title_and_the_three_labels() {
        let body = "id = \"w\"\n[[case]]\nwhen = \"W\"\ncost = \"C\"\ninstead = \"I\"";
        let html = render_one("when-not", body).unwrap();
        assert!(html.contains(">When NOT to use it</a></h2>"), "{html}");
        for label in [
            "Wrong tool when",
            "What it costs for nothing",
            "What you probably need instead",
        ] {
            assert!(html.contains(&format!("<dt>{label}</dt>")), "{html}");
        }
    }
}

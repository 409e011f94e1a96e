//! `module`: the chapter header (module number, track, reading time, frameworks, anchor incident, crate).

use super::{chips, fact, module_meta};
use crate::fields::{is_lower_name, FieldSpec, Fields};
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("number", "number = 1"),
    (
        "subtitle",
        r#"subtitle = "Time, order, and failure when there's more than one machine""#,
    ),
    ("track", r#"track = "Foundations""#),
    ("minutes", "minutes = 55"),
    (
        "frameworks",
        r#"frameworks = ["The Assumption Ledger", "The Failure-Detector Trilemma"]"#,
    ),
    (
        "anchor",
        r#"anchor = "AWS DynamoDB metadata storm, 2015-09-20""#,
    ),
    ("crate", r#"crate = "clocks""#),
];

/// The header's id is `module-<number>`: a module has one header, and the number is its identity.
pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let number = fields.positive("number");
    let mut html = Html::new();
    html.open(
        "header",
        &[
            ("class", "dsip-module"),
            ("id", &format!("module-{number}")),
        ],
    );
    let minutes = format!("{} min read", fields.positive("minutes"));
    module_meta(
        &mut html,
        "dsip-module-meta",
        number,
        &fields.string("track"),
        &minutes,
    );
    html.text(
        "p",
        &[("class", "dsip-module-subtitle")],
        &fields.string("subtitle"),
    );
    html.open("dl", &[("class", "dsip-module-facts")]);
    fact(
        &mut html,
        "dsip-module-frameworks",
        "Frameworks",
        &chips(&fields.string_list("frameworks")),
    );
    fact(
        &mut html,
        "dsip-module-anchor",
        "Anchor incident",
        &escape(&fields.string("anchor")),
    );
    let crate_name = fields.optional_string("crate");
    if let Some(name) = &crate_name {
        if !is_lower_name(&name.replace('_', "-"), '-') {
            fields.invalid(
                "crate",
                format!("`{name}` is not a crate name"),
                "write the package name from its Cargo.toml, e.g. `crate = \"clocks\"`, instead",
            );
        }
    }
    if let Some(name) = crate_name {
        fact(
            &mut html,
            "dsip-module-crate",
            "Companion crate",
            &format!("<code>{}</code>", escape(&name)),
        );
    }
    html.close().close();
    html.finish()
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn header_shows_number_minutes_and_omits_a_missing_crate() {
        let body = "number = 3\nsubtitle = \"S\"\ntrack = \"Core\"\nminutes = 60\nframeworks = [\"F\"]\nanchor = \"A\"";
        let html = render_one("module", body).unwrap();
        assert!(
            html.starts_with("<header class=\"dsip-module\" id=\"module-3\">"),
            "{html}"
        );
        assert!(html.contains(">60 min read</span>"), "{html}");
        assert!(!html.contains("Companion crate"), "{html}");
    }
}

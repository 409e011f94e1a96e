//! `viz`: the `<figure>` the widget runtime (theme/js/dsip-runtime.js) mounts a widget into.
//! Its shape is fixed by ARCHITECTURE.md section 2; the runtime and the browser tests depend on it.
//! The caption is inline when it is one paragraph and may be several (a widget's steps to try).

use crate::fields::{is_lower_name, FieldSpec, Fields};
use crate::render::{escape, escape_single_quoted, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "vector-clock-stepper""#),
    ("widget", r#"widget = "vector-clock-stepper""#),
    ("wasm", r#"wasm = "clocks""#),
    ("title", r#"title = "Three replicas, one vector each""#),
    (
        "caption",
        r#"caption = "Step sends and receives; concurrent events turn orange.""#,
    ),
    ("params", "params = { replicas = 3 }"),
];

const NOSCRIPT: &str =
    "This visualization needs JavaScript. The text around it describes what it shows.";

pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let widget = fields.string("widget");
    if !widget.is_empty() && !is_lower_name(&widget, '-') {
        fields.invalid("widget", format!("`{widget}` is not a widget name (kebab-case, as registered with DSIP.registerWidget)"), "write `widget = \"vector-clock-stepper\"` instead");
    }
    let wasm = fields.string("wasm");
    if !wasm.is_empty() && !is_lower_name(&wasm, '_') {
        fields.invalid(
            "wasm",
            format!("`{wasm}` is not a crate's lib name (snake_case, the .wasm file's name)"),
            "write `wasm = \"clocks\"` instead",
        );
    }
    let params = fields
        .json("params")
        .unwrap_or_else(|| serde_json::json!({}));
    let title = escape(&fields.string("title"));
    let caption = fields.inline_or_block_markdown("caption");
    let open = format!(
        "<figure class=\"dsip-viz\" id=\"viz-{}\" data-widget=\"{}\" data-wasm=\"{}\" data-params='{}'>",
        escape(&id),
        escape(&widget),
        escape(&wasm),
        escape_single_quoted(&params.to_string())
    );
    let mut html = Html::new();
    html.open_verbatim("figure", &open);
    html.open("figcaption", &[]);
    html.element("span", &[("class", "dsip-viz-title")], &title);
    html.raw(&caption);
    html.close();
    html.raw("<div class=\"dsip-viz-stage\" tabindex=\"-1\"></div>");
    html.raw(&format!(
        "<noscript><p class=\"dsip-viz-error\">{NOSCRIPT}</p></noscript>"
    ));
    html.close();
    html.finish()
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn params_become_single_quoted_json() {
        let body = "id = \"v\"\nwidget = \"hash-ring\"\nwasm = \"partitioning\"\ntitle = \"T\"\ncaption = \"C\"\nparams = { nodes = 4, name = \"O'Neil\" }";
        let html = render_one("viz", body).unwrap();
        assert!(html.starts_with(r#"<figure class="dsip-viz" id="viz-v" data-widget="hash-ring" data-wasm="partitioning" data-params='{"name":"O&#39;Neil","nodes":4}'>"#), "{html}");
    }

    #[test]
    fn widget_and_wasm_names_are_checked() {
        let body = "id = \"v\"\nwidget = \"Hash Ring\"\nwasm = \"retry-storm\"\ntitle = \"T\"\ncaption = \"C\"";
        assert_eq!(render_one("viz", body).unwrap_err().len(), 2);
    }
}

#[cfg(test)]
mod caption_tests {
    use crate::directives::tests::render_one;

    #[test]
    fn a_long_caption_keeps_its_paragraphs() {
        let body = "id = \"v\"\nwidget = \"w\"\nwasm = \"c\"\ntitle = \"T\"\ncaption = \"\"\"\n**1.** Play.\n\n**2.** Pause.\n\"\"\"";
        let html = render_one("viz", body).unwrap();
        assert!(
            html.contains(
                "<p><strong>1.</strong> Play.</p>\n    <p><strong>2.</strong> Pause.</p>"
            ),
            "{html}"
        );
    }
}

//! `crate`: the companion-crate card (what it is, how to run it, the break-it knob, a tour of the code).
//! The file is not called `crate.rs` because `crate` is a keyword.

use super::{eyebrow, heading, labelled, open_root};
use crate::fields::{is_lower_name, FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::{escape, escape_pre, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("name", r#"name = "clocks""#),
    ("path", r#"path = "playground-crates/clocks""#),
    (
        "summary",
        r#"summary = "Lamport and vector clocks, and a phi-accrual failure detector.""#,
    ),
    (
        "run",
        r#"run = ["cargo test -p clocks", "cargo run -p clocks --example stepper"]"#,
    ),
    (
        "break_it",
        r#"break_it = "Set `DRIFT_MS` to 500 and watch the Lamport order disagree with wall time.""#,
    ),
    (
        "tour",
        r#"[[tour]] (then file = "src/lib.rs" and what = "..." on the lines below)"#,
    ),
];

const STOP: &[FieldSpec] = &[
    ("file", r#"file = "src/vector.rs""#),
    (
        "what",
        r#"what = "The vector clock: `tick`, `merge` and the happened-before comparison.""#,
    ),
];

/// The card's id is `crate-<name>`: a crate appears once, and its name is what readers search for.
pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let name = fields.string("name");
    if !name.is_empty() && !is_lower_name(&name.replace('_', "-"), '-') {
        fields.invalid(
            "name",
            format!("`{name}` is not a crate name"),
            "write the package name from its Cargo.toml, e.g. `name = \"clocks\"`, instead",
        );
    }
    let mut html = Html::new();
    open_root(&mut html, "article", Kind::Crate, &name);
    html.open("header", &[("class", "dsip-card-header")]);
    eyebrow(&mut html, "Companion crate");
    heading(
        &mut html,
        "h3",
        "dsip-crate-name",
        &format!("<code>{}</code>", escape(&name)),
        &format!("crate-{name}"),
    );
    html.element(
        "p",
        &[("class", "dsip-crate-path")],
        &format!("<code>{}</code>", escape(&fields.string("path"))),
    );
    html.close();
    html.open("div", &[("class", "dsip-crate-summary")])
        .raw(&fields.markdown("summary"))
        .close();
    let commands = fields.string_list("run").join("\n");
    let run = format!(
        "<pre><code class=\"language-bash\">{}</code></pre>",
        escape_pre(&commands)
    );
    labelled(&mut html, "dsip-crate-run", "Run it", &run);
    labelled(
        &mut html,
        "dsip-crate-break-it",
        "Break it",
        &fields.markdown("break_it"),
    );
    tour(&mut html, fields);
    html.close();
    html.finish()
}

fn tour(html: &mut Html, fields: &Fields<'_, '_>) {
    html.open("table", &[("class", "dsip-crate-tour")]);
    html.text("caption", &[], "A tour of the code");
    html.open("thead", &[]).open("tr", &[]);
    html.text("th", &[("scope", "col")], "File")
        .text("th", &[("scope", "col")], "What it holds");
    html.close().close().open("tbody", &[]);
    for stop in fields.tables("tour", STOP) {
        html.open("tr", &[]);
        html.element(
            "td",
            &[],
            &format!("<code>{}</code>", escape(&stop.string("file"))),
        );
        html.element("td", &[], &stop.inline_markdown("what"));
        html.close();
    }
    html.close().close();
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn run_commands_share_one_pre_without_raw_newlines() {
        let body = "name = \"clocks\"\npath = \"p\"\nsummary = \"S\"\nrun = [\"a\", \"b\"]\nbreak_it = \"B\"\n[[tour]]\nfile = \"f.rs\"\nwhat = \"W\"";
        let html = render_one("crate", body).unwrap();
        assert!(
            html.contains("<pre><code class=\"language-bash\">a&#10;b</code></pre>"),
            "{html}"
        );
        assert!(html.contains("<td><code>f.rs</code></td>"), "{html}");
    }
}

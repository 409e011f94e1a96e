//! `check`: numbered check-yourself questions whose worked answers open on demand.

use super::{eyebrow, open_root};
use crate::fields::{FieldSpec, Fields};
use crate::kind::Kind;
use crate::render::Html;

pub(crate) const FIELDS: &[FieldSpec] = &[
    ("id", r#"id = "single-node-lie""#),
    (
        "question",
        r#"[[question]] (then question = "..." and answer = "..." on the lines below)"#,
    ),
];

const QUESTION: &[FieldSpec] = &[
    (
        "question",
        r#"question = "Why can't wall-clock timestamps order two writes on different machines?""#,
    ),
    (
        "answer",
        r#"answer = "Because the clocks drift apart: ...""#,
    ),
];

pub(crate) fn render(fields: &Fields<'_, '_>) -> String {
    let id = fields.id();
    let mut html = Html::new();
    open_root(&mut html, "section", Kind::Check, &id);
    eyebrow(&mut html, "Check yourself");
    html.open("ol", &[("class", "dsip-check-questions")]);
    for (index, entry) in fields.tables("question", QUESTION).iter().enumerate() {
        let number = format!("<span class=\"dsip-check-number\">{}</span>", index + 1);
        html.open("li", &[("class", "dsip-check-question")])
            .open("details", &[]);
        html.element(
            "summary",
            &[],
            &format!("{number} {}", entry.inline_markdown("question")),
        );
        html.open("div", &[("class", "dsip-check-answer")])
            .raw(&entry.markdown("answer"))
            .close();
        html.close().close();
    }
    html.close().close();
    html.finish()
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    #[test]
    fn questions_are_numbered_and_collapsible() {
        let body = "id = \"c\"\n[[question]]\nquestion = \"Q1\"\nanswer = \"A1\"\n[[question]]\nquestion = \"Q2\"\nanswer = \"A2\"";
        let html = render_one("check", body).unwrap();
        assert!(
            html.contains("<summary><span class=\"dsip-check-number\">2</span> Q2</summary>"),
            "{html}"
        );
        assert_eq!(html.matches("<details>").count(), 2);
    }
}

//! `curriculum`: the landing page's module cards. A module without `link` is not yet published: its
//! card says so and links nowhere, so the landing page never points at a missing chapter.

use std::path::Path;

use super::{chips, fact, heading, module_meta, Page};
use crate::fields::{FieldSpec, Fields};
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[(
    "module",
    r#"[[module]] (then number = 1, title = "...", subtitle = "...", track = "...", minutes = 55, frameworks = [...], anchor = "..." and optionally link = "01-single-node-lie/index.md")"#,
)];

const MODULE: &[FieldSpec] = &[
    ("number", "number = 1"),
    ("title", r#"title = "The Single-Node Lie""#),
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
    ("link", r#"link = "01-single-node-lie/index.md""#),
];

/// One curriculum a book, so its id is fixed: `curriculum`.
pub(crate) fn render(fields: &Fields<'_, '_>, page: &Page<'_>) -> String {
    let mut html = Html::new();
    html.open(
        "section",
        &[("class", "dsip-curriculum"), ("id", "curriculum")],
    );
    html.open("ol", &[("class", "dsip-curriculum-grid")]);
    for module in fields.tables("module", MODULE) {
        card(&mut html, &module, page);
    }
    html.close().close();
    html.finish()
}

fn card(html: &mut Html, module: &Fields<'_, '_>, page: &Page<'_>) {
    let number = module.positive("number");
    let title = module.string("title");
    let link = module
        .optional_string("link")
        .filter(|link| valid_link(module, link, page));
    let class = if link.is_some() {
        "dsip-module-card"
    } else {
        "dsip-module-card dsip-unpublished"
    };
    let id = format!("curriculum-module-{number}");
    // A published card names the folder of its module's pages, so the reader's browser can show how
    // many of them they have read (theme/js/dsip-progress.js).
    let pages = link.as_deref().map(|link| {
        let html = page.link(link);
        match html.rfind('/') {
            Some(slash) => html[..=slash].to_string(),
            None => String::new(),
        }
    });
    match pages.as_deref() {
        Some(pages) => html.open(
            "li",
            &[("class", class), ("id", &id), ("data-pages", pages)],
        ),
        None => html.open("li", &[("class", class), ("id", &id)]),
    };
    html.open("article", &[]);
    let minutes = format!("{} min", module.positive("minutes"));
    module_meta(
        html,
        "dsip-module-card-meta",
        number,
        &module.string("track"),
        &minutes,
    );
    heading(
        html,
        "h3",
        "dsip-module-card-title",
        &escape(&title),
        &format!("curriculum-module-{number}"),
    );
    html.text(
        "p",
        &[("class", "dsip-module-card-subtitle")],
        &module.string("subtitle"),
    );
    html.open("dl", &[("class", "dsip-module-card-facts")]);
    fact(
        html,
        "dsip-module-frameworks",
        "Frameworks",
        &chips(&module.string_list("frameworks")),
    );
    fact(
        html,
        "dsip-module-anchor",
        "Anchor",
        &escape(&module.string("anchor")),
    );
    html.close();
    match link {
        Some(link) => {
            let label = format!("Read Module {number}: {title}");
            let anchor = format!(
                "<a class=\"dsip-read\" href=\"{}\" aria-label=\"{}\">Read →</a>",
                escape(&page.link(&link)),
                escape(&label)
            );
            html.element("p", &[("class", "dsip-module-card-action")], &anchor);
        }
        None => {
            html.element(
                "p",
                &[("class", "dsip-module-card-action")],
                "<span class=\"dsip-badge dsip-badge-muted\">Not yet published</span>",
            );
        }
    }
    html.close().close();
}

/// `link` names a chapter source (`.md`, relative to `src/`); anything else would break once rendered,
/// and a scheme (`javascript:`), a backslash or a `..` could point the landing page anywhere. When the
/// whole book is known, the chapter must be one of its chapters.
fn valid_link(module: &Fields<'_, '_>, link: &str, page: &Page<'_>) -> bool {
    let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
    let valid_form = file.ends_with(".md")
        && file.len() > ".md".len()
        && !file.starts_with('/')
        && !link.contains([':', '\\', '"', '\'', '<', '>', ' '])
        && !file
            .split('/')
            .any(|part| part == ".." || part == "." || part.is_empty())
        && !anchor.contains('#');
    if !valid_form {
        module.invalid(
            "link",
            format!("`{link}` is not a chapter path relative to src/ (no `:`, `\\` or `..`)"),
            "write `link = \"01-single-node-lie/index.md\"` instead",
        );
        return false;
    }
    if let Some(chapters) = page.chapters {
        if !chapters.contains(Path::new(file)) {
            module.invalid(
                "link",
                format!("`{file}` is not a chapter of the book (SUMMARY.md does not link it)"),
                "link a chapter listed in SUMMARY.md, or leave `link` out while the module is unpublished",
            );
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::directives::tests::render_one;

    const MODULE: &str = "[[module]]\nnumber = 2\ntitle = \"T\"\nsubtitle = \"S\"\ntrack = \"F\"\nminutes = 50\nframeworks = [\"F\"]\nanchor = \"A\"\n";

    #[test]
    fn unpublished_modules_have_a_badge_and_no_link() {
        let html = render_one("curriculum", MODULE).unwrap();
        assert!(html.contains("dsip-module-card dsip-unpublished"), "{html}");
        assert!(html.contains("Not yet published"), "{html}");
        assert!(!html.contains("dsip-read"), "{html}");
        assert!(!html.contains(".html"), "{html}");
    }

    #[test]
    fn published_modules_link_to_the_html_page() {
        let html = render_one(
            "curriculum",
            &format!("{MODULE}link = \"02-consistency/index.md\""),
        )
        .unwrap();
        assert!(
            html.contains("href=\"02-consistency/index.html\""),
            "{html}"
        );
    }
}

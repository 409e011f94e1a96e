//! `curriculum`: the landing page's module cards. A module without `link` is not yet published: its
//! card says so and links nowhere, so the landing page never points at a missing chapter. Above the
//! cards, one sentence says which modules are published, counted from the cards themselves, so the
//! landing page cannot claim a module that is not linked (or forget one that is).

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
    let modules = fields.tables("module", MODULE);
    let mut cards = Html::new();
    let mut published = Vec::new();
    for module in &modules {
        if card(&mut cards, module, page) {
            published.push(module.positive("number"));
        }
    }
    html.text(
        "p",
        &[("class", "dsip-curriculum-status")],
        &published_sentence(&published, modules.len()),
    );
    html.open("ol", &[("class", "dsip-curriculum-grid")]);
    html.raw(&cards.finish());
    html.close().close();
    html.finish()
}

/// What the reader is told is ready: "Published so far: Modules 1 to 7 and 9." while some cards
/// are unlinked, "All 10 modules are published." once none is. Runs of consecutive numbers are
/// written as ranges so the sentence stays short whatever the order modules are finished in.
pub(crate) fn published_sentence(published: &[u32], total: usize) -> String {
    let mut numbers = published.to_vec();
    numbers.sort_unstable();
    numbers.dedup();
    if total > 0 && numbers.len() == total {
        return if total == 1 {
            "The one module is published.".to_string()
        } else {
            format!("All {total} modules are published.")
        };
    }
    let count = numbers.len();
    if numbers.is_empty() {
        return "No module is published yet: every card below is still being written.".to_string();
    }
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for number in numbers {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == number => *end = number,
            _ => runs.push((number, number)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(start, end)| match end - start {
            0 => start.to_string(),
            1 => format!("{start} and {end}"),
            _ => format!("{start} to {end}"),
        })
        .collect();
    let list = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => unreachable!("numbers is not empty"),
    };
    let noun = if count == 1 { "Module" } else { "Modules" };
    format!(
        "Published so far: {noun} {list}. A card with a Read link is ready; a card without one is still being written."
    )
}

/// One card; true when it is published (its `link` is valid).
fn card(html: &mut Html, module: &Fields<'_, '_>, page: &Page<'_>) -> bool {
    let number = module.positive("number");
    let title = module.string("title");
    let link = module
        .optional_string("link")
        .filter(|link| valid_link(module, link, page));
    let published = link.is_some();
    let class = if published {
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
    published
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
    fn the_published_sentence_names_runs_as_ranges() {
        use super::published_sentence as said;
        let tail = " A card with a Read link is ready; a card without one is still being written.";
        assert_eq!(said(&[9], 10), format!("Published so far: Module 9.{tail}"));
        assert_eq!(
            said(&[1, 2], 10),
            format!("Published so far: Modules 1 and 2.{tail}")
        );
        assert_eq!(
            said(&[9, 1, 2, 3, 4, 5, 6, 7], 10),
            format!("Published so far: Modules 1 to 7 and 9.{tail}")
        );
        assert_eq!(
            said(&[1, 4, 7], 10),
            format!("Published so far: Modules 1, 4 and 7.{tail}")
        );
        assert_eq!(
            said(&[], 10),
            "No module is published yet: every card below is still being written."
        );
        assert_eq!(
            said(&(1..=10).collect::<Vec<_>>(), 10),
            "All 10 modules are published."
        );
    }

    proptest::proptest! {
        /// Whatever subset is published, in whatever order, the sentence names exactly that subset:
        /// reading its ranges back gives the same numbers.
        #[test]
        fn the_published_sentence_names_exactly_the_published_modules(
            published in proptest::collection::btree_set(1u32..=10, 1..10)
        ) {
            let order: Vec<u32> = published.iter().rev().copied().collect();
            let sentence = super::published_sentence(&order, 10);
            let list = sentence
                .strip_prefix("Published so far: ")
                .and_then(|rest| rest.split_once('.'))
                .map(|(list, _)| list.trim_start_matches("Modules ").trim_start_matches("Module "))
                .unwrap_or_else(|| panic!("unexpected sentence: {sentence}"));
            let mut named = std::collections::BTreeSet::new();
            for part in list.split(", ").flat_map(|part| part.split(" and ")) {
                match part.split_once(" to ") {
                    Some((start, end)) => {
                        named.extend(start.parse::<u32>().unwrap()..=end.parse::<u32>().unwrap())
                    }
                    None => {
                        named.insert(part.parse::<u32>().unwrap());
                    }
                }
            }
            proptest::prop_assert_eq!(named, published);
        }
    }

    #[test]
    fn the_status_counts_only_linked_cards() {
        let html = render_one(
            "curriculum",
            &format!(
                "{MODULE}link = \"02-consistency/index.md\"\n{}",
                MODULE.replace("number = 2", "number = 3")
            ),
        )
        .unwrap();
        assert!(
            html.contains("<p class=\"dsip-curriculum-status\">Published so far: Module 2."),
            "{html}"
        );
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

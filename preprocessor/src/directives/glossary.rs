//! `glossary`: the course's terms, each with a one-line definition and the module that teaches it.
//! The directive renders the glossary list (the glossary page); the terms are also what a term link
//! in the prose (`[quorum](term:)`, `[quorums](term:quorum)`) shows on hover and on keyboard focus.
//! A term link naming no term, or a term defined twice, fails the build with its location.

use super::{module_label, Page};
use crate::course::{Found, Term};
use crate::errors::DirectiveError;
use crate::fields::{kebab_case, FieldSpec, Fields, Site};
use crate::render::{escape, Html};

pub(crate) const FIELDS: &[FieldSpec] = &[(
    "term",
    r#"[[term]] (then term = "...", definition = "..." and module = 2 on the lines below)"#,
)];

const TERM: &[FieldSpec] = &[
    ("term", r#"term = "read-your-writes""#),
    (
        "definition",
        r#"definition = "A session guarantee: after you write, your own reads see that write.""#,
    ),
    ("module", "module = 2"),
];

/// The terms of one glossary block, for the book-wide index (problems are left to its chapter).
pub(crate) fn terms(found: &Found) -> Vec<Term> {
    let site = Site::new(&found.block, &found.chapter);
    let Some(table) = site.parse() else {
        return Vec::new();
    };
    let fields = site.fields(table.get_ref(), FIELDS);
    fields
        .tables("term", TERM)
        .iter()
        .map(|entry| {
            let term = entry.string("term");
            Term {
                slug: kebab_case(&term),
                definition: entry.inline_markdown("definition"),
                module: entry.positive("module"),
                chapter: found.chapter.clone(),
                line: entry.line_of("term"),
                term,
            }
        })
        .filter(|term| !term.slug.is_empty())
        .collect()
}

/// The glossary list, alphabetical, each entry linking to the module that teaches it. One glossary
/// a page, so its id is fixed: `glossary-list` (a page titled Glossary has `#glossary`).
pub(crate) fn render(fields: &Fields<'_, '_>, page: &Page<'_>) -> String {
    let mut entries: Vec<(String, String, String, u32)> = Vec::new();
    for entry in fields.tables("term", TERM) {
        let term = entry.string("term");
        let definition = entry.inline_markdown("definition");
        let module = entry.positive("module");
        let line = entry.line_of("term");
        let slug = kebab_case(&term);
        if term.is_empty() {
            continue;
        }
        if slug.is_empty() {
            entry.invalid(
                "term",
                format!("`{term}` has no letters or digits to link it by"),
                "write the term in words, e.g. `term = \"quorum\"`",
            );
            continue;
        }
        if let Some(first) = page.course.term(&slug) {
            if first.chapter != page.path || first.line != line {
                entry.invalid(
                    "term",
                    format!(
                        "`{term}` is already defined at {}:{} (term links could mean either)",
                        first.chapter.display(),
                        first.line
                    ),
                    "keep one definition of each term and remove this one",
                );
                continue;
            }
        }
        if module > 0
            && page.course.knows_modules()
            && page.course.module_numbered(module).is_none()
        {
            entry.invalid(
                "module",
                format!(
                    "Module {module} is not in the book (no chapter has its `module` directive)"
                ),
                "name the published module that teaches the term, e.g. `module = 2`",
            );
        }
        entries.push((slug, term, definition, module));
    }
    entries.sort_by_key(|(slug, _, _, _)| slug.clone());
    let mut html = Html::new();
    html.open(
        "section",
        &[("class", "dsip-glossary"), ("id", "glossary-list")],
    );
    html.open("dl", &[("class", "dsip-glossary-terms")]);
    for (slug, term, definition, module) in &entries {
        html.open(
            "div",
            &[
                ("class", "dsip-glossary-entry"),
                ("id", &format!("term-{slug}")),
            ],
        );
        html.element("dt", &[], &format!("<dfn>{}</dfn>", escape(term)));
        html.open("dd", &[]);
        html.element("p", &[("class", "dsip-glossary-definition")], definition);
        let taught = match page.course.module_numbered(*module) {
            Some(info) => format!(
                "Taught in <a href=\"{}\">{}</a>",
                escape(&page.link(&info.chapter.to_string_lossy())),
                escape(&module_label(info.number, &info.title))
            ),
            None => format!("Taught in Module {module}"),
        };
        html.element("p", &[("class", "dsip-glossary-module")], &taught);
        html.close().close();
    }
    html.close().close();
    html.finish()
}

/// A term link from the prose, at `line`: the reader's text linking to the glossary entry, with the
/// definition beside it, shown on hover and on keyboard focus (CSS only, so it works without
/// JavaScript) and given to screen readers as the link's description.
pub(crate) fn term_link(
    slug: &str,
    text_html: &str,
    tip_id: &str,
    line: usize,
    page: &Page<'_>,
) -> Result<String, Box<DirectiveError>> {
    let Some(term) = page.course.term(slug) else {
        let known: Vec<&str> = page.course.terms.iter().map(|t| t.slug.as_str()).collect();
        let nearest = known
            .iter()
            .map(|known| (strsim::osa_distance(slug, known), *known))
            .filter(|(distance, known)| *distance <= (known.len() / 3).max(1))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known);
        let fix = match nearest {
            Some(nearest) => format!("did you mean `term:{nearest}`? (terms are kebab-case)"),
            None => {
                "define it as a [[term]] of the glossary directive in src/glossary.md, or link \
                     the term as the glossary spells it"
                    .to_string()
            }
        };
        return Err(Box::new(DirectiveError {
            file: page.path.to_path_buf(),
            line,
            directive: "glossary".to_string(),
            field: None,
            problem: format!("the term link `term:{slug}` names no glossary term"),
            fix,
        }));
    };
    let href = page.link(&format!(
        "{}#term-{slug}",
        term.chapter.to_string_lossy().replace('\\', "/")
    ));
    Ok(format!(
        "<span class=\"dsip-term\"><a class=\"dsip-term-link\" href=\"{}\" aria-describedby=\"{tip_id}\">{text_html}</a><span class=\"dsip-term-tip\" role=\"tooltip\" id=\"{tip_id}\"><dfn>{}</dfn>: {} <span class=\"dsip-term-module\">(Module {})</span></span></span>",
        escape(&href),
        escape(&term.term),
        term.definition,
        term.module
    ))
}

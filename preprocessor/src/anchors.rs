//! Anchors on a page: two cards with one id make every link to them reach only the first, and a
//! chapter has one module header. Checked per chapter, after each directive is rendered.

use std::collections::HashMap;
use std::path::Path;

use crate::errors::DirectiveError;
use crate::kind::Kind;
use crate::scan::Block;

/// The anchors (`id` attributes) the chapter's directives have produced so far, with the line of the
/// directive that produced each: two cards with one id would make every link to them ambiguous.
#[derive(Default)]
pub(crate) struct Anchors {
    seen: HashMap<String, (Kind, usize)>,
    module_header: Option<usize>,
}

impl Anchors {
    /// Reports every directive whose anchor is also the id mdBook gives a Markdown heading of the
    /// page (`## Framework: retry budget` becomes `#framework-retry-budget`): mdBook does not see our
    /// ids when it makes its own unique.
    pub(crate) fn clash_with_headings(
        &self,
        headings: &[(String, usize)],
        file: &Path,
    ) -> Vec<(usize, DirectiveError)> {
        headings
            .iter()
            .filter_map(|(id, heading_line)| {
                let &(kind, line) = self.seen.get(id)?;
                Some((
                    line,
                    DirectiveError {
                        file: file.to_path_buf(),
                        line,
                        directive: kind.name().to_string(),
                        field: None,
                        problem: format!(
                            "the anchor `#{id}` is also the id mdBook gives the heading at line {heading_line}"
                        ),
                        fix: "give the directive another id, or the heading another title (or an explicit `{#id}`)"
                            .to_string(),
                    },
                ))
            })
            .collect()
    }

    /// Records the anchors of one rendered directive, reporting any its page already has.
    pub(crate) fn add(
        &mut self,
        block: &Block,
        html: &str,
        file: &Path,
        errors: &mut Vec<DirectiveError>,
    ) {
        let report = |errors: &mut Vec<DirectiveError>, problem: String, fix: &str| {
            errors.push(DirectiveError {
                file: file.to_path_buf(),
                line: block.fence_line,
                directive: block.kind.name().to_string(),
                field: None,
                problem,
                fix: fix.to_string(),
            })
        };
        if block.kind == Kind::Module {
            if let Some(first) = self.module_header {
                report(
                    errors,
                    format!(
                        "a chapter has one module header, and this one's first is at line {first}"
                    ),
                    "keep one `module` directive, at the top of the module's first chapter",
                );
            }
            self.module_header.get_or_insert(block.fence_line);
        }
        // One message a directive: a card's clash on its anchor would repeat on its heading's id.
        let mut clashed = false;
        for anchor in ids_in(html) {
            match self.seen.get(anchor) {
                Some(_) if clashed => {}
                Some(&(kind, line)) if line == block.fence_line => report(
                    errors,
                    format!("the anchor `#{anchor}` appears twice in this {} directive", kind.name()),
                    "give every entry its own number or id",
                ),
                Some(&(kind, line)) => report(
                    errors,
                    format!(
                        "the anchor `#{anchor}` is already the {} directive's at line {line}",
                        kind.name()
                    ),
                    "give each directive on a page its own id (links to the anchor would reach only the first)",
                ),
                None => {
                    self.seen
                        .insert(anchor.to_string(), (block.kind, block.fence_line));
                    continue;
                }
            }
            clashed = true;
        }
    }
}

/// The values of the `id="..."` attributes in rendered directive HTML (ours are always double-quoted
/// and escaped, so a value ends at the next `"`).
fn ids_in(html: &str) -> impl Iterator<Item = &str> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
}

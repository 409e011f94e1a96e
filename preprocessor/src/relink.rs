//! Relative links in a Markdown field that is shown on another page than the one it was written on.
//!
//! A framework card is written in its module's chapter (`04-partitioning/hot-keys.md`) and shown
//! again on the frameworks sheet at the book's root. A link in its body such as
//! `the-skew-budget.md#framework-skew-budget` was written for the chapter's folder; copied as it is
//! onto the sheet it points at a page that does not exist. [`Moved::rebase`] rewrites such a link so
//! it lands on the same page and anchor from where it is shown.

use std::path::{Component, Path};

/// Where a field was written and where it is shown, both relative to the book's `src/`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Moved<'a> {
    /// The chapter the field is written in.
    pub from: &'a Path,
    /// The chapter that shows it.
    pub to: &'a Path,
}

impl Moved<'_> {
    /// The link as it must be written on `to` to reach what `url` reached from `from`, or `None`
    /// when the link needs no change: it has a scheme (`https:`, `mailto:`), starts at the site's
    /// root, or climbs above `src/` (a link no chapter can resolve is left for the build's link
    /// check to report as written).
    pub(crate) fn rebase(&self, url: &str) -> Option<String> {
        if url.is_empty() || url.starts_with('/') || has_scheme(url) {
            return None;
        }
        let (path, fragment) = url.split_at(url.find('#').unwrap_or(url.len()));
        // `#anchor` alone meant the chapter it was written in.
        let path = if path.is_empty() {
            self.from.file_name()?.to_str()?
        } else {
            path
        };
        let mut target: Vec<&str> = folders(self.from)?;
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    target.pop()?;
                }
                name => target.push(name),
            }
        }
        let up = "../".repeat(folders(self.to)?.len());
        // A link to `src/` itself from a root page must not become "", which means the page.
        let target = if target.is_empty() && up.is_empty() {
            ".".to_string()
        } else {
            target.join("/")
        };
        Some(format!("{up}{target}{fragment}"))
    }
}

/// The folders a chapter sits in, from `src/` down (`04-partitioning` for `04-partitioning/a.md`).
fn folders(chapter: &Path) -> Option<Vec<&str>> {
    chapter.parent().map_or(Some(Vec::new()), |parent| {
        parent
            .components()
            .map(|component| match component {
                Component::Normal(name) => name.to_str(),
                _ => None,
            })
            .collect()
    })
}

/// Whether `url` starts with a URI scheme (`https:`, `mailto:`): letters, digits, `+`, `-` or `.`
/// before the first `:`, with no `/`, `?` or `#` before it.
fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(colon) => {
            let scheme = &url[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => url.starts_with("//"),
    }
}

#[cfg(test)]
mod tests {
    use super::Moved;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    fn moved<'a>(from: &'a str, to: &'a str) -> Moved<'a> {
        Moved {
            from: Path::new(from),
            to: Path::new(to),
        }
    }

    #[test]
    fn a_sibling_link_on_a_chapter_gains_its_folder_on_a_root_page() {
        let sheet = moved("04-partitioning/the-skew-budget.md", "frameworks-sheet.md");
        assert_eq!(
            sheet
                .rebase("hot-keys.md#framework-hot-key-triage")
                .as_deref(),
            Some("04-partitioning/hot-keys.md#framework-hot-key-triage")
        );
        assert_eq!(
            sheet
                .rebase("../02-consistency/the-spectrum.md#dial")
                .as_deref(),
            Some("02-consistency/the-spectrum.md#dial")
        );
    }

    #[test]
    fn an_anchor_alone_points_back_at_the_chapter_it_was_written_in() {
        let sheet = moved("07-reliability/the-retry-budget.md", "frameworks-sheet.md");
        assert_eq!(
            sheet.rebase("#framework-retry-budget").as_deref(),
            Some("07-reliability/the-retry-budget.md#framework-retry-budget")
        );
    }

    #[test]
    fn a_page_in_a_folder_climbs_out_first() {
        let deeper = moved("index.md", "10-teardown/the-template.md");
        assert_eq!(
            deeper.rebase("glossary.md").as_deref(),
            Some("../glossary.md")
        );
    }

    #[test]
    fn external_rooted_and_impossible_links_are_left_alone() {
        let sheet = moved("04-partitioning/hot-keys.md", "frameworks-sheet.md");
        for url in [
            "https://example.com/a.md",
            "mailto:someone@example.com",
            "//cdn.example.com/x.js",
            "/absolute.html",
            "../../above-the-book.md",
            "",
        ] {
            assert_eq!(sheet.rebase(url), None, "{url}");
        }
    }

    /// Resolves `url` written on `chapter` to a path under `src/`, the way a browser would.
    fn resolve(chapter: &Path, url: &str) -> Option<String> {
        let (path, fragment) = url.split_at(url.find('#').unwrap_or(url.len()));
        let mut parts: Vec<String> = chapter
            .parent()
            .map(|p| p.iter().map(|c| c.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        if path.is_empty() {
            return Some(format!("{}{fragment}", chapter.display()));
        }
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                name => parts.push(name.to_string()),
            }
        }
        Some(format!("{}{fragment}", parts.join("/")))
    }

    fn chapter() -> impl Strategy<Value = PathBuf> {
        (prop::collection::vec("[a-c]{1,2}", 0..3), "[a-c]{1,2}").prop_map(|(folders, name)| {
            folders
                .iter()
                .collect::<PathBuf>()
                .join(format!("{name}.md"))
        })
    }

    fn relative_url() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(prop_oneof!["\\.\\.", "[a-c]{1,2}"], 0..4),
            prop::option::of("[a-c]{1,2}\\.md"),
            prop::option::of("#[a-z-]{1,5}"),
        )
            .prop_map(|(parts, file, fragment)| {
                let mut url = parts.join("/");
                if let Some(file) = file {
                    if !url.is_empty() {
                        url.push('/');
                    }
                    url.push_str(&file);
                }
                url.push_str(&fragment.unwrap_or_default());
                url
            })
    }

    proptest! {
        /// For any two chapters and any relative link that resolves from the first, the rebased
        /// link resolves from the second to the same page and anchor.
        #[test]
        fn a_rebased_link_reaches_what_the_original_reached(
            from in chapter(),
            to in chapter(),
            url in relative_url(),
        ) {
            let moved = Moved { from: &from, to: &to };
            let original = resolve(&from, &url);
            match moved.rebase(&url) {
                Some(rebased) => prop_assert_eq!(resolve(&to, &rebased), original),
                None => prop_assert!(original.is_none() || url.is_empty(), "{url} left alone"),
            }
        }
    }
}

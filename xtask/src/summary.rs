//! The book's chapters as `src/SUMMARY.md` lists them. A Markdown file under `src/` that SUMMARY.md
//! does not link (a module being written, unpublished) is not part of the book: mdBook does not
//! build it, so nothing that checks the book (its snippets, its output blocks, `cargo xtask check`)
//! may count it either.

use std::path::{Path, PathBuf};

use anyhow::Result;
use mdbook_summary::{Link, Summary, SummaryItem};

/// Parses SUMMARY.md's text, naming the file in the error.
pub fn parse(text: &str) -> Result<Summary> {
    mdbook_summary::parse_summary(text)
        .map_err(|error| anyhow::anyhow!("src/SUMMARY.md: {error:#}"))
}

/// Every chapter file SUMMARY.md links, relative to `src/`, in book order (drafts have no file).
pub fn linked_chapters(summary: &Summary) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for item in summary
        .prefix_chapters
        .iter()
        .chain(&summary.numbered_chapters)
        .chain(&summary.suffix_chapters)
    {
        if let SummaryItem::Link(link) = item {
            collect(link, &mut paths);
        }
    }
    paths
}

/// The chapter files of the book whose sources are in `src_dir`, relative to it.
pub fn chapters_in(src_dir: &Path) -> Result<Vec<PathBuf>> {
    let path = src_dir.join("SUMMARY.md");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| anyhow::anyhow!("could not read {}: {error}", path.display()))?;
    Ok(linked_chapters(&parse(&text)?))
}

/// A chapter's file and those of every chapter nested under it (a module's pages).
pub fn pages_under(link: &Link) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    collect(link, &mut paths);
    paths
}

fn collect(link: &Link, paths: &mut Vec<PathBuf>) {
    paths.extend(link.location.clone());
    for item in &link.nested_items {
        if let SummaryItem::Link(nested) = item {
            collect(nested, paths);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_and_unlisted_files_are_not_chapters() {
        let summary = parse(
            "# Summary\n\n[Intro](index.md)\n\n# Part\n\n- [One](01/index.md)\n    - [Page](01/page.md)\n- [Two]()\n",
        )
        .unwrap();
        assert_eq!(
            linked_chapters(&summary),
            [
                PathBuf::from("index.md"),
                PathBuf::from("01/index.md"),
                PathBuf::from("01/page.md")
            ]
        );
    }
}

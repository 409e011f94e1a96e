//! The real book: every chapter SUMMARY.md links expands with no error, the whole book at once as
//! mdBook runs it (so the landing page's curriculum links and the prose's term links must all
//! resolve), and every raw HTML block of the result is balanced the way mdBook reads it.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The book's `src/` directory.
fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../src")
}

/// The chapter paths SUMMARY.md links, relative to `src/` (draft chapters, `[Title]()`, have none).
fn summary_chapters(src: &Path) -> HashSet<PathBuf> {
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    summary
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|link| link.ends_with(".md"))
        .map(PathBuf::from)
        .collect()
}

/// Every `.md` file under `dir`, relative to `root`.
fn markdown_files(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(root, &path, found);
        } else if path.extension().is_some_and(|extension| extension == "md") {
            found.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

#[test]
fn every_chapter_of_the_book_expands() {
    let src = book_src();
    let chapters = summary_chapters(&src);
    let mut files = Vec::new();
    markdown_files(&src, &src, &mut files);
    files.sort();
    // The whole book at once, as mdBook runs the preprocessor: term links in a module's prose
    // resolve only against the glossary page.
    // Only what SUMMARY.md links is in the book, so a curriculum link must name one of those.
    let book: Vec<mdbook_dsip::BookChapter> = files
        .iter()
        .filter(|file| chapters.contains(*file))
        .map(|file| {
            let source = fs::read_to_string(src.join(file)).unwrap();
            mdbook_dsip::BookChapter {
                path: file.clone(),
                name: String::new(),
                source,
            }
        })
        .collect();
    let mut errors = Vec::new();
    let mut directives = 0;
    for (chapter, result) in book.iter().zip(mdbook_dsip::expand_book(&book)) {
        match result {
            Ok(expanded) => {
                common::assert_mdbook_accepts(&expanded);
                directives += expanded.matches("class=\"dsip-").count();
            }
            Err(problems) => errors.extend(
                problems
                    .iter()
                    .map(|problem| format!("{}: {problem}", chapter.path.display())),
            ),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        files.len() > 10 && directives > 20,
        "found only {} chapters and {directives} directives under {}",
        files.len(),
        src.display()
    );
}

/// The frameworks sheet, expanded with the whole book as mdBook runs the preprocessor, holds a card
/// for every framework callout of every chapter SUMMARY.md publishes, and nothing else.
#[test]
fn the_frameworks_sheet_has_every_framework_of_the_book() {
    let src = book_src();
    let mut chapters: Vec<PathBuf> = summary_chapters(&src).into_iter().collect();
    chapters.sort();
    let book: Vec<mdbook_dsip::BookChapter> = chapters
        .iter()
        .map(|path| mdbook_dsip::BookChapter {
            path: path.clone(),
            name: String::new(),
            source: fs::read_to_string(src.join(path)).unwrap(),
        })
        .collect();
    let expanded = mdbook_dsip::expand_book(&book);
    let mut frameworks = Vec::new();
    let mut sheet = None;
    for (chapter, result) in book.iter().zip(&expanded) {
        let html = result
            .as_ref()
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        if html.contains("class=\"dsip-frameworks-sheet\"") {
            sheet = Some(html.clone());
            continue;
        }
        for rest in html
            .split("<article class=\"dsip-framework\" id=\"framework-")
            .skip(1)
        {
            let id = rest.split('"').next().unwrap().to_string();
            frameworks.push((chapter.path.clone(), id));
        }
    }
    let sheet = sheet.expect("a chapter of SUMMARY.md holds the frameworks-sheet directive");
    assert!(
        frameworks.len() >= 10,
        "only {} frameworks found",
        frameworks.len()
    );
    for (chapter, id) in &frameworks {
        assert!(
            sheet.contains(&format!("id=\"sheet-{id}\"")),
            "the sheet has no card for framework `{id}` of {}",
            chapter.display()
        );
        let link = format!("{}#framework-{id}", chapter.display()).replace(".md#", ".html#");
        assert!(
            sheet.contains(&link),
            "the card `{id}` does not link to {link}"
        );
    }
    assert_eq!(
        sheet
            .matches("class=\"dsip-framework dsip-sheet-card\"")
            .count(),
        frameworks.len()
    );
}

/// A card's relative links were written for its chapter's folder; on the sheet, at the book's
/// root, they must still reach the same pages (they did not: four cards pointed at missing pages).
#[test]
fn links_in_a_card_still_land_when_the_sheet_shows_it_from_another_folder() {
    let chapter = |path: &str, source: &str| mdbook_dsip::BookChapter {
        path: PathBuf::from(path),
        name: String::new(),
        source: source.to_string(),
    };
    let card = "```framework\nid = \"budget\"\nname = \"The Budget\"\nthesis = \"T.\"\n\
                body = \"See [the triage](hot-keys.md#triage), [above](#budget-why) and [Module 2](../02-c/dial.md).\"\n\
                use_when = \"[Always](https://example.com/a.md).\"\n```\n";
    let book = [
        chapter("04-p/skew.md", &format!("# Skew\n\n{card}")),
        chapter(
            "sheet.md",
            "# Sheet\n\n```frameworks-sheet\nintro = \"All.\"\n```\n",
        ),
    ];
    let expanded = mdbook_dsip::expand_book(&book);
    let own = expanded[0].as_ref().unwrap();
    let sheet = expanded[1].as_ref().unwrap();
    assert!(own.contains("href=\"hot-keys.md#triage\""), "{own}");
    assert!(own.contains("href=\"#budget-why\""), "{own}");
    assert!(
        sheet.contains("href=\"04-p/hot-keys.md#triage\""),
        "{sheet}"
    );
    assert!(
        sheet.contains("href=\"04-p/skew.md#budget-why\""),
        "{sheet}"
    );
    assert!(sheet.contains("href=\"02-c/dial.md\""), "{sheet}");
    assert!(
        sheet.contains("href=\"https://example.com/a.md\""),
        "{sheet}"
    );
}

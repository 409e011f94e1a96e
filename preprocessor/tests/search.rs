//! Search: a small book built by mdBook itself (mdbook-driver with its `search` feature, as
//! `cargo xtask build` does), whose search index must give each directive heading its own result,
//! with breadcrumbs that read as the page's structure ("Chapter » card"), never a heading repeated.

use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_dsip::Dsip;

const CHAPTER: &str = r#"# Chapter

Intro.

## The curriculum

```curriculum
[[module]]
number = 1
title = "The Single-Node Lie"
subtitle = "S"
track = "Foundations"
minutes = 55
frameworks = ["The Assumption Ledger"]
anchor = "A"

[[module]]
number = 2
title = "Consistency Is a Per-Operation Decision"
subtitle = "S"
track = "Foundations"
minutes = 50
frameworks = ["PACELC"]
anchor = "A"
```

## Frameworks

```framework
id = "assumption-ledger"
name = "The Assumption Ledger"
thesis = "Write assumptions down."
body = "- [ ] Clocks agree"
use_when = "Reviewing a design."
```

```ladder
id = "order"
question = "How would you order two writes?"

[[answer]]
level = "L3"
answer = "Timestamps."
missed = "Clocks drift."

[[answer]]
level = "L4"
answer = "Lamport clocks."
missed = "Concurrency."

[[answer]]
level = "L5"
answer = "Vector clocks."
missed = "Size."

[[answer]]
level = "L6"
answer = "It depends on the question asked."
missed = "Nothing."
```

## Later

Closing words about fencing tokens.
"#;

/// A scratch directory for one test's book, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn build_book(root: &Path) {
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(
        root.join("book.toml"),
        "[book]\ntitle = \"Search test\"\nsrc = \"src\"\n\n[output.html.search]\nenable = true\n",
    )
    .unwrap();
    fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Chapter](chapter.md)\n",
    )
    .unwrap();
    fs::write(root.join("src/chapter.md"), CHAPTER).unwrap();
    let mut book = MDBook::load(root).unwrap();
    book.with_preprocessor(Dsip);
    book.build().unwrap();
}

/// The JSON inside `searchindex.js` (`window.search = Object.assign(window.search, JSON.parse('...'));`).
fn search_index(book: &Path) -> serde_json::Value {
    let file = fs::read_dir(book)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("searchindex") && name.ends_with(".js")
        })
        .expect("mdBook wrote a searchindex*.js");
    let script = fs::read_to_string(file).unwrap();
    let start = script.find("JSON.parse('").unwrap() + "JSON.parse('".len();
    let end = script.rfind("'));").unwrap();
    let mut json = String::new();
    let mut chars = script[start..end].chars();
    while let Some(c) = chars.next() {
        json.push(if c == '\\' { chars.next().unwrap() } else { c });
    }
    serde_json::from_str(&json).unwrap()
}

#[test]
fn each_directive_heading_is_one_search_result_with_plain_breadcrumbs() {
    let root = Scratch(std::env::temp_dir().join(format!("dsip-search-{}", std::process::id())));
    build_book(&root.0);
    let index = search_index(&root.0.join("book"));
    let urls: Vec<String> = index["doc_urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|url| url.as_str().unwrap().to_string())
        .collect();
    let docs = index["index"]["documentStore"]["docs"].as_object().unwrap();
    let mut results: Vec<(String, String)> = docs
        .iter()
        .map(|(reference, doc)| {
            let url = &urls[reference.parse::<usize>().unwrap()];
            (
                url.clone(),
                doc["breadcrumbs"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    results.sort();
    let mut expected: Vec<(String, String)> = [
        ("chapter.html#chapter", "Chapter » Chapter"),
        ("chapter.html#the-curriculum", "Chapter » The curriculum"),
        (
            "chapter.html#curriculum-module-1-title",
            "Chapter » The Single-Node Lie",
        ),
        (
            "chapter.html#curriculum-module-2-title",
            "Chapter » Consistency Is a Per-Operation Decision",
        ),
        ("chapter.html#frameworks", "Chapter » Frameworks"),
        (
            "chapter.html#framework-assumption-ledger-title",
            "Chapter » The Assumption Ledger",
        ),
        (
            "chapter.html#ladder-order-title",
            "Chapter » How would you order two writes?",
        ),
        ("chapter.html#later", "Chapter » Later"),
    ]
    .iter()
    .map(|(url, crumbs)| (url.to_string(), crumbs.to_string()))
    .collect();
    expected.sort();
    assert_eq!(results, expected);
}

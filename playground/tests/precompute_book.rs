//! The build step: snippets read from built HTML, precomputed, written as static files, and then
//! served from the table.

mod common;

use std::sync::Arc;

use playground::precompute::{lookup_key, precompute_book, snippets_from_html};
use playground::Playground;

#[tokio::test]
async fn a_built_book_gets_its_results_and_meta_files() {
    let book = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(book.path().join("01-module")).unwrap();
    std::fs::write(
        book.path().join("01-module/page.html"),
        r#"<main><pre class="playground"><code class="language-rust edition2021"><span class="boring">use demo::Clock;
</span>fn main() { let mut c = Clock::new(); println!("&lt;{}&gt;", c.tick()); }</code></pre>
<pre class="playground"><code class="language-rust edition2021 compile_fail">fn main() { let x: u8 = 300u16; }</code></pre></main>"#,
    )
    .unwrap();
    // print.html repeats every snippet: deduplicated by key.
    std::fs::copy(
        book.path().join("01-module/page.html"),
        book.path().join("print.html"),
    )
    .unwrap();

    let mut config = common::config().batch();
    let pg = Playground::new(config.clone()).unwrap();
    let report = precompute_book(&pg, book.path()).await.unwrap();
    assert_eq!((report.snippets, report.results), (4, 2));
    assert_eq!(report.failing.len(), 1, "the compile_fail snippet");

    let dir = book.path().join("playground");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta-crates.json")).unwrap()).unwrap();
    assert_eq!(meta["crates"][0]["id"], "demo");

    config.precomputed = Some(dir.join("precomputed.json"));
    let served = Arc::new(Playground::new(config).unwrap());
    let html = std::fs::read_to_string(book.path().join("01-module/page.html")).unwrap();
    let first = &snippets_from_html(&html)[0];
    let (resp, source) = served.evaluate_traced(first.clone()).await;
    assert_eq!(
        source,
        playground::Source::Precomputed,
        "{}",
        lookup_key(first)
    );
    assert_eq!(resp.result, "<1>\n");
}

//! Build-time results: every snippet in the book is compiled and run once, and the results ship
//! with the book as static files, so Run on an unedited snippet needs no compile and no server.
//!
//! Two files go into `<book>/playground/`: `precomputed.json` (lookup key → result) and
//! `meta-crates.json` (the `/meta/crates` answer, so Run buttons appear on a static host). The
//! shim in `theme/head.hbs` computes the same key in the browser.
//!
//! The key is FNV-1a 64 (hex) of `version NUL optimize NUL edition NUL code`, with the code's CRLF
//! turned into LF and ASCII whitespace trimmed from both ends. FNV rather than SHA-256 because
//! `crypto.subtle` exists only in secure contexts, and the book must also work from plain-http LAN
//! hosts; collisions are harmless here (the map holds only the book's own snippets, so a collision
//! could at worst show another snippet's output for an edited one, and 64 bits makes even that
//! vanishingly unlikely). The server's cache uses SHA-256 (see [`crate::cache`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::wire::{CratesResponse, EvaluateRequest, EvaluateResponse, Outcome};
use crate::Playground;

/// Format version of `precomputed.json`; bump when the key or the shape changes.
pub const FORMAT: u32 = 1;
/// Directory under the book where the static files go.
pub const STATIC_DIR: &str = "playground";
/// File name of the precomputed results.
pub const PRECOMPUTED_FILE: &str = "precomputed.json";
/// File name of the static `/meta/crates` answer.
pub const META_CRATES_FILE: &str = "meta-crates.json";

/// The precomputed results, as stored in `precomputed.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Precomputed {
    /// [`FORMAT`].
    pub format: u32,
    /// How keys are computed, for humans reading the file.
    pub key: String,
    /// `rustc -V` of the toolchain that produced the results.
    pub toolchain: String,
    /// Lookup key → result.
    pub entries: BTreeMap<String, EvaluateResponse>,
}

impl Precomputed {
    /// Reads a `precomputed.json`.
    pub fn load(path: &Path) -> Result<Precomputed> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let table: Precomputed =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        if table.format != FORMAT {
            bail!(
                "{} has format {}, expected {FORMAT}; rebuild the book",
                path.display(),
                table.format
            );
        }
        Ok(table)
    }

    /// The entries as a hash map for O(1) lookups at serve time.
    pub fn into_map(self) -> HashMap<String, EvaluateResponse> {
        self.entries.into_iter().collect()
    }
}

/// The snippet text as the key sees it: LF line ends, no surrounding ASCII whitespace.
///
/// Trimming makes the key robust to how the browser extracted the text (textContent vs the
/// editor's value) without changing what rustc compiles in any way that matters.
pub fn normalize_code(code: &str) -> String {
    code.replace("\r\n", "\n")
        .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        .to_owned()
}

/// The lookup key of a request; `theme/head.hbs` computes the same in JavaScript.
pub fn lookup_key(req: &EvaluateRequest) -> String {
    let canonical = format!(
        "{}\0{}\0{}\0{}",
        req.version,
        req.optimize,
        req.edition,
        normalize_code(&req.code)
    );
    format!("{:016x}", fnv1a64(canonical.as_bytes()))
}

/// FNV-1a, 64-bit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Compiles and runs every snippet (deduplicated) through `playground`, at most its configured
/// concurrency at a time, waiting for slots rather than being told "busy".
///
/// Fails if the sandbox failed on any snippet: shipping a wrong precomputed answer is worse than a
/// failed build. Snippets that fail to compile or panic are stored as they are (a `compile_fail`
/// snippet's Run shows rustc's message, as it would live).
pub async fn precompute(
    playground: &Playground,
    snippets: &[EvaluateRequest],
) -> Result<Precomputed> {
    let mut unique: BTreeMap<String, &EvaluateRequest> = BTreeMap::new();
    for snippet in snippets {
        unique.entry(lookup_key(snippet)).or_insert(snippet);
    }
    let results: Vec<(String, EvaluateResponse)> = futures_util::stream::iter(unique)
        .map(|(key, req)| async move { (key, playground.evaluate_fresh(req.clone()).await) })
        .buffer_unordered(playground.concurrency())
        .collect()
        .await;
    let mut entries = BTreeMap::new();
    for (key, resp) in results {
        if matches!(resp.outcome, Outcome::InternalError | Outcome::Busy) {
            bail!("precomputing snippet {key} failed: {}", resp.result);
        }
        entries.insert(key, resp);
    }
    Ok(Precomputed {
        format: FORMAT,
        key: "fnv1a64(version NUL optimize NUL edition NUL trim(code with CRLF->LF))".to_owned(),
        toolchain: playground.toolchain_version().to_owned(),
        entries,
    })
}

/// Build-time environment variable: the playground server a statically hosted book should use.
pub const SERVER_URL_ENV: &str = "DSIP_PLAYGROUND_URL";

/// `meta-crates.json`: the `/meta/crates` answer plus, optionally, where the server is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaticMeta {
    /// As `/meta/crates` answers.
    pub crates: Vec<crate::wire::CrateInfo>,
    /// Base URL of the playground server for edited snippets; absent = the book's own origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// Writes `<book_dir>/playground/precomputed.json` and `meta-crates.json`.
///
/// `server` is the playground server a static host should send edited snippets to (a static
/// host has none of its own); `None` = same origin, as with `cargo xtask serve`.
pub fn write_static_files(
    book_dir: &Path,
    precomputed: &Precomputed,
    crates: &CratesResponse,
    server: Option<&str>,
) -> Result<PathBuf> {
    let dir = book_dir.join(STATIC_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(PRECOMPUTED_FILE), serde_json::to_vec(precomputed)?)?;
    let meta = StaticMeta {
        crates: crates.crates.clone(),
        server: server.map(str::to_owned),
    };
    std::fs::write(dir.join(META_CRATES_FILE), serde_json::to_vec(&meta)?)?;
    Ok(dir)
}

/// What [`precompute_book`] did.
#[derive(Debug, Clone)]
pub struct BookReport {
    /// Snippets found in the HTML (before deduplication).
    pub snippets: usize,
    /// Distinct results written.
    pub results: usize,
    /// Results that were not a clean success (compile error, panic, limit), by key.
    pub failing: Vec<(String, Outcome)>,
    /// The directory written to.
    pub dir: PathBuf,
}

/// The whole build step in one call: read every built page under `book_dir`, take the Run-able
/// snippets exactly as `book.js` will send them, precompute, and write the static files (with
/// `DSIP_PLAYGROUND_URL`, if set at build time, as the server for edited snippets).
///
/// Reading the built HTML (not the Markdown) guarantees the same text the browser sends: mdBook
/// has already applied hidden lines and its `fn main` wrapper.
pub async fn precompute_book(playground: &Playground, book_dir: &Path) -> Result<BookReport> {
    let snippets = book_snippets(book_dir)?;
    let precomputed = precompute(playground, &snippets).await?;
    let failing = precomputed
        .entries
        .iter()
        .filter(|(_, r)| !r.is_success())
        .map(|(k, r)| (k.clone(), r.outcome.clone()))
        .collect();
    let server = std::env::var(SERVER_URL_ENV).ok().filter(|s| !s.is_empty());
    let dir = write_static_files(
        book_dir,
        &precomputed,
        &playground.crates(),
        server.as_deref(),
    )?;
    Ok(BookReport {
        snippets: snippets.len(),
        results: precomputed.entries.len(),
        failing,
        dir,
    })
}

/// Every Run-able snippet on every built page under `book_dir` (repeats included: `print.html`
/// holds them all again), as the requests `book.js` would send.
pub fn book_snippets(book_dir: &Path) -> Result<Vec<EvaluateRequest>> {
    let mut pages = Vec::new();
    collect_html(book_dir, &mut pages)?;
    let mut snippets = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(&page)
            .with_context(|| format!("reading {}", page.display()))?;
        snippets.extend(snippets_from_html(&html));
    }
    Ok(snippets)
}

fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_html(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
    Ok(())
}

/// The Run-able snippets of one mdBook page, as the requests `book.js` would send.
///
/// mdBook 0.5 renders a playground as `<pre class="playground"><code class="language-rust
/// edition2021 ...">` whose text (hidden lines in `<span class="boring">`) is `book.js`'s
/// `textContent`. Blocks marked `no_run` are skipped: `book.js` hides their Run button.
pub fn snippets_from_html(html: &str) -> Vec<EvaluateRequest> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<pre") {
        rest = &rest[start + 4..];
        let Some(tag_end) = rest.find('>') else { break };
        if !class_of(&rest[..tag_end])
            .split_whitespace()
            .any(|c| c == "playground")
        {
            continue;
        }
        rest = &rest[tag_end + 1..];
        let Some(code_start) = rest.find("<code") else {
            break;
        };
        let Some(code_tag_end) = rest[code_start..].find('>') else {
            break;
        };
        let classes = class_of(&rest[code_start..code_start + code_tag_end]).to_owned();
        let body_start = code_start + code_tag_end + 1;
        let Some(body_len) = rest[body_start..].find("</code>") else {
            break;
        };
        let body = &rest[body_start..body_start + body_len];
        rest = &rest[body_start + body_len..];
        if classes.split_whitespace().any(|c| c == "no_run") {
            continue;
        }
        let edition = classes
            .split_whitespace()
            .find_map(|c| c.strip_prefix("edition"))
            .unwrap_or("2015");
        let text = decode_entities(&strip_tags(body));
        out.push(EvaluateRequest::like_book_js(&text, edition));
    }
    out
}

fn class_of(tag: &str) -> &str {
    tag.find("class=\"")
        .map(|i| &tag[i + 7..])
        .and_then(|rest| rest.find('"').map(|j| &rest[..j]))
        .unwrap_or("")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => in_tag = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn key_ignores_surrounding_whitespace_and_crlf() {
        let a = EvaluateRequest::like_book_js("fn main() {\r\n}\n\n", "2021");
        let b = EvaluateRequest::like_book_js("\nfn main() {\n}", "2021");
        assert_eq!(lookup_key(&a), lookup_key(&b));
        let c = EvaluateRequest::like_book_js("fn main() {\n}", "2018");
        assert_ne!(lookup_key(&a), lookup_key(&c));
    }

    #[test]
    fn extracts_snippets_like_book_js() {
        let html = r#"<p>x</p><pre class="playground"><code class="language-rust edition2021"><span class="boring">use std::fmt;
</span>fn main() { println!("{} &lt;&amp;&gt; &quot;", 1); }</code></pre>
<pre><code class="language-toml">a = 1</code></pre>
<pre class="playground"><code class="language-rust no_run edition2021">fn main() {}</code></pre>
<pre class="playground"><code class="language-rust">#![feature(never_type)]
fn main() {}</code></pre>"#;
        let found = snippets_from_html(html);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].code,
            "use std::fmt;\nfn main() { println!(\"{} <&> \\\"\", 1); }".replace("\\\"", "\"")
        );
        assert_eq!(found[0].edition, "2021");
        assert_eq!(found[1].edition, "2015");
        assert_eq!(found[1].version, "nightly");
    }
}

//! Every link inside the built book lands.
//!
//! mdBook rewrites `page.md#anchor` to `page.html#anchor` and checks neither half: a link to a page
//! that does not exist, or to an anchor its target page does not have (a heading renamed, a card's
//! id changed), builds without a word and sends the reader to a 404 or to the top of the wrong
//! page. So after mdBook has written the site, we read every page's HTML back with html5ever's
//! tokenizer (the one mdBook and our preprocessor already use: no new parser, and it decodes
//! entities and skips `<script>` and `<style>` content exactly as a browser does), collect each
//! page's `href`s and `src`s and its `id`s (and `<a name>`s), and resolve each relative link as a
//! browser would. A link fails when the file it names is not in the site, or when its `#fragment`
//! matches no id on the target page. Every broken link is listed at once.
//!
//! Not checked: links with a scheme (`https:`, `mailto:`, `data:`, ...), which leave the book;
//! links that widgets and mdBook's scripts create in the page at run time (the sidebar that
//! `toc.js` draws has the same links as `toc.html`, which is checked); and the links *on* two pages
//! mdBook makes itself: `print.html`, its rewrite of every chapter's links into one page (each is
//! checked on its own chapter, and a broken one would be listed twice, once with no source to fix),
//! and `404.html`, whose `<base href="/">` sends even its heading's `#` link to the home page.
//! Links *to* them are checked.

use anyhow::{bail, Result};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use percent_encoding::percent_decode_str;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// mdBook's own pages, whose links are not checked (see the module's doc).
const NOT_CHECKED: &[&str] = &["print.html", "404.html"];

/// The built site as the check sees it: every file's path relative to the site's root, with `/`
/// between folders, and the HTML of every page.
#[derive(Debug, Default)]
pub struct Site {
    /// Every file in the site, pages included.
    pub files: BTreeSet<String>,
    /// Every `.html` file's text, by path.
    pub pages: BTreeMap<String, String>,
}

impl Site {
    /// Reads the site under `dir`.
    pub fn read(dir: &Path) -> Result<Site> {
        let mut site = Site::default();
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let relative = path
                    .strip_prefix(dir)?
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if relative.ends_with(".html") {
                    site.pages
                        .insert(relative.clone(), std::fs::read_to_string(&path)?);
                }
                site.files.insert(relative);
            }
        }
        Ok(site)
    }
}

/// One link that does not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page the link is on, relative to the site's root.
    pub page: String,
    /// The link as written in the page's HTML.
    pub link: String,
    /// What the link needs and the site lacks.
    pub missing: Missing,
}

/// What a broken link needs and the site lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No file at the path the link resolves to.
    File {
        /// The path, relative to the site's root.
        target: String,
    },
    /// The target page exists but has no element with the fragment as its id.
    Anchor {
        /// The target page, relative to the site's root.
        target: String,
        /// The fragment, decoded.
        fragment: String,
        /// The target page's id nearest to the fragment, if one is near.
        nearest: Option<String>,
    },
    /// The link climbs (`../`) above the site's root.
    OutsideSite,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            page,
            link,
            missing,
        } = self;
        write!(f, "{page}: link `{link}`: ")?;
        match missing {
            Missing::File { target } => write!(
                f,
                "no file {target} in the built book; link the chapter's .md file, relative to \
                 this page's, as SUMMARY.md lists it (mdBook turns it into the .html)"
            ),
            Missing::Anchor {
                target,
                fragment,
                nearest,
            } => {
                write!(f, "{target} has no element with id `{fragment}`; ")?;
                if let Some(nearest) = nearest {
                    write!(f, "did you mean `#{nearest}`? ")?;
                }
                write!(
                    f,
                    "(a heading's id is its text in lower case, punctuation dropped, spaces as \
                     `-`, with `-1`, `-2` on repeats; a card's is `<kind>-<id>`)"
                )
            }
            Missing::OutsideSite => write!(
                f,
                "its `../` climb above the book's root; count one `../` per folder this page is in"
            ),
        }
    }
}

/// Checks every link in the site under `dir`; fails listing every broken one, each with the
/// Markdown file to fix (under `src_dir`) when there is one. Returns how many links were checked.
pub fn check(dir: &Path, src_dir: &Path) -> Result<usize> {
    let site = Site::read(dir)?;
    let (checked, broken) = broken_links(&site);
    if broken.is_empty() {
        return Ok(checked);
    }
    let mut message = format!(
        "{} of the book's {checked} internal links do not land:",
        broken.len()
    );
    for link in &broken {
        message.push_str(&format!("\n  {link}"));
        if let Some(source) = source_of(src_dir, &link.page) {
            message.push_str(&format!(" [fix it in {source}]"));
        }
    }
    bail!(message)
}

/// The Markdown file a page is built from: `a/b.html` from `a/b.md`, `a/index.html` from
/// `a/index.md` or `a/README.md`.
fn source_of(src_dir: &Path, page: &str) -> Option<String> {
    let stem = page.strip_suffix(".html")?;
    let mut candidates = vec![format!("{stem}.md")];
    if let Some(folder) = stem.strip_suffix("index") {
        candidates.push(format!("{folder}README.md"));
    }
    // Named from the book's folder, as the preprocessor names files: `src/a/b.md`.
    let book = src_dir.parent().unwrap_or(src_dir);
    candidates
        .into_iter()
        .map(|candidate| src_dir.join(candidate))
        .find(|path| path.is_file())
        .map(|path| {
            path.strip_prefix(book)
                .unwrap_or(&path)
                .display()
                .to_string()
        })
}

/// Every broken link in `site`, in page order, and how many internal links were checked.
pub fn broken_links(site: &Site) -> (usize, Vec<BrokenLink>) {
    let mut scanned: HashMap<&str, Scan> = HashMap::new();
    let mut checked = 0;
    let mut broken = Vec::new();
    for (page, html) in &site.pages {
        if NOT_CHECKED.contains(&page.as_str()) {
            continue;
        }
        let scan = scanned
            .entry(page.as_str())
            .or_insert_with(|| Scan::of(html));
        let base = scan.base.clone();
        let links = std::mem::take(&mut scan.links);
        for link in links {
            let Some(target) = resolve(page, base.as_deref(), &link) else {
                continue;
            };
            checked += 1;
            let missing = match target {
                Err(outside) => Some(outside),
                Ok((path, fragment)) => missing(site, &mut scanned, path, fragment),
            };
            if let Some(missing) = missing {
                broken.push(BrokenLink {
                    page: page.clone(),
                    link,
                    missing,
                });
            }
        }
    }
    (checked, broken)
}

/// What `path#fragment` lacks in `site`, if anything. Pages are scanned once, when first needed.
fn missing<'a>(
    site: &'a Site,
    scanned: &mut HashMap<&'a str, Scan>,
    path: String,
    fragment: Option<String>,
) -> Option<Missing> {
    let path = if site.files.contains(&path) {
        path
    } else {
        // A folder is served as its index.html, as every static host does.
        let index = format!("{}index.html", with_slash(&path));
        if !site.files.contains(&index) {
            return Some(Missing::File { target: path });
        }
        index
    };
    let fragment = fragment.filter(|fragment| !fragment.is_empty())?;
    let (page, html) = site.pages.get_key_value(&path)?;
    let ids = &scanned
        .entry(page.as_str())
        .or_insert_with(|| Scan::of(html))
        .ids;
    let decoded = percent_decode_str(&fragment).decode_utf8_lossy();
    // A browser tries the fragment as written, then percent-decoded; `#top` is the page's top.
    if ids.contains(&fragment) || ids.contains(decoded.as_ref()) || decoded == "top" {
        return None;
    }
    let nearest = ids
        .iter()
        .map(|id| (strsim::osa_distance(&decoded, id), id))
        .filter(|(distance, _)| *distance <= 3.max(decoded.len() / 4))
        .min()
        .map(|(_, id)| id.clone());
    Some(Missing::Anchor {
        target: path,
        fragment: decoded.into_owned(),
        nearest,
    })
}

fn with_slash(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// Where `link`, written on `page` (under `<base href>` if the page has one), points in the site:
/// `None` when it leaves the site (it has a scheme), else the file's path, decoded, with the
/// fragment as written (empty path: the page itself), or `Err` when it climbs above the root.
/// A path starting with `/` is taken from the site's root, as mdBook's 404 page does with its
/// `<base href="/">`.
fn resolve(
    page: &str,
    base: Option<&str>,
    link: &str,
) -> Option<Result<(String, Option<String>), Missing>> {
    let link = link.trim();
    if has_scheme(link) || link.starts_with("//") {
        return None;
    }
    let document = match base {
        Some(base) if has_scheme(base) || base.starts_with("//") => return None,
        Some(base) => join(page, base),
        None => Ok(page.to_string()),
    };
    let (rest, fragment) = match link.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment.to_string())),
        None => (link, None),
    };
    let path = rest.split('?').next().unwrap_or_default();
    let target = match document {
        Ok(document) if path.is_empty() => Ok(document),
        Ok(document) => join(&document, path),
        Err(outside) => Err(outside),
    };
    Some(target.map(|target| {
        let target = percent_decode_str(&target).decode_utf8_lossy().into_owned();
        (target, fragment)
    }))
}

/// `reference` resolved against the document at `from`, both relative to the site's root.
fn join(from: &str, reference: &str) -> Result<String, Missing> {
    let mut parts: Vec<&str> = if let Some(absolute) = reference.strip_prefix('/') {
        return normalise(Vec::new(), absolute);
    } else {
        from.split('/').collect()
    };
    parts.pop(); // the document's own name
    normalise(parts, reference)
}

fn normalise<'a>(mut parts: Vec<&'a str>, reference: &'a str) -> Result<String, Missing> {
    for segment in reference.split('/') {
        match segment {
            "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(Missing::OutsideSite);
                }
            }
            "" => {}
            segment => parts.push(segment),
        }
    }
    let ends_in_folder = matches!(reference.rsplit('/').next(), Some("" | "." | ".."));
    let mut path = parts.join("/");
    if ends_in_folder {
        path = with_slash(&path);
    }
    Ok(path)
}

/// `scheme:` as URLs define it: a letter, then letters, digits, `+`, `-` or `.`, then `:`.
fn has_scheme(link: &str) -> bool {
    let Some((scheme, _)) = link.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// What the check needs from one page's HTML.
#[derive(Debug, Default, Clone)]
struct Scan {
    /// Every element's `id`, and every `<a name>`.
    ids: HashSet<String>,
    /// Every `href` and `src` that loads or links something, in document order.
    links: Vec<String>,
    /// The first `<base href>`, which every relative link resolves against.
    base: Option<String>,
}

impl Scan {
    fn of(html: &str) -> Scan {
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from_slice(html));
        let tokenizer = Tokenizer::new(Collector::default(), TokenizerOpts::default());
        let _ = tokenizer.feed(&queue);
        tokenizer.end();
        tokenizer.sink.0.take()
    }
}

/// Elements whose `href` links or loads something.
const HREF: &[&str] = &["a", "area", "link"];
/// Elements whose `src` loads something.
const SRC: &[&str] = &[
    "img", "script", "iframe", "source", "audio", "video", "track", "embed", "input",
];

#[derive(Default)]
struct Collector(RefCell<Scan>);

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let name = &*tag.name;
        let mut scan = self.0.borrow_mut();
        for attribute in &tag.attrs {
            let value = || attribute.value.to_string();
            match &*attribute.name.local {
                "id" => {
                    scan.ids.insert(value());
                }
                "name" if name == "a" => {
                    scan.ids.insert(value());
                }
                "href" if name == "base" => {
                    scan.base.get_or_insert_with(value);
                }
                "href" if HREF.contains(&name) => scan.links.push(value()),
                "src" if SRC.contains(&name) => scan.links.push(value()),
                _ => {}
            }
        }
        // As a browser's parser does: these elements hold text, not markup.
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site of the given pages (path, HTML) and other files.
    fn site(pages: &[(&str, &str)], files: &[&str]) -> Site {
        let mut site = Site::default();
        for (path, html) in pages {
            site.pages.insert(path.to_string(), html.to_string());
            site.files.insert(path.to_string());
        }
        site.files.extend(files.iter().map(|file| file.to_string()));
        site
    }

    fn broken(site: &Site) -> Vec<BrokenLink> {
        broken_links(site).1
    }

    const TARGET: &str = r##"<h2 id="leases-and-fencing"><a class="header" href="#leases-and-fencing">Leases</a></h2>
        <div class="dsip-framework" id="framework-fencing-token-rule"></div><a name="old-anchor"></a>"##;

    #[test]
    fn a_link_to_a_page_and_an_anchor_it_has_passes() {
        let site = site(
            &[
                (
                    "08-coordination/sagas.html",
                    r##"<p><a href="leases.html#framework-fencing-token-rule">the rule</a>
                       <a href="../08-coordination/leases.html">leases</a>
                       <a href="leases.html#old-anchor">old</a>
                       <a href="../index.html?x=1">home</a> <a href="./">module</a>
                       <img src="../img/clock.svg" alt=""></p>"##,
                ),
                ("08-coordination/leases.html", TARGET),
                ("08-coordination/index.html", ""),
                ("index.html", ""),
            ],
            &["img/clock.svg"],
        );
        // Six on sagas.html, and the heading's link to itself on leases.html.
        assert_eq!(broken_links(&site), (7, vec![]));
    }

    #[test]
    fn a_link_to_a_missing_page_names_the_page_the_link_and_the_missing_file() {
        let site = site(
            &[(
                "08-coordination/sagas.html",
                r##"<a href="../07-reliability/retry.html#budget">retries</a><img src="gone.png">"##,
            )],
            &[],
        );
        let broken = broken(&site);
        assert_eq!(
            broken,
            vec![
                BrokenLink {
                    page: "08-coordination/sagas.html".into(),
                    link: "../07-reliability/retry.html#budget".into(),
                    missing: Missing::File {
                        target: "07-reliability/retry.html".into()
                    },
                },
                BrokenLink {
                    page: "08-coordination/sagas.html".into(),
                    link: "gone.png".into(),
                    missing: Missing::File {
                        target: "08-coordination/gone.png".into()
                    },
                },
            ],
            "every broken link is reported, not just the first"
        );
        let message = broken[0].to_string();
        assert!(message.starts_with(
            "08-coordination/sagas.html: link `../07-reliability/retry.html#budget`: \
             no file 07-reliability/retry.html in the built book"
        ));
    }

    #[test]
    fn a_link_to_an_anchor_the_page_lacks_names_it_and_the_nearest_id() {
        let site = site(
            &[
                (
                    "a.html",
                    r##"<a href="b.html#framework-fencing-tokens-rule">x</a>"##,
                ),
                ("b.html", TARGET),
            ],
            &[],
        );
        let broken = broken(&site);
        assert_eq!(
            broken[0].missing,
            Missing::Anchor {
                target: "b.html".into(),
                fragment: "framework-fencing-tokens-rule".into(),
                nearest: Some("framework-fencing-token-rule".into()),
            }
        );
        assert!(broken[0]
            .to_string()
            .contains("did you mean `#framework-fencing-token-rule`?"));
    }

    #[test]
    fn a_same_page_fragment_must_match_an_id_on_that_page() {
        let page = format!(
            r##"{TARGET}<a href="#leases-and-fencing">up</a><a href="#nowhere">x</a><a href="#">top</a>"##
        );
        let site = site(&[("a.html", &page)], &[]);
        let broken = broken(&site);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert_eq!(broken[0].link, "#nowhere");
        assert_eq!(
            broken[0].missing,
            Missing::Anchor {
                target: "a.html".into(),
                fragment: "nowhere".into(),
                nearest: None,
            }
        );
    }

    #[test]
    fn links_with_a_scheme_are_not_checked() {
        let site = site(
            &[(
                "a.html",
                r##"<a href="https://example.com/missing.html#x">x</a><a href="mailto:a@b.c">m</a>
                   <a href="//cdn.example.com/x.js">c</a><img src="data:image/png;base64,AAAA">"##,
            )],
            &[],
        );
        assert_eq!(broken_links(&site), (0, vec![]));
    }

    #[test]
    fn a_percent_encoded_fragment_or_path_matches_its_decoded_id_or_file() {
        let site = site(
            &[
                (
                    "a.html",
                    r##"<a href="b%20c.html#caf%C3%A9">x</a><a href="b%20c.html#caf&#xe9;">y</a>"##,
                ),
                ("b c.html", r##"<h2 id="café">Café</h2>"##),
            ],
            &[],
        );
        assert_eq!(broken_links(&site), (2, vec![]));
    }

    #[test]
    fn links_in_scripts_and_on_mdbooks_print_page_are_not_checked() {
        let site = site(
            &[
                (
                    "a.html",
                    r##"<script>let s = '<a href="gone.html">';</script><a href="print.html">print</a>"##,
                ),
                (
                    "print.html",
                    r##"<a href="#chapter-renamed-by-mdbook">x</a>"##,
                ),
            ],
            &[],
        );
        assert_eq!(broken_links(&site), (1, vec![]));
    }

    #[test]
    fn a_base_href_is_what_relative_links_resolve_against() {
        let site = site(
            &[
                (
                    "a/b.html",
                    r##"<base href="/"><link href="css/x.css"><a href="08-coordination/">m</a>"##,
                ),
                ("08-coordination/index.html", ""),
            ],
            &["css/x.css"],
        );
        assert_eq!(broken_links(&site), (2, vec![]));
    }

    #[test]
    fn a_link_above_the_root_is_broken() {
        let site = site(&[("a/b.html", r##"<a href="../../c.html">x</a>"##)], &[]);
        assert_eq!(broken(&site)[0].missing, Missing::OutsideSite);
    }

    #[test]
    fn the_build_error_lists_every_broken_link_with_the_markdown_to_fix() {
        let root = std::env::temp_dir().join(format!("dsip-links-{}", std::process::id()));
        let (book, src) = (root.join("book"), root.join("src"));
        std::fs::create_dir_all(book.join("m")).unwrap();
        std::fs::create_dir_all(src.join("m")).unwrap();
        std::fs::write(src.join("m/README.md"), "").unwrap();
        std::fs::write(
            book.join("m/index.html"),
            r##"<h1 id="intro">Intro</h1><a href="#intro">ok</a><a href="gone.html">a</a><a href="#intr">b</a>"##,
        )
        .unwrap();
        let error = check(&book, &src).unwrap_err().to_string();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            error.lines().collect::<Vec<_>>(),
            [
                "2 of the book's 3 internal links do not land:",
                "  m/index.html: link `gone.html`: no file m/gone.html in the built book; link the \
                 chapter's .md file, relative to this page's, as SUMMARY.md lists it (mdBook turns \
                 it into the .html) [fix it in src/m/README.md]",
                "  m/index.html: link `#intr`: m/index.html has no element with id `intr`; did you \
                 mean `#intro`? (a heading's id is its text in lower case, punctuation dropped, \
                 spaces as `-`, with `-1`, `-2` on repeats; a card's is `<kind>-<id>`) [fix it in \
                 src/m/README.md]",
            ]
        );
    }
}

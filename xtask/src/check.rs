//! `cargo xtask check`: the contributor's view of the course.
//!
//! For every module in `src/SUMMARY.md` it lists the parts a module must hold (the course brief's
//! "Every module has all of these"), its prose word count and the reading time those words imply, against
//! the minutes the module promises. A published module (its curriculum card has a `link`, and it is
//! not a draft chapter in SUMMARY.md) that misses a part, or reads more than 20% off its minutes,
//! fails the check; a module still being written is listed with what it lacks, and does not fail.
//!
//! The check reads the Markdown sources only, so it takes milliseconds and runs early in
//! `cargo xtask test`. It finds chapters with mdBook's own SUMMARY.md parser, snippets with the
//! rule the build uses ([`xtask::snippets::extract_from`]), and validates every directive with the
//! preprocessor itself, the whole book at once ([`mdbook_dsip::expand_book`]), so it never disagrees with the build
//! about what is on a page. It reads directive fields as plain TOML: the preprocessor has no public
//! field API, and the check needs only a few fields (a framework's `name`, a ladder's levels, ...).

use anyhow::{bail, Context, Result};
use mdbook_summary::{Link, SummaryItem};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use toml::{Table, Value};
use xtask::{snippets, summary};

/// Words a minute of prose reading: COURSE.md's "about 200 words a minute".
pub const WORDS_PER_MINUTE: f64 = 200.0;
/// Minutes allowed for each `viz` widget: reading its caption's steps, trying them, and watching
/// the result (a widget asks for three or four interactions).
pub const MINUTES_PER_WIDGET: f64 = 3.0;
/// Minutes allowed for each runnable snippet: reading the code, pressing Run, reading the output.
pub const MINUTES_PER_SNIPPET: f64 = 1.0;
/// How far a published module's implied reading time may stray from its promise, as a fraction.
pub const TOLERANCE: f64 = 0.20;
/// Complete level ladders a module needs.
pub const MIN_LADDERS: usize = 2;
/// Runnable snippets that use the module's crate a module needs.
pub const MIN_SNIPPETS: usize = 3;

/// Directive fields that hold names, paths or settings rather than text a reader reads: their
/// values are not counted as words. Every other string value (md fields, titles, names, the
/// timeline's times) is counted as Markdown. A `viz`'s `params` are the widget's data (presets,
/// the text a control shows when pressed): the time a reader spends in a widget is its
/// [`MINUTES_PER_WIDGET`], whatever the size of its data.
const NOT_PROSE_FIELDS: [&str; 12] = [
    "id", "widget", "wasm", "url", "path", "file", "link", "crate", "level", "date", "run",
    "params",
];

/// `cargo xtask check`: prints the table and fails when a published module is incomplete.
pub fn run(root: &Path) -> Result<()> {
    let crates = xtask::companions::discover(root)?
        .into_iter()
        .map(|krate| CrateName {
            package: krate.name,
            lib: krate.lib,
        })
        .collect();
    let book = Book::load(&root.join("src"), crates)?;
    let report = inspect(&book)?;
    print!("{}", report.render());
    let failures = report.failures().len();
    if failures > 0 {
        bail!(
            "course check: {failures} problem{} to fix (listed above)",
            plural(failures)
        );
    }
    Ok(())
}

/// A companion crate's two names: snippets `use` the lib name, a module directive may give either.
#[derive(Debug, Clone)]
pub struct CrateName {
    /// The cargo package (`retry-storm`).
    pub package: String,
    /// The library (`retry_storm`).
    pub lib: String,
}

/// The book's sources, held in memory so the tests can check small fixture books.
#[derive(Debug, Clone)]
pub struct Book {
    /// The text of `src/SUMMARY.md`.
    pub summary: String,
    /// Every chapter SUMMARY.md links, by its path relative to `src/`.
    pub pages: BTreeMap<PathBuf, String>,
    /// The companion crates under `playground-crates/`.
    pub crates: Vec<CrateName>,
}

impl Book {
    /// Reads SUMMARY.md and every chapter it links. A linked file that does not exist is left out
    /// here and reported by [`inspect`].
    pub fn load(src: &Path, crates: Vec<CrateName>) -> Result<Book> {
        let summary_path = src.join("SUMMARY.md");
        let summary = std::fs::read_to_string(&summary_path)
            .with_context(|| format!("could not read {}", summary_path.display()))?;
        let mut pages = BTreeMap::new();
        for path in summary::linked_chapters(&summary::parse(&summary)?) {
            if let Ok(text) = std::fs::read_to_string(src.join(&path)) {
                pages.insert(path, text);
            }
        }
        Ok(Book {
            summary,
            pages,
            crates,
        })
    }
}

/// The title SUMMARY.md gives the chapter at `path` (a module's title is its first chapter's).
fn chapter_title(summary: &mdbook_summary::Summary, path: &Path) -> Option<String> {
    fn find(link: &Link, path: &Path) -> Option<String> {
        if link.location.as_deref() == Some(path) {
            return Some(link.name.clone());
        }
        link.nested_items.iter().find_map(|item| match item {
            SummaryItem::Link(nested) => find(nested, path),
            _ => None,
        })
    }
    summary
        .prefix_chapters
        .iter()
        .chain(&summary.numbered_chapters)
        .chain(&summary.suffix_chapters)
        .find_map(|item| match item {
            SummaryItem::Link(link) => find(link, path),
            _ => None,
        })
}

/// A chapter and every chapter nested under it, in SUMMARY.md order; drafts have no page.
/// One problem, located in a file (relative to the repository root) and saying what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file to open, e.g. `src/04-partitioning/index.md`.
    pub file: PathBuf,
    /// The line, when the problem is one directive.
    pub line: Option<usize>,
    /// What is missing or wrong, and what to add.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where a module stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its curriculum card has a `link` and SUMMARY.md has its pages: checked, may fail.
    Published,
    /// SUMMARY.md has its pages but its card has no `link` yet: listed with what it lacks.
    InProgress,
    /// A draft chapter in SUMMARY.md (`[Title]()`), no pages yet: listed.
    Draft,
}

/// What a module's pages hold, counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    /// Frameworks from the curriculum card that have a callout, and how many the card names.
    pub frameworks: (usize, usize),
    /// A postmortem with a critical moment and a source link.
    pub postmortem: bool,
    /// Ladders with all four levels.
    pub ladders: usize,
    /// A when-not with at least one case.
    pub when_not: bool,
    /// Runnable snippets that use the module's crate.
    pub crate_snippets: usize,
    /// Every runnable snippet (each gets the reading-time allowance).
    pub runnable_snippets: usize,
    /// `viz` widgets.
    pub widgets: usize,
    /// A check-yourself with at least one question.
    pub check: bool,
    /// Prose words, by [`scan_page`]'s rule.
    pub words: usize,
}

impl Parts {
    /// Reading time the module implies: words ÷ 200, plus the widget and snippet allowances.
    pub fn implied_minutes(&self) -> f64 {
        self.words as f64 / WORDS_PER_MINUTE
            + self.widgets as f64 * MINUTES_PER_WIDGET
            + self.runnable_snippets as f64 * MINUTES_PER_SNIPPET
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct ModuleRow {
    /// The module number from its curriculum card.
    pub number: Option<i64>,
    /// Its title as SUMMARY.md gives it.
    pub title: String,
    /// Published, in progress or draft.
    pub status: Status,
    /// What its pages hold (`None` for a draft with no pages).
    pub parts: Option<Parts>,
    /// The minutes its module directive (or, failing that, its card) promises.
    pub promised: Option<i64>,
    /// What it lacks: failures when published, a to-do list otherwise.
    pub problems: Vec<Problem>,
}

impl ModuleRow {
    fn verdict(&self) -> String {
        match (self.status, self.problems.len()) {
            (Status::Published, 0) => "pass".to_string(),
            (Status::Published, n) => format!("FAIL ({n})"),
            (Status::InProgress, 0) => "ready to link".to_string(),
            (Status::InProgress, n) => format!("in progress ({n} to do)"),
            (Status::Draft, _) => "draft".to_string(),
        }
    }
}

/// The whole check: one row a module, and problems that belong to the book rather than a module.
#[derive(Debug, Clone)]
pub struct Report {
    /// The modules, in SUMMARY.md order (cards missing from SUMMARY.md at the end).
    pub rows: Vec<ModuleRow>,
    /// Problems that always fail: directive errors, a missing curriculum, cards and SUMMARY.md
    /// disagreeing.
    pub book_problems: Vec<Problem>,
    /// Top-level chapters that are not curriculum modules (skipped).
    pub not_modules: Vec<String>,
}

impl Report {
    /// Everything that fails the check: book problems, then published modules' problems.
    pub fn failures(&self) -> Vec<&Problem> {
        let published = self
            .rows
            .iter()
            .filter(|row| row.status == Status::Published)
            .flat_map(|row| &row.problems);
        self.book_problems.iter().chain(published).collect()
    }
}

/// A directive block found on a page, with its TOML (or `None` when the TOML does not parse; the
/// preprocessor's error for it is in the report).
#[derive(Debug, Clone)]
struct Directive {
    kind: &'static str,
    file: PathBuf,
    /// The 1-based line of the opening fence.
    line: usize,
    body: String,
    table: Option<Table>,
}

impl Directive {
    fn str(&self, key: &str) -> Option<&str> {
        self.table.as_ref()?.get(key)?.as_str()
    }

    fn array(&self, key: &str) -> &[Value] {
        self.table
            .as_ref()
            .and_then(|table| table.get(key))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    fn id(&self) -> String {
        self.str("id")
            .map_or_else(|| self.kind.to_string(), |id| format!("`{id}`"))
    }
}

/// What one page holds.
#[derive(Debug, Clone)]
struct Page {
    path: PathBuf,
    words: usize,
    directives: Vec<Directive>,
    snippets: Vec<snippets::Snippet>,
}

/// A curriculum card on the landing page.
#[derive(Debug, Clone)]
struct Card {
    number: Option<i64>,
    title: String,
    minutes: Option<i64>,
    frameworks: Vec<String>,
    link: Option<String>,
    file: PathBuf,
    /// The line of the card's `[[module]]` header.
    line: usize,
}

impl Card {
    /// "src/index.md:96", for messages that point at the card from another file.
    fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Checks the book: every module of SUMMARY.md against its curriculum card.
pub fn inspect(book: &Book) -> Result<Report> {
    let summary = summary::parse(&book.summary)?;
    let mut book_problems = Vec::new();
    let mut pages = BTreeMap::new();
    let mut book_chapters = Vec::new();
    for path in summary::linked_chapters(&summary) {
        let file = Path::new("src").join(&path);
        let Some(text) = book.pages.get(&path) else {
            book_problems.push(Problem {
                file: PathBuf::from("src/SUMMARY.md"),
                line: None,
                message: format!(
                    "links `{}`, which does not exist: create {} or remove the entry",
                    path.display(),
                    file.display()
                ),
            });
            continue;
        };
        pages.insert(path.clone(), scan_page(&file, text));
        book_chapters.push(mdbook_dsip::BookChapter {
            name: chapter_title(&summary, &path).unwrap_or_default(),
            path,
            source: text.clone(),
        });
    }
    // Every chapter expanded knowing the whole book, as the build does it: the frameworks sheet,
    // "Where you sit" and term links are checked against what readers will see.
    let expanded = mdbook_dsip::expand_book(&book_chapters);
    for (chapter, result) in book_chapters.iter().zip(expanded) {
        let Err(errors) = result else { continue };
        let file = Path::new("src").join(&chapter.path);
        book_problems.extend(errors.into_iter().map(|error| Problem {
            file: file.clone(),
            line: Some(error.line),
            message: format!(
                "{} directive: {}{}; {}",
                error.directive,
                error.field.map_or(String::new(), |f| format!("field `{f}`: ")),
                error.problem,
                error.fix
            ),
        }));
    }

    let cards = curriculum_cards(pages.values(), &mut book_problems);
    let mut matched = vec![false; cards.len()];
    let mut rows = Vec::new();
    let mut not_modules = Vec::new();
    for item in &summary.numbered_chapters {
        let SummaryItem::Link(link) = item else {
            continue;
        };
        let card_index = cards.iter().position(|card| {
            card.link.is_some() && card.link.as_deref().map(Path::new) == link.location.as_deref()
        });
        let card_index =
            card_index.or_else(|| cards.iter().position(|card| card.title == link.name));
        let Some(card_index) = card_index else {
            not_modules.push(link.name.clone());
            continue;
        };
        matched[card_index] = true;
        let card = &cards[card_index];
        let module_pages: Vec<&Page> = summary::pages_under(link)
            .iter()
            .filter_map(|path| pages.get(path))
            .collect();
        book_problems.extend(card_against_summary(card, link));
        let status = match (&link.location, &card.link) {
            (None, _) => Status::Draft,
            (Some(_), Some(_)) => Status::Published,
            (Some(_), None) => Status::InProgress,
        };
        rows.push(module_row(link, card, status, &module_pages, &book.crates));
    }
    for (card, _) in cards.iter().zip(&matched).filter(|(_, seen)| !**seen) {
        if card.link.is_some() {
            book_problems.push(Problem {
                file: card.file.clone(),
                line: Some(card.line),
                message: format!(
                    "Module {} (\"{}\") has a curriculum card with a `link` but no chapter in src/SUMMARY.md: add `- [{}]({})` there",
                    show_number(card.number),
                    card.title,
                    card.title,
                    card.link.as_deref().unwrap_or_default()
                ),
            });
        }
        rows.push(ModuleRow {
            number: card.number,
            title: card.title.clone(),
            status: Status::Draft,
            parts: None,
            promised: card.minutes,
            problems: Vec::new(),
        });
    }
    Ok(Report {
        rows,
        book_problems,
        not_modules,
    })
}

/// Where a curriculum card and SUMMARY.md disagree about a module's chapter (a dead link on the
/// landing page otherwise).
fn card_against_summary(card: &Card, link: &Link) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let (Some(card_link), Some(location)) = (&card.link, &link.location) {
        if Path::new(card_link) != location {
            problems.push(Problem {
                file: card.file.clone(),
                line: Some(card.line),
                message: format!(
                    "Module {}'s curriculum card links `{card_link}`, but SUMMARY.md has the module at `{}`: make them the same",
                    show_number(card.number),
                    location.display()
                ),
            });
        }
    }
    if card.link.is_some() && link.location.is_none() {
        problems.push(Problem {
            file: card.file.clone(),
            line: Some(card.line),
            message: format!(
                "Module {}'s curriculum card links `{}`, but SUMMARY.md lists it as a draft (`[{}]()`): publish its pages in SUMMARY.md or remove the card's `link`",
                show_number(card.number),
                card.link.as_deref().unwrap_or_default(),
                link.name
            ),
        });
    }
    problems
}

/// Reads every `curriculum` directive's cards; the book must have one.
fn curriculum_cards<'a>(
    pages: impl Iterator<Item = &'a Page>,
    problems: &mut Vec<Problem>,
) -> Vec<Card> {
    let mut cards = Vec::new();
    let mut found = false;
    for directive in pages
        .flat_map(|page| &page.directives)
        .filter(|d| d.kind == "curriculum")
    {
        found = true;
        // Body line n is chapter line fence + 1 + n; each card starts at a `[[module]]` header.
        let headers: Vec<usize> = directive
            .body
            .lines()
            .enumerate()
            .filter(|(_, line)| line.trim() == "[[module]]")
            .map(|(index, _)| directive.line + 1 + index)
            .collect();
        let modules = directive.array("module").iter().filter_map(Value::as_table);
        for (index, module) in modules.enumerate() {
            let text = |key: &str| module.get(key).and_then(Value::as_str).map(str::to_string);
            cards.push(Card {
                number: module.get("number").and_then(Value::as_integer),
                title: text("title").unwrap_or_default(),
                minutes: module.get("minutes").and_then(Value::as_integer),
                frameworks: strings(module.get("frameworks")),
                link: text("link"),
                file: directive.file.clone(),
                line: headers.get(index).copied().unwrap_or(directive.line),
            });
        }
    }
    if !found {
        problems.push(Problem {
            file: PathBuf::from("src/index.md"),
            line: None,
            message: "no `curriculum` directive in the book: the landing page's module cards are what every module is checked against".to_string(),
        });
    }
    cards
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn show_number(number: Option<i64>) -> String {
    number.map_or("?".to_string(), |n| n.to_string())
}

/// A module's directives, and the list of what it lacks, as its parts are counted one by one.
struct Module<'a> {
    /// The module's first page: where a missing part is reported.
    home: PathBuf,
    page_count: usize,
    directives: Vec<&'a Directive>,
    fixes: Vec<Problem>,
}

impl<'a> Module<'a> {
    fn of_kind(&self, kind: &str) -> Vec<&'a Directive> {
        self.directives
            .iter()
            .copied()
            .filter(|d| d.kind == kind)
            .collect()
    }

    /// Something to fix at a directive.
    fn fix_at(&mut self, directive: &Directive, message: String) {
        self.fixes.push(Problem {
            file: directive.file.clone(),
            line: Some(directive.line),
            message,
        });
    }

    /// Something to add to the module (reported at its first page).
    fn add(&mut self, message: String) {
        self.fixes.push(Problem {
            file: self.home.clone(),
            line: None,
            message,
        });
    }
}

/// Counts a module's parts and lists what it lacks.
fn module_row(
    link: &Link,
    card: &Card,
    status: Status,
    pages: &[&Page],
    crates: &[CrateName],
) -> ModuleRow {
    let mut row = ModuleRow {
        number: card.number,
        title: link.name.clone(),
        status,
        parts: None,
        promised: card.minutes,
        problems: Vec::new(),
    };
    let Some(first) = pages.first() else {
        return row;
    };
    let mut module = Module {
        home: first.path.clone(),
        page_count: pages.len(),
        directives: pages.iter().flat_map(|page| &page.directives).collect(),
        fixes: Vec::new(),
    };
    let header = module_directive(&mut module, card);
    if let Some(minutes) = header.and_then(|h| integer(h, "minutes")) {
        row.promised = Some(minutes);
    }
    let mut parts = Parts {
        words: pages.iter().map(|page| page.words).sum(),
        runnable_snippets: pages.iter().map(|page| page.snippets.len()).sum(),
        frameworks: frameworks(&mut module, card),
        postmortem: postmortem(&mut module),
        ladders: ladders(&mut module),
        when_not: when_not(&mut module),
        widgets: widgets(&mut module),
        check: check_yourself(&mut module),
        crate_snippets: 0,
    };
    if let Some(lib) = module_crate(&mut module, header, crates) {
        parts.crate_snippets = crate_snippets(&mut module, pages, &lib);
    }
    if let Some(promised) = row.promised {
        reading_time(&mut module, header, card, &parts, promised);
    }
    row.parts = Some(parts);
    row.problems = module.fixes;
    row
}

fn integer(directive: &Directive, key: &str) -> Option<i64> {
    directive.table.as_ref()?.get(key)?.as_integer()
}

/// The `module` directive (the chapter header): one, agreeing with its curriculum card.
fn module_directive<'a>(module: &mut Module<'a>, card: &Card) -> Option<&'a Directive> {
    let headers = module.of_kind("module");
    let Some(&header) = headers.first() else {
        module.add("no `module` directive: add one right under the chapter's `# Title` (CONTRIBUTING.md, `module`)".to_string());
        return None;
    };
    for (key, on_card) in [("minutes", card.minutes), ("number", card.number)] {
        if let (Some(own), Some(on_card)) = (integer(header, key), on_card) {
            if own != on_card {
                module.fix_at(header, format!(
                    "the module directive says `{key} = {own}` but its curriculum card ({}) says {on_card}: make them equal",
                    card.place()
                ));
            }
        }
    }
    for extra in headers.iter().skip(1) {
        module.fix_at(
            extra,
            "a second `module` directive in the same module: keep only the one on its first page"
                .to_string(),
        );
    }
    Some(header)
}

/// Each framework the card names, as a callout: (present, named).
fn frameworks(module: &mut Module<'_>, card: &Card) -> (usize, usize) {
    let callouts: Vec<String> = module
        .of_kind("framework")
        .iter()
        .filter_map(|d| d.str("name"))
        .map(framework_key)
        .collect();
    let mut present = 0;
    for name in &card.frameworks {
        if callouts.contains(&framework_key(name)) {
            present += 1;
        } else {
            let pages = module.page_count;
            module.add(format!(
                "no `framework` callout named \"{name}\" (its curriculum card's framework) on the module's {pages} pages: add a ```framework``` with `name = \"{name}\"` to the page that teaches it"
            ));
        }
    }
    if card.frameworks.is_empty() {
        module.add(format!(
            "Module {}'s curriculum card ({}) names no `frameworks`: every module has at least one",
            show_number(card.number),
            card.place()
        ));
    }
    (present, card.frameworks.len())
}

/// A postmortem with a critical moment, why it was the moment, and a source.
fn postmortem(module: &mut Module<'_>) -> bool {
    let postmortems = module.of_kind("postmortem");
    let incomplete: Vec<_> = postmortems
        .iter()
        .map(|p| (p, postmortem_lacks(p)))
        .filter(|(_, lacks)| !lacks.is_empty())
        .collect();
    if incomplete.len() < postmortems.len() {
        return true;
    }
    if postmortems.is_empty() {
        module.add("no `postmortem` on the module's pages: add the anchor incident as a ```postmortem``` with a `critical = true` timeline entry, its `moment` and a [[source]] url".to_string());
    }
    for (postmortem, lacks) in incomplete {
        let message = format!("postmortem {} lacks {}", postmortem.id(), lacks.join(", "));
        module.fix_at(postmortem, message);
    }
    false
}

/// What a postmortem lacks of "a critical moment and a source link" (empty when complete).
fn postmortem_lacks(postmortem: &Directive) -> Vec<&'static str> {
    let mut lacks = Vec::new();
    let timeline = postmortem.array("timeline");
    let critical = timeline
        .iter()
        .find(|entry| entry.get("critical").and_then(Value::as_bool) == Some(true));
    match critical {
        None => lacks.push("a timeline entry with `critical = true`"),
        Some(entry) => {
            let moment = entry
                .get("moment")
                .and_then(Value::as_str)
                .or_else(|| postmortem.str("moment"));
            if moment.is_none_or(|text| text.trim().is_empty()) {
                lacks.push("a `moment` (why the critical entry is the moment)");
            }
        }
    }
    let linked = postmortem.array("source").iter().any(|source| {
        source
            .get("url")
            .and_then(Value::as_str)
            .is_some_and(|url| url.starts_with("https://") || url.starts_with("http://"))
    });
    if !linked {
        lacks.push("a [[source]] with an http(s) `url`");
    }
    lacks
}

/// Ladders with all four levels, in order, each answered.
fn ladders(module: &mut Module<'_>) -> usize {
    let mut complete = 0;
    let mut broken = Vec::new();
    for ladder in module.of_kind("ladder") {
        let answers = ladder.array("answer");
        let levels: Vec<&str> = answers
            .iter()
            .filter_map(|answer| answer.get("level").and_then(Value::as_str))
            .collect();
        let answered = answers.iter().all(|answer| {
            answer
                .get("answer")
                .and_then(Value::as_str)
                .is_some_and(|text| !text.trim().is_empty())
        });
        if levels == ["L3", "L4", "L5", "L6"] && answered {
            complete += 1;
        } else {
            broken.push((ladder, levels.join(", ")));
        }
    }
    if complete < MIN_LADDERS {
        module.add(format!(
            "{complete} complete `ladder`{} (L3, L4, L5 and L6 answers), {MIN_LADDERS} needed: add {} more",
            plural(complete),
            MIN_LADDERS - complete
        ));
        for (ladder, levels) in broken {
            let message = format!(
                "ladder {} has levels [{levels}]: it needs `[[answer]]`s L3, L4, L5, L6 in that order, each with an `answer`",
                ladder.id()
            );
            module.fix_at(ladder, message);
        }
    }
    complete
}

/// When NOT to use it, with at least one case.
fn when_not(module: &mut Module<'_>) -> bool {
    let present = module
        .of_kind("when-not")
        .iter()
        .any(|d| !d.array("case").is_empty());
    if !present {
        module.add("no `when-not` with a [[case]]: add one (`when`, `cost`, `instead`), usually on its own when-not.md page".to_string());
    }
    present
}

/// `viz` widgets.
fn widgets(module: &mut Module<'_>) -> usize {
    let count = module.of_kind("viz").len();
    if count == 0 {
        module.add(
            "no `viz` widget: add one driven by the module's crate (CONTRIBUTING.md, `viz`)"
                .to_string(),
        );
    }
    count
}

/// Check yourself, with at least one question.
fn check_yourself(module: &mut Module<'_>) -> bool {
    let present = module
        .of_kind("check")
        .iter()
        .any(|d| !d.array("question").is_empty());
    if !present {
        module.add("no `check` (check yourself) with a [[question]]: add one at the end of the module, usually check-yourself.md".to_string());
    }
    present
}

/// Runnable snippets that use the module's crate.
fn crate_snippets(module: &mut Module<'_>, pages: &[&Page], lib: &str) -> usize {
    let count = pages
        .iter()
        .flat_map(|page| &page.snippets)
        .filter(|snippet| uses_crate(&snippet.code, lib))
        .count();
    if count < MIN_SNIPPETS {
        let missing = MIN_SNIPPETS - count;
        module.add(format!(
            "{count} runnable snippet{} use{} the `{lib}` crate, {MIN_SNIPPETS} needed: add {missing} more ```rust,editable``` block{} with `use {lib}::…` that print{} something worth seeing",
            plural(count),
            if count == 1 { "s" } else { "" },
            plural(missing),
            if missing == 1 { "s" } else { "" },
        ));
    }
    count
}

/// The implied reading time against the promise.
fn reading_time(
    module: &mut Module<'_>,
    header: Option<&Directive>,
    card: &Card,
    parts: &Parts,
    promised: i64,
) {
    if promised <= 0 {
        return;
    }
    let promised_f = promised as f64;
    let implied = parts.implied_minutes();
    let off = (implied - promised_f) / promised_f;
    if off.abs() <= TOLERANCE {
        return;
    }
    // Words that would bring the time to the near edge of the tolerance.
    let allowance = implied - parts.words as f64 / WORDS_PER_MINUTE;
    let advice = if off > 0.0 {
        let most = ((promised_f * (1.0 + TOLERANCE) - allowance) * WORDS_PER_MINUTE).max(0.0);
        format!(
            "cut at least {} words",
            group(parts.words - most.floor() as usize)
        )
    } else {
        let least = (promised_f * (1.0 - TOLERANCE) - allowance) * WORDS_PER_MINUTE;
        format!(
            "add at least {} words",
            group(least.ceil() as usize - parts.words)
        )
    };
    let message = format!(
        "reads as {implied:.0} min ({} words ÷ {WORDS_PER_MINUTE} + {} widget{} × {MINUTES_PER_WIDGET} + {} snippet{} × {MINUTES_PER_SNIPPET}), {:+.0}% from the {promised} it promises (limit ±{:.0}%): {advice}, or change `minutes` here and on the curriculum card ({}) together",
        group(parts.words),
        parts.widgets,
        plural(parts.widgets),
        parts.runnable_snippets,
        plural(parts.runnable_snippets),
        off * 100.0,
        TOLERANCE * 100.0,
        card.place()
    );
    match header {
        Some(header) => module.fix_at(header, message),
        None => module.add(message),
    }
}

/// The lib name of the module's crate: the module directive's `crate`, else the crate card's
/// `name`, each given as the package or the lib name of a crate under `playground-crates/`.
fn module_crate(
    module: &mut Module<'_>,
    header: Option<&Directive>,
    crates: &[CrateName],
) -> Option<String> {
    let cards = module.of_kind("crate");
    let named = header
        .and_then(|h| h.str("crate").map(|name| (h, name)))
        .or_else(|| {
            cards
                .iter()
                .find_map(|c| c.str("name").map(|name| (*c, name)))
        });
    let Some((directive, name)) = named else {
        module.add("no crate named: add `crate = \"<package>\"` to the module directive, so its snippets can be checked against it".to_string());
        return None;
    };
    let resolve = |name: &str| {
        crates
            .iter()
            .find(|krate| krate.package == name || krate.lib == name)
    };
    let Some(krate) = resolve(name) else {
        let known: Vec<&str> = crates.iter().map(|krate| krate.package.as_str()).collect();
        module.fix_at(directive, format!(
            "`{name}` is not a companion crate under playground-crates/ (there: {}): name the module's crate by its package name",
            known.join(", ")
        ));
        return None;
    };
    for card in cards {
        if let Some(other) = card.str("name") {
            if resolve(other).is_none_or(|found| found.lib != krate.lib) {
                module.fix_at(card, format!(
                    "the crate card names `{other}` but the module's crate is `{}`: one module, one crate",
                    krate.package
                ));
            }
        }
    }
    Some(krate.lib.clone())
}

/// Whether a snippet uses the crate: it names a path in it (`clocks::…`, not `other::clocks::…`)
/// or declares `extern crate clocks`.
fn uses_crate(code: &str, lib: &str) -> bool {
    let path = format!("{lib}::");
    let names_path = code.match_indices(&path).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    });
    names_path || code.contains(&format!("extern crate {lib}"))
}

/// A framework name as matched against the card: case, spacing and a leading "The" do not matter
/// ("Hot-Key Triage tree" on a card is the callout "The Hot-Key Triage tree").
fn framework_key(name: &str) -> String {
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    let words = match words.split_first() {
        Some((first, rest)) if first == "the" && !rest.is_empty() => rest,
        _ => &words[..],
    };
    words.join(" ")
}

/// The parser options mdBook 0.5 uses (as the preprocessor does), so we see the same blocks.
fn mdbook_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
}

/// Reads one chapter: its directives, its snippets and its prose words, by this rule
/// (CONTRIBUTING.md, "Is a module complete?"):
///
/// - a word is a run of non-space characters with at least one letter or digit, so `—` and `|`
///   are not words, `55`, `L3` and `e.g.` are; emphasis, links and inline code do not split words
///   (`re*write*` is one);
/// - counted: paragraphs, headings, lists, tables, block quotes, footnotes, and inline code;
/// - not counted: code blocks of any kind (snippets, `output` blocks, shell), HTML blocks and
///   inline HTML (so HTML comments), link and image addresses, and image alt text;
/// - a directive counts the string values of its TOML read as Markdown by the same rule (so code
///   blocks inside an md field are not counted), except the fields in `NOT_PROSE_FIELDS` (ids,
///   urls, paths, widget names, levels, dates, shell commands); TOML keys, numbers and booleans
///   are never counted.
fn scan_page(file: &Path, text: &str) -> Page {
    let scan = scan_markdown(text, true);
    let mut words = scan.words;
    let mut directives = Vec::new();
    for (kind, line, body) in scan.directives {
        let table = body.parse::<Table>().ok();
        words += table.as_ref().map_or(0, table_words);
        directives.push(Directive {
            kind,
            file: file.to_path_buf(),
            line,
            body,
            table,
        });
    }
    Page {
        path: file.to_path_buf(),
        words,
        directives,
        snippets: snippets::extract_from(file, text, "2021"),
    }
}

/// Words of a directive's string values, by [`scan_page`]'s rule.
fn table_words(table: &Table) -> usize {
    table
        .iter()
        .filter(|(key, _)| !NOT_PROSE_FIELDS.contains(&key.as_str()))
        .map(|(_, value)| value_words(value))
        .sum()
}

fn value_words(value: &Value) -> usize {
    match value {
        // Inside a directive's md field a fenced block is code, whatever its info string.
        Value::String(text) => scan_markdown(text, false).words,
        Value::Array(items) => items.iter().map(value_words).sum(),
        Value::Table(table) => table_words(table),
        _ => 0,
    }
}

/// A Markdown text's words outside code and HTML, and (when `directives`) its directive blocks as
/// (kind, 1-based fence line, TOML body).
struct Scan {
    words: usize,
    directives: Vec<(&'static str, usize, String)>,
}

fn scan_markdown(markdown: &str, directives: bool) -> Scan {
    let mut visible = String::new();
    let mut found = Vec::new();
    // Inside a code block: its directive kind (if it is one), its line, and its body so far.
    let mut code: Option<(Option<&'static str>, usize, String)> = None;
    let mut in_image = 0usize;
    for (event, range) in Parser::new_ext(markdown, mdbook_options()).into_offset_iter() {
        if let Some((kind, line, body)) = code.as_mut() {
            match event {
                Event::Text(text) => body.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(kind) = *kind {
                        found.push((kind, *line, std::mem::take(body)));
                    }
                    code = None;
                    visible.push(' ');
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let directive = match kind {
                    CodeBlockKind::Fenced(info) if directives => {
                        // The preprocessor's own list: directives' TOML is read for fields and words,
                        // every other fenced block is code, not prose.
                        mdbook_dsip::directive_names().find(|name| *name == &*info)
                    }
                    _ => None,
                };
                let line = markdown[..range.start].matches('\n').count() + 1;
                code = Some((directive, line, String::new()));
            }
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(text) | Event::Code(text) => {
                if in_image == 0 {
                    visible.push_str(&text);
                }
            }
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. },
            )
            | Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link,
            ) => {}
            // Block boundaries, line breaks, HTML, rules, footnote marks: a space between words.
            _ => visible.push(' '),
        }
    }
    Scan {
        words: count_words(&visible),
        directives: found,
    }
}

fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .count()
}

impl Report {
    /// The table, then every problem with its file and what to add.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let published = self
            .rows
            .iter()
            .filter(|row| row.status == Status::Published)
            .count();
        let _ = writeln!(
            out,
            "Course check: {} modules in src/SUMMARY.md, {published} published\n",
            self.rows.len()
        );
        let header = [
            "#",
            "module",
            "frameworks",
            "postmortem",
            "ladders",
            "when-not",
            "snippets",
            "viz",
            "check",
            "words",
            "minutes",
            "off",
            "verdict",
        ];
        let mut table: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for row in &self.rows {
            table.push(row_cells(row));
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|column| {
                table
                    .iter()
                    .map(|cells| cells[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // Numbers read best right-aligned: #, words, minutes, off.
        let right = [0, 9, 10, 11];
        for cells in &table {
            let mut line = String::new();
            for (column, cell) in cells.iter().enumerate() {
                let pad = " ".repeat(widths[column] - cell.chars().count());
                if column > 0 {
                    line.push_str("  ");
                }
                if right.contains(&column) {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        let _ = writeln!(
            out,
            "\n✓ present  ✗ missing  · not written yet\n\
             frameworks: the card's frameworks that have a callout · ladders: complete ones (L3-L6, \
             ≥{MIN_LADDERS})\n\
             snippets: runnable ones that use the module's crate (≥{MIN_SNIPPETS}) · viz: widgets (≥1)\n\
             minutes: implied / promised, implied = prose words ÷ {WORDS_PER_MINUTE} + \
             {MINUTES_PER_WIDGET} a widget + {MINUTES_PER_SNIPPET} a runnable snippet; \
             a published module fails beyond ±{:.0}%",
            TOLERANCE * 100.0
        );
        if !self.not_modules.is_empty() {
            let _ = writeln!(
                out,
                "Not curriculum modules (no card), skipped: {}.",
                self.not_modules.join("; ")
            );
        }
        let failures = self.failures();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nFailures ({}):", failures.len());
            for problem in &self.book_problems {
                let _ = writeln!(out, "  {problem}");
            }
            for row in self.rows.iter().filter(|r| r.status == Status::Published) {
                for problem in &row.problems {
                    let _ = writeln!(out, "  Module {}: {problem}", show_number(row.number));
                }
            }
        }
        let to_do: Vec<&ModuleRow> = self
            .rows
            .iter()
            .filter(|row| row.status == Status::InProgress && !row.problems.is_empty())
            .collect();
        if !to_do.is_empty() {
            let _ = writeln!(out, "\nTo do before linking the card (not failing):");
            for row in to_do {
                for problem in &row.problems {
                    let _ = writeln!(out, "  Module {}: {problem}", show_number(row.number));
                }
            }
        }
        let verdict = if failures.is_empty() {
            format!(
                "\nok: {published} published module{} complete\n",
                plural(published)
            )
        } else {
            format!(
                "\nFAILED: {} problem{}\n",
                failures.len(),
                plural(failures.len())
            )
        };
        out.push_str(&verdict);
        out
    }
}

fn row_cells(row: &ModuleRow) -> Vec<String> {
    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    let counted = |count: usize, needed: usize| format!("{} {count}", mark(count >= needed));
    let title = shorten(&row.title, 34);
    let promised = row.promised.map_or("?".to_string(), |m| m.to_string());
    let mut cells = vec![show_number(row.number), title];
    match &row.parts {
        None => {
            cells.extend(std::iter::repeat_n("·".to_string(), 8));
            cells.push(format!("· / {promised}"));
            cells.push(String::new());
        }
        Some(parts) => {
            let (present, named) = parts.frameworks;
            cells.push(format!(
                "{} {present}/{named}",
                mark(present == named && named > 0)
            ));
            cells.push(mark(parts.postmortem).to_string());
            cells.push(counted(parts.ladders, MIN_LADDERS));
            cells.push(mark(parts.when_not).to_string());
            cells.push(counted(parts.crate_snippets, MIN_SNIPPETS));
            cells.push(counted(parts.widgets, 1));
            cells.push(mark(parts.check).to_string());
            cells.push(group(parts.words));
            let implied = parts.implied_minutes();
            cells.push(format!("{implied:.0} / {promised}"));
            cells.push(row.promised.filter(|m| *m > 0).map_or(String::new(), |m| {
                let off = (implied - m as f64) / m as f64 * 100.0;
                format!("{off:+.0}%")
            }));
        }
    }
    cells.push(row.verdict());
    cells
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max - 1).collect();
        format!("{}…", kept.trim_end())
    }
}

/// 9012 → "9,012".
fn group(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SUMMARY: &str = "# Summary\n\n[Home](index.md)\n\n# Part\n\n- [Module One](01/index.md)\n    - [More](01/more.md)\n- [Module Two]()\n";

    /// The landing page: cards for Module 1 (linked when `link_one`) and Module 2 (never linked).
    fn landing(link_one: bool, minutes_one: u32) -> String {
        let link = if link_one {
            "link = \"01/index.md\"\n"
        } else {
            ""
        };
        format!(
            "# Home\n\n```curriculum\n[[module]]\nnumber = 1\ntitle = \"Module One\"\nsubtitle = \"s\"\ntrack = \"t\"\nminutes = {minutes_one}\nframeworks = [\"Alpha Grid\", \"The Beta Rule\"]\nanchor = \"a\"\n{link}\n[[module]]\nnumber = 2\ntitle = \"Module Two\"\nsubtitle = \"s\"\ntrack = \"t\"\nminutes = 50\nframeworks = [\"Gamma\"]\nanchor = \"a\"\n```\n"
        )
    }

    fn module_header(minutes: u32) -> String {
        format!("# Module One\n\n```module\nnumber = 1\nsubtitle = \"s\"\ntrack = \"t\"\nminutes = {minutes}\nframeworks = [\"Alpha Grid\", \"The Beta Rule\"]\nanchor = \"a\"\ncrate = \"demo-crate\"\n```\n\nOne short paragraph of prose.\n")
    }

    fn framework(name: &str) -> String {
        format!("```framework\nid = \"{}\"\nname = \"{name}\"\nthesis = \"A thesis.\"\nbody = \"- [x] a check\"\nuse_when = \"Always.\"\n```\n", name.to_lowercase().replace(' ', "-"))
    }

    fn ladder(id: &str, levels: &[&str]) -> String {
        let mut text = format!("```ladder\nid = \"{id}\"\nquestion = \"Why?\"\n");
        for level in levels {
            let _ = write!(
                text,
                "\n[[answer]]\nlevel = \"{level}\"\nanswer = \"I would.\"\nmissed = \"Something.\"\n"
            );
        }
        text + "```\n"
    }

    fn snippet(n: u32) -> String {
        format!("```rust,editable\nuse demo_crate::Thing;\n\nfn main() {{\n    println!(\"{n} {{:?}}\", Thing);\n}}\n```\n")
    }

    const POSTMORTEM: &str = "```postmortem\nid = \"p\"\ntitle = \"An outage\"\ndate = \"2020-01-01\"\nduration = \"an hour\"\nimpact = \"Everyone.\"\nlesson = \"Budget retries.\"\n\n[[timeline]]\ntime = \"10:00\"\nevent = \"It broke.\"\ncritical = true\nmoment = \"From here it fed itself.\"\n\n[[source]]\ntitle = \"The postmortem\"\nurl = \"https://example.com/pm\"\n```\n";
    const WHEN_NOT: &str = "```when-not\nid = \"w\"\n\n[[case]]\nwhen = \"One node.\"\ncost = \"Time.\"\ninstead = \"Nothing.\"\n```\n";
    const VIZ: &str = "```viz\nid = \"v\"\nwidget = \"demo\"\nwasm = \"demo_crate\"\ntitle = \"A widget\"\ncaption = \"Press the button.\"\n```\n";
    const CHECK: &str =
        "```check\nid = \"c\"\n\n[[question]]\nquestion = \"Why?\"\nanswer = \"Because.\"\n```\n";

    /// The second page of Module 1, holding every part but the frameworks.
    fn more_page(ladders: &str) -> String {
        format!(
            "# More\n\n{POSTMORTEM}\n{ladders}\n{WHEN_NOT}\n{}\n{}\n{}\n{VIZ}\n{CHECK}",
            snippet(1),
            snippet(2),
            snippet(3)
        )
    }

    fn complete_ladders() -> String {
        let all = ["L3", "L4", "L5", "L6"];
        format!("{}\n{}", ladder("one", &all), ladder("two", &all))
    }

    fn book(summary: &str, pages: Vec<(&str, String)>) -> Book {
        Book {
            summary: summary.to_string(),
            pages: pages
                .into_iter()
                .map(|(path, text)| (PathBuf::from(path), text))
                .collect(),
            crates: vec![CrateName {
                package: "demo-crate".into(),
                lib: "demo_crate".into(),
            }],
        }
    }

    /// Module 1 published with every part, promising `minutes` (card and directive alike).
    fn complete_book(minutes: u32) -> Book {
        book(
            SUMMARY,
            vec![
                ("index.md", landing(true, minutes)),
                (
                    "01/index.md",
                    format!(
                        "{}\n{}\n{}",
                        module_header(minutes),
                        framework("Alpha Grid"),
                        framework("The Beta Rule")
                    ),
                ),
                ("01/more.md", more_page(&complete_ladders())),
            ],
        )
    }

    fn messages(report: &Report) -> Vec<String> {
        report.failures().iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_complete_published_module_passes_and_is_counted() {
        let report = inspect(&complete_book(6)).unwrap();
        assert_eq!(messages(&report), Vec::<String>::new());
        let row = &report.rows[0];
        assert_eq!(row.status, Status::Published);
        assert_eq!(row.verdict(), "pass");
        let parts = row.parts.as_ref().unwrap();
        assert_eq!(parts.frameworks, (2, 2));
        assert!(parts.postmortem && parts.when_not && parts.check);
        assert_eq!(
            (parts.ladders, parts.crate_snippets, parts.widgets),
            (2, 3, 1)
        );
        // 3 snippets + 1 widget × 3 = 6 minutes of allowance, plus the words.
        let expected = 6.0 + parts.words as f64 / 200.0;
        assert!((parts.implied_minutes() - expected).abs() < 1e-9);
        assert!(report.render().contains("ok: 1 published module complete"));
    }

    #[test]
    fn a_module_missing_a_framework_fails_naming_its_file_and_the_framework() {
        let mut book = complete_book(6);
        let index = module_header(6) + &framework("Alpha Grid");
        book.pages.insert(PathBuf::from("01/index.md"), index);
        let report = inspect(&book).unwrap();
        let failures = messages(&report);
        assert_eq!(failures.len(), 1, "{failures:#?}");
        assert!(
            failures[0]
                .starts_with("src/01/index.md: no `framework` callout named \"The Beta Rule\""),
            "{}",
            failures[0]
        );
        assert_eq!(report.rows[0].verdict(), "FAIL (1)");
        let printed = report.render();
        assert!(printed.contains("✗ 1/2"), "{printed}");
        assert!(
            printed.contains("Module 1: src/01/index.md: no `framework`"),
            "{printed}"
        );
    }

    #[test]
    fn a_draft_module_is_listed_but_not_failed() {
        let report = inspect(&complete_book(6)).unwrap();
        let draft = &report.rows[1];
        assert_eq!((draft.number, draft.status), (Some(2), Status::Draft));
        assert!(draft.parts.is_none());
        assert_eq!(draft.verdict(), "draft");
        let printed = report.render();
        let line = printed.lines().find(|l| l.contains("Module Two")).unwrap();
        assert!(line.ends_with("draft"), "{line}");
        assert!(line.contains("· / 50"), "{line}");
    }

    #[test]
    fn an_unlinked_module_with_pages_lists_its_gaps_without_failing() {
        let mut book = complete_book(6);
        book.pages
            .insert(PathBuf::from("index.md"), landing(false, 6));
        book.pages.insert(
            PathBuf::from("01/more.md"),
            "# More\n\nNothing yet.\n".into(),
        );
        let report = inspect(&book).unwrap();
        assert_eq!(messages(&report), Vec::<String>::new());
        let row = &report.rows[0];
        assert_eq!(row.status, Status::InProgress);
        assert!(row.problems.len() >= 6, "{:#?}", row.problems);
        assert!(report.render().contains("To do before linking the card"));
    }

    #[test]
    fn reading_time_more_than_a_fifth_off_its_promise_fails() {
        // 85 words, a widget and three snippets: 6.4 minutes against a promise of 10, 36% under.
        let report = inspect(&complete_book(10)).unwrap();
        let failures = messages(&report);
        assert_eq!(failures.len(), 1, "{failures:#?}");
        assert!(
            failures[0].starts_with("src/01/index.md:3: reads as 6 min"),
            "{}",
            failures[0]
        );
        assert!(
            failures[0].contains(
                "(85 words ÷ 200 + 1 widget × 3 + 3 snippets × 1), -36% from the 10 it promises"
            ),
            "{}",
            failures[0]
        );
        assert!(
            failures[0].contains("on the curriculum card (src/index.md:4) together"),
            "{}",
            failures[0]
        );
        assert!(
            failures[0].contains("add at least 315 words"),
            "{}",
            failures[0]
        );
        // Against 7 minutes, 6.4 is 8% under: inside the tolerance.
        assert_eq!(
            messages(&inspect(&complete_book(7)).unwrap()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_module_directive_and_its_card_must_promise_the_same_minutes() {
        let mut book = complete_book(6);
        book.pages
            .insert(PathBuf::from("index.md"), landing(true, 7));
        let failures = messages(&inspect(&book).unwrap());
        assert!(
            failures.iter().any(|f| f
                .contains("the module directive says `minutes = 6` but its curriculum card (src/index.md:4) says 7")),
            "{failures:#?}"
        );
    }

    #[test]
    fn an_incomplete_ladder_is_not_counted_and_is_named_with_its_line() {
        let mut book = complete_book(6);
        let ladders = format!(
            "{}\n{}",
            ladder("one", &["L3", "L4", "L5", "L6"]),
            ladder("two", &["L3", "L4", "L6"])
        );
        book.pages
            .insert(PathBuf::from("01/more.md"), more_page(&ladders));
        let report = inspect(&book).unwrap();
        assert_eq!(report.rows[0].parts.as_ref().unwrap().ladders, 1);
        let failures = messages(&report);
        assert!(
            failures.iter().any(|f| f.contains("1 complete `ladder`")),
            "{failures:#?}"
        );
        // The preprocessor itself rejects the ladder too, at the same directive.
        assert!(
            failures.iter().any(|f| f.starts_with("src/01/more.md:")
                && f.contains("ladder `two` has levels [L3, L4, L6]")),
            "{failures:#?}"
        );
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with("src/01/more.md:") && f.contains("ladder directive:")),
            "{failures:#?}"
        );
    }

    #[test]
    fn a_card_linking_a_chapter_that_summary_lacks_fails() {
        let mut book = complete_book(6);
        let landing =
            landing(true, 6).replace("minutes = 50\n", "minutes = 50\nlink = \"02/index.md\"\n");
        book.pages.insert(PathBuf::from("index.md"), landing);
        let failures = messages(&inspect(&book).unwrap());
        assert!(
            failures.iter().any(|f| f.starts_with("src/index.md:14: Module 2's curriculum card links `02/index.md`, but SUMMARY.md lists it as a draft")),
            "{failures:#?}"
        );
    }

    #[test]
    fn a_postmortem_without_a_source_is_named_with_what_it_lacks() {
        let mut book = complete_book(6);
        let unsourced = POSTMORTEM.split("\n[[source]]").next().unwrap().to_string() + "\n```\n";
        let more = more_page(&complete_ladders()).replace(POSTMORTEM, &unsourced);
        book.pages.insert(PathBuf::from("01/more.md"), more);
        let report = inspect(&book).unwrap();
        assert!(!report.rows[0].parts.as_ref().unwrap().postmortem);
        let failures = messages(&report);
        assert!(
            failures.iter().any(|f| f
                == "src/01/more.md:3: postmortem `p` lacks a [[source]] with an http(s) `url`"),
            "{failures:#?}"
        );
    }

    #[test]
    fn a_crate_that_is_not_a_companion_crate_is_named() {
        let mut book = complete_book(6);
        book.crates[0].package = "elsewhere".into();
        book.crates[0].lib = "elsewhere".into();
        let failures = messages(&inspect(&book).unwrap());
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with("src/01/index.md:3: `demo-crate` is not a companion crate")),
            "{failures:#?}"
        );
    }

    #[test]
    fn snippets_count_only_when_they_use_the_module_crate() {
        assert!(uses_crate("use demo_crate::Thing;", "demo_crate"));
        assert!(uses_crate("let x = demo_crate::f();", "demo_crate"));
        assert!(uses_crate("extern crate demo_crate;", "demo_crate"));
        assert!(!uses_crate("use other::demo_crate::Thing;", "demo_crate"));
        assert!(!uses_crate("use my_demo_crate::Thing;", "demo_crate"));
        assert!(!uses_crate("use std::fmt;", "demo_crate"));
    }

    #[test]
    fn framework_names_match_ignoring_case_spacing_and_a_leading_the() {
        assert_eq!(
            framework_key("Hot-Key Triage tree"),
            framework_key("The Hot-Key  Triage Tree")
        );
        assert_ne!(
            framework_key("The Skew Budget"),
            framework_key("The Retry Budget")
        );
        assert_eq!(framework_key("The"), "the");
    }

    #[test]
    fn the_word_rule_counts_prose_and_md_fields_only() {
        let page = "\
# A title here

Some *emph*asis, a [link](https://example.com/not/counted) and `inline code`: — | 55.
<!-- an HTML comment is not read -->

```rust
fn main() { println!(\"code is not prose\"); }
```

```output
output is not prose
```

| a | b |
|---|---|
| one | two |

````framework
id = \"not-counted\"
name = \"Two words\"
body = \"\"\"
Three more words.

```sh
cargo run not counted
```
\"\"\"
````
";
        // title 3; prose: Some, emphasis, a, link, and, inline, code:, 55. = 8; table a b one two = 4;
        // framework: name 2 + body 3 (its code block and the id are not read).
        assert_eq!(words_of(page), 3 + 8 + 4 + 2 + 3);
    }

    #[test]
    fn a_widgets_params_are_its_data_not_prose() {
        let page = "```viz\nid = \"v\"\nwidget = \"w\"\nwasm = \"c\"\ntitle = \"Two words\"\ncaption = \"Press it.\"\n\n[params.try.one]\nsteps = \"Many words a reader sees only after pressing one control of thirty.\"\n```\n";
        assert_eq!(words_of(page), 2 + 2);
    }

    fn words_of(markdown: &str) -> usize {
        scan_page(Path::new("a.md"), markdown).words
    }

    proptest! {
        /// Code blocks and HTML comments between paragraphs never change the count, and each
        /// generated word is counted once.
        #[test]
        fn code_and_comments_never_count(
            paragraphs in prop::collection::vec(prop::collection::vec("[a-z]{1,8}", 1..12), 1..6),
            code in "[a-z =;(){}]{0,40}",
        ) {
            let prose: Vec<String> = paragraphs.iter().map(|words| words.join(" ")).collect();
            let expected: usize = paragraphs.iter().map(Vec::len).sum();
            prop_assert_eq!(words_of(&prose.join("\n\n")), expected);
            let noise = format!("\n\n```rust\n{code}\n```\n\n<!-- {code} -->\n\n");
            prop_assert_eq!(words_of(&prose.join(&noise)), expected);
        }
    }
}

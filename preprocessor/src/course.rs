//! What one chapter needs to know about the rest of the book: the frameworks and ladders of every
//! module (for the frameworks sheet and "Where you sit"), the glossary's terms (for term links in the
//! prose and the glossary page), and which module each chapter belongs to.
//!
//! It is gathered in one pass over every chapter before any chapter is expanded, so a generated page
//! is made from the same directive blocks the module pages render and can never drift from them.
//! Problems inside those blocks are not reported here: each is reported once, by its own chapter.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::directives::{glossary, module};
use crate::fields::Site;
use crate::kind::Kind;
use crate::lines::Lines;
use crate::scan::{self, Block};

/// One chapter as the book gives it: its path relative to `src/`, its title and its Markdown.
#[derive(Debug, Clone)]
pub struct BookChapter {
    /// Path relative to the book's `src/` (as SUMMARY.md links it).
    pub path: PathBuf,
    /// Its title as SUMMARY.md gives it.
    pub name: String,
    /// Its Markdown source.
    pub source: String,
}

/// A module, as its `module` directive and its first chapter describe it.
#[derive(Debug, Clone)]
pub(crate) struct ModuleInfo {
    pub number: u32,
    pub title: String,
    /// The chapter holding the `module` directive (relative to `src/`).
    pub chapter: PathBuf,
}

/// A directive block found in some chapter.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub chapter: PathBuf,
    pub block: Block,
}

/// A glossary term, read from a `glossary` directive.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    /// The key term links use: the term in kebab-case (`read-your-writes`).
    pub slug: String,
    pub term: String,
    /// The one-line definition, as inline HTML.
    pub definition: String,
    pub module: u32,
    /// The chapter holding the glossary directive (relative to `src/`), for links to the entry.
    pub chapter: PathBuf,
    /// Where the `[[term]]` entry is, for duplicate errors.
    pub line: usize,
}

/// Everything gathered from the whole book.
#[derive(Debug, Default)]
pub(crate) struct Course {
    /// Modules by the top-level folder of their chapters (`02-consistency`).
    modules: HashMap<String, ModuleInfo>,
    pub frameworks: Vec<Found>,
    pub ladders: Vec<Found>,
    /// Every term entry, in book order (duplicates included: the later one is the error).
    pub terms: Vec<Term>,
}

impl Course {
    /// Gathers the course from every chapter, in book order.
    pub(crate) fn gather(chapters: &[BookChapter]) -> Course {
        let mut course = Course::default();
        for chapter in chapters {
            let lines = Lines::new(&chapter.source);
            for block in scan::scan(&chapter.source, &lines).blocks {
                if !block.closed {
                    continue;
                }
                let found = Found {
                    chapter: chapter.path.clone(),
                    block,
                };
                match found.block.kind {
                    Kind::Framework => course.frameworks.push(found),
                    Kind::Ladder => course.ladders.push(found),
                    Kind::Module => course.add_module(&found, chapter),
                    Kind::Glossary => course.terms.extend(glossary::terms(&found)),
                    _ => {}
                }
            }
        }
        course
    }

    fn add_module(&mut self, found: &Found, chapter: &BookChapter) {
        let Some(folder) = folder(&chapter.path) else {
            return;
        };
        let site = Site::new(&found.block, &found.chapter);
        let Some(table) = site.parse() else {
            return;
        };
        let number = site
            .fields(table.get_ref(), module::FIELDS)
            .positive("number");
        if number == 0 {
            return;
        }
        self.modules.entry(folder).or_insert(ModuleInfo {
            number,
            title: chapter.name.clone(),
            chapter: chapter.path.clone(),
        });
    }

    /// The module a chapter belongs to: the one whose `module` directive sits in the same top-level
    /// folder.
    pub(crate) fn module_of(&self, chapter: &Path) -> Option<&ModuleInfo> {
        self.modules.get(&folder(chapter)?)
    }

    /// The module numbered `number`, if the book has it.
    pub(crate) fn module_numbered(&self, number: u32) -> Option<&ModuleInfo> {
        self.modules.values().find(|module| module.number == number)
    }

    /// Whether any module directive was found (a lone chapter without one cannot check numbers).
    pub(crate) fn knows_modules(&self) -> bool {
        !self.modules.is_empty()
    }

    /// The first entry of the term `slug`.
    pub(crate) fn term(&self, slug: &str) -> Option<&Term> {
        self.terms.iter().find(|term| term.slug == slug)
    }
}

/// A chapter's top-level folder (`02-consistency` for `02-consistency/pacelc.md`); `None` at the root.
fn folder(chapter: &Path) -> Option<String> {
    let mut components = chapter.components();
    let first = components.next()?;
    components.next()?;
    Some(first.as_os_str().to_string_lossy().into_owned())
}

/// The chapter's title when the book's is not known: its first `# ` heading.
pub(crate) fn title_from_source(source: &str) -> String {
    source
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .map_or_else(String::new, |title| title.trim().to_string())
}

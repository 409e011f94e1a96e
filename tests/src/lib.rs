//! End-to-end tests of the whole book (the tests are in `tests/`); this library holds what they
//! share: a scratch copy of the book that a test may break without touching the real one.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use xtask::book::{self, BookOptions, BookReport, PreprocessorMode};

/// A copy of the book's sources (book.toml, src/, theme/) in a temporary folder.
pub struct ScratchBook {
    dir: TempDir,
}

impl ScratchBook {
    /// Copies the real book so a test can edit chapters freely.
    pub fn copy_of(root: &Path) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::copy(root.join("book.toml"), dir.path().join("book.toml"))?;
        for folder in ["src", "theme"] {
            copy_tree(&root.join(folder), &dir.path().join(folder))?;
        }
        Ok(ScratchBook { dir })
    }

    /// The copy's root folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Where the copy's HTML is built.
    pub fn site(&self) -> PathBuf {
        self.dir.path().join("book")
    }

    /// Builds the copy the way `cargo xtask build` does, or through book.toml's command as the
    /// stock `mdbook` CLI does.
    pub fn build(&self, preprocessor: PreprocessorMode) -> Result<BookReport> {
        book::build(
            self.root(),
            &BookOptions {
                dest: self.site(),
                live_reload: false,
                preprocessor,
            },
        )
    }

    /// Appends `text` to the chapter at `chapter` (relative to src/) and returns the 1-based line
    /// on which the appended text starts, so tests can assert an error points at it.
    pub fn append_to_chapter(&self, chapter: &str, text: &str) -> Result<usize> {
        let path = self.dir.path().join("src").join(chapter);
        let mut content = std::fs::read_to_string(&path)
            .with_context(|| format!("no chapter {}", path.display()))?;
        if !content.ends_with('\n') {
            content.push('\n');
        }
        content.push('\n');
        let first_line = content.lines().count() + 1;
        content.push_str(text);
        std::fs::write(&path, content)?;
        Ok(first_line)
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

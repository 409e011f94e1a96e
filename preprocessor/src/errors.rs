//! Errors a contributor sees when a directive is wrong.
//!
//! Every message names the file and line to open, the directive and field, what is wrong and what to
//! write instead, so a contributor can fix the book without reading this crate.

use std::fmt;
use std::path::PathBuf;

/// One problem in one directive, located at the line of the field in the chapter file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// The chapter file as the caller named it (the `Dsip` preprocessor makes it relative to the book root).
    pub file: PathBuf,
    /// 1-based line in `file`: the field's line, or the opening fence when the whole directive is at fault.
    pub line: usize,
    /// The directive's info string, e.g. `postmortem`.
    pub directive: String,
    /// The field at fault (`timeline[2].time` inside arrays of tables); `None` for TOML syntax errors.
    pub field: Option<String>,
    /// What is wrong, e.g. "expected an integer, found a string".
    pub problem: String,
    /// What to write instead, e.g. "write `minutes = 55` instead".
    pub fix: String,
}

impl fmt::Display for DirectiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} directive: ",
            self.file.display(),
            self.line,
            self.directive
        )?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}; {}", self.problem, self.fix)
    }
}

impl std::error::Error for DirectiveError {}

/// Every directive error of a whole book, so one build shows all of them instead of the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookErrors(pub Vec<DirectiveError>);

impl fmt::Display for BookErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let noun = if count == 1 { "error" } else { "errors" };
        writeln!(f, "{count} directive {noun}:")?;
        for error in &self.0 {
            writeln!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BookErrors {}

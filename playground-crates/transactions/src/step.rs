//! The script language: one step a line, `<txn> <step>`.
//!
//! Each step stands for one SQL statement on Hermitage's table `test (id int primary key,
//! value int)`, so a script can be played against this crate's store and against a real
//! PostgreSQL and the two answers compared line by line ([`Step::sql`] is the statement).

use crate::store::{Key, Level, Value};
use std::fmt;

/// A `select`'s condition on the `value` column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicate {
    /// `select all`: every row.
    All,
    /// `select value = N`.
    Equals(Value),
    /// `select value % M = R`.
    Modulo(Value, Value),
}

impl Predicate {
    /// Whether a row with this value matches.
    pub fn matches(&self, value: Value) -> bool {
        match *self {
            Predicate::All => true,
            Predicate::Equals(n) => value == n,
            Predicate::Modulo(m, r) => value % m == r,
        }
    }

    fn sql(&self) -> String {
        match self {
            Predicate::All => String::new(),
            Predicate::Equals(n) => format!(" WHERE value = {n}"),
            Predicate::Modulo(m, r) => format!(" WHERE value % {m} = {r}"),
        }
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Predicate::All => f.write_str("all"),
            Predicate::Equals(n) => write!(f, "value = {n}"),
            Predicate::Modulo(m, r) => write!(f, "value % {m} = {r}"),
        }
    }
}

/// One step of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `begin <level>`: `BEGIN ISOLATION LEVEL …`.
    Begin(Level),
    /// `get K`: `SELECT value FROM test WHERE id = K`.
    Get(Key),
    /// `set K V`: `UPDATE test SET value = V WHERE id = K`.
    Set(Key, Value),
    /// `insert K V`: `INSERT INTO test (id, value) VALUES (K, V)`.
    Insert(Key, Value),
    /// `delete K`: `DELETE FROM test WHERE id = K`.
    Delete(Key),
    /// `add-all N`: `UPDATE test SET value = value + N`.
    AddAll(Value),
    /// `delete-where value = N`: `DELETE FROM test WHERE value = N`.
    DeleteWhere(Value),
    /// `select <predicate>`: `SELECT id, value FROM test [WHERE …] ORDER BY id`.
    Select(Predicate),
    /// `commit`: `COMMIT`.
    Commit,
    /// `abort`: `ROLLBACK`.
    Abort,
}

impl Step {
    /// Parses a step from its words (`["set", "1", "11"]`).
    pub fn parse(words: &[&str]) -> Result<Step, String> {
        let int = |word: &str| {
            word.parse::<i64>()
                .map_err(|_| format!("`{word}` is not a whole number"))
        };
        let step = match words {
            ["begin", level] => Step::Begin(Level::parse(level).ok_or_else(|| {
                format!("unknown level `{level}` (read-committed, repeatable-read or serializable)")
            })?),
            ["get", k] => Step::Get(int(k)?),
            ["set", k, v] => Step::Set(int(k)?, int(v)?),
            ["insert", k, v] => Step::Insert(int(k)?, int(v)?),
            ["delete", k] => Step::Delete(int(k)?),
            ["add-all", n] => Step::AddAll(int(n)?),
            ["delete-where", "value", "=", n] => Step::DeleteWhere(int(n)?),
            ["select", "all"] => Step::Select(Predicate::All),
            ["select", "value", "=", n] => Step::Select(Predicate::Equals(int(n)?)),
            ["select", "value", "%", m, "=", r] => {
                let m = int(m)?;
                if m == 0 {
                    return Err("`value % 0` divides by zero".to_string());
                }
                Step::Select(Predicate::Modulo(m, int(r)?))
            }
            ["commit"] => Step::Commit,
            ["abort"] => Step::Abort,
            _ => return Err(format!("unknown step `{}`", words.join(" "))),
        };
        Ok(step)
    }

    /// The SQL statement this step stands for.
    pub fn sql(&self) -> String {
        match self {
            Step::Begin(level) => format!(
                "BEGIN ISOLATION LEVEL {}",
                level.name().replace('-', " ").to_uppercase()
            ),
            Step::Get(k) => format!("SELECT value FROM test WHERE id = {k}"),
            Step::Set(k, v) => format!("UPDATE test SET value = {v} WHERE id = {k}"),
            Step::Insert(k, v) => format!("INSERT INTO test (id, value) VALUES ({k}, {v})"),
            Step::Delete(k) => format!("DELETE FROM test WHERE id = {k}"),
            Step::AddAll(n) => format!("UPDATE test SET value = value + {n}"),
            Step::DeleteWhere(n) => format!("DELETE FROM test WHERE value = {n}"),
            Step::Select(p) => format!("SELECT id, value FROM test{} ORDER BY id", p.sql()),
            Step::Commit => "COMMIT".to_string(),
            Step::Abort => "ROLLBACK".to_string(),
        }
    }

    /// Whether the step writes (the only kind that can wait).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Step::Set(..)
                | Step::Insert(..)
                | Step::Delete(..)
                | Step::AddAll(..)
                | Step::DeleteWhere(..)
        )
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Begin(level) => write!(f, "begin {}", level.name()),
            Step::Get(k) => write!(f, "get {k}"),
            Step::Set(k, v) => write!(f, "set {k} {v}"),
            Step::Insert(k, v) => write!(f, "insert {k} {v}"),
            Step::Delete(k) => write!(f, "delete {k}"),
            Step::AddAll(n) => write!(f, "add-all {n}"),
            Step::DeleteWhere(n) => write!(f, "delete-where value = {n}"),
            Step::Select(p) => write!(f, "select {p}"),
            Step::Commit => f.write_str("commit"),
            Step::Abort => f.write_str("abort"),
        }
    }
}

/// One line of a script that holds a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Its line number, counting from 1.
    pub number: usize,
    /// The transaction's name, the line's first word.
    pub txn: String,
    /// The step, the rest of the line.
    pub step: Step,
    /// The step as written, single-spaced (what the output echoes).
    pub text: String,
}

/// A script the parser or the runner refuses, with the line it refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// The line number, counting from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// Parses a script: `#` starts a comment, blank lines are skipped, every other line is a
/// transaction's name and one step.
pub fn parse(script: &str) -> Result<Vec<Line>, ScriptError> {
    let mut lines = Vec::new();
    for (i, raw) in script.lines().enumerate() {
        let number = i + 1;
        let code = raw.split('#').next().unwrap_or("");
        let words: Vec<&str> = code.split_whitespace().collect();
        let Some((&txn, rest)) = words.split_first() else {
            continue;
        };
        if rest.is_empty() {
            return Err(ScriptError {
                line: number,
                message: format!("`{txn}` has no step"),
            });
        }
        let step = Step::parse(rest).map_err(|message| ScriptError {
            line: number,
            message,
        })?;
        lines.push(Line {
            number,
            txn: txn.to_string(),
            step,
            text: rest.join(" "),
        });
    }
    Ok(lines)
}

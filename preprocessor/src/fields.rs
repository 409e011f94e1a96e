//! Typed, located access to a directive's TOML fields.
//!
//! We read the TOML as a spanned tree (`toml::de::DeTable`) rather than deserializing into structs with
//! serde: serde stops at the first problem and cannot say on which line a field sits, while a
//! contributor wants every problem of a directive at once, each with its line and a fix.

use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use crate::errors::DirectiveError;
use crate::html_check::{self, HtmlProblem};
use crate::kind::Kind;
use crate::lines::Lines;
use crate::relink::Moved;
use crate::render::{markdown_block, markdown_inline, markdown_inline_or_block, MarkdownProblem};
use crate::scan::Block;

/// A field a directive accepts, with a one-line example shown when it is missing or malformed.
pub(crate) type FieldSpec = (&'static str, &'static str);

/// One directive being read: where it is, and the problems found so far.
pub(crate) struct Site<'a> {
    pub kind: Kind,
    file: &'a Path,
    body: &'a str,
    /// The body's line starts, so locating each of many fields stays cheap.
    body_lines: Lines,
    fence_line: usize,
    errors: RefCell<Vec<DirectiveError>>,
    /// The chapter that shows the directive's fields when it is not `file` (a framework card on
    /// the frameworks sheet): their relative links are rewritten for it.
    shown_on: Option<&'a Path>,
}

impl<'a> Site<'a> {
    pub(crate) fn new(block: &'a Block, file: &'a Path) -> Self {
        Site {
            kind: block.kind,
            file,
            body: &block.body,
            body_lines: Lines::new(&block.body),
            fence_line: block.fence_line,
            errors: RefCell::new(Vec::new()),
            shown_on: None,
        }
    }

    /// The same directive, its Markdown fields shown on `page` rather than on its own chapter.
    pub(crate) fn shown_on(mut self, page: &'a Path) -> Self {
        self.shown_on = Some(page);
        self
    }

    fn moved(&self) -> Option<Moved<'a>> {
        self.shown_on
            .filter(|page| *page != self.file)
            .map(|to| Moved {
                from: self.file,
                to,
            })
    }

    /// Chapter line of byte `offset` of the body.
    fn line_at(&self, offset: usize) -> usize {
        self.fence_line + self.body_lines.line_of(offset.min(self.body.len()))
    }

    /// The line of the directive's first line where `key` is defined, written either as
    /// `key = ...` or as a `[key]` / `[[key]]` header, for naming both lines of a duplicate.
    fn first_definition(&self, key: &str) -> Option<usize> {
        self.body
            .split_inclusive('\n')
            .scan(0, |offset, line| {
                let start = *offset;
                *offset += line.len();
                Some((start, line))
            })
            .find(|(_, line)| {
                let line = line.trim_start();
                let header = line.trim_start_matches('[').trim_start();
                let defines = |text: &str| {
                    text.strip_prefix(key)
                        .is_some_and(|rest| rest.trim_start().starts_with(['=', '.', ']']))
                };
                defines(line) || (line.starts_with('[') && defines(header))
            })
            .map(|(start, _)| self.line_at(start))
    }

    pub(crate) fn report(
        &self,
        line: usize,
        field: Option<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.errors.borrow_mut().push(DirectiveError {
            file: self.file.to_path_buf(),
            line,
            directive: self.kind.name().to_string(),
            field,
            problem: problem.into(),
            fix: fix.into(),
        });
    }

    pub(crate) fn into_errors(self) -> Vec<DirectiveError> {
        self.errors.into_inner()
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    /// Parses the body, reporting a TOML syntax error at its line with a fix chosen by its kind.
    pub(crate) fn parse(&self) -> Option<Spanned<DeTable<'a>>> {
        match DeTable::parse(self.body) {
            Ok(table) => Some(table),
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let message = error.message().trim().trim_end_matches('.').to_string();
                let (line, problem, fix) = self.explain_syntax_error(&message, span);
                self.report(line, None, problem, fix);
                None
            }
        }
    }

    /// What a TOML syntax error means for a contributor, and what to write instead.
    fn explain_syntax_error(&self, message: &str, span: Range<usize>) -> (usize, String, String) {
        let line = self.line_at(span.start);
        let invalid = format!("invalid TOML: {message}");
        if message.starts_with("duplicate key") {
            let key = self.body.get(span.clone()).unwrap_or("").trim();
            let key = key.trim_matches(['"', '\'']);
            let first = self.first_definition(key).filter(|&first| first < line);
            let problem = match first {
                Some(first) => format!("`{key}` is defined twice, at lines {first} and {line}"),
                None => format!("`{key}` is defined twice"),
            };
            return (line, problem, "keep one of them".to_string());
        }
        let string_delimiter = ["\"\"\"", "\'\'\'", "\"", "\'"]
            .into_iter()
            .find(|delimiter| {
                let kind = match delimiter.len() {
                    3 if delimiter.starts_with('"') => "invalid multi-line basic string",
                    3 => "invalid multi-line literal string",
                    _ if delimiter.starts_with('"') => "invalid basic string",
                    _ => "invalid literal string",
                };
                message.starts_with(kind)
            });
        if let Some(delimiter) = string_delimiter {
            let end = span.start.min(self.body.len());
            // The string that never closes is the last one opened before the error.
            let opening = self.body[..end].rfind(delimiter).unwrap_or(end);
            let opened_at = self.line_at(opening);
            let problem = format!("the string opened at line {opened_at} is never closed");
            let fix = if delimiter.len() == 3 {
                format!("close it with `{delimiter}`")
            } else {
                format!(
                    "close it with `{delimiter}` on the same line, or use \"\"\"triple quotes\"\"\" for text over several lines"
                )
            };
            return (opened_at, problem, fix);
        }
        if message.starts_with("unclosed array table") {
            return (
                line,
                invalid,
                "close the header with `]]`, as in `[[source]]`".to_string(),
            );
        }
        if message.starts_with("unclosed table") {
            return (line, invalid, "close the header with `]`".to_string());
        }
        if message.starts_with("invalid date") || message.starts_with("invalid time") {
            let fix = "write `YYYY-MM-DD`, a real date with two-digit month and day, e.g. `date = \"2015-09-20\"`";
            return (line, invalid, fix.to_string());
        }
        if message.starts_with("string values must be quoted") {
            let fix =
                "quote every string, and put multi-line Markdown in \"\"\"triple quotes\"\"\"";
            return (line, invalid, fix.to_string());
        }
        if message.starts_with("key with no value") {
            let fix = "write every field as `name = value` on its own line (text in quotes)";
            return (line, invalid, fix.to_string());
        }
        let fix = "write each field as `name = value`, strings in quotes (multi-line Markdown in \"\"\"triple quotes\"\"\"), and entries under `[[name]]` headers";
        (line, invalid, fix.to_string())
    }

    /// The top-level fields, checked against `spec` (unknown fields are reported here).
    pub(crate) fn fields<'s>(
        &'s self,
        table: &'s DeTable<'a>,
        spec: &'static [FieldSpec],
    ) -> Fields<'s, 'a> {
        Fields::new(self, table, String::new(), self.fence_line, spec, None)
    }
}

/// The fields of one TOML table (the directive itself, or one `[[timeline]]` entry).
pub(crate) struct Fields<'s, 'a> {
    site: &'s Site<'a>,
    table: &'s DeTable<'a>,
    /// `timeline[2].` inside arrays of tables, so messages name the entry.
    prefix: String,
    /// Where to point when a field is missing: the fence, or the `[[table]]` header.
    line: usize,
    spec: &'static [FieldSpec],
    /// For an array entry: the enclosing table's fields and the array's name, to explain the TOML trap
    /// of writing a top-level field after a `[[table]]` header (TOML puts it into the last entry).
    parent: Option<(&'static [FieldSpec], String)>,
    /// The fields an unknown key here was suggested for ("did you mean"), so the same typo is not
    /// reported again as a missing field.
    suggested: RefCell<Vec<&'static str>>,
}

impl<'s, 'a> Fields<'s, 'a> {
    fn new(
        site: &'s Site<'a>,
        table: &'s DeTable<'a>,
        prefix: String,
        line: usize,
        spec: &'static [FieldSpec],
        parent: Option<(&'static [FieldSpec], String)>,
    ) -> Self {
        let fields = Fields {
            site,
            table,
            prefix,
            line,
            spec,
            parent,
            suggested: RefCell::new(Vec::new()),
        };
        fields.report_unknown();
        fields
    }

    fn belongs_to_parent(&self, name: &str) -> Option<&str> {
        let (spec, array) = self.parent.as_ref()?;
        spec.iter()
            .any(|(field, _)| *field == name)
            .then_some(array.as_str())
    }

    fn report_unknown(&self) {
        let mut unknown: Vec<_> = self
            .table
            .iter()
            .filter(|(key, _)| {
                !self
                    .spec
                    .iter()
                    .any(|(name, _)| *name == key.get_ref().as_ref())
            })
            .collect();
        unknown.sort_by_key(|(key, _)| key.span().start);
        for (key, _) in unknown {
            if let Some(array) = self.belongs_to_parent(key.get_ref()) {
                let problem = format!("belongs to the {} directive, but TOML reads every line after a `[[{array}]]` header as part of that entry", self.site.kind.name());
                self.report_at(
                    key.span(),
                    key.get_ref(),
                    problem,
                    format!("move `{}` above the first `[[{array}]]`", key.get_ref()),
                );
                continue;
            }
            let fix = match closest(key.get_ref(), self.spec) {
                Some((name, example)) => {
                    self.suggested.borrow_mut().push(name);
                    format!("did you mean `{name}`? write `{example}` instead")
                }
                None => format!(
                    "the fields are {}",
                    self.spec
                        .iter()
                        .map(|(name, _)| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.report_at(key.span(), key.get_ref(), "unknown field", fix);
        }
    }

    fn example(&self, name: &str) -> &'static str {
        self.spec
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, example)| *example)
            .expect("field not in spec")
    }

    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn report_at(
        &self,
        span: Range<usize>,
        name: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.site.report(
            self.site.line_at(span.start),
            Some(self.path(name)),
            problem,
            fix,
        );
    }

    /// Reports a value of the right type but the wrong shape, pointing at the field.
    pub(crate) fn invalid(&self, name: &str, problem: impl Into<String>, fix: impl Into<String>) {
        let span = self
            .table
            .get_key_value(name)
            .map_or(0..0, |(key, _)| key.span());
        if span == (0..0) {
            self.site
                .report(self.line, Some(self.path(name)), problem, fix);
        } else {
            self.report_at(span, name, problem, fix);
        }
    }

    /// The line of the field `name` (or of this table when absent): for messages about an entry.
    pub(crate) fn line_of(&self, name: &str) -> usize {
        self.table
            .get_key_value(name)
            .map_or(self.line, |(key, _)| self.site.line_at(key.span().start))
    }

    /// Reports `name` as a missing required field, with its example.
    pub(crate) fn missing(&self, name: &str) {
        if self.suggested.borrow().contains(&name) {
            // Already reported as an unknown field with "did you mean"; one typo, one message.
            return;
        }
        let example = self.example(name);
        self.site.report(
            self.line,
            Some(self.path(name)),
            "required field is missing",
            format!("add it, for example `{example}`"),
        );
    }

    fn wrong_type(&self, name: &str, expected: &str, found: &DeValue<'_>) {
        let span = self
            .table
            .get_key_value(name)
            .map(|(key, _)| key.span())
            .unwrap_or(0..0);
        let found = with_article(found.type_str());
        self.report_at(
            span,
            name,
            format!("expected {expected}, found {found}"),
            format!("write `{}` instead", self.example(name)),
        );
    }

    fn value(&self, name: &str) -> Option<&'s Spanned<DeValue<'a>>> {
        self.table.get_key_value(name).map(|(_, value)| value)
    }

    /// A required, non-empty string; an empty string on error (the directive is then not rendered).
    pub(crate) fn string(&self, name: &str) -> String {
        match self.value(name) {
            None => {
                self.missing(name);
                String::new()
            }
            Some(_) => self.optional_string(name).unwrap_or_default(),
        }
    }

    /// An optional string; when present it must not be blank.
    pub(crate) fn optional_string(&self, name: &str) -> Option<String> {
        let value = self.value(name)?;
        match value.get_ref() {
            DeValue::String(text) if text.trim().is_empty() => {
                self.invalid(
                    name,
                    "is empty",
                    format!(
                        "write `{}` instead, or leave the field out if it is optional",
                        self.example(name)
                    ),
                );
                None
            }
            DeValue::String(text) => Some(text.to_string()),
            other => {
                self.wrong_type(name, "a string", other);
                None
            }
        }
    }

    /// A required Markdown field rendered as block HTML.
    pub(crate) fn markdown(&self, name: &str) -> String {
        let text = self.string(name);
        self.render_markdown(name, &text, markdown_block)
    }

    /// An optional Markdown field rendered as block HTML.
    pub(crate) fn optional_markdown(&self, name: &str) -> Option<String> {
        let text = self.optional_string(name)?;
        Some(self.render_markdown(name, &text, markdown_block))
    }

    /// A required Markdown field that sits inside a heading, label or summary: one paragraph, no `<p>`.
    pub(crate) fn inline_markdown(&self, name: &str) -> String {
        let text = self.string(name);
        self.render_markdown(name, &text, markdown_inline)
    }

    /// A required Markdown field shown inline when it is one paragraph, as blocks when it is longer.
    pub(crate) fn inline_or_block_markdown(&self, name: &str) -> String {
        let text = self.string(name);
        self.render_markdown(name, &text, markdown_inline_or_block)
    }

    fn render_markdown(
        &self,
        name: &str,
        text: &str,
        render: fn(&str, &str, Option<Moved<'_>>) -> Result<String, MarkdownProblem>,
    ) -> String {
        if text.is_empty() {
            // Missing or blank: already reported by the caller.
            return String::new();
        }
        let path: String = self
            .path(name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = path
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let scope = format!("{}-{}-{path}", self.site.kind.name(), self.site.fence_line);
        match render(text, &scope, self.site.moved()) {
            Ok(html) => match html_check::check(&html) {
                Ok(()) => html,
                Err(problem) => {
                    let (problem, fix) = explain_html_problem(problem);
                    self.invalid(name, problem, fix);
                    String::new()
                }
            },
            Err(MarkdownProblem::Heading) => {
                self.invalid(
                    name,
                    "headings are not allowed in Markdown fields (the card has its own heading)",
                    "write **bold text** instead",
                );
                String::new()
            }
            Err(MarkdownProblem::NotInline) => {
                self.invalid(
                    name,
                    "must be a single paragraph (it is shown inline)",
                    format!(
                        "write one paragraph, like `{}`, instead",
                        self.example(name)
                    ),
                );
                String::new()
            }
        }
    }

    /// A required positive integer.
    pub(crate) fn positive(&self, name: &str) -> u32 {
        match self.value(name).map(Spanned::get_ref) {
            None => {
                self.missing(name);
                0
            }
            Some(DeValue::Integer(integer)) => {
                let number = exact_integer(integer).and_then(|number| u32::try_from(number).ok());
                match number {
                    Some(number) if number > 0 => number,
                    _ => {
                        self.invalid(
                            name,
                            format!("`{integer}` is not a positive whole number"),
                            format!("write `{}` instead", self.example(name)),
                        );
                        0
                    }
                }
            }
            Some(other) => {
                self.wrong_type(name, "an integer", other);
                0
            }
        }
    }

    /// An optional boolean, `false` when absent.
    pub(crate) fn boolean(&self, name: &str) -> bool {
        match self.value(name).map(Spanned::get_ref) {
            None => false,
            Some(DeValue::Boolean(value)) => *value,
            Some(other) => {
                self.wrong_type(name, "a boolean (true or false)", other);
                false
            }
        }
    }

    /// The array under `name`, or `None` after reporting it missing, of another type, or empty.
    fn non_empty_array(&self, name: &str, expected: &str) -> Option<&'s DeArray<'a>> {
        let Some(value) = self.value(name) else {
            self.missing(name);
            return None;
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(name, expected, value.get_ref());
            return None;
        };
        if items.into_iter().next().is_none() {
            let fix = format!(
                "add at least one entry, for example `{}`",
                self.example(name)
            );
            self.invalid(name, "is empty", fix);
            return None;
        }
        Some(items)
    }

    /// A required, non-empty list of non-empty strings.
    pub(crate) fn string_list(&self, name: &str) -> Vec<String> {
        let Some(items) = self.non_empty_array(name, "a list of strings") else {
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(text) if !text.trim().is_empty() => strings.push(text.to_string()),
                other => {
                    let found = if other.is_str() {
                        "an empty string".to_string()
                    } else {
                        with_article(other.type_str())
                    };
                    self.report_at(
                        item.span(),
                        name,
                        format!("every entry must be a non-empty string, found {found}"),
                        format!("write `{}` instead", self.example(name)),
                    );
                }
            }
        }
        strings
    }

    /// A required array of tables (`[[name]]`), each entry checked against `spec`; at least one entry.
    pub(crate) fn tables(&self, name: &str, spec: &'static [FieldSpec]) -> Vec<Fields<'s, 'a>> {
        let expected = format!("an array of tables (`[[{name}]]`)");
        let Some(items) = self.non_empty_array(name, &expected) else {
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(table) => {
                    let prefix = format!("{}{name}[{}].", self.prefix, index + 1);
                    let parent = Some((self.spec, name.to_string()));
                    let line = self.site.line_at(item.span().start);
                    entries.push(Fields::new(self.site, table, prefix, line, spec, parent));
                }
                other => self.report_at(
                    item.span(),
                    name,
                    format!("expected a table, found {}", with_article(other.type_str())),
                    format!("write `{}` instead", self.example(name)),
                ),
            }
        }
        entries
    }

    /// The `id` field: kebab-case, because it becomes part of an anchor people link to.
    pub(crate) fn id(&self) -> String {
        let id = self.string("id");
        if !id.is_empty() && !is_lower_name(&id, '-') {
            let mut suggestion = kebab_case(&id);
            if suggestion.is_empty() {
                // Nothing ASCII to keep (`id = "日本"`): any usable id beats `id = ""`.
                suggestion = format!("{}-{}", self.site.kind.name(), self.site.fence_line);
            }
            self.invalid(
                "id",
                format!(
                    "`{id}` is not kebab-case (lowercase ASCII letters, digits, single hyphens)"
                ),
                format!("write `id = \"{suggestion}\"` instead"),
            );
        }
        id
    }

    /// A date as `YYYY-MM-DD`, given either as a string or as a bare TOML date.
    pub(crate) fn date(&self, name: &str) -> String {
        let text = match self.value(name).map(Spanned::get_ref) {
            Some(DeValue::Datetime(datetime)) => datetime.to_string(),
            _ => self.string(name),
        };
        if !text.is_empty() && !is_iso_date(&text) {
            self.invalid(
                name,
                format!("`{text}` is not a date in YYYY-MM-DD form"),
                format!("write `{}` instead", self.example(name)),
            );
        }
        text
    }

    /// An optional inline table, converted to JSON for a `data-` attribute.
    pub(crate) fn json(&self, name: &str) -> Option<serde_json::Value> {
        let value = self.value(name)?;
        if !value.get_ref().is_table() {
            self.wrong_type(name, "an inline table", value.get_ref());
            return None;
        }
        match to_json(value.get_ref()) {
            Ok(json) => Some(json),
            Err(problem) => {
                self.invalid(
                    name,
                    problem,
                    format!("write `{}` instead", self.example(name)),
                );
                None
            }
        }
    }
}

fn to_json(value: &DeValue<'_>) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match value {
        DeValue::String(text) => Value::String(text.to_string()),
        DeValue::Boolean(value) => Value::Bool(*value),
        DeValue::Datetime(datetime) => Value::String(datetime.to_string()),
        DeValue::Integer(integer) => Value::from(
            exact_integer(integer)
                .ok_or_else(|| format!("`{integer}` does not fit in a 64-bit integer"))?,
        ),
        DeValue::Float(float) => {
            let number: f64 = float
                .as_str()
                .replace('_', "")
                .parse()
                .map_err(|_| format!("`{float}` is not a number JSON can hold"))?;
            serde_json::Number::from_f64(number)
                .map(Value::Number)
                .ok_or_else(|| format!("`{float}` is not a number JSON can hold"))?
        }
        DeValue::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| to_json(item.get_ref()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => {
            let mut object = serde_json::Map::new();
            for (key, item) in table.iter() {
                object.insert(key.get_ref().to_string(), to_json(item.get_ref())?);
            }
            Value::Object(object)
        }
    })
}

/// The integer a TOML literal of any radix (`55`, `-9_223_372_036_854_775_808`, `0xff`, `0o17`,
/// `0b1`) stands for, exactly; `None` when it does not fit in an `i64`. The parser hands over the
/// digits without prefix or underscores, in the form `from_str_radix` reads.
fn exact_integer(integer: &toml::de::DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(integer.as_str(), integer.radix()).ok()
}

/// The closest known field name, if it is close enough to be the one meant: within a third of the
/// name's length (at least one edit), so `thesys` finds `thesis` but `to` does not find `id`.
fn closest(unknown: &str, spec: &'static [FieldSpec]) -> Option<FieldSpec> {
    let unknown = unknown.to_lowercase();
    spec.iter()
        .filter_map(|field| {
            let allowed = (field.0.len() / 3).max(1);
            // Cheap bound first: a length difference is at least that many edits.
            if unknown.chars().count().abs_diff(field.0.len()) > allowed {
                return None;
            }
            let distance = strsim::osa_distance(&unknown, field.0);
            (distance <= allowed).then_some((distance, *field))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, field)| field)
}

/// Lowercase ASCII words joined by single `separator`s: kebab-case with `-`, snake_case with `_`.
pub(crate) fn is_lower_name(name: &str, separator: char) -> bool {
    name.split(separator).all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

/// What a field's HTML problem means, and what to write instead.
fn explain_html_problem(problem: HtmlProblem) -> (String, String) {
    match problem {
        HtmlProblem::Heading(tag) => (
            format!("raw `<{tag}>` headings are not allowed in Markdown fields (the card has its own heading)"),
            "write **bold text** instead".to_string(),
        ),
        HtmlProblem::Forbidden(tag) => (
            format!("`<{tag}>` is not allowed in Markdown fields"),
            "remove it: scripts belong to a widget in theme/js (see the `viz` directive), styles to theme/css".to_string(),
        ),
        HtmlProblem::UnterminatedComment => (
            "an HTML comment `<!--` is never closed (it would hide the rest of the page)".to_string(),
            "close it with `-->`, or remove it".to_string(),
        ),
        HtmlProblem::StrayEndTag(tag) => (
            format!("`</{tag}>` closes an element the field never opened (it would close the card around it)"),
            format!("remove `</{tag}>`"),
        ),
        HtmlProblem::Unclosed(tag) => (
            format!("`<{tag}>` is never closed (it would swallow the rest of the card)"),
            format!("close it with `</{tag}>`, or write the field in plain Markdown"),
        ),
        HtmlProblem::Empty => (
            "renders to nothing (it holds only a comment or markup with no text)".to_string(),
            "write the text the reader should see, or leave the field out if it is optional".to_string(),
        ),
    }
}

/// Latin letters with diacritics and ligatures, and the ASCII that stands for them in an id.
const ASCII_FOLDS: &[(&str, &str)] = &[
    ("àáâãäåāăą", "a"),
    ("çćĉċč", "c"),
    ("ďđð", "d"),
    ("èéêëēĕėęě", "e"),
    ("ĝğġģ", "g"),
    ("ĥħ", "h"),
    ("ìíîïĩīĭįı", "i"),
    ("ĵ", "j"),
    ("ķ", "k"),
    ("ĺļľŀł", "l"),
    ("ñńņňŉ", "n"),
    ("òóôõöøōŏő", "o"),
    ("ŕŗř", "r"),
    ("śŝşšș", "s"),
    ("ţťŧț", "t"),
    ("ùúûüũūŭůűų", "u"),
    ("ŵ", "w"),
    ("ýÿŷ", "y"),
    ("źżž", "z"),
    ("ß", "ss"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("þ", "th"),
];

pub(crate) fn kebab_case(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                return c.to_string();
            }
            ASCII_FOLDS
                .iter()
                .find(|(letters, _)| letters.contains(c))
                .map_or("-".to_string(), |(_, ascii)| ascii.to_string())
        })
        .collect();
    lower
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let numeric =
        |part: &str, len: usize| part.len() == len && part.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [year, month, day] if numeric(year, 4) && numeric(month, 2) && numeric(day, 2) => {
            let year: u32 = year.parse().unwrap_or(0);
            let (month, day): (u32, u32) = (month.parse().unwrap_or(0), day.parse().unwrap_or(0));
            (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)
        }
        _ => false,
    }
}

/// Days in `month` (1-12) of `year` in the Gregorian calendar, so `2015-02-31` is refused.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[FieldSpec] = &[
        ("thesis", "thesis = \"x\""),
        ("use_when", "use_when = \"x\""),
        ("id", "id = \"x\""),
    ];

    #[test]
    fn suggests_the_nearest_field() {
        assert_eq!(closest("thesys", SPEC).map(|f| f.0), Some("thesis"));
        assert_eq!(closest("use-when", SPEC).map(|f| f.0), Some("use_when"));
        assert_eq!(closest("colour", SPEC), None);
    }

    #[test]
    fn kebab_case_suggestion() {
        assert_eq!(kebab_case("Assumption Ledger!"), "assumption-ledger");
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_iso_date("2015-09-20"));
        assert!(!is_iso_date("2015-9-20"));
        assert!(!is_iso_date("2015-13-01"));
        assert!(!is_iso_date("20 Sep 2015"));
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert!(!is_iso_date("2015-02-31"));
        assert!(!is_iso_date("2015-02-29"));
        assert!(is_iso_date("2016-02-29"));
        assert!(!is_iso_date("1900-02-29"));
        assert!(is_iso_date("2000-02-29"));
        assert!(!is_iso_date("2015-04-31"));
        assert!(is_iso_date("2015-12-31"));
    }

    #[test]
    fn short_unknown_names_get_no_suggestion() {
        const ID: &[FieldSpec] = &[("id", "id = \"x\""), ("name", "name = \"x\"")];
        assert_eq!(closest("to", ID), None);
        assert_eq!(closest("k0", ID), None);
        assert_eq!(closest("ID", ID).map(|f| f.0), Some("id"));
        assert_eq!(closest("nmae", ID).map(|f| f.0), Some("name"));
    }

    #[test]
    fn non_ascii_ids_fold_to_ascii() {
        assert_eq!(kebab_case("Café Ünïcode"), "cafe-unicode");
        assert_eq!(kebab_case("日本"), "");
    }
}

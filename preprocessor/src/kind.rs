//! The directive kinds and their names: the one thing every other file of the crate needs to know about
//! directives, kept apart so that reading fields (`fields.rs`) and finding blocks (`scan.rs`) do not
//! depend on the directives themselves.

/// The directive kinds, named by their info string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Module,
    Framework,
    Postmortem,
    Ladder,
    WhenNot,
    Viz,
    Check,
    Crate,
    Curriculum,
    FrameworksSheet,
    WhereYouSit,
    Glossary,
}

/// Info strings of ordinary code blocks that sit near a directive's name but are never one: a block
/// with one of these is always shown as code, however close the spelling.
const CODE_LANGUAGES: &[&str] = &[
    "rust",
    "toml",
    "text",
    "output",
    "sh",
    "bash",
    "console",
    "json",
    "markdown",
    "md",
    "diff",
    "html",
    "css",
    "js",
    "javascript",
    "yaml",
    "ini",
    "csv",
    "sql",
    "python",
    "go",
    "c",
    "cpp",
    "mermaid",
    "plain",
    "plaintext",
    "txt",
    "log",
    "edn",
    "clojure",
    "dot",
    "http",
    "ignore",
];

impl Kind {
    /// Every kind, in the order CONTRIBUTING.md documents them.
    pub(crate) const ALL: [Kind; 12] = [
        Kind::Module,
        Kind::Framework,
        Kind::Postmortem,
        Kind::Ladder,
        Kind::WhenNot,
        Kind::Viz,
        Kind::Check,
        Kind::Crate,
        Kind::Curriculum,
        Kind::FrameworksSheet,
        Kind::WhereYouSit,
        Kind::Glossary,
    ];

    /// The info string that opens this directive.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Framework => "framework",
            Kind::Postmortem => "postmortem",
            Kind::Ladder => "ladder",
            Kind::WhenNot => "when-not",
            Kind::Viz => "viz",
            Kind::Check => "check",
            Kind::Crate => "crate",
            Kind::Curriculum => "curriculum",
            Kind::FrameworksSheet => "frameworks-sheet",
            Kind::WhereYouSit => "where-you-sit",
            Kind::Glossary => "glossary",
        }
    }

    /// The kind whose name is exactly `info`; any other info string is an ordinary code language.
    pub(crate) fn from_info(info: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == info)
    }

    /// The directive an info string that is not one was probably meant to be: the same name in another
    /// case (`Framework`), with words after it (`framework extra`), or a small typo (`framwork`,
    /// `postmortems`, `when_not`). A silent miss would publish the raw TOML as a code block.
    pub(crate) fn near_miss(info: &str) -> Option<Kind> {
        let word = info
            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .next()
            .unwrap_or("");
        let lower = word.to_lowercase();
        if lower.is_empty() || CODE_LANGUAGES.contains(&lower.as_str()) {
            return None;
        }
        Kind::ALL
            .into_iter()
            .map(|kind| (strsim::osa_distance(&lower, kind.name()), kind))
            .filter(|(distance, kind)| *distance <= (kind.name().len() / 4).max(1))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, kind)| kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings_match_exactly() {
        assert_eq!(Kind::from_info("when-not"), Some(Kind::WhenNot));
        assert_eq!(Kind::from_info("Framework"), None);
        assert_eq!(Kind::from_info("rust"), None);
    }

    #[test]
    fn near_misses_name_the_directive_meant() {
        for (info, kind) in [
            ("framwork", Kind::Framework),
            ("Framework", Kind::Framework),
            ("framework extra", Kind::Framework),
            ("when_not", Kind::WhenNot),
            ("postmortems", Kind::Postmortem),
            ("VIZ", Kind::Viz),
            ("ladders", Kind::Ladder),
            ("chek", Kind::Check),
        ] {
            assert_eq!(Kind::near_miss(info), Some(kind), "{info}");
        }
    }

    #[test]
    fn code_languages_are_never_near_misses() {
        for info in [
            "rust,editable",
            "rust,editable,should_panic",
            "toml",
            "text",
            "output",
            "sh",
            "console",
            "json",
            "markdown",
            "diff",
            "",
            "checklist",
            "vizier",
        ] {
            assert_eq!(Kind::near_miss(info), None, "{info}");
        }
    }
}

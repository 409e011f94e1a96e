//! Every kind of error a contributor can meet, with its exact message and line.

use std::path::{Path, PathBuf};

use mdbook_dsip::{expand, DirectiveError, Dsip};
use mdbook_preprocessor::book::{Book, Chapter};
use mdbook_preprocessor::config::Config;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

const CHAPTER: &str = "01-single-node-lie/index.md";

fn messages(source: &str) -> Vec<String> {
    let errors = expand(source, Path::new(CHAPTER)).expect_err("the source should have errors");
    errors.iter().map(DirectiveError::to_string).collect()
}

fn framework(fields: &str) -> String {
    format!("Intro.\n\n```framework\n{fields}```\n")
}

const GOOD_FRAMEWORK: &str =
    "id = \"x\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n";

#[test]
fn the_good_framework_used_below_expands() {
    assert!(expand(&framework(GOOD_FRAMEWORK), Path::new(CHAPTER)).is_ok());
}

#[test]
fn unknown_field_suggests_the_nearest_name_once() {
    let source =
        framework("id = \"x\"\nname = \"N\"\nthesys = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:6: framework directive: field `thesys`: unknown field; did you mean `thesis`? write \
             `thesis = \"Every distributed design rests on assumptions; write them down with a way to detect each one breaking.\"` instead"
        )]
    );
}

#[test]
fn unknown_field_without_a_near_name_lists_the_fields() {
    let source = framework(&format!("{GOOD_FRAMEWORK}colour = \"red\"\n"));
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:9: framework directive: field `colour`: unknown field; the fields are `id`, `name`, `thesis`, `body`, `use_when`"
        )]
    );
}

#[test]
fn missing_field_names_it_with_an_example_at_the_fence() {
    let source = framework("id = \"x\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\n");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:3: framework directive: field `use_when`: required field is missing; add it, for example \
             `use_when = \"You are reviewing a design that says *the network is reliable*.\"`"
        )]
    );
}

#[test]
fn wrong_type_says_expected_and_found() {
    let source = "```module\nnumber = 1\nsubtitle = \"S\"\ntrack = \"T\"\nminutes = \"55\"\nframeworks = \"A\"\nanchor = \"A\"\n```\n";
    assert_eq!(
        messages(source),
        [
            format!("{CHAPTER}:5: module directive: field `minutes`: expected an integer, found a string; write `minutes = 55` instead"),
            format!(
                "{CHAPTER}:6: module directive: field `frameworks`: expected a list of strings, found a string; write \
                 `frameworks = [\"The Assumption Ledger\", \"The Failure-Detector Trilemma\"]` instead"
            ),
        ]
    );
}

#[test]
fn toml_syntax_error_points_at_its_line() {
    let source = framework("id = \"x\"\nname = The Ledger\n");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:5: framework directive: invalid TOML: string values must be quoted, expected literal string; \
             quote every string, and put multi-line Markdown in \"\"\"triple quotes\"\"\""
        )]
    );
}

#[test]
fn id_must_be_kebab_case() {
    let source = framework(&GOOD_FRAMEWORK.replace("id = \"x\"", "id = \"Assumption Ledger\""));
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:4: framework directive: field `id`: `Assumption Ledger` is not kebab-case (lowercase ASCII letters, digits, \
             single hyphens); write `id = \"assumption-ledger\"` instead"
        )]
    );
}

#[test]
fn headings_in_markdown_fields_are_refused() {
    let source = framework(&GOOD_FRAMEWORK.replace(
        "body = \"B\"",
        "body = \"\"\"\n## Steps\n1. Write it down\n\"\"\"",
    ));
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:7: framework directive: field `body`: headings are not allowed in Markdown fields (the card has its \
             own heading); write **bold text** instead"
        )]
    );
}

#[test]
fn inline_fields_hold_one_paragraph() {
    let source =
        framework(&GOOD_FRAMEWORK.replace("thesis = \"T\"", "thesis = \"One.\\n\\nTwo.\""));
    assert_eq!(messages(&source).len(), 1);
    assert!(messages(&source)[0].starts_with(&format!(
        "{CHAPTER}:6: framework directive: field `thesis`: must be a single paragraph (it is shown inline); write one paragraph"
    )));
}

fn ladder(levels: &[&str]) -> String {
    let mut source = String::from("```ladder\nid = \"q\"\nquestion = \"Q?\"\n");
    for level in levels {
        source.push_str(&format!(
            "\n[[answer]]\nlevel = \"{level}\"\nanswer = \"A\"\nmissed = \"M\"\n"
        ));
    }
    source + "```\n"
}

#[test]
fn ladder_names_the_missing_levels() {
    assert_eq!(
        messages(&ladder(&["L3", "L4", "L5"])),
        [format!(
            "{CHAPTER}:5: ladder directive: field `answer`: `L6` is missing; give four [[answer]] tables with level L3, L4, L5, L6 in that order"
        )]
    );
}

#[test]
fn ladder_names_the_level_out_of_order() {
    assert_eq!(
        messages(&ladder(&["L3", "L5", "L4", "L6"])),
        [format!(
            "{CHAPTER}:11: ladder directive: field `answer[2].level`: `L5` is out of order: answer 2 should be `L4`; give four \
             [[answer]] tables with level L3, L4, L5, L6 in that order"
        )]
    );
}

#[test]
fn ladder_rejects_unknown_and_duplicate_levels() {
    assert_eq!(
        messages(&ladder(&["L3", "L4", "L5", "L7"])),
        [format!(
            "{CHAPTER}:21: ladder directive: field `answer[4].level`: `L7` is not a level; write one of `level = \"L3\"`, \"L4\", \"L5\", \"L6\" instead"
        )]
    );
    assert_eq!(
        messages(&ladder(&["L3", "L4", "L4", "L5", "L6"])),
        [format!(
            "{CHAPTER}:16: ladder directive: field `answer[3].level`: `L4` appears twice; give four [[answer]] tables with \
             level L3, L4, L5, L6 in that order"
        )]
    );
}

fn postmortem(timeline: &str) -> String {
    format!(
        "```postmortem\nid = \"p\"\ntitle = \"T\"\ndate = \"2015-09-20\"\nduration = \"5 h\"\nimpact = \"I\"\nlesson = \"L\"\n\
         moment = \"M\"\n{timeline}\n[[source]]\ntitle = \"S\"\nurl = \"https://example.org/postmortem\"\n```\n"
    )
}

#[test]
fn postmortem_needs_exactly_one_critical_entry() {
    let none = postmortem("[[timeline]]\ntime = \"1\"\nevent = \"E\"\n");
    assert_eq!(
        messages(&none),
        [format!(
            "{CHAPTER}:9: postmortem directive: field `timeline`: no entry has `critical = true`; add `critical = true` to \
             the entry where the system crossed from degraded into failing"
        )]
    );
    let two = postmortem(
        "[[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\n[[timeline]]\ntime = \"2\"\nevent = \"F\"\ncritical = true\n",
    );
    assert_eq!(
        messages(&two),
        [format!(
            "{CHAPTER}:9: postmortem directive: field `timeline`: 2 entries have `critical = true` (lines 12, 16); keep \
             `critical = true` on the one moment it went wrong and remove it from the others"
        )]
    );
}

#[test]
fn a_top_level_field_under_a_table_header_is_explained() {
    let source = "```postmortem\nid = \"p\"\ntitle = \"T\"\ndate = \"2015-09-20\"\nduration = \"5 h\"\nimpact = \"I\"\n\
                  [[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\nmoment = \"M\"\nlesson = \"L\"\n\
                  [[source]]\ntitle = \"S\"\nurl = \"https://example.org/\"\n```\n";
    assert_eq!(
        messages(source),
        [
            format!(
                "{CHAPTER}:12: postmortem directive: field `timeline[1].lesson`: belongs to the postmortem directive, but TOML \
                 reads every line after a `[[timeline]]` header as part of that entry; move `lesson` above the first `[[timeline]]`"
            ),
            format!(
                "{CHAPTER}:1: postmortem directive: field `lesson`: required field is missing; add it, for example \
                 `lesson = \"A recovery path that every client takes at once needs its own capacity budget.\"`"
            ),
        ]
    );
}

#[test]
fn dates_and_urls_are_checked() {
    let source = postmortem("[[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\n")
        .replace("2015-09-20", "20/09/2015")
        .replace("https://example.org/postmortem", "example.org");
    assert_eq!(
        messages(&source),
        [
            format!("{CHAPTER}:4: postmortem directive: field `date`: `20/09/2015` is not a date in YYYY-MM-DD form; write `date = \"2015-09-20\"` instead"),
            format!(
                "{CHAPTER}:16: postmortem directive: field `source[1].url`: `example.org` is not an http(s) URL; write \
                 `url = \"https://aws.amazon.com/message/5467D2/\"` instead"
            ),
        ]
    );
}

#[test]
fn curriculum_links_must_be_chapter_sources() {
    let source = "```curriculum\n[[module]]\nnumber = 1\ntitle = \"T\"\nsubtitle = \"S\"\ntrack = \"F\"\nminutes = 5\n\
                  frameworks = [\"F\"]\nanchor = \"A\"\nlink = \"/01/index.html\"\n```\n";
    assert_eq!(
        messages(source),
        [format!(
            "{CHAPTER}:10: curriculum directive: field `module[1].link`: `/01/index.html` is not a chapter path relative to src/ (no `:`, `\\` or `..`); \
             write `link = \"01-single-node-lie/index.md\"` instead"
        )]
    );
}

#[test]
fn every_error_of_every_directive_in_a_chapter_is_reported() {
    let source = format!("{}\n{}", framework("id = \"x\"\n"), ladder(&["L3"]));
    let messages = messages(&source);
    assert_eq!(messages.len(), 5, "{messages:#?}");
    assert!(messages[..4]
        .iter()
        .all(|message| message.starts_with(&format!("{CHAPTER}:3: framework directive: field `"))));
    assert!(messages[4].starts_with(&format!(
        "{CHAPTER}:11: ladder directive: field `answer`: `L4`, `L5`, `L6` are missing"
    )));
}

#[test]
fn the_preprocessor_reports_every_chapter_with_its_path_in_the_book() {
    let mut book = Book::new();
    for (name, path) in [
        ("One", "01-single-node-lie/index.md"),
        ("Two", "02-consistency/index.md"),
    ] {
        book.push_item(Chapter::new(
            name,
            framework("id = \"x\"\n"),
            path,
            Vec::new(),
        ));
    }
    let ctx = PreprocessorContext::new(PathBuf::from("."), Config::default(), "html".to_string());
    let error = Dsip
        .run(&ctx, book)
        .expect_err("both chapters are wrong")
        .to_string();
    assert!(error.starts_with("8 directive errors:\n"), "{error}");
    assert!(error.contains("\nsrc/01-single-node-lie/index.md:3: framework directive: field `name`: required field is missing"), "{error}");
    assert!(error.contains("\nsrc/02-consistency/index.md:3: framework directive: field `use_when`: required field is missing"), "{error}");
}

#[test]
fn empty_lists_and_arrays_of_tables_are_refused() {
    let source = "```check\nid = \"c\"\nquestion = []\n```\n";
    assert_eq!(
        messages(source),
        [format!(
            "{CHAPTER}:3: check directive: field `question`: is empty; add at least one entry, for example \
             `[[question]] (then question = \"...\" and answer = \"...\" on the lines below)`"
        )]
    );
}

const GLOSSARY: &str = "```glossary\n[[term]]\nterm = \"quorum\"\ndefinition = \"Enough replicas that any two sets overlap.\"\nmodule = 2\n```\n";

#[test]
fn a_term_link_naming_no_term_fails_with_a_did_you_mean() {
    let source = format!("A [quorums](term:quorums) here.\n\n{GLOSSARY}");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:1: glossary directive: the term link `term:quorums` names no glossary term; did you mean `term:quorum`? (terms are kebab-case)"
        )]
    );
}

#[test]
fn a_term_defined_twice_names_the_first_definition() {
    let source = format!("{GLOSSARY}\n{GLOSSARY}");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:10: glossary directive: field `term[1].term`: `quorum` is already defined at {CHAPTER}:3 (term links could mean either); keep one definition of each term and remove this one"
        )]
    );
}

#[test]
fn a_term_link_in_a_heading_is_refused() {
    let source = format!("## About [quorum](term:)\n\n{GLOSSARY}");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:1: glossary directive: the term link `term:quorum` is in a heading, whose text becomes its anchor; write the term as plain text in the heading and link it in the prose below"
        )]
    );
}

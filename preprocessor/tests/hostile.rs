//! Hostile input (issue 19): each finding of the hostile-contributor review, with the behaviour a
//! contributor now gets. Every test here failed before the fix it pins.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mdbook_dsip::{expand, expand_in_book, DirectiveError};

const CHAPTER: &str = "01-single-node-lie/index.md";

fn messages(source: &str) -> Vec<String> {
    let errors = expand(source, Path::new(CHAPTER)).expect_err("the source should have errors");
    errors.iter().map(DirectiveError::to_string).collect()
}

const GOOD_FRAMEWORK: &str =
    "id = \"x\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n";

fn framework(fields: &str) -> String {
    format!("Intro.\n\n```framework\n{fields}```\n")
}

fn viz(params: &str) -> String {
    format!("```viz\nid = \"v\"\nwidget = \"w\"\nwasm = \"c\"\ntitle = \"T\"\ncaption = \"C\"\nparams = {{ {params} }}\n```\n")
}

#[test]
fn integers_of_every_radix_convert_exactly() {
    let html = expand(
        &viz("a = 0x3, b = 0xff, c = 0xabcd, d = 0b1, e = 0o17, f = -9_223_372_036_854_775_808, g = 1_000"),
        Path::new(CHAPTER),
    )
    .unwrap();
    assert!(
        html.contains(r#"data-params='{"a":3,"b":255,"c":43981,"d":1,"e":15,"f":-9223372036854775808,"g":1000}'"#),
        "{html}"
    );
}

#[test]
fn an_integer_too_big_for_json_is_a_located_error() {
    assert_eq!(
        messages(&viz("h = 0x8000_0000_0000_0000")),
        [format!("{CHAPTER}:7: viz directive: field `params`: `0x8000000000000000` does not fit in a 64-bit integer; write `params = {{ replicas = 3 }}` instead")]
    );
}

#[test]
fn misspelt_directive_names_fail_with_a_did_you_mean() {
    for (info, meant) in [
        ("framwork", "framework"),
        ("when_not", "when-not"),
        ("postmortems", "postmortem"),
        ("Framework", "framework"),
    ] {
        let source = format!("Intro.\n\n```{info}\nid = \"x\"\n```\n");
        assert_eq!(
            messages(&source),
            [format!(
                "{CHAPTER}:3: {meant} directive: the info string `{info}` is not a directive's name (names are exact and \
                 lowercase); did you mean `{meant}`? write ```{meant} on the opening fence; to show TOML as code, write ```toml"
            )]
        );
    }
}

#[test]
fn ordinary_code_blocks_pass_through_untouched() {
    let source = "```toml\nframework = 1\n```\n\n```output\nA sends at 1\n```\n\n```rust,editable\nfn main() {}\n```\n\n```text\nviz\n```\n";
    assert_eq!(expand(source, Path::new(CHAPTER)).unwrap(), source);
}

#[test]
fn duplicate_anchors_are_reported_with_both_lines() {
    let card = format!("```framework\n{GOOD_FRAMEWORK}```\n");
    let source = format!("{card}\n{card}");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:9: framework directive: the anchor `#framework-x` is already the framework directive's at line 1; \
             give each directive on a page its own id (links to the anchor would reach only the first)"
        )]
    );
}

#[test]
fn a_chapter_has_one_module_header() {
    let header = |number: u32| {
        format!("```module\nnumber = {number}\nsubtitle = \"S\"\ntrack = \"T\"\nminutes = 5\nframeworks = [\"F\"]\nanchor = \"A\"\n```\n")
    };
    let same = format!("{}\n{}", header(1), header(1));
    let messages_same = messages(&same);
    assert_eq!(messages_same.len(), 2, "{messages_same:#?}");
    assert!(messages_same[0].starts_with(&format!(
        "{CHAPTER}:10: module directive: a chapter has one module header, and this one's first is at line 1"
    )));
    assert!(messages_same[1].starts_with(&format!(
        "{CHAPTER}:10: module directive: the anchor `#module-1` is already the module directive's at line 1"
    )));
    let different = format!("{}\n{}", header(1), header(2));
    assert_eq!(messages(&different).len(), 1);
}

fn curriculum(link: &str) -> String {
    format!(
        "```curriculum\n[[module]]\nnumber = 1\ntitle = \"T\"\nsubtitle = \"S\"\ntrack = \"F\"\nminutes = 5\n\
         frameworks = [\"F\"]\nanchor = \"A\"\nlink = \"{link}\"\n```\n"
    )
}

#[test]
fn curriculum_links_cannot_leave_the_book() {
    for link in [
        "javascript:alert(1)//.md",
        "..\\\\secrets.md",
        "../outside.md",
        "01/../../x.md",
        "https://example.org/a.md",
    ] {
        let shown = link.replace("\\\\", "\\");
        assert_eq!(
            messages(&curriculum(link)),
            [format!(
                "{CHAPTER}:10: curriculum directive: field `module[1].link`: `{shown}` is not a chapter path relative to \
                 src/ (no `:`, `\\` or `..`); write `link = \"01-single-node-lie/index.md\"` instead"
            )],
            "{link}"
        );
    }
}

#[test]
fn curriculum_links_must_name_a_chapter_of_the_book() {
    let chapters: HashSet<PathBuf> = [PathBuf::from("01-single-node-lie/index.md")].into();
    assert!(expand_in_book(
        &curriculum("01-single-node-lie/index.md#start"),
        Path::new("index.md"),
        &chapters
    )
    .is_ok());
    let errors = expand_in_book(
        &curriculum("02-consistency/index.md"),
        Path::new("index.md"),
        &chapters,
    )
    .unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "index.md:10: curriculum directive: field `module[1].link`: `02-consistency/index.md` is not a chapter of the \
         book (SUMMARY.md does not link it); link a chapter listed in SUMMARY.md, or leave `link` out while the module \
         is unpublished"
    );
}

fn postmortem_dated(date: &str) -> String {
    format!(
        "```postmortem\nid = \"p\"\ntitle = \"T\"\ndate = {date}\nduration = \"5 h\"\nimpact = \"I\"\nlesson = \"L\"\n\
         moment = \"M\"\n[[timeline]]\ntime = \"1\"\nevent = \"E\"\ncritical = true\n\
         [[source]]\ntitle = \"S\"\nurl = \"https://example.org/postmortem\"\n```\n"
    )
}

#[test]
fn dates_are_real_calendar_days() {
    assert_eq!(
        messages(&postmortem_dated("\"2015-02-31\"")),
        [format!("{CHAPTER}:4: postmortem directive: field `date`: `2015-02-31` is not a date in YYYY-MM-DD form; write `date = \"2015-09-20\"` instead")]
    );
    assert_eq!(
        messages(&postmortem_dated("2015-02-31")),
        [format!(
            "{CHAPTER}:4: postmortem directive: invalid TOML: invalid date, expected day between 01 and 28; write \
             `YYYY-MM-DD`, a real date with two-digit month and day, e.g. `date = \"2015-09-20\"`"
        )]
    );
    assert_eq!(
        messages(&postmortem_dated("2015-9-20")),
        [format!(
            "{CHAPTER}:4: postmortem directive: invalid TOML: invalid date, expected a two-digit month (MM); write \
             `YYYY-MM-DD`, a real date with two-digit month and day, e.g. `date = \"2015-09-20\"`"
        )]
    );
    assert!(expand(&postmortem_dated("2016-02-29"), Path::new(CHAPTER)).is_ok());
}

#[test]
fn the_module_crate_is_a_crate_name() {
    let source = "```module\nnumber = 1\nsubtitle = \"S\"\ntrack = \"T\"\nminutes = 5\nframeworks = [\"F\"]\nanchor = \"A\"\ncrate = \"My Crate!\"\n```\n";
    assert_eq!(
        messages(source),
        [format!("{CHAPTER}:8: module directive: field `crate`: `My Crate!` is not a crate name; write the package name from its Cargo.toml, e.g. `crate = \"clocks\"`, instead")]
    );
}

fn body(markdown: &str) -> Vec<String> {
    messages(&framework(&GOOD_FRAMEWORK.replace(
        "body = \"B\"",
        &format!("body = '''\n{markdown}\n'''"),
    )))
}

#[test]
fn md_fields_keep_the_html_contract() {
    let at = format!("{CHAPTER}:7: framework directive: field `body`: ");
    for (markdown, message) in [
        ("<div>\nText", "`<div>` is never closed (it would swallow the rest of the card); close it with `</div>`, or write the field in plain Markdown"),
        ("Text\n\n</article>", "`</article>` closes an element the field never opened (it would close the card around it); remove `</article>`"),
        ("<!-- unfinished\n\nText", "an HTML comment `<!--` is never closed (it would hide the rest of the page); close it with `-->`, or remove it"),
        ("<h2>Sub</h2>", "raw `<h2>` headings are not allowed in Markdown fields (the card has its own heading); write **bold text** instead"),
        ("Text\n\n<script>alert(1)</script>", "`<script>` is not allowed in Markdown fields; remove it: scripts belong to a widget in theme/js (see the `viz` directive), styles to theme/css"),
        ("<style>p { color: red }</style>\n\nText", "`<style>` is not allowed in Markdown fields; remove it: scripts belong to a widget in theme/js (see the `viz` directive), styles to theme/css"),
        ("<!-- only a comment -->", "renders to nothing (it holds only a comment or markup with no text); write the text the reader should see, or leave the field out if it is optional"),
    ] {
        assert_eq!(body(markdown), [format!("{at}{message}")], "{markdown}");
    }
}

#[test]
fn balanced_raw_html_is_still_welcome() {
    let source = framework(&GOOD_FRAMEWORK.replace(
        "body = \"B\"",
        "body = '''\nPress <kbd>Ctrl</kbd>.<br>\n\n<div class=\"note\">\n\nA *note*.\n\n</div>\n'''",
    ));
    assert!(expand(&source, Path::new(CHAPTER)).is_ok());
}

#[test]
fn duplicate_keys_name_both_lines() {
    assert_eq!(
        messages(&framework(&format!("{GOOD_FRAMEWORK}name = \"Again\"\n"))),
        [format!("{CHAPTER}:9: framework directive: `name` is defined twice, at lines 5 and 9; keep one of them")]
    );
}

#[test]
fn an_unterminated_string_points_at_its_opening_line() {
    assert_eq!(
        messages(&framework("id = \"x\"\nname = \"N\nthesis = \"T\"\n")),
        [format!(
            "{CHAPTER}:5: framework directive: the string opened at line 5 is never closed; close it with `\"` on the \
             same line, or use \"\"\"triple quotes\"\"\" for text over several lines"
        )]
    );
    assert_eq!(
        messages(&framework("id = \"x\"\nbody = \"\"\"\nText\n\nMore\n")),
        [format!("{CHAPTER}:5: framework directive: the string opened at line 5 is never closed; close it with `\"\"\"`")]
    );
}

#[test]
fn an_unclosed_table_header_says_how_to_close_it() {
    let source = "```check\nid = \"c\"\n[[question]\nquestion = \"Q\"\nanswer = \"A\"\n```\n";
    assert_eq!(
        messages(source),
        [format!(
            "{CHAPTER}:3: check directive: invalid TOML: unclosed array table, expected `]`; close the header with `]]`, \
             as in `[[source]]`"
        )]
    );
}

#[test]
fn a_missing_closing_fence_is_reported_at_the_opening_one() {
    let source = "Intro.\n\n```framework\nid = \"x\"\n\nSome prose after it, which is not TOML.\n\n## Next\n";
    assert_eq!(
        messages(source),
        [format!(
            "{CHAPTER}:3: framework directive: the fence that closes the directive opened at line 3 is missing; end \
             the directive with a line holding ``` (the same fence as its opening line) right after its last field"
        )]
    );
}

#[test]
fn short_unknown_keys_list_the_fields_instead_of_guessing() {
    for key in ["to", "k0"] {
        assert_eq!(
            messages(&framework(&format!("{GOOD_FRAMEWORK}{key} = 1\n"))),
            [format!("{CHAPTER}:9: framework directive: field `{key}`: unknown field; the fields are `id`, `name`, `thesis`, `body`, `use_when`")]
        );
    }
}

#[test]
fn non_ascii_ids_get_a_usable_suggestion() {
    let suggestion = |id: &str| {
        let messages = messages(&framework(
            &GOOD_FRAMEWORK.replace("\"x\"", &format!("\"{id}\"")),
        ));
        let fix = messages[0].rsplit("; ").next().unwrap().to_string();
        fix
    };
    assert_eq!(
        suggestion("Café Ünïcode"),
        "write `id = \"cafe-unicode\"` instead"
    );
    assert_eq!(suggestion("日本"), "write `id = \"framework-3\"` instead");
}

#[test]
fn crlf_chapters_report_the_same_lines() {
    let source =
        framework("id = \"x\"\nname = \"N\"\nthesys = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n");
    let lf = messages(&source);
    let crlf = messages(&source.replace('\n', "\r\n"));
    assert_eq!(lf, crlf);
    assert!(lf[0].starts_with(&format!("{CHAPTER}:6:")), "{lf:?}");
}

#[test]
fn a_directive_anchor_may_not_be_a_heading_id() {
    let source =
        format!("## Framework: x\n\nWhy it matters.\n\n```framework\n{GOOD_FRAMEWORK}```\n");
    assert_eq!(
        messages(&source),
        [format!(
            "{CHAPTER}:5: framework directive: the anchor `#framework-x` is also the id mdBook gives the heading at \
             line 1; give the directive another id, or the heading another title (or an explicit `{{#id}}`)"
        )]
    );
}

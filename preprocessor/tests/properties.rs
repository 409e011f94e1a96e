//! Property tests for the one promise everything else relies on: Markdown outside directives passes
//! through byte for byte, with any line ending; and the one rule that keeps a typo from publishing raw
//! TOML: a fence whose info string is a near miss of a directive's name is an error at its line.

use std::path::Path;

mod common;

use mdbook_dsip::expand;
use proptest::prelude::*;

/// Lines of Markdown, including near-misses of directives (other languages, names inside text).
fn markdown_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 *_`.,:!()\\[\\]-]{0,40}",
        "[ ]{0,5}[-*+] [a-z ]{0,20}",
        "> ?[a-z #*]{0,20}",
        "#{1,6} [A-Za-z ]{0,20}",
        "\\| [a-z]{0,5} \\| [a-z]{0,5} \\|",
        "[ ]{0,3}(```|~~~|````)(rust|toml|text|output|rust,editable|check-it|frameworkish|mod|)",
        "<div class=\"[a-z]{0,6}\">|</div>|<!-- [a-z ]{0,10} -->",
        "    [a-z =\"]{0,20}",
        "(framework|ladder|id = \"x\"|\\[\\[answer\\]\\]|viz|when-not)",
        "[\\p{L}\\p{N}\\p{P} \t]{0,20}",
        Just(String::new()),
    ]
}

fn markdown(lines: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(markdown_line(), 0..lines),
        prop::bool::ANY,
    )
        .prop_map(|(lines, final_newline)| {
            let mut text = lines.join("\n");
            if final_newline {
                text.push('\n');
            }
            text
        })
}

/// `text` with every line ending turned into `ending`.
fn with_line_ending(text: &str, ending: &str) -> String {
    text.replace('\n', ending)
}

/// Info strings a contributor may write meaning a directive: a typo, another case, extra words.
fn near_miss() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("framwork".to_string()),
        Just("Framework".to_string()),
        Just("framework extra".to_string()),
        Just("when_not".to_string()),
        Just("postmortems".to_string()),
        Just("Viz".to_string()),
        Just("ladders".to_string()),
        Just("curicculum".to_string()),
        Just("CHECK".to_string()),
    ]
}

/// Markdown that cannot open a container or a code block a following directive would fall into.
fn closed_markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(
        "[a-zA-Z0-9 *_.,:!()-]{0,40}|#{1,6} [A-Za-z ]{1,20}|\\| a \\| b \\||[\\p{L} ]{0,20}",
        0..8,
    )
    .prop_map(|lines| format!("{}\n\n", lines.join("\n")))
}

const FRAMEWORK: &str =
    "```framework\nid = \"x\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n```";
const CHECK: &str = "~~~~check\nid = \"y\"\n[[question]]\nquestion = \"Q\"\nanswer = \"A\"\n~~~~";

proptest! {
    #[test]
    fn markdown_without_directives_comes_back_identical(source in markdown(30)) {
        let opens_directive = mdbook_dsip::directive_names().any(|name| {
            ["```", "~~~"].iter().any(|fence| source.lines().any(|line| {
                let line = line.trim_start_matches(['>', ' ', '-', '*', '+']);
                line.trim_start_matches(fence.chars().next().unwrap()).trim() == name && line.starts_with(fence)
            }))
        });
        prop_assume!(!opens_directive);
        prop_assert_eq!(expand(&source, Path::new("chapter.md")).unwrap(), source.clone());
        let crlf = with_line_ending(&source, "\r\n");
        prop_assert_eq!(expand(&crlf, Path::new("chapter.md")).unwrap(), crlf);
    }

    #[test]
    fn a_near_miss_of_a_directive_name_is_an_error_at_its_fence(before in closed_markdown(), info in near_miss(), after in closed_markdown()) {
        let source = format!("{before}```{info}\nid = \"x\"\n```\n\n{after}");
        let fence_line = before.matches('\n').count() + 1;
        let errors = expand(&source, Path::new("chapter.md")).expect_err("a near miss is an error");
        prop_assert_eq!(errors.len(), 1);
        prop_assert_eq!(errors[0].line, fence_line);
        prop_assert!(errors[0].fix.starts_with("did you mean `"), "{}", errors[0]);
    }

    #[test]
    fn bytes_outside_directives_are_kept(before in closed_markdown(), between in closed_markdown(), after in markdown(10), crlf in prop::bool::ANY) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let source = with_line_ending(&format!("{before}{FRAMEWORK}\n\n{between}{CHECK}\n\n{after}"), nl);
        let [before, between, after] = [before, between, after].map(|text| with_line_ending(&text, nl));
        let expanded = expand(&source, Path::new("chapter.md")).unwrap();
        let rest = expanded.strip_prefix(before.as_str()).expect("text before the first directive is kept");
        let close = format!("</article>{nl}");
        let framework_html_end = rest.find(&close).expect("framework rendered") + close.len();
        let rest = rest[framework_html_end..].strip_prefix(&format!("{nl}{between}")).expect("text between directives is kept");
        prop_assert!(rest.starts_with("<section class=\"dsip-check\""));
        prop_assert!(rest.ends_with(&format!("</section>{nl}{nl}{after}")), "text after the last directive is kept");
        prop_assert!(crlf || !rest.contains('\r'), "an LF chapter gets no CR");
    }
}

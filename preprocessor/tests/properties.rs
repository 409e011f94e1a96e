//! Property tests for the one promise everything else relies on: Markdown outside directives passes
//! through byte for byte.

use std::path::Path;

mod common;

use common::DIRECTIVES;
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
        "[ ]{0,3}(```|~~~|````)(rust|toml|rust,editable|frameworks|check-it|Framework| framework x|)",
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
        let opens_directive = DIRECTIVES.iter().any(|name| {
            ["```", "~~~"].iter().any(|fence| source.lines().any(|line| {
                let line = line.trim_start_matches(['>', ' ', '-', '*', '+']);
                line.trim_start_matches(fence.chars().next().unwrap()).trim() == *name && line.starts_with(fence)
            }))
        });
        prop_assume!(!opens_directive);
        prop_assert_eq!(expand(&source, Path::new("chapter.md")).unwrap(), source);
    }

    #[test]
    fn bytes_outside_directives_are_kept(before in closed_markdown(), between in closed_markdown(), after in markdown(10)) {
        let source = format!("{before}{FRAMEWORK}\n\n{between}{CHECK}\n\n{after}");
        let expanded = expand(&source, Path::new("chapter.md")).unwrap();
        let rest = expanded.strip_prefix(before.as_str()).expect("text before the first directive is kept");
        let framework_html_end = rest.find("</article>\n").expect("framework rendered") + "</article>\n".len();
        let rest = rest[framework_html_end..].strip_prefix(&format!("\n{between}")).expect("text between directives is kept");
        prop_assert!(rest.starts_with("<section class=\"dsip-check\""));
        prop_assert!(rest.ends_with(&format!("</section>\n\n{after}")), "text after the last directive is kept");
    }
}

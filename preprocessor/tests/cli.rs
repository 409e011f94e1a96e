//! The `mdbook-dsip` binary speaks mdBook's command-preprocessor protocol.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use mdbook_preprocessor::config::Config;
use mdbook_preprocessor::PreprocessorContext;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mdbook-dsip"))
}

fn run(content: &str, mdbook_version: &str) -> Output {
    let mut ctx =
        PreprocessorContext::new(PathBuf::from("."), Config::default(), "html".to_string());
    ctx.mdbook_version = mdbook_version.to_string();
    let mut book = Book::new();
    book.push_item(Chapter::new(
        "One",
        content.to_string(),
        "01-single-node-lie/index.md",
        Vec::new(),
    ));
    run_with_input(&serde_json::to_vec(&(&ctx, &book)).unwrap())
}

/// Runs the preprocessor as mdBook does, `input` on its stdin, and waits for it.
fn run_with_input(input: &[u8]) -> Output {
    let mut child = binary()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const FRAMEWORK: &str =
    "```framework\nid = \"x\"\nname = \"N\"\nthesis = \"T\"\nbody = \"B\"\nuse_when = \"U\"\n```\n";

#[test]
fn supports_only_the_html_renderer() {
    assert!(binary()
        .args(["supports", "html"])
        .status()
        .unwrap()
        .success());
    assert!(!binary()
        .args(["supports", "markdown"])
        .status()
        .unwrap()
        .success());
}

#[test]
fn expands_the_book_from_stdin_to_stdout() {
    let output = run(FRAMEWORK, "0.5.4");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: Book = serde_json::from_slice(&output.stdout).unwrap();
    let Some(BookItem::Chapter(chapter)) = book.items.first() else {
        panic!("no chapter")
    };
    assert!(
        chapter
            .content
            .starts_with("<article class=\"dsip-framework\" id=\"framework-x\">\n"),
        "{}",
        chapter.content
    );
}

#[test]
fn warns_when_called_by_another_mdbook() {
    let output = run(FRAMEWORK, "0.4.40");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "warning: mdbook-dsip is built for mdBook >=0.5, <0.6 but was called by mdBook 0.4.40"
        ),
        "{stderr}"
    );
}

#[test]
fn fails_with_every_error_located() {
    let output = run("```framework\nid = \"x\"\n```\n", "0.5.4");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: 4 directive errors:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("src/01-single-node-lie/index.md:1: framework directive: field `name`: required field is missing"), "{stderr}");
}

#[test]
fn bad_json_input_names_the_reason_and_position() {
    let output = run_with_input(b"[{\"root\": \".\"}, nope]");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at line 1 column"), "{stderr}");
}

//! The whole book builds the way `cargo xtask build` builds it, with no warnings; and a
//! contributor's broken directive stops the build with its file, line and field.

use book_tests::ScratchBook;
use xtask::book::PreprocessorMode;
use xtask::workspace;

#[test]
fn the_whole_book_builds_with_no_warnings() {
    let root = workspace::root();
    let scratch = ScratchBook::copy_of(&root).unwrap();
    let report = scratch
        .build(PreprocessorMode::InProcess)
        .expect("the book builds");
    assert_eq!(report.warnings, Vec::<String>::new(), "mdBook warned");
    for page in [
        "index.html",
        "01-single-node-lie/index.html",
        "01-single-node-lie/postmortem.html",
        "print.html",
    ] {
        assert!(scratch.site().join(page).is_file(), "{page} was written");
    }
}

#[test]
fn every_published_page_holds_expanded_directives_not_raw_toml() {
    let root = workspace::root();
    let scratch = ScratchBook::copy_of(&root).unwrap();
    scratch.build(PreprocessorMode::InProcess).unwrap();
    let postmortem =
        std::fs::read_to_string(scratch.site().join("01-single-node-lie/postmortem.html")).unwrap();
    assert!(
        postmortem.contains("class=\"dsip-postmortem"),
        "the postmortem box is rendered"
    );
    assert!(
        !postmortem.contains("language-postmortem"),
        "no directive is left as a code block"
    );
}

#[test]
fn a_bad_directive_fails_the_build_with_its_file_line_and_field() {
    let root = workspace::root();
    let scratch = ScratchBook::copy_of(&root).unwrap();
    let line = scratch
        .append_to_chapter(
            "01-single-node-lie/index.md",
            "```framework\nid = \"broken\"\nname = \"Broken\"\nthesis = \"t\"\nbody = \"b\"\nuse_wehn = \"typo\"\n```\n",
        )
        .unwrap();
    let error = scratch
        .build(PreprocessorMode::InProcess)
        .expect_err("a typo in a field name must fail the build");
    let message = format!("{error:#}");
    let field_line = line + 5;
    assert!(
        message.contains(&format!("01-single-node-lie/index.md:{field_line}")),
        "names the file and the field's line {field_line}: {message}"
    );
    assert!(message.contains("use_wehn"), "names the field: {message}");
    assert!(
        message.contains("use_when"),
        "suggests the right field: {message}"
    );
}

#[test]
fn the_stock_mdbook_path_builds_the_same_book_through_the_command_preprocessor() {
    // mdBook's CLI is a thin shell over mdbook-driver, so building without registering our
    // preprocessor makes mdbook-driver run book.toml's `[preprocessor.dsip] command`, as
    // `mdbook build` would. The command is run from the scratch copy's root, so point it at the
    // real preprocessor's manifest.
    let root = workspace::root();
    let scratch = ScratchBook::copy_of(&root).unwrap();
    let book_toml = scratch.root().join("book.toml");
    let config = std::fs::read_to_string(&book_toml).unwrap();
    let manifest = root.join("preprocessor/Cargo.toml");
    assert!(config.contains("--manifest-path preprocessor/Cargo.toml"));
    std::fs::write(
        &book_toml,
        config.replace(
            "--manifest-path preprocessor/Cargo.toml",
            &format!("--manifest-path {}", manifest.display()),
        ),
    )
    .unwrap();
    let report = scratch
        .build(PreprocessorMode::Command)
        .expect("the book builds through the command preprocessor");
    assert_eq!(report.warnings, Vec::<String>::new());
    let page =
        std::fs::read_to_string(scratch.site().join("01-single-node-lie/postmortem.html")).unwrap();
    assert!(page.contains("class=\"dsip-postmortem"));
}

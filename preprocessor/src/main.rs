//! `mdbook-dsip`: the directives preprocessor for the stock `mdbook` CLI (book.toml's
//! `[preprocessor.dsip]`). mdBook first asks `mdbook-dsip supports <renderer>` (exit 0 means yes), then
//! pipes `[context, book]` as JSON on stdin and reads the expanded book as JSON from stdout.

use std::io;
use std::process::ExitCode;

use mdbook_dsip::Dsip;
use mdbook_preprocessor::{parse_input, Preprocessor};
use semver::{Version, VersionReq};

/// The mdBook versions whose book JSON this binary was built against (mdbook-preprocessor 0.5).
const SUPPORTED_MDBOOK: &str = ">=0.5, <0.6";

fn main() -> ExitCode {
    // A bug in the preprocessor is caught per chapter and reported at its directive (see `expand`);
    // this hook only keeps the panic to one line, never a backtrace, whatever RUST_BACKTRACE says.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("mdbook-dsip: internal error: {info}");
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, renderer] if command == "supports" => match Dsip.supports_renderer(renderer) {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        },
        [] => match preprocess() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                // `{:#}` prints the whole chain: for bad input, serde_json's reason and position.
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: mdbook-dsip [supports <renderer>]\n(mdBook runs this; see CONTRIBUTING.md to preview the book)");
            ExitCode::from(2)
        }
    }
}

fn preprocess() -> anyhow::Result<()> {
    let (ctx, book) = parse_input(io::stdin().lock())?;
    warn_on_unsupported_mdbook(&ctx.mdbook_version);
    let book = Dsip.run(&ctx, book)?;
    serde_json::to_writer(io::stdout().lock(), &book)?;
    Ok(())
}

/// A different mdBook may send a book shape we cannot read or write back faithfully; say so, but try.
fn warn_on_unsupported_mdbook(version: &str) {
    let supported = VersionReq::parse(SUPPORTED_MDBOOK).expect("valid version requirement");
    match Version::parse(version) {
        Ok(found) if supported.matches(&found) => {}
        _ => eprintln!(
            "warning: mdbook-dsip is built for mdBook {SUPPORTED_MDBOOK} but was called by mdBook {version}; \
             install mdBook 0.5 (cargo install mdbook --version ^0.5) if the book does not build"
        ),
    }
}

//! `cargo xtask <command>`: the project's task runner.
//!
//! Two commands are all a newcomer needs (`serve` and `test`); `build` makes the static site for
//! hosting, `bench` prints the playground's and the simulators' speed figures, and `check` shows
//! each module's required parts and reading time.

mod bench;
mod check;
mod serve;
mod site;
mod test_all;
mod watch;

use anyhow::{bail, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N]   build everything and serve the book with working Run buttons and
                     visualizations at http://127.0.0.1:3000, rebuilding on edits to src/ and theme/
  build              write the complete static site (wasm and precomputed Run results) to book/
  test [--browser]   run every test: formatting, clippy, unit, golden, snippet and browser tests
                     (--browser: only the browser tests, against a fresh build)
  bench              print the playground's latency and load figures
  check              the course at a glance: each module's required parts, prose words and
                     reading time against its promise; fails if a published module lacks one";

fn main() {
    if let Err(error) = run(std::env::args().skip(1).collect()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let root = xtask::workspace::root();
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "serve" => serve::run(&root, parse_port(rest)?),
        "build" => {
            no_arguments(command, rest)?;
            site::build(&root, &xtask::workspace::site_dir(&root), false).map(|_| ())
        }
        "test" => match rest {
            [] => test_all::run(&root, false),
            [flag] if flag == "--browser" => test_all::run(&root, true),
            _ => bail!("test takes only `--browser`\n\n{USAGE}"),
        },
        "bench" => {
            no_arguments(command, rest)?;
            bench::run(&root)
        }
        "check" => {
            no_arguments(command, rest)?;
            check::run(&root)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn parse_port(args: &[String]) -> Result<u16> {
    match args {
        [] => Ok(3000),
        [flag, port] if flag == "--port" => port
            .parse()
            .map_err(|_| anyhow::anyhow!("--port takes a number from 1 to 65535, not `{port}`")),
        _ => bail!("serve takes only `--port N`\n\n{USAGE}"),
    }
}

fn no_arguments(command: &str, rest: &[String]) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        bail!("`{command}` takes no arguments\n\n{USAGE}")
    }
}

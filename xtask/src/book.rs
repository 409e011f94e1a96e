//! Building the book with mdBook's own library and our preprocessor in-process.
//!
//! book.toml names our preprocessor as a command (`[preprocessor.dsip]`) so the stock `mdbook` CLI
//! works. Here we register the same preprocessor in-process under the same name, which replaces the
//! command in mdBook's preprocessor list (same position, same `after = ["links"]`), so the two
//! paths run identical code and xtask never spawns `cargo run` for it.

use crate::companions::{wasm_file, CompanionCrate};
use anyhow::{anyhow, bail, Context, Result};
use mdbook_driver::MDBook;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The websocket path mdBook's page script connects to for live reload (the value mdBook's own
/// `serve` uses, so the page template needs nothing of ours).
pub const LIVE_RELOAD_ENDPOINT: &str = "__livereload";

/// How to build the book.
#[derive(Debug, Clone)]
pub struct BookOptions {
    /// Where the HTML goes (mdBook's `build-dir`).
    pub dest: PathBuf,
    /// Whether pages include mdBook's live-reload script (for `cargo xtask serve`).
    pub live_reload: bool,
    /// How our preprocessor runs.
    pub preprocessor: PreprocessorMode,
}

/// The two ways mdBook can run our preprocessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreprocessorMode {
    /// Registered in-process, as `cargo xtask` does.
    InProcess,
    /// Through book.toml's `[preprocessor.dsip] command`, exactly as the stock `mdbook` CLI does
    /// (the CLI is a thin shell over the same mdbook-driver library).
    Command,
}

/// What mdBook reported while building.
#[derive(Debug, Default)]
pub struct BookReport {
    /// Every warning mdBook logged, one entry a line. A clean book has none.
    pub warnings: Vec<String>,
    /// The edition Run buttons ask for (`[rust] edition` in book.toml; mdBook's default is 2015).
    pub edition: String,
    /// The book's Markdown sources (`[book] src`).
    pub src_dir: PathBuf,
}

/// Builds the book's HTML into `options.dest`.
///
/// mdBook logs problems it can work around (a broken link target, a preprocessor ordering issue)
/// as warnings rather than errors; they are captured and returned so `cargo xtask build` can show
/// them and the tests can insist on none.
pub fn build(root: &Path, options: &BookOptions) -> Result<BookReport> {
    let captured = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_writer(CapturedLog(Arc::clone(&captured)))
        .finish();
    let outcome = tracing::subscriber::with_default(subscriber, || build_quietly(root, options));
    let log = String::from_utf8_lossy(&captured.lock().expect("log buffer poisoned")).into_owned();
    let warnings = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_string)
        .collect();
    let (edition, src_dir) = outcome?;
    Ok(BookReport {
        warnings,
        edition,
        src_dir,
    })
}

fn build_quietly(root: &Path, options: &BookOptions) -> Result<(String, PathBuf)> {
    let mut book = MDBook::load(root).map_err(|e| anyhow!("{e:#}"))?;
    book.config
        .set("build.build-dir", &options.dest)
        .map_err(|e| anyhow!("{e:#}"))?;
    if options.live_reload {
        book.config
            .set("output.html.live-reload-endpoint", LIVE_RELOAD_ENDPOINT)
            .map_err(|e| anyhow!("{e:#}"))?;
    }
    if options.preprocessor == PreprocessorMode::InProcess {
        book.with_preprocessor(mdbook_dsip::Dsip);
    }
    let edition = book
        .config
        .rust
        .edition
        .and_then(|edition| serde_json::to_value(edition).ok())
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| "2015".into());
    let src_dir = book.source_dir();
    book.build().map_err(|e| anyhow!("{e:#}"))?;
    Ok((edition, src_dir))
}

/// Copies each companion crate's WebAssembly into the site, where the widget runtime fetches it
/// (`<site>/wasm/<lib>.wasm`). mdBook empties its build directory on every build, so this runs
/// after each one.
pub fn install_wasm(root: &Path, dest: &Path, crates: &[CompanionCrate]) -> Result<()> {
    let wasm_dir = dest.join("wasm");
    std::fs::create_dir_all(&wasm_dir)?;
    for krate in crates.iter().filter(|krate| krate.wasm) {
        let from = wasm_file(root, krate);
        let to = wasm_dir.join(format!("{}.wasm", krate.lib));
        std::fs::copy(&from, &to).with_context(|| {
            format!(
                "could not copy {} (was the wasm build skipped?)",
                from.display()
            )
        })?;
    }
    Ok(())
}

/// Copies every widget's script and styles into `<site>/widgets/`, where the widget runtime loads
/// them on the pages that embed that widget (and nowhere else), and checks that every widget a
/// page embeds exists. A widget is `theme/js/widgets/<name>.js` plus `theme/css/widgets/<name>.css`;
/// `theme/css/viz.css` styles the controls all widgets share.
pub fn install_widgets(root: &Path, dest: &Path) -> Result<Vec<String>> {
    let theme = root.join("theme");
    let out = dest.join("widgets");
    std::fs::create_dir_all(&out)?;
    std::fs::copy(theme.join("css/viz.css"), out.join("viz.css"))
        .context("could not copy theme/css/viz.css")?;
    let mut names = Vec::new();
    let scripts = theme.join("js/widgets");
    for entry in std::fs::read_dir(&scripts)
        .with_context(|| format!("could not list {}", scripts.display()))?
    {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".js"))
        else {
            continue;
        };
        let styles = theme.join("css/widgets").join(format!("{name}.css"));
        if !styles.is_file() {
            bail!(
                "widget `{name}` has a script but no styles: add {} (an empty file will do)",
                styles.display()
            );
        }
        std::fs::copy(&path, out.join(format!("{name}.js")))?;
        std::fs::copy(&styles, out.join(format!("{name}.css")))?;
        names.push(name.to_string());
    }
    names.sort();
    for page in html_files(dest)? {
        let html = std::fs::read_to_string(&page)?;
        for embedded in html.split("data-widget=\"").skip(1) {
            let name = embedded.split('"').next().unwrap_or_default();
            if !names.iter().any(|known| known == name) {
                bail!(
                    "{} embeds widget `{name}`, but theme/js/widgets/{name}.js does not exist \
                     (widgets: {})",
                    page.strip_prefix(dest).unwrap_or(&page).display(),
                    names.join(", ")
                );
            }
        }
    }
    Ok(names)
}

fn html_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(html_files(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "html") {
            files.push(path);
        }
    }
    Ok(files)
}

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("log buffer poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

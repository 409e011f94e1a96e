//! Companion crates with dependencies: which library files rustc needs to load them, and the one
//! folder (`snippet-deps/`) in which the sandbox shows exactly those files.
//!
//! A snippet is compiled with `--extern <lib>=<rlib>` for each companion crate. When a companion
//! crate depends on another crate (the simulation kernel `sim`, or a registry crate such as
//! rusqlite), rustc must also load that crate's rlib, which it finds by name and hash in the
//! `-L dependency=` folders. Cargo's `target/release/deps` holds them, but also everything else
//! the workspace ever built there (the server's own dependencies, build scripts, binaries). So
//! the build asks cargo two questions instead:
//!
//! * `cargo metadata`: which packages the companion crates depend on at run time (normal
//!   dependencies, followed transitively; not build or dev dependencies, and not what a
//!   proc-macro itself depends on, which only the macro's own compilation needed);
//! * `cargo build --message-format=json`: which files cargo produced for each of those packages.
//!
//! The answer, one rlib per library (and the shared object of each proc-macro), is hard-linked
//! into `snippet-deps/`, and that folder alone is mounted read-only in the compile step.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The folder, beside the companion rlibs, that holds exactly their dependencies' library files.
pub const DEPS_DIR: &str = "snippet-deps";

/// What [`build`] produced.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// For each package built on request: its lib name and the rlib to pass as `--extern`.
    pub rlibs: BTreeMap<String, (String, PathBuf)>,
    /// Every library file in the packages' dependency closure (themselves included).
    pub deps: Vec<PathBuf>,
}

/// Builds `packages` with cargo and installs their dependency closure into `deps_dir`.
///
/// `cargo` makes a fresh `cargo` command for the workspace (program, working directory,
/// environment); `build_args` are added to `cargo build` (the profile, `--target-dir`, `--quiet`).
/// Cargo's human-readable messages go to our stderr as usual; its JSON is read from stdout.
pub fn build(
    cargo: impl Fn() -> Command,
    build_args: &[&str],
    packages: &[&str],
    deps_dir: &Path,
) -> Result<Built> {
    let mut command = cargo();
    command.args(["build", "--message-format=json-render-diagnostics"]);
    command.args(build_args);
    for package in packages {
        command.args(["-p", package]);
    }
    let messages = stdout_of(&mut command)?;
    let mut metadata = cargo();
    // Only this host's dependencies: no need to resolve (or download) other platforms' crates.
    metadata.args([
        "metadata",
        "--format-version",
        "1",
        "--filter-platform",
        &host()?,
    ]);
    let metadata: Value = serde_json::from_str(&stdout_of(&mut metadata)?)
        .context("reading the output of `cargo metadata`")?;
    let closure = closure(&metadata, packages)?;
    let roots: BTreeMap<String, &str> = packages
        .iter()
        .filter_map(|name| Some((root_id(&metadata, name)?, *name)))
        .collect();
    let mut built = Built::default();
    for artifact in artifacts(&messages)? {
        if !closure.contains(&artifact.package_id) {
            continue;
        }
        if let Some(name) = roots.get(&artifact.package_id) {
            if let Some(rlib) = artifact.files.iter().find(|f| has_extension(f, "rlib")) {
                built
                    .rlibs
                    .insert((*name).to_owned(), (artifact.lib.clone(), rlib.clone()));
            }
        }
        built.deps.extend(artifact.link_files());
    }
    built.deps.sort();
    built.deps.dedup();
    install(&built.deps, deps_dir)?;
    Ok(built)
}

/// One library cargo compiled (a `compiler-artifact` message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Cargo's package id, as in `cargo metadata`.
    pub package_id: String,
    /// The library's crate name (`retry_storm`).
    pub lib: String,
    /// Whether it is a proc-macro (a shared object rustc loads, not an rlib it links).
    pub proc_macro: bool,
    /// The files cargo reported for it.
    pub files: Vec<PathBuf>,
}

impl Artifact {
    /// The files rustc looks for when another crate depends on this one: the rlib in `deps/`
    /// under the name the dependent's metadata asks for (with cargo's hash, `libsim-1a2b….rlib`,
    /// except for a crate that is also a cdylib), or a proc-macro's shared object.
    pub fn link_files(&self) -> Vec<PathBuf> {
        if self.proc_macro {
            return self
                .files
                .iter()
                .filter(|f| has_extension(f, "so"))
                .cloned()
                .collect();
        }
        // Cargo lists the hashed `.rmeta` where it emits one; the hashed `.rlib` sits beside it.
        let mut found: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|f| has_extension(f, "rmeta"))
            .map(|f| f.with_extension("rlib"))
            .filter(|f| f.is_file())
            .collect();
        if found.is_empty() {
            // A crate that is also a cdylib gets no separate `.rmeta`, and a crate built on
            // request is listed under its un-hashed copy (`release/libclocks.rlib`): find the
            // hashed original in `deps/` that the copy was made from.
            found.extend(
                self.files
                    .iter()
                    .filter(|f| has_extension(f, "rlib"))
                    .filter_map(|f| hashed_original(f, &self.lib)),
            );
        }
        found
    }
}

/// The library artifacts in cargo's `--message-format=json` output (build scripts, binaries and
/// other lines are skipped).
pub fn artifacts(cargo_json: &str) -> Result<Vec<Artifact>> {
    let mut found = Vec::new();
    for line in cargo_json.lines().filter(|l| l.starts_with('{')) {
        let message: Value = serde_json::from_str(line)
            .with_context(|| format!("a line of cargo's JSON output is not JSON: {line}"))?;
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let kinds: Vec<&str> = message["target"]["kind"]
            .as_array()
            .map(|k| k.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let is_lib = kinds
            .iter()
            .any(|k| matches!(*k, "lib" | "rlib" | "proc-macro"));
        if !is_lib {
            continue;
        }
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        found.push(Artifact {
            package_id: text(&message["package_id"]),
            lib: text(&message["target"]["name"]).replace('-', "_"),
            proc_macro: kinds.contains(&"proc-macro"),
            files: message["filenames"]
                .as_array()
                .map(|files| {
                    files
                        .iter()
                        .filter_map(Value::as_str)
                        .map(PathBuf::from)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(found)
}

/// The package ids `roots` (package names, see [`build`]) need at run time: themselves and their
/// normal dependencies, transitively. A proc-macro is included but not what it depends on.
pub fn closure(metadata: &Value, roots: &[&str]) -> Result<BTreeSet<String>> {
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .context("`cargo metadata` has no resolve graph")?
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let proc_macros: BTreeSet<&str> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p["targets"].as_array().into_iter().flatten().any(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "proc-macro"))
            })
        })
        .filter_map(|p| p["id"].as_str())
        .collect();
    let mut todo = Vec::new();
    for name in roots {
        match root_id(metadata, name) {
            Some(id) => todo.push(id),
            None => bail!("`{name}` is not a package of this workspace (or is ambiguous)"),
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) || proc_macros.contains(id.as_str()) {
            continue;
        }
        let Some(node) = nodes.get(id.as_str()) else {
            continue;
        };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].is_null());
            if let (true, Some(pkg)) = (normal, dep["pkg"].as_str()) {
                todo.push(pkg.to_owned());
            }
        }
    }
    Ok(seen)
}

/// The package id of package `name`: the workspace member of that name, else the one package of
/// that name in the dependency graph (a path dependency such as `sim` seen from another
/// workspace). `None` when there is none, or several versions and no member.
fn root_id(metadata: &Value, name: &str) -> Option<String> {
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let named: Vec<&str> = metadata["packages"]
        .as_array()?
        .iter()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["id"].as_str())
        .collect();
    let member = named.iter().find(|id| members.contains(*id));
    match (member, named.as_slice()) {
        (Some(id), _) => Some((*id).to_owned()),
        (None, [only]) => Some((*only).to_owned()),
        _ => None,
    }
}

/// Replaces `dir` with a folder holding exactly `files` (hard links where the filesystem allows,
/// copies otherwise). Assembled beside `dir` and swapped in, so a reader never sees it half full.
pub fn install(files: &[PathBuf], dir: &Path) -> Result<()> {
    let parent = dir
        .parent()
        .with_context(|| format!("{} has no parent folder", dir.display()))?;
    std::fs::create_dir_all(parent)?;
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let staging = parent.join(format!(".{name}.{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old.{}", std::process::id()));
    for leftover in [&staging, &retired] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover)?;
        }
    }
    std::fs::create_dir(&staging)?;
    for file in files {
        let file_name = file
            .file_name()
            .with_context(|| format!("{} is not a file", file.display()))?;
        let target = staging.join(file_name);
        if std::fs::hard_link(file, &target).is_err() {
            std::fs::copy(file, &target).with_context(|| {
                format!("copying {} into {}", file.display(), staging.display())
            })?;
        }
    }
    if dir.exists() {
        std::fs::rename(dir, &retired)?;
    }
    std::fs::rename(&staging, dir)?;
    if retired.exists() {
        std::fs::remove_dir_all(&retired)?;
    }
    Ok(())
}

/// The host's target triple (`rustc -vV`), the platform snippets are built for.
fn host() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = stdout_of(Command::new(rustc).arg("-vV"))?;
    version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_owned())
        .context("`rustc -vV` names no host")
}

/// Runs `command` with stderr shown, and returns its stdout; fails with the command line.
fn stdout_of(command: &mut Command) -> Result<String> {
    let shown = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start {shown}"))?;
    if !output.status.success() {
        bail!("{shown} failed ({})", output.status);
    }
    String::from_utf8(output.stdout).with_context(|| format!("{shown} printed non-UTF-8"))
}

/// For cargo's copy `<dir>/lib<lib>.rlib` of a crate built on request, the file in `<dir>/deps/`
/// it was made from (`lib<lib>-<hash>.rlib`, or `lib<lib>.rlib` for a cdylib crate): the same
/// file (cargo hard-links) or, where cargo had to copy, the same bytes.
fn hashed_original(rlib: &Path, lib: &str) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let parent = rlib.parent()?;
    if parent.file_name().is_some_and(|name| name == "deps") {
        return Some(rlib.to_path_buf());
    }
    let copy = std::fs::metadata(rlib).ok()?;
    // Cargo leaves the hash out of the file name of a crate that is also a cdylib
    // (`deps/libclocks.rlib`), and the dependent's metadata then asks for that name.
    let (exact, prefix) = (format!("lib{lib}.rlib"), format!("lib{lib}-"));
    let candidates: Vec<PathBuf> = std::fs::read_dir(parent.join("deps"))
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name == exact.as_str() || (name.starts_with(&prefix) && name.ends_with(".rlib"))
        })
        .collect();
    let same_file = candidates.iter().find(|path| {
        std::fs::metadata(path).is_ok_and(|m| m.dev() == copy.dev() && m.ino() == copy.ino())
    });
    if let Some(found) = same_file {
        return Some(found.clone());
    }
    let bytes = std::fs::read(rlib).ok()?;
    candidates.into_iter().find(|path| {
        std::fs::metadata(path).is_ok_and(|m| m.len() == copy.len())
            && std::fs::read(path).is_ok_and(|other| other == bytes)
    })
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e == extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cut-down `cargo metadata`: `app` depends on `lib` (normal), `cc` (build) and `derive`
    /// (a proc-macro, which itself depends on `syn`).
    fn metadata() -> Value {
        let dep = |pkg: &str, kind: Option<&str>| serde_json::json!({"name": pkg, "pkg": pkg, "dep_kinds": [{"kind": kind, "target": null}]});
        let package = |id: &str, kind: &str| serde_json::json!({"name": id, "id": id, "targets": [{"kind": [kind]}]});
        serde_json::json!({
            "workspace_members": ["app", "other"],
            "packages": [package("app", "lib"), package("other", "lib"), package("lib", "lib"),
                         package("cc", "lib"), package("derive", "proc-macro"), package("syn", "lib"),
                         package("test-only", "lib")],
            "resolve": {"nodes": [
                {"id": "app", "deps": [dep("lib", None), dep("cc", Some("build")), dep("derive", None),
                                      dep("test-only", Some("dev"))]},
                {"id": "other", "deps": []},
                {"id": "lib", "deps": []},
                {"id": "cc", "deps": []},
                {"id": "derive", "deps": [dep("syn", None)]},
                {"id": "syn", "deps": []},
                {"id": "test-only", "deps": []},
            ]}
        })
    }

    #[test]
    fn the_closure_is_what_runs_not_what_builds() {
        let closure = closure(&metadata(), &["app"]).unwrap();
        let names: Vec<&str> = closure.iter().map(String::as_str).collect();
        assert_eq!(names, ["app", "derive", "lib"]);
    }

    #[test]
    fn an_unknown_root_is_named() {
        let err = closure(&metadata(), &["nope"]).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
    }

    #[test]
    fn artifacts_keep_libraries_only() {
        let json = r#"{"reason":"compiler-artifact","package_id":"a","target":{"kind":["custom-build"],"name":"build-script-build"},"filenames":["/t/build/a/build-script-build"]}
{"reason":"build-script-executed","package_id":"a"}
{"reason":"compiler-artifact","package_id":"a","target":{"kind":["lib"],"name":"a-b"},"filenames":["/t/deps/liba_b-1.rlib","/t/deps/liba_b-1.rmeta"]}
{"reason":"compiler-artifact","package_id":"m","target":{"kind":["proc-macro"],"name":"m"},"filenames":["/t/deps/libm-2.so"]}
{"reason":"build-finished","success":true}"#;
        let found = artifacts(json).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].lib, "a_b");
        assert!(!found[0].proc_macro);
        assert!(found[1].proc_macro);
        assert_eq!(found[1].link_files(), [PathBuf::from("/t/deps/libm-2.so")]);
    }

    #[test]
    fn an_unhashed_copy_leads_to_its_hashed_original() {
        let scratch = tempfile::tempdir().unwrap();
        let deps = scratch.path().join("deps");
        std::fs::create_dir(&deps).unwrap();
        std::fs::write(deps.join("libclocks-aaaa.rlib"), "old build").unwrap();
        std::fs::write(deps.join("libclocks-bbbb.rlib"), "this build").unwrap();
        std::fs::write(deps.join("libclocks_extra-cccc.rlib"), "this build").unwrap();
        let linked = scratch.path().join("libclocks.rlib");
        std::fs::hard_link(deps.join("libclocks-bbbb.rlib"), &linked).unwrap();
        let artifact = Artifact {
            package_id: "clocks".into(),
            lib: "clocks".into(),
            proc_macro: false,
            files: vec![linked.clone(), scratch.path().join("libclocks.so")],
        };
        assert_eq!(artifact.link_files(), [deps.join("libclocks-bbbb.rlib")]);
        // Where cargo copied instead of linking, the same bytes identify it.
        std::fs::remove_file(&linked).unwrap();
        std::fs::write(&linked, "this build").unwrap();
        assert_eq!(artifact.link_files(), [deps.join("libclocks-bbbb.rlib")]);
        // A cdylib crate's rlib has no hash in `deps/` either.
        std::fs::remove_file(deps.join("libclocks-bbbb.rlib")).unwrap();
        std::fs::remove_file(&linked).unwrap();
        std::fs::write(deps.join("libclocks.rlib"), "cdylib build").unwrap();
        std::fs::hard_link(deps.join("libclocks.rlib"), &linked).unwrap();
        assert_eq!(artifact.link_files(), [deps.join("libclocks.rlib")]);
    }

    #[test]
    fn install_holds_exactly_the_files_and_replaces_the_old_set() {
        let scratch = tempfile::tempdir().unwrap();
        let (a, b) = (
            scratch.path().join("liba-1.rlib"),
            scratch.path().join("libb-2.rlib"),
        );
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let dir = scratch.path().join("out").join(DEPS_DIR);
        install(&[a.clone(), b], &dir).unwrap();
        install(std::slice::from_ref(&a), &dir).unwrap();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["liba-1.rlib"]);
        let leftovers = std::fs::read_dir(dir.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no staging folders left beside it");
    }
}

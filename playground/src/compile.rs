//! Compile a snippet with rustc against the companion rlibs, then run it; both steps sandboxed.
//!
//! Flags are chosen for latency, measured on this machine (small snippet + one companion rlib,
//! mean of 10): `-C opt-level=0 -C debuginfo=0` 100 ms; adding `-C strip=debuginfo` 95 ms (the
//! linker no longer copies std's debug info: the binary drops from 4.4 MB to 0.5 MB, which also
//! makes the copy into the sandbox cheaper); `-C codegen-units=1` 91 ms (one CGU is faster for
//! snippet-sized crates and leaves the other cores to other learners); `opt-level=1` 135 ms;
//! static linking (`+crt-static`) 109 ms. The linker is rustc's default for x86_64 Linux since
//! 1.90 (rust-lld through `cc`), asked for explicitly (see `compile_job`); GNU ld was 150 ms.
//! `-C incremental` would only add disk I/O for one-shot builds. Companion rlibs are release builds and snippets debug builds: that mix is fine
//! with the same rustc, which is the one whose sysroot we mount.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::limits::{Limits, Step};
use crate::sandbox::{find_in_path, Finished, HostView, Job, Mount, Sandbox};
use crate::wire::{EvaluateResponse, Outcome};

/// The toolchain a snippet is compiled with.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// `rustc --print sysroot`; mounted read-only at the same path inside the sandbox.
    pub sysroot: PathBuf,
    /// `<sysroot>/bin/rustc` (the real compiler, not the rustup proxy, which needs $HOME).
    pub rustc: PathBuf,
    /// The C compiler driver used to link, with symlinks (`/etc/alternatives`) resolved because
    /// the sandbox has no `/etc`.
    pub linker: PathBuf,
    /// rustc's self-contained lld wrapper dir (`<sysroot>/lib/rustlib/<host>/bin/gcc-ld`), when
    /// the toolchain ships one. See `compile_job` for why it is named explicitly.
    pub gcc_ld: Option<PathBuf>,
    /// `rustc -V`, for logs and `/health`.
    pub version: String,
}

impl Toolchain {
    /// Finds the sysroot of `rustc` (or of `rustc` on PATH) and the linker.
    pub fn discover(rustc: Option<&Path>) -> Result<Toolchain> {
        let driver = rustc.map_or_else(|| PathBuf::from("rustc"), Path::to_path_buf);
        let output = Command::new(&driver)
            .args(["--print", "sysroot"])
            .output()
            .with_context(|| format!("running {} --print sysroot", driver.display()))?;
        if !output.status.success() {
            bail!(
                "{} --print sysroot failed: {}",
                driver.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let sysroot = PathBuf::from(String::from_utf8(output.stdout)?.trim());
        let rustc = sysroot.join("bin").join("rustc");
        let version = Command::new(&rustc)
            .arg("-V")
            .output()
            .with_context(|| format!("running {} -V", rustc.display()))?;
        let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
        let linker = find_in_path("cc")
            .context(
                "no `cc` on PATH: rustc needs a C linker driver (apt-get install -y gcc libc6-dev)",
            )?
            .canonicalize()?;
        let host = Command::new(&rustc)
            .arg("-vV")
            .output()
            .with_context(|| format!("running {} -vV", rustc.display()))?;
        let gcc_ld = String::from_utf8_lossy(&host.stdout)
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .map(|host| {
                sysroot
                    .join("lib/rustlib")
                    .join(host.trim())
                    .join("bin/gcc-ld")
            })
            .filter(|dir| dir.join("ld.lld").is_file());
        Ok(Toolchain {
            sysroot,
            rustc,
            linker,
            gcc_ld,
            version,
        })
    }
}

/// Inside-the-sandbox locations, fixed so that rustc's messages never show host paths.
const WORK: &str = "/playground";
const CRATES: &str = "/crates";

/// Compiles and runs snippets: the one code path behind every Run.
#[derive(Debug)]
pub struct Compiler {
    toolchain: Toolchain,
    limits: Limits,
    compile: Job,
    run: Job,
}

/// A request after validation: what the compiler needs.
#[derive(Debug, Clone)]
pub struct Snippet<'a> {
    /// Source code.
    pub code: &'a str,
    /// `2015` | `2018` | `2021` | `2024`.
    pub edition: &'a str,
    /// `0`..=`3`.
    pub opt_level: u8,
}

impl Compiler {
    /// Checks that every rlib exists (so a missing build is reported at startup, not per Run) and
    /// fixes the two sandbox jobs. `memory_bounded`: whether a memory cgroup bounds tmpfs use.
    pub fn new(config: &Config, toolchain: Toolchain, memory_bounded: bool) -> Result<Compiler> {
        let missing: Vec<String> = config
            .crates
            .iter()
            .filter(|c| !c.rlib.is_file())
            .map(|c| {
                format!(
                    "{} (build it with `cargo build --release -p {}`)",
                    c.rlib.display(),
                    c.name
                )
            })
            .collect();
        if !missing.is_empty() {
            bail!(
                "companion crate rlibs are missing:\n  {}",
                missing.join("\n  ")
            );
        }
        let externs: Vec<(String, PathBuf)> = config
            .crates
            .iter()
            .map(|c| (c.lib.clone(), c.rlib.clone()))
            .collect();
        let deps_dirs: Vec<PathBuf> = config
            .deps_dirs
            .iter()
            .filter(|d| d.is_dir())
            .cloned()
            .collect();
        let compile = compile_job(
            &toolchain,
            &externs,
            &deps_dirs,
            &config.limits,
            memory_bounded,
        );
        let run = run_job(&config.limits, memory_bounded);
        Ok(Compiler {
            toolchain,
            limits: config.limits.clone(),
            compile,
            run,
        })
    }

    /// The toolchain in use.
    pub fn toolchain(&self) -> &Toolchain {
        &self.toolchain
    }

    /// The sandbox jobs (compile, run), for [`Sandbox::prewarm`].
    pub fn jobs(&self) -> [&Job; 2] {
        [&self.compile, &self.run]
    }

    /// Compiles and runs `snippet`; `Err` only when the sandbox itself failed.
    pub async fn compile_and_run(
        &self,
        sandbox: &Sandbox,
        snippet: &Snippet<'_>,
    ) -> Result<EvaluateResponse> {
        let (built, compiled) = sandbox
            .run(&self.compile, |work| {
                std::fs::create_dir(work.join("src"))?;
                std::fs::write(work.join("src/main.rs"), snippet.code)?;
                // Per-request flags go through an argument file so the job (and its pre-started
                // launchers) stays the same for every request.
                std::fs::write(
                    work.join("flags"),
                    format!(
                        "--edition\n{}\n-C\nopt-level={}\n",
                        snippet.edition, snippet.opt_level
                    ),
                )?;
                Ok(())
            })
            .await?;
        if built.limit.is_some() || built.status != 0 {
            sandbox.discard(compiled);
            return Ok(self.compile_failure(&built));
        }

        let binary = compiled.path().join("main");
        let (ran, run_dir) = sandbox
            .run(&self.run, |work| {
                // Same filesystem: a hard link hands over the binary without copying it.
                let target = work.join("bin").join("main");
                if std::fs::hard_link(&binary, &target).is_err() {
                    std::fs::copy(&binary, &target)?;
                }
                Ok(())
            })
            .await?;
        sandbox.discard(compiled);
        sandbox.discard(run_dir);
        tracing::debug!(
            compile_ms = built.elapsed.as_millis() as u64,
            run_ms = ran.elapsed.as_millis() as u64,
            "compiled and ran a snippet"
        );
        let stdout = String::from_utf8_lossy(&ran.stdout);
        let stderr = String::from_utf8_lossy(&ran.stderr);
        let mut result = join(&stdout, &stderr);
        let (error, outcome) = if let Some(limit) = ran.limit {
            let notice = limit.message(Step::Run, &self.limits.run);
            result = join(&result, &notice);
            (
                Some(join(&stderr, &notice)),
                Outcome::LimitExceeded {
                    limit: limit.name().to_owned(),
                },
            )
        } else if ran.status != 0 {
            let error = if stderr.trim().is_empty() {
                format!("the program exited with status {}", ran.status)
            } else {
                stderr.into_owned()
            };
            (Some(error), Outcome::RuntimeError { status: ran.status })
        } else {
            (None, Outcome::Success)
        };
        Ok(EvaluateResponse {
            result,
            error,
            outcome,
        })
    }

    /// The answer for a compile that failed or hit a limit.
    fn compile_failure(&self, built: &Finished) -> EvaluateResponse {
        if let Some(limit) = built.limit {
            let notice = limit.message(Step::Compile, &self.limits.compile);
            let text = join(&String::from_utf8_lossy(&built.stderr), &notice);
            return EvaluateResponse::failure(
                text,
                Outcome::LimitExceeded {
                    limit: limit.name().to_owned(),
                },
            );
        }
        let mut text = String::from_utf8_lossy(&built.stderr).into_owned();
        if text.trim().is_empty() {
            text = format!("rustc failed with exit status {}", built.status);
        }
        EvaluateResponse::failure(text, Outcome::CompileError)
    }
}

/// rustc in the sandbox: toolchain view, the work dir writable at /playground (`src/main.rs`,
/// argument file `flags`, output `main`), the rlibs read-only under /crates.
fn compile_job(
    toolchain: &Toolchain,
    externs: &[(String, PathBuf)],
    deps_dirs: &[PathBuf],
    limits: &Limits,
    bounded: bool,
) -> Job {
    let sysroot = &toolchain.sysroot;
    let mut mounts = vec![
        Mount::ReadOnly {
            host: sysroot.clone(),
            inside: sysroot.clone(),
        },
        Mount::Work {
            sub: "",
            inside: WORK.into(),
            writable: true,
        },
    ];
    if !toolchain.linker.starts_with("/usr") {
        mounts.push(Mount::ReadOnly {
            host: toolchain.linker.clone(),
            inside: toolchain.linker.clone(),
        });
    }
    let mut argv: Vec<OsString> = vec![
        toolchain.rustc.clone().into(),
        "--crate-type".into(),
        "bin".into(),
        "--crate-name".into(),
        "playground".into(),
        "--color".into(),
        "never".into(),
        "-C".into(),
        "debuginfo=0".into(),
        "-C".into(),
        "strip=debuginfo".into(),
        "-C".into(),
        "codegen-units=1".into(),
        "-C".into(),
        format!("linker={}", toolchain.linker.display()).into(),
    ];
    // Naming the linker (needed: `cc` is an /etc/alternatives link, and the sandbox has no /etc)
    // makes rustc drop its default self-contained rust-lld and fall back to GNU ld, which cost
    // ~30 ms per compile here (bare rustc + run 117 ms with its default lld, 148 ms with
    // `-C linker=<gcc>`; in bwrap 118 ms vs 151 ms). So ask for lld the way rustc itself does by
    // default (`-fuse-ld=lld` plus `-B` to its `gcc-ld` wrapper dir, inside the sysroot that is
    // already mounted read-only): the sandbox sees nothing more of the host.
    if let Some(gcc_ld) = &toolchain.gcc_ld {
        argv.extend([
            "-C".into(),
            "link-arg=-fuse-ld=lld".into(),
            "-C".into(),
            format!("link-arg=-B{}", gcc_ld.display()).into(),
        ]);
    }
    for (lib, rlib) in externs {
        let inside = format!("{CRATES}/lib{lib}.rlib");
        mounts.push(Mount::ReadOnly {
            host: rlib.clone(),
            inside: inside.clone().into(),
        });
        argv.push("--extern".into());
        argv.push(format!("{lib}={inside}").into());
    }
    for (i, deps) in deps_dirs.iter().enumerate() {
        let inside = format!("{CRATES}/deps{i}");
        mounts.push(Mount::ReadOnly {
            host: deps.clone(),
            inside: inside.clone().into(),
        });
        argv.push("-L".into());
        argv.push(format!("dependency={inside}").into());
    }
    // rustc shows the path as given: `src/main.rs` reads like the public playground's messages.
    argv.extend([
        format!("@{WORK}/flags").into(),
        "-o".into(),
        "main".into(),
        "src/main.rs".into(),
    ]);
    let tmp = if bounded {
        mounts.push(Mount::Tmpfs {
            inside: "/tmp".into(),
        });
        "/tmp".to_owned()
    } else {
        format!("{WORK}/tmp")
    };
    Job {
        argv,
        mounts,
        env: vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("TMPDIR".into(), tmp),
            ("HOME".into(), WORK.into()),
        ],
        cwd: WORK.into(),
        view: HostView::Toolchain,
        limits: limits.compile.clone(),
    }
}

/// The program in the sandbox: libraries view, its binary read-only at /playground/main, a
/// private writable /tmp.
fn run_job(limits: &Limits, bounded: bool) -> Job {
    let scratch = if bounded {
        Mount::Tmpfs {
            inside: "/tmp".into(),
        }
    } else {
        Mount::Work {
            sub: "tmp",
            inside: "/tmp".into(),
            writable: true,
        }
    };
    Job {
        argv: vec![format!("{WORK}/main").into()],
        mounts: vec![
            Mount::Work {
                sub: "bin",
                inside: WORK.into(),
                writable: false,
            },
            scratch,
        ],
        env: Vec::new(),
        cwd: "/tmp".into(),
        view: HostView::Libraries,
        limits: limits.run.clone(),
    }
}

/// Joins two outputs with exactly one newline between them when both are non-empty.
fn join(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first.to_owned(),
        (true, false) => second.to_owned(),
        (false, false) if first.ends_with('\n') => format!("{first}{second}"),
        (false, false) => format!("{first}\n{second}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compile_step_sees_the_toolchain_the_rlibs_and_the_deps_folder_read_only() {
        let toolchain = Toolchain {
            sysroot: "/opt/rust".into(),
            rustc: "/opt/rust/bin/rustc".into(),
            linker: "/usr/bin/x86_64-linux-gnu-gcc-12".into(),
            gcc_ld: None,
            version: "rustc 1.0.0".into(),
        };
        let externs = [(
            "sim".to_owned(),
            PathBuf::from("/build/release/libsim.rlib"),
        )];
        let deps = [PathBuf::from("/build/release/snippet-deps")];
        let job = compile_job(&toolchain, &externs, &deps, &Limits::default(), true);
        let mut shown = Vec::new();
        for mount in &job.mounts {
            match mount {
                Mount::ReadOnly { host, inside } => shown.push((host.clone(), inside.clone())),
                Mount::Work { writable, .. } => assert!(*writable, "the work dir is the output"),
                Mount::Tmpfs { .. } => {}
                Mount::ReadWrite { host, .. } => panic!("{} writable", host.display()),
            }
        }
        let expected: Vec<(PathBuf, PathBuf)> = vec![
            ("/opt/rust".into(), "/opt/rust".into()),
            (
                "/build/release/libsim.rlib".into(),
                "/crates/libsim.rlib".into(),
            ),
            ("/build/release/snippet-deps".into(), "/crates/deps0".into()),
        ];
        assert_eq!(shown, expected);
        let args: Vec<String> = job
            .argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(args
            .windows(2)
            .any(|w| w == ["-L", "dependency=/crates/deps0"]));
        assert!(args
            .windows(2)
            .any(|w| w == ["--extern", "sim=/crates/libsim.rlib"]));
    }
}

//! Runs one command in a bubblewrap sandbox with rlimits and a per-run cgroup.
//!
//! Why bubblewrap: it is Debian's packaged, audited setuid-free sandbox (Flatpak's), it builds a
//! fresh mount namespace from an explicit allow-list (so "nothing of the host unless listed" is
//! the default rather than something we must remember to hide), it unshares the user, pid, net,
//! ipc, uts and cgroup namespaces in one exec, drops every capability, and `--die-with-parent` /
//! the pid namespace tear down stragglers. It works unprivileged and as root (CI runs as root).
//! What bubblewrap does not do (resource limits) is done here: rlimits set between fork and exec,
//! and a cgroup per step (see [`crate::cgroup`]) for the limits rlimits cannot express.
//!
//! Both compile and run go through [`Sandbox::run`]: rustc reads files at compile time
//! (`include_str!`, `include_bytes!`, `env!`), so it is as hostile as the program it builds.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

use crate::cgroup::{CgroupHost, Events};
use crate::limits::{LimitHit, StepLimits};

/// What the sandbox sees of the host, besides the job's own mounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostView {
    /// What rustc needs to link: `/usr/bin` (cc, ld), `/usr/lib`, `/usr/libexec`, `/usr/lib64`.
    Toolchain,
    /// What a dynamically linked Rust program needs: libc, libgcc_s and the loader. No shell.
    Libraries,
}

/// A path made visible inside the sandbox.
#[derive(Debug, Clone)]
pub enum Mount {
    /// Host path, read-only, at `inside`.
    ReadOnly {
        /// Path on the host.
        host: PathBuf,
        /// Path inside the sandbox.
        inside: PathBuf,
    },
    /// Host path, writable, at `inside` (only the per-request temp dir).
    ReadWrite {
        /// Path on the host.
        host: PathBuf,
        /// Path inside the sandbox.
        inside: PathBuf,
    },
    /// A fresh tmpfs at `inside`, gone when the sandbox exits; its pages count against the
    /// cgroup's memory limit, which is what bounds it (bwrap 0.8 has no `--size`).
    Tmpfs {
        /// Path inside the sandbox.
        inside: PathBuf,
    },
}

/// One command to run in the sandbox.
#[derive(Debug, Clone)]
pub struct Job {
    /// Program (a path inside the sandbox) and its arguments.
    pub argv: Vec<OsString>,
    /// Host paths to show, besides [`HostView`].
    pub mounts: Vec<Mount>,
    /// The only environment variables the program gets.
    pub env: Vec<(String, String)>,
    /// Working directory inside the sandbox.
    pub cwd: PathBuf,
    /// Which slice of the host's system files is visible.
    pub view: HostView,
    /// Limits for this step.
    pub limits: StepLimits,
}

/// How a sandboxed command ended.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Captured stdout (truncated so that stdout + stderr fit the output limit).
    pub stdout: Vec<u8>,
    /// Captured stderr (same cap).
    pub stderr: Vec<u8>,
    /// bwrap's exit status: the command's status, or 128 + signal when a signal ended it.
    pub status: i32,
    /// The limit that stopped it, if one did.
    pub limit: Option<LimitHit>,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

/// The sandbox launcher: the bwrap binary and, when available, the cgroup parent.
#[derive(Debug)]
pub struct Sandbox {
    bwrap: PathBuf,
    cgroups: Option<CgroupHost>,
    degraded: Vec<String>,
}

const SIGXCPU: i32 = 24;
const SIGXFSZ: i32 = 25;
const SIGKILL: i32 = 9;
const SIGABRT: i32 = 6;

/// The bwrap flags that make the isolation: every namespace, no capabilities, no environment.
const ISOLATION: &[&str] = &[
    "--unshare-user",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    // No nested user namespaces: they are kernel attack surface the snippet has no use for.
    "--disable-userns",
    "--die-with-parent",
    // A new session: the program cannot reach our controlling terminal (TIOCSTI).
    "--new-session",
    "--clearenv",
    "--cap-drop",
    "ALL",
    "--hostname",
    "playground",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
];

/// Says what this host lacks for a fully enforced sandbox.
///
/// `Err` when the sandbox cannot run at all (bubblewrap missing or refused): the playground then
/// refuses to start. Missing cgroup controllers are not an error (the sandbox still isolates and
/// rlimits still apply) but are logged as warnings by [`Sandbox::new`] and shown by `/health`.
/// Fix: `apt-get install -y bubblewrap`; run as root or with a delegated cgroup.
pub fn check_host() -> Result<()> {
    let sandbox = Sandbox::probe()?;
    drop(sandbox);
    Ok(())
}

impl Sandbox {
    /// Finds bwrap, proves it works here, and sets up cgroups (degrading loudly when it cannot).
    pub fn new(use_cgroups: bool) -> Result<Self> {
        let mut sandbox = Sandbox::probe()?;
        if use_cgroups {
            let detection = CgroupHost::detect();
            sandbox.degraded.extend(detection.missing);
            sandbox.cgroups = detection.host;
        } else {
            sandbox
                .degraded
                .push("cgroups disabled by configuration".to_owned());
        }
        match &sandbox.cgroups {
            Some(host) => {
                if !host.has_memory() {
                    sandbox.degraded.push("no memory cgroup: memory is limited per process with RLIMIT_AS only, and /tmp is on disk".to_owned());
                }
                if !host.has_pids() {
                    sandbox.degraded.push("no pids cgroup: processes are limited with RLIMIT_NPROC, which does not bind for root".to_owned());
                }
                tracing::info!("sandbox: bubblewrap {} + {}", sandbox.bwrap.display(), host.describe());
            }
            None => sandbox.degraded.push(
                "no cgroups: memory is limited per process (RLIMIT_AS), processes by RLIMIT_NPROC (ignored for root)".to_owned(),
            ),
        }
        for line in &sandbox.degraded {
            tracing::warn!("sandbox degraded: {line}");
        }
        Ok(sandbox)
    }

    fn probe() -> Result<Self> {
        let bwrap = find_in_path("bwrap").context(
            "bubblewrap (`bwrap`) is not installed; install it with `apt-get install -y bubblewrap`",
        )?;
        let sandbox = Sandbox {
            bwrap,
            cgroups: None,
            degraded: Vec::new(),
        };
        let output = std::process::Command::new(&sandbox.bwrap)
            .env_clear()
            .args(sandbox.args_for(&probe_job()))
            .stdin(Stdio::null())
            .output()
            .context("cannot execute bwrap")?;
        if !output.status.success() {
            bail!(
                "bubblewrap cannot create a sandbox here ({}): {}\n\
                 (unprivileged user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1, \
                 or user.max_user_namespaces is 0)",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(sandbox)
    }

    /// What this host could not provide (empty when every limit is enforced).
    pub fn degraded(&self) -> &[String] {
        &self.degraded
    }

    /// Whether memory is bounded per step as a whole (a memory cgroup), so a tmpfs is safe.
    pub fn memory_bounded(&self) -> bool {
        self.cgroups.as_ref().is_some_and(CgroupHost::has_memory)
    }

    /// Runs `job` and reports how it ended; `Err` only when the sandbox itself failed.
    pub async fn run(&self, job: &Job) -> Result<Finished> {
        let limits = &job.limits;
        let cgroup = match &self.cgroups {
            Some(host) => Some(host.create(limits).context("creating the run's cgroup")?),
            None => None,
        };
        let procs_files = match &cgroup {
            Some(cg) => cg.procs_files().context("opening cgroup.procs")?,
            None => Vec::new(),
        };
        let procs_fds: Vec<i32> = procs_files.iter().map(|f| f.as_raw_fd()).collect();
        let rlimits = self.rlimits(limits);

        let mut command = Command::new(&self.bwrap);
        // env_clear on bwrap itself, not just --clearenv for the child: bwrap is pid 1 of the
        // sandbox's pid namespace and its /proc/1/environ is readable from inside.
        command
            .env_clear()
            .args(self.args_for(job))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // SAFETY: the closure runs between fork and exec; it only makes raw syscalls (write to
        // already-open fds, setrlimit) and allocates nothing.
        unsafe {
            command.pre_exec(move || {
                for fd in &procs_fds {
                    rustix::io::write(BorrowedFd::borrow_raw(*fd), b"0")?;
                }
                for (resource, value, hard) in &rlimits {
                    rustix::process::setrlimit(
                        *resource,
                        rustix::process::Rlimit {
                            current: Some(*value),
                            maximum: Some(*hard),
                        },
                    )?;
                }
                Ok(())
            });
        }
        let started = Instant::now();
        let mut child = command.spawn().context("spawning bwrap")?;
        drop(procs_files);
        let mut stdout_pipe = child.stdout.take().context("no stdout pipe")?;
        let mut stderr_pipe = child.stderr.take().context("no stderr pipe")?;

        let deadline = tokio::time::Instant::now() + limits.wall;
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let (mut out_buf, mut err_buf) = ([0u8; 8192], [0u8; 8192]);
        let (mut out_done, mut err_done) = (false, false);
        let mut status = None;
        let mut ours: Option<LimitHit> = None;
        loop {
            if status.is_some() && out_done && err_done {
                break;
            }
            tokio::select! {
                read = stdout_pipe.read(&mut out_buf), if !out_done => match read {
                    Ok(0) | Err(_) => out_done = true,
                    Ok(n) => stdout.extend_from_slice(&out_buf[..n]),
                },
                read = stderr_pipe.read(&mut err_buf), if !err_done => match read {
                    Ok(0) | Err(_) => err_done = true,
                    Ok(n) => stderr.extend_from_slice(&err_buf[..n]),
                },
                exited = child.wait(), if status.is_none() => {
                    status = Some(exited.context("waiting for bwrap")?);
                }
                _ = tokio::time::sleep_until(deadline) => {
                    ours = Some(LimitHit::WallClock);
                    break;
                }
            }
            if stdout.len() + stderr.len() > limits.output_bytes {
                ours = Some(LimitHit::Output);
                break;
            }
        }
        if ours.is_some() {
            // Killing bwrap kills its pid-1 child (--die-with-parent) and with it the pid
            // namespace; the cgroup kill catches anything still starting up.
            let _ = child.start_kill();
            if let Some(cg) = &cgroup {
                cg.kill_all();
            }
        }
        let status = match status {
            Some(status) => status,
            None => match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
                Ok(waited) => waited.context("waiting for bwrap")?,
                Err(_) => bail!("bwrap did not exit within 5 s of SIGKILL"),
            },
        };
        let elapsed = started.elapsed();
        let events = match cgroup {
            Some(cg) => {
                let events = cg.events();
                cg.finish().await;
                events
            }
            None => Events::default(),
        };
        let code = status
            .code()
            .or_else(|| {
                use std::os::unix::process::ExitStatusExt;
                status.signal().map(|s| 128 + s)
            })
            .unwrap_or(1);
        truncate_pair(&mut stdout, &mut stderr, limits.output_bytes);
        let limit = ours.or_else(|| classify(code, &events, &stderr));
        Ok(Finished {
            stdout,
            stderr,
            status: code,
            limit,
            elapsed,
        })
    }

    /// The rlimits for a step: (resource, soft, hard). Set between fork and exec, inherited by
    /// bwrap and everything it starts; none can be raised again without CAP_SYS_RESOURCE.
    fn rlimits(&self, limits: &StepLimits) -> Vec<(rustix::process::Resource, u64, u64)> {
        use rustix::process::Resource;
        let cpu = limits.cpu.as_secs_f64().ceil().max(1.0) as u64;
        let mut list = vec![
            // Soft limit sends SIGXCPU (reported as the CPU limit); the hard one a second later
            // is SIGKILL for programs that catch SIGXCPU.
            (Resource::Cpu, cpu, cpu + 1),
            (
                Resource::Fsize,
                limits.file_size_bytes,
                limits.file_size_bytes,
            ),
            (Resource::Nofile, limits.open_files, limits.open_files),
            (Resource::Core, 0, 0),
        ];
        if !self.memory_bounded() {
            // Per process only, and it counts address space rather than memory; the best an
            // rlimit can do when no memory cgroup is available.
            list.push((Resource::As, limits.memory_bytes, limits.memory_bytes));
        }
        if !self.cgroups.as_ref().is_some_and(CgroupHost::has_pids) {
            // Binds for non-root servers only; counted per uid, so shared by concurrent runs.
            list.push((Resource::Nproc, limits.processes, limits.processes));
        }
        list
    }

    fn args_for(&self, job: &Job) -> Vec<OsString> {
        let mut args: Vec<OsString> = ISOLATION.iter().map(OsString::from).collect();
        let mut push = |items: &[&dyn AsRef<std::ffi::OsStr>]| {
            args.extend(items.iter().map(|i| i.as_ref().to_owned()));
        };
        for dir in host_dirs(job.view) {
            push(&[&"--ro-bind", &dir, &dir]);
        }
        for link in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
            match std::fs::read_link(link) {
                // Merged-/usr hosts (Debian 12): recreate the symlink; its target is bound above
                // or deliberately absent (then the link dangles, which is the point).
                Ok(target) => push(&[&"--symlink", &target, &link]),
                Err(_) if Path::new(link).is_dir() && job.view == HostView::Toolchain => {
                    push(&[&"--ro-bind", &link, &link])
                }
                Err(_) => {}
            }
        }
        for mount in &job.mounts {
            match mount {
                Mount::ReadOnly { host, inside } => push(&[&"--ro-bind", host, inside]),
                Mount::ReadWrite { host, inside } => push(&[&"--bind", host, inside]),
                Mount::Tmpfs { inside } => push(&[&"--tmpfs", inside]),
            }
        }
        for (key, value) in &job.env {
            push(&[&"--setenv", key, value]);
        }
        // Read-only root and /dev (bwrap makes both tmpfs): the only writable places are the job's
        // explicit read-write mount and tmpfs. Device nodes stay usable on a read-only /dev.
        push(&[
            &"--chdir",
            &job.cwd,
            &"--remount-ro",
            &"/dev",
            &"--remount-ro",
            &"/",
            &"--",
        ]);
        args.extend(job.argv.iter().cloned());
        args
    }
}

/// The host directories a view binds read-only (only those that exist).
fn host_dirs(view: HostView) -> Vec<PathBuf> {
    let multiarch = format!("/usr/lib/{}-linux-gnu", std::env::consts::ARCH);
    let candidates: Vec<String> = match view {
        HostView::Toolchain => vec![
            "/usr/bin".into(),
            "/usr/lib".into(),
            "/usr/lib64".into(),
            "/usr/libexec".into(),
        ],
        HostView::Libraries if Path::new(&multiarch).is_dir() => {
            vec![multiarch, "/usr/lib64".into()]
        }
        HostView::Libraries => vec!["/usr/lib".into(), "/usr/lib64".into()],
    };
    candidates
        .into_iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}

fn probe_job() -> Job {
    Job {
        argv: vec!["/usr/bin/true".into()],
        mounts: Vec::new(),
        env: Vec::new(),
        cwd: "/".into(),
        view: HostView::Toolchain,
        limits: crate::limits::Limits::default().compile,
    }
}

/// Which limit explains an exit we did not cause ourselves.
fn classify(code: i32, events: &Events, stderr: &[u8]) -> Option<LimitHit> {
    if events.oom_kills > 0 {
        return Some(LimitHit::Memory);
    }
    match code - 128 {
        SIGXCPU => return Some(LimitHit::CpuTime),
        SIGXFSZ => return Some(LimitHit::FileSize),
        // RLIMIT_AS fallback: Rust's allocator reports and aborts.
        SIGABRT if contains(stderr, b"memory allocation of") => return Some(LimitHit::Memory),
        _ => {}
    }
    if events.pids_max_hits > 0 && code != 0 {
        return Some(LimitHit::Processes);
    }
    if code - 128 == SIGKILL {
        // Not us (we record our own kills), not the OOM killer: the hard RLIMIT_CPU.
        return Some(LimitHit::CpuTime);
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Cuts stdout then stderr so that together they fit `cap`, keeping the beginnings.
fn truncate_pair(stdout: &mut Vec<u8>, stderr: &mut Vec<u8>, cap: usize) {
    if stdout.len() > cap {
        stdout.truncate(cap);
    }
    let room = cap - stdout.len();
    if stderr.len() > room {
        stderr.truncate(room);
    }
}

/// Looks `name` up in PATH (the server's PATH; the sandbox gets none of it).
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_truncated_from_the_end() {
        let (mut out, mut err) = (vec![1; 10], vec![2; 10]);
        truncate_pair(&mut out, &mut err, 15);
        assert_eq!((out.len(), err.len()), (10, 5));
    }

    #[test]
    fn signals_map_to_limits() {
        let none = Events::default();
        assert_eq!(classify(128 + SIGXCPU, &none, b""), Some(LimitHit::CpuTime));
        assert_eq!(
            classify(128 + SIGXFSZ, &none, b""),
            Some(LimitHit::FileSize)
        );
        assert_eq!(classify(101, &none, b"panicked"), None);
        let oom = Events {
            oom_kills: 1,
            pids_max_hits: 0,
        };
        assert_eq!(classify(137, &oom, b""), Some(LimitHit::Memory));
    }
}

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
use std::io::Write;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;

use crate::cgroup::{CgroupHost, Events, RunCgroup};
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The step's private host temp dir (or its subdir `sub`: `""`, `"bin"` or `"tmp"`), created
    /// per launch and removed after the step; the caller fills it before the step starts.
    Work {
        /// Subdirectory of the work dir (`""` for the work dir itself).
        sub: &'static str,
        /// Path inside the sandbox.
        inside: PathBuf,
        /// Whether the sandbox may write there.
        writable: bool,
    },
}

/// Subdirectories every work dir has, so `Mount::Work` can name them.
const WORK_SUBDIRS: [&str; 2] = ["bin", "tmp"];

/// One kind of command to run in the sandbox (a template: per-request input goes into the work
/// dir, see [`Sandbox::run`]), so that launchers for it can be started ahead of time.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The sandbox launcher: the bwrap binary, the cgroup parent when available, and a few
/// pre-started launchers.
///
/// Why pre-started: joining a cgroup (writing `cgroup.procs`) takes the kernel's
/// `cgroup_threadgroup_rwsem` for writing, which waits for an RCU grace period when no other
/// write happened recently: 10-20 ms measured here, per step; and bwrap's own setup (namespaces,
/// mounts) is another 5-15 ms. Together up to 60 ms of a ~150 ms Run. So each step's bwrap is
/// started ahead of time, fully set up in its cgroup with its rlimits and its own work dir, and
/// blocked just before exec (`bwrap --block-fd`); a Run fills the work dir, writes one byte, and
/// the command starts at once, while a background thread prepares the next launcher.
///
/// Cleanup is off the critical path too: once a step's processes are all dead (its cgroup killed
/// and verified empty, so nothing outlives the request), removing its cgroup dirs and work dir
/// (0-12 ms measured here: a cgroup rmdir can wait for the kernel) is handed to a cleanup thread
/// and the answer goes out. The hand-off queue is bounded ([`CLEANUP_BACKLOG`]); when it is full
/// the step cleans up itself, synchronously, so a flood of requests cannot grow a backlog of
/// leftover dirs. Dropping the `Sandbox` drains the queue and joins the thread.
#[derive(Debug)]
pub struct Sandbox {
    inner: Arc<Inner>,
    /// Jobs to pre-start, sent to the launcher thread.
    warm: std::sync::mpsc::Sender<Job>,
    /// Finished steps' leftovers, sent to the cleanup thread (`None` only while dropping).
    cleanup: Option<std::sync::mpsc::SyncSender<Leftovers>>,
    /// The cleanup thread, joined on drop so that nothing is left behind at shutdown.
    cleaner: Option<std::thread::JoinHandle<()>>,
}

/// What a finished step leaves to remove: its emptied cgroup and/or its work dir. Both remove
/// themselves on drop.
type Leftovers = (Option<RunCgroup>, Option<tempfile::TempDir>);

/// Leftovers that may wait for the cleanup thread before steps clean up synchronously: a few
/// per compile slot, enough to absorb bursts on the machines this runs on.
const CLEANUP_BACKLOG: usize = 16;

#[derive(Debug)]
struct Inner {
    bwrap: PathBuf,
    temp_dir: Option<PathBuf>,
    cgroups: Option<CgroupHost>,
    degraded: Vec<String>,
    spares: Mutex<Spares>,
}

#[derive(Debug, Default)]
struct Spares {
    /// Per kind of job: how many idle launchers to keep, and how many are being started.
    targets: Vec<(Job, usize, usize)>,
    /// Idle launchers, each for the job it was set up for.
    idle: Vec<(Job, Launcher)>,
}

/// A bwrap set up for a job, in its cgroup with its rlimits, blocked before exec.
#[derive(Debug)]
struct Launcher {
    child: Child,
    unblock: std::io::PipeWriter,
    cgroup: Option<RunCgroup>,
    work: tempfile::TempDir,
}

/// The fd on which a launcher's bwrap waits (`--block-fd`).
const BLOCK_FD: i32 = 3;

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
    let sandbox = Inner::probe()?;
    drop(sandbox);
    Ok(())
}

impl Sandbox {
    /// Finds bwrap, proves it works here, and sets up cgroups (degrading loudly when it cannot).
    ///
    /// `temp_dir` is where per-step work dirs go (`None` = the system temp dir).
    pub fn new(use_cgroups: bool, temp_dir: Option<PathBuf>) -> Result<Self> {
        let mut sandbox = Inner::probe()?;
        sandbox.temp_dir = Some(own_work_root(temp_dir)?);
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
        let inner = Arc::new(sandbox);
        let (warm, jobs) = std::sync::mpsc::channel::<Job>();
        let launcher_inner = inner.clone();
        // One long-lived thread starts every spare: bwrap's --die-with-parent is a parent-death
        // signal, which fires when the *thread* that forked it exits, so spares must not be
        // forked from short-lived threads. The thread ends when the Sandbox (the sender) drops.
        std::thread::Builder::new()
            .name("sandbox-launcher".into())
            .spawn(move || {
                for job in jobs {
                    let launched = launcher_inner.launch(&job);
                    let mut spares = launcher_inner.lock_spares();
                    if let Some(entry) = spares.targets.iter_mut().find(|(j, _, _)| *j == job) {
                        entry.2 = entry.2.saturating_sub(1);
                    }
                    match launched {
                        Ok(launcher) => spares.idle.push((job, launcher)),
                        Err(e) => tracing::warn!("cannot pre-start a sandbox: {e:#}"),
                    }
                }
            })
            .context("starting the sandbox launcher thread")?;
        let (cleanup, leftovers) = std::sync::mpsc::sync_channel::<Leftovers>(CLEANUP_BACKLOG);
        // Ends when the Sandbox drops its sender, after removing everything already queued.
        let cleaner = std::thread::Builder::new()
            .name("sandbox-cleanup".into())
            .spawn(move || leftovers.into_iter().for_each(drop))
            .context("starting the sandbox cleanup thread")?;
        Ok(Sandbox {
            inner,
            warm,
            cleanup: Some(cleanup),
            cleaner: Some(cleaner),
        })
    }

    /// Removes a finished step's work dir (as returned by [`Sandbox::run`]) off the critical path.
    pub fn discard(&self, work: tempfile::TempDir) {
        self.dispose((None, Some(work)));
    }

    /// Queues leftovers for the cleanup thread, or removes them now when the queue is full.
    fn dispose(&self, leftovers: Leftovers) {
        use std::sync::mpsc::TrySendError;
        if let Some(cleanup) = &self.cleanup {
            if let Err(TrySendError::Full(back) | TrySendError::Disconnected(back)) =
                cleanup.try_send(leftovers)
            {
                drop(back);
            }
        }
    }

    /// What this host could not provide (empty when every limit is enforced).
    pub fn degraded(&self) -> &[String] {
        &self.inner.degraded
    }

    /// Whether memory is bounded per step as a whole (a memory cgroup), so a tmpfs is safe.
    pub fn memory_bounded(&self) -> bool {
        self.inner.memory_bounded()
    }

    /// Keeps `count` launchers for `job` started ahead of time (see [`Sandbox`]).
    pub fn prewarm(&self, job: &Job, count: usize) {
        {
            let mut spares = self.inner.lock_spares();
            match spares.targets.iter_mut().find(|(j, _, _)| j == job) {
                Some((_, target, _)) => *target = count,
                None => spares.targets.push((job.clone(), count, 0)),
            }
        }
        self.refill(job);
    }

    fn take_spare(&self, job: &Job) -> Option<Launcher> {
        let mut spares = self.inner.lock_spares();
        let index = spares.idle.iter().position(|(j, _)| j == job)?;
        Some(spares.idle.swap_remove(index).1)
    }

    /// Asks the launcher thread for enough launchers to bring `job` back to its target.
    fn refill(&self, job: &Job) {
        let missing = {
            let mut guard = self.inner.lock_spares();
            let spares = &mut *guard;
            let idle = spares.idle.iter().filter(|(j, _)| j == job).count();
            let Some(entry) = spares.targets.iter_mut().find(|(j, _, _)| j == job) else {
                return;
            };
            let missing = entry.1.saturating_sub(idle + entry.2);
            entry.2 += missing;
            missing
        };
        for _ in 0..missing {
            let _ = self.warm.send(job.clone());
        }
    }
}

impl Inner {
    fn probe() -> Result<Self> {
        let bwrap = find_in_path("bwrap").context(
            "bubblewrap (`bwrap`) is not installed; install it with `apt-get install -y bubblewrap`",
        )?;
        let sandbox = Inner {
            bwrap,
            temp_dir: None,
            cgroups: None,
            degraded: Vec::new(),
            spares: Mutex::new(Spares::default()),
        };
        let output = std::process::Command::new(&sandbox.bwrap)
            .env_clear()
            .args(sandbox.args_for(&probe_job(), Path::new("/nonexistent")))
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

    fn lock_spares(&self) -> std::sync::MutexGuard<'_, Spares> {
        self.spares.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn memory_bounded(&self) -> bool {
        self.cgroups.as_ref().is_some_and(CgroupHost::has_memory)
    }

    /// Starts a bwrap for `job` in a fresh cgroup and work dir, blocked before exec.
    fn launch(&self, job: &Job) -> Result<Launcher> {
        let limits = &job.limits;
        let work = match &self.temp_dir {
            Some(base) => tempfile::Builder::new()
                .prefix("dsip-run-")
                .tempdir_in(base)?,
            None => tempfile::Builder::new().prefix("dsip-run-").tempdir()?,
        };
        for sub in WORK_SUBDIRS {
            std::fs::create_dir(work.path().join(sub))?;
        }
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
        let (block_read, block_write) = std::io::pipe().context("creating the block pipe")?;
        let block_fd = block_read.as_raw_fd();

        let mut command = Command::new(&self.bwrap);
        // env_clear on bwrap itself, not just --clearenv for the child: bwrap is pid 1 of the
        // sandbox's pid namespace and its /proc/1/environ is readable from inside.
        command
            .env_clear()
            .arg("--block-fd")
            .arg(BLOCK_FD.to_string())
            .args(self.args_for(job, work.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: the closure runs between fork and exec; it only makes raw syscalls (write to
        // already-open fds, setrlimit, dup2, fcntl) and allocates nothing.
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
                // The block pipe at a known fd, without close-on-exec, for `--block-fd 3`.
                let moved = if block_fd == BLOCK_FD {
                    libc::fcntl(BLOCK_FD, libc::F_SETFD, 0)
                } else {
                    libc::dup2(block_fd, BLOCK_FD)
                };
                if moved < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().context("spawning bwrap")?;
        drop(procs_files);
        drop(block_read);
        Ok(Launcher {
            child,
            unblock: block_write,
            cgroup,
            work,
        })
    }
}

/// The folder this process's work dirs go in: `<temp>/dsip-playground-<pid>`, created here.
///
/// Pre-started sandboxes hold work dirs that only a drop removes, and a process that exits
/// without dropping its playground (killed, or a test binary with one in a static) would leave
/// them behind for ever. Naming the folder after the process lets the next playground on the
/// machine recognise and remove folders whose process is gone, as is done for cgroup parents.
fn own_work_root(temp_dir: Option<PathBuf>) -> Result<PathBuf> {
    let base = temp_dir.unwrap_or_else(std::env::temp_dir);
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            if crate::cgroup::left_by_dead_process(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let own = base.join(format!("dsip-playground-{}", std::process::id()));
    std::fs::create_dir_all(&own)
        .with_context(|| format!("creating the work-dir root {}", own.display()))?;
    Ok(own)
}

impl Drop for Sandbox {
    /// Lets the cleanup thread finish what is queued, and waits for it.
    fn drop(&mut self) {
        drop(self.cleanup.take());
        if let Some(cleaner) = self.cleaner.take() {
            let _ = cleaner.join();
        }
    }
}

impl Drop for Inner {
    /// Idle launchers are ours to end: kill, reap, and let their cgroups be removed.
    fn drop(&mut self) {
        let spares = std::mem::take(&mut self.lock_spares().idle);
        for (_, mut launcher) in spares {
            let _ = launcher.child.kill();
            let _ = launcher.child.wait();
        }
    }
}

/// Sends SIGKILL through a pidfd when dropped (unless disarmed): a cancelled request (the client
/// went away) still ends its sandbox. A pidfd cannot hit a recycled pid.
struct KillOnDrop(Option<OwnedFd>);

impl KillOnDrop {
    fn kill(&self) {
        if let Some(fd) = &self.0 {
            let _ = rustix::process::pidfd_send_signal(fd, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Sandbox {
    /// Runs `job`: `prepare` fills the step's work dir (source, argument file, binary), then the
    /// command starts. Returns how it ended and the work dir (removed when dropped; hand it to
    /// [`Sandbox::discard`] to remove it off the critical path); `Err` only when the sandbox
    /// itself failed.
    pub async fn run(
        &self,
        job: &Job,
        prepare: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<(Finished, tempfile::TempDir)> {
        let limits = &job.limits;
        let launcher = match self.take_spare(job) {
            Some(launcher) => launcher,
            None => self.inner.launch(job)?,
        };
        self.refill(job);
        let Launcher {
            mut child,
            mut unblock,
            cgroup,
            work,
        } = launcher;
        let pid = rustix::process::Pid::from_child(&child);
        let killer =
            KillOnDrop(rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok());
        let mut stdout_pipe = pipe::Receiver::from_owned_fd(OwnedFd::from(
            child.stdout.take().context("no stdout pipe")?,
        ))?;
        let mut stderr_pipe = pipe::Receiver::from_owned_fd(OwnedFd::from(
            child.stderr.take().context("no stderr pipe")?,
        ))?;

        prepare(work.path())?;
        let started = Instant::now();
        unblock.write_all(b"go").context("starting the sandbox")?;
        drop(unblock);
        let mut waiter = tokio::task::spawn_blocking(move || child.wait());

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
                exited = &mut waiter, if status.is_none() => {
                    status = Some(exited.context("joining the wait")?.context("waiting for bwrap")?);
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
            killer.kill();
            if let Some(cg) = &cgroup {
                cg.kill_all();
            }
        }
        let status = match status {
            Some(status) => status,
            None => match tokio::time::timeout(Duration::from_secs(5), waiter).await {
                Ok(waited) => waited
                    .context("joining the wait")?
                    .context("waiting for bwrap")?,
                Err(_) => bail!("bwrap did not exit within 5 s of SIGKILL"),
            },
        };
        drop(killer);
        let elapsed = started.elapsed();
        let events = match cgroup {
            Some(cg) => {
                let events = cg.events();
                // Every process of the step is dead before we answer; only removing the empty
                // dirs is deferred. If it did not empty, drop here: kill again and retry.
                if cg.empty().await {
                    self.dispose((Some(cg), None));
                } else {
                    drop(cg);
                }
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
        Ok((
            Finished {
                stdout,
                stderr,
                status: code,
                limit,
                elapsed,
            },
            work,
        ))
    }
}

impl Inner {
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

    fn args_for(&self, job: &Job, work: &Path) -> Vec<OsString> {
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
                Mount::Work {
                    sub,
                    inside,
                    writable,
                } => {
                    let flag = if *writable { "--bind" } else { "--ro-bind" };
                    push(&[&flag, &work.join(sub), inside]);
                }
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

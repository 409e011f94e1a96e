//! Per-run control groups: the limits that rlimits cannot give us.
//!
//! rlimits are per process and some do not bind for root (RLIMIT_NPROC is ignored for uid 0, and
//! bwrap's user namespace maps the sandbox to the host's uid, root in CI). A fork bomb or a
//! memory bomb spread over many processes must be bounded as a group, so each step runs in its
//! own cgroup with `pids.max` (processes + threads), a memory limit (all processes together,
//! tmpfs pages included) and a one-core CPU quota; killing the cgroup also guarantees that no
//! process outlives its request.
//!
//! Both hierarchies are supported because both exist where this runs: CI machines and this
//! development VM use the v1/v2 hybrid (controllers on v1), a systemd service on a current distro
//! gets pure v2. The cgroups are created under the server's own cgroup, never elsewhere, so any
//! limit the host placed on the server also bounds its sandboxes.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::limits::StepLimits;

/// CFS period for the one-core quota (the kernel default period).
const CPU_PERIOD_US: u64 = 100_000;

/// Where we may create per-run cgroups, and which controllers they get.
#[derive(Debug)]
pub struct CgroupHost {
    layout: Layout,
    next: AtomicU64,
}

#[derive(Debug)]
enum Layout {
    /// cgroup v1: one hierarchy per controller; each field is our parent dir in that hierarchy.
    V1 {
        memory: Option<PathBuf>,
        pids: Option<PathBuf>,
        cpu: Option<PathBuf>,
    },
    /// cgroup v2: one parent dir whose children get the listed controllers.
    V2 {
        base: PathBuf,
        memory: bool,
        pids: bool,
        cpu: bool,
    },
}

/// What a detection found: the host (if any) and what is missing, said out loud.
#[derive(Debug)]
pub struct Detection {
    /// Usable cgroups, or `None` when none could be set up.
    pub host: Option<CgroupHost>,
    /// One line per missing capability (empty when everything is available).
    pub missing: Vec<String>,
}

impl CgroupHost {
    /// Finds the server's own cgroup and creates a parent for sandboxes under it.
    pub fn detect() -> Detection {
        let own = match fs::read_to_string("/proc/self/cgroup") {
            Ok(text) => text,
            Err(e) => return Detection::none(format!("cannot read /proc/self/cgroup: {e}")),
        };
        let mounts = match fs::read_to_string("/proc/self/mountinfo") {
            Ok(text) => parse_mountinfo(&text),
            Err(e) => return Detection::none(format!("cannot read /proc/self/mountinfo: {e}")),
        };
        // Unique per process and per host: two playgrounds in one process (tests) must not share.
        static INSTANCES: AtomicU64 = AtomicU64::new(0);
        let leaf = format!(
            "dsip-playground-{}-{}",
            std::process::id(),
            INSTANCES.fetch_add(1, Ordering::Relaxed)
        );
        let v1_memory = v1_dir(&own, &mounts, "memory");
        let v1_pids = v1_dir(&own, &mounts, "pids");
        if v1_memory.is_some() || v1_pids.is_some() {
            detect_v1(&own, &mounts, &leaf)
        } else {
            detect_v2(&own, &mounts, &leaf)
        }
    }

    /// One-line description for logs and `/health`.
    pub fn describe(&self) -> String {
        match &self.layout {
            Layout::V1 { memory, pids, cpu } => format!(
                "cgroup v1 (memory: {}, pids: {}, cpu: {})",
                yes(memory.is_some()),
                yes(pids.is_some()),
                yes(cpu.is_some())
            ),
            Layout::V2 {
                base,
                memory,
                pids,
                cpu,
            } => format!(
                "cgroup v2 at {} (memory: {}, pids: {}, cpu: {})",
                base.display(),
                yes(*memory),
                yes(*pids),
                yes(*cpu)
            ),
        }
    }

    /// Whether per-run memory limits bind (else the sandbox falls back to RLIMIT_AS).
    pub fn has_memory(&self) -> bool {
        match &self.layout {
            Layout::V1 { memory, .. } => memory.is_some(),
            Layout::V2 { memory, .. } => *memory,
        }
    }

    /// Whether per-run process limits bind (else RLIMIT_NPROC, which root ignores).
    pub fn has_pids(&self) -> bool {
        match &self.layout {
            Layout::V1 { pids, .. } => pids.is_some(),
            Layout::V2 { pids, .. } => *pids,
        }
    }

    /// Creates a fresh cgroup for one step, with its limits written.
    pub fn create(&self, limits: &StepLimits) -> io::Result<RunCgroup> {
        let name = self.next.fetch_add(1, Ordering::Relaxed).to_string();
        let mut run = RunCgroup {
            dirs: Vec::new(),
            v2: matches!(self.layout, Layout::V2 { .. }),
        };
        match &self.layout {
            Layout::V1 { memory, pids, cpu } => {
                if let Some(parent) = memory {
                    let dir = run.add(parent.join(&name), Controller::Memory)?;
                    write(&dir, "memory.limit_in_bytes", limits.memory_bytes)?;
                    // Without swap accounting this file is absent or refuses; the memory limit
                    // above still binds, and this machine has no swap to escape into.
                    let _ = write(&dir, "memory.memsw.limit_in_bytes", limits.memory_bytes);
                }
                if let Some(parent) = pids {
                    let dir = run.add(parent.join(&name), Controller::Pids)?;
                    write(&dir, "pids.max", limits.processes)?;
                }
                if let Some(parent) = cpu {
                    let dir = run.add(parent.join(&name), Controller::Cpu)?;
                    write(&dir, "cpu.cfs_period_us", CPU_PERIOD_US)?;
                    write(&dir, "cpu.cfs_quota_us", CPU_PERIOD_US)?;
                }
            }
            Layout::V2 {
                base,
                memory,
                pids,
                cpu,
            } => {
                let dir = run.add(base.join(&name), Controller::All)?;
                if *memory {
                    write(&dir, "memory.max", limits.memory_bytes)?;
                    let _ = write(&dir, "memory.swap.max", 0);
                }
                if *pids {
                    write(&dir, "pids.max", limits.processes)?;
                }
                if *cpu {
                    fs::write(
                        dir.join("cpu.max"),
                        format!("{CPU_PERIOD_US} {CPU_PERIOD_US}"),
                    )?;
                }
            }
        }
        Ok(run)
    }
}

impl Drop for CgroupHost {
    /// Removes our parent dirs, with any run cgroup still inside (its processes killed first).
    fn drop(&mut self) {
        match &self.layout {
            Layout::V1 { memory, pids, cpu } => {
                for dir in [memory, pids, cpu].into_iter().flatten() {
                    remove_tree(dir);
                }
            }
            Layout::V2 { base, .. } => remove_tree(base),
        }
    }
}

/// Kills the members of every child cgroup of `parent`, removes the children, then `parent`,
/// retrying for up to 0.5 s while killed processes finish exiting.
fn remove_tree(parent: &Path) {
    for _ in 0..100 {
        let mut busy = false;
        for child in fs::read_dir(parent).into_iter().flatten().flatten() {
            if !child.path().is_dir() {
                continue;
            }
            for pid in read_pids(&child.path()) {
                busy = true;
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
            busy |= fs::remove_dir(child.path()).is_err();
        }
        if !busy && fs::remove_dir(parent).is_ok() || !parent.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

impl Detection {
    fn none(reason: String) -> Self {
        Detection {
            host: None,
            missing: vec![reason],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Controller {
    Memory,
    Pids,
    Cpu,
    All,
}

/// The cgroup(s) of one sandboxed step; emptied by [`RunCgroup::empty`], killed and removed on
/// drop.
#[derive(Debug)]
pub struct RunCgroup {
    dirs: Vec<(PathBuf, Controller)>,
    v2: bool,
}

/// What the kernel counted while the step ran.
#[derive(Debug, Default, Clone, Copy)]
pub struct Events {
    /// Processes the cgroup's OOM killer killed.
    pub oom_kills: u64,
    /// Fork/clone attempts refused by `pids.max`.
    pub pids_max_hits: u64,
}

impl RunCgroup {
    fn add(&mut self, dir: PathBuf, controller: Controller) -> io::Result<PathBuf> {
        fs::create_dir(&dir)?;
        self.dirs.push((dir.clone(), controller));
        Ok(dir)
    }

    /// `cgroup.procs` files opened for writing, one per hierarchy.
    ///
    /// Opened before fork so the child only has to `write("0")` (join, as itself) between fork and
    /// exec, where allocating or opening files is not safe.
    pub fn procs_files(&self) -> io::Result<Vec<fs::File>> {
        self.dirs
            .iter()
            .map(|(dir, _)| {
                fs::OpenOptions::new()
                    .write(true)
                    .open(dir.join("cgroup.procs"))
            })
            .collect()
    }

    /// Reads the OOM and pids counters.
    pub fn events(&self) -> Events {
        let mut events = Events::default();
        for (dir, controller) in &self.dirs {
            if matches!(controller, Controller::Memory | Controller::All) {
                let file = if self.v2 {
                    "memory.events"
                } else {
                    "memory.oom_control"
                };
                events.oom_kills += counter(&dir.join(file), "oom_kill");
            }
            if matches!(controller, Controller::Pids | Controller::All) {
                events.pids_max_hits += counter(&dir.join("pids.events"), "max");
            }
        }
        events
    }

    /// Kills every process still in the cgroup and waits until it is empty; `false` if it did
    /// not empty within 2 s. Removing the (empty) dirs is left to drop, which the sandbox runs
    /// off the answer's critical path (see `Sandbox`'s cleanup thread).
    ///
    /// This is what makes "no process outlives its request" hold even for a process that left
    /// bwrap's session or double-forked: cgroup membership is inherited and cannot be shed
    /// without write access to cgroupfs, which the sandbox does not have.
    pub async fn empty(&self) -> bool {
        // Members killed with their pid namespace take a moment to leave; poll with a short,
        // growing backoff (0.2 ms .. 8 ms) because this sits on every Run's critical path.
        let mut pause = Duration::from_micros(200);
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            if self.kill_all() == 0 {
                return true;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(8));
        }
        tracing::warn!(dirs = ?self.dirs, "sandbox cgroup did not empty within 2 s");
        false
    }

    /// Sends SIGKILL to every member; returns how many members there were.
    pub(crate) fn kill_all(&self) -> usize {
        let mut seen = 0;
        for (dir, _) in &self.dirs {
            if self.v2 && fs::write(dir.join("cgroup.kill"), "1").is_ok() {
                seen += read_pids(dir).len();
                continue;
            }
            for pid in read_pids(dir) {
                seen += 1;
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
            }
        }
        seen
    }

    fn try_remove(&mut self) -> bool {
        self.dirs.retain(|(dir, _)| match fs::remove_dir(dir) {
            Ok(()) => false,
            Err(e) => e.kind() != io::ErrorKind::NotFound,
        });
        self.dirs.is_empty()
    }
}

impl Drop for RunCgroup {
    /// Kills any member left (none after [`RunCgroup::empty`]; some for a cancelled request or
    /// an idle launcher at shutdown) and removes the dirs. A dir left behind is removed with its parent (see
    /// `CgroupHost`'s drop) or by the next server's stale-parent collection.
    fn drop(&mut self) {
        for _ in 0..20 {
            self.kill_all();
            if self.try_remove() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn yes(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn write(dir: &Path, file: &str, value: u64) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .open(dir.join(file))?
        .write_all(value.to_string().as_bytes())
}

fn counter(file: &Path, key: &str) -> u64 {
    fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(' '))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

fn read_pids(dir: &Path) -> Vec<i32> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}

/// A cgroup filesystem mount: (fstype, super options, mount root, mount point).
struct Mount {
    fstype: String,
    options: Vec<String>,
    root: String,
    point: PathBuf,
}

fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let fields: Vec<&str> = left.split(' ').collect();
            let mut right = right.split(' ');
            let fstype = right.next()?.to_owned();
            let _source = right.next()?;
            let options = right.next()?.split(',').map(str::to_owned).collect();
            if fstype != "cgroup" && fstype != "cgroup2" {
                return None;
            }
            Some(Mount {
                fstype,
                options,
                root: fields.get(3)?.to_string(),
                point: PathBuf::from(fields.get(4)?),
            })
        })
        .collect()
}

/// Our own cgroup dir in the hierarchy whose `/proc/self/cgroup` entry matches `pick`.
fn own_dir(own: &str, mount: &Mount, pick: impl Fn(&str) -> bool) -> Option<PathBuf> {
    let path = own.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let _id = parts.next()?;
        let controllers = parts.next()?;
        let path = parts.next()?;
        pick(controllers).then(|| path.to_owned())
    })?;
    // Inside a cgroup namespace or a bind-mounted subtree, the mount's root is a prefix of our
    // path (or the mount *is* our cgroup); strip it to get the path below the mount point.
    let relative = path
        .strip_prefix(mount.root.as_str())
        .unwrap_or(&path)
        .trim_start_matches('/');
    let dir = mount.point.join(relative);
    dir.is_dir().then_some(dir)
}

fn v1_dir(own: &str, mounts: &[Mount], controller: &str) -> Option<PathBuf> {
    let mount = mounts
        .iter()
        .find(|m| m.fstype == "cgroup" && m.options.iter().any(|o| o == controller))?;
    own_dir(own, mount, |controllers| {
        controllers.split(',').any(|c| c == controller)
    })
}

/// Removes parents left by playground processes that no longer exist (killed, crashed, or a test
/// binary whose playground lived in a static and was never dropped).
fn collect_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if left_by_dead_process(&entry.file_name().to_string_lossy()) {
            remove_tree(&entry.path());
        }
    }
}

/// Whether `name` is a `dsip-playground-<pid>…` folder (a cgroup parent or a work-dir root) whose
/// process no longer exists, so nothing can be using it.
pub(crate) fn left_by_dead_process(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("dsip-playground-") else {
        return false;
    };
    let pid = rest.split('-').next().unwrap_or("");
    !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && !Path::new("/proc").join(pid).exists()
}

fn detect_v1(own: &str, mounts: &[Mount], leaf: &str) -> Detection {
    let mut missing = Vec::new();
    let mut make = |controller: &str| -> Option<PathBuf> {
        let Some(dir) = v1_dir(own, mounts, controller) else {
            missing.push(format!(
                "cgroup v1 controller `{controller}` is not mounted"
            ));
            return None;
        };
        collect_stale(&dir);
        let base = dir.join(leaf);
        match fs::create_dir(&base) {
            Ok(()) => Some(base),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Some(base),
            Err(e) => {
                missing.push(format!(
                    "cannot create {} ({e}); run as root or delegate the cgroup",
                    base.display()
                ));
                None
            }
        }
    };
    let memory = make("memory");
    let pids = make("pids");
    let cpu = make("cpu");
    let host = (memory.is_some() || pids.is_some()).then(|| CgroupHost {
        layout: Layout::V1 { memory, pids, cpu },
        next: AtomicU64::new(0),
    });
    Detection { host, missing }
}

fn detect_v2(own: &str, mounts: &[Mount], leaf: &str) -> Detection {
    let Some(mount) = mounts.iter().find(|m| m.fstype == "cgroup2") else {
        return Detection::none("no cgroup filesystem is mounted".to_owned());
    };
    let Some(dir) = own_dir(own, mount, |controllers| controllers.is_empty()) else {
        return Detection::none(format!(
            "cannot find this process's cgroup under {}",
            mount.point.display()
        ));
    };
    collect_stale(&dir);
    let available = fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
    let has = |c: &str| available.split_whitespace().any(|a| a == c);
    let mut missing = Vec::new();
    for needed in ["memory", "pids"] {
        if !has(needed) {
            missing.push(format!(
                "cgroup v2 controller `{needed}` is not delegated to {} (systemd: Delegate=yes)",
                dir.display()
            ));
        }
    }
    let wanted: Vec<&str> = ["memory", "pids", "cpu"]
        .into_iter()
        .filter(|c| has(c))
        .collect();
    if wanted.is_empty() {
        return Detection {
            host: None,
            missing,
        };
    }
    let enable = wanted
        .iter()
        .map(|c| format!("+{c}"))
        .collect::<Vec<_>>()
        .join(" ");
    // v2's "no internal processes" rule: a cgroup that hands controllers to children may not hold
    // processes itself. If ours does (the usual case for a service), move the server into a leaf
    // child first; systemd documents exactly this for Delegate=yes services.
    if fs::write(dir.join("cgroup.subtree_control"), &enable).is_err() {
        let server = dir.join("dsip-server");
        let moved = fs::create_dir_all(&server).is_ok()
            && fs::write(server.join("cgroup.procs"), std::process::id().to_string()).is_ok();
        if !moved || fs::write(dir.join("cgroup.subtree_control"), &enable).is_err() {
            missing.push(format!(
                "cannot enable {enable} in {}/cgroup.subtree_control (other processes share this cgroup?)",
                dir.display()
            ));
            return Detection {
                host: None,
                missing,
            };
        }
    }
    let base = dir.join(leaf);
    if let Err(e) = fs::create_dir(&base).or_else(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            Ok(())
        } else {
            Err(e)
        }
    }) {
        missing.push(format!("cannot create {} ({e})", base.display()));
        return Detection {
            host: None,
            missing,
        };
    }
    if let Err(e) = fs::write(base.join("cgroup.subtree_control"), &enable) {
        missing.push(format!("cannot enable {enable} in {}: {e}", base.display()));
        return Detection {
            host: None,
            missing,
        };
    }
    Detection {
        host: Some(CgroupHost {
            layout: Layout::V2 {
                base,
                memory: has("memory"),
                pids: has("pids"),
                cpu: has("cpu"),
            },
            next: AtomicU64::new(0),
        }),
        missing,
    }
}

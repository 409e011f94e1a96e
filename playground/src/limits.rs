//! The sandbox's resource limits, and the one-line notice a learner sees when one is hit.
//!
//! Limits are per step (compile, run) because the two have different shapes: rustc legitimately
//! needs more memory and time than a snippet should, and a snippet should not get to use rustc's
//! budget. Defaults fit mdBook's `book.js`, which gives up after 6 s: queue wait + compile wall +
//! run wall stays under that, so a learner always sees our message rather than "timeout".

use std::fmt;
use std::time::Duration;

/// Limits for one sandboxed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLimits {
    /// Wall-clock time from spawn to kill; catches sleeping and blocked programs.
    pub wall: Duration,
    /// CPU time per process (RLIMIT_CPU); catches busy loops even when the host is idle.
    pub cpu: Duration,
    /// Memory for the whole step (cgroup memory limit, all processes together).
    pub memory_bytes: u64,
    /// Processes and threads alive at once (cgroup `pids.max`); stops fork and thread bombs.
    pub processes: u64,
    /// Largest file a process may write (RLIMIT_FSIZE).
    pub file_size_bytes: u64,
    /// stdout + stderr bytes we keep before killing the step.
    pub output_bytes: usize,
    /// Open file descriptors per process (RLIMIT_NOFILE).
    pub open_files: u64,
}

/// Limits for both steps of a Run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// rustc (and the linker it spawns).
    pub compile: StepLimits,
    /// The learner's program.
    pub run: StepLimits,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    /// Small on purpose: the machine is shared (2 cores here, several learners on a server),
    /// and a sandbox step must fit `book.js`'s 6 s budget (0.5 s queue + 3 s + 2 s).
    fn default() -> Self {
        Limits {
            compile: StepLimits {
                wall: Duration::from_secs(3),
                cpu: Duration::from_secs(3),
                memory_bytes: 1024 * MIB,
                processes: 64,
                file_size_bytes: 64 * MIB,
                output_bytes: 64 * 1024,
                open_files: 1024,
            },
            run: StepLimits {
                wall: Duration::from_secs(2),
                cpu: Duration::from_secs(2),
                memory_bytes: 512 * MIB,
                processes: 64,
                file_size_bytes: MIB,
                output_bytes: 64 * 1024,
                open_files: 256,
            },
        }
    }
}

/// Which step a limit stopped, for the wording of the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Compiling with rustc.
    Compile,
    /// Running the learner's program.
    Run,
}

/// A limit that stopped (or constrained) a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// Ran past the wall-clock limit; we killed it.
    WallClock,
    /// Used up its CPU-time rlimit; the kernel killed it (SIGXCPU, then SIGKILL).
    CpuTime,
    /// Exceeded the memory limit; the cgroup OOM killer (or a failed allocation) stopped it.
    Memory,
    /// Tried to have more processes/threads than allowed; fork/clone failed.
    Processes,
    /// Wrote a file past RLIMIT_FSIZE; the kernel sent SIGXFSZ.
    FileSize,
    /// Printed more than the output cap; we killed it and kept the first bytes.
    Output,
}

impl LimitHit {
    /// Stable snake_case name, used in [`crate::Outcome::LimitExceeded`].
    pub fn name(self) -> &'static str {
        match self {
            LimitHit::WallClock => "wall_clock",
            LimitHit::CpuTime => "cpu_time",
            LimitHit::Memory => "memory",
            LimitHit::Processes => "processes",
            LimitHit::FileSize => "file_size",
            LimitHit::Output => "output",
        }
    }

    /// The one line a learner sees: which limit, and what its value is.
    pub fn message(self, step: Step, limits: &StepLimits) -> String {
        let who = match step {
            Step::Compile => "compiling the snippet",
            Step::Run => "the program",
        };
        match self {
            LimitHit::WallClock => format!(
                "Stopped: {who} ran longer than the {} wall-clock limit.",
                Seconds(limits.wall)
            ),
            LimitHit::CpuTime => format!(
                "Stopped: {who} used more than the {} CPU-time limit.",
                Seconds(limits.cpu)
            ),
            LimitHit::Memory => format!(
                "Stopped: {who} tried to use more than the {} memory limit.",
                Bytes(limits.memory_bytes)
            ),
            LimitHit::Processes => format!(
                "Stopped: {who} tried to run more than {} processes and threads at once (process limit).",
                limits.processes
            ),
            LimitHit::FileSize => format!(
                "Stopped: {who} tried to write a file larger than the {} file-size limit.",
                Bytes(limits.file_size_bytes)
            ),
            LimitHit::Output => format!(
                "Stopped: {who} printed more than the {} output limit (the first {} are shown).",
                Bytes(limits.output_bytes as u64),
                Bytes(limits.output_bytes as u64)
            ),
        }
    }
}

/// Formats a duration the way a learner reads it: `2 s`, `1.5 s`, `250 ms`.
pub struct Seconds(pub Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 1000 {
            write!(f, "{ms} ms")
        } else if ms.is_multiple_of(1000) {
            write!(f, "{} s", ms / 1000)
        } else {
            write!(f, "{:.1} s", self.0.as_secs_f64())
        }
    }
}

/// Formats a byte count in binary units: `64 KiB`, `512 MiB`, `1 GiB`.
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
        let mut value = self.0;
        let mut unit = 0;
        while unit < UNITS.len() - 1 && value >= 1024 && value.is_multiple_of(1024) {
            value /= 1024;
            unit += 1;
        }
        write!(f, "{value} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_limit_and_its_value() {
        let limits = Limits::default();
        assert_eq!(
            LimitHit::WallClock.message(Step::Run, &limits.run),
            "Stopped: the program ran longer than the 2 s wall-clock limit."
        );
        assert!(LimitHit::Memory
            .message(Step::Compile, &limits.compile)
            .contains("1 GiB memory limit"));
        assert!(LimitHit::Output
            .message(Step::Run, &limits.run)
            .contains("64 KiB output limit"));
        assert_eq!(Seconds(Duration::from_millis(1500)).to_string(), "1.5 s");
        assert_eq!(Bytes(1000).to_string(), "1000 bytes");
    }
}

//! Histories: what clients saw, one operation at a time.
//!
//! A Jepsen history is a list of events (`:invoke`, then `:ok`, `:fail` or `:info`); a checker
//! wants *operations*, each an invocation paired with its outcome. This module holds that paired
//! form, which every part of the crate shares: the parsers produce it, the replicated register's
//! clients record it, and the checkers read it.

use std::fmt;

/// When an event happened, and where it was written down.
///
/// `time` orders events (for a Jepsen log with no timestamps it is the line number); `line` is
/// what a learner looks up (the log line, or the position in a recorded history).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Orders events: ms in a simulation, the line number in a log.
    pub time: u64,
    /// The 1-based line (or event number) this came from, for messages.
    pub line: usize,
}

/// How an operation ended, as the client knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome<O> {
    /// It took effect, and returned this.
    Ok(O),
    /// It definitely did not take effect (a CAS whose compare failed, a read that timed out).
    Fail,
    /// Nobody knows: it may have taken effect at any moment after its invoke, or never. The
    /// client gave up on it, so it stays open to the end of the history.
    Info,
}

/// One operation: what was asked, by whom, when, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<I, O> {
    /// Its index in the history (the order of invocation).
    pub id: usize,
    /// The client process that ran it. A process runs one operation at a time.
    pub process: u64,
    /// What was asked.
    pub input: I,
    /// How it ended.
    pub outcome: Outcome<O>,
    /// When it was invoked.
    pub invoke: Stamp,
    /// When the outcome was recorded (`None`: the history ended with it still running).
    /// For an `:info` operation this is when the client gave up, *not* a bound on when it took
    /// effect: the checker keeps it open to the end.
    pub complete: Option<Stamp>,
}

impl<I, O> Operation<I, O> {
    /// True if the outcome is unknown (`:info`, or still running when the history ended).
    pub fn is_indeterminate(&self) -> bool {
        matches!(self.outcome, Outcome::Info)
    }

    /// "line 12" or "lines 12–15", for messages.
    pub fn lines(&self) -> String {
        match (&self.outcome, self.complete) {
            (Outcome::Info, Some(c)) => {
                format!(
                    "invoked line {}, timed out line {}",
                    self.invoke.line, c.line
                )
            }
            (Outcome::Info, None) => format!("invoked line {}, never returned", self.invoke.line),
            (_, Some(c)) => format!("lines {}–{}", self.invoke.line, c.line),
            (_, None) => format!("line {}", self.invoke.line),
        }
    }
}

/// What a client asks of a single register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegisterOp {
    /// Read the value (the outcome is the value read; `None` means no value yet).
    Read,
    /// Overwrite the value.
    Write(i64),
    /// Compare-and-set: if the value is `from`, make it `to`.
    Cas {
        /// The value expected.
        from: i64,
        /// The value to set.
        to: i64,
    },
}

/// A register operation; the outcome of a read is the value it returned (`None`: no value). Writes
/// and CASes that succeed carry `None`: their success is the information.
pub type RegisterOperation = Operation<RegisterOp, Option<i64>>;

/// What a client asks of a key-value map whose values are strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// Read the key's whole string (`""` when it was never written).
    Get(String),
    /// Replace the key's string.
    Put(String, String),
    /// Concatenate to the key's string.
    Append(String, String),
}

impl KvOp {
    /// The key this operation touches: keys are independent, so a checker splits by it.
    pub fn key(&self) -> &str {
        match self {
            KvOp::Get(k) | KvOp::Put(k, _) | KvOp::Append(k, _) => k,
        }
    }
}

/// A key-value operation; the outcome of a get is the string it returned (puts and appends carry
/// an empty string).
pub type KvOperation = Operation<KvOp, String>;

/// A parsed history: a register one or a key-value one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum History {
    /// One register with read, write and compare-and-set (the etcd logs).
    Register(Vec<RegisterOperation>),
    /// A key-value map with get, put and append (the kv logs).
    Kv(Vec<KvOperation>),
}

impl History {
    /// How many operations it holds.
    pub fn len(&self) -> usize {
        match self {
            History::Register(ops) => ops.len(),
            History::Kv(ops) => ops.len(),
        }
    }

    /// True if it holds no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for RegisterOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterOp::Read => write!(f, "read"),
            RegisterOp::Write(v) => write!(f, "write {v}"),
            RegisterOp::Cas { from, to } => write!(f, "cas {from}→{to}"),
        }
    }
}

impl fmt::Display for KvOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvOp::Get(k) => write!(f, "get {k:?}"),
            KvOp::Put(k, v) => write!(f, "put {k:?} {v:?}"),
            KvOp::Append(k, v) => write!(f, "append {k:?} {v:?}"),
        }
    }
}

/// Builds a history by hand or from a simulation: invoke, then complete, one process at a time.
///
/// Why a builder? Tests, snippets and the replicated register's clients all record histories, and
/// pairing events by process is where hand-written histories go wrong.
#[derive(Debug)]
pub struct Recorder<I, O> {
    ops: Vec<Operation<I, O>>,
    open: Vec<(u64, usize)>,
    events: usize,
}

impl<I, O> Default for Recorder<I, O> {
    fn default() -> Self {
        Recorder {
            ops: Vec::new(),
            open: Vec::new(),
            events: 0,
        }
    }
}

impl<I, O> Recorder<I, O> {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// `process` invokes `input` at `time`; returns the operation's id.
    ///
    /// # Panics
    /// If `process` still has an operation open: a process runs one operation at a time.
    pub fn invoke(&mut self, time: u64, process: u64, input: I) -> usize {
        assert!(
            self.open.iter().all(|&(p, _)| p != process),
            "process {process} invoked while its last operation is still open"
        );
        self.events += 1;
        let id = self.ops.len();
        self.ops.push(Operation {
            id,
            process,
            input,
            outcome: Outcome::Info,
            invoke: Stamp {
                time,
                line: self.events,
            },
            complete: None,
        });
        self.open.push((process, id));
        id
    }

    /// `process`'s open operation ends at `time` with `outcome`.
    ///
    /// # Panics
    /// If `process` has no open operation.
    pub fn complete(&mut self, time: u64, process: u64, outcome: Outcome<O>) {
        let at = self
            .open
            .iter()
            .position(|&(p, _)| p == process)
            .unwrap_or_else(|| panic!("process {process} completed with nothing open"));
        let (_, id) = self.open.swap_remove(at);
        self.events += 1;
        let op = &mut self.ops[id];
        op.outcome = outcome;
        op.complete = Some(Stamp {
            time,
            line: self.events,
        });
    }

    /// The operations so far; any still open are indeterminate.
    pub fn operations(&self) -> &[Operation<I, O>] {
        &self.ops
    }

    /// The finished history.
    pub fn finish(self) -> Vec<Operation<I, O>> {
        self.ops
    }
}

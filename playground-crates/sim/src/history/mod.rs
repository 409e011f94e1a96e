//! A recorder for what clients asked and what they were told, written out in Jepsen's log
//! formats so that any module's checker can read any module's histories.
//!
//! A linearizability checker does not look inside the system: it reads only the *history*, the
//! sequence of operation invocations and completions each client saw, and asks whether some
//! order of the operations explains every answer. Recording one is the simulation's job; this
//! module makes it hard to record one wrong. Each client runs one operation at a time, and an
//! operation ends in one of three ways:
//!
//! - `ok`: it took effect, with this result;
//! - `fail`: it definitely did not take effect;
//! - `info`: nobody knows (a timeout). It may take effect at any moment after its invoke, or
//!   never, so it stays open to the end of the history, and, as in Jepsen, the client carries on
//!   under a new process number.
//!
//! The two formats are those of `../shared/histories/README.md`: [`RegisterOp`] writes the etcd
//! register log (`INFO  jepsen.util - 3 :invoke :write 4`, tab-separated), [`KvOp`] the
//! key-value EDN map per line (`{:process 0, :type :invoke, :f :get, :key "5", :value nil}`).

mod kv;
mod register;

pub use kv::KvOp;
pub use register::RegisterOp;

use std::io;

use crate::time::Time;

/// How an event of the history is typed: the start of an operation, or one of its three ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A client started the operation.
    Invoke,
    /// It took effect; the entry carries the result.
    Ok,
    /// It definitely did not take effect.
    Fail,
    /// Unknown outcome: it may have taken effect at any moment after its invoke, or never.
    Info,
}

impl Kind {
    /// Jepsen's keyword for it: `:invoke`, `:ok`, `:fail` or `:info`.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Invoke => ":invoke",
            Kind::Ok => ":ok",
            Kind::Fail => ":fail",
            Kind::Info => ":info",
        }
    }
}

/// One line of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<Op> {
    /// When it happened in the simulation (the log formats do not store it; their line order
    /// is the time order).
    pub at: Time,
    /// Jepsen's process number: the client, in its current incarnation.
    pub process: u64,
    /// Invoke, or how the operation ended.
    pub kind: Kind,
    /// The operation, with its argument (on invoke) or its result (on ok).
    pub op: Op,
}

/// An operation type that can be written as a line of a Jepsen log.
pub trait JepsenLine {
    /// The line for `kind` of this operation by `process`, without the newline.
    fn jepsen_line(&self, process: u64, kind: Kind) -> String;
}

/// The history of a run: every invoke and completion, in the order they happened.
///
/// Clients are numbered `0..clients`. Client `c` starts as process `c`; after an `info` it
/// continues as process `c + clients`, then `c + 2 * clients`, ... (what Jepsen does: the etcd
/// histories in `../shared/histories` go 4, 9, 14 with five clients).
#[derive(Clone, Debug)]
pub struct History<Op> {
    clients: u64,
    /// Each client's current process number.
    process: Vec<u64>,
    /// Whether each client has an operation in flight.
    open: Vec<bool>,
    entries: Vec<Entry<Op>>,
}

impl<Op> History<Op> {
    /// An empty history for `clients` clients (at least one).
    pub fn new(clients: usize) -> Self {
        assert!(clients > 0, "a history needs at least one client");
        Self {
            clients: clients as u64,
            process: (0..clients as u64).collect(),
            open: vec![false; clients],
            entries: Vec::new(),
        }
    }

    /// Records that `client` starts `op` at `at` (for a read, the value is ignored: an invoke
    /// of a read is written with `nil`). Returns the process number it was written under.
    ///
    /// Panics if the client already has an operation in flight: a Jepsen process runs one
    /// operation at a time, and a checker would misread a history that breaks the rule.
    pub fn invoke(&mut self, at: Time, client: usize, op: Op) -> u64 {
        let process = self.client_process(client);
        assert!(
            !self.open[client],
            "client {client} invoked a new operation at {at} while its previous one is still open: \
             record ok, fail or info for it first"
        );
        self.open[client] = true;
        self.push(Entry {
            at,
            process,
            kind: Kind::Invoke,
            op,
        });
        process
    }

    /// Records that `client`'s operation took effect, with its result in `op` (the value read,
    /// the value written, the swap made).
    pub fn ok(&mut self, at: Time, client: usize, op: Op) {
        self.complete(at, client, Kind::Ok, op);
    }

    /// Records that `client`'s operation definitely did not take effect (a CAS whose expected
    /// value did not match, a read that timed out and changed nothing).
    pub fn fail(&mut self, at: Time, client: usize, op: Op) {
        self.complete(at, client, Kind::Fail, op);
    }

    /// Records that `client` does not know whether its operation took effect (a write that timed
    /// out). The operation stays open to the end of the history, and the client continues under
    /// a new process number.
    pub fn info(&mut self, at: Time, client: usize, op: Op) {
        self.complete(at, client, Kind::Info, op);
        self.process[client] += self.clients;
    }

    /// Records an event whose kind is only known at run time (say, read from a client node's
    /// outputs): the same as calling [`invoke`](Self::invoke), [`ok`](Self::ok),
    /// [`fail`](Self::fail) or [`info`](Self::info), with the same checks.
    pub fn record(&mut self, at: Time, client: usize, kind: Kind, op: Op) {
        match kind {
            Kind::Invoke => {
                self.invoke(at, client, op);
            }
            Kind::Ok => self.ok(at, client, op),
            Kind::Fail => self.fail(at, client, op),
            Kind::Info => self.info(at, client, op),
        }
    }

    /// Appends an entry as it is, with no checks: for replaying a log recorded elsewhere.
    pub fn push(&mut self, entry: Entry<Op>) {
        self.entries.push(entry);
    }

    /// Every entry, in the order recorded.
    pub fn entries(&self) -> &[Entry<Op>] {
        &self.entries
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True before anything was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The process number `client` will use for its next operation.
    pub fn client_process(&self, client: usize) -> u64 {
        *self.process.get(client).unwrap_or_else(|| {
            panic!(
                "client {client} does not exist: this history was made for {} clients (0..{})",
                self.clients, self.clients
            )
        })
    }

    fn complete(&mut self, at: Time, client: usize, kind: Kind, op: Op) {
        let process = self.client_process(client);
        assert!(
            self.open[client],
            "client {client} completed an operation at {at} that it never invoked: record invoke first"
        );
        self.open[client] = false;
        self.push(Entry {
            at,
            process,
            kind,
            op,
        });
    }
}

impl<Op: JepsenLine> History<Op> {
    /// The whole history in its Jepsen format, one line an entry, each ending in a newline.
    pub fn to_jepsen(&self) -> String {
        let mut text = String::new();
        for entry in &self.entries {
            text.push_str(&entry.op.jepsen_line(entry.process, entry.kind));
            text.push('\n');
        }
        text
    }

    /// Writes [`to_jepsen`](Self::to_jepsen) to `out` (a file a checker will read).
    pub fn write_jepsen(&self, out: &mut impl io::Write) -> io::Result<()> {
        out.write_all(self.to_jepsen().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_a_new_process_number_after_info_only() {
        let mut history = History::new(5);
        let t = Time::ZERO;
        assert_eq!(history.invoke(t, 4, RegisterOp::Write(3)), 4);
        history.ok(t, 4, RegisterOp::Write(3));
        assert_eq!(history.invoke(t, 4, RegisterOp::Write(1)), 4);
        history.info(t, 4, RegisterOp::Write(1));
        assert_eq!(history.invoke(t, 4, RegisterOp::Read(None)), 9);
        history.fail(t, 4, RegisterOp::Read(None));
        assert_eq!(history.client_process(4), 9);
        history.record(t, 4, Kind::Invoke, RegisterOp::Write(2));
        history.record(t, 4, Kind::Info, RegisterOp::Write(2));
        assert_eq!(history.client_process(4), 14);
        assert_eq!(history.len(), 8);
    }

    #[test]
    #[should_panic(expected = "still open")]
    fn a_client_runs_one_operation_at_a_time() {
        let mut history = History::new(1);
        history.invoke(Time::ZERO, 0, RegisterOp::Read(None));
        history.invoke(Time::ZERO, 0, RegisterOp::Write(1));
    }

    #[test]
    #[should_panic(expected = "never invoked")]
    fn completing_without_invoking_is_refused() {
        let mut history = History::new(1);
        history.ok(Time::ZERO, 0, RegisterOp::Write(1));
    }
}

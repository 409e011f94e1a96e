//! Two-phase commit on the simulation kernel: one coordinator, a few participants, and a crash
//! injected at any step of the protocol.
//!
//! A transaction that writes rows on several machines must commit on all of them or on none.
//! Two-phase commit gets there with one rule: a participant that has voted yes has given up its
//! right to decide. Phase one, the coordinator asks every participant to *prepare*; each one that
//! can commit writes a `prepared` record to its own disk, keeps its row locks, and votes yes.
//! Phase two, the coordinator writes its decision to its disk (the commit point) and tells
//! everyone. Between its vote and the decision a participant is *in doubt*: it may neither commit
//! (another participant may have voted no) nor abort (the coordinator may have decided commit),
//! so it waits, holding its locks, and asks again. That wait is 2PC's blocking problem: while the
//! coordinator is down, nobody can finish the transaction, and every other transaction that wants
//! those rows waits too.
//!
//! The code is sans-IO ([`sim::Node`]): [`Coordinator`] and [`Participant`] are state machines
//! that turn messages and timers into sends, disk writes and reports; the [`World`](sim::World)
//! delivers them. [`Scenario`] wires one transaction, crashes a node at a chosen [`Crash`]
//! point, restarts it from its disk (or never), and returns a [`Report`] with what each
//! participant decided, how long it was in doubt and held its locks, and whether all agreed.
//!
//! Recovery follows the *presumed abort* rule (Mohan, Lindsay and Obermarck, R*, 1986): the
//! coordinator forces a record to its disk only for a commit. A restarted coordinator that finds
//! a commit record sends the commit again until every participant acknowledges it; one that
//! finds nothing presumes the transaction aborted and answers "abort" to whoever asks. Aborts
//! cost no forced write, and an in-doubt participant still always gets the right answer.
//!
//! ```
//! use transactions::twopc::{Crash, Decision, Scenario};
//!
//! // The coordinator dies after asking for votes, before deciding, and is back 1 s later.
//! let report = Scenario::new(Crash::CoordinatorAfterPrepare).run();
//! assert_eq!(report.decision, Some(Decision::Abort)); // presumed: its log holds no commit
//! assert!(report.atomic());
//! // Both participants voted yes and then waited, locks held, for the restart.
//! assert!(report.participants.iter().all(|p| p.in_doubt_ms >= 1000));
//! ```

mod coordinator;
mod participant;
mod scenario;

pub use coordinator::Coordinator;
pub use participant::Participant;
pub use scenario::{ParticipantReport, Report, Scenario};

use sim::{Context, Input, Node, NodeId, Span};
use std::fmt;

/// The coordinator's address in every scenario; participants are nodes 1, 2, …
pub const COORDINATOR: NodeId = NodeId::new(0);

/// How long the coordinator waits for all votes before it decides abort.
pub const VOTE_TIMEOUT: Span = Span::from_millis(100);
/// How often the coordinator sends a commit again to participants that have not acknowledged it.
pub const RESEND_EVERY: Span = Span::from_millis(100);
/// How often an in-doubt participant asks the coordinator for the decision.
pub const ASK_EVERY: Span = Span::from_millis(100);
/// How long a participant waits for `prepare` before it aborts on its own (it has not voted, so
/// it still may).
pub const PREPARE_TIMEOUT: Span = Span::from_millis(500);

/// The outcome of the transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every participant makes its writes durable and visible.
    Commit,
    /// Every participant throws its writes away.
    Abort,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Commit => "commit",
            Decision::Abort => "abort",
        })
    }
}

/// A participant's answer to `prepare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vote {
    /// "My writes are on disk and locked; I will do whatever you decide."
    Yes,
    /// "I cannot commit" (a constraint failed, or I already aborted): the transaction aborts.
    No,
}

/// What the nodes send each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Coordinator to participant: phase one, "can you commit?".
    Prepare,
    /// Participant to coordinator: the answer.
    Vote(Vote),
    /// Coordinator to participant: phase two, the outcome (also the answer to a `Query`).
    Decide(Decision),
    /// Participant to coordinator: "I have applied the decision"; the coordinator may forget.
    Ack,
    /// In-doubt participant to coordinator: "what did you decide?".
    Query,
}

/// What a node's timers carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Coordinator: stop waiting for votes.
    VoteDeadline,
    /// Coordinator: send the commit again to those that have not acknowledged it.
    Resend,
    /// Participant: stop waiting for `prepare`.
    PrepareDeadline,
    /// Participant: ask the coordinator again.
    Ask,
    /// Participant: give up waiting and abort on its own (a "heuristic" decision).
    Heuristic,
}

/// One record of a node's log on disk. The coordinator writes `Commit` and `End`; a participant
/// writes `Prepared`, then `Committed` or `Aborted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// Coordinator: the decision is commit (the commit point of the whole transaction).
    Commit,
    /// Coordinator: every participant acknowledged; the transaction can be forgotten.
    End,
    /// Participant: my writes are durable and I voted yes.
    Prepared,
    /// Participant: I committed.
    Committed,
    /// Participant: I aborted.
    Aborted,
}

/// A node's disk: its log, appended to and never rewritten.
pub type Log = Vec<Record>;

/// Where a scenario crashes a node. The node stops at that step, exactly: what it sent and wrote
/// before the step happened, nothing after it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crash {
    /// Nothing crashes: the happy path, four message delays.
    None,
    /// The coordinator dies before sending any `prepare`.
    CoordinatorBeforePrepare,
    /// The coordinator sends every `prepare`, then dies before any vote arrives.
    CoordinatorAfterPrepare,
    /// The coordinator has all yes votes and has logged commit, and dies before telling anyone.
    CoordinatorAfterDecision,
    /// The coordinator tells the first participant to commit, then dies.
    CoordinatorAfterFirstCommit,
    /// The first participant dies on receiving `prepare`, before voting.
    ParticipantBeforeVote,
    /// The first participant logs `prepared`, votes yes, then dies.
    ParticipantAfterVote,
}

impl Crash {
    /// Every crash point, in protocol order.
    pub const ALL: [Crash; 7] = [
        Crash::None,
        Crash::CoordinatorBeforePrepare,
        Crash::CoordinatorAfterPrepare,
        Crash::CoordinatorAfterDecision,
        Crash::CoordinatorAfterFirstCommit,
        Crash::ParticipantBeforeVote,
        Crash::ParticipantAfterVote,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Crash::None => "none",
            Crash::CoordinatorBeforePrepare => "coordinator-before-prepare",
            Crash::CoordinatorAfterPrepare => "coordinator-after-prepare",
            Crash::CoordinatorAfterDecision => "coordinator-after-decision",
            Crash::CoordinatorAfterFirstCommit => "coordinator-after-first-commit",
            Crash::ParticipantBeforeVote => "participant-before-vote",
            Crash::ParticipantAfterVote => "participant-after-vote",
        }
    }

    /// The crash point with this name.
    pub fn parse(name: &str) -> Option<Crash> {
        Crash::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The node that crashes: the coordinator, or the first participant.
    pub fn victim(self) -> Option<NodeId> {
        match self {
            Crash::None => None,
            Crash::ParticipantBeforeVote | Crash::ParticipantAfterVote => Some(NodeId::new(1)),
            _ => Some(COORDINATOR),
        }
    }
}

/// What the nodes report to the experiment; [`Report::timeline`] prints them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Coordinator: sent `prepare` to every participant.
    AskedForVotes,
    /// Participant: voted.
    Voted(Vote),
    /// Coordinator: decided; `logged` if it forced a record to disk first.
    Decided {
        /// The outcome.
        decision: Decision,
        /// Whether a record was forced to disk (only for commit, under presumed abort).
        logged: bool,
    },
    /// Participant: applied the decision and released its locks.
    Applied(Decision),
    /// Participant: aborted before voting, because `prepare` never came.
    AbortedAlone,
    /// Participant: gave up waiting while in doubt and aborted on its own.
    HeuristicAbort,
    /// Participant: asked the coordinator for the decision (not printed in the timeline).
    Asked,
    /// A node stopped at its crash point.
    Crashed(Crash),
    /// Coordinator: restarted and read its log; `found` is the decision on disk, if any.
    CoordinatorRecovered {
        /// `Some(Commit)` if a commit record was there.
        found: Option<Decision>,
    },
    /// Participant: restarted and read its log.
    ParticipantRecovered {
        /// Its last record: `Prepared` means in doubt (it must ask before it can release its
        /// locks); `None` means it had not prepared, so its writes died with it: it aborted.
        found: Option<Record>,
    },
    /// Coordinator: every participant acknowledged the commit.
    Finished,
}

/// One node of a two-phase-commit run: the protocol has two roles, so the node is an enum.
pub enum TwoPc {
    /// Node 0.
    Coordinator(Coordinator),
    /// Nodes 1, 2, …
    Participant(Participant),
}

impl Node for TwoPc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Log;
    type Output = Event;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match self {
            TwoPc::Coordinator(c) => c.handle(input, ctx),
            TwoPc::Participant(p) => p.handle(input, ctx),
        }
    }
}

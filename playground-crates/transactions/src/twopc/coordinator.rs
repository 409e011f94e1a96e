//! The coordinator: asks for votes, decides, makes the decision durable, and repeats it until
//! every participant has it.

use super::{
    Crash, Decision, Event, Log, Msg, Record, Timer, TwoPc, Vote, RESEND_EVERY, VOTE_TIMEOUT,
};
use sim::{Context, Input, NodeId};
use std::collections::{BTreeMap, BTreeSet};

/// The coordinator of one transaction.
///
/// Its disk holds at most two records: `Commit`, forced before anyone hears the decision (the
/// commit point), and `End`, once every participant acknowledged. An abort is never logged:
/// under presumed abort, no record means abort.
pub struct Coordinator {
    participants: Vec<NodeId>,
    log: Log,
    votes: BTreeMap<NodeId, Vote>,
    decision: Option<Decision>,
    acked: BTreeSet<NodeId>,
    /// True in the node's first life; false once it has been rebuilt from its disk.
    first_life: bool,
    /// Where this life stops (only the first life has a crash point).
    crash_at: Option<Crash>,
    /// Set at the crash point: from then on the node does nothing until the world crashes it.
    stopped: bool,
}

impl Coordinator {
    /// A coordinator for `participants`, built from its disk. `first_life` is false after a
    /// restart, and then `crash_at` is ignored.
    pub fn new(participants: Vec<NodeId>, log: &Log, first_life: bool, crash_at: Crash) -> Self {
        Self {
            participants,
            log: log.clone(),
            votes: BTreeMap::new(),
            decision: None,
            acked: BTreeSet::new(),
            first_life,
            crash_at: first_life.then_some(crash_at),
            stopped: false,
        }
    }

    /// The decision this coordinator knows, if any.
    pub fn decision(&self) -> Option<Decision> {
        self.decision
    }

    /// Stops here if this is the crash point: reports it and ignores everything after.
    fn crash_here(&mut self, point: Crash, ctx: &mut Context<'_, TwoPc>) -> bool {
        if self.crash_at == Some(point) {
            self.stopped = true;
            ctx.output(Event::Crashed(point));
        }
        self.stopped
    }

    pub(super) fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, TwoPc>) {
        if self.stopped {
            return;
        }
        match input {
            Input::Start if self.first_life => self.start(ctx),
            Input::Start => self.recover(ctx),
            Input::Message { from, msg } => match msg {
                Msg::Vote(vote) => self.vote(from, vote, ctx),
                Msg::Ack => self.ack(from, ctx),
                // Still collecting votes: the decision will be sent when there is one.
                Msg::Query => {
                    if let Some(decision) = self.decision {
                        ctx.send(from, Msg::Decide(decision));
                    }
                }
                Msg::Prepare | Msg::Decide(_) => {}
            },
            Input::Timer(Timer::VoteDeadline) if self.decision.is_none() => {
                self.decide(Decision::Abort, ctx)
            }
            Input::Timer(Timer::Resend) => self.resend(ctx),
            Input::Timer(_) => {}
        }
    }

    /// Phase one: ask everyone to prepare, and give them `VOTE_TIMEOUT` to answer.
    fn start(&mut self, ctx: &mut Context<'_, TwoPc>) {
        if self.crash_here(Crash::CoordinatorBeforePrepare, ctx) {
            return;
        }
        for &p in &self.participants {
            ctx.send(p, Msg::Prepare);
        }
        ctx.output(Event::AskedForVotes);
        if self.crash_here(Crash::CoordinatorAfterPrepare, ctx) {
            return;
        }
        ctx.set_timer(VOTE_TIMEOUT, Timer::VoteDeadline);
    }

    /// Rebuilt from disk: a commit record means "finish the commit"; no record means the
    /// transaction aborted (presumed abort), and nothing needs sending: whoever is in doubt asks.
    fn recover(&mut self, ctx: &mut Context<'_, TwoPc>) {
        let committed = self.log.contains(&Record::Commit);
        let ended = self.log.contains(&Record::End);
        ctx.output(Event::CoordinatorRecovered {
            found: committed.then_some(Decision::Commit),
        });
        if committed {
            self.decision = Some(Decision::Commit);
            if ended {
                self.acked = self.participants.iter().copied().collect();
            } else {
                self.resend(ctx);
            }
        } else {
            self.decision = Some(Decision::Abort);
        }
    }

    fn vote(&mut self, from: NodeId, vote: Vote, ctx: &mut Context<'_, TwoPc>) {
        if self.decision.is_some() {
            return; // a late or duplicate vote
        }
        self.votes.insert(from, vote);
        if vote == Vote::No {
            self.decide(Decision::Abort, ctx);
        } else if self.participants.iter().all(|p| self.votes.contains_key(p)) {
            self.decide(Decision::Commit, ctx);
        }
    }

    /// Phase two. A commit is forced to disk before anyone hears it; an abort is not.
    fn decide(&mut self, decision: Decision, ctx: &mut Context<'_, TwoPc>) {
        self.decision = Some(decision);
        let logged = decision == Decision::Commit;
        if logged {
            self.log.push(Record::Commit);
            ctx.persist(self.log.clone());
        }
        ctx.output(Event::Decided { decision, logged });
        if self.crash_here(Crash::CoordinatorAfterDecision, ctx) {
            return;
        }
        for (i, p) in self.participants.clone().into_iter().enumerate() {
            ctx.send(p, Msg::Decide(decision));
            let first_commit = i == 0 && decision == Decision::Commit;
            if first_commit && self.crash_here(Crash::CoordinatorAfterFirstCommit, ctx) {
                return;
            }
        }
        if logged {
            ctx.set_timer(RESEND_EVERY, Timer::Resend);
        }
    }

    /// Sends the commit again to whoever has not acknowledged it.
    fn resend(&mut self, ctx: &mut Context<'_, TwoPc>) {
        if self.decision != Some(Decision::Commit) {
            return;
        }
        let missing: Vec<NodeId> = self
            .participants
            .iter()
            .copied()
            .filter(|p| !self.acked.contains(p))
            .collect();
        if missing.is_empty() {
            return;
        }
        for p in missing {
            ctx.send(p, Msg::Decide(Decision::Commit));
        }
        ctx.set_timer(RESEND_EVERY, Timer::Resend);
    }

    fn ack(&mut self, from: NodeId, ctx: &mut Context<'_, TwoPc>) {
        if !self.acked.insert(from) || self.decision != Some(Decision::Commit) {
            return;
        }
        if self.participants.iter().all(|p| self.acked.contains(p)) {
            self.log.push(Record::End);
            ctx.persist(self.log.clone());
            ctx.output(Event::Finished);
        }
    }
}

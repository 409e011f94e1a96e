//! A participant: does its part of the transaction, votes, and then does what it is told, even
//! if it has to wait for it.

use super::{
    Crash, Decision, Event, Log, Msg, Record, Timer, TwoPc, Vote, ASK_EVERY, COORDINATOR,
    PREPARE_TIMEOUT,
};
use sim::{Context, Input, Span};

/// Where a participant is in the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Its writes are done and locked, not yet prepared: it may still abort on its own.
    Working,
    /// It voted yes: in doubt, locks held, until it hears the decision.
    Prepared,
    /// It applied a decision and released its locks.
    Done(Decision),
}

/// One participant of the transaction: a database holding one of its rows.
pub struct Participant {
    log: Log,
    phase: Phase,
    /// How it will vote.
    vote: Vote,
    /// Abort on its own after this long in doubt (a heuristic decision), or wait forever.
    heuristic_after: Option<Span>,
    crash_at: Option<Crash>,
    stopped: bool,
}

impl Participant {
    /// A participant built from its disk. A fresh one (`first_life`) is working on its part of
    /// the transaction; a restarted one is whatever its log says, and one whose log is empty
    /// lost its uncommitted writes in the crash, so it has aborted.
    pub fn new(
        log: &Log,
        first_life: bool,
        vote: Vote,
        heuristic_after: Option<Span>,
        crash_at: Option<Crash>,
    ) -> Self {
        let phase = match log.last() {
            Some(Record::Committed) => Phase::Done(Decision::Commit),
            Some(Record::Aborted) => Phase::Done(Decision::Abort),
            Some(Record::Prepared) => Phase::Prepared,
            _ if first_life => Phase::Working,
            _ => Phase::Done(Decision::Abort),
        };
        Self {
            log: log.clone(),
            phase,
            vote,
            heuristic_after,
            crash_at: if first_life { crash_at } else { None },
            stopped: false,
        }
    }

    /// The decision this participant applied, if any.
    pub fn outcome(&self) -> Option<Decision> {
        match self.phase {
            Phase::Done(d) => Some(d),
            _ => None,
        }
    }

    fn crash_here(&mut self, point: Crash, ctx: &mut Context<'_, TwoPc>) -> bool {
        if self.crash_at == Some(point) {
            self.stopped = true;
            ctx.output(Event::Crashed(point));
        }
        self.stopped
    }

    fn write(&mut self, record: Record, ctx: &mut Context<'_, TwoPc>) {
        self.log.push(record);
        ctx.persist(self.log.clone());
    }

    pub(super) fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, TwoPc>) {
        if self.stopped {
            return;
        }
        match input {
            Input::Start => self.start(ctx),
            Input::Message { msg, .. } => match msg {
                Msg::Prepare => self.prepare(ctx),
                Msg::Decide(decision) => self.apply(decision, ctx),
                Msg::Vote(_) | Msg::Ack | Msg::Query => {}
            },
            Input::Timer(Timer::PrepareDeadline) if self.phase == Phase::Working => {
                self.write(Record::Aborted, ctx);
                self.phase = Phase::Done(Decision::Abort);
                ctx.output(Event::AbortedAlone);
            }
            Input::Timer(Timer::Ask) if self.phase == Phase::Prepared => self.ask(ctx),
            Input::Timer(Timer::Heuristic) if self.phase == Phase::Prepared => {
                self.write(Record::Aborted, ctx);
                self.phase = Phase::Done(Decision::Abort);
                ctx.output(Event::HeuristicAbort);
            }
            Input::Timer(_) => {}
        }
    }

    fn start(&mut self, ctx: &mut Context<'_, TwoPc>) {
        match self.phase {
            Phase::Working => ctx.set_timer(PREPARE_TIMEOUT, Timer::PrepareDeadline),
            Phase::Prepared => {
                // Back from a crash with a `prepared` record: the locks come back with it, and
                // only the coordinator can say how this ends.
                ctx.output(Event::ParticipantRecovered {
                    found: Some(Record::Prepared),
                });
                self.wait_in_doubt(ctx);
                self.ask(ctx);
            }
            Phase::Done(_) => {
                let found = self.log.last().copied();
                if found.is_none() {
                    self.write(Record::Aborted, ctx);
                }
                ctx.output(Event::ParticipantRecovered { found });
            }
        }
    }

    fn prepare(&mut self, ctx: &mut Context<'_, TwoPc>) {
        if self.crash_here(Crash::ParticipantBeforeVote, ctx) {
            return;
        }
        match self.phase {
            Phase::Working if self.vote == Vote::Yes => {
                self.write(Record::Prepared, ctx);
                self.phase = Phase::Prepared;
                ctx.send(COORDINATOR, Msg::Vote(Vote::Yes));
                ctx.output(Event::Voted(Vote::Yes));
                if self.crash_here(Crash::ParticipantAfterVote, ctx) {
                    return;
                }
                self.wait_in_doubt(ctx);
            }
            Phase::Working => {
                self.write(Record::Aborted, ctx);
                self.phase = Phase::Done(Decision::Abort);
                ctx.send(COORDINATOR, Msg::Vote(Vote::No));
                ctx.output(Event::Voted(Vote::No));
            }
            // A repeated prepare gets the same answer.
            Phase::Prepared => ctx.send(COORDINATOR, Msg::Vote(Vote::Yes)),
            Phase::Done(Decision::Abort) => ctx.send(COORDINATOR, Msg::Vote(Vote::No)),
            Phase::Done(Decision::Commit) => {}
        }
    }

    fn wait_in_doubt(&mut self, ctx: &mut Context<'_, TwoPc>) {
        ctx.set_timer(ASK_EVERY, Timer::Ask);
        if let Some(after) = self.heuristic_after {
            ctx.set_timer(after, Timer::Heuristic);
        }
    }

    fn ask(&mut self, ctx: &mut Context<'_, TwoPc>) {
        ctx.send(COORDINATOR, Msg::Query);
        ctx.output(Event::Asked);
        ctx.set_timer(ASK_EVERY, Timer::Ask);
    }

    /// Applies the decision (once), releases the locks, and acknowledges (every time, so the
    /// coordinator can stop repeating itself even if an earlier ack was lost).
    fn apply(&mut self, decision: Decision, ctx: &mut Context<'_, TwoPc>) {
        if matches!(self.phase, Phase::Working | Phase::Prepared) {
            let record = match decision {
                Decision::Commit => Record::Committed,
                Decision::Abort => Record::Aborted,
            };
            self.write(record, ctx);
            self.phase = Phase::Done(decision);
            ctx.output(Event::Applied(decision));
        }
        ctx.send(COORDINATOR, Msg::Ack);
    }
}

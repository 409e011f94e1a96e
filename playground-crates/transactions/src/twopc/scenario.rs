//! One transaction across a coordinator and its participants, a crash at a chosen step, and
//! what everyone ended up doing.

use super::{Coordinator, Crash, Decision, Event, Log, Participant, Record, TwoPc, Vote};
use sim::{Delay, Link, NodeId, Span, Time, World};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

/// An experiment: who takes part, where the crash is, when (if ever) the crashed node comes back.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// How many participants (at least one).
    pub participants: usize,
    /// Where a node crashes.
    pub crash: Crash,
    /// How long the crashed node stays down; `None`: it never comes back.
    pub restart_after: Option<Span>,
    /// Participants (counting from 1) that vote no.
    pub no_votes: Vec<usize>,
    /// In-doubt participants abort on their own after this long (a heuristic decision).
    pub heuristic_after: Option<Span>,
    /// Every message's delay.
    pub delay: Delay,
    /// The seed (only matters when `delay` is random).
    pub seed: u64,
    /// When the run stops.
    pub until: Time,
}

impl Scenario {
    /// Two participants, the crash at `crash`, back after 1 s, every message 5 ms, a 3 s run.
    pub fn new(crash: Crash) -> Self {
        Self {
            participants: 2,
            crash,
            restart_after: Some(Span::from_secs(1)),
            no_votes: Vec::new(),
            heuristic_after: None,
            delay: Delay::Fixed(Span::from_millis(5)),
            seed: 1,
            until: Time::from_secs(3),
        }
    }

    /// The crashed node never restarts.
    pub fn never_restart(mut self) -> Self {
        self.restart_after = None;
        self
    }

    /// The crashed node restarts after `ms` milliseconds.
    pub fn restart_after_ms(mut self, ms: u64) -> Self {
        self.restart_after = Some(Span::from_millis(ms));
        self
    }

    /// Participant `n` (counting from 1) votes no.
    pub fn no_vote(mut self, n: usize) -> Self {
        self.no_votes.push(n);
        self
    }

    /// In-doubt participants abort on their own after `ms` milliseconds.
    pub fn heuristic_abort_after_ms(mut self, ms: u64) -> Self {
        self.heuristic_after = Some(Span::from_millis(ms));
        self
    }

    /// Runs it.
    pub fn run(&self) -> Report {
        let mut world: World<TwoPc> = World::new(self.seed);
        world.set_default_link(Link::new(self.delay));
        let ids: Vec<NodeId> = (1..=self.participants).map(NodeId::new).collect();
        let crash = self.crash;
        let lives = Rc::new(Cell::new(0u32));
        let (list, count) = (ids.clone(), lives.clone());
        world.add_node("coordinator", move |log: &Log| {
            count.set(count.get() + 1);
            TwoPc::Coordinator(Coordinator::new(list.clone(), log, count.get() == 1, crash))
        });
        for n in 1..=self.participants {
            let vote = if self.no_votes.contains(&n) {
                Vote::No
            } else {
                Vote::Yes
            };
            let heuristic = self.heuristic_after;
            let victim = crash.victim() == Some(NodeId::new(n));
            let count = Rc::new(Cell::new(0u32));
            world.add_node(&format!("p{n}"), move |log: &Log| {
                count.set(count.get() + 1);
                let crash_at = victim.then_some(crash);
                TwoPc::Participant(Participant::new(
                    log,
                    count.get() == 1,
                    vote,
                    heuristic,
                    crash_at,
                ))
            });
        }

        // Step a millisecond at a time; a node that reached its crash point has stopped itself,
        // and the world crashes it (and schedules its restart) at that moment.
        let mut seen = 0;
        let mut now = Time::ZERO;
        while now < self.until {
            now += Span::from_millis(1);
            world.run_until(now);
            let crashed = world.outputs()[seen..]
                .iter()
                .find(|r| matches!(r.output, Event::Crashed(_)))
                .map(|r| (r.node, r.at));
            if let Some((node, at)) = crashed {
                world_crash(&mut world, node, at, self.restart_after);
            }
            seen = world.outputs().len();
        }
        Report::from_world(self, &world, &ids)
    }
}

fn world_crash(world: &mut World<TwoPc>, node: NodeId, at: Time, restart_after: Option<Span>) {
    world.crash(at, node);
    if let Some(after) = restart_after {
        world.restart(at + after, node);
    }
}

/// What one participant did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantReport {
    /// `p1`, `p2`, …
    pub name: String,
    /// The decision it applied, or `None` if it was still in doubt (or down) at the end.
    pub outcome: Option<Decision>,
    /// How long it was in doubt: from its yes vote until it learned the decision (or the end of
    /// the run), in whole milliseconds. Zero if it never voted yes.
    pub in_doubt_ms: u64,
    /// How long its row stayed locked: from the start until it applied a decision (or the end).
    pub locked_ms: u64,
    /// How many times it asked the coordinator for the decision.
    pub queries: u32,
}

/// What a run did: the decision, each participant's fate, and the events in order.
#[derive(Clone, Debug)]
pub struct Report {
    /// The scenario that ran.
    pub scenario: Scenario,
    /// The decision the coordinator reached or recovered (`None`: it never decided).
    pub decision: Option<Decision>,
    /// Records the coordinator forced to disk before sending a decision.
    pub forced_writes: u32,
    /// One entry per participant.
    pub participants: Vec<ParticipantReport>,
    /// Every event but the queries, one line each: `  10 ms  p1  voted yes (in doubt, locks held)`.
    pub timeline: Vec<String>,
}

impl Report {
    fn from_world(scenario: &Scenario, world: &World<TwoPc>, ids: &[NodeId]) -> Report {
        let end = scenario.until;
        let ms = |span: Span| span.as_micros() / 1000;
        let mut decision = None;
        let mut forced_writes = 0;
        let mut timeline = Vec::new();
        for r in world.outputs() {
            if let Event::Decided {
                decision: d,
                logged,
            } = r.output
            {
                decision = Some(d);
                forced_writes += u32::from(logged);
            }
            if let Event::CoordinatorRecovered { found } = r.output {
                decision = Some(found.unwrap_or(Decision::Abort));
            }
            if r.output != Event::Asked {
                timeline.push(format!(
                    "{:>5} ms  {:<11}  {}",
                    r.at.as_micros() / 1000,
                    world.name(r.node),
                    describe(&r.output)
                ));
            }
        }
        let participants = ids
            .iter()
            .map(|&id| {
                let mine = || world.outputs().iter().filter(move |r| r.node == id);
                let voted = mine()
                    .find(|r| r.output == Event::Voted(Vote::Yes))
                    .map(|r| r.at);
                let released = mine()
                    .find(|r| {
                        matches!(
                            r.output,
                            Event::Applied(_)
                                | Event::AbortedAlone
                                | Event::HeuristicAbort
                                | Event::Voted(Vote::No)
                                | Event::Crashed(Crash::ParticipantBeforeVote)
                        )
                    })
                    .map(|r| r.at);
                let outcome = match world.node(id) {
                    Some(TwoPc::Participant(p)) => p.outcome(),
                    _ => None,
                };
                ParticipantReport {
                    name: world.name(id).to_string(),
                    outcome,
                    in_doubt_ms: voted.map_or(0, |v| ms(released.unwrap_or(end).since(v))),
                    locked_ms: ms(released.unwrap_or(end).since(Time::ZERO)),
                    queries: mine().filter(|r| r.output == Event::Asked).count() as u32,
                }
            })
            .collect();
        Report {
            scenario: scenario.clone(),
            decision,
            forced_writes,
            participants,
            timeline,
        }
    }

    /// True if no two participants applied different decisions, and none applied one the
    /// coordinator did not make: 2PC's one promise.
    pub fn atomic(&self) -> bool {
        let mut outcomes = self.participants.iter().filter_map(|p| p.outcome);
        let first = outcomes.next();
        outcomes.all(|o| Some(o) == first)
            && (self.decision.is_none() || first.is_none() || first == self.decision)
    }

    /// The run in one line: the decision, each participant's outcome and time in doubt, and
    /// whether all agreed: `decision commit  p1 commit (10 ms in doubt), p2 … atomic yes`.
    pub fn summary(&self) -> String {
        let decision = self.decision.map_or("none".to_string(), |d| d.to_string());
        let outcomes: Vec<String> = self
            .participants
            .iter()
            .map(|p| {
                let o = p.outcome.map_or("in doubt".to_string(), |d| d.to_string());
                format!("{} {o} ({} ms in doubt)", p.name, p.in_doubt_ms)
            })
            .collect();
        format!(
            "decision {decision:<6} {}  atomic {}",
            outcomes.join(", "),
            if self.atomic() { "yes" } else { "NO" }
        )
    }

    /// Participants still in doubt (or down) when the run ended.
    pub fn blocked(&self) -> usize {
        self.participants
            .iter()
            .filter(|p| p.outcome.is_none())
            .count()
    }
}

fn describe(event: &Event) -> String {
    match event {
        Event::AskedForVotes => "sent prepare to every participant".to_string(),
        Event::Voted(Vote::Yes) => "logged prepared, voted yes (in doubt, locks held)".to_string(),
        Event::Voted(Vote::No) => "voted no, aborted, released its locks".to_string(),
        Event::Decided {
            decision,
            logged: true,
        } => format!("logged {decision}: the commit point"),
        Event::Decided { decision, .. } => format!("decided {decision} (nothing logged)"),
        Event::Applied(decision) => format!("applied {decision}, released its locks"),
        Event::AbortedAlone => "no prepare came: aborted on its own".to_string(),
        Event::HeuristicAbort => "gave up waiting: heuristic abort".to_string(),
        Event::Asked => "asked for the decision".to_string(),
        Event::Crashed(point) => format!("crashed ({})", point.name()),
        Event::CoordinatorRecovered { found: Some(d) } => {
            format!("restarted, found {d} in its log: sending it again")
        }
        Event::CoordinatorRecovered { found: None } => {
            "restarted, no commit in its log: presumed abort".to_string()
        }
        Event::ParticipantRecovered {
            found: Some(Record::Prepared),
        } => "restarted, found prepared in its log: in doubt, locks held".to_string(),
        Event::ParticipantRecovered { found: None } => {
            "restarted, no prepared record: its writes were lost, it aborted".to_string()
        }
        Event::ParticipantRecovered { found: Some(r) } => {
            format!("restarted, found {r:?} in its log: nothing to do")
        }
        Event::Finished => "every participant acknowledged: logged end".to_string(),
    }
}

impl fmt::Display for Report {
    /// The figures a reader compares across crash points, one participant a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.scenario;
        let back = match s.restart_after {
            _ if s.crash == Crash::None => String::new(),
            Some(after) => format!(", back after {} ms", after.as_micros() / 1000),
            None => ", never back".to_string(),
        };
        writeln!(f, "crash: {}{back}", s.crash.name())?;
        let decision = self.decision.map_or("none".to_string(), |d| d.to_string());
        writeln!(
            f,
            "coordinator decision: {decision} ({} forced log write{})",
            self.forced_writes,
            if self.forced_writes == 1 { "" } else { "s" }
        )?;
        for p in &self.participants {
            let outcome = p
                .outcome
                .map_or("no outcome".to_string(), |d| d.to_string());
            let times = if p.queries == 1 { "time" } else { "times" };
            writeln!(
                f,
                "{}: {outcome} after {} ms in doubt; row locked {} ms; asked the coordinator {} {times}",
                p.name, p.in_doubt_ms, p.locked_ms, p.queries
            )?;
        }
        write!(f, "atomic: {}", if self.atomic() { "yes" } else { "NO" })
    }
}

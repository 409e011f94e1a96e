//! A replica: leader or follower of one write-ahead log. The protocol is sans-IO, a
//! [`sim::Node`] state machine driven by messages and timers, so the same code runs in the tests,
//! the snippets and the widget.
//!
//! **As leader** it appends each write to its log, ships the log to every other replica, and
//! acknowledges the write once [`Mode::acks_needed`] of its *voters* (the followers whose acks
//! count) hold it. A read is answered from the acknowledged prefix of the log, after the same
//! number of voters have confirmed, in a round trip, that they still follow this leader: a
//! leader that has been replaced without knowing it must not answer reads either.
//!
//! **As follower** it takes what the leader ships, if it fits: the leader says "my log matches
//! yours up to `from`, whose entry has epoch `prev_epoch`", and the follower checks. When its log
//! disagrees, it cuts the entries that differ (they are writes the leader never had) and says
//! where to resume.
//!
//! **Fencing.** Every message a leader sends carries its epoch. With fencing on, a follower that
//! has seen a newer epoch refuses a stale leader's appends and tells it so, and the stale leader
//! steps down on hearing a newer epoch. With fencing off, epochs are still written into the log
//! (so logs can be compared), but nobody refuses anyone: a leader that was paused through its own
//! replacement wakes up and overwrites its followers.

use std::collections::BTreeMap;

use sim::{Context, NodeId, Span, Time};

use crate::actor::{Actor, Disk};
use crate::mode::Mode;
use crate::protocol::{age_ms, Msg, Out, Timer};
use crate::wal::Wal;

/// How a replica behaves: the same for every replica of a group.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// When a write counts as acknowledged.
    pub mode: Mode,
    /// Whether followers refuse appends from a stale epoch.
    pub fencing: bool,
    /// How often a leader resends what followers lack and measures their lag. Writes are
    /// shipped at once as well; the tick repairs losses and confirms leadership when idle.
    pub ship_every: Span,
    /// A semi-synchronous leader that has waited this long for acks stops waiting and
    /// acknowledges writes on its own, as MySQL does (`rpl_semi_sync_source_timeout`, 10 s by
    /// default). `None`: wait for ever.
    pub semi_sync_timeout: Option<Span>,
    /// At most this many entries in one append.
    pub batch: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Async,
            fencing: true,
            ship_every: Span::from_millis(25),
            semi_sync_timeout: None,
            batch: 64,
        }
    }
}

/// A write waiting for acks.
#[derive(Clone, Debug)]
struct PendingWrite {
    index: u64,
    client: NodeId,
    req: u64,
    since: Time,
}

/// A read waiting for its confirmation round.
#[derive(Clone, Debug)]
struct PendingRead {
    round: u64,
    client: NodeId,
    req: u64,
    key: String,
}

/// What only a leader keeps.
#[derive(Clone, Debug)]
struct Leading {
    /// Increases each time this replica becomes leader: tells its ship ticks apart.
    term: u64,
    voters: Vec<NodeId>,
    next: BTreeMap<NodeId, u64>,
    matched: BTreeMap<NodeId, u64>,
    confirmed: BTreeMap<NodeId, u64>,
    round: u64,
    /// The log length when promoted: the detector chose this replica because nothing
    /// acknowledged is missing from it, so that prefix counts as acknowledged.
    base_commit: u64,
    writes: Vec<PendingWrite>,
    reads: Vec<PendingRead>,
    /// Semi-sync only: gave up waiting for acks.
    degraded: bool,
}

/// One replica of the group.
#[derive(Clone, Debug)]
pub struct Replica {
    me: NodeId,
    replicas: Vec<NodeId>,
    cfg: Config,
    wal: Wal,
    epoch: u64,
    leading: Option<Leading>,
    terms: u64,
    leader_hint: Option<NodeId>,
}

impl Replica {
    /// A replica built from its disk. The replica whose disk says it leads starts as leader
    /// with every other replica as a voter (the group's initial leader, or a crashed leader
    /// restarting, which believes it still leads until told otherwise).
    pub fn from_disk(me: NodeId, replicas: Vec<NodeId>, cfg: Config, disk: &Disk) -> Self {
        let mut replica = Self {
            me,
            replicas,
            cfg,
            wal: disk.wal.clone(),
            epoch: disk.epoch.max(1),
            leading: None,
            terms: 0,
            leader_hint: None,
        };
        if disk.leads {
            let voters = replica.others();
            replica.lead(voters);
        }
        replica
    }

    /// The replica's log.
    pub fn wal(&self) -> &Wal {
        &self.wal
    }

    /// The highest epoch this replica has seen.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Whether it believes it leads.
    pub fn is_leader(&self) -> bool {
        self.leading.is_some()
    }

    fn others(&self) -> Vec<NodeId> {
        self.replicas
            .iter()
            .copied()
            .filter(|r| *r != self.me)
            .collect()
    }

    fn lead(&mut self, voters: Vec<NodeId>) {
        self.terms += 1;
        let len = self.wal.len();
        let others = self.others();
        self.leading = Some(Leading {
            term: self.terms,
            voters,
            next: others.iter().map(|r| (*r, len)).collect(),
            matched: others.iter().map(|r| (*r, 0)).collect(),
            confirmed: others.iter().map(|r| (*r, 0)).collect(),
            round: 0,
            base_commit: len,
            writes: Vec::new(),
            reads: Vec::new(),
            degraded: false,
        });
        self.leader_hint = Some(self.me);
    }

    fn persist(&self, ctx: &mut Context<'_, Actor>) {
        ctx.persist(Disk {
            wal: self.wal.clone(),
            epoch: self.epoch,
            leads: self.leading.is_some(),
        });
    }

    fn acks_needed(&self, l: &Leading) -> usize {
        if l.degraded {
            0
        } else {
            self.cfg.mode.acks_needed(l.voters.len())
        }
    }

    /// The acknowledged prefix: the longest one that `acks_needed` voters hold.
    fn commit(&self, l: &Leading) -> u64 {
        let need = self.acks_needed(l);
        if need == 0 {
            return self.wal.len();
        }
        let mut held: Vec<u64> = l.voters.iter().map(|v| l.matched[v]).collect();
        held.sort_unstable_by(|a, b| b.cmp(a));
        let quorum = held.get(need - 1).copied().unwrap_or(0);
        quorum.max(l.base_commit).min(self.wal.len())
    }

    /// The highest round `acks_needed` voters have confirmed.
    fn confirmed_round(&self, l: &Leading) -> u64 {
        let need = self.acks_needed(l);
        if need == 0 {
            return l.round;
        }
        let mut rounds: Vec<u64> = l.voters.iter().map(|v| l.confirmed[v]).collect();
        rounds.sort_unstable_by(|a, b| b.cmp(a));
        rounds.get(need - 1).copied().unwrap_or(0)
    }

    /// Answers every write and read whose wait is over.
    fn settle(&mut self, ctx: &mut Context<'_, Actor>) {
        let Some(l) = self.leading.as_ref() else {
            return;
        };
        let commit = self.commit(l);
        let round = self.confirmed_round(l);
        let l = self.leading.as_mut().expect("leading");
        let (done, waiting): (Vec<_>, Vec<_>) = l.writes.drain(..).partition(|w| w.index <= commit);
        l.writes = waiting;
        let (served, unserved): (Vec<_>, Vec<_>) =
            l.reads.drain(..).partition(|r| r.round <= round);
        l.reads = unserved;
        for w in done {
            ctx.send(w.client, Msg::WriteOk { req: w.req });
        }
        for r in served {
            let value = self.wal.value_of(&r.key, commit);
            ctx.send(r.client, Msg::ReadOk { req: r.req, value });
        }
    }

    /// Sends every other replica what it lacks (or a heartbeat), stamped with our epoch.
    fn ship(&mut self, ctx: &mut Context<'_, Actor>) {
        let Some(l) = self.leading.as_ref() else {
            return;
        };
        for r in self.others() {
            let from = l.next[&r].min(self.wal.len());
            ctx.send(
                r,
                Msg::Append {
                    epoch: self.epoch,
                    from,
                    prev_epoch: self.wal.epoch_at(from).unwrap_or(0),
                    entries: self.wal.after(from, self.cfg.batch),
                    leader_len: self.wal.len(),
                    round: l.round,
                },
            );
        }
    }

    fn step_down(&mut self, newer: u64, leader: Option<NodeId>, ctx: &mut Context<'_, Actor>) {
        if let Some(l) = self.leading.take() {
            ctx.output(Out::SteppedDown {
                replica: self.me,
                epoch: self.epoch,
                newer,
            });
            // Pending writes stay unanswered: they may or may not survive (the client times
            // out and records "unknown"). Pending reads did nothing, so they are refused.
            for r in l.reads {
                ctx.send(r.client, Msg::NotLeader { req: r.req, leader });
            }
        }
        self.epoch = self.epoch.max(newer);
        self.leader_hint = leader;
        self.persist(ctx);
    }

    /// Reacts to one input; called by [`Actor::handle`].
    pub(crate) fn handle_timer(&mut self, timer: Timer, ctx: &mut Context<'_, Actor>) {
        let Timer::Ship(term) = timer else { return };
        let Some(l) = self.leading.as_mut() else {
            return;
        };
        if l.term != term {
            return;
        }
        let now = ctx.now();
        // MySQL's semi-sync fallback: waited too long, acknowledge without the replicas.
        if let (Mode::SemiSync { .. }, Some(timeout)) = (self.cfg.mode, self.cfg.semi_sync_timeout)
        {
            if !l.degraded
                && l.writes
                    .first()
                    .is_some_and(|w| now.since(w.since) >= timeout)
            {
                l.degraded = true;
                ctx.output(Out::FellBackToAsync { replica: self.me });
            }
        }
        let l = self.leading.as_ref().expect("leading");
        for r in self.others() {
            let have = l.matched[&r];
            let entries = self.wal.len().saturating_sub(have);
            let ms = self
                .wal
                .get(have + 1)
                .map(|e| age_ms(now, e.written_at))
                .unwrap_or(0.0);
            ctx.output(Out::Lag {
                leader: self.me,
                follower: r,
                entries,
                ms,
            });
        }
        self.ship(ctx);
        self.settle(ctx);
        ctx.set_timer(self.cfg.ship_every, Timer::Ship(term));
    }

    /// Starts (or restarts) the replica.
    pub(crate) fn start(&mut self, ctx: &mut Context<'_, Actor>) {
        if let Some(l) = &self.leading {
            ctx.set_timer(self.cfg.ship_every, Timer::Ship(l.term));
        }
    }

    /// Handles one message.
    pub(crate) fn handle_msg(&mut self, from: NodeId, msg: Msg, ctx: &mut Context<'_, Actor>) {
        match msg {
            Msg::Write { req, key, value } => {
                if self.leading.is_none() {
                    ctx.send(
                        from,
                        Msg::NotLeader {
                            req,
                            leader: self.leader_hint,
                        },
                    );
                    return;
                }
                let index = self.wal.append(self.epoch, &key, &value, ctx.now());
                self.persist(ctx);
                let now = ctx.now();
                let l = self.leading.as_mut().expect("leading");
                l.writes.push(PendingWrite {
                    index,
                    client: from,
                    req,
                    since: now,
                });
                self.ship(ctx);
                self.settle(ctx);
            }
            Msg::Read { req, key } => {
                let Some(l) = self.leading.as_mut() else {
                    ctx.send(
                        from,
                        Msg::NotLeader {
                            req,
                            leader: self.leader_hint,
                        },
                    );
                    return;
                };
                l.round += 1;
                let round = l.round;
                l.reads.push(PendingRead {
                    round,
                    client: from,
                    req,
                    key,
                });
                self.ship(ctx);
                self.settle(ctx);
            }
            Msg::Append {
                epoch,
                from: at,
                prev_epoch,
                entries,
                leader_len,
                round,
            } => self.on_append(from, epoch, at, prev_epoch, entries, leader_len, round, ctx),
            Msg::AppendAck {
                epoch,
                ok,
                len,
                round,
            } => {
                if self.cfg.fencing && epoch > self.epoch {
                    self.step_down(epoch, None, ctx);
                    return;
                }
                let Some(l) = self.leading.as_mut() else {
                    return;
                };
                if ok {
                    let m = l.matched.entry(from).or_insert(0);
                    *m = (*m).max(len);
                    l.next.insert(from, len);
                    let c = l.confirmed.entry(from).or_insert(0);
                    *c = (*c).max(round);
                    if l.degraded && l.voters.iter().any(|v| l.matched[v] >= self.wal.len()) {
                        l.degraded = false;
                    }
                    self.settle(ctx);
                } else {
                    l.next.insert(from, len);
                    self.ship(ctx);
                }
            }
            Msg::Ping { epoch, leader } => {
                if epoch > self.epoch
                    || (epoch == self.epoch && leader != self.me && self.leading.is_some())
                {
                    if self.leading.is_some() && leader != self.me {
                        self.step_down(epoch, Some(leader), ctx);
                    } else {
                        self.epoch = epoch;
                        self.leader_hint = Some(leader);
                        self.persist(ctx);
                    }
                }
                ctx.send(
                    from,
                    Msg::Pong {
                        len: self.wal.len(),
                        epoch: self.epoch,
                    },
                );
            }
            Msg::Leader { epoch, leader } => {
                if epoch >= self.epoch && leader != self.me {
                    if self.leading.is_some() {
                        self.step_down(epoch, Some(leader), ctx);
                    } else {
                        self.epoch = epoch;
                        self.leader_hint = Some(leader);
                        self.persist(ctx);
                    }
                }
            }
            Msg::Promote { epoch, voters } => {
                if epoch < self.epoch {
                    return;
                }
                self.epoch = epoch;
                self.lead(voters);
                self.persist(ctx);
                let term = self.leading.as_ref().expect("leading").term;
                ctx.set_timer(Span::ZERO, Timer::Ship(term));
            }
            Msg::WriteOk { .. } | Msg::ReadOk { .. } | Msg::NotLeader { .. } | Msg::Pong { .. } => {
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        leader: NodeId,
        epoch: u64,
        from: u64,
        prev_epoch: u64,
        entries: Vec<crate::wal::Entry>,
        leader_len: u64,
        round: u64,
        ctx: &mut Context<'_, Actor>,
    ) {
        if self.cfg.fencing && epoch < self.epoch {
            ctx.output(Out::Fenced {
                follower: self.me,
                stale: epoch,
            });
            ctx.send(
                leader,
                Msg::AppendAck {
                    epoch: self.epoch,
                    ok: false,
                    len: self.wal.len(),
                    round,
                },
            );
            return;
        }
        if self.leading.is_some() {
            if self.cfg.fencing && epoch > self.epoch {
                self.step_down(epoch, Some(leader), ctx);
            } else {
                // Without fencing a leader cannot tell which of two leaders is the newer:
                // it ignores the other and carries on.
                return;
            }
        }
        self.epoch = self.epoch.max(epoch);
        self.leader_hint = Some(leader);
        if self.wal.epoch_at(from) != Some(prev_epoch) {
            let resume = if from > self.wal.len() {
                self.wal.len()
            } else {
                self.wal.start_of_epoch(from)
            };
            ctx.send(
                leader,
                Msg::AppendAck {
                    epoch: self.epoch,
                    ok: false,
                    len: resume,
                    round,
                },
            );
            return;
        }
        let matched = from + entries.len() as u64;
        let mut cut = self.wal.splice(from, &entries);
        // Entries past the leader's end that an older epoch wrote are not in the leader's log.
        if self.wal.len() > leader_len.max(matched)
            && self
                .wal
                .get(leader_len.max(matched) + 1)
                .is_some_and(|e| e.epoch < epoch)
        {
            cut.extend(self.wal.truncate(leader_len.max(matched)));
        }
        if !cut.is_empty() {
            ctx.output(Out::Truncated {
                replica: self.me,
                entries: cut,
            });
        }
        self.persist(ctx);
        ctx.send(
            leader,
            Msg::AppendAck {
                epoch: self.epoch,
                ok: true,
                len: matched,
                round,
            },
        );
    }
}

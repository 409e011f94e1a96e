//! Raft, small: leader election and log replication, with a lock as the state machine.
//!
//! This follows the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable Consensus
//! Algorithm", USENIX ATC 2014), figure 2, and leaves out what a lock does not need to show:
//! membership changes, snapshots, and client sessions. What is here:
//!
//! - **terms**: a node that hears a higher term adopts it and becomes a follower;
//! - **votes**: one a term, persisted, and only for a candidate whose log is at least as
//!   up to date (last term, then length);
//! - **randomised election timeouts** (150 to 300 ms), so split votes resolve;
//! - **log replication** with the consistency check (`prev_index`, `prev_term`), which gives
//!   the log matching property: two logs that agree on an entry's index and term agree on
//!   everything before it;
//! - **commit** by a majority of matching logs, and only for an entry of the leader's own term.
//!
//! Term, vote and log are the node's durable state ([`sim::Node::Durable`]): a crash loses the
//! rest. The state machine is a lock ([`LockMachine`]): every node applies the same committed
//! entries in the same order, so every node agrees on who holds the lock, and the index of the
//! entry that granted it is a fencing token that only goes up. A Redlock client has no such
//! number: its value is random, and five independent nodes never agree on an order.

use std::collections::BTreeSet;

use sim::{Context, Input, Node, NodeId, Span};

/// What clients ask of the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Give `client` the lock if nobody holds it.
    Acquire {
        /// The client's number.
        client: u64,
    },
    /// `client` gives the lock back.
    Release {
        /// The client's number.
        client: u64,
    },
}

/// One log entry: the term of the leader that created it, and the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The leader's term when it appended the entry.
    pub term: u64,
    /// The client's command.
    pub command: Command,
}

/// The lock, as a deterministic state machine over committed entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockMachine {
    /// The holder and its fencing token (the index of the entry that granted it).
    pub holder: Option<(u64, u64)>,
}

impl LockMachine {
    /// Applies the entry at `index`; returns the grant `(client, token)` if it granted the lock.
    pub fn apply(&mut self, index: u64, command: Command) -> Option<(u64, u64)> {
        match command {
            Command::Acquire { client } if self.holder.is_none() => {
                self.holder = Some((client, index));
                self.holder
            }
            Command::Release { client } if self.holder.map(|h| h.0) == Some(client) => {
                self.holder = None;
                None
            }
            _ => None,
        }
    }
}

/// What survives a crash: the current term, the vote in it, and the log.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    /// The latest term this node has seen.
    pub term: u64,
    /// Whom it voted for in that term.
    pub voted_for: Option<NodeId>,
    /// The log; index 1 is `log[0]`.
    pub log: Vec<Entry>,
}

/// Raft's messages, plus a client's command.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A candidate asks for a vote.
    RequestVote {
        /// The candidate's term.
        term: u64,
        /// The index of its last entry.
        last_index: u64,
        /// The term of its last entry.
        last_term: u64,
    },
    /// The answer.
    Vote {
        /// The voter's term.
        term: u64,
        /// Whether it voted for the candidate.
        granted: bool,
    },
    /// The leader replicates entries (none: a heartbeat).
    Append {
        /// The leader's term.
        term: u64,
        /// The index of the entry just before `entries`.
        prev_index: u64,
        /// Its term: the follower must have it, or refuse.
        prev_term: u64,
        /// New entries.
        entries: Vec<Entry>,
        /// The leader's commit index.
        commit: u64,
    },
    /// The follower's answer.
    AppendReply {
        /// The follower's term.
        term: u64,
        /// Whether the consistency check passed.
        ok: bool,
        /// The index up to which its log now matches the leader's.
        matched: u64,
    },
    /// A client's command, sent to any node; only the leader takes it.
    Client(Command),
}

/// Timers; the epoch tells a current timer from one set before a role change.
#[derive(Clone, Copy, Debug)]
pub enum Timer {
    /// No heartbeat heard: stand for election.
    Election(u64),
    /// Leader: time to send a heartbeat.
    Heartbeat(u64),
}

/// What nodes report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// This node became leader of `term`.
    Leader {
        /// The term.
        term: u64,
    },
    /// This node applied a committed entry that granted the lock.
    Granted {
        /// The client.
        client: u64,
        /// The fencing token: the entry's index.
        token: u64,
        /// The term of the entry.
        term: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Follower,
    Candidate { votes: BTreeSet<usize> },
    Leader { next: Vec<u64>, matched: Vec<u64> },
}

/// One Raft node of a cluster of `size`.
pub struct RaftNode {
    size: usize,
    disk: Disk,
    role: Role,
    commit: u64,
    applied: u64,
    machine: LockMachine,
    epoch: u64,
}

/// How often a leader sends heartbeats.
pub const HEARTBEAT: Span = Span::from_millis(50);

impl RaftNode {
    /// A node restarting from `disk` (the default at first): a follower that has applied
    /// nothing, in a cluster of `size`.
    pub fn new(size: usize, disk: &Disk) -> Self {
        Self {
            size,
            disk: disk.clone(),
            role: Role::Follower,
            commit: 0,
            applied: 0,
            machine: LockMachine::default(),
            epoch: 0,
        }
    }

    /// Its term.
    pub fn term(&self) -> u64 {
        self.disk.term
    }

    /// True while it is leader.
    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    /// Its log.
    pub fn log(&self) -> &[Entry] {
        &self.disk.log
    }

    /// Its commit index.
    pub fn commit_index(&self) -> u64 {
        self.commit
    }

    /// Its copy of the lock.
    pub fn machine(&self) -> &LockMachine {
        &self.machine
    }

    fn last(&self) -> (u64, u64) {
        let index = self.disk.log.len() as u64;
        (index, self.term_at(index))
    }

    fn term_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.disk.log[index as usize - 1].term
        }
    }

    fn majority(&self) -> usize {
        self.size / 2 + 1
    }

    fn peers(&self, me: NodeId) -> Vec<NodeId> {
        (0..self.size)
            .map(NodeId::new)
            .filter(|&n| n != me)
            .collect()
    }

    fn persist(&self, ctx: &mut Context<'_, Self>) {
        ctx.persist(self.disk.clone());
    }

    fn reset_election_timer(&mut self, ctx: &mut Context<'_, Self>) {
        self.epoch += 1;
        let timeout = Span::from_millis(150 + ctx.rng().below(151));
        ctx.set_timer(timeout, Timer::Election(self.epoch));
    }

    fn step_down(&mut self, term: u64, ctx: &mut Context<'_, Self>) {
        if term > self.disk.term {
            self.disk.term = term;
            self.disk.voted_for = None;
            self.persist(ctx);
        }
        if self.role != Role::Follower {
            self.role = Role::Follower;
            self.reset_election_timer(ctx);
        }
    }

    fn start_election(&mut self, ctx: &mut Context<'_, Self>) {
        self.disk.term += 1;
        self.disk.voted_for = Some(ctx.me());
        self.persist(ctx);
        self.role = Role::Candidate {
            votes: BTreeSet::from([ctx.me().index()]),
        };
        let (last_index, last_term) = self.last();
        for peer in self.peers(ctx.me()) {
            ctx.send(
                peer,
                Msg::RequestVote {
                    term: self.disk.term,
                    last_index,
                    last_term,
                },
            );
        }
        self.reset_election_timer(ctx);
        self.maybe_win(ctx);
    }

    fn maybe_win(&mut self, ctx: &mut Context<'_, Self>) {
        let Role::Candidate { votes } = &self.role else {
            return;
        };
        if votes.len() >= self.majority() {
            let next = vec![self.disk.log.len() as u64 + 1; self.size];
            let mut matched = vec![0; self.size];
            matched[ctx.me().index()] = self.disk.log.len() as u64;
            self.role = Role::Leader { next, matched };
            self.epoch += 1;
            ctx.output(Report::Leader {
                term: self.disk.term,
            });
            self.broadcast(ctx);
            ctx.set_timer(HEARTBEAT, Timer::Heartbeat(self.epoch));
        }
    }

    fn broadcast(&mut self, ctx: &mut Context<'_, Self>) {
        let Role::Leader { next, .. } = &self.role else {
            return;
        };
        let next = next.clone();
        for peer in self.peers(ctx.me()) {
            let prev_index = next[peer.index()] - 1;
            let entries = self.disk.log[prev_index as usize..].to_vec();
            ctx.send(
                peer,
                Msg::Append {
                    term: self.disk.term,
                    prev_index,
                    prev_term: self.term_at(prev_index),
                    entries,
                    commit: self.commit,
                },
            );
        }
    }

    fn advance_commit(&mut self, ctx: &mut Context<'_, Self>) {
        let Role::Leader { matched, .. } = &self.role else {
            return;
        };
        let mut sorted = matched.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = sorted[self.majority() - 1];
        // Only an entry of the leader's own term is committed by counting (Raft, section 5.4.2).
        if candidate > self.commit && self.term_at(candidate) == self.disk.term {
            self.commit = candidate;
            self.apply(ctx);
        }
    }

    fn apply(&mut self, ctx: &mut Context<'_, Self>) {
        while self.applied < self.commit {
            self.applied += 1;
            let entry = self.disk.log[self.applied as usize - 1];
            if let Some((client, token)) = self.machine.apply(self.applied, entry.command) {
                ctx.output(Report::Granted {
                    client,
                    token,
                    term: entry.term,
                });
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Context<'_, Self>) {
        match msg {
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => {
                if term > self.disk.term {
                    self.step_down(term, ctx);
                }
                let (my_index, my_term) = self.last();
                let up_to_date = (last_term, last_index) >= (my_term, my_index);
                let free = self.disk.voted_for.is_none() || self.disk.voted_for == Some(from);
                let granted = term == self.disk.term && free && up_to_date;
                if granted {
                    self.disk.voted_for = Some(from);
                    self.persist(ctx);
                    self.reset_election_timer(ctx);
                }
                ctx.send(
                    from,
                    Msg::Vote {
                        term: self.disk.term,
                        granted,
                    },
                );
            }
            Msg::Vote { term, granted } => {
                if term > self.disk.term {
                    self.step_down(term, ctx);
                } else if let Role::Candidate { votes } = &mut self.role {
                    if granted && term == self.disk.term {
                        votes.insert(from.index());
                        self.maybe_win(ctx);
                    }
                }
            }
            Msg::Append {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                if term < self.disk.term {
                    let reply = Msg::AppendReply {
                        term: self.disk.term,
                        ok: false,
                        matched: 0,
                    };
                    ctx.send(from, reply);
                    return;
                }
                if term > self.disk.term || self.role != Role::Follower {
                    self.step_down(term, ctx);
                }
                self.reset_election_timer(ctx);
                let have = self.disk.log.len() as u64;
                if prev_index > have || self.term_at(prev_index) != prev_term {
                    let reply = Msg::AppendReply {
                        term,
                        ok: false,
                        matched: prev_index.saturating_sub(1).min(have),
                    };
                    ctx.send(from, reply);
                    return;
                }
                // Append, cutting off a conflicting suffix (never a matching one: a late,
                // shorter Append must not erase entries a newer one delivered).
                let mut changed = false;
                for (offset, entry) in entries.iter().enumerate() {
                    let index = prev_index as usize + offset;
                    match self.disk.log.get(index) {
                        Some(existing) if existing.term == entry.term => {}
                        Some(_) => {
                            self.disk.log.truncate(index);
                            self.disk.log.push(*entry);
                            changed = true;
                        }
                        None => {
                            self.disk.log.push(*entry);
                            changed = true;
                        }
                    }
                }
                if changed {
                    self.persist(ctx);
                }
                let matched = prev_index + entries.len() as u64;
                if commit > self.commit {
                    self.commit = commit.min(matched);
                    self.apply(ctx);
                }
                ctx.send(
                    from,
                    Msg::AppendReply {
                        term,
                        ok: true,
                        matched,
                    },
                );
            }
            Msg::AppendReply { term, ok, matched } => {
                if term > self.disk.term {
                    self.step_down(term, ctx);
                    return;
                }
                if term != self.disk.term {
                    return;
                }
                let me = ctx.me().index();
                if let Role::Leader {
                    next,
                    matched: matches,
                } = &mut self.role
                {
                    let peer = from.index();
                    if ok {
                        matches[peer] = matches[peer].max(matched);
                        next[peer] = matches[peer] + 1;
                    } else {
                        next[peer] = (matched + 1).min(next[peer].saturating_sub(1)).max(1);
                    }
                    matches[me] = self.disk.log.len() as u64;
                    self.advance_commit(ctx);
                }
            }
            Msg::Client(command) => {
                if self.is_leader() {
                    self.disk.log.push(Entry {
                        term: self.disk.term,
                        command,
                    });
                    self.persist(ctx);
                    if let Role::Leader { matched, .. } = &mut self.role {
                        matched[ctx.me().index()] = self.disk.log.len() as u64;
                    }
                    self.advance_commit(ctx);
                    self.broadcast(ctx);
                }
            }
        }
    }
}

impl Node for RaftNode {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Disk;
    type Output = Report;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match input {
            Input::Start => self.reset_election_timer(ctx),
            Input::Timer(Timer::Election(epoch)) => {
                if epoch == self.epoch && !self.is_leader() {
                    self.start_election(ctx);
                }
            }
            Input::Timer(Timer::Heartbeat(epoch)) => {
                if epoch == self.epoch && self.is_leader() {
                    self.broadcast(ctx);
                    ctx.set_timer(HEARTBEAT, Timer::Heartbeat(self.epoch));
                }
            }
            Input::Message { from, msg } => self.on_message(from, msg, ctx),
        }
    }
}

/// A cluster of `size` Raft nodes in a world seeded by `seed` (links 1 to 5 ms).
pub fn cluster(size: usize, seed: u64) -> sim::World<RaftNode> {
    let mut world = sim::World::new(seed);
    world.set_default_link(sim::Link::new(sim::Delay::Uniform {
        min: Span::from_millis(1),
        max: Span::from_millis(5),
    }));
    for n in 0..size {
        world.add_node(&format!("n{n}"), move |disk: &Disk| {
            RaftNode::new(size, disk)
        });
    }
    world
}

/// Sends `command` to every node at `at` (the leader takes it; the others ignore it), as a
/// client that does not know who leads would.
pub fn submit(world: &mut sim::World<RaftNode>, at: sim::Time, command: Command) {
    for node in world.node_ids() {
        world.send_at(at, node, node, Msg::Client(command));
    }
}

//! The failure detector that fails the group over: a small Orchestrator.
//!
//! It pings every replica on a fixed interval. When the leader has not answered for `timeout`,
//! it promotes the follower with the longest log among those that *have* answered lately, bumps
//! the epoch, and tells every replica and client who leads now.
//!
//! What it cannot know is whether the leader is dead or only cut off from it. A leader that is
//! cut off from the detector but not from its own clients keeps taking writes: the promotion
//! that follows is exactly the moment two replicas each hold writes the other lacks. (GitHub's
//! Orchestrator uses Raft among its own nodes to agree on the promotion; that keeps the
//! detectors consistent with each other, not the database with its old primary.)

use std::collections::BTreeMap;

use sim::{Context, NodeId, Span, Time};

use crate::actor::Actor;
use crate::protocol::{Msg, Out, Timer};

/// The failure detector and its view of the group.
#[derive(Clone, Debug)]
pub struct Monitor {
    replicas: Vec<NodeId>,
    clients: Vec<NodeId>,
    epoch: u64,
    leader: NodeId,
    every: Span,
    timeout: Span,
    last_pong: BTreeMap<NodeId, Time>,
    len: BTreeMap<NodeId, u64>,
}

impl Monitor {
    /// A detector for `replicas` (the first leads epoch 1) that also tells `clients` about
    /// promotions; it pings `every` and declares the leader dead after `timeout` of silence.
    pub fn new(replicas: Vec<NodeId>, clients: Vec<NodeId>, every: Span, timeout: Span) -> Self {
        let leader = replicas[0];
        Self {
            replicas,
            clients,
            epoch: 1,
            leader,
            every,
            timeout,
            last_pong: BTreeMap::new(),
            len: BTreeMap::new(),
        }
    }

    pub(crate) fn start(&mut self, ctx: &mut Context<'_, Actor>) {
        let now = ctx.now();
        for r in &self.replicas {
            self.last_pong.insert(*r, now);
        }
        ctx.set_timer(Span::ZERO, Timer::Detect);
    }

    pub(crate) fn tick(&mut self, ctx: &mut Context<'_, Actor>) {
        let now = ctx.now();
        let alive = |m: &Self, r: &NodeId| now.since(m.last_pong[r]) < m.timeout;
        if !alive(self, &self.leader) {
            let best = self
                .replicas
                .iter()
                .filter(|r| **r != self.leader && alive(self, r))
                .max_by_key(|r| {
                    (
                        self.len.get(r).copied().unwrap_or(0),
                        std::cmp::Reverse(**r),
                    )
                })
                .copied();
            if let Some(new) = best {
                self.epoch += 1;
                let voters: Vec<NodeId> = self
                    .replicas
                    .iter()
                    .copied()
                    .filter(|r| *r != new && *r != self.leader && alive(self, r))
                    .collect();
                ctx.output(Out::Promoted {
                    leader: new,
                    epoch: self.epoch,
                    len: self.len.get(&new).copied().unwrap_or(0),
                });
                ctx.send(
                    new,
                    Msg::Promote {
                        epoch: self.epoch,
                        voters,
                    },
                );
                for n in self.replicas.iter().chain(&self.clients) {
                    if *n != new {
                        ctx.send(
                            *n,
                            Msg::Leader {
                                epoch: self.epoch,
                                leader: new,
                            },
                        );
                    }
                }
                self.leader = new;
                self.last_pong.insert(new, now);
            }
        }
        for r in &self.replicas {
            ctx.send(
                *r,
                Msg::Ping {
                    epoch: self.epoch,
                    leader: self.leader,
                },
            );
        }
        // Clients that missed the announcement (they were cut off) hear it again.
        for c in &self.clients {
            ctx.send(
                *c,
                Msg::Leader {
                    epoch: self.epoch,
                    leader: self.leader,
                },
            );
        }
        ctx.set_timer(self.every, Timer::Detect);
    }

    pub(crate) fn handle_msg(&mut self, from: NodeId, msg: Msg, ctx: &mut Context<'_, Actor>) {
        if let Msg::Pong { len, .. } = msg {
            self.last_pong.insert(from, ctx.now());
            self.len.insert(from, len);
        }
    }
}

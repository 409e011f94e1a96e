//! A client: one operation at a time, against whichever replica it believes leads, with a
//! timeout. Every invoke and every outcome is reported for the history.
//!
//! The outcomes follow Jepsen's rules, because the checker reads them that way: an answer is
//! `ok`; a refusal ("not the leader") is `fail`, since nothing was written; a timeout is `info`
//! for a write (it may have been applied, or may be later) and `fail` for a read (a read that
//! never answered changed nothing).

use sim::{Context, Kind, KvOp, NodeId, Span, Time};

use crate::actor::Actor;
use crate::protocol::{Msg, Out, Timer};

/// What the clients do: the workload.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// How many keys the clients share.
    pub keys: usize,
    /// The share of operations that are writes.
    pub write_fraction: f64,
    /// Think time between operations, drawn uniformly in this range (ms).
    pub think_ms: (u64, u64),
    /// How long a client waits for an answer.
    pub timeout: Span,
    /// Clients start no operation after this (so every one completes before the run ends).
    pub stop_at: Time,
}

impl Default for Workload {
    fn default() -> Self {
        Self {
            keys: 4,
            write_fraction: 0.7,
            think_ms: (10, 30),
            timeout: Span::from_millis(300),
            stop_at: Time::from_millis(1_000),
        }
    }
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    index: usize,
    leader: NodeId,
    epoch: u64,
    work: Workload,
    next_req: u64,
    inflight: Option<(u64, KvOp)>,
    writes: u64,
}

impl Client {
    /// Client number `index`, which first sends to `leader`.
    pub fn new(index: usize, leader: NodeId, work: Workload) -> Self {
        Self {
            index,
            leader,
            epoch: 1,
            work,
            next_req: 0,
            inflight: None,
            writes: 0,
        }
    }

    pub(crate) fn start(&mut self, ctx: &mut Context<'_, Actor>) {
        self.think(ctx);
    }

    fn think(&mut self, ctx: &mut Context<'_, Actor>) {
        let (lo, hi) = self.work.think_ms;
        let ms = ctx.rng().range(lo..hi + 1);
        ctx.set_timer(Span::from_millis(ms), Timer::NextOp);
    }

    fn finish(&mut self, kind: Kind, op: KvOp, ctx: &mut Context<'_, Actor>) {
        self.inflight = None;
        ctx.output(Out::Client {
            client: self.index,
            kind,
            op,
        });
        self.think(ctx);
    }

    pub(crate) fn handle_timer(&mut self, timer: Timer, ctx: &mut Context<'_, Actor>) {
        match timer {
            Timer::NextOp => {
                if ctx.now() >= self.work.stop_at || self.inflight.is_some() {
                    return;
                }
                self.next_req += 1;
                let req = self.next_req;
                let key = format!("k{}", ctx.rng().range(0..self.work.keys as u64));
                let write = ctx.rng().bernoulli(self.work.write_fraction);
                let (op, msg) = if write {
                    self.writes += 1;
                    let value = format!("c{}-{}", self.index, self.writes);
                    (
                        KvOp::Put {
                            key: key.clone(),
                            value: value.clone(),
                        },
                        Msg::Write { req, key, value },
                    )
                } else {
                    (
                        KvOp::Get {
                            key: key.clone(),
                            value: None,
                        },
                        Msg::Read { req, key },
                    )
                };
                ctx.output(Out::Client {
                    client: self.index,
                    kind: Kind::Invoke,
                    op: op.clone(),
                });
                self.inflight = Some((req, op));
                ctx.send(self.leader, msg);
                ctx.set_timer(self.work.timeout, Timer::Timeout(req));
            }
            Timer::Timeout(req) => {
                if let Some((r, op)) = self.inflight.clone() {
                    if r == req {
                        let kind = match op {
                            KvOp::Get { .. } => Kind::Fail,
                            _ => Kind::Info,
                        };
                        self.finish(kind, op, ctx);
                    }
                }
            }
            Timer::Ship(_) | Timer::Detect => {}
        }
    }

    pub(crate) fn handle_msg(&mut self, msg: Msg, ctx: &mut Context<'_, Actor>) {
        let current = self.inflight.clone();
        match (msg, current) {
            (Msg::WriteOk { req }, Some((r, op))) if r == req => self.finish(Kind::Ok, op, ctx),
            (Msg::ReadOk { req, value }, Some((r, KvOp::Get { key, .. }))) if r == req => {
                let op = KvOp::Get {
                    key,
                    value: Some(value),
                };
                self.finish(Kind::Ok, op, ctx)
            }
            (Msg::NotLeader { req, leader }, Some((r, op))) if r == req => {
                if let Some(l) = leader {
                    self.leader = l;
                }
                self.finish(Kind::Fail, op, ctx)
            }
            (Msg::Leader { epoch, leader }, _) if epoch >= self.epoch => {
                self.epoch = epoch;
                self.leader = leader;
            }
            _ => {}
        }
    }
}

//! Leaderless replication: N replicas per key, a write waits for W of them, a read asks R and
//! keeps the newest answer (Dynamo's design, as Cassandra and Riak use it).
//!
//! The client coordinates: it sends a write, stamped with a version (its clock and its number,
//! last-writer-wins), to the key's N *home* replicas and reports success after W acks; a read asks
//! all N and answers from the first R. `R + W > N` means every read set overlaps every write set,
//! so a read *can* see the latest acknowledged write. It is not linearizability: a write still in
//! progress is visible to one read and invisible to the next.
//!
//! Two options change what a reader sees:
//!
//! - **read repair**: a read that saw replicas disagree writes the newest value back to the stale
//!   ones, either after answering ([`ReadRepair::Async`], Dynamo's way) or before
//!   ([`ReadRepair::Blocking`], what Cassandra does for quorum reads);
//! - **sloppy quorum with hinted handoff**: when homes do not answer, the write goes to a
//!   fallback replica instead, with a hint naming the home it belongs to; the fallback hands it
//!   over when the home is reachable again. Writes stay available through a partition; reads
//!   of the homes miss them until the handoff.

use std::collections::BTreeMap;

use sim::{
    Context, Delay, History, Input, Kind, KvOp, Link, Node, NodeId, Partition, Span, Time, World,
};

use crate::check::verdict;

/// When a read writes the newest value back to replicas that answered with an older one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadRepair {
    /// Never.
    None,
    /// After answering the client.
    Async,
    /// Before answering the client (the repair writes must be acknowledged first).
    Blocking,
}

/// The quorum settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quorum {
    /// Replicas per key (the homes).
    pub n: usize,
    /// Answers a read waits for.
    pub r: usize,
    /// Acks a write waits for.
    pub w: usize,
    /// Read repair.
    pub read_repair: ReadRepair,
    /// Sloppy quorum: a write short of W acks after `sloppy_after` goes to the fallback too.
    pub sloppy: bool,
}

impl Quorum {
    /// N = 3, R = 2, W = 2, no read repair, strict quorum.
    pub fn majority() -> Self {
        Self {
            n: 3,
            r: 2,
            w: 2,
            read_repair: ReadRepair::None,
            sloppy: false,
        }
    }

    /// Whether every read set overlaps every write set.
    pub fn overlaps(&self) -> bool {
        self.r + self.w > self.n
    }
}

/// A version: last-writer-wins by (client clock, client number).
type Version = (u64, usize);

/// Messages of the leaderless store.
#[derive(Clone, Debug)]
pub enum QMsg {
    /// Store a version of a key (`hint`: the home it belongs to, when sent to a fallback).
    Store {
        /// Request number.
        req: u64,
        /// Key.
        key: String,
        /// Version.
        version: Version,
        /// Value.
        value: String,
        /// The home this copy is for, when held by a fallback.
        hint: Option<NodeId>,
    },
    /// A store is durable on the sender.
    Stored {
        /// Request number.
        req: u64,
    },
    /// Read a key.
    Fetch {
        /// Request number.
        req: u64,
        /// Key.
        key: String,
    },
    /// A replica's version of the key.
    Fetched {
        /// Request number.
        req: u64,
        /// Its version (`(0, 0)`: never written).
        version: Version,
        /// Its value.
        value: String,
    },
}

/// Timers of the leaderless store.
#[derive(Clone, Copy, Debug)]
pub enum QTimer {
    /// A client starts script step `i`.
    Step(usize),
    /// A write still short of W goes to the fallback.
    Sloppy(u64),
    /// A request is given up.
    Timeout(u64),
    /// A fallback tries to hand its hints over.
    Handoff,
}

/// One scripted client operation.
#[derive(Clone, Debug)]
pub struct Step {
    /// When the client starts it.
    pub at: Time,
    /// What it does: a `Put` or a `Get` (the get's value is ignored).
    pub op: KvOp,
}

/// A client's operation in flight: its acks, or its replies and any repair it waits on.
#[derive(Clone, Debug)]
pub struct Pending {
    req: u64,
    op: KvOp,
    version: Version,
    acked: Vec<NodeId>,
    replies: Vec<(NodeId, Version, String)>,
    repairing: usize,
    answer: Option<String>,
}

/// A node of the leaderless store.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum QNode {
    /// A storage replica (a home, or the fallback).
    Replica {
        /// Key → (version, value).
        data: BTreeMap<String, (Version, String)>,
        /// Copies held for a home that did not answer.
        hints: Vec<(NodeId, String, Version, String)>,
    },
    /// A client with its script.
    Client {
        /// Its number.
        index: usize,
        /// The quorum settings.
        q: Quorum,
        /// The homes.
        homes: Vec<NodeId>,
        /// The fallback.
        fallback: NodeId,
        /// What it will do.
        script: Vec<Step>,
        /// The operation in flight.
        pending: Option<Pending>,
        /// Request counter.
        req: u64,
    },
}

/// What a client reports: an event of the history.
pub type QOut = (usize, Kind, KvOp);

impl Node for QNode {
    type Msg = QMsg;
    type Timer = QTimer;
    type Durable = ();
    type Output = QOut;

    fn handle(&mut self, input: Input<QMsg, QTimer>, ctx: &mut Context<'_, Self>) {
        match self {
            QNode::Replica { data, hints } => match input {
                Input::Start => ctx.set_timer(Span::from_millis(50), QTimer::Handoff),
                Input::Timer(QTimer::Handoff) => {
                    for (home, key, version, value) in hints.iter() {
                        ctx.send(
                            *home,
                            QMsg::Store {
                                req: 0,
                                key: key.clone(),
                                version: *version,
                                value: value.clone(),
                                hint: None,
                            },
                        );
                    }
                    ctx.set_timer(Span::from_millis(50), QTimer::Handoff);
                }
                Input::Message { from, msg } => match msg {
                    QMsg::Store {
                        req,
                        key,
                        version,
                        value,
                        hint,
                    } => {
                        match hint {
                            Some(home) => hints.push((home, key, version, value)),
                            None => {
                                let slot = data.entry(key).or_insert(((0, 0), String::new()));
                                if version > slot.0 {
                                    *slot = (version, value);
                                }
                            }
                        }
                        ctx.send(from, QMsg::Stored { req });
                    }
                    QMsg::Stored { req: 0 } => hints.retain(|h| h.0 != from),
                    QMsg::Fetch { req, key } => {
                        let (version, value) =
                            data.get(&key).cloned().unwrap_or(((0, 0), String::new()));
                        ctx.send(
                            from,
                            QMsg::Fetched {
                                req,
                                version,
                                value,
                            },
                        );
                    }
                    _ => {}
                },
                _ => {}
            },
            QNode::Client {
                index,
                q,
                homes,
                fallback,
                script,
                pending,
                req,
            } => {
                let me = *index;
                match input {
                    Input::Start => {
                        for (i, s) in script.iter().enumerate() {
                            ctx.set_timer(s.at.since(ctx.now()), QTimer::Step(i));
                        }
                    }
                    Input::Timer(QTimer::Step(i)) => {
                        if pending.is_some() {
                            return;
                        }
                        *req += 1;
                        let op = script[i].op.clone();
                        let version = (ctx.now().as_micros() + 1, me);
                        ctx.output((me, Kind::Invoke, op.clone()));
                        for h in homes.iter() {
                            let msg = match &op {
                                KvOp::Get { key, .. } => QMsg::Fetch {
                                    req: *req,
                                    key: key.clone(),
                                },
                                KvOp::Put { key, value } | KvOp::Append { key, value } => {
                                    QMsg::Store {
                                        req: *req,
                                        key: key.clone(),
                                        version,
                                        value: value.clone(),
                                        hint: None,
                                    }
                                }
                            };
                            ctx.send(*h, msg);
                        }
                        *pending = Some(Pending {
                            req: *req,
                            op,
                            version,
                            acked: Vec::new(),
                            replies: Vec::new(),
                            repairing: 0,
                            answer: None,
                        });
                        if q.sloppy {
                            ctx.set_timer(Span::from_millis(20), QTimer::Sloppy(*req));
                        }
                        ctx.set_timer(Span::from_millis(300), QTimer::Timeout(*req));
                    }
                    Input::Timer(QTimer::Sloppy(r)) => {
                        if let Some(p) = pending.as_mut().filter(|p| p.req == r) {
                            if let KvOp::Put { key, value } = &p.op {
                                if p.acked.len() < q.w {
                                    for h in homes.iter().filter(|h| !p.acked.contains(h)) {
                                        ctx.send(
                                            *fallback,
                                            QMsg::Store {
                                                req: r,
                                                key: key.clone(),
                                                version: p.version,
                                                value: value.clone(),
                                                hint: Some(*h),
                                            },
                                        );
                                    }
                                }
                            }
                        }
                    }
                    Input::Timer(QTimer::Timeout(r)) => {
                        if let Some(p) = pending.take_if(|p| p.req == r) {
                            let kind = if matches!(p.op, KvOp::Get { .. }) {
                                Kind::Fail
                            } else {
                                Kind::Info
                            };
                            ctx.output((me, kind, p.op));
                        }
                    }
                    Input::Timer(QTimer::Handoff) => {}
                    Input::Message { from, msg } => {
                        let Some(p) = pending.as_mut() else { return };
                        match msg {
                            QMsg::Stored { req: r } if r == p.req => {
                                if !p.acked.contains(&from) {
                                    p.acked.push(from);
                                }
                                if let Some(answer) = p.answer.clone() {
                                    // A blocking read repair finishing.
                                    p.repairing = p.repairing.saturating_sub(1);
                                    if p.repairing == 0 {
                                        let op = get_with(&p.op, answer);
                                        *pending = None;
                                        ctx.output((me, Kind::Ok, op));
                                    }
                                } else if matches!(p.op, KvOp::Put { .. }) && p.acked.len() >= q.w {
                                    let op = p.op.clone();
                                    *pending = None;
                                    ctx.output((me, Kind::Ok, op));
                                }
                            }
                            QMsg::Fetched {
                                req: r,
                                version,
                                value,
                            } if r == p.req && p.answer.is_none() => {
                                p.replies.push((from, version, value));
                                if p.replies.len() >= q.r {
                                    let (_, best_v, best) = p
                                        .replies
                                        .iter()
                                        .max_by_key(|(_, v, _)| *v)
                                        .cloned()
                                        .expect("at least one reply");
                                    let KvOp::Get { key, .. } = p.op.clone() else {
                                        return;
                                    };
                                    let stale: Vec<NodeId> = p
                                        .replies
                                        .iter()
                                        .filter(|(_, v, _)| *v < best_v)
                                        .map(|(n, ..)| *n)
                                        .collect();
                                    if q.read_repair != ReadRepair::None {
                                        for n in &stale {
                                            ctx.send(
                                                *n,
                                                QMsg::Store {
                                                    req: p.req,
                                                    key: key.clone(),
                                                    version: best_v,
                                                    value: best.clone(),
                                                    hint: None,
                                                },
                                            );
                                        }
                                    }
                                    if q.read_repair == ReadRepair::Blocking && !stale.is_empty() {
                                        p.repairing = stale.len();
                                        p.answer = Some(best);
                                    } else {
                                        let op = get_with(&p.op, best);
                                        *pending = None;
                                        ctx.output((me, Kind::Ok, op));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

fn get_with(op: &KvOp, value: String) -> KvOp {
    KvOp::Get {
        key: op.key().to_string(),
        value: Some(value),
    }
}

impl QuorumRun {
    /// Whether Module 2's checker found the history linearizable.
    pub fn linearizable(&self) -> bool {
        self.verdict.is_linearizable()
    }
}

/// What a leaderless run produced.
#[derive(Clone, Debug)]
pub struct QuorumRun {
    /// The clients' history.
    pub history: History<KvOp>,
    /// Module 2's checker's verdict.
    pub verdict: consistency::Verdict,
    /// Each completed operation: (client, "put x=2" / "get x → 1" / "put x=2 (unknown)").
    pub lines: Vec<String>,
}

fn put(key: &str, value: &str) -> KvOp {
    KvOp::Put {
        key: key.into(),
        value: value.into(),
    }
}

fn get(key: &str) -> KvOp {
    KvOp::Get {
        key: key.into(),
        value: None,
    }
}

fn at(ms: u64) -> Time {
    Time::from_millis(ms)
}

/// The names: homes `a`, `b`, `c`, fallback `d`, clients `writer`, `reader-1`, `reader-2`.
pub const NAMES: [&str; 7] = ["a", "b", "c", "d", "writer", "reader-1", "reader-2"];

fn run(q: Quorum, scripts: [Vec<Step>; 3], shape: impl Fn(&mut World<QNode>)) -> QuorumRun {
    let mut world: World<QNode> = World::new(1);
    world.set_default_link(Link::new(Delay::Fixed(Span::from_millis(1))));
    let homes: Vec<NodeId> = (0..3).map(NodeId::new).collect();
    let fallback = NodeId::new(3);
    for name in &NAMES[..4] {
        world.add_node(name, |_: &()| QNode::Replica {
            data: BTreeMap::new(),
            hints: Vec::new(),
        });
    }
    for (i, script) in scripts.into_iter().enumerate() {
        let homes = homes.clone();
        world.add_node(NAMES[4 + i], move |_: &()| QNode::Client {
            index: i,
            q,
            homes: homes.clone(),
            fallback,
            script: script.clone(),
            pending: None,
            req: 0,
        });
    }
    shape(&mut world);
    world.run_until(at(2_000));
    let mut history = History::new(3);
    let mut lines = Vec::new();
    for rec in world.outputs() {
        let (client, kind, op) = rec.output.clone();
        history.record(rec.at, client, kind, op.clone());
        let who = NAMES[4 + client];
        let t = rec.at.as_millis_f64();
        match (kind, &op) {
            (Kind::Ok, KvOp::Get { key, value }) => lines.push(format!(
                "{t:>5.0} ms  {who:<8}  get {key} → {}",
                value.clone().unwrap_or_default()
            )),
            (Kind::Ok, KvOp::Put { key, value }) => lines.push(format!(
                "{t:>5.0} ms  {who:<8}  put {key}={value} acknowledged"
            )),
            (Kind::Info, KvOp::Put { key, value }) => lines.push(format!(
                "{t:>5.0} ms  {who:<8}  put {key}={value} timed out (unknown)"
            )),
            (Kind::Fail, _) => {
                lines.push(format!("{t:>5.0} ms  {who:<8}  {} failed", op.keyword()))
            }
            _ => {}
        }
    }
    let verdict = verdict(&history);
    QuorumRun {
        history,
        verdict,
        lines,
    }
}

/// R + W > N, and still a stale read: the write `x=2` reaches `a` at once, `b` only after
/// 300 ms, `c` not at all. `reader-1` hears from `a` and `b` and sees 2; `reader-2`, starting
/// after `reader-1` has its answer, hears from `b` and `c` first and sees 1.
pub fn in_flight_write(read_repair: ReadRepair) -> QuorumRun {
    let q = Quorum {
        read_repair,
        ..Quorum::majority()
    };
    let (a, b, c) = (NodeId::new(0), NodeId::new(1), NodeId::new(2));
    let (writer, r1, r2) = (NodeId::new(4), NodeId::new(5), NodeId::new(6));
    run(
        q,
        [
            vec![
                Step {
                    at: at(0),
                    op: put("x", "1"),
                },
                Step {
                    at: at(100),
                    op: put("x", "2"),
                },
            ],
            vec![Step {
                at: at(150),
                op: get("x"),
            }],
            vec![Step {
                at: at(200),
                op: get("x"),
            }],
        ],
        move |w| {
            w.set_link(writer, b, Link::new(Delay::Fixed(Span::from_millis(300))));
            w.partition(Partition::one_way(at(50), Time::MAX, &[writer], &[c]));
            // reader-2's nearest replicas are b and c; a is far from it.
            w.set_link(r2, a, Link::new(Delay::Fixed(Span::from_millis(60))));
            w.set_link(r1, c, Link::new(Delay::Fixed(Span::from_millis(60))));
        },
    )
}

/// A partition cuts `writer` off from homes `b` and `c` (100–600 ms). A strict quorum cannot
/// reach W = 2 and the write times out; a sloppy one stores it on `a` and the fallback `d`,
/// acknowledges it, and `reader-1` (whose nearest homes are `b` and `c`) reads the old value
/// until `d` hands the write over after the heal.
pub fn partitioned_write(sloppy: bool) -> QuorumRun {
    partitioned_write_with(Quorum {
        sloppy,
        read_repair: ReadRepair::Blocking,
        ..Quorum::majority()
    })
}

/// The same partition with any R and W over the three homes, as Dynamo let each service tune
/// them: (3, 2, 2) is the paper's common setting, W = 1 keeps writes available with a single
/// reachable replica, R = 1 makes reads fast. What a reader sees follows from the overlap.
pub fn partitioned_write_with(q: Quorum) -> QuorumRun {
    assert_eq!(q.n, 3, "the scenario has three homes");
    assert!(
        (1..=3).contains(&q.r) && (1..=3).contains(&q.w),
        "R and W are between 1 and N"
    );
    let (a, b, c) = (NodeId::new(0), NodeId::new(1), NodeId::new(2));
    let (writer, r1, d) = (NodeId::new(4), NodeId::new(5), NodeId::new(3));
    run(
        q,
        [
            vec![
                Step {
                    at: at(0),
                    op: put("x", "1"),
                },
                Step {
                    at: at(100),
                    op: put("x", "2"),
                },
            ],
            vec![
                Step {
                    at: at(400),
                    op: get("x"),
                },
                Step {
                    at: at(900),
                    op: get("x"),
                },
            ],
            vec![],
        ],
        move |w| {
            w.partition(Partition::between(at(90), at(600), &[writer], &[b, c]));
            w.partition(Partition::between(at(90), at(600), &[d], &[b, c]));
            w.set_link(r1, a, Link::new(Delay::Fixed(Span::from_millis(60))));
        },
    )
}

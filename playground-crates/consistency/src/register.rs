//! A replicated register on the simulation kernel, where every read and write names its
//! consistency level.
//!
//! Three replicas: a leader `L` and followers `F1`, `F2`, 10 ms apart (think three regions), and
//! three clients, each 1 ms from its home replica (`C0`–`L`, `C1`–`F1`, `C2`–`F2`). Writes always
//! go to the leader, which orders them (the *version* is the position in its log) and ships its
//! log to the followers; a follower applies what the leader says is committed (held by a
//! majority). What a level changes is **who may answer a read, and when a write is acknowledged**:
//!
//! | level | a read is answered by | a write is acknowledged |
//! |---|---|---|
//! | linearizable | the leader, after a majority confirms it is still in charge | once a majority holds it |
//! | sequential | the home replica, once it has applied the client's last write and last read | once a majority holds it |
//! | read-your-writes | any replica, once it has applied the client's last write | when the leader has it |
//! | monotonic reads | any replica, once it has applied the client's last read | when the leader has it |
//! | bounded staleness | the home replica, if it heard from the leader recently enough (ms), or is few enough versions behind | when the leader has it |
//! | eventual | any replica, at once | when the leader has it |
//!
//! A replica that may not answer yet holds the read until it may; the client gives up after
//! [`TIMEOUT`] (a read that timed out did nothing; a write that timed out is `:info`, it may
//! still happen). Everything is sans-IO ([`sim::Node`]) and seeded: the same scenario gives the
//! same history, byte for byte.

use std::collections::HashMap;

use sim::{Context, Delay, Input, Kind, Link, Node, NodeId, Partition, Span, Time, World};

use crate::history::{Operation, Outcome, RegisterOp, RegisterOperation, Stamp};
use crate::lincheck::{check_register, Verdict};
use crate::session::{self, Anomaly, AnomalyKind, Bound, Observation, Observed};

/// A consistency level, named by each operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// One order of all operations, consistent with real time.
    Linearizable,
    /// One order consistent with each client's own order (not with real time across clients).
    Sequential,
    /// A client sees its own writes.
    ReadYourWrites,
    /// A client never sees time go backwards.
    MonotonicReads,
    /// At most this stale.
    BoundedStaleness(Bound),
    /// Replicas converge when writes stop; nothing more.
    Eventual,
}

impl Level {
    /// The level's name, as the widget shows it.
    pub fn name(&self) -> String {
        match self {
            Level::Linearizable => "linearizable".into(),
            Level::Sequential => "sequential".into(),
            Level::ReadYourWrites => "read-your-writes".into(),
            Level::MonotonicReads => "monotonic reads".into(),
            Level::BoundedStaleness(Bound::Millis(ms)) => format!("bounded staleness ({ms} ms)"),
            Level::BoundedStaleness(Bound::Versions(1)) => "bounded staleness (1 version)".into(),
            Level::BoundedStaleness(Bound::Versions(v)) => {
                format!("bounded staleness ({v} versions)")
            }
            Level::Eventual => "eventual".into(),
        }
    }

    /// Does a write at this level wait for a majority before it is acknowledged?
    fn write_waits_for_majority(&self) -> bool {
        matches!(self, Level::Linearizable | Level::Sequential)
    }

    /// All six, with the bounds the chapter uses.
    pub const ALL: [Level; 7] = [
        Level::Linearizable,
        Level::Sequential,
        Level::ReadYourWrites,
        Level::MonotonicReads,
        Level::BoundedStaleness(Bound::Millis(50)),
        Level::BoundedStaleness(Bound::Versions(1)),
        Level::Eventual,
    ];
}

/// How long a client waits for an answer before giving up.
pub const TIMEOUT: Span = Span::from_millis(100);
/// How often the leader ships its log (and commit point) to the followers.
pub const HEARTBEAT: Span = Span::from_millis(5);
/// A follower serving a bound in versions must have heard from the leader this recently.
const VERSION_BOUND_FRESHNESS: Span = Span::from_millis(30);

/// What a client knows of its own session: the versions it last wrote and read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The version of the client's last acknowledged write (0: none).
    pub last_write: u64,
    /// The version of the client's last read (0: none).
    pub last_read: u64,
}

/// What the nodes send each other.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Client → replica: read at `level`.
    Read {
        /// The client's request number.
        req: u64,
        /// The level asked for.
        level: Level,
        /// What the client has seen.
        session: Session,
    },
    /// Client → leader: write `value` at `level`.
    Write {
        /// The client's request number.
        req: u64,
        /// The value.
        value: u64,
        /// The level asked for.
        level: Level,
    },
    /// Replica → client: the value and its version.
    ReadOk {
        /// Answers this request.
        req: u64,
        /// The value (`None`: never written).
        value: Option<u64>,
        /// Its version.
        version: u64,
    },
    /// Leader → client: the write is in, as this version.
    WriteOk {
        /// Answers this request.
        req: u64,
        /// The write's place in the leader's order.
        version: u64,
    },
    /// Leader → follower: log entries from index `from`, the commit point, and when it was sent.
    Append {
        /// Index of the first entry.
        from: u64,
        /// The values written, in order.
        entries: Vec<u64>,
        /// Entries up to here are held by a majority.
        commit: u64,
        /// The leader's log length when sent.
        leader_len: u64,
        /// When it was sent.
        sent_at: Time,
    },
    /// Follower → leader: I hold this many entries.
    AppendAck {
        /// Entries held.
        have: u64,
    },
    /// Leader → follower: are you there (am I still the leader a majority follows)?
    Probe {
        /// Matches the answer to the question.
        id: u64,
    },
    /// Follower → leader: yes.
    ProbeAck {
        /// The probe answered.
        id: u64,
    },
}

/// Timers.
#[derive(Clone, Copy, Debug)]
pub enum Timer {
    /// Leader: ship the log.
    Heartbeat,
    /// Client: start the next scripted operation.
    Next,
    /// Client: give up on this request.
    GiveUp(u64),
}

/// A client's recorded event: the experiment turns these into a history.
#[derive(Clone, Debug)]
pub struct Event {
    /// Which client.
    pub client: usize,
    /// Invoke, ok, fail or info.
    pub kind: Kind,
    /// Read (with the value on ok) or write.
    pub op: sim::RegisterOp,
    /// The level the operation named.
    pub level: Level,
    /// The version read or written (on ok).
    pub version: Option<u64>,
}

/// One scripted operation of a client.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// Wait this long after the previous operation ended.
    pub think: Span,
    /// Write this value, or read (`None`).
    pub write: Option<u64>,
    /// At this level.
    pub level: Level,
}

/// The leader's state.
#[derive(Debug, Default)]
pub struct Leader {
    log: Vec<u64>,
    commit: u64,
    /// Entries each follower (F1, F2) is known to hold.
    held: [u64; 2],
    /// Writes waiting for a majority: (version, client, req).
    waiting: Vec<(u64, NodeId, u64)>,
    /// Linearizable reads waiting for a probe answer: (probe, client, req).
    probing: Vec<(u64, NodeId, u64)>,
    next_probe: u64,
}

/// A follower's state.
#[derive(Debug, Default)]
pub struct Follower {
    log: Vec<u64>,
    commit: u64,
    leader_len: u64,
    last_heard: Option<Time>,
    /// Reads this replica may not answer yet: (client, req, level, session).
    held: Vec<(NodeId, u64, Level, Session)>,
    /// The break-it knob: answer every read at once, whatever its level.
    serve_stale: bool,
}

/// A client's state.
#[derive(Debug)]
pub struct Client {
    index: usize,
    home: NodeId,
    script: Vec<Step>,
    next_step: usize,
    /// The request in flight: (req, step).
    current: Option<(u64, Step)>,
    next_req: u64,
    session: Session,
    /// The break-it knob: send linearizable reads to the home replica, which answers at once.
    stale_knob: bool,
}

/// The one node type: three roles.
#[derive(Debug)]
pub enum Replica {
    /// The leader, `L`.
    Leader(Leader),
    /// A follower, `F1` or `F2`.
    Follower(Follower),
    /// A client.
    Client(Client),
}

/// Node ids, in `add_node` order.
pub const LEADER: NodeId = NodeId::new(0);
/// The first follower.
pub const F1: NodeId = NodeId::new(1);
/// The second follower: the one a partition cuts off.
pub const F2: NodeId = NodeId::new(2);
/// The clients' node ids.
pub const CLIENTS: [NodeId; 3] = [NodeId::new(3), NodeId::new(4), NodeId::new(5)];

fn follower_slot(id: NodeId) -> usize {
    if id == F1 {
        0
    } else {
        1
    }
}

impl Follower {
    fn applied(&self) -> u64 {
        self.commit.min(self.log.len() as u64)
    }

    fn value(&self) -> Option<u64> {
        let n = self.applied() as usize;
        n.checked_sub(1).map(|i| self.log[i])
    }

    /// May this replica answer a read at `level` now?
    fn may_answer(&self, level: Level, session: Session, now: Time) -> bool {
        if self.serve_stale {
            return true;
        }
        let applied = self.applied();
        match level {
            Level::Linearizable => false, // only the leader
            Level::Sequential => applied >= session.last_write.max(session.last_read),
            Level::ReadYourWrites => applied >= session.last_write,
            Level::MonotonicReads => applied >= session.last_read,
            Level::BoundedStaleness(Bound::Millis(ms)) => self
                .last_heard
                .is_some_and(|t| now.since(t) <= Span::from_millis(ms)),
            Level::BoundedStaleness(Bound::Versions(k)) => {
                self.last_heard
                    .is_some_and(|t| now.since(t) <= VERSION_BOUND_FRESHNESS)
                    && self.leader_len.saturating_sub(applied) <= k
            }
            Level::Eventual => true,
        }
    }

    fn answer_held(&mut self, ctx: &mut Context<'_, Replica>) {
        let now = ctx.now();
        let held = std::mem::take(&mut self.held);
        for (client, req, level, session) in held {
            if self.may_answer(level, session, now) {
                ctx.send(
                    client,
                    Msg::ReadOk {
                        req,
                        value: self.value(),
                        version: self.applied(),
                    },
                );
            } else {
                self.held.push((client, req, level, session));
            }
        }
    }
}

impl Leader {
    fn ship(&self, ctx: &mut Context<'_, Replica>) {
        for (slot, follower) in [F1, F2].into_iter().enumerate() {
            let from = self.held[slot];
            ctx.send(
                follower,
                Msg::Append {
                    from,
                    entries: self.log[from as usize..].to_vec(),
                    commit: self.commit,
                    leader_len: self.log.len() as u64,
                    sent_at: ctx.now(),
                },
            );
        }
    }
}

impl Client {
    fn start_next(&mut self, ctx: &mut Context<'_, Replica>) {
        let Some(&step) = self.script.get(self.next_step) else {
            return;
        };
        self.next_step += 1;
        let req = self.next_req;
        self.next_req += 1;
        self.current = Some((req, step));
        let (op, to, msg) = match step.write {
            Some(value) => (
                sim::RegisterOp::Write(value),
                LEADER,
                Msg::Write {
                    req,
                    value,
                    level: step.level,
                },
            ),
            None => {
                let to = match step.level {
                    Level::Linearizable if self.stale_knob => self.home,
                    Level::Linearizable => LEADER,
                    Level::Sequential | Level::BoundedStaleness(_) => self.home,
                    // "Any replica": a load balancer's pick.
                    _ => [LEADER, F1, F2][ctx.rng().index(3)],
                };
                (
                    sim::RegisterOp::Read(None),
                    to,
                    Msg::Read {
                        req,
                        level: step.level,
                        session: self.session,
                    },
                )
            }
        };
        ctx.output(Event {
            client: self.index,
            kind: Kind::Invoke,
            op,
            level: step.level,
            version: None,
        });
        ctx.send(to, msg);
        ctx.set_timer(TIMEOUT, Timer::GiveUp(req));
    }

    fn finish(
        &mut self,
        ctx: &mut Context<'_, Replica>,
        kind: Kind,
        op: sim::RegisterOp,
        version: Option<u64>,
    ) {
        let (_, step) = self.current.take().expect("an operation in flight");
        ctx.output(Event {
            client: self.index,
            kind,
            op,
            level: step.level,
            version,
        });
        if let Some(step) = self.script.get(self.next_step) {
            ctx.set_timer(step.think, Timer::Next);
        }
    }
}

impl Node for Replica {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Output = Event;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match self {
            Replica::Leader(l) => match input {
                Input::Start | Input::Timer(Timer::Heartbeat) => {
                    l.ship(ctx);
                    ctx.set_timer(HEARTBEAT, Timer::Heartbeat);
                }
                Input::Message { from, msg } => match msg {
                    Msg::Write { req, value, level } => {
                        l.log.push(value);
                        let version = l.log.len() as u64;
                        if level.write_waits_for_majority() {
                            l.waiting.push((version, from, req));
                        } else {
                            ctx.send(from, Msg::WriteOk { req, version });
                        }
                        l.ship(ctx);
                    }
                    Msg::Read { req, level, .. } => {
                        if level == Level::Linearizable {
                            let id = l.next_probe;
                            l.next_probe += 1;
                            l.probing.push((id, from, req));
                            ctx.send(F1, Msg::Probe { id });
                            ctx.send(F2, Msg::Probe { id });
                        } else {
                            // The leader holds every write: any level may read it at once.
                            let version = l.log.len() as u64;
                            ctx.send(
                                from,
                                Msg::ReadOk {
                                    req,
                                    value: l.log.last().copied(),
                                    version,
                                },
                            );
                        }
                    }
                    Msg::AppendAck { have } => {
                        let slot = follower_slot(from);
                        l.held[slot] = l.held[slot].max(have);
                        // Leader plus one follower is a majority of three.
                        let commit = l.held[0].max(l.held[1]);
                        if commit > l.commit {
                            l.commit = commit;
                            let (done, still): (Vec<_>, Vec<_>) =
                                l.waiting.iter().partition(|(v, _, _)| *v <= commit);
                            l.waiting = still;
                            for (version, client, req) in done {
                                ctx.send(client, Msg::WriteOk { req, version });
                            }
                        }
                    }
                    Msg::ProbeAck { id } => {
                        if let Some(at) = l.probing.iter().position(|p| p.0 == id) {
                            let (_, client, req) = l.probing.remove(at);
                            let version = l.log.len() as u64;
                            ctx.send(
                                client,
                                Msg::ReadOk {
                                    req,
                                    value: l.log.last().copied(),
                                    version,
                                },
                            );
                        }
                    }
                    _ => {}
                },
                _ => {}
            },
            Replica::Follower(f) => {
                if let Input::Message { from, msg } = input {
                    match msg {
                        Msg::Append {
                            from: start,
                            entries,
                            commit,
                            leader_len,
                            sent_at,
                        } => {
                            // A gap (entries lost to the partition) is filled by a later
                            // append from what we acknowledge; only a complete one counts as
                            // having heard the leader's state.
                            if start as usize <= f.log.len() {
                                f.log.truncate(start as usize);
                                f.log.extend(entries);
                                f.commit = f.commit.max(commit);
                                f.leader_len = f.leader_len.max(leader_len);
                                f.last_heard =
                                    Some(f.last_heard.map_or(sent_at, |t| t.max(sent_at)));
                            }
                            ctx.send(
                                from,
                                Msg::AppendAck {
                                    have: f.log.len() as u64,
                                },
                            );
                            f.answer_held(ctx);
                        }
                        Msg::Probe { id } => ctx.send(from, Msg::ProbeAck { id }),
                        Msg::Read {
                            req,
                            level,
                            session,
                        } => {
                            f.held.push((from, req, level, session));
                            f.answer_held(ctx);
                        }
                        Msg::Write { .. } => {} // clients send writes to the leader
                        _ => {}
                    }
                }
            }
            Replica::Client(c) => match input {
                Input::Start => {
                    if let Some(step) = c.script.first() {
                        ctx.set_timer(step.think, Timer::Next);
                    }
                }
                Input::Timer(Timer::Next) => c.start_next(ctx),
                Input::Timer(Timer::GiveUp(req)) => {
                    if let Some((current, step)) = c.current {
                        if current == req {
                            match step.write {
                                Some(value) => {
                                    c.finish(ctx, Kind::Info, sim::RegisterOp::Write(value), None)
                                }
                                None => {
                                    c.finish(ctx, Kind::Fail, sim::RegisterOp::Read(None), None)
                                }
                            }
                        }
                    }
                }
                Input::Message { msg, .. } => match msg {
                    Msg::ReadOk {
                        req,
                        value,
                        version,
                    } if c.current.is_some_and(|(r, _)| r == req) => {
                        c.session.last_read = c.session.last_read.max(version);
                        c.finish(ctx, Kind::Ok, sim::RegisterOp::Read(value), Some(version));
                    }
                    Msg::WriteOk { req, version } if c.current.is_some_and(|(r, _)| r == req) => {
                        let value = c.current.and_then(|(_, s)| s.write).expect("a write");
                        c.session.last_write = c.session.last_write.max(version);
                        c.finish(ctx, Kind::Ok, sim::RegisterOp::Write(value), Some(version));
                    }
                    _ => {} // a late answer to a request given up on
                },
                _ => {}
            },
        }
    }
}

/// An experiment: three clients' scripts, the levels, and the network.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The level every read names.
    pub read_level: Level,
    /// The level every write names.
    pub write_level: Level,
    /// When `F2` and its client `C2` are cut off from `L` and `F1`, and when that heals (ms).
    /// `C0` and `C1` still reach every replica: only replication to `F2` stops.
    pub partition: Option<(u64, u64)>,
    /// Operations per client.
    pub ops_per_client: usize,
    /// The break-it knob: clients send linearizable reads to their home replica, and followers
    /// answer every read at once from what they have applied, whatever level it names.
    pub serve_stale_reads: bool,
    /// Seeds the network's jitter and the clients' replica picks.
    pub seed: u64,
}

impl Default for Scenario {
    /// The Dial's scripted workload: 12 operations a client over about 0.6 s, with `F2` cut
    /// off from 150 ms to 400 ms.
    fn default() -> Self {
        Scenario {
            read_level: Level::Linearizable,
            write_level: Level::Linearizable,
            partition: Some((150, 400)),
            ops_per_client: 12,
            serve_stale_reads: false,
            seed: 1,
        }
    }
}

/// One operation as the Dial draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOp {
    /// Its id in [`Run::history`].
    pub id: usize,
    /// Which client (0–2).
    pub client: usize,
    /// True for a write.
    pub is_write: bool,
    /// The level it named.
    pub level: Level,
    /// Invoked at (ms).
    pub invoke_ms: f64,
    /// Completed at (ms); `None` if it timed out.
    pub complete_ms: Option<f64>,
    /// The value written, or read.
    pub value: Option<u64>,
    /// The version written or read (on ok).
    pub version: Option<u64>,
    /// "ok", "fail" (a read that timed out) or "info" (a write that timed out).
    pub outcome: &'static str,
}

/// Mean latency of the operations that completed, by kind and level.
#[derive(Clone, Debug, PartialEq)]
pub struct Latency {
    /// True for writes.
    pub writes: bool,
    /// The level.
    pub level: Level,
    /// Completed operations.
    pub completed: usize,
    /// Timed out.
    pub timed_out: usize,
    /// Mean latency of the completed ones (ms).
    pub mean_ms: f64,
    /// Slowest completed one (ms).
    pub max_ms: f64,
}

/// What a run recorded and what the checkers make of it.
#[derive(Debug)]
pub struct Run {
    /// The history, through the kernel's recorder, in Jepsen's etcd format.
    pub jepsen: String,
    /// The same history as the checker reads it (times in µs).
    pub history: Vec<RegisterOperation>,
    /// The operations with times, values and versions.
    pub ops: Vec<ClientOp>,
    /// Every client's session anomalies (stale read, non-monotonic read, lost own write).
    pub anomalies: Vec<Anomaly>,
    /// The linearizability checker's verdict on the whole history.
    pub verdict: Verdict,
    /// What each level cost.
    pub latency: Vec<Latency>,
}

impl Run {
    /// The anomalies of one kind, as (client, op id) pairs.
    pub fn seen(&self, kind: AnomalyKind) -> Vec<(usize, usize)> {
        self.anomalies
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| (a.client, a.read))
            .collect()
    }

    /// The session observations behind the anomalies (for the other checkers, e.g. bounded
    /// staleness).
    pub fn observations(&self) -> Vec<Observation> {
        observations(&self.ops)
    }
}

fn observations(ops: &[ClientOp]) -> Vec<Observation> {
    ops.iter()
        .map(|op| Observation {
            client: op.client,
            invoke: (op.invoke_ms * 1000.0) as u64,
            complete: op.complete_ms.map(|c| (c * 1000.0) as u64),
            what: if op.is_write {
                Observed::Wrote {
                    version: op.version,
                }
            } else {
                Observed::Read {
                    version: op.version.unwrap_or(0),
                }
            },
        })
        .collect()
}

/// The three clients' scripts: each alternates writes (unique values) and reads.
fn scripts(s: &Scenario) -> Vec<Vec<Step>> {
    (0..3)
        .map(|c| {
            (0..s.ops_per_client)
                .map(|k| {
                    let write = (k + c) % 3 == 0;
                    Step {
                        think: Span::from_millis(10 + 3 * c as u64),
                        write: write.then_some(100 * (c as u64 + 1) + k as u64),
                        level: if write { s.write_level } else { s.read_level },
                    }
                })
                .collect()
        })
        .collect()
}

/// Runs a scenario to the end and checks what the clients saw.
pub fn run(s: &Scenario) -> Run {
    let mut world: World<Replica> = World::new(s.seed);
    let far = Link::new(Delay::Uniform {
        min: Span::from_millis(8),
        max: Span::from_millis(12),
    });
    world.set_default_link(far);
    world.add_node("L", |_| Replica::Leader(Leader::default()));
    for name in ["F1", "F2"] {
        let serve_stale = s.serve_stale_reads;
        world.add_node(name, move |_| {
            Replica::Follower(Follower {
                serve_stale,
                ..Follower::default()
            })
        });
    }
    for (c, script) in scripts(s).into_iter().enumerate() {
        let s = s.clone();
        let home = [LEADER, F1, F2][c];
        let id = world.add_node(&format!("C{c}"), move |_| {
            Replica::Client(Client {
                index: c,
                home,
                script: script.clone(),
                next_step: 0,
                current: None,
                next_req: 0,
                session: Session::default(),
                stale_knob: s.serve_stale_reads,
            })
        });
        let near = Link::new(Delay::Fixed(Span::from_millis(1)));
        world.set_link(id, home, near);
        world.set_link(home, id, near);
    }
    if let Some((start, heal)) = s.partition {
        world.partition(Partition::between(
            Time::from_millis(start),
            Time::from_millis(heal),
            &[F2, CLIENTS[2]],
            &[LEADER, F1],
        ));
    }
    world.run_until(Time::from_secs(5));
    record(world.outputs())
}

/// Turns the clients' events into the kernel's history and the checkers' views of it.
fn record(outputs: &[sim::Record<Event>]) -> Run {
    let mut recorder: sim::History<sim::RegisterOp> = sim::History::new(3);
    let mut ops: Vec<ClientOp> = Vec::new();
    let mut open: HashMap<usize, usize> = HashMap::new();
    let mut history: Vec<RegisterOperation> = Vec::new();
    for (n, record) in outputs.iter().enumerate() {
        let e = &record.output;
        let process = recorder.client_process(e.client);
        recorder.record(record.at, e.client, e.kind, e.op);
        let stamp = Stamp {
            time: record.at.as_micros(),
            line: n + 1,
        };
        let ms = record.at.as_micros() as f64 / 1000.0;
        match e.kind {
            Kind::Invoke => {
                open.insert(e.client, ops.len());
                let (is_write, value, input) = match e.op {
                    sim::RegisterOp::Write(v) => (true, Some(v), RegisterOp::Write(v as i64)),
                    _ => (false, None, RegisterOp::Read),
                };
                ops.push(ClientOp {
                    id: ops.len(),
                    client: e.client,
                    is_write,
                    level: e.level,
                    invoke_ms: ms,
                    complete_ms: None,
                    value,
                    version: None,
                    outcome: "info",
                });
                history.push(Operation {
                    id: history.len(),
                    process,
                    input,
                    outcome: Outcome::Info,
                    invoke: stamp,
                    complete: None,
                });
            }
            kind => {
                let i = open.remove(&e.client).expect("an open operation");
                let op = &mut ops[i];
                op.complete_ms = (kind == Kind::Ok).then_some(ms);
                op.version = e.version;
                op.outcome = match kind {
                    Kind::Ok => "ok",
                    Kind::Fail => "fail",
                    _ => "info",
                };
                if let sim::RegisterOp::Read(v) = e.op {
                    if kind == Kind::Ok {
                        op.value = v;
                    }
                }
                let h = &mut history[i];
                h.complete = Some(stamp);
                h.outcome = match (kind, e.op) {
                    (Kind::Ok, sim::RegisterOp::Read(v)) => Outcome::Ok(v.map(|v| v as i64)),
                    (Kind::Ok, _) => Outcome::Ok(None),
                    (Kind::Fail, _) => Outcome::Fail,
                    _ => Outcome::Info,
                };
            }
        }
    }
    let obs = observations(&ops);
    let anomalies = session::dial_anomalies(&obs);
    let verdict = check_register(&history);
    let latency = latency(&ops);
    Run {
        jepsen: recorder.to_jepsen(),
        history,
        ops,
        anomalies,
        verdict,
        latency,
    }
}

fn latency(ops: &[ClientOp]) -> Vec<Latency> {
    let mut rows: Vec<Latency> = Vec::new();
    for op in ops {
        let row = match rows
            .iter_mut()
            .position(|r| r.writes == op.is_write && r.level == op.level)
        {
            Some(i) => &mut rows[i],
            None => {
                rows.push(Latency {
                    writes: op.is_write,
                    level: op.level,
                    completed: 0,
                    timed_out: 0,
                    mean_ms: 0.0,
                    max_ms: 0.0,
                });
                rows.last_mut().expect("just pushed")
            }
        };
        match op.complete_ms {
            Some(done) => {
                let took = done - op.invoke_ms;
                row.mean_ms =
                    (row.mean_ms * row.completed as f64 + took) / (row.completed + 1) as f64;
                row.completed += 1;
                row.max_ms = row.max_ms.max(took);
            }
            None => row.timed_out += 1,
        }
    }
    rows
}

//! A single-node lock and a Redlock-style majority lock, and when each one gives two clients
//! the lock at once.
//!
//! The lock nodes behave like Redis with `SET key value NX PX ttl`: a key that is set stays set
//! until its time to live runs out, and a second `SET NX` is refused meanwhile. How the node
//! measures that time is a knob ([`Expiry`]): on its wall clock (what Redis did in 2016, so a
//! clock that is stepped forward ends the key early), or on a monotonic clock (what antirez
//! proposed in reply: a step of the wall clock then changes nothing).
//!
//! A client follows the Redlock algorithm as the Redis documentation describes it: note the
//! time, ask every node in turn with a short per-node timeout, and count. With a majority of
//! yeses within the time to live it holds the lock for the *validity time*: the time to live,
//! minus the time the acquisition took, minus an allowance for clock drift. Otherwise it
//! unlocks every node and reports failure. With one node the same client is the single-node lock.
//!
//! Each client reports what it believes: "I hold the lock from here until there". Two clients
//! whose beliefs overlap in true time held the lock at once: the safety property is broken.

use sim::{Clock, Context, Delay, Input, Link, Node, NodeId, Partition, Span, Time, World};

/// How a lock node measures a key's time to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// By comparing readings of its wall clock: a forward step of the clock expires keys early.
    WallClock,
    /// By a monotonic timer: the wall clock's steps do not touch it.
    Monotonic,
}

/// What the nodes say.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Client to node: `SET lock <value> NX PX <ttl>`.
    SetNx {
        /// The client's random value (here, its number).
        value: u64,
        /// The time to live.
        ttl: Span,
    },
    /// Node to client: the answer to `SetNx`.
    SetReply {
        /// True if the key was set.
        ok: bool,
    },
    /// Client to node: delete the key if it still holds `value`.
    Unlock {
        /// The value the client set.
        value: u64,
    },
}

/// Timers.
#[derive(Clone, Copy, Debug)]
pub enum Timer {
    /// A client starts acquiring.
    Start,
    /// A client stops waiting for answers.
    Deadline,
    /// A monotonic key expiry; the number tells one setting from the next.
    Expire(u64),
}

/// What a client reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// It holds the lock until `until` (true time), having won these nodes.
    Acquired {
        /// The client's number (1, 2, ...).
        client: usize,
        /// The nodes that said yes.
        nodes: Vec<usize>,
        /// When its validity time runs out.
        until: Time,
    },
    /// It did not get a majority in time, and unlocked what it had.
    Failed {
        /// The client's number.
        client: usize,
        /// The nodes that said yes.
        nodes: Vec<usize>,
    },
    /// A node set or refused a key.
    Set {
        /// The node.
        node: usize,
        /// The client that asked.
        client: usize,
        /// Whether it was set.
        ok: bool,
    },
    /// A node's key ran out.
    Expired {
        /// The node.
        node: usize,
    },
}

/// A Redis-like lock node: one key.
pub struct LockNode {
    expiry: Expiry,
    /// The value held, and when it ends on the node's wall clock.
    key: Option<(u64, Time)>,
    settings: u64,
}

/// A client running Redlock.
pub struct Client {
    number: usize,
    nodes: Vec<NodeId>,
    start: Span,
    ttl: Span,
    timeout: Span,
    started: Option<Time>,
    yes: Vec<usize>,
    answers: usize,
    decided: bool,
}

/// The node type: lock nodes first, then clients.
pub enum Role {
    /// A lock node.
    Lock(LockNode),
    /// A client.
    Client(Client),
}

impl Node for Role {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Output = Report;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match self {
            Role::Lock(node) => node.handle(input, ctx),
            Role::Client(client) => client.handle(input, ctx),
        }
    }
}

impl LockNode {
    fn live(&mut self, now: Time) -> Option<u64> {
        match self.key {
            Some((value, ends)) if self.expiry == Expiry::Monotonic || now < ends => Some(value),
            _ => None,
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Role>) {
        let me = ctx.me().index();
        match input {
            Input::Message { from, msg } => match msg {
                Msg::SetNx { value, ttl } => {
                    let ok = self.live(ctx.now()).is_none();
                    if ok {
                        self.key = Some((value, ctx.now() + ttl));
                        self.settings += 1;
                        if self.expiry == Expiry::Monotonic {
                            ctx.set_timer(ttl, Timer::Expire(self.settings));
                        }
                    }
                    ctx.output(Report::Set {
                        node: me,
                        client: value as usize,
                        ok,
                    });
                    ctx.send(from, Msg::SetReply { ok });
                }
                Msg::Unlock { value } => {
                    if self.live(ctx.now()) == Some(value) {
                        self.key = None;
                    }
                }
                Msg::SetReply { .. } => {}
            },
            Input::Timer(Timer::Expire(setting))
                if setting == self.settings && self.key.take().is_some() =>
            {
                ctx.output(Report::Expired { node: me });
            }
            _ => {}
        }
    }
}

impl Client {
    /// The drift allowance of the Redis documentation's reference: 1% of the time to live, plus
    /// 2 ms for the clocks' granularity.
    fn drift(&self) -> Span {
        Span::from_micros(self.ttl.as_micros() / 100) + Span::from_millis(2)
    }

    fn decide(&mut self, ctx: &mut Context<'_, Role>) {
        if self.decided {
            return;
        }
        self.decided = true;
        let started = self.started.unwrap_or(ctx.now());
        let elapsed = ctx.now().since(started);
        let majority = self.nodes.len() / 2 + 1;
        let budget = self.ttl.as_micros() as i64
            - elapsed.as_micros() as i64
            - self.drift().as_micros() as i64;
        if self.yes.len() >= majority && budget > 0 {
            ctx.output(Report::Acquired {
                client: self.number,
                nodes: self.yes.clone(),
                until: ctx.now() + Span::from_micros(budget as u64),
            });
        } else {
            ctx.output(Report::Failed {
                client: self.number,
                nodes: self.yes.clone(),
            });
            for &node in &self.nodes {
                ctx.send(
                    node,
                    Msg::Unlock {
                        value: self.number as u64,
                    },
                );
            }
        }
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Role>) {
        match input {
            Input::Start => ctx.set_timer(self.start, Timer::Start),
            Input::Timer(Timer::Start) => {
                self.started = Some(ctx.now());
                for &node in &self.nodes {
                    ctx.send(
                        node,
                        Msg::SetNx {
                            value: self.number as u64,
                            ttl: self.ttl,
                        },
                    );
                }
                ctx.set_timer(self.timeout, Timer::Deadline);
            }
            Input::Timer(Timer::Deadline) => self.decide(ctx),
            Input::Message {
                from,
                msg: Msg::SetReply { ok },
            } => {
                self.answers += 1;
                if ok {
                    self.yes.push(from.index());
                }
                if self.answers == self.nodes.len() {
                    self.decide(ctx);
                }
            }
            _ => {}
        }
    }
}

/// One client's plan: when it starts, and which lock nodes it cannot reach while it acquires.
#[derive(Clone, Debug)]
pub struct ClientPlan {
    /// When it starts acquiring, in ms.
    pub start_ms: u64,
    /// Lock nodes cut off from it from its start for 100 ms.
    pub unreachable: Vec<usize>,
}

/// A lock scenario: the nodes, the clients, the faults.
#[derive(Clone, Debug)]
pub struct LockScenario {
    /// Seeds the network (uniform 1 to 3 ms a message).
    pub seed: u64,
    /// How many lock nodes: 1 is the single-node lock, 5 the Redlock of the debate.
    pub nodes: usize,
    /// How the nodes measure time to live.
    pub expiry: Expiry,
    /// The time to live, in ms.
    pub ttl_ms: u64,
    /// The per-node timeout a client waits for answers, in ms.
    pub timeout_ms: u64,
    /// The clients, numbered from 1.
    pub clients: Vec<ClientPlan>,
    /// A forward step of one node's wall clock: (node, at ms, by ms).
    pub clock_jump: Option<(usize, u64, u64)>,
    /// A crash of one node and its restart with no keys (no persistence): (node, at ms, back ms).
    pub crash: Option<(usize, u64, u64)>,
}

impl LockScenario {
    /// Kleppmann's clock-jump scenario: five nodes A to E. Client 1 cannot reach D and E, so it
    /// wins A, B, C; node C's clock jumps forward by `jump_ms` at 200 ms; client 2, which cannot
    /// reach A and B, asks at 300 ms and wins C, D, E if C's key is gone.
    pub fn clock_jump(jump_ms: u64, expiry: Expiry) -> Self {
        Self {
            seed: 7,
            nodes: 5,
            expiry,
            ttl_ms: 1_000,
            timeout_ms: 50,
            clients: vec![
                ClientPlan {
                    start_ms: 0,
                    unreachable: vec![3, 4],
                },
                ClientPlan {
                    start_ms: 300,
                    unreachable: vec![0, 1],
                },
            ],
            clock_jump: Some((2, 200, jump_ms)),
            crash: None,
        }
    }

    /// The same story with one lock node: client 1 takes the lock, the node's clock jumps at
    /// 200 ms, client 2 asks at 300 ms.
    pub fn single_node_jump(jump_ms: u64, expiry: Expiry) -> Self {
        Self {
            nodes: 1,
            clients: vec![
                ClientPlan {
                    start_ms: 0,
                    unreachable: vec![],
                },
                ClientPlan {
                    start_ms: 300,
                    unreachable: vec![],
                },
            ],
            clock_jump: Some((0, 200, jump_ms)),
            ..Self::clock_jump(jump_ms, expiry)
        }
    }
}

/// The letter the debate gives a lock node: A, B, C, D, E.
pub fn node_name(node: usize) -> String {
    char::from(b'A' + node as u8).to_string()
}

/// What a lock run came to.
#[derive(Clone, Debug)]
pub struct LockRun {
    /// Every report, with its true time.
    pub reports: Vec<(Time, Report)>,
    /// Each client's belief: (client, from, until), true time, for those that acquired.
    pub holds: Vec<(usize, Time, Time)>,
    /// The longest time two clients both believed they held the lock (zero: safe).
    pub overlap: Span,
}

impl LockRun {
    /// True if two clients held the lock at once.
    pub fn two_holders(&self) -> bool {
        self.overlap > Span::ZERO
    }
}

/// Runs a lock scenario for 3 s of virtual time.
pub fn run(scenario: &LockScenario) -> LockRun {
    let mut world: World<Role> = World::new(scenario.seed);
    world.set_default_link(Link::new(Delay::Uniform {
        min: Span::from_millis(1),
        max: Span::from_millis(3),
    }));
    let expiry = scenario.expiry;
    for n in 0..scenario.nodes {
        world.add_node(&node_name(n), move |_: &()| {
            Role::Lock(LockNode {
                expiry,
                key: None,
                settings: 0,
            })
        });
    }
    let nodes: Vec<NodeId> = (0..scenario.nodes).map(NodeId::new).collect();
    for (i, plan) in scenario.clients.iter().enumerate() {
        let (nodes, ttl, timeout, start) = (
            nodes.clone(),
            Span::from_millis(scenario.ttl_ms),
            Span::from_millis(scenario.timeout_ms),
            Span::from_millis(plan.start_ms),
        );
        let id = world.add_node(&format!("client {}", i + 1), move |_: &()| {
            Role::Client(Client {
                number: i + 1,
                nodes: nodes.clone(),
                start,
                ttl,
                timeout,
                started: None,
                yes: Vec::new(),
                answers: 0,
                decided: false,
            })
        });
        if !plan.unreachable.is_empty() {
            let cut: Vec<NodeId> = plan.unreachable.iter().map(|&n| NodeId::new(n)).collect();
            world.partition(Partition::between(
                Time::from_millis(plan.start_ms),
                Time::from_millis(plan.start_ms + 100),
                &[id],
                &cut,
            ));
        }
    }
    if let Some((node, at, by)) = scenario.clock_jump {
        world.set_clock(
            Time::from_millis(at),
            NodeId::new(node),
            Clock::ahead(Span::from_millis(by)),
        );
    }
    if let Some((node, at, back)) = scenario.crash {
        world.crash(Time::from_millis(at), NodeId::new(node));
        world.restart(Time::from_millis(back), NodeId::new(node));
    }
    world.run_until(Time::from_secs(3));
    let reports: Vec<(Time, Report)> = world
        .outputs()
        .iter()
        .map(|r| (r.at, r.output.clone()))
        .collect();
    let holds: Vec<(usize, Time, Time)> = reports
        .iter()
        .filter_map(|(at, report)| match report {
            Report::Acquired { client, until, .. } => Some((*client, *at, *until)),
            _ => None,
        })
        .collect();
    let mut overlap = Span::ZERO;
    for (i, a) in holds.iter().enumerate() {
        for b in &holds[i + 1..] {
            if a.0 != b.0 {
                let from = a.1.max(b.1);
                let until = a.2.min(b.2);
                if until > from {
                    overlap = overlap.max(until - from);
                }
            }
        }
    }
    LockRun {
        reports,
        holds,
        overlap,
    }
}

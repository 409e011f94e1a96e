//! The driver: a world of nodes, one network and one clock, run one event at a time.
//!
//! The loop is the whole idea of a discrete-event simulation: take the earliest pending event,
//! move the clock to it, hand it to the node it concerns, and turn the actions the node returns
//! into new pending events (a message becomes an arrival after its link's delay, a timer a firing
//! after its span). Faults are events too: a crash, a restart, a pause, and partitions the
//! network consults on every message.

use crate::net::{Fate, Link, Network, NodeId, Partition};
use crate::node::{Action, Context, Input, Node};
use crate::rng::SplitMix64;
use crate::time::{Clock, EventQueue, Span, Time};

/// Something the node reported with [`Context::output`], stamped with when and by whom.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<O> {
    /// When the node reported it.
    pub at: Time,
    /// Which node reported it.
    pub node: NodeId,
    /// What it reported.
    pub output: O,
}

/// Counts of what the network and the nodes did in a run: the first thing to look at when a
/// protocol misbehaves ("did anything get through at all?").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages nodes sent (each send counts once, even if duplicated).
    pub sent: u64,
    /// Messages handed to a node (duplicates count twice).
    pub delivered: u64,
    /// Messages the links dropped.
    pub lost: u64,
    /// Messages dropped because a partition cut their link when sent or when arriving.
    pub cut: u64,
    /// Messages the links duplicated.
    pub duplicated: u64,
    /// Messages that reached a crashed node, or sat in a node's buffer when it crashed.
    pub to_down_node: u64,
    /// Timers that fired and were handled.
    pub timers_fired: u64,
}

/// One event waiting in the world's queue.
enum Pending<N: Node> {
    /// A message reaches `to`'s machine (the partition is checked again here).
    Arrive {
        from: NodeId,
        to: NodeId,
        msg: N::Msg,
    },
    /// An input for a node in its life number `life`: a start, a timer, or a message that
    /// waited in its buffer during a pause. A crash ends the life, and the input with it.
    Input {
        node: NodeId,
        life: u64,
        input: Input<N::Msg, N::Timer>,
    },
    /// A message the experiment sends as if `from` had sent it now.
    Send {
        from: NodeId,
        to: NodeId,
        msg: N::Msg,
    },
    /// The node's process dies: volatile state and pending timers are gone.
    Crash(NodeId),
    /// The node's process starts again from its durable state.
    Restart(NodeId),
    /// The node stops handling anything until `until` (a GC pause, a stalled VM).
    Pause { node: NodeId, until: Time },
    /// The node's clock is set to read this way from now on (a skew, or an NTP step).
    SetClock { node: NodeId, clock: Clock },
}

/// How the world builds a node from its durable state: at the start, and after every crash.
type Build<N> = Box<dyn Fn(&<N as Node>::Durable) -> N>;

/// What the world keeps for each node.
struct Slot<N: Node> {
    name: String,
    build: Build<N>,
    /// The running process; `None` while crashed.
    running: Option<N>,
    /// What the node persisted: survives crashes.
    durable: N::Durable,
    /// Counts crashes, so inputs scheduled in an earlier life (timers) are recognised and
    /// dropped.
    life: u64,
    /// While `now` is before this, the node handles nothing.
    paused_until: Time,
    /// How the node's own clock reads.
    clock: Clock,
}

/// A simulated cluster: nodes of one type, the network between them, and the clock.
///
/// Build it, add nodes, describe the faults (links, partitions, crashes, pauses), then run it
/// with [`run_until`](Self::run_until) and read what the nodes reported in
/// [`outputs`](Self::outputs). Everything random is drawn from one generator seeded by
/// [`new`](Self::new), and equal-time events run in the order they were scheduled, so the same
/// seed and the same scenario always give the same run.
pub struct World<N: Node> {
    now: Time,
    rng: SplitMix64,
    network: Network,
    queue: EventQueue<Pending<N>>,
    nodes: Vec<Slot<N>>,
    outputs: Vec<Record<N::Output>>,
    stats: Stats,
    trace: Option<Vec<String>>,
}

impl<N: Node> World<N> {
    /// An empty world at time zero whose every random draw comes from `seed`. Links start as
    /// [`Link::default`] (1 ms, no faults).
    pub fn new(seed: u64) -> Self {
        Self {
            now: Time::ZERO,
            rng: SplitMix64::new(seed),
            network: Network::default(),
            queue: EventQueue::new(),
            nodes: Vec::new(),
            outputs: Vec::new(),
            stats: Stats::default(),
            trace: None,
        }
    }

    /// Adds a node called `name`, built by `build` from its durable state (the default at first,
    /// whatever it last persisted after a restart). It receives [`Input::Start`] when the run
    /// reaches the current time. Ids count up from 0 in the order nodes are added.
    pub fn add_node(&mut self, name: &str, build: impl Fn(&N::Durable) -> N + 'static) -> NodeId {
        let id = NodeId::new(self.nodes.len());
        let durable = N::Durable::default();
        self.nodes.push(Slot {
            name: name.to_string(),
            running: Some(build(&durable)),
            build: Box::new(build),
            durable,
            life: 0,
            paused_until: Time::ZERO,
            clock: Clock::PERFECT,
        });
        self.queue.push(
            self.now,
            Pending::Input {
                node: id,
                life: 0,
                input: Input::Start,
            },
        );
        id
    }

    /// The id of the node called `name`, if there is one.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|slot| slot.name == name)
            .map(NodeId::new)
    }

    /// Every node's id, in the order they were added.
    pub fn node_ids(&self) -> Vec<NodeId> {
        (0..self.nodes.len()).map(NodeId::new).collect()
    }

    /// The name `id` was added with.
    pub fn name(&self, id: NodeId) -> &str {
        &self.slot(id).name
    }

    /// The network, to read its links and partitions.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, to change links while the run is paused between calls.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// Makes every link not set explicitly behave like `link`.
    pub fn set_default_link(&mut self, link: Link) {
        self.network.set_default_link(link);
    }

    /// Sets the link `from → to` (one direction).
    pub fn set_link(&mut self, from: NodeId, to: NodeId, link: Link) {
        self.network.set_link(from, to, link);
    }

    /// Schedules a partition (it cuts its links from its start until it heals).
    pub fn partition(&mut self, partition: Partition) {
        self.network.add_partition(partition);
    }

    /// Cuts `node` off from every other node from `start` until `heal`, both ways.
    pub fn isolate(&mut self, node: NodeId, start: Time, heal: Time) {
        let others: Vec<NodeId> = self.node_ids().into_iter().filter(|&n| n != node).collect();
        self.partition(Partition::between(start, heal, &[node], &others));
    }

    /// Crashes `node` at `at`: its process and everything in memory (including pending timers
    /// and messages waiting in its buffer) are gone; what it persisted stays. Messages that reach
    /// it while it is down are dropped.
    pub fn crash(&mut self, at: Time, node: NodeId) {
        self.slot(node);
        self.queue.push(at, Pending::Crash(node));
    }

    /// Restarts `node` at `at` (if it is down then): it is built again from its durable state
    /// and receives [`Input::Start`].
    pub fn restart(&mut self, at: Time, node: NodeId) {
        self.slot(node);
        self.queue.push(at, Pending::Restart(node));
    }

    /// Pauses `node` at `at` for `length`: it handles nothing meanwhile, and every input that
    /// arrives waits until the pause ends. The node is not told: like a process after a long GC
    /// pause, it only sees that the clock jumped. Module 8's lease holder is the victim.
    pub fn pause(&mut self, at: Time, node: NodeId, length: Span) {
        self.slot(node);
        self.queue.push(
            at,
            Pending::Pause {
                node,
                until: at + length,
            },
        );
    }

    /// From `at` on, `node`'s clock reads as `clock` says (what [`Context::now`] returns, and what
    /// its timers are measured on). Timers already set keep their true firing time, like timers
    /// on a monotonic clock when the wall clock is stepped. The crash and restart of a node do not
    /// fix its clock.
    pub fn set_clock(&mut self, at: Time, node: NodeId, clock: Clock) {
        self.slot(node);
        self.queue.push(at, Pending::SetClock { node, clock });
    }

    /// Sends `msg` from `from` to `to` at `at` through the network, as if `from` had sent it:
    /// for an experiment that drives the nodes from outside (a test client).
    pub fn send_at(&mut self, at: Time, from: NodeId, to: NodeId, msg: N::Msg) {
        self.slot(from);
        self.queue.push(at, Pending::Send { from, to, msg });
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The run's generator, for an experiment that needs a draw of its own between runs.
    pub fn rng(&mut self) -> &mut SplitMix64 {
        &mut self.rng
    }

    /// The running node, or `None` while it is crashed: to look at its state in a test.
    pub fn node(&self, id: NodeId) -> Option<&N> {
        self.slot(id).running.as_ref()
    }

    /// True unless `id` is crashed.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slot(id).running.is_some()
    }

    /// What `id` last persisted (its disk).
    pub fn durable(&self, id: NodeId) -> &N::Durable {
        &self.slot(id).durable
    }

    /// Everything the nodes reported so far, in the order they reported it.
    pub fn outputs(&self) -> &[Record<N::Output>] {
        &self.outputs
    }

    /// Takes the reports out, leaving none: for an experiment that consumes them as it goes.
    pub fn take_outputs(&mut self) -> Vec<Record<N::Output>> {
        std::mem::take(&mut self.outputs)
    }

    /// What the network and the nodes did so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many events are waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Starts keeping a readable line for every event from now on (see [`trace`](Self::trace)).
    pub fn enable_trace(&mut self) {
        self.trace.get_or_insert_with(Vec::new);
    }

    /// The trace: one line an event, like `t=1ms  b <- a  Ping(1)`. Empty unless
    /// [`enable_trace`](Self::enable_trace) was called.
    pub fn trace(&self) -> &[String] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// Runs every event scheduled at or before `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: Time) {
        while self.queue.next_time().is_some_and(|at| at <= until) {
            self.step();
        }
        self.now = self.now.max(until);
    }

    /// Runs for `length` of virtual time from now.
    pub fn run_for(&mut self, length: Span) {
        self.run_until(self.now + length);
    }

    /// Runs the earliest pending event; false if there was none.
    pub fn step(&mut self) -> bool {
        let Some((at, pending)) = self.queue.pop() else {
            return false;
        };
        self.now = at;
        match pending {
            Pending::Arrive { from, to, msg } => self.arrive(from, to, msg),
            Pending::Input { node, life, input } => self.input(node, life, input),
            Pending::Send { from, to, msg } => self.transmit(from, to, msg),
            Pending::Crash(node) => self.crash_now(node),
            Pending::Restart(node) => self.restart_now(node),
            Pending::Pause { node, until } => {
                let slot = &mut self.nodes[node.index()];
                slot.paused_until = slot.paused_until.max(until);
                self.log(|w| format!("{}: paused until {until}", w.name(node)));
            }
            Pending::SetClock { node, clock } => {
                self.nodes[node.index()].clock = clock;
                self.log(|w| format!("{}: clock now reads {}", w.name(node), clock.read(w.now)));
            }
        }
        true
    }

    fn slot(&self, id: NodeId) -> &Slot<N> {
        self.nodes.get(id.index()).unwrap_or_else(|| {
            panic!(
                "{id} does not exist: this world has {} nodes (add them with World::add_node)",
                self.nodes.len()
            )
        })
    }

    /// A message reaches `to`'s machine: dropped if the link is cut now or `to` is down,
    /// otherwise handed over (after the pause, if `to` is paused).
    fn arrive(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        if self.network.is_cut(from, to, self.now) {
            self.stats.cut += 1;
            self.log(|w| {
                format!(
                    "{} <- {}  {msg:?}  dropped: link cut",
                    w.name(to),
                    w.name(from)
                )
            });
            return;
        }
        let life = self.nodes[to.index()].life;
        self.input(to, life, Input::Message { from, msg });
    }

    /// Hands `input` to `node`, unless its life has ended (crash) or it is paused (then it waits).
    fn input(&mut self, node: NodeId, life: u64, input: Input<N::Msg, N::Timer>) {
        let slot = &self.nodes[node.index()];
        let (alive, paused_until) = (
            slot.running.is_some() && slot.life == life,
            slot.paused_until,
        );
        if !alive {
            if let Input::Message { from, msg } = &input {
                self.stats.to_down_node += 1;
                self.log(|w| {
                    format!(
                        "{} <- {}  {msg:?}  dropped: node down",
                        w.name(node),
                        w.name(*from)
                    )
                });
            }
            return;
        }
        if self.now < paused_until {
            self.queue
                .push(paused_until, Pending::Input { node, life, input });
            return;
        }
        match &input {
            Input::Start => self.log(|w| format!("{}: start", w.name(node))),
            Input::Message { from, msg } => {
                self.stats.delivered += 1;
                self.log(|w| format!("{} <- {}  {msg:?}", w.name(node), w.name(*from)));
            }
            Input::Timer(timer) => {
                self.stats.timers_fired += 1;
                self.log(|w| format!("{}: timer {timer:?}", w.name(node)));
            }
        }
        self.handle(node, input);
    }

    /// Runs the node's handler and carries out the actions it returns, in order.
    fn handle(&mut self, id: NodeId, input: Input<N::Msg, N::Timer>) {
        let slot = &mut self.nodes[id.index()];
        let clock = slot.clock;
        let Some(node) = slot.running.as_mut() else {
            return;
        };
        let mut ctx = Context::new(id, clock.read(self.now), &mut self.rng);
        node.handle(input, &mut ctx);
        for action in ctx.take_actions() {
            match action {
                Action::Send { to, msg } => self.transmit(id, to, msg),
                Action::SetTimer { after, timer } => {
                    let life = self.nodes[id.index()].life;
                    let input = Input::Timer(timer);
                    let pending = Pending::Input {
                        node: id,
                        life,
                        input,
                    };
                    self.queue.push(self.now + clock.true_span(after), pending);
                }
                Action::Persist(durable) => {
                    self.nodes[id.index()].durable = durable;
                    self.log(|w| format!("{}: persist", w.name(id)));
                }
                Action::Output(output) => self.outputs.push(Record {
                    at: self.now,
                    node: id,
                    output,
                }),
            }
        }
    }

    /// Puts one message on the network and schedules its arrival(s).
    fn transmit(&mut self, from: NodeId, to: NodeId, msg: N::Msg) {
        if to.index() >= self.nodes.len() {
            panic!(
                "{} sent to {to}, which does not exist: this world has {} nodes",
                self.name(from),
                self.nodes.len()
            );
        }
        self.stats.sent += 1;
        let fate = self.network.transmit(from, to, self.now, &mut self.rng);
        self.log(|w| {
            let what = match fate {
                Fate::Cut => "cut".to_string(),
                Fate::Lost => "lost".to_string(),
                Fate::Arrives(at) => format!("arrives {at}"),
                Fate::Duplicated(first, second) => format!("duplicated: arrives {first}, {second}"),
            };
            format!("{} -> {}  {msg:?}  {what}", w.name(from), w.name(to))
        });
        match fate {
            Fate::Cut => self.stats.cut += 1,
            Fate::Lost => self.stats.lost += 1,
            Fate::Arrives(at) => self.queue.push(at, Pending::Arrive { from, to, msg }),
            Fate::Duplicated(first, second) => {
                self.stats.duplicated += 1;
                let copy = msg.clone();
                self.queue.push(first, Pending::Arrive { from, to, msg });
                self.queue.push(
                    second,
                    Pending::Arrive {
                        from,
                        to,
                        msg: copy,
                    },
                );
            }
        }
    }

    fn crash_now(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node.index()];
        if slot.running.take().is_some() {
            slot.life += 1;
            slot.paused_until = Time::ZERO;
            self.log(|w| format!("{}: crash", w.name(node)));
        }
    }

    fn restart_now(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node.index()];
        if slot.running.is_none() {
            slot.running = Some((slot.build)(&slot.durable));
            self.log(|w| format!("{}: restart", w.name(node)));
            self.handle(node, Input::Start);
        }
    }

    /// Adds a trace line, if tracing is on (the closure is not even called otherwise).
    fn log(&mut self, line: impl FnOnce(&Self) -> String) {
        if self.trace.is_some() {
            let line = format!("{}  {}", self.now, line(self));
            if let Some(trace) = self.trace.as_mut() {
                trace.push(line);
            }
        }
    }
}

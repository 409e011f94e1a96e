//! The pause that breaks a lock: two clients, the lock service and the storage on one timeline.
//!
//! This is the story of Kleppmann's "How to do distributed locking" run for real. Client 1 gets
//! the lock with token 33, reads the value, and is frozen by a stop-the-world pause (a GC pause,
//! a page fault, a `SIGSTOP`) before it writes. Its lease runs out while it is frozen; client 2
//! gets the lock with token 34, reads, writes and leaves. Then client 1 wakes up, still sure it
//! holds the lock, and writes what it computed before the pause, under token 33.
//!
//! Each client's critical section is a read-modify-write: read `v`, write `v + 1`. The lock's
//! promise is that nobody else writes in between, so each critical section is recorded in the
//! history as a compare-and-set from `v` to `v + 1`, through the kernel's recorder
//! ([`sim::History`]), and the history is judged by Module 2's checker
//! ([`consistency::check_register`]). Without fencing the stale write lands, two clients both
//! "changed 0 to 1", and no order of the operations explains that: not linearizable. With
//! fencing the storage refuses token 33, client 1's attempt fails, it takes the lock again
//! (token 35) and writes 2: linearizable.
//!
//! Node ids: 0 the lock service, 1 the storage, 2 client 1, 3 client 2.

use consistency::{check_register, Operation, Outcome, RegisterOp, RegisterOperation, Stamp};
use sim::{Clock, Context, Delay, Input, Kind, Link, Node, NodeId, Span, Time, World};

use crate::lease::LeaseLock;
use crate::storage::Storage;

const LOCK: NodeId = NodeId::new(0);
const STORE: NodeId = NodeId::new(1);

/// The knobs of one run. Times are in milliseconds of virtual time.
#[derive(Clone, Debug)]
pub struct PauseScenario {
    /// Seeds the network's delays (uniform 1 to 3 ms a message).
    pub seed: u64,
    /// Whether the storage refuses tokens older than the newest it has seen.
    pub fencing: bool,
    /// How long a lease lasts.
    pub lease_ms: u64,
    /// The first fencing token the lock service grants.
    pub first_token: u64,
    /// When client 1 is frozen, and for how long (`None`: no pause).
    pub pause: Option<(u64, u64)>,
    /// A forward jump of the lock service's clock: at this time, by this much (`None`: none).
    pub lock_clock_jump: Option<(u64, u64)>,
    /// When client 2 first asks for the lock.
    pub client2_start_ms: u64,
    /// How long a client waits before asking again when the lock is held.
    pub retry_ms: u64,
    /// How long a client computes between its read and its write.
    pub work_ms: u64,
}

impl Default for PauseScenario {
    /// The chapter's run: a 1 s lease, tokens from 33, and a 1.5 s pause of client 1 at 5 ms,
    /// after its read and before its write.
    fn default() -> Self {
        Self {
            seed: 7,
            fencing: false,
            lease_ms: 1_000,
            first_token: 33,
            pause: Some((5, 1_500)),
            lock_clock_jump: None,
            client2_start_ms: 20,
            retry_ms: 200,
            work_ms: 10,
        }
    }
}

/// What the nodes say to each other.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Client to lock: may I have it?
    Acquire,
    /// Lock to client: yes, with this token, for this long.
    Granted {
        /// The fencing token.
        token: u64,
        /// The lease's length.
        lease: Span,
    },
    /// Lock to client: someone else holds it.
    Busy,
    /// Client to lock: I am done with the lease of `token`.
    Release {
        /// The token of the lease being returned.
        token: u64,
    },
    /// Client to storage: the value, please, under `token`.
    Read {
        /// The client's fencing token.
        token: u64,
    },
    /// Storage to client: here it is.
    ReadOk {
        /// The value read.
        value: u64,
    },
    /// Client to storage: store `value` under `token`.
    Write {
        /// The client's fencing token.
        token: u64,
        /// The new value.
        value: u64,
    },
    /// Storage to client: written.
    WriteOk,
    /// Storage to client: your token is older than one I have seen.
    Refused {
        /// The token refused.
        token: u64,
        /// The newest token the storage had seen.
        newest: u64,
    },
}

/// A client's timers.
#[derive(Clone, Copy, Debug)]
pub enum Timer {
    /// Time to ask for the lock (first time, or again).
    Acquire,
    /// The computation between read and write is done: write now.
    WorkDone,
}

/// What happened, for the timeline and the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The lock service granted `client` a lease with `token`, ending at `expires` (its clock).
    Granted {
        /// 1 or 2.
        client: usize,
        /// The fencing token.
        token: u64,
        /// The end of the lease, on the lock service's clock.
        expires: Time,
    },
    /// The lock service turned `client` away.
    Busy {
        /// 1 or 2.
        client: usize,
    },
    /// The storage answered a read.
    Read {
        /// 1 or 2.
        client: usize,
        /// The token it carried.
        token: u64,
        /// The value returned, or `None` if refused.
        value: Option<u64>,
    },
    /// The storage handled a write.
    Write {
        /// 1 or 2.
        client: usize,
        /// The token it carried.
        token: u64,
        /// The value it tried to store.
        value: u64,
        /// Whether it landed.
        accepted: bool,
        /// The newest token the storage had seen before it.
        newest_before: u64,
    },
    /// A history entry: a client's critical section starts or ends (as a compare-and-set).
    History {
        /// 0 for client 1, 1 for client 2 (the history's client numbers).
        client: usize,
        /// Invoke, ok or fail.
        kind: Kind,
        /// The compare-and-set from the value read to one more.
        op: sim::RegisterOp,
    },
}

/// The lock service node.
pub struct LockNode {
    lock: LeaseLock,
}

/// The storage node.
pub struct StoreNode {
    storage: Storage,
}

/// A client node: take the lock, read, compute, write, release.
pub struct ClientNode {
    number: usize,
    start: Span,
    retry: Span,
    work: Span,
    token: Option<u64>,
    read: Option<u64>,
    attempts: u32,
    done: bool,
}

/// The one node type of this world.
pub enum Role {
    /// Node 0.
    Lock(LockNode),
    /// Node 1.
    Store(StoreNode),
    /// Nodes 2 and 3.
    Client(ClientNode),
}

fn client_number(node: NodeId) -> usize {
    node.index() - 1
}

impl Node for Role {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Output = Event;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match self {
            Role::Lock(node) => node.handle(input, ctx),
            Role::Store(node) => node.handle(input, ctx),
            Role::Client(node) => node.handle(input, ctx),
        }
    }
}

impl LockNode {
    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Role>) {
        let Input::Message { from, msg } = input else {
            return;
        };
        let client = client_number(from);
        match msg {
            Msg::Acquire => match self.lock.acquire(client, ctx.now()) {
                Some(grant) => {
                    ctx.output(Event::Granted {
                        client,
                        token: grant.token,
                        expires: grant.expires,
                    });
                    let lease = self.lock.lease();
                    ctx.send(
                        from,
                        Msg::Granted {
                            token: grant.token,
                            lease,
                        },
                    );
                }
                None => {
                    ctx.output(Event::Busy { client });
                    ctx.send(from, Msg::Busy);
                }
            },
            Msg::Release { token } => {
                self.lock.release(client, token);
            }
            _ => {}
        }
    }
}

impl StoreNode {
    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Role>) {
        let Input::Message { from, msg } = input else {
            return;
        };
        let client = client_number(from);
        match msg {
            Msg::Read { token } => match self.storage.read(token) {
                Ok(value) => {
                    ctx.output(Event::Read {
                        client,
                        token,
                        value: Some(value),
                    });
                    ctx.send(from, Msg::ReadOk { value });
                }
                Err(refused) => {
                    ctx.output(Event::Read {
                        client,
                        token,
                        value: None,
                    });
                    ctx.send(
                        from,
                        Msg::Refused {
                            token,
                            newest: refused.newest,
                        },
                    );
                }
            },
            Msg::Write { token, value } => {
                let newest_before = self.storage.newest_token();
                let result = self.storage.write(token, value);
                ctx.output(Event::Write {
                    client,
                    token,
                    value,
                    accepted: result.is_ok(),
                    newest_before,
                });
                match result {
                    Ok(()) => ctx.send(from, Msg::WriteOk),
                    Err(refused) => ctx.send(
                        from,
                        Msg::Refused {
                            token,
                            newest: refused.newest,
                        },
                    ),
                }
            }
            _ => {}
        }
    }
}

impl ClientNode {
    fn history(&self, ctx: &mut Context<'_, Role>, kind: Kind) {
        let from = self.read.unwrap_or(0);
        ctx.output(Event::History {
            client: self.number - 1,
            kind,
            op: sim::RegisterOp::Cas { from, to: from + 1 },
        });
    }

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Role>) {
        if self.done {
            return;
        }
        match input {
            Input::Start => ctx.set_timer(self.start, Timer::Acquire),
            Input::Timer(Timer::Acquire) => ctx.send(LOCK, Msg::Acquire),
            Input::Message { msg, .. } => match msg {
                Msg::Busy => ctx.set_timer(self.retry, Timer::Acquire),
                Msg::Granted { token, .. } => {
                    self.token = Some(token);
                    ctx.send(STORE, Msg::Read { token });
                }
                Msg::ReadOk { value } => {
                    // The critical section proper: from here the client counts on nobody
                    // else writing until its own write lands.
                    self.read = Some(value);
                    self.history(ctx, Kind::Invoke);
                    ctx.set_timer(self.work, Timer::WorkDone);
                }
                Msg::WriteOk => {
                    self.history(ctx, Kind::Ok);
                    if let Some(token) = self.token.take() {
                        ctx.send(LOCK, Msg::Release { token });
                    }
                    self.done = true;
                }
                Msg::Refused { .. } => {
                    if self.read.is_some() {
                        // The write was refused: the compare-and-set did not happen.
                        self.history(ctx, Kind::Fail);
                        self.read = None;
                    }
                    self.token = None;
                    self.attempts += 1;
                    if self.attempts < 3 {
                        ctx.set_timer(Span::from_millis(10), Timer::Acquire);
                    } else {
                        self.done = true;
                    }
                }
                _ => {}
            },
            Input::Timer(Timer::WorkDone) => {
                if let (Some(token), Some(value)) = (self.token, self.read) {
                    ctx.send(
                        STORE,
                        Msg::Write {
                            token,
                            value: value + 1,
                        },
                    );
                }
            }
        }
    }
}

/// One run's outcome.
#[derive(Clone, Debug)]
pub struct PauseRun {
    /// Everything the nodes reported, with the true time.
    pub events: Vec<(Time, Event)>,
    /// Writes that landed with a token older than one the storage had already seen: a client
    /// that lost the lock overwrote its successor's work. Fencing makes this zero.
    pub stale_accepted: u64,
    /// Writes that landed after the lock service had granted a newer token (the writer's lease
    /// was over). Not always harm: if the successor has not touched the storage yet, the late
    /// write comes first in the storage's order, and the successor reads it.
    pub late_accepted: u64,
    /// Requests (reads and writes) the storage refused.
    pub refused: u64,
    /// The value at the end.
    pub final_value: u64,
    /// The value it should hold: one increment for each client that finished its work.
    pub expected_value: u64,
    /// Module 2's verdict on the history.
    pub linearizable: bool,
    /// The checker's explanation when it is not.
    pub witness: Option<String>,
    /// The history in Jepsen's etcd log format (process 2 is the set-up write of 0).
    pub jepsen: String,
    /// When client 1's first lease ran out, in true time.
    pub first_lease_end: Option<Time>,
    /// When client 1 was frozen and woke, in true time.
    pub pause: Option<(Time, Time)>,
}

/// Runs one scenario to the end (10 s of virtual time is far more than it needs).
pub fn run(scenario: &PauseScenario) -> PauseRun {
    let mut world: World<Role> = World::new(scenario.seed);
    world.set_default_link(Link::new(Delay::Uniform {
        min: Span::from_millis(1),
        max: Span::from_millis(3),
    }));
    let lease = Span::from_millis(scenario.lease_ms);
    let first_token = scenario.first_token;
    world.add_node("lock", move |_: &()| {
        Role::Lock(LockNode {
            lock: LeaseLock::new(lease, first_token),
        })
    });
    let fencing = scenario.fencing;
    world.add_node("storage", move |_: &()| {
        Role::Store(StoreNode {
            storage: Storage::new(0, fencing),
        })
    });
    let starts = [0, scenario.client2_start_ms];
    for (i, start) in starts.into_iter().enumerate() {
        let (retry, work) = (
            Span::from_millis(scenario.retry_ms),
            Span::from_millis(scenario.work_ms),
        );
        world.add_node(&format!("client {}", i + 1), move |_: &()| {
            Role::Client(ClientNode {
                number: i + 1,
                start: Span::from_millis(start),
                retry,
                work,
                token: None,
                read: None,
                attempts: 0,
                done: false,
            })
        });
    }
    let client1 = NodeId::new(2);
    let mut pause = None;
    if let Some((at, length)) = scenario.pause {
        world.pause(Time::from_millis(at), client1, Span::from_millis(length));
        pause = Some((Time::from_millis(at), Time::from_millis(at + length)));
    }
    if let Some((at, jump)) = scenario.lock_clock_jump {
        world.set_clock(
            Time::from_millis(at),
            LOCK,
            Clock::ahead(Span::from_millis(jump)),
        );
    }
    world.run_until(Time::from_secs(10));

    let final_value = match world.node(STORE) {
        Some(Role::Store(store)) => store.storage.value(),
        _ => 0,
    };
    let events: Vec<(Time, Event)> = world
        .outputs()
        .iter()
        .map(|r| (r.at, r.output.clone()))
        .collect();
    judge(events, final_value, scenario, pause)
}

/// Counts stale writes, builds the history and asks the checker.
fn judge(
    events: Vec<(Time, Event)>,
    final_value: u64,
    scenario: &PauseScenario,
    pause: Option<(Time, Time)>,
) -> PauseRun {
    let mut newest_granted = 0;
    let mut stale_accepted = 0;
    let mut late_accepted = 0;
    let mut refused = 0;
    let mut first_lease_end = None;
    let mut recorder: sim::History<sim::RegisterOp> = sim::History::new(3);
    let mut ops: Vec<RegisterOperation> = Vec::new();
    let mut open: [Option<usize>; 2] = [None, None];
    let mut completed_ok = 0;
    // The set-up write of 0 by process 2, before anything else.
    recorder.invoke(Time::ZERO, 2, sim::RegisterOp::Write(0));
    recorder.ok(Time::ZERO, 2, sim::RegisterOp::Write(0));
    ops.push(Operation {
        id: 0,
        process: 2,
        input: RegisterOp::Write(0),
        outcome: Outcome::Ok(None),
        invoke: Stamp { time: 0, line: 1 },
        complete: Some(Stamp { time: 0, line: 2 }),
    });
    let lease = Span::from_millis(scenario.lease_ms);
    for (n, (at, event)) in events.iter().enumerate() {
        match event {
            Event::Granted { client, token, .. } => {
                newest_granted = newest_granted.max(*token);
                if *client == 1 && first_lease_end.is_none() {
                    first_lease_end = Some(*at + lease);
                }
            }
            Event::Write {
                token,
                accepted,
                newest_before,
                ..
            } => {
                if *accepted && *token < *newest_before {
                    stale_accepted += 1;
                }
                if *accepted && *token < newest_granted {
                    late_accepted += 1;
                }
                if !accepted {
                    refused += 1;
                }
            }
            Event::Read { value: None, .. } => refused += 1,
            Event::History { client, kind, op } => {
                let process = recorder.client_process(*client);
                let stamp = Stamp {
                    time: at.as_micros(),
                    line: n + 3,
                };
                recorder.record(*at, *client, *kind, *op);
                let sim::RegisterOp::Cas { from, to } = *op else {
                    continue;
                };
                match kind {
                    Kind::Invoke => {
                        open[*client] = Some(ops.len());
                        ops.push(Operation {
                            id: ops.len(),
                            process,
                            input: RegisterOp::Cas {
                                from: from as i64,
                                to: to as i64,
                            },
                            outcome: Outcome::Info,
                            invoke: stamp,
                            complete: None,
                        });
                    }
                    kind => {
                        if let Some(i) = open[*client].take() {
                            ops[i].complete = Some(stamp);
                            ops[i].outcome = match kind {
                                Kind::Ok => {
                                    completed_ok += 1;
                                    Outcome::Ok(None)
                                }
                                Kind::Fail => Outcome::Fail,
                                _ => Outcome::Info,
                            };
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let verdict = check_register(&ops);
    PauseRun {
        stale_accepted,
        late_accepted,
        refused,
        final_value,
        expected_value: completed_ok,
        linearizable: verdict.is_linearizable(),
        witness: verdict.witness().map(|w| w.to_string()),
        jepsen: recorder.to_jepsen(),
        first_lease_end,
        pause,
        events,
    }
}

/// Totals over many runs with random pauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sweep {
    /// Runs made.
    pub runs: u64,
    /// Stale writes that landed (older than a token the storage had seen), over all runs.
    pub stale_accepted: u64,
    /// Late writes that landed (after a newer grant), over all runs.
    pub late_accepted: u64,
    /// Runs that ended with the wrong value (an increment lost).
    pub corrupted: u64,
    /// Runs whose history Module 2's checker rejected.
    pub not_linearizable: u64,
}

/// `runs` runs from `seed`: each freezes client 1 at a random moment in its first 20 ms, for a
/// random length up to three leases, with its own network seed.
pub fn sweep(seed: u64, runs: u64, fencing: bool) -> Sweep {
    let mut rng = sim::SplitMix64::new(seed);
    let mut total = Sweep {
        runs,
        stale_accepted: 0,
        late_accepted: 0,
        corrupted: 0,
        not_linearizable: 0,
    };
    for _ in 0..runs {
        let base = PauseScenario::default();
        let at = rng.below(20);
        let length = rng.below(3 * base.lease_ms);
        let scenario = PauseScenario {
            seed: rng.next_u64(),
            fencing,
            pause: Some((at, length)),
            ..base
        };
        let run = run(&scenario);
        total.stale_accepted += run.stale_accepted;
        total.late_accepted += run.late_accepted;
        total.corrupted += u64::from(run.final_value != run.expected_value);
        total.not_linearizable += u64::from(!run.linearizable);
    }
    total
}

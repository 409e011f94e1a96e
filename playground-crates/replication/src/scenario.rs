//! An experiment: a three-replica group across two regions, a failure detector, three clients,
//! a fault or two, and everything a reader wants counted afterwards.
//!
//! The layout follows GitHub's in 2018 in outline only: the leader `east-1` and a follower
//! `east-2` share a region (links of 0.5–1.5 ms); the follower `west-1`, the failure detector and
//! one client sit in the other (links of 30–40 ms each way across). Clients `app-east-a` and
//! `app-east-b` live beside the leader.
//!
//! | fault | what happens |
//! |---|---|
//! | [`Fault::IsolateLeader`] | the leader and `app-east-a` are cut off from everything else; both keep running |
//! | [`Fault::PartitionFollower`] | one follower is cut off from everything else |
//! | [`Fault::DetectorCutOff`] | the detector loses sight of the leader and `app-east-a`; the leader still reaches its followers |
//! | [`Fault::PauseLeader`] | the leader's process stops (a long GC pause, a stalled VM), then resumes |
//! | [`Fault::CrashLeader`] | the leader's process dies; its disk survives |

use sim::{Delay, History, Kind, KvOp, Link, NodeId, Partition, Span, Time, World};

use crate::actor::{Actor, Disk};
use crate::check::{linearizable, verdict};
use crate::client::{Client, Workload};
use crate::mode::Mode;
use crate::monitor::Monitor;
use crate::protocol::{Out, Report};
use crate::replica::{Config, Replica};
use crate::wal::{Entry, Wal};

/// The replicas' names, in id order; the first leads epoch 1.
pub const REPLICAS: [&str; 3] = ["east-1", "east-2", "west-1"];
/// The clients' names, in client order.
pub const CLIENTS: [&str; 3] = ["app-east-a", "app-east-b", "app-west"];

/// Something that goes wrong during a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The leader `east-1` and client `app-east-a` are cut off from the rest from `at` to `heal`.
    IsolateLeader {
        /// When the cut starts.
        at: Time,
        /// When it heals.
        heal: Time,
    },
    /// Follower number `follower` (1 = `east-2`, 2 = `west-1`) is cut off from `at` to `heal`.
    PartitionFollower {
        /// Which follower.
        follower: usize,
        /// When the cut starts.
        at: Time,
        /// When it heals.
        heal: Time,
    },
    /// A partial partition: the failure detector loses sight of the leader and `app-east-a`
    /// from `at` to `heal`, while the leader still reaches both followers and the other clients.
    /// The detector promotes a follower; the old leader, alive and unaware, goes on leading.
    DetectorCutOff {
        /// When the cut starts.
        at: Time,
        /// When it heals.
        heal: Time,
    },
    /// The leader stops handling anything at `at` for `length`.
    PauseLeader {
        /// When the pause starts.
        at: Time,
        /// How long it lasts.
        length: Span,
    },
    /// The leader crashes at `at` (and stays down).
    CrashLeader {
        /// When.
        at: Time,
    },
}

/// Everything that defines a run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The seed of every random draw.
    pub seed: u64,
    /// The replicas' behaviour (mode, fencing, shipping).
    pub config: Config,
    /// The clients' behaviour.
    pub workload: Workload,
    /// What goes wrong.
    pub faults: Vec<Fault>,
    /// How long the run lasts.
    pub duration: Time,
    /// How often the detector pings.
    pub detect_every: Span,
    /// How long the leader may be silent before the detector promotes a follower.
    pub detect_timeout: Span,
}

impl Scenario {
    /// The chapter's standard run: seed 7, 1.5 s (clients stop at 1 s), the given mode with fencing on, no faults.
    pub fn new(mode: Mode) -> Self {
        Self {
            seed: 7,
            config: Config {
                mode,
                ..Config::default()
            },
            workload: Workload::default(),
            faults: Vec::new(),
            duration: Time::from_millis(1_500),
            detect_every: Span::from_millis(50),
            detect_timeout: Span::from_millis(250),
        }
    }

    /// The GitHub-shaped run: the leader and its local client are cut off from 0.3 s to 0.7 s.
    pub fn failover(mode: Mode) -> Self {
        Self::new(mode).with_fault(Fault::IsolateLeader {
            at: Time::from_millis(300),
            heal: Time::from_millis(700),
        })
    }

    /// Adds a fault.
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Turns fencing on or off.
    pub fn fencing(mut self, on: bool) -> Self {
        self.config.fencing = on;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Runs it.
    pub fn run(&self) -> Run {
        let mut world: World<Actor> = World::new(self.seed);
        world.set_default_link(Link::new(Delay::Uniform {
            min: Span::from_micros(500),
            max: Span::from_micros(1_500),
        }));
        let replica_ids: Vec<NodeId> = (0..REPLICAS.len()).map(NodeId::new).collect();
        let monitor_id = NodeId::new(REPLICAS.len());
        let client_ids: Vec<NodeId> = (0..CLIENTS.len())
            .map(|c| NodeId::new(REPLICAS.len() + 1 + c))
            .collect();
        for (i, name) in REPLICAS.iter().enumerate() {
            let (me, all, cfg) = (replica_ids[i], replica_ids.clone(), self.config);
            let id = world.add_node(name, move |disk: &Disk| {
                let mut disk = disk.clone();
                if me.index() == 0 && disk.epoch == 0 {
                    disk.leads = true; // the first boot of the initial leader
                }
                Actor::Replica(Replica::from_disk(me, all.clone(), cfg, &disk))
            });
            debug_assert_eq!(id, replica_ids[i]);
        }
        let (every, timeout) = (self.detect_every, self.detect_timeout);
        let (rs, cs) = (replica_ids.clone(), client_ids.clone());
        world.add_node("detector", move |_: &Disk| {
            Actor::Monitor(Monitor::new(rs.clone(), cs.clone(), every, timeout))
        });
        for (c, name) in CLIENTS.iter().enumerate() {
            let (leader, work) = (replica_ids[0], self.workload);
            world.add_node(name, move |_: &Disk| {
                Actor::Client(Client::new(c, leader, work))
            });
        }
        // Two regions; the cross-region links are slow.
        let west = [replica_ids[2], monitor_id, client_ids[2]];
        let all: Vec<NodeId> = world.node_ids();
        let cross = Link::new(Delay::Uniform {
            min: Span::from_millis(30),
            max: Span::from_millis(40),
        });
        for &a in &all {
            for &b in &all {
                if west.contains(&a) != west.contains(&b) {
                    world.set_link(a, b, cross);
                }
            }
        }
        for fault in &self.faults {
            match *fault {
                Fault::IsolateLeader { at, heal } => {
                    let side = [replica_ids[0], client_ids[0]];
                    let rest: Vec<NodeId> =
                        all.iter().copied().filter(|n| !side.contains(n)).collect();
                    world.partition(Partition::between(at, heal, &side, &rest));
                }
                Fault::PartitionFollower { follower, at, heal } => {
                    let f = replica_ids[follower.clamp(1, 2)];
                    let rest: Vec<NodeId> = all.iter().copied().filter(|n| *n != f).collect();
                    world.partition(Partition::between(at, heal, &[f], &rest));
                }
                Fault::DetectorCutOff { at, heal } => {
                    let side = [replica_ids[0], client_ids[0]];
                    world.partition(Partition::between(at, heal, &side, &[monitor_id]));
                }
                Fault::PauseLeader { at, length } => world.pause(at, replica_ids[0], length),
                Fault::CrashLeader { at } => world.crash(at, replica_ids[0]),
            }
        }
        world.run_until(self.duration);
        let wals: Vec<Wal> = replica_ids
            .iter()
            .map(|r| match world.node(*r) {
                Some(Actor::Replica(rep)) => rep.wal().clone(),
                _ => world.durable(*r).wal.clone(),
            })
            .collect();
        Run::from_reports(self.clone(), world.outputs(), wals)
    }
}

/// An acknowledged write that the surviving history does not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct LostWrite {
    /// The client that was told "ok".
    pub client: String,
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// When the client was told, in ms.
    pub acked_ms: f64,
}

/// One lag measurement, as the leader of the moment saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct LagSample {
    /// When, in ms.
    pub at_ms: f64,
    /// The follower's name.
    pub follower: &'static str,
    /// Entries it lacked.
    pub entries: u64,
    /// How old the oldest entry it lacked was, in ms.
    pub ms: f64,
}

/// What reconciling the divergent writes takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconcile {
    /// Divergent writes to keys the new history has not written since: they could be replayed
    /// onto the new leader by a script, if the product says a late write is acceptable.
    pub replayable: Vec<Entry>,
    /// Divergent writes to keys the new history has written since: replaying one would overwrite
    /// a newer acknowledged write, so each needs a rule or a person to decide.
    pub conflicting: Vec<Entry>,
}

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct Run {
    /// What was run.
    pub scenario: Scenario,
    /// The clients' history, as the kernel's recorder holds it.
    pub history: History<KvOp>,
    /// Module 2's checker's answer: is the history linearizable? ([`Run::verdict`] gives the
    /// witness too.)
    pub linearizable: bool,
    /// Writes the clients were told succeeded.
    pub acked_writes: usize,
    /// Writes that timed out (outcome unknown) and that were refused.
    pub unknown_writes: usize,
    /// Writes refused ("not the leader").
    pub refused_writes: usize,
    /// Acknowledged writes missing from the final leader's log: lost.
    pub lost: Vec<LostWrite>,
    /// Writes some replica held and had to cut because the surviving log lacks them.
    pub divergent: Vec<Entry>,
    /// How the divergent writes split between replayable and conflicting.
    pub reconcile: Reconcile,
    /// Promotions: (ms, new leader, epoch, its log length then).
    pub promotions: Vec<(f64, &'static str, u64, u64)>,
    /// Lag, per follower, as measured by whichever replica the detector considered leader.
    pub lag: Vec<LagSample>,
    /// Stale appends refused by fenced followers.
    pub fenced: usize,
    /// Times a semi-sync leader fell back to acknowledging on its own.
    pub fallbacks: usize,
    /// The replica that leads at the end.
    pub final_leader: &'static str,
    /// Latencies of acknowledged writes, in ms, in completion order.
    pub write_latency_ms: Vec<f64>,
}

impl Run {
    fn from_reports(scenario: Scenario, reports: &[Report], wals: Vec<Wal>) -> Run {
        let mut history: History<KvOp> = History::new(CLIENTS.len());
        let mut acked: Vec<LostWrite> = Vec::new();
        let (mut unknown, mut refused) = (0, 0);
        let mut invoked_at = [Time::ZERO; 3];
        let mut write_latency_ms = Vec::new();
        let mut promotions = Vec::new();
        let mut leader_at: Vec<(Time, usize)> = vec![(Time::ZERO, 0)];
        let mut lag_raw: Vec<(Time, usize, usize, u64, f64)> = Vec::new();
        let mut truncated: Vec<Entry> = Vec::new();
        let (mut fenced, mut fallbacks) = (0, 0);
        for r in reports {
            match &r.output {
                Out::Client { client, kind, op } => {
                    history.record(r.at, *client, *kind, op.clone());
                    if *kind == Kind::Invoke {
                        invoked_at[*client] = r.at;
                    }
                    if let KvOp::Put { key, value } = op {
                        match kind {
                            Kind::Ok => {
                                write_latency_ms
                                    .push(r.at.since(invoked_at[*client]).as_millis_f64());
                                acked.push(LostWrite {
                                    client: CLIENTS[*client].to_string(),
                                    key: key.clone(),
                                    value: value.clone(),
                                    acked_ms: r.at.as_millis_f64(),
                                })
                            }
                            Kind::Info => unknown += 1,
                            Kind::Fail => refused += 1,
                            Kind::Invoke => {}
                        }
                    }
                }
                Out::Lag {
                    leader,
                    follower,
                    entries,
                    ms,
                } => lag_raw.push((r.at, leader.index(), follower.index(), *entries, *ms)),
                Out::Promoted { leader, epoch, len } => {
                    promotions.push((r.at.as_millis_f64(), REPLICAS[leader.index()], *epoch, *len));
                    leader_at.push((r.at, leader.index()));
                }
                Out::Truncated { entries, .. } => truncated.extend(entries.iter().cloned()),
                Out::Fenced { .. } => fenced += 1,
                Out::FellBackToAsync { .. } => fallbacks += 1,
                Out::SteppedDown { .. } => {}
            }
        }
        let leader_then = |t: Time| {
            leader_at
                .iter()
                .rev()
                .find(|(at, _)| *at <= t)
                .map(|(_, l)| *l)
                .unwrap_or(0)
        };
        let lag = lag_raw
            .into_iter()
            .filter(|(at, leader, ..)| leader_then(*at) == *leader)
            .map(|(at, _, f, entries, ms)| LagSample {
                at_ms: at.as_millis_f64(),
                follower: REPLICAS[f],
                entries,
                ms: (ms * 10.0).round() / 10.0,
            })
            .collect();
        let final_index = leader_at.last().map(|(_, l)| *l).unwrap_or(0);
        let final_wal = &wals[final_index];
        let acked_writes = acked.len();
        let lost: Vec<LostWrite> = acked
            .into_iter()
            .filter(|w| !final_wal.contains_value(&w.value))
            .collect();
        let mut divergent: Vec<Entry> = Vec::new();
        for e in truncated {
            if !final_wal.contains_value(&e.value) && !divergent.iter().any(|d| d.value == e.value)
            {
                divergent.push(e);
            }
        }
        // Writes still on a replica's log that the final leader lacks are divergent too.
        for (i, wal) in wals.iter().enumerate() {
            if i == final_index {
                continue;
            }
            for e in wal.entries() {
                if !final_wal.contains_value(&e.value)
                    && !divergent.iter().any(|d| d.value == e.value)
                {
                    divergent.push(e.clone());
                }
            }
        }
        let mut reconcile = Reconcile::default();
        for e in &divergent {
            let newer = final_wal
                .entries()
                .iter()
                .any(|f| f.key == e.key && f.epoch > e.epoch);
            if newer {
                reconcile.conflicting.push(e.clone());
            } else {
                reconcile.replayable.push(e.clone());
            }
        }
        Run {
            linearizable: linearizable(&history),
            scenario,
            history,
            acked_writes,
            unknown_writes: unknown,
            refused_writes: refused,
            lost,
            divergent,
            reconcile,
            promotions,
            lag,
            fenced,
            fallbacks,
            final_leader: REPLICAS[final_index],
            write_latency_ms,
        }
    }

    /// Module 2's checker's full verdict, with the witness when the history is not
    /// linearizable. Slower than [`Run::linearizable`]: shrinking the witness re-runs the search.
    pub fn verdict(&self) -> consistency::Verdict {
        verdict(&self.history)
    }

    /// The write latency at quantile `q` (0–1), in ms; 0 with no acknowledged writes.
    pub fn write_latency(&self, q: f64) -> f64 {
        let mut v = self.write_latency_ms.clone();
        if v.is_empty() {
            return 0.0;
        }
        v.sort_by(f64::total_cmp);
        let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
        (v[i] * 10.0).round() / 10.0
    }

    /// The largest lag, in ms, any follower showed (as the leader of the moment measured it).
    pub fn max_lag_ms(&self) -> f64 {
        self.lag.iter().map(|s| s.ms).fold(0.0, f64::max)
    }
}

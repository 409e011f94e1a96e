//! The one node type the kernel runs: a replica, the failure detector, or a client.

use sim::{Context, Input, Node};

use crate::client::Client;
use crate::monitor::Monitor;
use crate::protocol::{Msg, Out, Timer};
use crate::replica::Replica;
use crate::wal::Wal;

/// What survives a crash. Only replicas write to disk: their log, the highest epoch they have
/// seen, and whether they were leading.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    /// The write-ahead log.
    pub wal: Wal,
    /// The highest epoch seen.
    pub epoch: u64,
    /// Whether the replica was leading when it last wrote.
    pub leads: bool,
}

/// A node of the simulation.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Actor {
    /// A database replica.
    Replica(Replica),
    /// The failure detector.
    Monitor(Monitor),
    /// An application client.
    Client(Client),
}

impl Node for Actor {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Disk;
    type Output = Out;

    fn handle(&mut self, input: Input<Msg, Timer>, ctx: &mut Context<'_, Self>) {
        match (self, input) {
            (Actor::Replica(r), Input::Start) => r.start(ctx),
            (Actor::Replica(r), Input::Timer(t)) => r.handle_timer(t, ctx),
            (Actor::Replica(r), Input::Message { from, msg }) => r.handle_msg(from, msg, ctx),
            (Actor::Monitor(m), Input::Start) => m.start(ctx),
            (Actor::Monitor(m), Input::Timer(_)) => m.tick(ctx),
            (Actor::Monitor(m), Input::Message { from, msg }) => m.handle_msg(from, msg, ctx),
            (Actor::Client(c), Input::Start) => c.start(ctx),
            (Actor::Client(c), Input::Timer(t)) => c.handle_timer(t, ctx),
            (Actor::Client(c), Input::Message { msg, .. }) => c.handle_msg(msg, ctx),
        }
    }
}

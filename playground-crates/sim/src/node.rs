//! The protocol side of the kernel: a node is a state machine that takes inputs and returns
//! actions. It never sends, sleeps or writes anything itself.
//!
//! This is the sans-IO style (the same one as tokio's mini-redis parser, or the `quinn-proto`
//! QUIC state machine): the protocol code holds no sockets, clocks or files, so the same code
//! runs in the simulated [`World`](crate::World), in a unit test that feeds it one input by hand,
//! or, with a thin adapter, on a real network. Because the world decides when each input
//! arrives, every interleaving a test finds can be replayed from its seed.

use std::fmt;

use crate::net::NodeId;
use crate::rng::SplitMix64;
use crate::time::{Span, Time};

/// A protocol participant: a replica, a client, a lease holder.
///
/// One world runs one node type; when a protocol has several roles (leader, follower, client),
/// make the node an enum of them. The world builds a node from its durable state (see
/// [`World::add_node`](crate::World::add_node)) when it starts and again after each crash.
pub trait Node {
    /// What nodes send each other. `Clone`, because the network may duplicate a message.
    type Msg: Clone + fmt::Debug;
    /// What a node's timers carry, to tell one timer from another when it fires.
    type Timer: fmt::Debug;
    /// What survives a crash: the node's disk. It starts as `Default`, and only
    /// [`Context::persist`] changes it.
    type Durable: Default;
    /// What the node reports to the experiment (a client's completed operation, a measured
    /// latency, "I am leader now"): the world stamps each with the time and the node.
    type Output;

    /// Reacts to one input. Everything the node wants done goes through `ctx`.
    fn handle(&mut self, input: Input<Self::Msg, Self::Timer>, ctx: &mut Context<'_, Self>);
}

/// What a node reacts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input<M, T> {
    /// The node has just (re)started: set the first timers, send the first messages. A node
    /// gets it when it is added and again after every restart.
    Start,
    /// A message from another node arrived.
    Message {
        /// Who sent it.
        from: NodeId,
        /// What they sent.
        msg: M,
    },
    /// A timer this node set has fired.
    Timer(T),
}

/// Something a node asks the world to do.
pub enum Action<N: Node + ?Sized> {
    /// Send `msg` to `to` through the network (which may delay, drop or duplicate it).
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: N::Msg,
    },
    /// Deliver `timer` back to this node after `after` (on its own clock). A crash discards it:
    /// timers are volatile.
    SetTimer {
        /// How long from now.
        after: Span,
        /// What the timer carries.
        timer: N::Timer,
    },
    /// Replace the node's durable state: a write to disk that has been flushed.
    Persist(N::Durable),
    /// Report something to the experiment.
    Output(N::Output),
}

impl<N> fmt::Debug for Action<N>
where
    N: Node + ?Sized,
    N::Durable: fmt::Debug,
    N::Output: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Send { to, msg } => write!(f, "Send {{ to: {to}, msg: {msg:?} }}"),
            Action::SetTimer { after, timer } => {
                write!(f, "SetTimer {{ after: {after}, timer: {timer:?} }}")
            }
            Action::Persist(durable) => write!(f, "Persist({durable:?})"),
            Action::Output(output) => write!(f, "Output({output:?})"),
        }
    }
}

/// What a node sees while it handles one input, and where it puts its actions.
///
/// `now` is the node's view of the clock, and `rng` the run's generator (for randomized
/// timeouts, say): a node that needs either takes them from here, never from the real machine,
/// or its runs would stop being reproducible.
pub struct Context<'a, N: Node + ?Sized> {
    me: NodeId,
    now: Time,
    rng: &'a mut SplitMix64,
    actions: Vec<Action<N>>,
}

impl<'a, N: Node + ?Sized> Context<'a, N> {
    /// A context for node `me` whose clock reads `now`. The world makes one per input; a unit
    /// test makes one
    /// to feed a node an input by hand and look at [`actions`](Self::actions).
    pub fn new(me: NodeId, now: Time, rng: &'a mut SplitMix64) -> Self {
        Self {
            me,
            now,
            rng,
            actions: Vec::new(),
        }
    }

    /// The node handling the input.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// The time on this node's clock: the true virtual time, unless the world skews the node's
    /// clock ([`World::set_clock`](crate::World::set_clock)). Timers are measured on it too.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The run's seeded generator.
    pub fn rng(&mut self) -> &mut SplitMix64 {
        self.rng
    }

    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: N::Msg) {
        self.actions.push(Action::Send { to, msg });
    }

    /// Asks for `timer` to come back as [`Input::Timer`] after `after`.
    ///
    /// There is no cancel: a node that no longer wants a timer ignores it when it fires, for
    /// example by putting a counter in it and comparing with the current one.
    pub fn set_timer(&mut self, after: Span, timer: N::Timer) {
        self.actions.push(Action::SetTimer { after, timer });
    }

    /// Makes `durable` the state this node will restart from after a crash.
    pub fn persist(&mut self, durable: N::Durable) {
        self.actions.push(Action::Persist(durable));
    }

    /// Reports `output` to the experiment.
    pub fn output(&mut self, output: N::Output) {
        self.actions.push(Action::Output(output));
    }

    /// The actions asked for so far, in order.
    pub fn actions(&self) -> &[Action<N>] {
        &self.actions
    }

    /// Takes the actions out, leaving none.
    pub fn take_actions(&mut self) -> Vec<Action<N>> {
        std::mem::take(&mut self.actions)
    }
}

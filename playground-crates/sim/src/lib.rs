//! `sim`: the course's deterministic simulation kernel, shared by every companion crate.
//!
//! Each module of the course runs a distributed protocol in a simulation, and every one of them
//! needs the same plumbing: a seeded random generator, a virtual clock, an event queue, and a
//! network that delays, loses, duplicates and reorders messages, splits into partitions and lets
//! nodes crash. This crate is that plumbing, written once, small enough to read in one sitting:
//!
//! | module | what it holds |
//! |---|---|
//! | [`rng`] | [`SplitMix64`], the one seeded generator, and its distributions (uniform, exponential, normal, [`Zipf`], Bernoulli) |
//! | [`time`] | [`Time`] and [`Span`] in whole microseconds, the [`EventQueue`] (FIFO on ties), and a node's skewed [`Clock`] |
//! | [`net`] | [`NodeId`], a [`Link`]'s [`Delay`] and faults, scheduled [`Partition`]s |
//! | [`node`] | the [`Node`] trait: protocol code as a state machine, [`Input`]s in, [`Action`]s out |
//! | [`world`] | the [`World`] that drives the nodes through the network and the clock, with crashes, restarts, pauses and clock skew |
//! | [`history`] | a [`History`] of client operations, written in Jepsen's log formats |
//!
//! Why deterministic: a distributed bug shows up in one interleaving in a million. A run here is
//! a pure function of its seed and its scenario, so the interleaving that broke a protocol can be
//! replayed, printed and stepped through, and a number quoted in the book is the same on every
//! reader's machine.
//!
//! # A protocol in twenty lines
//!
//! A node that pings its peer every 10 ms and counts the pongs it got. The count is kept on disk,
//! so it survives the crash; the peer is partitioned away for a while.
//!
//! ```
//! use sim::{Context, Input, Node, NodeId, Partition, Span, Time, World};
//!
//! #[derive(Default)]
//! struct Pinger {
//!     pongs: u64, // volatile copy; the durable one is World::durable
//! }
//!
//! impl Node for Pinger {
//!     type Msg = &'static str;
//!     type Timer = ();
//!     type Durable = u64;
//!     type Output = u64;
//!
//!     fn handle(&mut self, input: Input<&'static str, ()>, ctx: &mut Context<'_, Self>) {
//!         let peer = NodeId::new(1 - ctx.me().index());
//!         match input {
//!             Input::Start | Input::Timer(()) => {
//!                 ctx.send(peer, "ping");
//!                 ctx.set_timer(Span::from_millis(10), ());
//!             }
//!             Input::Message { from, msg: "ping" } => ctx.send(from, "pong"),
//!             Input::Message { .. } => {
//!                 self.pongs += 1;
//!                 ctx.persist(self.pongs);
//!                 ctx.output(self.pongs);
//!             }
//!         }
//!     }
//! }
//!
//! let mut world = World::new(7);
//! let a = world.add_node("a", |disk: &u64| Pinger { pongs: *disk });
//! let b = world.add_node("b", |disk: &u64| Pinger { pongs: *disk });
//! world.partition(Partition::between(Time::from_millis(30), Time::from_millis(60), &[a], &[b]));
//! world.crash(Time::from_millis(75), a);
//! world.restart(Time::from_millis(80), a);
//! world.run_until(Time::from_millis(100));
//!
//! // Pings at 0, 10, 20 get answered; 30..60 are cut; 60, 70 answered; a is down 75..80;
//! // after the restart it pings at 80 and 90.
//! assert_eq!(*world.durable(a), 7);
//! assert!(world.stats().cut > 0);
//! ```
//!
//! `cargo run -p sim --example echo` runs a longer one (a client retrying an echo server through
//! loss, a partition and a server crash) and prints its trace.

pub mod history;
pub mod net;
pub mod node;
pub mod rng;
pub mod time;
pub mod world;

pub use history::{Entry, History, JepsenLine, Kind, KvOp, RegisterOp};
pub use net::{Delay, Fate, Link, Network, NodeId, Partition};
pub use node::{Action, Context, Input, Node};
pub use rng::{SplitMix64, Zipf};
pub use time::{Clock, EventQueue, Span, Time};
pub use world::{Record, Stats, World};

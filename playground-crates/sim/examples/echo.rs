//! A client that keeps asking an echo server to apply numbered requests, retrying until each is
//! answered, through a lossy link, a partition and a server crash.
//!
//! The server remembers on disk the last request it applied, so a retry of an applied request is
//! answered without applying it twice, even after a crash; what it only kept in memory (how many
//! replies it sent) starts again from zero. Run it with
//! `cargo run -p sim --example echo` (add `-- trace` to print every event).

use sim::{Context, Input, Link, Node, NodeId, Partition, Span, Time, World};

const CLIENT: NodeId = NodeId::new(0);
const SERVER: NodeId = NodeId::new(1);
const RETRY_AFTER: Span = Span::from_millis(20);

#[derive(Clone, Debug)]
enum Msg {
    Request(u64),
    Reply(u64),
}

/// The two roles of the protocol: one node type, an enum of them.
enum Echo {
    Client { next: u64 },
    Server { applied: u64, replies_sent: u64 },
}

/// The server's disk: the last request number it applied.
#[derive(Default)]
struct Disk {
    applied: u64,
}

/// What the experiment is told.
#[derive(Debug)]
enum Report {
    /// The client got the reply to this request.
    Done(u64),
    /// The server applied this request for the first time.
    Applied(u64),
}

impl Node for Echo {
    type Msg = Msg;
    /// A retry timer for this request number.
    type Timer = u64;
    type Durable = Disk;
    type Output = Report;

    fn handle(&mut self, input: Input<Msg, u64>, ctx: &mut Context<'_, Self>) {
        match self {
            Echo::Client { next } => match input {
                Input::Start => {
                    ctx.send(SERVER, Msg::Request(*next));
                    ctx.set_timer(RETRY_AFTER, *next);
                }
                // Only the timer of the request still outstanding matters; older ones are stale.
                Input::Timer(request) if request == *next => {
                    ctx.send(SERVER, Msg::Request(request));
                    ctx.set_timer(RETRY_AFTER, request);
                }
                Input::Message {
                    msg: Msg::Reply(request),
                    ..
                } if request == *next => {
                    ctx.output(Report::Done(request));
                    *next += 1;
                    ctx.send(SERVER, Msg::Request(*next));
                    ctx.set_timer(RETRY_AFTER, *next);
                }
                _ => {} // a stale timer, or a duplicate reply
            },
            Echo::Server {
                applied,
                replies_sent,
            } => {
                if let Input::Message {
                    from,
                    msg: Msg::Request(request),
                } = input
                {
                    if request > *applied {
                        *applied = request;
                        ctx.persist(Disk { applied: request });
                        ctx.output(Report::Applied(request));
                    }
                    *replies_sent += 1;
                    ctx.send(from, Msg::Reply(request));
                }
            }
        }
    }
}

fn main() {
    let trace = std::env::args().any(|arg| arg == "trace");
    let mut world = World::new(42);
    if trace {
        world.enable_trace();
    }
    world.set_default_link(
        Link::new(sim::Delay::Exponential {
            min: Span::from_millis(2),
            mean_extra: Span::from_millis(3),
        })
        .with_loss(0.2)
        .with_duplication(0.05),
    );
    world.add_node("client", |_: &Disk| Echo::Client { next: 1 });
    world.add_node("server", |disk: &Disk| Echo::Server {
        applied: disk.applied,
        replies_sent: 0,
    });
    world.partition(Partition::between(
        Time::from_millis(100),
        Time::from_millis(250),
        &[CLIENT],
        &[SERVER],
    ));
    world.crash(Time::from_millis(400), SERVER);
    world.restart(Time::from_millis(480), SERVER);
    world.run_until(Time::from_secs(1));

    for line in world.trace() {
        println!("{line}");
    }
    let answered: Vec<u64> = world
        .outputs()
        .iter()
        .filter_map(|record| match record.output {
            Report::Done(request) => Some(request),
            Report::Applied(_) => None,
        })
        .collect();
    let applied: Vec<u64> = world
        .outputs()
        .iter()
        .filter_map(|record| match record.output {
            Report::Applied(request) => Some(request),
            Report::Done(_) => None,
        })
        .collect();
    println!(
        "requests answered: {}; applied: {} (each once: {})",
        answered.len(),
        applied.len(),
        applied.iter().copied().eq(1..=applied.len() as u64)
    );
    let Some(Echo::Server { replies_sent, .. }) = world.node(SERVER) else {
        unreachable!("the server restarted at 480 ms");
    };
    println!(
        "server disk: last applied #{}; replies sent since its restart: {replies_sent}",
        world.durable(SERVER).applied
    );
    println!("{:?}", world.stats());
}

//! The driver's promises about faults: what a crash loses and keeps, what a pause delays, what a
//! partition cuts. Each test runs a tiny protocol whose behaviour is easy to predict by hand.

use sim::{Context, Delay, Input, Link, Node, NodeId, Partition, Span, Time, World};

const A: NodeId = NodeId::new(0);
const B: NodeId = NodeId::new(1);

/// Counts the messages it receives, both in memory and (when told to) on disk, and ticks a timer
/// every 10 ms that sends its peer a message.
#[derive(Debug)]
struct Counter {
    received: u64,
    durable_writes: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Disk {
    received: u64,
}

impl Node for Counter {
    type Msg = u64;
    type Timer = u64;
    type Durable = Disk;
    type Output = (Time, u64);

    fn handle(&mut self, input: Input<u64, u64>, ctx: &mut Context<'_, Self>) {
        let peer = NodeId::new(1 - ctx.me().index());
        match input {
            Input::Start => ctx.set_timer(Span::from_millis(10), 1),
            Input::Timer(n) => {
                ctx.send(peer, n);
                ctx.set_timer(Span::from_millis(10), n + 1);
            }
            Input::Message { msg, .. } => {
                self.received += 1;
                if self.durable_writes {
                    ctx.persist(Disk {
                        received: self.received,
                    });
                }
                let now = ctx.now();
                ctx.output((now, msg));
            }
        }
    }
}

/// Two counters on 1 ms links; `b` persists what it counts, `a` does not.
fn pair() -> World<Counter> {
    let mut world = World::new(1);
    world.add_node("a", |_: &Disk| Counter {
        received: 0,
        durable_writes: false,
    });
    world.add_node("b", |disk: &Disk| Counter {
        received: disk.received,
        durable_writes: true,
    });
    world
}

fn received_by(world: &World<Counter>, node: NodeId) -> Vec<(Time, u64)> {
    world
        .outputs()
        .iter()
        .filter(|record| record.node == node)
        .map(|record| record.output)
        .collect()
}

#[test]
fn a_crash_loses_memory_and_keeps_the_disk() {
    let mut world = pair();
    world.crash(Time::from_millis(55), A);
    world.crash(Time::from_millis(55), B);
    world.restart(Time::from_millis(60), A);
    world.restart(Time::from_millis(60), B);
    world.run_until(Time::from_millis(100));
    // Each received 5 messages (sent at 10..50 ms) before the crash, then 3 after the restart
    // (sent at 70, 80, 90 ms; the one sent at 100 ms arrives after the run).
    assert_eq!(world.node(A).unwrap().received, 3, "a kept nothing");
    assert_eq!(
        world.node(B).unwrap().received,
        8,
        "b restarted from 5 on disk"
    );
    assert_eq!(world.durable(B), &Disk { received: 8 });
    assert_eq!(world.durable(A), &Disk::default());
}

#[test]
fn timers_set_before_a_crash_do_not_fire_after_the_restart() {
    let mut world = pair();
    world.crash(Time::from_millis(15), A);
    world.restart(Time::from_millis(16), A);
    world.run_until(Time::from_millis(40));
    // a's first life sent 1 at 10 ms; its timer for 20 ms died with it. Its second life starts
    // counting again at 1, at 26 and 36 ms. A stale timer firing would show as a message 2 at 20 ms.
    let at_b: Vec<u64> = received_by(&world, B).iter().map(|&(_, n)| n).collect();
    assert_eq!(at_b, [1, 1, 2]);
}

#[test]
fn messages_to_a_down_node_are_dropped_not_queued() {
    let mut world = pair();
    world.crash(Time::from_millis(5), B);
    world.restart(Time::from_millis(45), B);
    world.run_until(Time::from_millis(52));
    // a sent at 10, 20, 30, 40 while b was down, and at 50 (arrives 51) after.
    assert_eq!(received_by(&world, B), [(Time::from_millis(51), 5)]);
    assert_eq!(world.stats().to_down_node, 4);
}

#[test]
fn a_paused_node_handles_everything_late_and_in_order() {
    let mut world = pair();
    world.pause(Time::from_millis(5), B, Span::from_millis(40));
    world.run_until(Time::from_millis(46));
    // a's messages of 10, 20, 30, 40 ms waited in b's buffer until the pause ended at 45 ms.
    let late: Vec<(Time, u64)> = (1..=4).map(|n| (Time::from_millis(45), n)).collect();
    assert_eq!(received_by(&world, B), late);
    // And b's own timer (due at 10 ms) fired late too: its first message reached a at 46 ms.
    assert_eq!(received_by(&world, A), [(Time::from_millis(46), 1)]);
}

#[test]
fn isolate_cuts_a_node_off_until_the_heal() {
    let mut world = pair();
    world.isolate(A, Time::from_millis(15), Time::from_millis(35));
    world.run_until(Time::from_millis(52));
    let at_b: Vec<u64> = received_by(&world, B).iter().map(|&(_, n)| n).collect();
    assert_eq!(at_b, [1, 4, 5], "2 and 3 were sent inside the partition");
    assert_eq!(world.stats().cut, 4, "both directions");
}

#[test]
fn a_message_in_flight_when_the_link_is_cut_is_lost() {
    let mut world = pair();
    world.set_default_link(Link::new(Delay::Fixed(Span::from_millis(8))));
    // a sends at 10 ms, arriving at 18 ms; the cut starts at 12 ms.
    world.partition(Partition::one_way(
        Time::from_millis(12),
        Time::from_millis(20),
        &[A],
        &[B],
    ));
    world.run_until(Time::from_millis(30));
    let at_b: Vec<u64> = received_by(&world, B).iter().map(|&(_, n)| n).collect();
    assert_eq!(
        at_b,
        [2],
        "1 was cut on arrival; 2 was sent at 20 ms, after the heal"
    );
    assert_eq!(
        received_by(&world, A).len(),
        2,
        "the other direction still works"
    );
}

#[test]
fn send_at_injects_a_message_through_the_network() {
    let mut world = pair();
    world.send_at(Time::from_millis(3), A, B, 99);
    world.run_until(Time::from_millis(5));
    assert_eq!(received_by(&world, B), [(Time::from_millis(4), 99)]);
}

#[test]
fn the_trace_tells_the_story() {
    let mut world = pair();
    world.enable_trace();
    world.crash(Time::from_millis(12), B);
    world.run_until(Time::from_millis(12));
    assert_eq!(
        world.trace(),
        [
            "t=0us  a: start",
            "t=0us  b: start",
            "t=10ms  a: timer 1",
            "t=10ms  a -> b  1  arrives t=11ms",
            "t=10ms  b: timer 1",
            "t=10ms  b -> a  1  arrives t=11ms",
            "t=11ms  b <- a  1",
            "t=11ms  b: persist",
            "t=11ms  a <- b  1",
            "t=12ms  b: crash",
        ]
    );
}

#[test]
fn a_node_can_be_unit_tested_without_a_world() {
    let mut rng = sim::SplitMix64::new(0);
    let mut node = Counter {
        received: 0,
        durable_writes: true,
    };
    let mut ctx = Context::new(A, Time::from_millis(7), &mut rng);
    node.handle(Input::Message { from: B, msg: 3 }, &mut ctx);
    assert_eq!(
        format!("{:?}", ctx.actions()),
        "[Persist(Disk { received: 1 }), Output((Time(7000), 3))]"
    );
}

#[test]
fn a_skewed_clock_shows_in_now_and_in_timers() {
    let mut world = pair();
    // From 5 ms on, a's clock is 1 s ahead and runs 10% fast.
    let skewed = sim::Clock::ahead(Span::from_secs(1)).with_drift_ppm(100_000);
    world.set_clock(Time::from_millis(5), A, skewed);
    world.run_until(Time::from_millis(30));
    // a's Start timer (set at 0 ms on a true clock) still fires at 10 ms; the next one, 10 ms on
    // a's fast clock, lasts 9.090 true ms. The outputs are stamped with the node's own clock...
    let at_b: Vec<Time> = received_by(&world, B).iter().map(|&(at, _)| at).collect();
    assert_eq!(
        at_b,
        [11_000, 20_090, 29_180].map(Time::from_micros),
        "a, running fast, sends every 9.09 true ms"
    );
    let at_a: Vec<Time> = received_by(&world, A).iter().map(|&(at, _)| at).collect();
    assert_eq!(
        at_a[0],
        Time::from_micros(1_000_000 + 11_000 + 1_100),
        "a reads 1 s + 10% ahead"
    );
    // ...while the world's own records use the true time.
    assert_eq!(world.outputs()[0].at, Time::from_millis(11));
}

//! Prints the figures the chapter quotes: `cargo run -p coordination --example figures`.

use coordination::pause::{run, sweep, Event, PauseScenario};
use coordination::raft::{cluster, submit, Command, Report};
use coordination::redlock::{self, Expiry, LockScenario};
use sim::Time;

fn main() {
    for fencing in [false, true] {
        let r = run(&PauseScenario {
            fencing,
            ..PauseScenario::default()
        });
        println!(
            "fencing {fencing}: stale accepted {}, refused {}, final {} (expected {}), linearizable {}",
            r.stale_accepted, r.refused, r.final_value, r.expected_value, r.linearizable
        );
        for (at, e) in &r.events {
            if !matches!(e, Event::History { .. }) {
                println!("  {at} {e:?}");
            }
        }
        if let Some(w) = &r.witness {
            println!("  witness: {w}");
        }
        println!("{}", r.jepsen);
        println!("{:?}", sweep(7, 1000, fencing));
    }
    for expiry in [Expiry::WallClock, Expiry::Monotonic] {
        for jump in [0, 500, 2000] {
            let r = redlock::run(&LockScenario::clock_jump(jump, expiry));
            println!(
                "redlock {expiry:?} jump {jump}: holds {:?} overlap {}",
                r.holds, r.overlap
            );
            let s = redlock::run(&LockScenario::single_node_jump(jump, expiry));
            println!(
                "single {expiry:?} jump {jump}: holds {:?} overlap {}",
                s.holds, s.overlap
            );
        }
    }
    let mut world = cluster(5, 7);
    world.run_until(Time::from_millis(1000));
    submit(
        &mut world,
        Time::from_millis(1000),
        Command::Acquire { client: 1 },
    );
    world.run_until(Time::from_millis(1500));
    let leader = world
        .node_ids()
        .into_iter()
        .find(|&n| world.node(n).is_some_and(|r| r.is_leader()))
        .unwrap();
    world.crash(Time::from_millis(1500), leader);
    submit(
        &mut world,
        Time::from_millis(2000),
        Command::Release { client: 1 },
    );
    submit(
        &mut world,
        Time::from_millis(2100),
        Command::Acquire { client: 2 },
    );
    world.run_until(Time::from_millis(3000));
    for r in world.outputs() {
        if let Report::Leader { .. } = r.output {
            println!("{} {} {:?}", r.at, world.name(r.node), r.output);
        }
        if let Report::Granted { .. } = r.output {
            println!("{} {} {:?}", r.at, world.name(r.node), r.output);
        }
    }
}

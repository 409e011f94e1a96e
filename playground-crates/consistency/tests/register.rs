//! The replicated register under the Dial's scripted workload (three clients, F2 and C2 cut off
//! from L and F1 from 150 ms to 400 ms): the numbers the chapter quotes are pinned here.

use consistency::register::{run, Level, Run, Scenario};
use consistency::session::{self, AnomalyKind, Bound};
use consistency::{check, parse};

fn at(read_level: Level, write_level: Level) -> Run {
    run(&Scenario {
        read_level,
        write_level,
        ..Scenario::default()
    })
}

fn read_row(r: &Run) -> (usize, usize, f64) {
    let row = r.latency.iter().find(|l| !l.writes).unwrap();
    (
        row.completed,
        row.timed_out,
        (row.mean_ms * 10.0).round() / 10.0,
    )
}

#[test]
fn a_correct_register_passes_the_checker_and_pays_in_latency_and_availability() {
    let r = at(Level::Linearizable, Level::Linearizable);
    assert!(r.verdict.is_linearizable(), "{:?}", r.verdict);
    assert!(r.anomalies.is_empty(), "{:?}", r.anomalies);
    // C2 cannot reach the leader during the partition: its reads time out (PC), and every read
    // costs a round trip to the leader and a probe of the followers (EC).
    assert_eq!(read_row(&r), (22, 2, 33.6));
    let timed_out: Vec<usize> = r
        .ops
        .iter()
        .filter(|op| op.outcome != "ok")
        .map(|op| op.client)
        .collect();
    assert!(timed_out.iter().all(|&c| c == 2), "{timed_out:?}");
}

#[test]
fn the_same_register_with_stale_follower_reads_fails_the_checker() {
    let r = run(&Scenario {
        serve_stale_reads: true,
        ..Scenario::default()
    });
    let w = r
        .verdict
        .witness()
        .expect("stale follower reads are not linearizable");
    assert!(
        w.minimal.iter().any(|op| op.text.starts_with("read")),
        "{w}"
    );
    // The history went through the kernel's recorder in Jepsen's format: our parser reads it
    // back and the checker says the same.
    let reparsed = parse("sim.log", &r.jepsen).unwrap();
    assert!(!check(&reparsed).is_linearizable());
}

#[test]
fn the_jepsen_text_of_a_correct_run_checks_linearizable_too() {
    let r = at(Level::Linearizable, Level::Linearizable);
    assert!(r.jepsen.contains("jepsen.util"));
    assert!(check(&parse("sim.log", &r.jepsen).unwrap()).is_linearizable());
}

#[test]
fn sequential_stays_available_under_the_partition_and_serves_stale_reads() {
    let r = at(Level::Sequential, Level::Linearizable);
    assert_eq!(read_row(&r), (24, 0, 2.0));
    assert_eq!(r.seen(AnomalyKind::StaleRead).len(), 4);
    assert!(r.seen(AnomalyKind::LostOwnWrite).is_empty());
    assert!(r.seen(AnomalyKind::NonMonotonicRead).is_empty());
    assert!(!r.verdict.is_linearizable());
}

#[test]
fn eventual_reads_show_all_three_anomalies() {
    let r = at(Level::Eventual, Level::Linearizable);
    assert_eq!(r.seen(AnomalyKind::StaleRead).len(), 1);
    assert_eq!(r.seen(AnomalyKind::NonMonotonicRead).len(), 1);
    assert_eq!(r.seen(AnomalyKind::LostOwnWrite).len(), 1);
}

#[test]
fn each_session_guarantee_holds_at_its_level_and_breaks_at_eventual() {
    // Over several seeds, so the property is not one lucky schedule.
    let mut broken = [0usize; 3];
    for seed in 1..=8 {
        let scenario = |read_level| Scenario {
            read_level,
            write_level: Level::Eventual,
            seed,
            ..Scenario::default()
        };
        let ryw = run(&scenario(Level::ReadYourWrites)).observations();
        assert!(session::read_your_writes(&ryw).is_empty(), "seed {seed}");
        let mono = run(&scenario(Level::MonotonicReads)).observations();
        assert!(session::monotonic_reads(&mono).is_empty(), "seed {seed}");
        let eventual = run(&scenario(Level::Eventual)).observations();
        broken[0] += session::read_your_writes(&eventual).len();
        broken[1] += session::monotonic_reads(&eventual).len();
        // Bounded staleness holds with writes that wait for a majority.
        let bounded = run(&Scenario {
            read_level: Level::BoundedStaleness(Bound::Millis(50)),
            write_level: Level::Linearizable,
            seed,
            ..Scenario::default()
        })
        .observations();
        assert!(
            session::bounded_staleness(&bounded, Bound::Millis(50)).is_empty(),
            "seed {seed}"
        );
        let eventual_lin_writes = run(&Scenario {
            read_level: Level::Eventual,
            write_level: Level::Linearizable,
            seed,
            ..Scenario::default()
        })
        .observations();
        broken[2] += session::bounded_staleness(&eventual_lin_writes, Bound::Millis(50)).len();
    }
    assert!(broken.iter().all(|&n| n > 0), "{broken:?}");
}

#[test]
fn without_a_partition_every_level_is_available() {
    for level in Level::ALL {
        let r = run(&Scenario {
            read_level: level,
            partition: None,
            ..Scenario::default()
        });
        assert!(
            r.ops.iter().all(|op| op.outcome == "ok"),
            "{}",
            level.name()
        );
    }
}

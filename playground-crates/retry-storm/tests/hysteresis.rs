//! Hysteresis, pinned: the load at which a trigger tips the system is far above the load at which
//! a collapsed system recovers, and capacity added to a collapsed system must beat the retries'
//! amplification (4 attempts per request), not just the users' load. Module 7's retry-storms page
//! quotes these figures.

use std::time::Duration;

use retry_storm::{Scenario, Simulation};

const SECOND: Duration = Duration::from_secs(1);

fn tips_at(load: f64) -> bool {
    Simulation::run(Scenario::metastable().with_load(load), 60 * SECOND).collapsed()
}

/// Collapses the 700 req/s system, holds `load` on `capacity` for two minutes, then returns to
/// 700 on 1,000 for a minute: (recovered during the push, collapsed at the end).
fn push(load: f64, capacity: f64) -> (bool, bool) {
    let mut run = Simulation::new(Scenario::metastable());
    run.advance(30 * SECOND);
    assert!(run.collapsed(), "collapsed before the push");
    run.scenario_mut().load = load;
    run.scenario_mut().capacity = capacity;
    run.advance(120 * SECOND);
    let recovered = !run.collapsed();
    run.scenario_mut().load = 700.0;
    run.scenario_mut().capacity = 1000.0;
    run.advance(60 * SECOND);
    (recovered, run.collapsed())
}

#[test]
fn the_dip_tips_it_at_390_req_s_not_380() {
    assert!(!tips_at(380.0));
    assert!(tips_at(390.0), "39% of capacity is enough");
}

#[test]
fn once_collapsed_it_recovers_only_at_240_req_s_or_less() {
    assert_eq!(push(300.0, 1000.0), (false, true));
    assert_eq!(
        push(250.0, 1000.0),
        (false, true),
        "250 × 4 attempts = capacity"
    );
    assert_eq!(
        push(240.0, 1000.0),
        (true, false),
        "recovers, then holds at 700"
    );
    assert_eq!(push(200.0, 1000.0), (true, false));
}

#[test]
fn capacity_must_beat_the_amplified_load() {
    assert_eq!(push(700.0, 1500.0), (false, true), "1.5x does nothing");
    assert_eq!(
        push(700.0, 2500.0),
        (false, true),
        "2.5x < 2,800 attempts/s"
    );
    assert_eq!(
        push(700.0, 3000.0),
        (true, false),
        "3x gets out, and 1x then holds"
    );
}

//! When a single-node lock and a five-node Redlock give two clients the lock at once.

use coordination::redlock::{run, Expiry, LockScenario};
use sim::Span;

#[test]
fn the_debates_clock_jump_gives_two_clients_the_redlock() {
    let r = run(&LockScenario::clock_jump(2_000, Expiry::WallClock));
    assert_eq!(r.holds.len(), 2, "{:?}", r.reports);
    assert!(r.two_holders());
    assert_eq!(r.overlap, Span::from_millis(638));
}

#[test]
fn a_small_jump_or_a_monotonic_expiry_keeps_one_holder() {
    assert!(!run(&LockScenario::clock_jump(500, Expiry::WallClock)).two_holders());
    let r = run(&LockScenario::clock_jump(2_000, Expiry::Monotonic));
    assert_eq!(r.holds.len(), 1);
    assert!(!r.two_holders());
}

#[test]
fn one_node_is_broken_by_the_same_jump() {
    assert!(run(&LockScenario::single_node_jump(2_000, Expiry::WallClock)).two_holders());
    assert!(!run(&LockScenario::single_node_jump(2_000, Expiry::Monotonic)).two_holders());
}

#[test]
fn a_node_that_restarts_without_its_keys_breaks_the_majority_too() {
    // No clock jump: node C crashes at 200 ms and is back at 250 ms with no keys (no fsync),
    // which the Redis documentation answers with delayed restarts.
    let scenario = LockScenario {
        clock_jump: None,
        crash: Some((2, 200, 250)),
        ..LockScenario::clock_jump(0, Expiry::Monotonic)
    };
    assert!(run(&scenario).two_holders());
}

#[test]
fn without_faults_the_second_client_is_refused() {
    let scenario = LockScenario {
        clock_jump: None,
        ..LockScenario::clock_jump(0, Expiry::WallClock)
    };
    let r = run(&scenario);
    assert_eq!(r.holds.len(), 1);
}

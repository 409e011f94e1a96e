//! The pause that breaks a lock, judged by Module 2's checker.

use coordination::pause::{run, sweep, Event, PauseScenario};
use coordination::{LeaseLock, Storage};
use proptest::prelude::*;
use sim::{Span, Time};

fn tokens(events: &[(Time, Event)]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Granted { token, .. } => Some(*token),
            _ => None,
        })
        .collect()
}

#[test]
fn without_fencing_the_stale_write_lands_and_the_history_is_not_linearizable() {
    let r = run(&PauseScenario::default());
    assert_eq!(tokens(&r.events), vec![33, 34]);
    assert_eq!(r.stale_accepted, 1);
    assert_eq!(r.final_value, 1, "client 2's increment was overwritten");
    assert_eq!(r.expected_value, 2);
    assert!(!r.linearizable);
    assert!(r.witness.unwrap().contains("cas 0→1"));
    assert!(r.jepsen.contains(":ok\t:cas\t[0 1]"));
}

#[test]
fn with_fencing_the_storage_refuses_33_and_the_history_is_linearizable() {
    let r = run(&PauseScenario {
        fencing: true,
        ..PauseScenario::default()
    });
    assert_eq!(
        tokens(&r.events),
        vec![33, 34, 35],
        "client 1 retries with 35"
    );
    assert_eq!(r.stale_accepted, 0);
    assert_eq!(r.refused, 1);
    assert_eq!(r.final_value, 2);
    assert!(r.linearizable, "{:?}", r.witness);
    assert!(r.jepsen.contains(":fail\t:cas\t[0 1]"));
}

#[test]
fn without_a_pause_both_versions_are_correct() {
    for fencing in [false, true] {
        let r = run(&PauseScenario {
            fencing,
            pause: None,
            ..PauseScenario::default()
        });
        assert_eq!(r.final_value, 2);
        assert!(r.linearizable);
        assert_eq!(tokens(&r.events), vec![33, 34]);
    }
}

#[test]
fn a_lock_clock_that_jumps_forward_ends_the_lease_early_and_fencing_still_holds() {
    // No pause at all: the lock service's clock jumps 2 s ahead while client 1 works, so client
    // 2 gets the lock at its first retry. That is the failure mode of the lease itself: the
    // timeout that frees a crashed holder's lock also frees a live one's.
    let scenario = PauseScenario {
        pause: None,
        lock_clock_jump: Some((8, 2_000)),
        work_ms: 400,
        ..PauseScenario::default()
    };
    let unfenced = run(&scenario);
    assert_eq!(unfenced.final_value, 1);
    assert!(!unfenced.linearizable);
    let fenced = run(&PauseScenario {
        fencing: true,
        ..scenario
    });
    assert_eq!(fenced.final_value, 2);
    assert!(fenced.linearizable);
}

#[test]
fn a_lock_service_that_forgets_its_counter_fences_out_everyone() {
    // Tokens must survive the lock service's restarts: a counter that starts again at 1 gives
    // tokens the storage refuses forever, a lock nobody can use.
    let mut storage = Storage::new(0, true);
    storage.write(34, 1).unwrap();
    let mut restarted = LeaseLock::new(Span::from_secs(1), 1);
    let grant = restarted.acquire(3, Time::ZERO).unwrap();
    assert_eq!(grant.token, 1);
    assert!(storage.write(grant.token, 2).is_err());
    assert_eq!(storage.value(), 1);
}

#[test]
fn the_sweep_finds_stale_writes_only_without_fencing() {
    let unfenced = sweep(7, 200, false);
    assert!(unfenced.stale_accepted > 50, "{unfenced:?}");
    assert_eq!(unfenced.corrupted, unfenced.not_linearizable);
    let fenced = sweep(7, 200, true);
    assert_eq!(fenced.stale_accepted, 0);
    assert_eq!(fenced.corrupted, 0);
    assert_eq!(fenced.not_linearizable, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn with_fencing_every_pause_gives_a_linearizable_history(
        seed in any::<u64>(), at in 0u64..40, length in 0u64..4_000
    ) {
        let r = run(&PauseScenario { seed, fencing: true, pause: Some((at, length)), ..PauseScenario::default() });
        prop_assert_eq!(r.stale_accepted, 0);
        prop_assert!(r.linearizable, "{:?}", r.witness);
        prop_assert_eq!(r.final_value, r.expected_value);
    }

    #[test]
    fn without_fencing_a_pause_after_the_read_that_outlasts_the_successor_corrupts(
        seed in any::<u64>(), length in 1_300u64..4_000
    ) {
        let r = run(&PauseScenario { seed, pause: Some((8, length)), ..PauseScenario::default() });
        prop_assert_eq!(r.stale_accepted, 1);
        prop_assert!(!r.linearizable);
        prop_assert_eq!(r.final_value, 1);
    }
}

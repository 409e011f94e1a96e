//! What each replication mode loses on failover, what fencing prevents, and what the checker says.

use proptest::prelude::*;
use replication::{Config, Fault, Mode, Scenario, Span, Time};

fn cut(at: u64, heal: u64) -> Fault {
    Fault::DetectorCutOff {
        at: Time::from_millis(at),
        heal: Time::from_millis(heal),
    }
}

#[test]
fn async_failover_loses_acknowledged_writes_and_fails_the_check_with_a_witness() {
    let run = Scenario::failover(Mode::Async).run();
    assert!(run.lost.len() >= 5, "lost {}", run.lost.len());
    // Every lost write was acknowledged to the client cut off with the old leader.
    assert!(run.lost.iter().all(|w| w.client == "app-east-a"));
    assert!(!run.linearizable);
    let verdict = run.verdict();
    let witness = verdict.witness().expect("a witness");
    assert!(!witness.minimal.is_empty());
    // The witness names a write that `app-east-a` (process 0) was told succeeded.
    assert!(
        witness
            .minimal
            .iter()
            .any(|op| op.process == 0 && op.text.contains("put")),
        "{witness}"
    );
}

#[test]
fn fenced_sync_failover_loses_nothing_and_is_linearizable() {
    let run = Scenario::failover(Mode::Sync).run();
    assert!(run.lost.is_empty());
    assert!(run.linearizable);
    assert!(run.verdict().is_linearizable());
    // The cut-off leader's client was never told "ok" for a write the leader could not replicate.
    assert!(run.unknown_writes > 0);
}

#[test]
fn semi_sync_loses_nothing_until_its_timeout_turns_it_async() {
    let run = Scenario::failover(Mode::SemiSync { acks: 1 }).run();
    assert!(run.lost.is_empty() && run.linearizable);
    let mut fallback = Scenario::new(Mode::SemiSync { acks: 1 }).with_fault(Fault::IsolateLeader {
        at: Time::from_millis(200),
        heal: Time::from_millis(900),
    });
    fallback.config.semi_sync_timeout = Some(Span::from_millis(50));
    let run = fallback.run();
    assert!(run.fallbacks >= 1);
    assert!(
        !run.lost.is_empty(),
        "the fallback acknowledged writes no follower had"
    );
}

#[test]
fn async_acknowledges_fastest_and_sync_slowest() {
    let p50 = |m| Scenario::new(m).run().write_latency(0.5);
    let (s, k, a) = (
        p50(Mode::Sync),
        p50(Mode::SemiSync { acks: 1 }),
        p50(Mode::Async),
    );
    assert!(a < k && k < s, "async {a}, semi-sync {k}, sync {s}");
    // Sync waits for the follower across regions: at least one 30 ms round trip.
    assert!(s >= 60.0, "{s}");
}

#[test]
fn without_fencing_a_leader_the_detector_replaced_keeps_acknowledging() {
    // The detector loses sight of the leader, which can still reach its followers. Without
    // fencing, semi-sync followers ack both leaders; acknowledged writes are lost on some seed.
    let lost_unfenced: usize = (1..=20)
        .map(|seed| {
            Scenario::new(Mode::SemiSync { acks: 1 })
                .fencing(false)
                .seed(seed)
                .with_fault(cut(300, 700))
                .run()
                .lost
                .len()
        })
        .sum();
    assert!(lost_unfenced > 0);
    for seed in 1..=20 {
        let run = Scenario::new(Mode::SemiSync { acks: 1 })
            .seed(seed)
            .with_fault(cut(300, 700))
            .run();
        assert!(run.lost.is_empty(), "seed {seed}");
        assert!(run.linearizable, "seed {seed}");
        assert!(run.fenced > 0, "seed {seed}: the stale leader was refused");
    }
}

#[test]
fn the_old_leader_returns_with_divergent_writes_that_reconciling_must_sort() {
    let run = Scenario::failover(Mode::Async).run();
    assert!(!run.divergent.is_empty());
    assert_eq!(
        run.reconcile.replayable.len() + run.reconcile.conflicting.len(),
        run.divergent.len()
    );
    // All of them came from the old leader's epoch.
    assert!(run.divergent.iter().all(|e| e.epoch == 1));
    assert_eq!(run.final_leader, "east-2");
}

#[test]
fn a_partitioned_follower_lags_and_stops_sync_writes() {
    let part = Fault::PartitionFollower {
        follower: 2,
        at: Time::from_millis(300),
        heal: Time::from_millis(700),
    };
    let run = Scenario::new(Mode::Async).with_fault(part).run();
    let west: Vec<_> = run.lag.iter().filter(|s| s.follower == "west-1").collect();
    let worst = west.iter().map(|s| s.entries).max().unwrap();
    assert!(worst >= 10, "{worst} entries");
    assert!(run.max_lag_ms() >= 300.0);
    // After the heal it catches up.
    assert_eq!(west.last().unwrap().entries, 0);
    // Sync waits for every follower: the same cut stops writes.
    let sync = Scenario::new(Mode::Sync).with_fault(part).run();
    assert!(sync.unknown_writes >= 1, "{}", sync.unknown_writes);
    let calm = Scenario::new(Mode::Sync).run();
    assert!(sync.acked_writes < calm.acked_writes);
    assert!(sync.linearizable && sync.lost.is_empty());
}

#[test]
fn a_crashed_leader_restarts_believing_it_leads_and_is_fenced() {
    let run = Scenario::new(Mode::Sync)
        .with_fault(Fault::CrashLeader {
            at: Time::from_millis(300),
        })
        .run();
    assert_eq!(run.promotions.len(), 1);
    assert!(run.lost.is_empty() && run.linearizable);
    let default = Config::default();
    assert!(default.fencing);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the seed, the fenced synchronous group loses no acknowledged write on failover
    /// and its history is linearizable.
    #[test]
    fn fenced_sync_never_loses_an_acknowledged_write(seed in 0u64..1_000_000) {
        for fault in [
            Fault::IsolateLeader { at: Time::from_millis(300), heal: Time::from_millis(700) },
            cut(300, 700),
            Fault::PauseLeader { at: Time::from_millis(300), length: Span::from_millis(400) },
        ] {
            let run = Scenario::new(Mode::Sync).seed(seed).with_fault(fault).run();
            prop_assert!(run.lost.is_empty(), "{fault:?}: lost {:?}", run.lost);
            prop_assert!(run.linearizable, "{fault:?}");
        }
    }
}

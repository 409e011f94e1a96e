//! External consistency with and without commit wait, across every pair of clocks TrueTime allows.
//!
//! The claim the book makes (Module 10, Spanner's TrueTime) is two-sided: with commit wait, two
//! transactions on different servers, the second starting after the first committed, always get
//! timestamps in real-time order; without it, clocks that are each within their bound can order
//! them backwards. The first half is a property over random clocks; the second is a concrete
//! counterexample, plus a property that such counterexamples are common, not contrived.

use clocks::commit_wait::{Commit, Outcome, Scenario};
use clocks::truetime::{Sawtooth, ServerClock};
use proptest::prelude::*;

/// Any clock the paper's sawtooth admits: skew within the 1 ms base, drift within 200 µs/s, any
/// sync phase.
fn clock() -> impl Strategy<Value = ServerClock> {
    (-1_000i64..=1_000, -200i64..=200, 0u64..30_000_000).prop_map(|(skew, drift, phase)| {
        ServerClock::new(Sawtooth::paper(), skew, drift, phase).expect("inside the bound")
    })
}

fn run(a: ServerClock, b: ServerClock, arrives: u64, gap: u64, wait: bool) -> Outcome {
    Scenario {
        server_a: a,
        server_b: b,
        t1_arrives: arrives,
        gap_us: gap,
        commit_wait: wait,
    }
    .run()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn with_commit_wait_the_second_transaction_always_gets_the_larger_timestamp(
        a in clock(),
        b in clock(),
        arrives in 30_000_000u64..120_000_000,
        gap in 0u64..20_000,
    ) {
        let outcome = run(a, b, arrives, gap, true);
        prop_assert!(outcome.externally_consistent(), "{outcome:?}");
        // The mechanism, link by link: s1 is past when T1 becomes visible, and s2 is no earlier
        // than T2's arrival.
        prop_assert!(outcome.t1.timestamp < outcome.t1.visible_at);
        prop_assert!(outcome.t2.arrived <= outcome.t2.timestamp);
    }

    #[test]
    fn the_interval_contains_the_true_time_at_every_instant(
        clock in clock(),
        t in 1_000_000u64..200_000_000,
    ) {
        prop_assert!(clock.now(t).contains(t));
    }

    #[test]
    fn the_wait_is_at_least_twice_epsilon_unless_a_sync_cuts_it_short(
        clock in clock(),
        arrives in 30_000_000u64..120_000_000,
    ) {
        let commit = Commit::coordinate(0, &clock, arrives, true);
        let epsilon = commit.interval.epsilon();
        let synced_during_wait = clock.since_sync(commit.visible_at) < clock.since_sync(arrives);
        if !synced_during_wait {
            // At least 2ε minus what the local clock's own drift gains during the wait.
            prop_assert!(commit.wait_us + 10 >= 2 * epsilon, "{commit:?}");
        }
    }
}

#[test]
fn without_commit_wait_two_honest_clocks_order_the_transactions_backwards() {
    // A is 0.5 ms ahead with ε = 4 ms (15 s after its sync); B is 0.5 ms behind and just synced.
    // T2 starts 2 ms after T1 is visible, yet gets the smaller timestamp.
    let outcome = Scenario::two_servers(4_000, false).run();
    assert!(
        outcome.t2.arrived > outcome.t1.visible_at,
        "T2 really started later"
    );
    assert!(!outcome.externally_consistent());
    assert_eq!(outcome.t1.timestamp - outcome.t1.arrived, 4_500);
    assert_eq!(outcome.t2.timestamp - outcome.t2.arrived, 500);
    assert_eq!(outcome.margin_us(), -2_000);

    // The same clocks with the wait: T1 is held back about 8 ms, and the order is right.
    let waited = Scenario::two_servers(4_000, true).run();
    assert!(waited.externally_consistent());
    assert!((8_000..=8_010).contains(&waited.t1.wait_us));
}

#[test]
fn without_commit_wait_it_breaks_once_epsilon_passes_what_the_gap_covers() {
    let broken: Vec<u64> = (1_000..=7_000)
        .step_by(500)
        .filter(|&e| {
            !Scenario::two_servers(e, false)
                .run()
                .externally_consistent()
        })
        .collect();
    assert_eq!(broken.first(), Some(&2_000));
    assert_eq!(
        broken.len(),
        11,
        "every ε from 2 ms to 7 ms breaks: {broken:?}"
    );
    for e in (1_000..=7_000).step_by(500) {
        assert!(Scenario::two_servers(e, true).run().externally_consistent());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn skipping_the_wait_breaks_whenever_a_leads_b_by_more_than_the_gap(
        lead in 0i64..=1_000,
        gap in 0u64..1_000,
    ) {
        // Same ε on both (both just synced), A ahead by `lead`, B behind by `lead`: s1 - s2 is
        // 2·lead - gap, so any gap shorter than twice the lead inverts the order.
        let model = Sawtooth::paper();
        let at = 60_000_000;
        let a = ServerClock::new(model, lead, 0, at).unwrap();
        let b = ServerClock::new(model, -lead, 0, at).unwrap();
        let outcome = run(a, b, at, gap, false);
        prop_assert_eq!(outcome.externally_consistent(), (gap as i64) > 2 * lead);
    }
}

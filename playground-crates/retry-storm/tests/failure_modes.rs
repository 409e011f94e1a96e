//! Every defense can cause an outage of its own. Each test sets the one parameter that turns the
//! defense against the system it protects.

mod common;

use std::time::Duration;

use common::{run, tail_goodput_ratio, tail_neighbor_ratio};
use retry_storm::defenses::{
    Backoff, Bulkhead, CircuitBreaker, DeadlinePropagation, Jitter, LoadShedding, RetryBudget,
};
use retry_storm::{Defenses, Scenario, Trigger};

#[test]
fn backoff_alone_does_not_end_a_storm() {
    // Open system: new users keep coming, so delaying each retry does not remove it.
    for jitter in [Jitter::Full, Jitter::None] {
        let backoff = Backoff {
            jitter,
            ..Backoff::default()
        };
        let simulation = run(Scenario::metastable().with_defenses(Defenses {
            backoff: Some(backoff),
            ..Defenses::none()
        }));
        assert!(simulation.collapsed(), "{jitter:?}");
    }
}

/// A small blip: capacity at 30% for 1.5 s. Enough for some requests to time out, not enough to
/// tip the system.
fn blip() -> Scenario {
    Scenario::healthy().with_trigger(Trigger::capacity_dip(
        Duration::from_secs(10),
        Duration::from_millis(1500),
        0.3,
    ))
}

#[test]
fn a_zero_retry_budget_turns_a_blip_into_user_visible_errors() {
    assert_eq!(run(blip()).totals().errors, 0, "plain retries absorb it");
    let budgeted = run(blip().with_defense("retry_budget"));
    assert_eq!(budgeted.totals().errors, 0, "a 10% budget absorbs it");
    let zero = run(blip().with_defenses(Defenses {
        retry_budget: Some(RetryBudget {
            ratio: 0.0,
            max_tokens: 0.0,
        }),
        ..Defenses::none()
    }));
    assert!(zero.totals().errors > 20, "{:?}", zero.totals());
    assert!(zero.episodes().is_empty(), "errors, but no collapse");
}

/// Capacity down to 60% for 40 s at 70% load: degraded, not down. Load shedding keeps goodput
/// near capacity.
fn degraded() -> Scenario {
    Scenario::healthy()
        .with_trigger(Trigger::capacity_dip(
            Duration::from_secs(10),
            Duration::from_secs(40),
            0.6,
        ))
        .with_defense("load_shedding")
}

#[test]
fn a_twitchy_breaker_flaps_under_partial_overload() {
    let without = run(degraded());
    let mut scenario = degraded();
    scenario.defenses.circuit_breaker = Some(CircuitBreaker {
        failure_ratio: 0.1,
        window: Duration::from_secs(1),
        open_for: Duration::from_secs(2),
        ..CircuitBreaker::default()
    });
    let with = run(scenario);
    let openings = with.client().breaker().openings();
    assert!(openings >= 5, "opened {openings} times in 40 s");
    assert!(
        with.totals().errors > 2 * without.totals().errors,
        "breaker {} errors vs {} without",
        with.totals().errors,
        without.totals().errors
    );
}

#[test]
fn a_shedding_threshold_tighter_than_normal_queueing_sheds_healthy_traffic() {
    let busy = Scenario::healthy().with_load(900.0).without_triggers();
    let sensible = run(busy.clone().with_defense("load_shedding"));
    assert_eq!(sensible.totals().shed, 0);
    let tight = run(busy.with_defenses(Defenses {
        load_shedding: Some(LoadShedding {
            max_queue_wait: Duration::from_millis(1),
        }),
        ..Defenses::none()
    }));
    assert!(tight.totals().shed > 1000, "{:?}", tight.totals());
    assert!(tight.totals().errors > 0, "{:?}", tight.totals());
}

#[test]
fn a_shedding_threshold_at_the_timeout_does_not_save_it() {
    // Requests that waited 990 ms still finish after the client's 1 s timeout.
    let simulation = run(Scenario::metastable().with_defenses(Defenses {
        load_shedding: Some(LoadShedding {
            max_queue_wait: Duration::from_millis(990),
        }),
        ..Defenses::none()
    }));
    assert!(simulation.collapsed());
}

#[test]
fn a_bulkhead_protects_the_neighbor_not_the_storm() {
    let shared = run(Scenario::noisy_neighbor());
    assert!(
        tail_neighbor_ratio(&shared, 30) < 0.05,
        "the storm drowns the neighbour"
    );
    let walled = run(Scenario::noisy_neighbor().with_defense("bulkhead"));
    assert!(
        tail_neighbor_ratio(&walled, 30) > 0.95,
        "the neighbour is fine"
    );
    assert!(walled.collapsed(), "the storming class still collapses");
}

#[test]
fn a_bulkhead_sized_below_its_load_starves_its_tenant_on_a_healthy_day() {
    let healthy = Scenario::noisy_neighbor().without_triggers();
    let sized = run(healthy.clone().with_defense("bulkhead"));
    assert!(tail_neighbor_ratio(&sized, 30) > 0.99);
    // 4 workers at 50 ms a request serve 80 req/s; the neighbour sends 100.
    let undersized = run(healthy.with_defenses(Defenses {
        bulkhead: Some(Bulkhead {
            neighbor_workers: 4,
        }),
        ..Defenses::none()
    }));
    assert!(tail_neighbor_ratio(&undersized, 30) < 0.9);
    assert!(tail_goodput_ratio(&undersized, 30) < 0.98);
}

#[test]
fn deadlines_with_a_skewed_server_clock_drop_everything() {
    let simulation = run(Scenario::healthy().with_defenses(Defenses {
        deadline: Some(DeadlinePropagation {
            clock_skew: Duration::from_secs(2),
            ..DeadlinePropagation::default()
        }),
        ..Defenses::none()
    }));
    assert_eq!(simulation.totals().succeeded_total(), 0);
    assert!(
        simulation.collapsed(),
        "no trigger at all, and a total outage"
    );
}

#[test]
fn deadlines_without_a_margin_still_waste_the_work() {
    let simulation = run(Scenario::metastable().with_defenses(Defenses {
        deadline: Some(DeadlinePropagation {
            margin: Duration::ZERO,
            ..DeadlinePropagation::default()
        }),
        ..Defenses::none()
    }));
    assert!(simulation.collapsed());
}

#[test]
fn facebooks_5_ms_queue_target_drops_healthy_requests_of_50_ms_work() {
    use retry_storm::defenses::QueueTimeout;
    let busy = Scenario::healthy().with_load(900.0);
    let ours = run(busy.clone().with_defense("queue_timeout"));
    assert!(ours.totals().errors < 10, "{:?}", ours.totals());
    let tight = run(busy.with_defenses(Defenses {
        queue_timeout: Some(QueueTimeout::facebook()),
        ..Defenses::none()
    }));
    assert!(tight.totals().errors > 100, "{:?}", tight.totals());
    assert!(tight.episodes().is_empty(), "errors, but no collapse");
}

#[test]
fn a_short_queue_turns_a_burst_into_errors_a_long_one_absorbs() {
    // A 1.5 s dip: the long queue absorbs it, the 500-entry queue rejects part of it.
    let mut short = blip();
    short.queue_limit = 500;
    assert_eq!(run(blip()).totals().errors, 0);
    let errors = run(short).totals().errors;
    assert!(errors > 0, "{errors}");
}

#[test]
fn a_bucket_of_ten_seconds_of_deposits_spends_a_burst_the_small_one_does_not() {
    // 700 req/s × 0.1 token × 10 s = 700 tokens, against the default 50: the big bucket lets a
    // burst of retries into the dip, which tips the system (it recovers, later) and costs more
    // user errors.
    let with_bucket = |max_tokens| {
        run(Scenario::metastable().with_defenses(Defenses {
            retry_budget: Some(RetryBudget {
                ratio: 0.1,
                max_tokens,
            }),
            ..Defenses::none()
        }))
    };
    let small = with_bucket(50.0);
    let big = with_bucket(700.0);
    assert!(small.episodes().is_empty());
    assert!(!big.episodes().is_empty(), "the burst tips it");
    assert!(!big.collapsed(), "and it recovers");
    assert!(big.totals().errors > small.totals().errors + 2000);
}

#[test]
fn an_undersized_bulkhead_is_overload_and_recovers_when_its_load_drops() {
    // 4 workers serve 80 req/s; the neighbour sends 100. That is plain overload, not metastability:
    // at 60 req/s the same pool serves everything.
    let mut undersized = Scenario::noisy_neighbor().without_triggers();
    undersized.defenses.bulkhead = Some(Bulkhead {
        neighbor_workers: 4,
    });
    let mut simulation = run(undersized);
    assert!(tail_neighbor_ratio(&simulation, 30) < 0.05);
    simulation.scenario_mut().neighbor_load = 60.0;
    simulation.advance(Duration::from_secs(60));
    assert!(tail_neighbor_ratio(&simulation, 30) > 0.99);
}

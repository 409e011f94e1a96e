//! The simulator's central claims, as tests: a short trigger tips a healthy system into a
//! collapse that outlasts it; the same system without retries recovers; the right defenses
//! recover it; and a seed fully determines a run.

mod common;

use std::time::Duration;

use common::{last, run, tail_goodput_ratio, MINUTE};
use retry_storm::{Scenario, Simulation, TriggerKind};

#[test]
fn healthy_load_stays_healthy_for_ten_minutes() {
    let simulation = Simulation::run(Scenario::healthy(), Duration::from_secs(600));
    assert!(simulation.episodes().is_empty());
    assert_eq!(simulation.totals().errors, 0);
    assert!(tail_goodput_ratio(&simulation, 600) > 0.99);
}

#[test]
fn collapse_persists_after_the_trigger_without_defenses() {
    let simulation = run(Scenario::metastable());
    let episode = &simulation.episodes()[0];
    assert!(
        (10.0..15.0).contains(&episode.tipped_at),
        "tipped during the trigger: {episode:?}"
    );
    assert_eq!(episode.trigger_ended_at, Some(15.0));
    assert_eq!(episode.recovered_at, None);
    assert!(simulation.collapsed());
    // 45 seconds after the 5-second trigger ended, still nothing gets through.
    assert!(tail_goodput_ratio(&simulation, 30) < 0.05);
}

#[test]
fn collapsed_server_is_busy_doing_useless_work() {
    let simulation = run(Scenario::metastable());
    for step in last(simulation.steps(), 30) {
        assert!(
            step.throughput > 900.0,
            "throughput stays at capacity: {step:?}"
        );
        assert!(
            step.wasted > 0.9 * step.throughput,
            "nearly all of it wasted: {step:?}"
        );
        assert!(
            step.retries > step.offered,
            "retries outnumber new requests: {step:?}"
        );
        assert!(step.queue_depth > 4000, "the queue stays full: {step:?}");
    }
}

#[test]
fn the_same_trigger_without_retries_recovers() {
    let simulation = run(Scenario::metastable().with_retries(0));
    assert!(
        simulation.episodes().is_empty(),
        "{:?}",
        simulation.episodes()
    );
    assert!(tail_goodput_ratio(&simulation, 30) > 0.95);
}

#[test]
fn a_retry_budget_recovers() {
    let simulation = run(Scenario::metastable().with_defense("retry_budget"));
    assert!(!simulation.collapsed());
    assert!(tail_goodput_ratio(&simulation, 30) > 0.95);
}

#[test]
fn load_shedding_recovers_quickly() {
    let simulation = run(Scenario::metastable().with_defense("load_shedding"));
    assert!(simulation.episodes().is_empty());
    // Healthy again within five seconds of the trigger's end.
    let after: Vec<_> = simulation.steps()[20..].iter().collect();
    assert!(after.iter().all(|step| step.goodput_ratio() > 0.9));
}

#[test]
fn deadline_propagation_recovers() {
    let simulation = run(Scenario::metastable().with_defense("deadline"));
    assert!(simulation.episodes().is_empty());
    assert!(tail_goodput_ratio(&simulation, 30) > 0.95);
}

#[test]
fn a_circuit_breaker_recovers_at_the_price_of_fast_failures() {
    let simulation = run(Scenario::metastable().with_defense("circuit_breaker"));
    assert!(!simulation.collapsed());
    assert!(tail_goodput_ratio(&simulation, 30) > 0.95);
    assert!(simulation.totals().fast_failed > 1000);
}

#[test]
fn switching_a_defense_on_mid_collapse_recovers() {
    // What a learner does in the widget: watch it collapse, then flip a toggle.
    let mut simulation = Simulation::new(Scenario::metastable());
    simulation.advance(Duration::from_secs(30));
    assert!(simulation.collapsed());
    simulation
        .scenario_mut()
        .defenses
        .set("load_shedding", true)
        .unwrap();
    simulation.advance(Duration::from_secs(30));
    let episode = &simulation.episodes()[0];
    let recovered = episode.recovered_at.expect("recovered after the toggle");
    assert!((30.0..40.0).contains(&recovered), "{episode:?}");
}

#[test]
fn a_trigger_started_mid_run_collapses_the_system() {
    let mut simulation = Simulation::new(Scenario::healthy());
    simulation.advance(Duration::from_secs(20));
    simulation.trigger_now(
        Duration::from_secs(5),
        TriggerKind::CapacityDip { factor: 0.3 },
    );
    simulation.advance(Duration::from_secs(40));
    let episode = &simulation.episodes()[0];
    assert!((20.0..25.0).contains(&episode.tipped_at), "{episode:?}");
    assert!(simulation.collapsed());
}

#[test]
fn a_load_spike_tips_it_too() {
    let scenario = Scenario::healthy().with_trigger(retry_storm::Trigger::load_spike(
        Duration::from_secs(10),
        Duration::from_secs(5),
        2.0,
    ));
    let simulation = run(scenario.clone());
    assert!(simulation.collapsed());
    assert!(!run(scenario.with_retries(0)).collapsed());
}

#[test]
fn the_same_seed_gives_the_same_series() {
    let first = run(Scenario::metastable().with_seed(42));
    let second = run(Scenario::metastable().with_seed(42));
    assert_eq!(first.steps(), second.steps());
    assert_eq!(first.totals(), second.totals());
    let other = run(Scenario::metastable().with_seed(43));
    assert_ne!(first.steps(), other.steps());
}

#[test]
fn advancing_in_small_slices_gives_the_same_series_as_one_run() {
    let whole = run(Scenario::metastable());
    let mut sliced = Simulation::new(Scenario::metastable());
    for _ in 0..240 {
        sliced.advance(Duration::from_millis(250));
    }
    assert_eq!(sliced.now(), MINUTE.as_secs_f64());
    assert_eq!(whole.steps(), sliced.steps());
}

#[test]
fn the_collapse_is_robust_across_seeds() {
    for seed in 1..=5 {
        let simulation = run(Scenario::metastable().with_seed(seed));
        assert!(simulation.collapsed(), "seed {seed}");
        let recovered = run(Scenario::metastable().with_seed(seed).with_retries(0));
        assert!(recovered.episodes().is_empty(), "seed {seed}");
    }
}

#[test]
fn a_queue_shorter_than_the_timeout_alone_prevents_the_collapse() {
    // 500 waiting at 1,000 req/s is half a second of work, under the 1 s timeout: an answer can
    // still reach a waiting client. 1,000 waiting is a full timeout and is not enough.
    let mut short = Scenario::metastable();
    short.queue_limit = 500;
    let simulation = run(short);
    assert!(
        simulation.episodes().is_empty(),
        "{:?}",
        simulation.episodes()
    );
    assert!(tail_goodput_ratio(&simulation, 20) > 0.95);
    let mut second = Scenario::metastable();
    second.queue_limit = 1000;
    assert!(run(second).collapsed());
}

#[test]
fn queue_timeouts_with_adaptive_lifo_recover() {
    let simulation = run(Scenario::metastable().with_defense("queue_timeout"));
    assert!(!simulation.collapsed());
    assert!(simulation.episodes().is_empty(), "never even tips");
    assert!(tail_goodput_ratio(&simulation, 20) > 0.95);
    assert!(simulation.totals().errors < run(Scenario::metastable()).totals().errors / 10);
}

//! Runs the metastable scenario once per defense (and once without retries) and compares them:
//! did it collapse, did it recover, what did users see. Then runs each defense's failure mode.
//! `cargo run --release -p retry-storm --example defenses`

use std::time::Duration;

use retry_storm::defenses::{
    Bulkhead, CircuitBreaker, DeadlinePropagation, LoadShedding, RetryBudget,
};
use retry_storm::{Defenses, Scenario, Simulation, Trigger};

const MINUTE: Duration = Duration::from_secs(60);

fn report(name: &str, scenario: Scenario) {
    let simulation = Simulation::run(scenario, MINUTE);
    let totals = simulation.totals();
    let tail = &simulation.steps()[40..];
    let tail_goodput =
        tail.iter().map(|s| s.goodput).sum::<f64>() / tail.iter().map(|s| s.offered).sum::<f64>();
    let neighbor_offered: f64 = tail.iter().map(|s| s.neighbor_offered).sum();
    let neighbor = if neighbor_offered > 0.0 {
        let served: f64 = tail.iter().map(|s| s.neighbor_goodput).sum();
        format!("{:.1}%", 100.0 * served / neighbor_offered)
    } else {
        "-".to_string()
    };
    let outcome = match simulation.episodes().last() {
        None => "no collapse".to_string(),
        Some(episode) => match episode.recovered_at {
            Some(at) => format!(
                "collapsed at {:.0} s, recovered at {at:.0} s",
                episode.tipped_at
            ),
            None => format!("collapsed at {:.0} s, never recovered", episode.tipped_at),
        },
    };
    println!(
        "{name:<44} {:>7.1}% {:>10} {:>8} {:>8}   {outcome}",
        100.0 * tail_goodput,
        neighbor,
        totals.errors,
        totals.wasted,
    );
}

fn with(defenses: Defenses) -> Scenario {
    Scenario::metastable().with_defenses(defenses)
}

fn main() {
    println!(
        "{:<44} {:>8} {:>10} {:>8} {:>8}   outcome",
        "metastable scenario (60 s)", "goodput*", "neighbour*", "errors", "wasted"
    );
    report("no defense", Scenario::metastable());
    report("no retries at all", Scenario::metastable().with_retries(0));
    for name in Defenses::NAMES {
        if name != "bulkhead" {
            report(name, Scenario::metastable().with_defense(name));
        }
    }
    report(
        "retry_budget + load_shedding",
        Scenario::metastable()
            .with_defense("retry_budget")
            .with_defense("load_shedding"),
    );
    report("noisy neighbour, shared pool", Scenario::noisy_neighbor());
    report(
        "noisy neighbour, bulkhead",
        Scenario::noisy_neighbor().with_defense("bulkhead"),
    );
    println!("* goodput / offered over the last 20 s\n");

    println!("failure modes");
    report(
        "backoff alone (open system)",
        Scenario::metastable().with_defense("backoff"),
    );
    let blip = Scenario::healthy().with_trigger(Trigger::capacity_dip(
        Duration::from_secs(10),
        Duration::from_millis(1500),
        0.3,
    ));
    report("1.5 s blip, plain retries", blip.clone());
    report(
        "1.5 s blip, retry budget of zero",
        blip.with_defenses(Defenses {
            retry_budget: Some(RetryBudget {
                ratio: 0.0,
                max_tokens: 0.0,
            }),
            ..Defenses::none()
        }),
    );
    let degraded = Scenario::healthy()
        .with_trigger(Trigger::capacity_dip(
            Duration::from_secs(10),
            Duration::from_secs(40),
            0.6,
        ))
        .with_defense("load_shedding");
    report("40 s at 60% capacity, shedding", degraded.clone());
    let mut flapping = degraded;
    flapping.defenses.circuit_breaker = Some(CircuitBreaker {
        failure_ratio: 0.1,
        window: Duration::from_secs(1),
        open_for: Duration::from_secs(2),
        ..CircuitBreaker::default()
    });
    report("  ... plus a twitchy breaker (flaps)", flapping);
    report(
        "shedding at 990 ms (too late to help)",
        with(Defenses {
            load_shedding: Some(LoadShedding {
                max_queue_wait: Duration::from_millis(990),
            }),
            ..Defenses::none()
        }),
    );
    report(
        "healthy day, neighbour bulkhead of 4 workers",
        Scenario::noisy_neighbor()
            .without_triggers()
            .with_defenses(Defenses {
                bulkhead: Some(Bulkhead {
                    neighbor_workers: 4,
                }),
                ..Defenses::none()
            }),
    );
    report(
        "healthy day, deadlines + 2 s clock skew",
        Scenario::healthy().with_defenses(Defenses {
            deadline: Some(DeadlinePropagation {
                clock_skew: Duration::from_secs(2),
                ..DeadlinePropagation::default()
            }),
            ..Defenses::none()
        }),
    );
}

//! Prints the metastable scenario second by second: the trigger, the tipping point, and the
//! collapse that outlasts the trigger. Pass a defense name to switch it on, e.g.
//! `cargo run -p retry-storm --example storm -- retry_budget`; `--no-retries` runs the same
//! system without retries.

use std::time::Duration;

use retry_storm::{table, Scenario, Simulation};

fn main() {
    let mut scenario = Scenario::metastable();
    for arg in std::env::args().skip(1) {
        if arg == "--no-retries" {
            scenario = scenario.with_retries(0);
        } else {
            scenario = scenario.with_defense(&arg);
        }
    }
    let simulation = Simulation::run(scenario, Duration::from_secs(60));
    print!("{}", table(simulation.steps(), simulation.episodes()));
    match simulation.episodes().first() {
        Some(episode) => println!(
            "\ntipped at t={:.0} s; trigger ended at t={:.0} s; goodput {:.0}% of offered; {}",
            episode.tipped_at,
            episode.trigger_ended_at.unwrap_or(0.0),
            100.0 * episode.goodput_ratio,
            match episode.recovered_at {
                Some(at) => format!("recovered at t={at:.0} s"),
                None => "never recovered".to_string(),
            }
        ),
        None => println!("\nno collapse: the system recovered from the trigger"),
    }
}

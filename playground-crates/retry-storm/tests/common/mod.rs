//! Helpers shared by the integration tests.

// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

use std::time::Duration;

use retry_storm::{Scenario, Simulation, Step};

/// One minute: ten seconds of calm, a five-second trigger, 45 seconds to recover (or not).
pub const MINUTE: Duration = Duration::from_secs(60);

/// Runs `scenario` for a minute.
pub fn run(scenario: Scenario) -> Simulation {
    Simulation::run(scenario, MINUTE)
}

/// Goodput as a share of offered load over the last `seconds` of the run.
pub fn tail_goodput_ratio(simulation: &Simulation, seconds: usize) -> f64 {
    let tail = last(simulation.steps(), seconds);
    tail.iter().map(|s| s.goodput).sum::<f64>() / tail.iter().map(|s| s.offered).sum::<f64>()
}

/// The neighbour's goodput as a share of its offered load over the last `seconds`.
pub fn tail_neighbor_ratio(simulation: &Simulation, seconds: usize) -> f64 {
    let tail = last(simulation.steps(), seconds);
    tail.iter().map(|s| s.neighbor_goodput).sum::<f64>()
        / tail.iter().map(|s| s.neighbor_offered).sum::<f64>()
}

/// The last `count` steps.
pub fn last(steps: &[Step], count: usize) -> &[Step] {
    &steps[steps.len().saturating_sub(count)..]
}

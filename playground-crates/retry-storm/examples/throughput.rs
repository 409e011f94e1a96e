//! Measures how fast the simulator runs: simulated requests (attempts sent to the server) per
//! second of wall-clock time, for a healthy run and for a collapsed one (which has four times the
//! attempts per user request). Run it in release mode:
//! `cargo run --release -p retry-storm --example throughput`.

use std::time::{Duration, Instant};

use retry_storm::{Scenario, Simulation};

fn measure(name: &str, scenario: Scenario, simulated: Duration) {
    let started = Instant::now();
    let simulation = Simulation::run(scenario, simulated);
    let elapsed = started.elapsed().as_secs_f64();
    let attempts = simulation.totals().attempts as f64;
    println!(
        "{name:<28} {:>6.0} s simulated in {:>6.3} s: {:>10.0} requests, {:>5.2} M simulated requests/s, {:>6.0}x real time",
        simulated.as_secs_f64(),
        elapsed,
        attempts,
        attempts / elapsed / 1e6,
        simulated.as_secs_f64() / elapsed,
    );
}

fn main() {
    let simulated = Duration::from_secs(600);
    measure("healthy (700 req/s)", Scenario::healthy(), simulated);
    measure("metastable (collapsed)", Scenario::metastable(), simulated);
    let mut big = Scenario::metastable();
    big.load *= 10.0;
    big.capacity *= 10.0;
    big.workers *= 10;
    big.queue_limit *= 10;
    measure("metastable, 10x scale", big, Duration::from_secs(60));
}

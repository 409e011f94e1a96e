//! Hysteresis: the load that tips the system is not the load that lets it recover. Finds the
//! lowest load the usual 5 s dip collapses, then collapses the 700 req/s system and pushes it
//! for two minutes with less load or more capacity, and returns it to 700 req/s on 1,000.
//! `cargo run --release -p retry-storm --example hysteresis`

use std::time::Duration;

use retry_storm::{Scenario, Simulation};

const SECOND: Duration = Duration::from_secs(1);

fn main() {
    let tips = (300..=500)
        .step_by(10)
        .find(|&load| {
            let scenario = Scenario::metastable().with_load(f64::from(load));
            Simulation::run(scenario, 60 * SECOND).collapsed()
        })
        .expect("700 req/s collapses");
    println!("the 5 s dip tips it at {tips} req/s and above");

    for (load, capacity) in [
        (300.0, 1000.0),
        (250.0, 1000.0),
        (240.0, 1000.0),
        (230.0, 1000.0),
        (200.0, 1000.0),
        (700.0, 1500.0),
        (700.0, 2500.0),
        (700.0, 3000.0),
    ] {
        let mut run = Simulation::new(Scenario::metastable());
        run.advance(30 * SECOND);
        run.scenario_mut().load = load;
        run.scenario_mut().capacity = capacity;
        run.advance(120 * SECOND);
        let pushed_out = !run.collapsed();
        run.scenario_mut().load = 700.0;
        run.scenario_mut().capacity = 1000.0;
        run.advance(60 * SECOND);
        println!(
            "2 min at {load:>4.0} req/s on {capacity:>4.0}: recovered {:<5} then at 700 on 1000: collapsed {}",
            pushed_out,
            run.collapsed()
        );
    }
}

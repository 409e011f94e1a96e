//! `cargo run -p consistency --example levels`: the Dial's scripted workload (three clients,
//! F2 and C2 cut off from 150 ms to 400 ms) at every read level, with linearizable writes.

use consistency::register::{run, Level, Scenario};
use consistency::session::AnomalyKind;

fn main() {
    println!(
        "{:<30} {:>6} {:>6} {:>5} {:>7} {:>5}  {:>8}  verdict",
        "read level", "reads", "t/out", "stale", "nonmono", "lost", "mean ms"
    );
    for level in Level::ALL {
        let r = run(&Scenario {
            read_level: level,
            ..Scenario::default()
        });
        let reads = r.latency.iter().find(|l| !l.writes).unwrap();
        println!(
            "{:<30} {:>6} {:>6} {:>5} {:>7} {:>5}  {:>8.1}  {}",
            level.name(),
            reads.completed,
            reads.timed_out,
            r.seen(AnomalyKind::StaleRead).len(),
            r.seen(AnomalyKind::NonMonotonicRead).len(),
            r.seen(AnomalyKind::LostOwnWrite).len(),
            reads.mean_ms,
            if r.verdict.is_linearizable() {
                "linearizable"
            } else {
                "NOT linearizable"
            }
        );
    }
}

//! `cargo run -p consistency --example dial -- [READ_LEVEL] [WRITE_LEVEL] [--stale-follower-reads]`
//!
//! The Consistency Dial's scripted workload on the replicated register: three clients, `F2` and
//! its client `C2` cut off from the leader from 150 ms to 400 ms. Prints every client's
//! operations, the anomalies each saw, the checker's verdict and what each level cost.
//! Levels: linearizable (default), sequential, ryw, monotonic, bounded-ms, bounded-versions,
//! eventual. The break-it knob `--stale-follower-reads` sends linearizable reads to the home
//! replica, which answers from whatever it has applied.

use consistency::register::{run, Level, Scenario};
use consistency::session::Bound;

fn level(name: &str) -> Level {
    match name {
        "linearizable" => Level::Linearizable,
        "sequential" => Level::Sequential,
        "ryw" | "read-your-writes" => Level::ReadYourWrites,
        "monotonic" | "monotonic-reads" => Level::MonotonicReads,
        "bounded-ms" => Level::BoundedStaleness(Bound::Millis(50)),
        "bounded-versions" => Level::BoundedStaleness(Bound::Versions(1)),
        "eventual" => Level::Eventual,
        other => {
            eprintln!("unknown level {other:?}: use linearizable, sequential, ryw, monotonic, bounded-ms, bounded-versions or eventual");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stale = args.iter().any(|a| a == "--stale-follower-reads");
    let levels: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let read_level = levels.first().map_or(Level::Linearizable, |l| level(l));
    let write_level = levels.get(1).map_or(Level::Linearizable, |l| level(l));
    let r = run(&Scenario {
        read_level,
        write_level,
        serve_stale_reads: stale,
        ..Scenario::default()
    });
    println!(
        "reads: {}, writes: {}{}",
        read_level.name(),
        write_level.name(),
        if stale { ", stale follower reads" } else { "" }
    );
    for c in 0..3 {
        let line: Vec<String> = r
            .ops
            .iter()
            .filter(|op| op.client == c)
            .map(|op| {
                let what = match (op.is_write, op.value) {
                    (true, Some(v)) => format!("w{v}"),
                    (false, Some(v)) => format!("r{v}"),
                    (false, None) if op.outcome == "ok" => "r-".to_string(),
                    _ => "r?".to_string(),
                };
                match op.outcome {
                    "ok" => what,
                    "fail" => format!("{what}(timed out)"),
                    _ => format!("{what}(unknown)"),
                }
            })
            .collect();
        println!("C{c}: {}", line.join(" "));
    }
    for a in &r.anomalies {
        println!("  {a}");
    }
    match r.verdict.witness() {
        None => println!("checker: linearizable"),
        Some(w) => {
            println!("checker: NOT linearizable; these cannot be ordered:");
            for op in &w.minimal {
                println!("  {op}");
            }
        }
    }
    for l in &r.latency {
        println!(
            "{} at {}: {} ok, {} timed out, mean {:.1} ms",
            if l.writes { "writes" } else { "reads" },
            l.level.name(),
            l.completed,
            l.timed_out,
            l.mean_ms
        );
    }
}

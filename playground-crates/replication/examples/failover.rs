//! `cargo run -p replication --example failover`: the chapter's failover, in every mode.

use replication::{Mode, Scenario};

fn main() {
    for mode in [Mode::Sync, Mode::SemiSync { acks: 1 }, Mode::Async] {
        let run = Scenario::failover(mode).run();
        println!(
            "{:<18} acked {:>4}  lost {:>3}  divergent {:>3}  unknown {:>3}  p50 {:>5.1} ms  p99 {:>5.1} ms  max lag {:>6.1} ms  promoted {:?}  linearizable {}",
            mode.to_string(),
            run.acked_writes,
            run.lost.len(),
            run.divergent.len(),
            run.unknown_writes,
            run.write_latency(0.5),
            run.write_latency(0.99),
            run.max_lag_ms(),
            run.promotions,
            run.linearizable
        );
        if let Some(w) = run.verdict().witness() {
            println!("   witness: {w}");
        }
    }
}

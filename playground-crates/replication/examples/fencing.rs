//! `cargo run -p replication --example fencing`: the detector loses sight of a live leader; with
//! and without fencing, per mode.

use replication::{Fault, Mode, Scenario, Time};

fn main() {
    for mode in Mode::all() {
        for fencing in [true, false] {
            let run = Scenario::new(mode)
                .fencing(fencing)
                .with_fault(Fault::DetectorCutOff {
                    at: Time::from_millis(300),
                    heal: Time::from_millis(700),
                })
                .run();
            println!(
                "{:<16} fencing {:<5}  acked {:>3}  lost {:>3}  refused stale appends {:>3}  linearizable {}",
                mode.to_string(),
                fencing,
                run.acked_writes,
                run.lost.len(),
                run.fenced,
                run.linearizable
            );
        }
    }
}

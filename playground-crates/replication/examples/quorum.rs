//! `cargo run -p replication --example quorum`: R + W > N, and the checker's verdicts.
use replication::quorum::{in_flight_write, partitioned_write, ReadRepair};
fn main() {
    for (name, run) in [
        (
            "in-flight write, no read repair",
            in_flight_write(ReadRepair::None),
        ),
        (
            "in-flight write, blocking read repair",
            in_flight_write(ReadRepair::Blocking),
        ),
        ("partitioned write, strict quorum", partitioned_write(false)),
        ("partitioned write, sloppy quorum", partitioned_write(true)),
    ] {
        println!("{name}: linearizable {}", run.linearizable());
        for l in &run.lines {
            println!("  {l}");
        }
    }
}

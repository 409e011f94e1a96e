//! Lookups per second for each scheme, natively (the widget measures the same in the browser).
//!
//! Run: `cargo run --release -p partitioning --example throughput`

use partitioning::{ModN, Partitioner, RangePartitions, Rendezvous, Ring, Workload};
use std::hint::black_box;
use std::time::Instant;

const LOOKUPS: usize = 2_000_000;

fn main() {
    let keys = Workload::uniform(10_000);
    let nodes: Vec<String> = (0..16).map(|i| format!("node-{i}")).collect();
    let mut ranges = RangePartitions::new(&nodes[0]);
    for node in &nodes[1..] {
        ranges.split_busiest(keys.keys(), node);
    }

    println!("{LOOKUPS} lookups of 10,000 distinct keys, 16 nodes, after a warm-up; best of 3\n");
    println!("{:<24} {:>16}", "scheme", "lookups/s");
    measure("mod-N", &ModN::with_nodes(&nodes), keys.keys());
    for vnodes in [1, 100, 1_000] {
        let ring = Ring::with_nodes(&nodes, vnodes);
        measure(&format!("ring, {vnodes} vnodes"), &ring, keys.keys());
    }
    measure("rendezvous", &Rendezvous::with_nodes(&nodes), keys.keys());
    measure("range (16 ranges)", &ranges, keys.keys());

    // The hash-ring widget's setting after one "Add node", to compare with its in-browser figure.
    let widget = Ring::with_nodes(&["A", "B", "C", "D", "E"], 64);
    println!("\nthe widget's ring (5 nodes, 64 vnodes):");
    measure("ring, 64 vnodes", &widget, keys.keys());
}

/// Times `LOOKUPS` lookups cycling through `keys` and prints the best rate of three runs.
///
/// Why a warm-up and three runs: the first pass pays for cold caches (the ring's points, the
/// keys) and for the CPU clocking up, so timing it measures the machine's start, not the scheme;
/// on a machine shared with other work, the best of three is the least disturbed.
fn measure(name: &str, partitioner: &dyn Partitioner, keys: &[String]) {
    lookups(partitioner, keys, LOOKUPS / 4);
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            lookups(partitioner, keys, LOOKUPS);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let per_second = LOOKUPS as f64 / best;
    println!(
        "{name:<24} {:>16}",
        partitioning::measure::thousands(per_second as u64)
    );
}

/// `count` lookups cycling through `keys`, kept from being optimised away.
fn lookups(partitioner: &dyn Partitioner, keys: &[String], count: usize) {
    for i in 0..count {
        black_box(partitioner.owner(black_box(&keys[i % keys.len()])));
    }
}

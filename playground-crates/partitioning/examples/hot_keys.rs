//! The hot key's story in three acts: find it in bounded memory, collapse its reads, and ask the
//! triage tree what to do.
//!
//! Run: `cargo run -p partitioning --example hot_keys`
//! Break it: pass a Zipf exponent, e.g. `cargo run -p partitioning --example hot_keys -- 1.4`.

use partitioning::coalesce::replay;
use partitioning::measure::thousands;
use partitioning::{triage, weighted_load, Ring, SpaceSaving, TrafficShape, Workload};
use std::collections::HashMap;

fn main() {
    let exponent: f64 = std::env::args()
        .nth(1)
        .map(|arg| {
            arg.parse()
                .expect("the Zipf exponent is a number, like 1.1")
        })
        .unwrap_or(1.1);
    let workload = Workload::zipf(100_000, exponent);
    let stream = workload.requests(500_000, 42);
    println!("Zipf(s = {exponent}) over 100,000 keys, 500,000 requests\n");

    // Act 1: detection. 64 counters against an exact map with one entry per distinct key.
    let mut detector = SpaceSaving::new(64);
    let mut exact: HashMap<&str, u64> = HashMap::new();
    for &key in &stream {
        detector.observe(key);
        *exact.entry(key).or_default() += 1;
    }
    println!(
        "Space-saving with {} counters (exact counting needed {}); max overcount N/k = {}",
        detector.capacity(),
        thousands(exact.len() as u64),
        thousands(detector.max_error())
    );
    println!(
        "{:>12} {:>10} {:>10} {:>10} {:>8}",
        "key", "estimate", "certain", "true", "share"
    );
    for hitter in detector.top(8) {
        let truth = exact[hitter.key.as_str()];
        println!(
            "{:>12} {:>10} {:>10} {:>10} {:>7.2}%",
            hitter.key,
            thousands(hitter.count),
            thousands(hitter.guaranteed()),
            thousands(truth),
            truth as f64 / stream.len() as f64 * 100.0
        );
    }
    println!(
        "keys certainly above 1% of traffic: {}\n",
        detector.hot_keys(0.01).len()
    );

    // What that does to a ring of 8 nodes that spreads *keys* evenly.
    let nodes: Vec<String> = (0..8).map(|i| format!("node-{i}")).collect();
    let ring = Ring::with_nodes(&nodes, 256);
    let request_load = weighted_load(
        &ring,
        workload.keys(),
        &workload.request_counts(500_000, 42),
    );
    println!("Request load on 8 nodes, 256 vnodes each:\n{request_load}\n");

    // Act 2: coalescing. One request arrives per tick; each backend read takes 200 ticks.
    let coalescer = replay(&stream, 200);
    println!(
        "Coalescing: {} reads became {} backend reads ({:.1}% saved)\n",
        thousands(coalescer.reads_requested()),
        thousands(coalescer.backend_fetches()),
        (1.0 - coalescer.backend_fetches() as f64 / coalescer.reads_requested() as f64) * 100.0
    );

    // Act 3: triage. The hottest key at 30,000 requests/s against nodes that serve 10,000/s.
    let hottest = &workload.keys()[0];
    for shape in TrafficShape::ALL {
        let answer = triage(&shape.profile(hottest, 30_000.0, 10_000.0));
        println!("{}\n  -> {}", shape.label(), answer.summary());
        for (question, reply) in &answer.path {
            println!("     {question} {reply}");
        }
    }
}

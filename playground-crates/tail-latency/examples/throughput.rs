//! How fast the simulator runs here: simulated leaf calls and requests per second of wall time.
//!
//! ```sh
//! cargo run --release -p tail-latency --example throughput
//! ```

use std::time::Instant;

use tail_latency::{FanOut, Hedge, Latency, Pool};

fn main() {
    let leaf = Latency::fast_with_slow_mode(0.01, 1000.0);
    for (leaves, hedged) in [(100, false), (100, true), (1000, false)] {
        let mut fanout = FanOut::new(leaves, leaf.clone());
        if hedged {
            fanout = fanout.hedged(Hedge::at_quantile(&leaf, 0.95, 20_000, 1));
        }
        let requests = 2_000_000 / leaves;
        let started = Instant::now();
        let report = fanout.run(requests, 1);
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "fanout {leaves} hedged={hedged}: {:.0} requests/s, {:.2} M leaf calls/s (p99 {:.1} ms)",
            requests as f64 / seconds,
            (requests * leaves) as f64 / seconds / 1e6,
            report.request.p99()
        );
    }
    let pool = Pool::mmc(10, 10.0, 0.8, 1);
    let started = Instant::now();
    let report = pool.run();
    let seconds = started.elapsed().as_secs_f64();
    let requests = pool.arrival_rate * pool.seconds;
    println!(
        "pool M/M/10 at 80%: {:.2} M simulated requests/s (p99 {:.1} ms)",
        requests / seconds / 1e6,
        report.response.p99()
    );
}

//! Fixed timeout against phi accrual, over the same seeded heartbeat streams.
//!
//! ```text
//! cargo run -p clocks --example failure_detectors              # the defaults: 250 ms, φ ≥ 8
//! cargo run -p clocks --example failure_detectors -- 130       # break it: timeout below a p99 gap
//! cargo run -p clocks --example failure_detectors -- 250 2     # break phi: a threshold of 2
//! ```
//!
//! Each row replays 2000 heartbeats sent every 100 ms over one kind of link, then a crash. The
//! fixed timeout is one number chosen once; phi accrual learns each link. Read the table for the
//! trilemma: wherever one detector is faster, it pays in false suspicions somewhere else.

use clocks::failure_detector::{
    inter_arrival_times, percentile, replay, FixedTimeout, JitteryLink, PhiAccrual,
};

/// The knob. 250 ms (2.5 heartbeat intervals) is a common rule of thumb. Set it below a link's
/// p99 gap (130 is below the busy LAN's) and that link's live peer gets declared dead again and
/// again.
const DEFAULT_TIMEOUT_MS: u64 = 250;

const SEED: u64 = 20_150_920;
const HEARTBEATS: usize = 2000;
const CHECK_EVERY_MS: u64 = 5;

const LINKS: [(&str, JitteryLink); 5] = [
    ("calm LAN", link(10, 0, 0)),
    ("busy LAN", link(40, 0, 0)),
    ("congested", link(80, 5, 120)),
    ("GC pauses", link(20, 5, 150)),
    ("cross-region", link(60, 3, 250)),
];

const fn link(jitter_ms: u64, stall_percent: u64, stall_ms: u64) -> JitteryLink {
    JitteryLink {
        interval_ms: 100,
        jitter_ms,
        stall_percent,
        stall_ms,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let timeout_ms: u64 = args.next().map_or(DEFAULT_TIMEOUT_MS, |arg| {
        arg.parse()
            .expect("the first argument is the fixed timeout in ms, e.g. 130")
    });
    let threshold: f64 = args.next().map_or(PhiAccrual::DEFAULT_THRESHOLD, |arg| {
        arg.parse()
            .expect("the second argument is the phi threshold, e.g. 2")
    });

    println!("{HEARTBEATS} heartbeats every 100 ms, checked every {CHECK_EVERY_MS} ms, then a crash (seed {SEED}).");
    println!("fixed: suspect after {timeout_ms} ms of silence.  phi: suspect at φ ≥ {threshold} (window 1000).");
    println!("false = times a live peer was suspected; detect = ms from the crash to suspicion.\n");
    println!(
        "{:<13} {:>7} {:>7} | {:>11} {:>12} | {:>9} {:>10}",
        "link", "p99 gap", "max gap", "fixed false", "fixed detect", "phi false", "phi detect"
    );
    for (name, link) in LINKS {
        let arrivals = link.arrivals(SEED, HEARTBEATS);
        let gaps = inter_arrival_times(&arrivals);
        let fixed = replay(
            &mut FixedTimeout::new(timeout_ms),
            &arrivals,
            CHECK_EVERY_MS,
        );
        let mut phi_detector = PhiAccrual::new(threshold, PhiAccrual::DEFAULT_WINDOW, 100);
        let phi = replay(&mut phi_detector, &arrivals, CHECK_EVERY_MS);
        println!(
            "{:<13} {:>7} {:>7} | {:>11} {:>12} | {:>9} {:>10}",
            name,
            percentile(&gaps, 99.0),
            gaps.iter().max().expect("2000 heartbeats have gaps"),
            fixed.false_suspicions,
            show(fixed.detection_ms),
            phi.false_suspicions,
            show(phi.detection_ms),
        );
    }
    println!("\nphi's timeout follows the link: short on the calm LAN, long where gaps vary.");
    println!(
        "Its normal model underrates bimodal gaps (GC pauses): fewer false suspicions, not none;"
    );
    println!("PhiAccrual::akka adds an acceptable pause, PhiAccrual::cassandra is the exponential model.");
}

fn show(detection_ms: Option<u64>) -> String {
    detection_ms.map_or("never".to_string(), |ms| ms.to_string())
}

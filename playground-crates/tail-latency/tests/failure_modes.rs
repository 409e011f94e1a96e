//! Each pattern, and the way it causes the outage it was meant to prevent.

use tail_latency::hedge::{Hedge, Tied};
use tail_latency::percentile::{average_of_percentiles, Summary};
use tail_latency::queueing::MMc;
use tail_latency::slack::{Model, ScaleOn};
use tail_latency::{FanOut, Latency, Pool};

/// The threshold a client learns in healthy times: the p95 of the pool at 70% busy.
fn healthy_p95() -> f64 {
    Pool::mmc(10, 10.0, 0.7, 21).run().response.quantile(0.95)
}

#[test]
fn hedging_without_a_budget_doubles_load_at_the_moment_of_overload() {
    // Near saturation (90% busy), the pool's own queueing makes most requests slower than the
    // healthy p95, so nearly every request sends a backup. Without cancellation the backups are
    // whole extra requests: the load doubles, the pool saturates and the tail explodes.
    let d = healthy_p95();
    let plain = Pool::mmc(10, 10.0, 0.9, 21).run();
    let hedged = Pool::mmc(10, 10.0, 0.9, 21)
        .hedging(d, None)
        .without_cancellation()
        .run();
    assert!(
        hedged.hedges_per_request > 0.9,
        "{}",
        hedged.hedges_per_request
    );
    assert!(hedged.utilization > 0.99, "{}", hedged.utilization);
    assert!(
        hedged.response.p99() > 100.0 * plain.response.p99(),
        "{} vs {}",
        hedged.response.p99(),
        plain.response.p99()
    );
    // A 5% budget keeps the same pool within sight of the unhedged one.
    let budgeted = Pool::mmc(10, 10.0, 0.9, 21)
        .hedging(d, Some(0.05))
        .without_cancellation()
        .run();
    assert!(budgeted.hedges_per_request <= 0.05);
    assert!(
        budgeted.response.p99() < 1.5 * plain.response.p99(),
        "{} vs {}",
        budgeted.response.p99(),
        plain.response.p99()
    );
}

#[test]
fn unbudgeted_hedging_feeds_itself_even_at_healthy_load() {
    // At 70% the hedge should fire for about 5% of requests. Each uncancelled backup adds load,
    // which makes more requests slow, which sends more backups: the loop settles far above 5%.
    let d = healthy_p95();
    let hedged = Pool::mmc(10, 10.0, 0.7, 21)
        .hedging(d, None)
        .without_cancellation()
        .run();
    assert!(
        hedged.hedges_per_request > 0.3,
        "{}",
        hedged.hedges_per_request
    );
    assert!(
        hedged.backlog > 1000,
        "the queue grows without bound: {}",
        hedged.backlog
    );
}

#[test]
fn tied_requests_duplicate_work_when_queues_are_empty() {
    // Tied requests win by skipping a queue. At low load there is no queue: both copies start at
    // once, before either cancellation arrives, and the server does the work twice.
    let quiet = Tied {
        queue: MMc::at_utilization(0.1, 10.0, 1),
        cancel_delay_ms: 0.5,
    }
    .measure(100_000, 5);
    assert!(quiet.duplicate_work > 0.75, "{}", quiet.duplicate_work);
    // At 80% busy, the same tie duplicates about 5% and halves the p99.
    let busy = Tied {
        queue: MMc::at_utilization(0.8, 10.0, 1),
        cancel_delay_ms: 0.5,
    }
    .measure(100_000, 5);
    assert!(busy.duplicate_work < 0.07, "{}", busy.duplicate_work);
    assert!(
        busy.tied.p99() < 0.6 * busy.single.p99(),
        "{} vs {}",
        busy.tied.p99(),
        busy.single.p99()
    );
}

#[test]
fn hedging_cannot_fix_a_tail_that_every_replica_shares() {
    // If the slowness is in the request itself (a huge query every replica finds slow), a backup
    // is just as slow: the hedge spends load and buys nothing.
    let leaf = Latency::fast_with_slow_mode(0.01, 1000.0);
    let hedge = Hedge::at_quantile(&leaf, 0.95, 100_000, 7);
    // Model "every replica is slow for this request" as a fixed 1 s latency for all copies.
    let shared = Latency::Fixed(1000.0);
    let m = hedge.measure(&shared, 10_000, 3);
    assert_eq!(m.extra_requests, 1.0);
    assert_eq!(m.hedged.p99(), m.plain.p99());
}

#[test]
fn averaging_per_host_p99s_hides_the_slow_host() {
    // Nine healthy hosts and one with a 10% slow mode. The dashboard's "average p99" looks fine;
    // the fleet's real p99, from the merged samples, is in the slow mode.
    let mut hosts = Vec::new();
    let mut all = Vec::new();
    for host in 0..10 {
        let slow = if host == 9 { 0.10 } else { 0.0 };
        let report = FanOut::new(1, Latency::fast_with_slow_mode(slow, 1000.0)).run(10_000, host);
        let samples: Vec<f64> = (0..10_000)
            .map(|i| report.request.quantile((i as f64 + 0.5) / 10_000.0))
            .collect();
        all.extend_from_slice(&samples);
        hosts.push(Summary::new(samples));
    }
    let averaged = average_of_percentiles(&hosts, 0.99);
    let merged = Summary::new(all).p99();
    assert!(averaged < 200.0, "{averaged}");
    assert!(merged > 1000.0, "{merged}");
}

#[test]
fn planning_on_mean_utilisation_hides_the_wait() {
    // "80% busy, 20% headroom" on one server: the mean wait is 4 service times and the p99 wait 22.
    let q = MMc::at_utilization(0.8, 10.0, 1);
    assert!((q.mean_wait_ms() / 10.0 - 4.0).abs() < 1e-9);
    assert!(q.wait_quantile_ms(0.99) / 10.0 > 21.0);
    // And 10% more load from 90% is not 10% more wait: it is more than double.
    let before = MMc::at_utilization(0.9, 10.0, 1).mean_wait_ms();
    let after = MMc::at_utilization(0.99, 10.0, 1).mean_wait_ms();
    assert!(after > 10.0 * before);
}

#[test]
fn a_cpu_autoscaler_removes_servers_while_the_tier_is_saturated() {
    let run = Model::default().run();
    let start = run[0].servers;
    let during = run.iter().filter(|m| m.loss > 0.1);
    let fewest = during.map(|m| m.servers).fold(f64::INFINITY, f64::min);
    assert!(
        fewest < 0.65 * start,
        "CPU fell, so the tier shrank: {fewest} of {start}"
    );
    // The CPU graph says "idle" while threads are oversubscribed.
    let worst = run
        .iter()
        .min_by(|a, b| a.success.total_cmp(&b.success))
        .unwrap();
    assert!(
        worst.cpu_utilization < 0.25 && worst.thread_utilization > 1.0,
        "{worst:?}"
    );
    // Scaling on threads instead never shrinks the tier and halves the bad minutes.
    let threads = Model {
        scale_on: ScaleOn::Threads,
        ..Model::default()
    }
    .run();
    assert!(threads.iter().all(|m| m.servers >= start));
    let bad = |run: &[tail_latency::slack::Minute]| run.iter().filter(|m| m.success < 0.5).count();
    assert!(
        bad(&threads) * 3 / 2 < bad(&run),
        "{} vs {}",
        bad(&threads),
        bad(&run)
    );
}

#[test]
fn a_large_scale_up_loads_the_constrained_path_it_is_waiting_on() {
    let with_step = Model::default().run();
    let without = Model {
        step_up: 0.0,
        ..Model::default()
    }
    .run();
    let peak = |run: &[tail_latency::slack::Minute]| run.iter().map(|m| m.loss).fold(0.0, f64::max);
    assert!(
        peak(&with_step) > peak(&without) + 0.03,
        "{} vs {}",
        peak(&with_step),
        peak(&without)
    );
    // A path that ramps quickly absorbs the same step: almost no bad minutes.
    let fast = Model {
        path_ramp: 0.2,
        ..Model::default()
    }
    .run();
    assert!(fast.iter().filter(|m| m.success < 0.5).count() <= 1);
}

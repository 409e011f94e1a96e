//! Every figure the chapter quotes, in one run (the tests pin each of them).
//!
//! ```sh
//! cargo run --release -p tail-latency --example figures
//! ```

use tail_latency::fanout::{p_at_least_one_slow, FanOut, Wait};
use tail_latency::hedge::{Hedge, Tied};
use tail_latency::queueing::{knee, MMc};
use tail_latency::slack::{Model, ScaleOn};
use tail_latency::{Latency, Pool};

fn main() {
    println!("== fan-out");
    for (n, p) in [
        (1, 0.01),
        (10, 0.01),
        (40, 0.01),
        (100, 0.01),
        (2000, 0.0001),
    ] {
        println!(
            "N={n:5} p={p}: P(at least one slow) = {:.4}",
            p_at_least_one_slow(n, p)
        );
    }
    let leaf = Latency::fast_with_slow_mode(0.01, 1000.0);
    for n in [1, 10, 100] {
        let r = FanOut::new(n, leaf.clone()).run(10_000, 1);
        println!("N={n:3}: leaf p50 {:.1} p99 {:.1} | request p50 {:.1} p99 {:.1} p99.9 {:.1} | slow {:.4}",
            r.leaf.p50(), r.leaf.p99(), r.request.p50(), r.request.p99(), r.request.p999(), r.request.fraction_above(999.999));
    }
    for wait in [Wait::All, Wait::Quorum, Wait::FirstK(90)] {
        let r = FanOut::new(100, leaf.clone())
            .waiting_for(wait)
            .run(10_000, 1);
        println!(
            "{wait:?}: request p50 {:.1} p99 {:.1}",
            r.request.p50(),
            r.request.p99()
        );
    }
    println!("== hedging");
    let hedge = Hedge::at_quantile(&leaf, 0.95, 100_000, 7);
    println!("p95 threshold {:.2} ms", hedge.after_ms);
    let m = hedge.measure(&leaf, 200_000, 3);
    println!(
        "leaf p99 {:.1} -> {:.1}, p99.9 {:.1} -> {:.1}, extra requests {:.4}, extra work {:.4}",
        m.plain.p99(),
        m.hedged.p99(),
        m.plain.p999(),
        m.hedged.p999(),
        m.extra_requests,
        m.extra_work
    );
    let no_cancel = Hedge {
        cancel_loser: false,
        ..hedge
    }
    .measure(&leaf, 200_000, 3);
    println!("without cancel: extra work {:.4}", no_cancel.extra_work);
    for n in [10, 100] {
        let a = FanOut::new(n, leaf.clone()).run(10_000, 1);
        let b = FanOut::new(n, leaf.clone()).hedged(hedge).run(10_000, 1);
        println!(
            "N={n}: request p99 {:.1} -> {:.1}, p99.9 {:.1} -> {:.1}; extra {:.4}",
            a.request.p99(),
            b.request.p99(),
            a.request.p999(),
            b.request.p999(),
            b.extra_requests
        );
    }
    let tied = Tied {
        queue: MMc::at_utilization(0.8, 10.0, 1),
        cancel_delay_ms: 0.5,
    }
    .measure(100_000, 5);
    println!(
        "tied: p99 {:.1} -> {:.1}, duplicate {:.4}",
        tied.single.p99(),
        tied.tied.p99(),
        tied.duplicate_work
    );
    println!("== queueing");
    for rho in [0.5, 0.8, 0.9, 0.95, 0.99] {
        let q = MMc::at_utilization(rho, 10.0, 1);
        println!(
            "M/M/1 rho {rho}: wait {:.2} S, p99 wait {:.1} ms",
            q.mean_wait_ms() / 10.0,
            q.wait_quantile_ms(0.99)
        );
    }
    for c in [1, 2, 4, 8, 16, 32, 64, 128] {
        let q = MMc::at_utilization(0.8, 10.0, c);
        println!(
            "c={c:3}: knee {:.4}; at 80%: p_wait {:.4}, mean wait {:.3} ms, p99 wait {:.2} ms",
            knee(c),
            q.p_wait(),
            q.mean_wait_ms(),
            q.wait_quantile_ms(0.99)
        );
    }
    let q = MMc::new(800.0, 10.0, 10);
    println!(
        "800/s 10ms 10 servers: p_wait {:.4} wait {:.3} L {:.3}",
        q.p_wait(),
        q.mean_wait_ms(),
        q.mean_in_system()
    );
    for c in [8, 16] {
        let sim = Pool::mmc(c, 10.0, 0.8, 11).run();
        let q = MMc::at_utilization(0.8, 10.0, c);
        println!(
            "sim c={c}: waited {:.4} vs {:.4}; mean wait {:.3} vs {:.3}; util {:.4}",
            sim.waited_fraction,
            q.p_wait(),
            sim.wait.mean(),
            q.mean_wait_ms(),
            sim.utilization
        );
    }
    println!("== hedging in a pool");
    let healthy = Pool::mmc(10, 10.0, 0.7, 21).run();
    let d = healthy.response.quantile(0.95);
    println!("healthy p95 {:.1} p99 {:.1}", d, healthy.response.p99());
    for rho in [0.7, 0.9, 0.95] {
        let plain = Pool::mmc(10, 10.0, rho, 21).run();
        let unbudgeted = Pool::mmc(10, 10.0, rho, 21).hedging(d, None).run();
        let budgeted = Pool::mmc(10, 10.0, rho, 21).hedging(d, Some(0.05)).run();
        let reckless = Pool::mmc(10, 10.0, rho, 21)
            .hedging(d, None)
            .without_cancellation()
            .run();
        let careful = Pool::mmc(10, 10.0, rho, 21)
            .hedging(d, Some(0.05))
            .without_cancellation()
            .run();
        println!("rho {rho}: no cancel: unbudgeted p99 {:.1} hedges {:.3} util {:.3} backlog {} | budget p99 {:.1} hedges {:.3} util {:.3}",
            reckless.response.p99(), reckless.hedges_per_request, reckless.utilization, reckless.backlog, careful.response.p99(), careful.hedges_per_request, careful.utilization);
        println!("rho {rho}: p99 plain {:.1} | hedged {:.1} (hedges {:.3}, util {:.3}, backlog {}) | budget 5% {:.1} (hedges {:.3})",
            plain.response.p99(), unbudgeted.response.p99(), unbudgeted.hedges_per_request, unbudgeted.utilization, unbudgeted.backlog,
            budgeted.response.p99(), budgeted.hedges_per_request);
    }
    println!("== slack model");
    for (name, model) in [
        ("cpu", Model::default()),
        (
            "threads",
            Model {
                scale_on: ScaleOn::Threads,
                ..Model::default()
            },
        ),
        (
            "cpu, no step",
            Model {
                step_up: 0.0,
                ..Model::default()
            },
        ),
        (
            "fast path",
            Model {
                path_ramp: 0.2,
                ..Model::default()
            },
        ),
    ] {
        let run = model.run();
        let min_servers = run.iter().map(|m| m.servers).fold(f64::INFINITY, f64::min);
        let peak_loss = run.iter().map(|m| m.loss).fold(0.0, f64::max);
        let worst = run.iter().map(|m| m.success).fold(1.0, f64::min);
        let bad = run.iter().filter(|m| m.success < 0.5).count();
        println!("{name}: min servers {min_servers:.0}, peak loss {peak_loss:.3}, worst success {worst:.3}, minutes under 50% {bad}");
    }
    for m in Model::default().run().iter().step_by(5) {
        println!("{:3} srv {:5.0} boot {:4.0} cap {:6.0} off {:6.0} loss {:.3} lat {:5.0} thr {:.2} cpu {:.2} ok {:.3}",
            m.minute, m.servers, m.booting, m.path_capacity, m.path_offered, m.loss, m.latency_ms, m.thread_utilization, m.cpu_utilization, m.success);
    }
}

//! The numbers the chapter quotes, each checked against a value computed independently here.

use tail_latency::cli;
use tail_latency::fanout::{leaf_quantile_behind, p_at_least_one_slow, FanOut, Wait};
use tail_latency::hedge::Hedge;
use tail_latency::queueing::{knee, MMc};
use tail_latency::{Latency, Pool};

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} is not within {tolerance} of {expected}"
    );
}

/// Erlang C straight from its textbook formula with factorials (fine for small c), to check the
/// crate's overflow-safe recurrence.
fn erlang_c_by_factorials(a: f64, c: u32) -> f64 {
    let factorial = |n: u32| (1..=n).map(f64::from).product::<f64>();
    let rho = a / c as f64;
    let top = a.powi(c as i32) / factorial(c) / (1.0 - rho);
    let sum: f64 = (0..c).map(|k| a.powi(k as i32) / factorial(k)).sum();
    top / (sum + top)
}

fn lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("name: value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn value(text: &str, name: &str) -> f64 {
    lines(text)
        .into_iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no `{name}`"))
        .1
        .parse()
        .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_papers_fan_out_examples() {
    // Dean & Barroso: one leaf in 100 slow, 100 leaves: 63% of requests are slow.
    close(
        p_at_least_one_slow(100, 0.01),
        1.0 - 0.99f64.powi(100),
        1e-12,
    );
    close(p_at_least_one_slow(100, 0.01), 0.634, 0.0005);
    // One in 10,000 slow, 2,000 leaves: almost one in five.
    close(p_at_least_one_slow(2000, 0.0001), 0.1813, 0.00005);
    // The chapter's other rows.
    close(p_at_least_one_slow(1, 0.01), 0.01, 1e-12);
    close(p_at_least_one_slow(10, 0.01), 0.0956, 0.00005);
    close(p_at_least_one_slow(40, 0.01), 0.3310, 0.00005);
    close(p_at_least_one_slow(1000, 0.001), 0.6323, 0.00005);
    // The request's p99 over 100 leaves is the leaf's p99.99.
    close(leaf_quantile_behind(0.99, 100), 0.9999, 0.000001);
}

#[test]
fn the_fanout_command_prints_the_papers_63_percent() {
    let out = cli::fanout(&args(&["--fanout", "100", "--slow-fraction", "0.01"])).unwrap();
    assert_eq!(value(&out, "p_slow"), 0.6340);
    // The simulation agrees with the formula (10,000 requests: a standard error under 0.005).
    close(value(&out, "p_slow_simulated"), 0.634, 0.015);
    assert!(value(&out, "request_p99_ms") > 1000.0);
    assert!(value(&out, "leaf_p50_ms") < 10.0);
    let out = cli::fanout(&args(&["--fanout", "2000", "--slow-fraction", "0.0001"])).unwrap();
    assert_eq!(value(&out, "p_slow"), 0.1813);
    let out = cli::fanout(&args(&["--fanout", "1", "--slow-fraction", "0.05"])).unwrap();
    assert_eq!(value(&out, "p_slow"), 0.05);
}

#[test]
fn the_commands_name_a_bad_argument_and_what_to_write() {
    let err = cli::fanout(&args(&["--fanout", "ten", "--slow-fraction", "0.01"])).unwrap_err();
    assert!(
        err.contains("--fanout `ten` is not a whole number"),
        "{err}"
    );
    let err = cli::capacity(&args(&["--arrival-rate", "800", "--service-ms", "10"])).unwrap_err();
    assert!(err.contains("missing --servers"), "{err}");
    let err = cli::capacity(&args(&["--rate", "800"])).unwrap_err();
    assert!(err.contains("unknown argument `--rate`"), "{err}");
}

#[test]
fn the_capacity_command_is_erlang_c() {
    let out = cli::capacity(&args(&[
        "--arrival-rate",
        "800",
        "--service-ms",
        "10",
        "--servers",
        "10",
    ]))
    .unwrap();
    // a = 800/s × 10 ms = 8 erlangs over 10 servers.
    let c = erlang_c_by_factorials(8.0, 10);
    assert_eq!(value(&out, "utilization"), 0.8);
    close(value(&out, "p_wait"), c, 0.00005);
    close(value(&out, "p_wait"), 0.4092, 0.00005);
    // Wq = C / (c μ − λ) = C / (1000/s − 800/s).
    close(value(&out, "mean_wait_ms"), c / 200.0 * 1000.0, 0.0001);
    close(value(&out, "mean_wait_ms"), 2.0459, 0.0001);
    // Little: L = λ W = 800/s × (Wq + 10 ms).
    close(
        value(&out, "mean_in_system"),
        800.0 * (c / 200.0 + 0.010),
        0.0001,
    );
    // One server at 80%: C = ρ, Wq = ρ S / (1 − ρ) = 40 ms.
    let out = cli::capacity(&args(&[
        "--arrival-rate",
        "80",
        "--service-ms",
        "10",
        "--servers",
        "1",
    ]))
    .unwrap();
    close(value(&out, "p_wait"), 0.8, 1e-9);
    close(value(&out, "mean_wait_ms"), 40.0, 1e-9);
    // Overloaded: says so and waits forever.
    let out = cli::capacity(&args(&[
        "--arrival-rate",
        "1200",
        "--service-ms",
        "10",
        "--servers",
        "10",
    ]))
    .unwrap();
    assert!(
        out.contains("stable: false")
            && out.contains("p_wait: 1.0000")
            && out.contains("mean_wait_ms: inf"),
        "{out}"
    );
}

#[test]
fn erlang_c_matches_the_factorial_formula_for_small_pools() {
    for c in 1..=20 {
        for rho in [0.1, 0.5, 0.8, 0.95] {
            let q = MMc::at_utilization(rho, 10.0, c);
            close(q.p_wait(), erlang_c_by_factorials(rho * c as f64, c), 1e-9);
        }
    }
}

#[test]
fn one_server_waits_rho_over_one_minus_rho_service_times() {
    for (rho, waits) in [
        (0.5, 1.0),
        (0.8, 4.0),
        (0.9, 9.0),
        (0.95, 19.0),
        (0.99, 99.0),
    ] {
        close(
            MMc::at_utilization(rho, 10.0, 1).mean_wait_ms() / 10.0,
            waits,
            1e-6,
        );
    }
    // And the p99 wait at 80%: ln(0.8 / 0.01) / (0.02/ms) = 219.1 ms, 22 service times.
    close(
        MMc::at_utilization(0.8, 10.0, 1).wait_quantile_ms(0.99),
        (0.8f64 / 0.01).ln() / 0.02,
        1e-6,
    );
    close(
        MMc::at_utilization(0.8, 10.0, 1).wait_quantile_ms(0.99),
        219.1,
        0.05,
    );
}

#[test]
fn the_knee_is_half_for_one_server_and_rises_with_the_pool() {
    close(knee(1), 0.5, 0.0005);
    let knees: Vec<f64> = [1, 2, 4, 8, 16, 32, 64, 128]
        .iter()
        .map(|&c| knee(c))
        .collect();
    assert!(knees.windows(2).all(|w| w[0] < w[1]), "{knees:?}");
    for (c, expected) in [
        (2, 0.58),
        (4, 0.67),
        (8, 0.75),
        (16, 0.81),
        (32, 0.86),
        (64, 0.90),
        (128, 0.93),
    ] {
        close(knee(c), expected, 0.006);
    }
}

#[test]
fn what_80_percent_buys_depends_on_the_pool_size() {
    // At 80% busy, the chance of waiting at all and the p99 wait, service time 10 ms.
    let one = MMc::at_utilization(0.8, 10.0, 1);
    let sixteen = MMc::at_utilization(0.8, 10.0, 16);
    let sixty_four = MMc::at_utilization(0.8, 10.0, 64);
    close(one.p_wait(), 0.80, 0.00005);
    close(sixteen.p_wait(), 0.3049, 0.00005);
    close(sixty_four.p_wait(), 0.0561, 0.00005);
    close(sixteen.wait_quantile_ms(0.99), 10.68, 0.005);
}

#[test]
fn servers_for_a_wait_target() {
    // 3x a peak of 2,000 req/s at 10 ms: 60 erlangs. p99 wait under 5 ms needs a few over 60.
    let c = MMc::servers_for_wait(6000.0, 10.0, 0.99, 5.0);
    assert!(MMc::new(6000.0, 10.0, c).wait_quantile_ms(0.99) <= 5.0);
    assert!(MMc::new(6000.0, 10.0, c - 1).wait_quantile_ms(0.99) > 5.0);
    assert_eq!(c, 67);
}

#[test]
fn the_simulated_pool_agrees_with_erlang_c() {
    for c in [1u32, 8, 16] {
        let sim = Pool::mmc(c, 10.0, 0.8, 11).run();
        let q = MMc::at_utilization(0.8, 10.0, c);
        close(sim.waited_fraction, q.p_wait(), 0.04);
        close(sim.wait.mean(), q.mean_wait_ms(), 0.2 * q.mean_wait_ms());
        close(sim.utilization, 0.8, 0.02);
    }
}

#[test]
fn a_fan_out_waiting_for_all_is_as_slow_as_its_slowest_leaf() {
    let leaf = Latency::fast_with_slow_mode(0.01, 1000.0);
    let one = FanOut::new(1, leaf.clone()).run(10_000, 1);
    let hundred = FanOut::new(100, leaf.clone()).run(10_000, 1);
    // The leaf's p50 is the same in both, about 8.5 ms; the request's is not.
    close(one.request.p50(), 8.5, 0.3);
    close(hundred.leaf.p50(), 8.5, 0.3);
    assert!(
        hundred.request.p50() > 1000.0,
        "the median request meets a slow leaf"
    );
    // Waiting for a quorum instead reads a low order statistic: the tail is gone.
    let quorum = FanOut::new(100, leaf)
        .waiting_for(Wait::Quorum)
        .run(10_000, 1);
    assert!(quorum.request.p99() < 12.0, "{}", quorum.request.p99());
}

#[test]
fn hedging_after_p95_costs_about_five_percent() {
    let leaf = Latency::fast_with_slow_mode(0.01, 1000.0);
    let hedge = Hedge::at_quantile(&leaf, 0.95, 100_000, 7);
    let m = hedge.measure(&leaf, 200_000, 3);
    close(m.extra_requests, 0.05, 0.003);
    assert!(
        m.extra_work < m.extra_requests,
        "cancelling the loser costs less than a whole copy"
    );
    // The leaf's p99.9 falls from the slow mode (over a second) to tens of ms.
    assert!(
        m.plain.p999() > 1000.0 && m.hedged.p999() < 50.0,
        "{} -> {}",
        m.plain.p999(),
        m.hedged.p999()
    );
    // A 10-way fan-out: request p99 from over a second to under 50 ms, for 5% more requests.
    let plain = FanOut::new(10, Latency::fast_with_slow_mode(0.01, 1000.0)).run(10_000, 1);
    let hedged = FanOut::new(10, Latency::fast_with_slow_mode(0.01, 1000.0))
        .hedged(hedge)
        .run(10_000, 1);
    assert!(plain.request.p99() > 1000.0 && hedged.request.p99() < 50.0);
    close(hedged.extra_requests, 0.05, 0.003);
}

#[test]
fn recorded_samples_parse_and_a_bad_line_is_named() {
    let latency = Latency::parse_recorded("# ms\n10\n12.5\n\n900\n").unwrap();
    assert_eq!(latency, Latency::Recorded(vec![10.0, 12.5, 900.0]));
    let err = Latency::parse_recorded("10\nfast\n").unwrap_err();
    assert!(err.starts_with("line 2: `fast` is not a latency"), "{err}");
}

#[test]
fn the_framework_tables_rows() {
    // Largest fan-out that keeps meeting-a-slow-leaf under 10% with p = 1%: ln(0.9) / ln(0.99) = 10.48.
    let limit = (0.9f64).ln() / (0.99f64).ln();
    assert_eq!(limit.floor(), 10.0);
    assert!(p_at_least_one_slow(10, 0.01) < 0.10 && p_at_least_one_slow(11, 0.01) > 0.10);
    // 40 services: the page's p99 is each service's p99.975.
    close(leaf_quantile_behind(0.99, 40), 0.99975, 0.000005);
    // Little's law examples: 2,000/s × 150 ms = 300 in flight; 5,000 queued at 1,000/s = 5 s.
    close(2000.0 * 0.150, 300.0, 1e-9);
    close(
        MMc::new(2000.0, 150.0, 400).mean_in_system(),
        300.0 + 2000.0 * MMc::new(2000.0, 150.0, 400).mean_wait_ms() / 1000.0,
        1e-9,
    );
    close(5000.0 / 1000.0, 5.0, 1e-12);
}

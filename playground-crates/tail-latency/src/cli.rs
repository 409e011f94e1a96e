//! The two fixed commands (`--example capacity`, `--example fanout`) as library functions, so the
//! tests can check the exact lines they print against values computed independently.
//!
//! Each returns the `name: value` lines (plain numbers, one figure a line) or an error naming the
//! argument and what to write.

use crate::fanout::{leaf_quantile_behind, p_at_least_one_slow, FanOut};
use crate::latency::Latency;
use crate::queueing::{knee, MMc};

fn flag<T: std::str::FromStr>(args: &[String], name: &str, what: &str) -> Result<T, String> {
    let at = args
        .iter()
        .position(|a| a == name)
        .ok_or_else(|| format!("missing {name} <{what}>"))?;
    let value = args
        .get(at + 1)
        .ok_or_else(|| format!("{name} needs a value: {name} <{what}>"))?;
    value
        .parse()
        .map_err(|_| format!("{name} `{value}` is not {what}"))
}

fn check_known(args: &[String], known: &[&str]) -> Result<(), String> {
    for (i, arg) in args.iter().enumerate() {
        if i % 2 == 0 && !known.contains(&arg.as_str()) {
            return Err(format!(
                "unknown argument `{arg}`; the arguments are {}",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// `capacity --arrival-rate L --service-ms S --servers C`: Erlang C for one M/M/c queue.
pub fn capacity(args: &[String]) -> Result<String, String> {
    check_known(args, &["--arrival-rate", "--service-ms", "--servers"])?;
    let rate: f64 = flag(
        args,
        "--arrival-rate",
        "a positive number of requests per second",
    )?;
    let service: f64 = flag(args, "--service-ms", "a positive mean service time in ms")?;
    let servers: u32 = flag(args, "--servers", "a whole number of servers, at least 1")?;
    if !(rate > 0.0 && service > 0.0 && servers >= 1 && rate.is_finite() && service.is_finite()) {
        return Err(
            "--arrival-rate and --service-ms must be positive and --servers at least 1".into(),
        );
    }
    let q = MMc::new(rate, service, servers);
    Ok(format!(
        "offered_load_erlangs: {:.4}\nutilization: {:.4}\nstable: {}\np_wait: {:.4}\nmean_wait_ms: {:.4}\np99_wait_ms: {:.4}\nmean_response_ms: {:.4}\nmean_in_system: {:.4}\nknee_utilization: {:.4}\n",
        q.offered_load(),
        q.utilization(),
        q.is_stable(),
        q.p_wait(),
        q.mean_wait_ms(),
        q.wait_quantile_ms(0.99),
        q.mean_response_ms(),
        q.mean_in_system(),
        knee(servers),
    ))
}

/// `fanout --fanout N --slow-fraction Q`: the chance a request waiting for all N leaves meets a
/// slow one, exactly and by simulation (10,000 requests; slow leaves take 1 s or more).
pub fn fanout(args: &[String]) -> Result<String, String> {
    check_known(args, &["--fanout", "--slow-fraction"])?;
    let leaves: u32 = flag(args, "--fanout", "a whole number of leaves, at least 1")?;
    let slow: f64 = flag(
        args,
        "--slow-fraction",
        "a probability between 0 and 1, e.g. 0.01",
    )?;
    if leaves == 0 || !(0.0..=1.0).contains(&slow) {
        return Err("--fanout must be at least 1 and --slow-fraction between 0 and 1".into());
    }
    let report =
        FanOut::new(leaves as usize, Latency::fast_with_slow_mode(slow, 1000.0)).run(10_000, 1);
    Ok(format!(
        "p_slow: {:.4}\nrequest_p99_is_leaf_quantile: {:.6}\np_slow_simulated: {:.4}\nleaf_p50_ms: {:.1}\nleaf_p99_ms: {:.1}\nrequest_p50_ms: {:.1}\nrequest_p99_ms: {:.1}\n",
        p_at_least_one_slow(leaves, slow),
        leaf_quantile_behind(0.99, leaves),
        report.request.fraction_above(999.999),
        report.leaf.p50(),
        report.leaf.p99(),
        report.request.p50(),
        report.request.p99(),
    ))
}

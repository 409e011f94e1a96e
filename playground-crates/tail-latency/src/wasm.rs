//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). Each command is a pure function of its fields: no state lives here.
//!
//! | `cmd` | fields (all optional) | reply |
//! |---|---|---|
//! | `fanout` | `leaves` (1–1000), `slow_fraction` (0–0.2), `slow_ms`, `hedge` (bool), `hedge_quantile` (0.5–0.999), `requests`, `seed` | `{leaf, request, hedged_request, hedge_after_ms, extra_requests, extra_work, p_slow, p_slow_measured, calls}` |
//! | `queue` | `servers` (1–256), `utilization` (0.01–0.99), `service_ms` | `{curve: [{rho, wait}], knee, at: {rho, p_wait, mean_wait, p99_wait, in_system}}` |
//!
//! `leaf`, `request` and `hedged_request` are `{p50, p99, p999}` in ms; `wait` is the mean wait in
//! service times; `calls` is the number of simulated leaf calls, so the widget can report speed.

use serde_json::{json, Value};

use crate::fanout::{p_at_least_one_slow, FanOut};
use crate::hedge::Hedge;
use crate::latency::Latency;
use crate::percentile::Summary;
use crate::queueing::{knee, wait_in_service_times, MMc};

/// Called by the widget runtime with a JSON request; see the module documentation.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `dsip_alloc` that JS filled (the bridge's contract).
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, dispatch)
}

fn number(request: &Value, field: &str, default: f64, low: f64, high: f64) -> f64 {
    request[field]
        .as_f64()
        .filter(|v| v.is_finite())
        .unwrap_or(default)
        .clamp(low, high)
}

fn summary(s: &Summary) -> Value {
    let round = |v: f64| (v * 10.0).round() / 10.0;
    json!({"p50": round(s.p50()), "p99": round(s.p99()), "p999": round(s.p999())})
}

fn dispatch(request: &Value) -> Result<Value, String> {
    match request["cmd"].as_str().ok_or("missing `cmd`")? {
        "fanout" => {
            let leaves = number(request, "leaves", 100.0, 1.0, 1000.0) as usize;
            let slow_fraction = number(request, "slow_fraction", 0.01, 0.0, 0.2);
            let slow_ms = number(request, "slow_ms", 1000.0, 20.0, 5000.0);
            let seed = request["seed"].as_u64().unwrap_or(1);
            // Keep a call near 200,000 leaf draws whatever the fan-out, at least 200 requests.
            let requests = number(
                request,
                "requests",
                (200_000 / leaves).max(200) as f64,
                50.0,
                20_000.0,
            ) as usize;
            let latency = Latency::fast_with_slow_mode(slow_fraction, slow_ms);
            let plain = FanOut::new(leaves, latency.clone()).run(requests, seed);
            let q = number(request, "hedge_quantile", 0.95, 0.5, 0.999);
            let hedge = Hedge::at_quantile(&latency, q, 20_000, seed ^ 0x5eed);
            let hedged = if request["hedge"].as_bool().unwrap_or(false) {
                Some(
                    FanOut::new(leaves, latency.clone())
                        .hedged(hedge)
                        .run(requests, seed),
                )
            } else {
                None
            };
            Ok(json!({
                "leaf": summary(&plain.leaf),
                "request": summary(&plain.request),
                "hedged_request": hedged.as_ref().map(|h| summary(&h.request)),
                "hedged_leaf": hedged.as_ref().map(|h| summary(&h.leaf)),
                "hedge_after_ms": (hedge.after_ms * 10.0).round() / 10.0,
                "extra_requests": hedged.as_ref().map(|h| h.extra_requests),
                "extra_work": hedged.as_ref().map(|h| h.extra_work),
                "p_slow": p_at_least_one_slow(leaves as u32, slow_fraction),
                "p_slow_measured": plain.request.fraction_above(slow_ms - 1e-9),
                "calls": requests * leaves * if hedged.is_some() { 2 } else { 1 },
                "requests": requests,
            }))
        }
        "queue" => {
            let servers = number(request, "servers", 1.0, 1.0, 256.0) as u32;
            let rho = number(request, "utilization", 0.8, 0.01, 0.99);
            let service_ms = number(request, "service_ms", 10.0, 0.01, 60_000.0);
            let curve: Vec<Value> = (1..=98)
                .map(|i| {
                    let r = i as f64 / 100.0;
                    json!({"rho": r, "wait": wait_in_service_times(r, servers)})
                })
                .collect();
            let q = MMc::at_utilization(rho, service_ms, servers);
            Ok(json!({
                "curve": curve,
                "knee": knee(servers),
                "at": {
                    "rho": rho,
                    "p_wait": q.p_wait(),
                    "mean_wait": q.mean_wait_ms(),
                    "p99_wait": q.wait_quantile_ms(0.99),
                    "in_system": q.mean_in_system(),
                    "wait_in_service_times": wait_in_service_times(rho, servers),
                },
            }))
        }
        other => Err(format!("unknown cmd '{other}'")),
    }
}

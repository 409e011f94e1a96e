//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). Each call replays the whole run from time zero, so the reply is a
//! pure function of its fields.
//!
//! | `cmd` | fields | reply |
//! |---|---|---|
//! | `run` | `mode` (`"sync"`, `"semi-sync"`, `"async"`), `fencing` (bool), `seed`, `until_ms`, `events`: `[{"at_ms", "kind": "fail-leader" \| "partition-follower" \| "heal"}]` | `{lag: [{at_ms, follower, entries, ms}], acked, lost, divergent, unknown, final_leader, promotions, trilemma, p50_ms, p99_ms}` |

use serde_json::{json, Value};

use crate::{Fault, Mode, Scenario, Time};

/// Called by the widget runtime with a JSON request; see the module documentation.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `dsip_alloc` that JS filled (the bridge's contract).
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, dispatch)
}

fn dispatch(request: &Value) -> Result<Value, String> {
    match request["cmd"].as_str().ok_or("missing `cmd`")? {
        "run" => Ok(run(request)),
        other => Err(format!("unknown cmd `{other}`")),
    }
}

fn run(request: &Value) -> Value {
    let mode = match request["mode"].as_str().unwrap_or("async") {
        "sync" => Mode::Sync,
        "semi-sync" => Mode::SemiSync { acks: 1 },
        _ => Mode::Async,
    };
    let until = request["until_ms"]
        .as_u64()
        .unwrap_or(1_500)
        .clamp(100, 5_000);
    let mut s = Scenario::new(mode)
        .fencing(request["fencing"].as_bool().unwrap_or(true))
        .seed(request["seed"].as_u64().unwrap_or(7));
    s.duration = Time::from_millis(until);
    s.workload.stop_at = Time::from_millis(until);
    // Faults open at their event and close at the next heal.
    let events: Vec<(u64, String)> = request["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["at_ms"].as_u64().unwrap_or(0),
                        e["kind"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for (i, (at, kind)) in events.iter().enumerate() {
        let heal = events[i + 1..]
            .iter()
            .find(|(_, k)| k == "heal")
            .map_or(Time::MAX, |(t, _)| Time::from_millis(*t));
        let at = Time::from_millis(*at);
        match kind.as_str() {
            "fail-leader" => s.faults.push(Fault::IsolateLeader { at, heal }),
            "partition-follower" => s.faults.push(Fault::PartitionFollower {
                follower: 2,
                at,
                heal,
            }),
            _ => {}
        }
    }
    let r = s.run();
    let t = mode.trilemma(2);
    json!({
        "lag": r.lag.iter().map(|l| json!({"at_ms": l.at_ms, "follower": l.follower, "entries": l.entries, "ms": l.ms})).collect::<Vec<_>>(),
        "acked": r.acked_writes,
        "lost": r.lost.len(),
        "divergent": r.divergent.len(),
        "unknown": r.unknown_writes,
                "final_leader": r.final_leader,
        "promotions": r.promotions.iter().map(|p| json!({"at_ms": p.0, "leader": p.1, "epoch": p.2})).collect::<Vec<_>>(),
        "trilemma": {"durability": t.durability, "latency": t.latency, "availability": t.availability, "gives_up": t.gives_up},
        "p50_ms": r.write_latency(0.5),
        "p99_ms": r.write_latency(0.99),
    })
}

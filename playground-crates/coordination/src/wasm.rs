//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). Every rule lives in the crate; the widget only draws.
//!
//! | `cmd` | fields (all optional) | reply |
//! |---|---|---|
//! | `pause` | `fencing` (bool), `pause_at_ms` (0–200), `pause_ms` (0–4000), `seed` | `{events, lease_ms, first_lease_end_ms, pause, stale_accepted, late_accepted, refused, final_value, expected_value, linearizable, witness, jepsen}` |
//! | `redlock` | `jump_ms` (0–5000), `monotonic` (bool), `nodes` (1 or 5) | `{nodes, ttl_ms, jump, unreachable, reports, holds, overlap_ms, two_holders}` |
//!
//! A `pause` event is `{t_ms, actor, kind, client, token, value, accepted, text}` (a grant adds
//! `expires_ms`, the lease's end on the lock service's clock) with `actor`
//! one of `lock`, `storage`; a `redlock` hold is `{client, from_ms, until_ms, nodes}`.

use serde_json::{json, Value};

use crate::pause::{self, Event, PauseScenario};
use crate::redlock::{self, node_name, Expiry, LockScenario, Report};

/// Called by the widget runtime with a JSON request; see the module documentation.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `dsip_alloc` that JS filled (the bridge's contract).
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, dispatch)
}

fn number(request: &Value, field: &str, default: u64, high: u64) -> u64 {
    request[field]
        .as_f64()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v as u64)
        .unwrap_or(default)
        .min(high)
}

fn ms(t: sim::Time) -> f64 {
    (t.as_micros() as f64 / 100.0).round() / 10.0
}

fn dispatch(request: &Value) -> Result<Value, String> {
    match request["cmd"].as_str().ok_or("missing `cmd`")? {
        "pause" => Ok(pause_run(request)),
        "redlock" => Ok(redlock_run(request)),
        other => Err(format!("unknown cmd \"{other}\": use pause or redlock")),
    }
}

fn pause_run(request: &Value) -> Value {
    let base = PauseScenario::default();
    let length = number(request, "pause_ms", 1_500, 4_000);
    let scenario = PauseScenario {
        seed: number(request, "seed", base.seed, u64::MAX),
        fencing: request["fencing"].as_bool().unwrap_or(false),
        pause: (length > 0).then(|| (number(request, "pause_at_ms", 5, 200), length)),
        ..base
    };
    let run = pause::run(&scenario);
    let events: Vec<Value> = run
        .events
        .iter()
        .filter_map(|(at, e)| {
            let t_ms = ms(*at);
            Some(match e {
                Event::Granted { client, token, expires } => json!({"t_ms": t_ms, "actor": "lock",
                    "kind": "granted", "client": client, "token": token, "expires_ms": ms(*expires),
                    "text": format!("lock grants client {client} token {token}")}),
                Event::Busy { client } => json!({"t_ms": t_ms, "actor": "lock", "kind": "busy",
                    "client": client, "text": format!("lock is held: client {client} must wait")}),
                Event::Read { client, token, value } => json!({"t_ms": t_ms, "actor": "storage",
                    "kind": "read", "client": client, "token": token, "value": value,
                    "accepted": value.is_some(),
                    "text": match value {
                        Some(v) => format!("client {client} reads {v} with token {token}"),
                        None => format!("storage refuses client {client}'s read with token {token}"),
                    }}),
                Event::Write { client, token, value, accepted, newest_before } => json!({
                    "t_ms": t_ms, "actor": "storage", "kind": "write", "client": client,
                    "token": token, "value": value, "accepted": accepted,
                    "stale": token < newest_before,
                    "text": if *accepted {
                        format!("client {client} writes {value} with token {token}: accepted")
                    } else {
                        format!("client {client} writes {value} with token {token}: refused, storage has seen {newest_before}")
                    }}),
                Event::History { .. } => return None,
            })
        })
        .collect();
    json!({
        "events": events,
        "lease_ms": scenario.lease_ms,
        "first_lease_end_ms": run.first_lease_end.map(ms),
        "pause": run.pause.map(|(a, b)| json!([ms(a), ms(b)])),
        "stale_accepted": run.stale_accepted,
        "late_accepted": run.late_accepted,
        "refused": run.refused,
        "final_value": run.final_value,
        "expected_value": run.expected_value,
        "linearizable": run.linearizable,
        "witness": run.witness,
        "jepsen": run.jepsen,
        "fencing": scenario.fencing,
    })
}

fn redlock_run(request: &Value) -> Value {
    let jump = number(request, "jump_ms", 2_000, 5_000);
    let expiry = if request["monotonic"].as_bool().unwrap_or(false) {
        Expiry::Monotonic
    } else {
        Expiry::WallClock
    };
    let scenario = if number(request, "nodes", 5, 5) == 1 {
        LockScenario::single_node_jump(jump, expiry)
    } else {
        LockScenario::clock_jump(jump, expiry)
    };
    let run = redlock::run(&scenario);
    let reports: Vec<Value> = run
        .reports
        .iter()
        .map(|(at, r)| match r {
            Report::Set { node, client, ok } => json!({"t_ms": ms(*at), "kind": "set",
                "node": node_name(*node), "client": client, "ok": ok}),
            Report::Expired { node } => json!({"t_ms": ms(*at), "kind": "expired",
                "node": node_name(*node)}),
            Report::Acquired { client, nodes, until } => json!({"t_ms": ms(*at),
                "kind": "acquired", "client": client, "until_ms": ms(*until),
                "nodes": nodes.iter().map(|n| node_name(*n)).collect::<Vec<_>>()}),
            Report::Failed { client, nodes } => json!({"t_ms": ms(*at), "kind": "failed",
                "client": client, "nodes": nodes.iter().map(|n| node_name(*n)).collect::<Vec<_>>()}),
        })
        .collect();
    let holds: Vec<Value> = run
        .holds
        .iter()
        .map(|(client, from, until)| {
            let nodes = run.reports.iter().find_map(|(_, r)| match r {
                Report::Acquired {
                    client: c, nodes, ..
                } if c == client => Some(nodes.iter().map(|n| node_name(*n)).collect::<Vec<_>>()),
                _ => None,
            });
            json!({"client": client, "from_ms": ms(*from), "until_ms": ms(*until), "nodes": nodes})
        })
        .collect();
    json!({
        "nodes": (0..scenario.nodes).map(node_name).collect::<Vec<_>>(),
        "ttl_ms": scenario.ttl_ms,
        "jump": scenario.clock_jump.map(|(n, at, by)| json!({"node": node_name(n), "at_ms": at, "by_ms": by})),
        "unreachable": scenario.clients.iter().enumerate().map(|(i, c)| json!({
            "client": i + 1, "from_ms": c.start_ms, "to_ms": c.start_ms + 100,
            "nodes": c.unreachable.iter().map(|n| node_name(*n)).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "clients": scenario.clients.iter().map(|c| c.start_ms).collect::<Vec<_>>(),
        "reports": reports,
        "holds": holds,
        "overlap_ms": run.overlap.as_millis_f64(),
        "two_holders": run.two_holders(),
        "monotonic": expiry == Expiry::Monotonic,
    })
}

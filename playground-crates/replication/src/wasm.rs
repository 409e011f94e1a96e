//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). Each call replays the whole run from time zero, so the reply is a
//! pure function of its fields.
//!
//! | `cmd` | fields | reply |
//! |---|---|---|
//! | `run` | `mode` (`"sync"`, `"semi-sync"`, `"async"`), `fencing` (bool), `seed`, `until_ms`, `events`: `[{"at_ms", "kind": "fail-leader" \| "partition-follower" \| "heal"}]` | see below |
//!
//! The reply: `lag: [{at_ms, follower, entries, ms}]`, `acked`, `lost`, `lost_writes: [{client,
//! key, value, acked_ms}]`, `divergent`, `replayable`, `conflicting`, `unknown`, `fenced`,
//! `final_leader`, `promotions: [{at_ms, leader, epoch}]`, `trilemma`, `p50_ms`, `p99_ms`, and
//! `linearizable` with `witness` (`{key, ops: [text]}` or null): Module 2's checker's verdict on
//! the clients' history so far.
//!
//! The run is the chapter's: seed 7, clients that start operations until 1,000 ms. `until_ms`
//! only says how far to run it (100 to 1,500 ms), so a run to 600 ms is the first 600 ms of a run
//! to 1,500 ms with the same events, and a reader stepping through time sees one consistent story.

use serde_json::{json, Value};

use crate::{Fault, Mode, Run, Scenario, Time};

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
        "run" => Ok(reply(&scenario(request)?.run())),
        other => Err(format!("unknown cmd `{other}`")),
    }
}

/// The scenario a request describes: mode, fencing, seed, how far to run, and the reader's events.
fn scenario(request: &Value) -> Result<Scenario, String> {
    let mode = match request["mode"].as_str().unwrap_or("async") {
        "sync" => Mode::Sync,
        "semi-sync" => Mode::SemiSync { acks: 1 },
        "async" => Mode::Async,
        other => return Err(format!("unknown mode `{other}`")),
    };
    let until = request["until_ms"]
        .as_u64()
        .unwrap_or(1_500)
        .clamp(100, 1_500);
    let mut s = Scenario::new(mode)
        .fencing(request["fencing"].as_bool().unwrap_or(true))
        .seed(request["seed"].as_u64().unwrap_or(7));
    s.duration = Time::from_millis(until);
    // A fault opens at its event and closes at the next heal after it.
    let mut events: Vec<(u64, String)> = Vec::new();
    for e in request["events"].as_array().into_iter().flatten() {
        let at = e["at_ms"].as_u64().ok_or("an event needs `at_ms`")?;
        let kind = e["kind"].as_str().ok_or("an event needs `kind`")?;
        if !matches!(kind, "fail-leader" | "partition-follower" | "heal") {
            return Err(format!("unknown event `{kind}`"));
        }
        events.push((at, kind.to_string()));
    }
    events.sort_by_key(|(at, _)| *at);
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
    Ok(s)
}

fn reply(r: &Run) -> Value {
    let t = r.scenario.config.mode.trilemma(2);
    let verdict = if r.linearizable {
        None
    } else {
        r.verdict().witness().cloned()
    };
    json!({
        "lag": r.lag.iter().map(|l| json!({"at_ms": l.at_ms, "follower": l.follower, "entries": l.entries, "ms": l.ms})).collect::<Vec<_>>(),
        "acked": r.acked_writes,
        "lost": r.lost.len(),
        "lost_writes": r.lost.iter().map(|w| json!({"client": w.client, "key": w.key, "value": w.value, "acked_ms": w.acked_ms})).collect::<Vec<_>>(),
        "divergent": r.divergent.len(),
        "replayable": r.reconcile.replayable.len(),
        "conflicting": r.reconcile.conflicting.len(),
        "unknown": r.unknown_writes,
        "fenced": r.fenced,
        "final_leader": r.final_leader,
        "promotions": r.promotions.iter().map(|p| json!({"at_ms": p.0, "leader": p.1, "epoch": p.2})).collect::<Vec<_>>(),
        "trilemma": {"durability": t.durability, "latency": t.latency, "availability": t.availability, "gives_up": t.gives_up},
        "p50_ms": r.write_latency(0.5),
        "p99_ms": r.write_latency(0.99),
        "linearizable": r.linearizable,
        "witness": verdict.map(|w| json!({
            "key": w.key,
            "ops": w.minimal.iter().map(|op| format!("p{} {}", op.process, op.text)).collect::<Vec<_>>(),
        })),
    })
}

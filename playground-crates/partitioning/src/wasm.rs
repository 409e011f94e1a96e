//! The hash-ring widget's entry point: JSON commands in, JSON state out (see
//! `theme/js/widgets/hash-ring.js`). Every number the widget shows comes from here; the JS only
//! draws. Compiled only for `wasm32`.
//!
//! Commands (`{"cmd": ..., ...}`; fields in brackets are optional, defaults shown):
//!
//! | cmd | fields | does |
//! |---|---|---|
//! | `init` | `[keys=10000] [nodes=4] [scheme="ring"] [vnodes=100] [distribution="uniform"] [zipf_s=1.1] [requests=100000] [seed=42]` | starts a [`Scenario`]; the reply adds `key_positions` and `shapes` |
//! | `state` | | the state, unchanged |
//! | `add_node` | `[node]` (default: the next free letter) | adds a node; reply has `change` |
//! | `remove_node` | `node` | removes a node (not the last one); reply has `change` |
//! | `move_node` | `node` `turn` (a fraction of a circle, negative = anticlockwise) | turns the node's ring points; reply has `change` |
//! | `set_vnodes` | `vnodes` | rebuilds the ring with that many points per node; reply has `change` |
//! | `set_scheme` | `scheme` (`"ring"`, `"mod-n"`, `"rendezvous"`) `[vnodes]` | switches the rule; reply has `change` |
//! | `set_distribution` | `distribution` (`"uniform"`, `"zipf"`) `[zipf_s=1.1]` | new request counts; `change` says 0 keys moved |
//! | `melt` | `[node] [share=0.5] [shape="reads-stale-ok"]` | makes one key hot; reply has `hot_key` with the triage, `change` 0 moved |
//! | `cool` | | ends the melt; `change` 0 moved |
//! | `lookup_many` | `count` | looks up `count` keys and returns `{count, checksum}`: JS times this call for keys/s |
//!
//! The state reply: `scheme`, `vnodes`, `nodes` (`[{name, requests, keys}]`, sorted by name),
//! `owners` (per key, an index into `nodes`), `points` (ring only: `[[fraction, node index]]`),
//! `skew` (requests, max / mean), `key_skew` (keys stored, max / mean), `node_capacity`,
//! `next_node` (the name "add a node" would give, or `null`),
//! `moved` (indices of the keys that moved on the last change), `change` (`{moved, total,
//! fraction, summary}` after a change, else `null`), `hot_key` (`{index, key, node, requests,
//! remedies, title, recommendation, path: [{question, answer}]}` or `null`; `title` is every
//! remedy joined with " + ").

use crate::hash::{hash_str, ring_fraction};
use crate::scenario::{Scenario, Scheme};
use crate::triage::TrafficShape;
use crate::{Moves, Partitioner, Workload};
use serde_json::{json, Value};
use std::cell::RefCell;

thread_local! {
    /// One scenario per instance: the runtime instantiates the module once per figure.
    static SCENARIO: RefCell<Option<Scenario>> = const { RefCell::new(None) };
}

/// The ABI entry point: hands the parsed request to [`dispatch`] through the bridge.
///
/// # Safety
/// `ptr` and `len` must describe a buffer from `dsip_alloc` that JS has filled.
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, |request| {
        SCENARIO.with(|cell| dispatch(request, &mut cell.borrow_mut()))
    })
}

fn dispatch(request: &Value, slot: &mut Option<Scenario>) -> Result<Value, String> {
    let cmd = request["cmd"].as_str().ok_or("request has no \"cmd\"")?;
    if cmd == "init" {
        let scenario = init(request)?;
        let mut reply = state(&scenario, None);
        reply["key_positions"] = key_positions(&scenario);
        reply["shapes"] = TrafficShape::ALL
            .iter()
            .map(|shape| json!({ "id": shape.id(), "label": shape.label() }))
            .collect();
        *slot = Some(scenario);
        return Ok(reply);
    }
    let scenario = slot.as_mut().ok_or("send {\"cmd\": \"init\"} first")?;
    let change = match cmd {
        "state" => None,
        "add_node" => {
            let node = match request["node"].as_str() {
                Some(node) => node.to_string(),
                None => scenario
                    .next_node_name()
                    .ok_or("all 26 letters are in use")?,
            };
            Some(
                scenario
                    .add_node(&node)
                    .ok_or(format!("{node} is already a node"))?,
            )
        }
        "remove_node" => {
            let node = request["node"]
                .as_str()
                .ok_or("remove_node needs \"node\"")?;
            Some(
                scenario
                    .remove_node(node)
                    .ok_or(format!("{node} is not a node, or is the last one"))?,
            )
        }
        "move_node" => {
            let node = request["node"].as_str().ok_or("move_node needs \"node\"")?;
            let turn = request["turn"].as_f64().ok_or("move_node needs \"turn\"")?;
            Some(
                scenario
                    .move_node(node, turn)
                    .ok_or(format!("{node} is not a node on a ring"))?,
            )
        }
        "set_vnodes" => {
            let vnodes = number(request, "vnodes").ok_or("set_vnodes needs \"vnodes\"")?;
            Some(scenario.set_scheme(Scheme::Ring {
                vnodes: vnodes as u32,
            }))
        }
        "set_scheme" => Some(scenario.set_scheme(scheme(request, scenario.scheme())?)),
        "set_distribution" => {
            let keys = scenario.workload().keys().len();
            scenario.set_workload(workload(request, keys)?);
            Some(scenario.no_moves())
        }
        "melt" => {
            let shape_id = request["shape"].as_str().unwrap_or("reads-stale-ok");
            let shape = TrafficShape::from_id(shape_id).ok_or(format!("no shape {shape_id}"))?;
            let share = request["share"].as_f64().unwrap_or(0.5);
            scenario.melt(request["node"].as_str(), share, shape);
            Some(scenario.no_moves())
        }
        "cool" => {
            scenario.cool();
            Some(scenario.no_moves())
        }
        "lookup_many" => {
            let count = number(request, "count").ok_or("lookup_many needs \"count\"")?;
            return Ok(lookup_many(
                scenario.partitioner(),
                scenario.workload(),
                count,
            ));
        }
        other => return Err(format!("unknown cmd {other:?}")),
    };
    Ok(state(scenario, change))
}

fn number(request: &Value, field: &str) -> Option<u64> {
    request[field].as_u64()
}

fn init(request: &Value) -> Result<Scenario, String> {
    let keys = number(request, "keys").unwrap_or(10_000).clamp(1, 100_000) as usize;
    let node_count = number(request, "nodes").unwrap_or(4).clamp(1, 26) as u8;
    let nodes: Vec<String> = (0..node_count)
        .map(|i| char::from(b'A' + i).to_string())
        .collect();
    let default = Scheme::Ring {
        vnodes: number(request, "vnodes").unwrap_or(100) as u32,
    };
    Ok(Scenario::new(
        scheme(request, default)?,
        &nodes,
        workload(request, keys)?,
        number(request, "requests").unwrap_or(100_000) as usize,
        number(request, "seed").unwrap_or(42),
    ))
}

/// Reads `scheme` (and `vnodes` for the ring), keeping `current` for anything not given.
fn scheme(request: &Value, current: Scheme) -> Result<Scheme, String> {
    let vnodes = number(request, "vnodes")
        .map(|v| v as u32)
        .unwrap_or(match current {
            Scheme::Ring { vnodes } => vnodes,
            _ => 100,
        });
    match request["scheme"].as_str() {
        None => Ok(current),
        Some("ring") => Ok(Scheme::Ring { vnodes }),
        Some("mod-n") => Ok(Scheme::ModN),
        Some("rendezvous") => Ok(Scheme::Rendezvous),
        Some(other) => Err(format!("unknown scheme {other:?}")),
    }
}

fn workload(request: &Value, keys: usize) -> Result<Workload, String> {
    match request["distribution"].as_str().unwrap_or("uniform") {
        "uniform" => Ok(Workload::uniform(keys)),
        "zipf" => Ok(Workload::zipf(
            keys,
            request["zipf_s"].as_f64().unwrap_or(1.1),
        )),
        other => Err(format!("unknown distribution {other:?}")),
    }
}

fn key_positions(scenario: &Scenario) -> Value {
    scenario
        .workload()
        .keys()
        .iter()
        .map(|key| rounded(ring_fraction(hash_str(key))))
        .collect()
}

/// Five decimals place a dot within a thousandth of a pixel on any canvas, and keep the reply
/// small.
fn rounded(fraction: f64) -> f64 {
    (fraction * 100_000.0).round() / 100_000.0
}

fn state(scenario: &Scenario, change: Option<Moves>) -> Value {
    let load = scenario.load();
    let keys_per_node = scenario.keys_per_node();
    let nodes: Vec<&str> = scenario.nodes();
    let node_rows: Vec<Value> = nodes
        .iter()
        .map(|&node| json!({ "name": node, "requests": load.of(node), "keys": keys_per_node.of(node) }))
        .collect();
    let (scheme_name, vnodes) = match scenario.scheme() {
        Scheme::ModN => ("mod-n", Value::Null),
        Scheme::Ring { vnodes } => ("ring", json!(vnodes)),
        Scheme::Rendezvous => ("rendezvous", Value::Null),
    };
    json!({
        "scheme": scheme_name,
        "vnodes": vnodes,
        "nodes": node_rows,
        "owners": scenario.owners(),
        "points": ring_points(scenario, &nodes),
        "skew": load.skew(),
        "key_skew": keys_per_node.skew(),
        "node_capacity": scenario.node_capacity(),
        "total_requests": load.total(),
        "next_node": scenario.next_node_name(),
        "moved": scenario.last_moved(),
        "change": change.map(|moves| json!({
            "moved": moves.moved,
            "total": moves.total,
            "fraction": moves.fraction(),
            "summary": moves.to_string(),
        })),
        "hot_key": hot_key(scenario),
    })
}

fn ring_points(scenario: &Scenario, nodes: &[&str]) -> Value {
    scenario
        .ring_points()
        .into_iter()
        .map(|(position, node)| {
            let index = nodes.iter().position(|&n| n == node).unwrap_or(0);
            json!([rounded(ring_fraction(position)), index])
        })
        .collect()
}

fn hot_key(scenario: &Scenario) -> Value {
    let (Some(index), Some(answer)) = (scenario.hot_key(), scenario.triage()) else {
        return Value::Null;
    };
    let key = &scenario.workload().keys()[index];
    json!({
        "index": index,
        "key": key,
        "node": scenario.partitioner().owner(key),
        "requests": scenario.request_counts()[index],
        "remedies": answer.remedies.iter().map(|remedy| format!("{remedy:?}")).collect::<Vec<_>>(),
        "title": answer.summary(),
        "recommendation": answer.recommendation(),
        "path": answer.path.iter().map(|(question, answer)| json!({ "question": question, "answer": answer })).collect::<Vec<_>>(),
    })
}

/// Looks up `count` keys (cycling through the workload's) so JS can time the lookups alone; the
/// checksum keeps the optimizer from dropping them.
fn lookup_many(partitioner: &dyn Partitioner, workload: &Workload, count: u64) -> Value {
    let keys = workload.keys();
    let mut checksum = 0u64;
    for i in 0..count as usize {
        if let Some(owner) = partitioner.owner(&keys[i % keys.len()]) {
            checksum = checksum.wrapping_add(owner.len() as u64 + u64::from(owner.as_bytes()[0]));
        }
    }
    json!({ "count": count, "checksum": checksum })
}

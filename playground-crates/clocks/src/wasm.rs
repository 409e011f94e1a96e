//! The vector-clock stepper widget's entry point: a [`Simulation`] behind a JSON command API.
//!
//! Why JSON commands instead of exported functions per action? The widget contract
//! (ARCHITECTURE.md, section 2) is one `dsip_call` per crate, JSON in and JSON out, so the JS side
//! is the same for every module. Why return the whole state on every reply? Histories here are a
//! few dozen events, so the full picture is a few kilobytes, and a widget that redraws from the
//! crate's answer can never disagree with the crate.
//!
//! # Commands
//!
//! Each request is an object with a `cmd` field:
//!
//! | request | effect |
//! |---|---|
//! | `{"cmd":"reset","replicas":3}` | a fresh simulation (`replicas` 2 to 6, default 3) |
//! | `{"cmd":"local","replica":0}` | a local event on replica 0 (A) |
//! | `{"cmd":"send","from":0,"to":1}` | A sends to B; the message goes in flight |
//! | `{"cmd":"receive","message_id":1}` | the network delivers in-flight message m1 |
//! | `{"cmd":"undo"}` | takes back the last step |
//! | `{"cmd":"state"}` | changes nothing |
//! | `{"cmd":"compare","a":0,"b":3}` | changes nothing; `comparison` says how event 0 relates to event 3 |
//!
//! # Reply
//!
//! Every reply is the full state:
//!
//! ```json
//! {
//!   "replicas": [{"index":0,"name":"A","vector":[2,0,0],"lamport":2}, ...],
//!   "events": [{"id":0,"replica":0,"label":"a1","kind":"local","vector":[1,0,0],"lamport":1,
//!               "message_id":null,"peer":null}, ...],
//!   "messages": [{"id":1,"label":"m1","from":0,"to":1,"vector":[2,0,0],"lamport":2,
//!                 "send_event":1,"receive_event":2}, ...],
//!   "in_flight": [ ...the messages whose receive_event is null... ],
//!   "happened_before": [[0,1],[0,2],[1,2]],
//!   "concurrent": [[0,3],[1,3],[2,3]],
//!   "step": "B received m1 from A as b1: [0,0,0] merged with [2,0,0] → [2,0,0], then tick → [2,1,0] (Lamport 3)",
//!   "can_undo": true,
//!   "comparison": {"a":0,"b":3,"relation":"concurrent","symbol":"∥","text":"a1 ∥ c1"}
//! }
//! ```
//!
//! `kind` is `local`, `send` or `receive`; for a send `message_id` is the message sent and `peer`
//! the addressee, for a receive the message received and its sender. `happened_before` lists every
//! pair `[a, b]` with `a → b` (transitive pairs included); `concurrent` every pair `[a, b]`, `a < b`,
//! with `a ∥ b`. `step` narrates what the request did (`null` for `state`), and `comparison` is
//! present only for `compare`, with `relation` one of `before`, `after`, `equal`, `concurrent`. A
//! refused request (unknown replica, message already delivered, malformed JSON) answers
//! `{"error": "..."}` and leaves the simulation as it was.
//!
//! # The commit-wait widget (Module 10)
//!
//! The same export answers one more command, which touches no simulation: every answer is computed
//! afresh from the request, so the widget needs no state in the crate.
//!
//! | request | effect |
//! |---|---|
//! | `{"cmd":"commit_wait","epsilon_us":4000,"wait":true}` | runs [`Scenario::two_servers`] with A's ε at `epsilon_us` (1,000 to 7,000) |
//!
//! The reply carries the sawtooth to plot and both transactions, every time in µs relative to T1's
//! arrival at A:
//!
//! ```json
//! {
//!   "epsilon_us": 4000, "wait": true, "gap_us": 2000, "skew_a_us": 500, "skew_b_us": -500,
//!   "sawtooth": {"points": [[0,1000], ...], "poll_interval_us": 30000000, "base_us": 1000,
//!                "peak_us": 6999, "drift_us_per_s": 200, "commit_at_us": 15000000},
//!   "t1": {"server": "A", "arrived": 0, "earliest": -3500, "latest": 4500, "timestamp": 4500,
//!          "wait_us": 8001, "visible_at": 8001, "epsilon_us": 4000},
//!   "t2": { ...the same fields, for B... },
//!   "externally_consistent": true, "margin_us": 3002, "explanation": "Commit wait held T1 ..."
//! }
//! ```
//!
//! `sawtooth.points` are `[µs since a sync, ε in µs]` over two poll intervals; `commit_at_us` is
//! where T1's commit sits on the first tooth.

use std::cell::RefCell;

use serde_json::{json, Value};

use crate::commit_wait::{Commit, Outcome, Scenario};
use crate::ordering::CausalOrder;
use crate::sim::{EventKind, Simulation};
use crate::vector::VectorClock;

/// Fewest and most replicas the widget can draw.
const REPLICAS: std::ops::RangeInclusive<usize> = 2..=6;

thread_local! {
    static SIMULATION: RefCell<Simulation> = RefCell::new(Simulation::new(3));
}

/// The widget contract's one export: decode, [`run`] the command on the page's simulation, encode.
#[no_mangle]
pub extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    // SAFETY: the runtime passes a buffer it got from `dsip_alloc` and filled with `len` bytes.
    unsafe {
        wasm_bridge::respond_json(ptr, len, |request| {
            SIMULATION.with(|sim| run(&mut sim.borrow_mut(), request))
        })
    }
}

fn run(sim: &mut Simulation, request: &Value) -> Result<Value, String> {
    let cmd = request["cmd"].as_str().ok_or("request has no \"cmd\"")?;
    if cmd == "commit_wait" {
        return commit_wait(request);
    }
    let mut comparison = None;
    let step = match cmd {
        "reset" => {
            let replicas = match request.get("replicas") {
                None | Some(Value::Null) => 3,
                Some(_) => number(request, "replicas")?,
            };
            if !REPLICAS.contains(&replicas) {
                return Err(format!("the widget draws 2 to 6 replicas, not {replicas}"));
            }
            *sim = Simulation::new(replicas);
            Some(format!(
                "Reset: {replicas} replicas, every vector all zeros"
            ))
        }
        "local" => {
            let id = sim
                .local(number(request, "replica")?)
                .map_err(|e| e.to_string())?;
            sim.describe(id)
        }
        "send" => {
            let (id, _) = sim
                .send(number(request, "from")?, number(request, "to")?)
                .map_err(|e| e.to_string())?;
            sim.describe(id)
        }
        "receive" => {
            let id = sim
                .receive(number(request, "message_id")?)
                .map_err(|e| e.to_string())?;
            sim.describe(id)
        }
        "undo" => Some(match sim.undo() {
            Some(_) => "Undid the last step".to_string(),
            None => "Nothing to undo".to_string(),
        }),
        "state" => None,
        "compare" => {
            let (a, b) = (number(request, "a")?, number(request, "b")?);
            let order = sim.compare(a, b).ok_or(format!("no event {a} or {b}"))?;
            let text = comparison_text(sim, a, b, order);
            comparison = Some(json!({
                "a": a,
                "b": b,
                "relation": relation_name(order),
                "symbol": order.to_string(),
                "text": text,
            }));
            None
        }
        other => return Err(format!("unknown command \"{other}\"")),
    };
    let mut state = state(sim, step);
    if let Some(comparison) = comparison {
        state["comparison"] = comparison;
    }
    Ok(state)
}

fn number(request: &Value, field: &str) -> Result<usize, String> {
    request[field]
        .as_u64()
        .map(|n| n as usize)
        .ok_or(format!("\"{field}\" must be a non-negative integer"))
}

fn relation_name(order: CausalOrder) -> &'static str {
    match order {
        CausalOrder::Before => "before",
        CausalOrder::After => "after",
        CausalOrder::Equal => "equal",
        CausalOrder::Concurrent => "concurrent",
    }
}

/// "a1 → b1", written so the arrow always points forward in time.
fn comparison_text(sim: &Simulation, a: usize, b: usize, order: CausalOrder) -> String {
    let label = |id| sim.event(id).map(|e| e.label()).unwrap_or_default();
    match order {
        CausalOrder::Before => format!("{} → {}", label(a), label(b)),
        CausalOrder::After => format!("{} → {}", label(b), label(a)),
        CausalOrder::Equal => format!("{} = {}", label(a), label(b)),
        CausalOrder::Concurrent => format!("{} ∥ {}", label(a), label(b)),
    }
}

fn counts(vector: &VectorClock) -> Value {
    json!(vector.counts())
}

fn state(sim: &Simulation, step: Option<String>) -> Value {
    let replicas: Vec<Value> = sim
        .replicas()
        .iter()
        .map(|r| {
            json!({
                "index": r.index(),
                "name": r.name().to_string(),
                "vector": counts(r.vector()),
                "lamport": r.lamport(),
            })
        })
        .collect();
    let events: Vec<Value> = sim
        .events()
        .iter()
        .map(|e| {
            let (kind, message_id, peer) = match e.kind {
                EventKind::Local => ("local", None, None),
                EventKind::Send { message, to } => ("send", Some(message), Some(to)),
                EventKind::Receive { message, from } => ("receive", Some(message), Some(from)),
            };
            json!({
                "id": e.id,
                "replica": e.replica,
                "label": e.label(),
                "kind": kind,
                "vector": counts(&e.vector),
                "lamport": e.lamport,
                "message_id": message_id,
                "peer": peer,
            })
        })
        .collect();
    let message = |m: &crate::sim::Envelope| {
        json!({
            "id": m.id,
            "label": m.label(),
            "from": m.message.from,
            "to": m.message.to,
            "vector": counts(&m.message.vector),
            "lamport": m.message.lamport,
            "send_event": m.send_event,
            "receive_event": m.receive_event,
        })
    };
    let pairs = |pairs: Vec<(usize, usize)>| -> Vec<Value> {
        pairs.into_iter().map(|(a, b)| json!([a, b])).collect()
    };
    json!({
        "replicas": replicas,
        "events": events,
        "messages": sim.messages().iter().map(message).collect::<Vec<_>>(),
        "in_flight": sim.in_flight().map(message).collect::<Vec<_>>(),
        "happened_before": pairs(sim.happened_before_pairs()),
        "concurrent": pairs(sim.concurrent_pairs()),
        "step": step,
        "can_undo": !sim.steps().is_empty(),
    })
}

/// The commit-wait widget's one command: run the two-server scenario at the requested ε.
fn commit_wait(request: &Value) -> Result<Value, String> {
    let epsilon = request["epsilon_us"]
        .as_u64()
        .ok_or("\"epsilon_us\" must be a non-negative integer")?;
    if !(1_000..=7_000).contains(&epsilon) {
        return Err(format!(
            "ε runs from 1,000 to 7,000 µs on the paper's sawtooth, not {epsilon}"
        ));
    }
    let wait = request["wait"]
        .as_bool()
        .ok_or("\"wait\" must be true or false")?;
    let scenario = Scenario::two_servers(epsilon, wait);
    let outcome = scenario.run();
    let model = scenario.server_a.model();
    let points: Vec<Value> = model
        .points(2 * model.poll_interval_us, 1_000_000)
        .into_iter()
        .map(|(t, e)| json!([t, e]))
        .collect();
    let commit = |c: &Commit, name: &str| {
        json!({
            "server": name,
            "arrived": outcome.relative(c.arrived),
            "earliest": outcome.relative(c.interval.earliest),
            "latest": outcome.relative(c.interval.latest),
            "timestamp": outcome.relative(c.timestamp),
            "wait_us": c.wait_us,
            "visible_at": outcome.relative(c.visible_at),
            "epsilon_us": c.interval.epsilon(),
        })
    };
    let skew = |clock: &crate::truetime::ServerClock, at| clock.local(at) as i64 - at as i64;
    Ok(json!({
        "epsilon_us": outcome.t1.interval.epsilon(),
        "wait": wait,
        "gap_us": scenario.gap_us,
        "skew_a_us": skew(&scenario.server_a, outcome.t1.arrived),
        "skew_b_us": skew(&scenario.server_b, outcome.t2.arrived),
        "sawtooth": {
            "points": points,
            "poll_interval_us": model.poll_interval_us,
            "base_us": model.base_us,
            "peak_us": model.peak(),
            "drift_us_per_s": model.drift_us_per_s,
            "commit_at_us": scenario.server_a.since_sync(outcome.t1.arrived),
        },
        "t1": commit(&outcome.t1, "A"),
        "t2": commit(&outcome.t2, "B"),
        "externally_consistent": outcome.externally_consistent(),
        "margin_us": outcome.margin_us(),
        "explanation": Outcome::explain(&outcome),
    }))
}

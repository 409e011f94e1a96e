//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). One simulation lives in the module instance; the widget drives it.
//!
//! Commands (`cmd` field); every reply that is not an error carries the fields listed:
//!
//! | `cmd` | other fields | reply |
//! |---|---|---|
//! | `reset` | `scenario` (optional: `healthy`, `metastable`, `noisy_neighbor`; default: keep the current knobs), `seed` (optional) | `state` |
//! | `configure` | any of `load`, `neighbor_load`, `capacity` (req/s), `workers`, `queue_limit`, `timeout_ms`, `retries`, `step_ms`, `seed`; applied live, mid-run | `state` |
//! | `set_defense` | `name` (one of `defenses`' names), `on` (bool) | `state` |
//! | `trigger` | `seconds`, and `capacity_factor` (0.01–1, a dip) or `load_factor` (≥1, a spike); starts now | `{start, end}` and `state` |
//! | `advance` | `seconds` (at most 600) | `{steps: [step...], attempts, time, episodes, collapsed, goodput_share}` |
//! | `state` | | `state` |
//!
//! `state` is `{time, config: {load, neighbor_load, capacity, workers, queue_limit, timeout_ms,
//! retries, step_ms, seed, utilization}, defenses: {name: bool, ...}, episodes, collapsed, breaker,
//! queue}`. A step is `{t, end, offered, goodput, neighbor_offered, neighbor_goodput, throughput,
//! attempts, retries, timeouts, errors, rejected, shed, expired, fast_failed, wasted, queue, busy,
//! p50_ms, p99_ms, capacity_factor, load_factor, triggered, breaker}` (rates per second; latency
//! `null` when nothing succeeded). An episode is `{tipped_at, confirmed_at, trigger_ended_at,
//! goodput_ratio, recovered_at}` (seconds; `null` when not known). `attempts` is the number of
//! simulated requests that `advance` processed, so the widget can measure requests per second.
//! `goodput_share` is [`crate::goodput_share`] over the last [`SHARE_WINDOW`] seconds of steps (at
//! most 1), the figure the widget shows as "goodput / offered"; `queue_limit` in `config` is the
//! most the queue can hold in all (with a bulkhead, the pools split it).

use std::cell::RefCell;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::defenses::Defenses;
use crate::metrics::{Episode, Step};
use crate::scenario::{Scenario, TriggerKind};
use crate::sim::Simulation;

/// Seconds of recent steps the reported goodput share is taken over.
pub const SHARE_WINDOW: f64 = 2.0;

thread_local! {
    static SIMULATION: RefCell<Simulation> = RefCell::new(Simulation::new(Scenario::healthy()));
    /// The steps of the last [`SHARE_WINDOW`] seconds, for `goodput_share`.
    static RECENT: RefCell<Vec<Step>> = const { RefCell::new(Vec::new()) };
}

/// Called by the widget runtime with a JSON request; see the module documentation.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `dsip_alloc` that JS filled (the bridge's contract).
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, |request| {
        SIMULATION.with(|cell| dispatch(&mut cell.borrow_mut(), request))
    })
}

fn dispatch(simulation: &mut Simulation, request: &Value) -> Result<Value, String> {
    let command = request["cmd"].as_str().ok_or("missing `cmd`")?;
    match command {
        "reset" => {
            let mut scenario = match request["scenario"].as_str() {
                Some(name) => {
                    Scenario::named(name).ok_or_else(|| format!("unknown scenario '{name}'"))?
                }
                None => simulation.scenario().clone().without_triggers(),
            };
            if let Some(seed) = request["seed"].as_u64() {
                scenario.seed = seed;
            }
            *simulation = Simulation::new(scenario);
            RECENT.with(|recent| recent.borrow_mut().clear());
            Ok(state(simulation))
        }
        "configure" => {
            configure(simulation.scenario_mut(), request);
            Ok(state(simulation))
        }
        "set_defense" => {
            let name = request["name"].as_str().ok_or("missing `name`")?;
            let on = request["on"].as_bool().ok_or("missing `on`")?;
            simulation.scenario_mut().defenses.set(name, on)?;
            Ok(state(simulation))
        }
        "trigger" => {
            let seconds = number(request, "seconds").ok_or("missing `seconds`")?;
            let kind = match (
                number(request, "capacity_factor"),
                number(request, "load_factor"),
            ) {
                (Some(factor), _) => TriggerKind::CapacityDip {
                    factor: factor.clamp(0.01, 1.0),
                },
                (None, Some(factor)) => TriggerKind::LoadSpike {
                    factor: factor.clamp(1.0, 100.0),
                },
                (None, None) => return Err("give `capacity_factor` or `load_factor`".into()),
            };
            let trigger =
                simulation.trigger_now(Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)), kind);
            let mut reply = state(simulation);
            reply["start"] = json!(trigger.start.as_secs_f64());
            reply["end"] = json!((trigger.start + trigger.duration).as_secs_f64());
            Ok(reply)
        }
        "advance" => {
            let seconds = number(request, "seconds").ok_or("missing `seconds`")?;
            let attempts_before = simulation.totals().attempts;
            simulation.advance(Duration::from_secs_f64(seconds.clamp(0.0, 600.0)));
            let taken = simulation.take_steps();
            let steps: Vec<Value> = taken.iter().map(step_json).collect();
            let share = RECENT.with(|recent| {
                let mut recent = recent.borrow_mut();
                recent.extend(taken);
                let since = simulation.now() - SHARE_WINDOW;
                recent.retain(|step| step.end > since);
                crate::goodput_share(&recent)
            });
            Ok(json!({
                "goodput_share": share,
                "steps": steps,
                "attempts": simulation.totals().attempts - attempts_before,
                "time": simulation.now(),
                "episodes": episodes_json(simulation.episodes()),
                "collapsed": simulation.collapsed(),
            }))
        }
        "state" => Ok(state(simulation)),
        other => Err(format!("unknown cmd '{other}'")),
    }
}

fn number(request: &Value, field: &str) -> Option<f64> {
    request[field].as_f64().filter(|value| value.is_finite())
}

fn configure(scenario: &mut Scenario, request: &Value) {
    if let Some(load) = number(request, "load") {
        scenario.load = load.clamp(0.0, 100_000.0);
    }
    if let Some(load) = number(request, "neighbor_load") {
        scenario.neighbor_load = load.clamp(0.0, 100_000.0);
    }
    if let Some(capacity) = number(request, "capacity") {
        scenario.capacity = capacity.clamp(1.0, 100_000.0);
    }
    if let Some(workers) = number(request, "workers") {
        scenario.workers = workers.clamp(1.0, 10_000.0) as u32;
    }
    if let Some(limit) = number(request, "queue_limit") {
        scenario.queue_limit = limit.clamp(1.0, 1e6) as usize;
    }
    if let Some(ms) = number(request, "timeout_ms") {
        scenario.timeout = Duration::from_secs_f64(ms.clamp(1.0, 600_000.0) / 1e3);
    }
    if let Some(retries) = number(request, "retries") {
        scenario.max_retries = retries.clamp(0.0, 100.0) as u32;
    }
    if let Some(ms) = number(request, "step_ms") {
        scenario.step = Duration::from_secs_f64(ms.clamp(10.0, 60_000.0) / 1e3);
    }
    if let Some(seed) = request["seed"].as_u64() {
        scenario.seed = seed;
    }
}

fn state(simulation: &Simulation) -> Value {
    let scenario = simulation.scenario();
    let mut defenses = Map::new();
    for name in Defenses::NAMES {
        defenses.insert(name.to_string(), json!(scenario.defenses.is_on(name)));
    }
    json!({
        "time": simulation.now(),
        "config": {
            "load": scenario.load,
            "neighbor_load": scenario.neighbor_load,
            "capacity": scenario.capacity,
            "workers": scenario.workers,
            "queue_limit": queue_limit(simulation),
            "timeout_ms": scenario.timeout.as_secs_f64() * 1e3,
            "retries": scenario.max_retries,
            "step_ms": scenario.step.as_secs_f64() * 1e3,
            "seed": scenario.seed,
            "utilization": scenario.utilization(),
        },
        "defenses": defenses,
        "episodes": episodes_json(simulation.episodes()),
        "collapsed": simulation.collapsed(),
        "breaker": simulation.client().breaker().phase().name(),
        "queue": simulation.server().queue_depth(),
    })
}

/// The most the queue can hold in all: the pools' shares with a bulkhead, else the limit.
fn queue_limit(simulation: &Simulation) -> usize {
    let scenario = simulation.scenario();
    let server = simulation.server();
    match scenario.defenses.bulkhead {
        Some(_) => crate::event::Class::ALL
            .iter()
            .map(|class| server.queue_limit_for(*class, scenario))
            .sum(),
        None => scenario.queue_limit,
    }
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn step_json(step: &Step) -> Value {
    json!({
        "t": step.start,
        "end": step.end,
        "offered": round(step.offered),
        "goodput": round(step.goodput),
        "neighbor_offered": round(step.neighbor_offered),
        "neighbor_goodput": round(step.neighbor_goodput),
        "throughput": round(step.throughput),
        "attempts": round(step.attempts),
        "retries": round(step.retries),
        "timeouts": round(step.timeouts),
        "errors": round(step.errors),
        "rejected": round(step.rejected),
        "shed": round(step.shed),
        "expired": round(step.expired),
        "fast_failed": round(step.fast_failed),
        "wasted": round(step.wasted),
        "queue": step.queue_depth,
        "busy": step.busy_workers,
        "p50_ms": step.p50_ms.map(round),
        "p99_ms": step.p99_ms.map(round),
        "capacity_factor": step.capacity_factor,
        "load_factor": step.load_factor,
        "triggered": step.triggered,
        "breaker": step.breaker.name(),
    })
}

fn episodes_json(episodes: &[Episode]) -> Value {
    episodes
        .iter()
        .map(|episode| {
            json!({
                "tipped_at": episode.tipped_at,
                "confirmed_at": episode.confirmed_at,
                "trigger_ended_at": episode.trigger_ended_at,
                "goodput_ratio": episode.goodput_ratio,
                "recovered_at": episode.recovered_at,
            })
        })
        .collect()
}

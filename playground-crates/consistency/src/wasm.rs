//! The Consistency Spectrum Dial's entry point: a JSON command API over the replicated register.
//!
//! The widget contract (ARCHITECTURE.md, section 2) is one `dsip_call` per crate, JSON in and
//! JSON out; the widget's JavaScript only draws. Every rule (who may answer a read, what counts
//! as an anomaly, whether the history is linearizable) lives in the crate.
//!
//! # Commands
//!
//! | request | reply |
//! |---|---|
//! | `{"cmd":"levels"}` | `{"levels":[{"id":"linearizable","name":"linearizable"}, ...]}` |
//! | `{"cmd":"run","read":"eventual","write":"linearizable"}` | the run (below) |
//! | `{"cmd":"check","history":"<etcd log or kv lines>"}` | `{"linearizable":bool,"witness":"..."\|null}` |
//! | `{"cmd":"pacelc"}` | `{"systems":[{"system","label","partition","else","source","why"}, ...],"source_url"}` |
//!
//! `run` also takes `"partition":[start_ms, heal_ms]` (default `[150, 400]`; `null` for none),
//! `"seed"` (default 1), `"ops_per_client"` (1–30, default 12), `"stale_reads"` (the break-it
//! knob, default false), `"bound_ms"` (default 50) and `"bound_versions"` (default 1) for the
//! two bounded-staleness levels. Level ids: `linearizable`, `sequential`, `read-your-writes`,
//! `monotonic-reads`, `bounded-staleness-ms`, `bounded-staleness-versions`, `eventual`.
//!
//! # The run's reply
//!
//! ```json
//! {
//!   "read_level": "eventual", "write_level": "linearizable",
//!   "partition": {"start_ms":150,"heal_ms":400,"cut_off":["F2","C2"],"from":["L","F1"]},
//!   "ops": [{"id":0,"client":0,"kind":"write","level":"linearizable","invoke_ms":10.0,
//!            "complete_ms":33.1,"value":100,"version":1,"outcome":"ok",
//!            "anomalies":[],"witness":false}, ...],
//!   "anomalies": [{"client":1,"op":7,"kind":"lost own write","saw":2,"expected_at_least":3,
//!                  "text":"client 1 saw a lost own write: ..."}],
//!   "per_client": [{"client":0,"stale_read":0,"non_monotonic_read":0,"lost_own_write":0}, ...],
//!   "verdict": {"linearizable":false,"witness":"these 3 op(s) cannot be ordered ...",
//!               "witness_ops":[3,5,7]},
//!   "latency": [{"kind":"read","level":"eventual","completed":22,"timed_out":2,
//!                "mean_ms":13.8,"max_ms":24.0}, ...]
//! }
//! ```
//!
//! `outcome` is `ok`, `fail` (a read that timed out: it did nothing) or `info` (a write that timed
//! out: it may still have happened); `complete_ms` is `null` unless `ok`. A malformed request
//! answers `{"error": "..."}`.

use serde_json::{json, Value};

use crate::pacelc;
use crate::register::{run, Level, Scenario};
use crate::session::{AnomalyKind, Bound};

/// The widget contract's one export: decode, run the command, encode.
#[no_mangle]
pub extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    // SAFETY: the runtime passes a buffer it got from `dsip_alloc` and filled with `len` bytes.
    unsafe { wasm_bridge::respond_json(ptr, len, handle) }
}

const LEVEL_IDS: [&str; 7] = [
    "linearizable",
    "sequential",
    "read-your-writes",
    "monotonic-reads",
    "bounded-staleness-ms",
    "bounded-staleness-versions",
    "eventual",
];

fn level(id: &str, bound_ms: u64, bound_versions: u64) -> Result<Level, String> {
    Ok(match id {
        "linearizable" => Level::Linearizable,
        "sequential" => Level::Sequential,
        "read-your-writes" => Level::ReadYourWrites,
        "monotonic-reads" => Level::MonotonicReads,
        "bounded-staleness-ms" => Level::BoundedStaleness(Bound::Millis(bound_ms)),
        "bounded-staleness-versions" => Level::BoundedStaleness(Bound::Versions(bound_versions)),
        "eventual" => Level::Eventual,
        other => {
            return Err(format!(
                "unknown level \"{other}\": use one of {}",
                LEVEL_IDS.join(", ")
            ))
        }
    })
}

fn number(request: &Value, field: &str, default: u64) -> Result<u64, String> {
    match request.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or(format!("\"{field}\" must be a non-negative integer")),
    }
}

fn handle(request: &Value) -> Result<Value, String> {
    let cmd = request["cmd"].as_str().ok_or("request has no \"cmd\"")?;
    match cmd {
        "levels" => Ok(json!({
            "levels": LEVEL_IDS
                .iter()
                .map(|id| json!({"id": id, "name": level(id, 50, 1).map(|l| l.name()).unwrap_or_default()}))
                .collect::<Vec<_>>()
        })),
        "run" => run_command(request),
        "check" => {
            let text = request["history"]
                .as_str()
                .ok_or("\"history\" must be the text of a history")?;
            let history = crate::parse("history", text).map_err(|e| e.to_string())?;
            let verdict = crate::check(&history);
            Ok(json!({
                "linearizable": verdict.is_linearizable(),
                "witness": verdict.witness().map(|w| w.to_string()),
            }))
        }
        "pacelc" => Ok(json!({
            "source_url": pacelc::ABADI_2012,
            "systems": pacelc::GRID.iter().map(|c| json!({
                "system": c.system,
                "label": c.label(),
                "partition": match c.partition { pacelc::UnderPartition::Availability => "A", pacelc::UnderPartition::Consistency => "C" },
                "else": match c.otherwise { pacelc::Else::Latency => "L", pacelc::Else::Consistency => "C" },
                "source": match c.source { pacelc::Source::Abadi2012 => "Abadi 2012", pacelc::Source::Ours => "ours" },
                "why": c.why,
            })).collect::<Vec<_>>(),
        })),
        other => Err(format!("unknown command \"{other}\"")),
    }
}

fn run_command(request: &Value) -> Result<Value, String> {
    let bound_ms = number(request, "bound_ms", 50)?;
    let bound_versions = number(request, "bound_versions", 1)?;
    let read = request["read"].as_str().unwrap_or("linearizable");
    let write = request["write"].as_str().unwrap_or("linearizable");
    let ops_per_client = number(request, "ops_per_client", 12)? as usize;
    if !(1..=30).contains(&ops_per_client) {
        return Err("\"ops_per_client\" must be 1 to 30".into());
    }
    let partition = match request.get("partition") {
        None => Some((150, 400)),
        Some(Value::Null) => None,
        Some(Value::Array(a)) if a.len() == 2 => {
            let start = a[0].as_u64().ok_or("partition start must be ms")?;
            let heal = a[1].as_u64().ok_or("partition heal must be ms")?;
            if heal <= start {
                return Err("the partition must heal after it starts".into());
            }
            Some((start, heal))
        }
        Some(_) => return Err("\"partition\" is [start_ms, heal_ms] or null".into()),
    };
    let scenario = Scenario {
        read_level: level(read, bound_ms, bound_versions)?,
        write_level: level(write, bound_ms, bound_versions)?,
        partition,
        ops_per_client,
        serve_stale_reads: request["stale_reads"].as_bool().unwrap_or(false),
        seed: number(request, "seed", 1)?,
    };
    let r = run(&scenario);
    let witness_ops: Vec<usize> = r
        .verdict
        .witness()
        .map(|w| w.minimal.iter().map(|op| op.id).collect())
        .unwrap_or_default();
    let ops: Vec<Value> = r
        .ops
        .iter()
        .map(|op| {
            let anomalies: Vec<&str> = r
                .anomalies
                .iter()
                .filter(|a| a.read == op.id)
                .map(|a| a.kind.name())
                .collect();
            json!({
                "id": op.id,
                "client": op.client,
                "kind": if op.is_write { "write" } else { "read" },
                "level": op.level.name(),
                "invoke_ms": op.invoke_ms,
                "complete_ms": op.complete_ms,
                "value": op.value,
                "version": op.version,
                "outcome": op.outcome,
                "anomalies": anomalies,
                "witness": witness_ops.contains(&op.id),
            })
        })
        .collect();
    let anomalies: Vec<Value> = r
        .anomalies
        .iter()
        .map(|a| {
            json!({
                "client": a.client,
                "op": a.read,
                "kind": a.kind.name(),
                "saw": a.saw,
                "expected_at_least": a.expected_at_least,
                "text": a.to_string(),
            })
        })
        .collect();
    let count = |client: usize, kind: AnomalyKind| {
        r.anomalies
            .iter()
            .filter(|a| a.client == client && a.kind == kind)
            .count()
    };
    let per_client: Vec<Value> = (0..3)
        .map(|c| {
            json!({
                "client": c,
                "stale_read": count(c, AnomalyKind::StaleRead),
                "non_monotonic_read": count(c, AnomalyKind::NonMonotonicRead),
                "lost_own_write": count(c, AnomalyKind::LostOwnWrite),
            })
        })
        .collect();
    let latency: Vec<Value> = r
        .latency
        .iter()
        .map(|l| {
            json!({
                "kind": if l.writes { "write" } else { "read" },
                "level": l.level.name(),
                "completed": l.completed,
                "timed_out": l.timed_out,
                "mean_ms": (l.mean_ms * 10.0).round() / 10.0,
                "max_ms": (l.max_ms * 10.0).round() / 10.0,
            })
        })
        .collect();
    Ok(json!({
        "read_level": scenario.read_level.name(),
        "write_level": scenario.write_level.name(),
        "partition": partition.map(|(start, heal)| json!({
            "start_ms": start, "heal_ms": heal, "cut_off": ["F2", "C2"], "from": ["L", "F1"],
        })),
        "ops": ops,
        "anomalies": anomalies,
        "per_client": per_client,
        "verdict": {
            "linearizable": r.verdict.is_linearizable(),
            "witness": r.verdict.witness().map(|w| w.to_string()),
            "witness_ops": witness_ops,
        },
        "latency": latency,
    }))
}

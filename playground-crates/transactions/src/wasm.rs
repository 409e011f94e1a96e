//! The isolation-stepper widget's entry point: `dsip_call` takes a JSON command and returns a
//! JSON reply (see `wasm-bridge` for the ABI). Each call replays a whole script from Hermitage's
//! table, so the reply is a pure function of the script: the widget keeps only the lines.
//!
//! | `cmd` | fields | reply |
//! |---|---|---|
//! | `cases` | none | `[{id, title, level, note, script}]`: every script in `scripts/`, a short title, its documented level and its comment |
//! | `play` | `script` (text, one step a line) | `{events: [{line, txn, text, kind, result, failed}], txns: [{name, level, state, blocked}], edges: [{from, to, dep, key}], finding: {anomaly, meaning, cycle, text} \| null, refused: {line, message} \| null}` |
//!
//! `kind` is `answer`, `blocked` or `released` (a blocked step that finished); `state` is
//! `active`, `failed`, `committed` or `rolled back`. `edges` is the dependency graph of the
//! committed transactions and `finding` what the checker names in it.

use serde_json::{json, Value};

use crate::adya::{self, Anomaly, Dep, Edge};
use crate::script::{Player, Shown};
use crate::step;
use crate::store::State;

/// Every script, named by its file.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "g-single-predicate-repeatable-read",
        include_str!("../scripts/g-single-predicate-repeatable-read.txt"),
    ),
    (
        "g-single-read-committed",
        include_str!("../scripts/g-single-read-committed.txt"),
    ),
    (
        "g-single-repeatable-read",
        include_str!("../scripts/g-single-repeatable-read.txt"),
    ),
    (
        "g-single-write-predicate-repeatable-read",
        include_str!("../scripts/g-single-write-predicate-repeatable-read.txt"),
    ),
    (
        "g0-read-committed",
        include_str!("../scripts/g0-read-committed.txt"),
    ),
    (
        "g1a-read-committed",
        include_str!("../scripts/g1a-read-committed.txt"),
    ),
    (
        "g1b-read-committed",
        include_str!("../scripts/g1b-read-committed.txt"),
    ),
    (
        "g1c-read-committed",
        include_str!("../scripts/g1c-read-committed.txt"),
    ),
    (
        "g2-fekete-serializable",
        include_str!("../scripts/g2-fekete-serializable.txt"),
    ),
    (
        "g2-item-repeatable-read",
        include_str!("../scripts/g2-item-repeatable-read.txt"),
    ),
    (
        "g2-item-serializable",
        include_str!("../scripts/g2-item-serializable.txt"),
    ),
    (
        "g2-repeatable-read",
        include_str!("../scripts/g2-repeatable-read.txt"),
    ),
    (
        "g2-serializable",
        include_str!("../scripts/g2-serializable.txt"),
    ),
    (
        "otv-read-committed",
        include_str!("../scripts/otv-read-committed.txt"),
    ),
    (
        "p4-read-committed",
        include_str!("../scripts/p4-read-committed.txt"),
    ),
    (
        "p4-repeatable-read",
        include_str!("../scripts/p4-repeatable-read.txt"),
    ),
    (
        "pmp-read-committed",
        include_str!("../scripts/pmp-read-committed.txt"),
    ),
    (
        "pmp-repeatable-read",
        include_str!("../scripts/pmp-repeatable-read.txt"),
    ),
    (
        "pmp-write-read-committed",
        include_str!("../scripts/pmp-write-read-committed.txt"),
    ),
    (
        "pmp-write-repeatable-read",
        include_str!("../scripts/pmp-write-repeatable-read.txt"),
    ),
    (
        "rule-deadlock",
        include_str!("../scripts/rule-deadlock.txt"),
    ),
    (
        "rule-failed-transaction",
        include_str!("../scripts/rule-failed-transaction.txt"),
    ),
    (
        "rule-insert-waits-for-insert",
        include_str!("../scripts/rule-insert-waits-for-insert.txt"),
    ),
    (
        "rule-rc-delete-after-rolled-back-update",
        include_str!("../scripts/rule-rc-delete-after-rolled-back-update.txt"),
    ),
    (
        "rule-rc-statement-snapshot",
        include_str!("../scripts/rule-rc-statement-snapshot.txt"),
    ),
    (
        "rule-rc-wait-then-abort",
        include_str!("../scripts/rule-rc-wait-then-abort.txt"),
    ),
    (
        "rule-rr-insert-after-concurrent-delete",
        include_str!("../scripts/rule-rr-insert-after-concurrent-delete.txt"),
    ),
    (
        "rule-rr-invisible-duplicate",
        include_str!("../scripts/rule-rr-invisible-duplicate.txt"),
    ),
    (
        "rule-rr-snapshot-at-first-statement",
        include_str!("../scripts/rule-rr-snapshot-at-first-statement.txt"),
    ),
    (
        "rule-rr-update-after-commit",
        include_str!("../scripts/rule-rr-update-after-commit.txt"),
    ),
    (
        "rule-ser-disjoint-keys",
        include_str!("../scripts/rule-ser-disjoint-keys.txt"),
    ),
    (
        "rule-ser-doomed-at-read",
        include_str!("../scripts/rule-ser-doomed-at-read.txt"),
    ),
    (
        "rule-ser-write-skew-on-call",
        include_str!("../scripts/rule-ser-write-skew-on-call.txt"),
    ),
];

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
        "cases" => Ok(cases()),
        "play" => Ok(play(request["script"].as_str().unwrap_or(""))),
        other => Err(format!("unknown cmd `{other}`")),
    }
}

fn cases() -> Value {
    let cases: Vec<Value> = SCRIPTS
        .iter()
        .map(|(id, script)| {
            let note: Vec<&str> = script
                .lines()
                .take_while(|l| l.starts_with('#'))
                .map(|l| l.trim_start_matches('#').trim())
                .collect();
            let level = ["read-committed", "repeatable-read", "serializable"]
                .into_iter()
                .find(|level| script.contains(&format!("begin {level}")))
                .unwrap_or("read-committed");
            json!({"id": id, "title": title(id, level), "level": level, "note": note.join(" "), "script": script})
        })
        .collect();
    Value::Array(cases)
}

/// A case's name in the widget's list: the anomaly Hermitage tests and the level, or the rule.
fn title(id: &str, level: &str) -> String {
    let rule = match id {
        "rule-deadlock" => "Deadlock: each waits for the other",
        "rule-failed-transaction" => "After an error, everything is aborted",
        "rule-insert-waits-for-insert" => "An insert waits for an open insert",
        "rule-rc-delete-after-rolled-back-update" => "Read committed: after a rolled-back update",
        "rule-rc-statement-snapshot" => "Read committed: a snapshot per statement",
        "rule-rc-wait-then-abort" => "Read committed: the holder aborts",
        "rule-rr-insert-after-concurrent-delete" => "Repeatable read: re-insert after a delete",
        "rule-rr-invisible-duplicate" => "Repeatable read: invisible, yet a duplicate",
        "rule-rr-snapshot-at-first-statement" => "Repeatable read: snapshot at first statement",
        "rule-rr-update-after-commit" => "Repeatable read: update after a commit",
        "rule-ser-disjoint-keys" => "Serializable: disjoint keys both commit",
        "rule-ser-doomed-at-read" => "Serializable: doomed at a read",
        "rule-ser-write-skew-on-call" => "Serializable: two doctors off call",
        _ => "",
    };
    if !rule.is_empty() {
        return format!("Rule: {rule}");
    }
    let test = id.strip_suffix(&format!("-{level}")).unwrap_or(id);
    let name = match test {
        "g0" => "G0: write cycles",
        "g1a" => "G1a: aborted reads",
        "g1b" => "G1b: intermediate reads",
        "g1c" => "G1c: circular information flow",
        "otv" => "OTV: observed transaction vanishes",
        "pmp" => "PMP: predicate-many-preceders",
        "pmp-write" => "PMP with a write predicate",
        "p4" => "P4: lost update",
        "g-single" => "G-single: read skew",
        "g-single-predicate" => "G-single with a predicate read",
        "g-single-write-predicate" => "G-single with a write predicate",
        "g2-item" => "G2-item: write skew",
        "g2" => "G2: anti-dependency cycles",
        "g2-fekete" => "G2: the read-only anomaly",
        other => other,
    };
    format!("{name} ({})", level.replace('-', " "))
}

fn dep(dep: Dep) -> &'static str {
    match dep {
        Dep::Ww => "ww",
        Dep::Wr => "wr",
        Dep::Rw => "rw",
        Dep::PredicateRw => "rw (predicate)",
    }
}

fn edge(e: &Edge) -> Value {
    json!({"from": e.from, "to": e.to, "dep": dep(e.dep), "key": e.key})
}

/// The anomaly in plain words, for readers who do not speak Adya yet.
fn meaning(anomaly: Anomaly) -> &'static str {
    match anomaly {
        Anomaly::G0 => "dirty write",
        Anomaly::G1a => "aborted read",
        Anomaly::G1b => "intermediate read",
        Anomaly::G1c => "circular information flow",
        Anomaly::GSingle => "read skew",
        Anomaly::G2Item => "write skew",
        Anomaly::G2 => "anti-dependency cycle through a predicate",
    }
}

fn play(script: &str) -> Value {
    let mut error = Value::Null;
    let lines = step::parse(script).unwrap_or_else(|e| {
        error = json!({"line": e.line, "message": e.message});
        Vec::new()
    });
    let mut player = Player::new();
    let mut events = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for line in &lines {
        if !names.contains(&line.txn) {
            names.push(line.txn.clone());
        }
        match player.play(line) {
            Ok(played) => events.extend(played),
            Err(e) => {
                error = json!({"line": e.line, "message": e.message});
                break;
            }
        }
    }
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let (kind, result) = match &e.shown {
                Shown::Answer(a) => ("answer", a.to_string()),
                Shown::Blocked => ("blocked", "blocked".to_string()),
                Shown::Released(a) => ("released", a.to_string()),
            };
            let failed = result.starts_with("error") || result == "rolled back";
            json!({"line": e.line, "txn": e.txn, "text": e.text, "kind": kind, "result": result, "failed": failed})
        })
        .collect();
    let txns: Vec<Value> = names
        .iter()
        .filter_map(|name| {
            let t = player.txn(name)?;
            let txn = &player.store.txns[t];
            let state = match txn.state {
                State::Active => "active",
                State::Failed => "failed",
                State::Committed => "committed",
                State::RolledBack => "rolled back",
            };
            Some(json!({"name": name, "level": txn.level.name(), "state": state, "blocked": player.is_blocked(name)}))
        })
        .collect();
    let history = player.store.history();
    let edges: Vec<Value> = adya::graph(&history).iter().map(edge).collect();
    let finding = adya::check(&history).map_or(Value::Null, |f| {
        json!({
            "anomaly": f.anomaly.to_string(),
            "meaning": meaning(f.anomaly),
            "cycle": f.cycle.iter().map(edge).collect::<Vec<_>>(),
            "text": f.to_string(),
        })
    });
    json!({"events": events, "txns": txns, "edges": edges, "finding": finding, "refused": error})
}

//! The widget's entry point: `dsip_call` takes a JSON command and returns a JSON reply (see
//! `wasm-bridge` for the ABI). Each command is a pure function of its fields.
//!
//! | `cmd` | fields | reply |
//! |---|---|---|
//! | `faults` | none | `{faults: [{id, label, where}]}`: every fault the timeline can inject, in arrow order |
//! | `run` | `keys`, `atomic`, `retries` (bools, default true), `fault` (an id from `faults`) | `{entries: [{attempt, kind, from, to, label, lost, charges}], charges, answered, failed_corner, verdict}` |

use serde_json::{json, Value};

use crate::lifecycle::Step;
use crate::timeline::{run, Arrow, Fault, Scenario};

/// Called by the widget runtime with a JSON request; see the module documentation.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from `dsip_alloc` that JS filled (the bridge's contract).
#[no_mangle]
pub unsafe extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    wasm_bridge::respond_json(ptr, len, dispatch)
}

fn faults() -> Vec<(String, Fault, &'static str, &'static str)> {
    let mut all = vec![("none".to_owned(), Fault::None, "No fault", "")];
    let lose = |a: Arrow, label, at| (format!("lose:{}", a.name()), Fault::Lose(a), label, at);
    let crash = |s: Step, label, at| (format!("crash:{}", s.name()), Fault::Crash(s), label, at);
    all.push(lose(Arrow::Request, "Lose the request", "client → service"));
    all.push(crash(
        Step::AfterKeyRecorded,
        "Crash after the key is recorded",
        "service",
    ));
    all.push(lose(
        Arrow::NetworkCall,
        "Lose the call to the network",
        "service → network",
    ));
    all.push(lose(
        Arrow::NetworkReply,
        "Lose the network's reply",
        "network → service",
    ));
    all.push(crash(
        Step::AfterNetworkCall,
        "Crash after the network call",
        "service",
    ));
    all.push(crash(
        Step::BeforeResponse,
        "Crash before the response",
        "service",
    ));
    all.push(lose(
        Arrow::Response,
        "Lose the response",
        "service → client",
    ));
    all
}

fn dispatch(request: &Value) -> Result<Value, String> {
    match request["cmd"].as_str().ok_or("missing `cmd`")? {
        "faults" => Ok(
            json!({"faults": faults().iter().map(|(id, _, label, at)| json!({"id": id, "label": label, "where": at})).collect::<Vec<_>>()}),
        ),
        "run" => {
            let flag = |name: &str| request[name].as_bool().unwrap_or(true);
            let id = request["fault"].as_str().unwrap_or("none");
            let fault = faults()
                .into_iter()
                .find(|(f, ..)| f == id)
                .map(|(_, fault, ..)| fault)
                .ok_or_else(|| format!("unknown fault `{id}`"))?;
            let result = run(Scenario {
                keys: flag("keys"),
                atomic: flag("atomic"),
                retries: flag("retries"),
                fault,
            });
            Ok(json!({
                "entries": result.entries.iter().map(|e| json!({
                    "attempt": e.attempt, "kind": e.kind, "from": e.from, "to": e.to,
                    "label": e.label, "lost": e.lost, "charges": e.charges,
                })).collect::<Vec<_>>(),
                "charges": result.charges,
                "answered": result.answered,
                "failed_corner": result.failed_corner,
                "verdict": result.verdict,
            }))
        }
        other => Err(format!("unknown cmd `{other}`")),
    }
}

//! The Consistency Spectrum Dial's entry point: a JSON command API over the crate.
//!
//! The widget contract (ARCHITECTURE.md, section 2) is one `dsip_call` per crate, JSON in and
//! JSON out; the widget's JavaScript only draws.
//!
//! | request | reply |
//! |---|---|
//! | `{"cmd":"check","history":"<etcd log or kv lines>"}` | `{"linearizable":bool,"witness":"..."}` |

use serde_json::{json, Value};

/// The widget contract's one export: decode, run the command, encode.
#[no_mangle]
pub extern "C" fn dsip_call(ptr: *mut u8, len: usize) -> u64 {
    // SAFETY: the runtime passes a buffer it got from `dsip_alloc` and filled with `len` bytes.
    unsafe { wasm_bridge::respond_json(ptr, len, run) }
}

fn run(request: &Value) -> Result<Value, String> {
    let cmd = request["cmd"].as_str().ok_or("request has no \"cmd\"")?;
    match cmd {
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
        other => Err(format!("unknown command \"{other}\"")),
    }
}

//! The fetch shim in `theme/head.hbs`, run under Node with a fake `fetch`: it must compute the
//! same lookup key as Rust, answer unedited snippets from the static file, reach the server for
//! edited ones, and explain how to run locally when no server answers.
//!
//! Skipped (with a note) when `node` is not installed; `cargo xtask test` installs it for the
//! browser tests.

use std::process::Command;

use playground::precompute::lookup_key;
use playground::EvaluateRequest;
use serde_json::{json, Value};

const HARNESS: &str = r#"
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
globalThis.window = globalThis;
var serverUp = false;
const calls = [];
globalThis.fetch = async (url, init) => {
  calls.push(url);
  const headers = { "Content-Type": "application/json" };
  if (url in input.files) return new Response(input.files[url], { headers });
  if (serverUp && url === "/evaluate.json") {
    return new Response(JSON.stringify({ result: "from server", error: null }), { headers });
  }
  return new Response("<h1>404</h1>", { status: 404, headers: { "Content-Type": "text/html" } });
};
var path_to_root = "../";
eval(fs.readFileSync(process.argv[3], "utf8"));
(async () => {
  const out = { keys: input.requests.map((r) => window.DSIP_PLAYGROUND_KEY(r)) };
  const post = (url, body) => window.fetch(url, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
  out.meta = await post("https://play.rust-lang.org/meta/crates", {});
  out.unedited = await post("https://play.rust-lang.org/evaluate.json", input.requests[0]);
  out.editedNoServer = await post("https://play.rust-lang.org/evaluate.json", input.requests[1]);
  serverUp = true;
  out.editedServer = await post("https://play.rust-lang.org/evaluate.json", input.requests[1]);
  out.calls = calls;
  console.log(JSON.stringify(out));
})();
"#;

#[test]
fn shim_matches_rust_and_falls_back_in_order() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node not installed: skipping the shim test");
        return;
    }
    let head = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../theme/head.hbs"))
        .expect("theme/head.hbs");
    assert!(
        !head.contains("{{"),
        "head.hbs is a Handlebars template: no double braces"
    );
    let script = head
        .trim()
        .strip_prefix("<script>")
        .and_then(|s| s.strip_suffix("</script>"))
        .expect("head.hbs is one <script> element");

    let requests = vec![
        EvaluateRequest::like_book_js("fn main() {\n    println!(\"héllo ✓\");\n}\n", "2021"),
        EvaluateRequest::like_book_js("fn main() { /* edited */ }\r\n", "2018"),
        EvaluateRequest::like_book_js("#![feature(x)]\nfn main() {}", "2015"),
    ];
    let keys: Vec<String> = requests.iter().map(lookup_key).collect();
    let precomputed = json!({
        "format": 1, "key": "", "toolchain": "",
        "entries": { keys[0].clone(): { "result": "héllo ✓\n", "error": null, "outcome": { "kind": "success" } } }
    });
    let meta = json!({ "crates": [{ "id": "demo", "name": "demo", "version": "0.1.0" }] });
    let input = json!({
        "requests": requests,
        "files": {
            "../playground/precomputed.json": precomputed.to_string(),
            "../playground/meta-crates.json": meta.to_string(),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (input_path, shim_path, harness_path) = (
        dir.path().join("input.json"),
        dir.path().join("shim.js"),
        dir.path().join("harness.js"),
    );
    std::fs::write(&input_path, input.to_string()).unwrap();
    std::fs::write(&shim_path, script).unwrap();
    std::fs::write(&harness_path, HARNESS).unwrap();
    let output = Command::new("node")
        .arg(&harness_path)
        .arg(&input_path)
        .arg(&shim_path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(out["keys"], json!(keys), "JS and Rust keys differ");
    assert_eq!(out["meta"]["crates"][0]["id"], "demo");
    assert_eq!(out["unedited"]["result"], "héllo ✓\n");
    let fallback = out["editedNoServer"]["result"].as_str().unwrap();
    assert!(fallback.contains("cargo xtask serve"), "{fallback}");
    assert_eq!(out["editedServer"]["result"], "from server");
    // The unedited Run never reached the server.
    let calls: Vec<&str> = out["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        calls.iter().filter(|c| **c == "/evaluate.json").count(),
        2,
        "{calls:?}"
    );
}

//! The HTTP API as `book.js` uses it: shapes, status codes, the cache, precomputed answers, the
//! busy answer under saturation, CORS.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use playground::precompute::{lookup_key, FORMAT};
use playground::{EvaluateResponse, Outcome, Playground, Precomputed};
use serde_json::{json, Value};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    source: String,
    body: Value,
}

async fn call(app: &Router, method: &str, uri: &str, body: impl Into<Body>) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let source = response
        .headers()
        .get("x-dsip-source")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    Reply {
        status,
        source,
        body,
    }
}

fn evaluate_body(code: &str) -> String {
    json!({ "version": "stable", "optimize": "0", "code": code, "edition": "2021" }).to_string()
}

fn app() -> Router {
    playground::router(common::playground())
}

#[tokio::test]
async fn meta_crates_lists_companion_crates_for_get_and_post() {
    let app = app();
    for method in ["GET", "POST"] {
        let reply = call(&app, method, "/meta/crates", "").await;
        assert_eq!(reply.status, StatusCode::OK);
        // Every companion crate, the library-only kernel and the crates with dependencies too.
        assert_eq!(
            reply.body,
            json!({ "crates": [
                { "id": "demo", "name": "demo", "version": "0.1.0" },
                { "id": "sim", "name": "sim", "version": "0.1.0" },
                { "id": "sim_dice", "name": "sim-dice", "version": "0.1.0" },
                { "id": "sqlite_kv", "name": "sqlite-kv", "version": "0.1.0" },
            ] })
        );
    }
}

#[tokio::test]
async fn evaluate_runs_a_snippet_using_a_companion_crate() {
    let app = app();
    let code = "use demo::Clock;\nfn main() { let mut c = Clock::new(); println!(\"tick {}\", c.tick()); }";
    let reply = call(&app, "POST", "/evaluate.json", evaluate_body(code)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["result"], "tick 1\n");
    assert_eq!(reply.body["error"], Value::Null);
    assert_eq!(reply.source, "compiled");
}

#[tokio::test]
async fn compile_errors_are_shown_in_result() {
    let reply = call(
        &app(),
        "POST",
        "/evaluate.json",
        evaluate_body("fn main() { let x: i32 = \"no\"; }"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let result = reply.body["result"].as_str().unwrap();
    assert!(
        result.contains("error[E0308]: mismatched types"),
        "{result}"
    );
    assert!(result.contains("src/main.rs:1"), "{result}");
    assert_eq!(reply.body["error"], reply.body["result"]);
}

#[tokio::test]
async fn panics_show_stderr_in_result() {
    let reply = call(
        &app(),
        "POST",
        "/evaluate.json",
        evaluate_body("fn main() { println!(\"before\"); panic!(\"boom\"); }"),
    )
    .await;
    let result = reply.body["result"].as_str().unwrap();
    assert!(result.starts_with("before\n"), "{result}");
    assert!(result.contains("panicked at src/main.rs"), "{result}");
    assert_eq!(
        reply.body["outcome"],
        json!({ "kind": "runtime_error", "status": 101 })
    );
}

#[tokio::test]
async fn malformed_json_is_a_clear_400() {
    let reply = call(&app(), "POST", "/evaluate.json", "{not json").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body["result"]
        .as_str()
        .unwrap()
        .starts_with("Bad request"));
    let reply = call(&app(), "POST", "/evaluate.json", r#"{"edition": "2021"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "code is required");
}

#[tokio::test]
async fn oversized_requests_are_refused_with_the_limit() {
    let code = format!("fn main() {{}}\n//{}", "x".repeat(100 * 1024));
    let reply = call(&app(), "POST", "/evaluate.json", evaluate_body(&code)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let result = reply.body["result"].as_str().unwrap();
    assert!(result.contains("64 KiB"), "{result}");
    // Just over the code limit but inside the envelope slack: refused by the same rule, 200.
    let code = format!("fn main() {{}}\n//{}", "x".repeat(65 * 1024));
    let reply = call(&app(), "POST", "/evaluate.json", evaluate_body(&code)).await;
    assert_eq!(reply.body["outcome"]["kind"], "rejected");
    assert!(reply.body["result"]
        .as_str()
        .unwrap()
        .contains("the limit is 64 KiB"));
}

#[tokio::test]
async fn unknown_edition_is_rejected_without_compiling() {
    let body = json!({ "code": "fn main() {}", "edition": "1999" }).to_string();
    let reply = call(&app(), "POST", "/evaluate.json", body).await;
    assert_eq!(reply.source, "rejected");
    assert!(reply.body["result"]
        .as_str()
        .unwrap()
        .contains("unknown edition"));
}

#[tokio::test]
async fn repeated_runs_come_from_the_cache() {
    let app = app();
    let code = "fn main() { println!(\"cache me {}\", 6 * 7); }";
    let first = call(&app, "POST", "/evaluate.json", evaluate_body(code)).await;
    let started = Instant::now();
    let second = call(&app, "POST", "/evaluate.json", evaluate_body(code)).await;
    assert_eq!(first.source, "compiled");
    assert_eq!(second.source, "cache");
    assert_eq!(first.body, second.body);
    assert!(started.elapsed() < Duration::from_millis(50));
}

#[tokio::test]
async fn precomputed_answers_need_no_compile() {
    // An entry whose code is not even Rust: only a table lookup can answer it.
    let req = common::req("this is not rust, but it is in the table");
    let mut table = Precomputed {
        format: FORMAT,
        ..Precomputed::default()
    };
    table.entries.insert(
        lookup_key(&req),
        EvaluateResponse {
            result: "precomputed!\n".into(),
            error: None,
            outcome: Outcome::Success,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("precomputed.json");
    std::fs::write(&path, serde_json::to_string(&table).unwrap()).unwrap();
    let mut config = common::config();
    config.precomputed = Some(path);
    let app = playground::router(Arc::new(Playground::new(config).unwrap()));
    // Trailing whitespace differs from the table's text: the key normalises it away.
    let reply = call(
        &app,
        "POST",
        "/evaluate.json",
        evaluate_body(&format!("{}\n\n", req.code)),
    )
    .await;
    assert_eq!(reply.source, "precomputed");
    assert_eq!(reply.body["result"], "precomputed!\n");
}

#[tokio::test]
async fn saturation_answers_busy_fast_while_cached_answers_flow() {
    let mut config = common::config();
    config.concurrency = 1;
    // A deadline no queued run can meet (its wait alone is one mean run, about 0.2 s): only a
    // free slot is taken.
    config.deadline = Duration::from_millis(300);
    config.deadline_margin = Duration::ZERO;
    let pg = Arc::new(Playground::new(config).unwrap());
    let app = playground::router(pg.clone());
    let cached = "fn main() { println!(\"warm\"); }";
    assert_eq!(
        call(&app, "POST", "/evaluate.json", evaluate_body(cached))
            .await
            .source,
        "compiled"
    );

    let slow = app.clone();
    let hog = tokio::spawn(async move {
        let code = "fn main() { std::thread::sleep(std::time::Duration::from_millis(1500)); println!(\"slept\"); }";
        call(&slow, "POST", "/evaluate.json", evaluate_body(code)).await
    });
    // Wait until the slow run holds the only slot.
    while pg.health().in_flight == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let busy = call(
        &app,
        "POST",
        "/evaluate.json",
        evaluate_body("fn main() { println!(\"new\"); }"),
    )
    .await;
    assert_eq!(busy.status, StatusCode::OK);
    assert_eq!(busy.source, "busy");
    let text = busy.body["result"].as_str().unwrap();
    assert!(
        text.contains("busy") && text.contains("Try again in about"),
        "{text}"
    );
    assert_eq!(busy.body["error"], busy.body["result"]);
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "busy must be immediate"
    );

    let warm = call(&app, "POST", "/evaluate.json", evaluate_body(cached)).await;
    assert_eq!(warm.source, "cache");
    assert_eq!(warm.body["result"], "warm\n");

    assert_eq!(hog.await.unwrap().body["result"], "slept\n");
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let mut config = common::config();
    config.allowed_origins = vec!["https://book.example".into()];
    let app = playground::router(Arc::new(Playground::new(config).unwrap()));
    for (origin, allowed) in [
        ("https://book.example", true),
        ("https://evil.example", false),
    ] {
        let request = Request::builder()
            .method("OPTIONS")
            .uri("/evaluate.json")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let header = response.headers().get("access-control-allow-origin");
        assert_eq!(header.is_some(), allowed, "{origin}");
    }
}

#[tokio::test]
async fn health_reports_the_sandbox() {
    let reply = call(&app(), "GET", "/health", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body["toolchain"]
        .as_str()
        .unwrap()
        .starts_with("rustc"));
    assert!(reply.body["degraded"].is_array());
}

//! The HTTP API: the two endpoints of the public Rust playground that mdBook's `book.js` calls,
//! plus `/health`.
//!
//! Every answer `book.js` may see is JSON with a `result` string, including failures (400 bad
//! JSON, 413 too large, 500 panic): `book.js` calls `response.json()` whatever the status and
//! shows `result`, so a plain-text error page would surface as a JSON parse error instead of the
//! reason.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use crate::limits::Bytes;
use crate::wire::{EvaluateRequest, EvaluateResponse, Outcome};
use crate::Playground;

/// Room for the JSON envelope around the code (field names, escapes of a typical snippet).
const JSON_OVERHEAD: usize = 16 * 1024;

/// A backstop far above any legitimate request (queue wait + compile + run): if something still
/// hangs, the connection is answered rather than held forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The playground's routes, with their state applied, ready to `merge` into another router (as
/// `cargo xtask serve` does next to its static files) or to serve alone.
pub fn router(playground: Arc<Playground>) -> Router {
    let origins = playground.config().allowed_origins.clone();
    let router = Router::new()
        .route("/evaluate.json", post(evaluate))
        .route("/meta/crates", get(crates).post(crates))
        .route("/health", get(health))
        .with_state(playground)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ));
    match cors(&origins) {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// CORS for the configured origins: `*` allows any (the public playground does the same; no
/// credentials are involved), a list allows those, nothing means same-origin only.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(Duration::from_secs(3600)),
    )
}

async fn evaluate(State(playground): State<Arc<Playground>>, body: Body) -> Response {
    let started = Instant::now();
    let limit = playground.config().max_code_bytes;
    let bytes = match axum::body::to_bytes(body, limit + JSON_OVERHEAD).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return rejection(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Not run: the request is larger than the {} snippet limit.",
                    Bytes(limit as u64)
                ),
            )
        }
    };
    let req: EvaluateRequest = match serde_json::from_slice(&bytes) {
        Ok(req) => req,
        Err(e) => {
            return rejection(
                StatusCode::BAD_REQUEST,
                format!(
                    "Bad request: expected JSON {{\"code\": \"...\", \"edition\": \"2021\", \
                     \"version\": \"stable\", \"optimize\": \"0\"}} ({e})."
                ),
            )
        }
    };
    let (resp, source) = playground.evaluate_traced(req).await;
    let mut response = Json(resp).into_response();
    let headers = response.headers_mut();
    headers.insert("x-dsip-source", HeaderValue::from_static(source.as_str()));
    if let Ok(timing) = HeaderValue::from_str(&format!(
        "total;dur={:.3}",
        started.elapsed().as_secs_f64() * 1000.0
    )) {
        headers.insert("server-timing", timing);
    }
    response
}

async fn crates(State(playground): State<Arc<Playground>>) -> Response {
    Json(playground.crates()).into_response()
}

async fn health(State(playground): State<Arc<Playground>>) -> Response {
    Json(playground.health()).into_response()
}

fn rejection(status: StatusCode, message: String) -> Response {
    (
        status,
        Json(EvaluateResponse::failure(message, Outcome::Rejected)),
    )
        .into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("panic in an HTTP handler");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(EvaluateResponse::failure(
            "The playground hit an internal error. This is not your code's fault; please try again.",
            Outcome::InternalError,
        )),
    )
        .into_response()
}

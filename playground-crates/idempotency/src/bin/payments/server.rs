//! The idempotent payment service over HTTP (the `payments` binary; see `main.rs`).
//!
//! ```text
//! cargo run --release -p idempotency --bin payments -- --listen 127.0.0.1:3106 --data ./data [--crash-at STEP]
//! ```
//!
//! Three SQLite files under `--data`: `payments.db` (keys, charges, outbox), `network.db` (the
//! card network) and `ledger.db` (the outbox's consumer). `--crash-at after-key-recorded |
//! after-network-call | before-response` aborts the process when the first charge reaches that
//! step, with no cleanup, as a power cut would. `--network-delay-ms N` makes the card network
//! slow, so a second request with the same key arrives while the first is in flight.
//!
//! Each charge runs in its own spawned task, so a client that hangs up mid-request does not
//! cancel the charge half-way: the work finishes, and the client's retry replays it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use idempotency::{
    begin, call_network, check_key, complete, engine::internal_error, relay_once, Begin,
    CardNetwork, ChargeParams, Design, Reply, SqliteLedger, SqliteNetwork, SqliteStore, Step,
    Store, StoreError,
};

struct Shared {
    store: Mutex<SqliteStore>,
    network: Mutex<SqliteNetwork>,
    ledger: Mutex<SqliteLedger>,
    boot: u64,
    crash_at: Option<Step>,
    network_delay: Duration,
}

type App = Arc<Shared>;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn crash_if(app: &Shared, step: Step) {
    if app.crash_at == Some(step) {
        eprintln!("payments: --crash-at {}: aborting now", step.name());
        std::process::abort();
    }
}

fn to_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if reply.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a storage task panicked")
}

/// The three phases, each storage step on the blocking pool, the store never held across the
/// network call.
async fn run_charge(app: App, key: Option<String>, params: ChargeParams) -> Reply {
    let now = now_ms();
    let a = app.clone();
    let p = params.clone();
    let begun = blocking(move || {
        let mut store = a.store.lock().unwrap();
        begin(
            &mut *store,
            Design::Lifecycle,
            key.as_deref(),
            &p,
            a.boot,
            now,
        )
    })
    .await;
    let job = match begun {
        Ok(Begin::Run(job)) => job,
        Ok(Begin::Answer(reply)) => return reply,
        Err(e) => return internal_error(&e),
    };
    crash_if(&app, Step::AfterKeyRecorded);
    if !app.network_delay.is_zero() {
        tokio::time::sleep(app.network_delay).await;
    }
    let a = app.clone();
    let j = job.clone();
    let result = blocking(move || call_network(&mut *a.network.lock().unwrap(), &j)).await;
    let result = match result {
        Ok(result) => result,
        Err(e) => return release(&app, job.record.id, StoreError(e)).await,
    };
    crash_if(&app, Step::AfterNetworkCall);
    let a = app.clone();
    let j = job.clone();
    let done = blocking(move || complete(&mut *a.store.lock().unwrap(), &j, &result)).await;
    match done {
        Ok(reply) => {
            crash_if(&app, Step::BeforeResponse);
            reply
        }
        Err(e) => release(&app, job.record.id, e).await,
    }
}

async fn release(app: &App, id: u64, error: StoreError) -> Reply {
    let a = app.clone();
    let _ = blocking(move || a.store.lock().unwrap().release(id)).await;
    internal_error(&error)
}

async fn post_charge(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => match value.to_str() {
            Ok(k) => Some(k.to_owned()),
            Err(_) => Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        },
    };
    if let Some(k) = &key {
        if let Err(e) = check_key(k) {
            return to_response(Reply::error(&e));
        }
    }
    let params = match ChargeParams::parse(&body) {
        Ok(p) => p,
        Err(e) => return to_response(Reply::error(&e)),
    };
    // Spawned: finishes even if this handler is dropped because the client hung up.
    let task = tokio::spawn(run_charge(app, key, params));
    match task.await {
        Ok(reply) => to_response(reply),
        Err(_) => to_response(internal_error(&StoreError("the charge task failed".into()))),
    }
}

fn list(data: Vec<serde_json::Value>) -> Response {
    let body = serde_json::json!({"object": "list", "data": data, "has_more": false});
    to_response(Reply {
        status: 200,
        body: body.to_string(),
        replayed: false,
    })
}

async fn get_charges(State(app): State<App>) -> Response {
    let charges = blocking(move || app.store.lock().unwrap().charges()).await;
    match charges {
        Ok(c) => list(c.iter().map(|c| c.to_value()).collect()),
        Err(e) => to_response(internal_error(&e)),
    }
}

async fn get_network_charges(State(app): State<App>) -> Response {
    let charges = blocking(move || app.network.lock().unwrap().charges()).await;
    match charges {
        Ok(c) => list(c.iter().map(|c| c.to_value()).collect()),
        Err(e) => to_response(internal_error(&StoreError(e))),
    }
}

async fn get_ledger(State(app): State<App>) -> Response {
    let summary = blocking(move || app.ledger.lock().unwrap().summary()).await;
    match summary {
        Ok((applied, duplicates, total)) => to_response(Reply {
            status: 200,
            body: serde_json::json!({"events_applied": applied, "duplicates_ignored": duplicates, "amount_applied": total}).to_string(),
            replayed: false,
        }),
        Err(e) => to_response(internal_error(&e)),
    }
}

struct Args {
    listen: SocketAddr,
    data: PathBuf,
    crash_at: Option<Step>,
    network_delay_ms: u64,
}

fn usage(problem: &str) -> ! {
    eprintln!("payments: {problem}\nusage: payments --listen ADDR --data DIR [--crash-at after-key-recorded|after-network-call|before-response] [--network-delay-ms N]");
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut listen = None;
    let mut data = None;
    let mut crash_at = None;
    let mut network_delay_ms = 0;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("`{flag}` needs a value")))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value();
                listen = Some(v.parse().unwrap_or_else(|_| {
                    usage(&format!(
                        "`--listen {v}` is not an address like 127.0.0.1:3106"
                    ))
                }));
            }
            "--data" => data = Some(PathBuf::from(value())),
            "--crash-at" => {
                let v = value();
                crash_at = Some(
                    Step::parse(&v)
                        .unwrap_or_else(|| usage(&format!("`--crash-at {v}` is not a step"))),
                );
            }
            "--network-delay-ms" => {
                let v = value();
                network_delay_ms = v.parse().unwrap_or_else(|_| {
                    usage(&format!("`--network-delay-ms {v}` is not a number"))
                });
            }
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    Args {
        listen: listen.unwrap_or_else(|| usage("`--listen ADDR` is required")),
        data: data.unwrap_or_else(|| usage("`--data DIR` is required")),
        crash_at,
        network_delay_ms,
    }
}

/// Parses the arguments, opens the three databases, starts the relay and the reaper, serves.
#[tokio::main]
pub async fn main() {
    let args = parse_args();
    std::fs::create_dir_all(&args.data)
        .unwrap_or_else(|e| usage(&format!("cannot create {}: {e}", args.data.display())));
    let open_failed = |e: StoreError| -> ! { usage(&e.to_string()) };
    let store =
        SqliteStore::open(&args.data.join("payments.db")).unwrap_or_else(|e| open_failed(e));
    let network =
        SqliteNetwork::open(&args.data.join("network.db")).unwrap_or_else(|e| open_failed(e));
    let ledger =
        SqliteLedger::open(&args.data.join("ledger.db")).unwrap_or_else(|e| open_failed(e));
    // A boot id unique to this process: locks held by any other boot belong to a dead process.
    let boot = (now_ms() << 16 ^ u64::from(std::process::id())) & (i64::MAX as u64);
    let app: App = Arc::new(Shared {
        store: Mutex::new(store),
        network: Mutex::new(network),
        ledger: Mutex::new(ledger),
        boot,
        crash_at: args.crash_at,
        network_delay: Duration::from_millis(args.network_delay_ms),
    });
    // The outbox relay: publishes committed events to the ledger, at least once.
    let relay = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let a = relay.clone();
            let _ = blocking(move || {
                let mut store = a.store.lock().unwrap();
                let mut ledger = a.ledger.lock().unwrap();
                relay_once(&mut *store, &mut *ledger, 500, false)
            })
            .await;
        }
    });
    // The reaper: keys older than 24 hours go.
    let reaper = app.clone();
    tokio::spawn(async move {
        loop {
            let a = reaper.clone();
            let _ = blocking(move || a.store.lock().unwrap().reap(now_ms())).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
    let router = Router::new()
        .route("/v1/charges", get(get_charges).post(post_charge))
        .route("/v1/network/charges", get(get_network_charges))
        .route("/v1/ledger", get(get_ledger))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .unwrap_or_else(|e| usage(&format!("cannot listen on {}: {e}", args.listen)));
    let bound = listener.local_addr().expect("a bound address");
    println!("payments listening on http://{bound}");
    axum::serve(listener, router)
        .await
        .expect("the server failed");
}

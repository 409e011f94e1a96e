//! `payments`: the idempotent payment service over HTTP.
//!
//! ```text
//! cargo run --release -p idempotency --bin payments -- --listen 127.0.0.1:3106 --data ./data [--crash-at STEP]
//! ```
//!
//! The server is native only (axum, tokio, SQLite); the wasm build of the crate, which the
//! widget uses, compiles this binary to an empty program.

#[cfg(not(target_arch = "wasm32"))]
mod server;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    server::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

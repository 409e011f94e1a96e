//! `idempotency`: Module 6's companion crate. A payment service that charges a card exactly once
//! through lost messages, retries and crashes, and the pieces that make "exactly once" honest.
//!
//! | module | what it holds |
//! |---|---|
//! | [`request`] | the charge parameters and the key, validated before anything is saved |
//! | [`reply`] | the saved answer (status and body), charges, and the error JSON |
//! | [`lifecycle`] | the Idempotency-Key Lifecycle as a pure rule: [`admit`], recovery points, crash [`Step`]s |
//! | [`store`] | the [`Store`] trait and [`MemoryStore`]; [`SqliteStore`] is in `sqlite` (native only) |
//! | [`network`] | the card network: foreign state that executes each request id at most once |
//! | [`engine`] | one charge in three phases, and [`Payments`], a synchronous service that can crash at any step |
//! | [`outbox`] | the transactional outbox, its at-least-once relay and a consumer that deduplicates |
//! | [`client`] | exponential backoff with full jitter, the retry rule, and a small HTTP client |
//! | [`timeline`] | the widget's model: one press of "Pay" with a fault injected |
//!
//! The `payments` binary (`src/bin/payments.rs`) serves all of it over HTTP with SQLite files on
//! disk; the library has no async code and no HTTP server, so a snippet that links it stays small.
//!
//! The design follows Stripe's: the `Idempotency-Key` header and its documented behaviour
//! (<https://docs.stripe.com/api/idempotent_requests>), the 2017 post on robust APIs
//! (<https://stripe.com/blog/idempotency>), and Brandur Leach's atomic phases and recovery points
//! (<https://brandur.org/idempotency-keys>).

pub mod client;
pub mod engine;
pub mod lifecycle;
pub mod network;
pub mod outbox;
pub mod reply;
pub mod request;
#[cfg(not(target_arch = "wasm32"))]
pub mod sqlite;
pub mod store;
pub mod timeline;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
pub mod wasm;

pub use client::{should_retry, Attempt, Backoff};
pub use engine::{begin, call_network, complete, Begin, Design, Job, Outcome, Payments};
pub use lifecycle::{
    admit, Admission, KeyRecord, RecoveryPoint, Step, KEY_TTL_MS, LOCK_TIMEOUT_MS,
};
pub use network::{CardNetwork, MemoryNetwork, NetworkCharge, DECLINED_CUSTOMER};
pub use outbox::{relay_once, Consumer, Event, MemoryLedger, RelayPass};
pub use reply::{ApiError, Charge, ErrorKind, Reply};
pub use request::{check_key, ChargeParams, MAX_KEY_LEN};
#[cfg(not(target_arch = "wasm32"))]
pub use sqlite::{SqliteLedger, SqliteNetwork, SqliteStore};
pub use store::{Claim, Finish, MemoryStore, Store, StoreError};
pub use timeline::{Arrow, Fault, Scenario};

/// A service on the in-memory store and network, running the full lifecycle: the quickest way
/// to try the design in a snippet.
pub fn in_memory() -> Payments<MemoryStore, MemoryNetwork> {
    Payments::new(MemoryStore::new(), MemoryNetwork::new(), Design::Lifecycle)
}

//! The Idempotency-Key Lifecycle as a pure decision: what to do with a request, given what the
//! store already holds for its key. No I/O here, so the server, the in-memory store, the
//! property tests and the widget all run the same rule.
//!
//! A key moves through the phases of Brandur Leach's design ("Implementing Stripe-like
//! Idempotency Keys in Postgres", 2017), cut down to one foreign call:
//!
//! ```text
//!   (none) --claim--> Started --network call--> Finished --24 h--> reaped
//!             tx 1       |     (foreign state,      tx 2:  charge + outbox event
//!                        |      no transaction)            + saved reply, one commit
//!                 crash: the next request with the key resumes here
//! ```
//!
//! Each arrow that writes is one local transaction, and each state it leaves behind is a
//! *recovery point*: a process that dies anywhere leaves the key in a state from which a retry
//! knows exactly what is done and what is left.

use crate::reply::{ApiError, Reply};

/// How long a lock taken by a live process is respected before another request may take the key
/// over (a request stuck that long is presumed lost). Brandur's post uses 90 s; the card network
/// executes a request id at most once, so a takeover can never charge twice.
pub const LOCK_TIMEOUT_MS: u64 = 60_000;

/// How long a key is kept: Stripe keeps keys at least 24 hours, then prunes them.
pub const KEY_TTL_MS: u64 = 24 * 60 * 60 * 1000;

/// Where a key's request got to. Each is written in the same transaction as the work it marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryPoint {
    /// The key is recorded with its parameters; the card network may or may not have been called.
    Started,
    /// The charge (or the decline) is recorded with its outbox event and the reply to replay.
    Finished(Reply),
}

/// What the store holds for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The store's number for the request, never reused; the card network sees it as
    /// `req_<id>`, so every attempt at this key names the same network request.
    pub id: u64,
    /// The client's key (absent for a request sent without one).
    pub key: Option<String>,
    /// The parameters' [`fingerprint`](crate::ChargeParams::fingerprint).
    pub fingerprint: String,
    /// The last recovery point reached.
    pub point: RecoveryPoint,
    /// The process (its boot id) running the request now, if any.
    pub locked_by: Option<u64>,
    /// When that lock was taken (ms).
    pub locked_at: u64,
    /// When the key was first seen (ms); it may be reaped [`KEY_TTL_MS`] later.
    pub created_at: u64,
}

impl KeyRecord {
    /// The network request id this record's charge goes out under.
    pub fn network_request_id(&self) -> String {
        format!("req_{}", self.id)
    }
}

/// The lifecycle's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// A new key: record it (locked by this process) and run the charge.
    Start,
    /// A key whose request stopped before finishing (its process died, or its lock expired):
    /// take the lock and carry on from the recovery point.
    Resume,
    /// The key finished: send its saved reply again, without touching the card network.
    Replay(Reply),
    /// Refuse without saving anything: 400 (other parameters) or 409 (still in flight).
    Refuse(ApiError),
}

/// The rule. Checked in this order, because each check must not be skipped by the next one:
///
/// 1. other parameters under the same key are refused (400), whatever state the key is in;
/// 2. a finished key replays its saved reply (200, 402, ... exactly as first sent);
/// 3. a key locked by this process within [`LOCK_TIMEOUT_MS`] is in flight: 409;
/// 4. anything else unfinished (a dead process's lock, an expired lock, no lock) resumes.
///
/// `owner` is the boot id of the process asking: one process serves a data directory at a time,
/// so a lock held by any other boot id belongs to a process that is gone.
pub fn admit(existing: Option<&KeyRecord>, fingerprint: &str, owner: u64, now: u64) -> Admission {
    let Some(record) = existing else {
        return Admission::Start;
    };
    if record.fingerprint != fingerprint {
        return Admission::Refuse(ApiError::key_reused());
    }
    if let RecoveryPoint::Finished(reply) = &record.point {
        return Admission::Replay(reply.clone().replay());
    }
    let fresh = now.saturating_sub(record.locked_at) < LOCK_TIMEOUT_MS;
    if record.locked_by == Some(owner) && fresh {
        return Admission::Refuse(ApiError::key_in_use());
    }
    Admission::Resume
}

/// Whether the reaper may delete a record at `now`.
pub fn expired(record: &KeyRecord, now: u64) -> bool {
    now.saturating_sub(record.created_at) >= KEY_TTL_MS
}

/// The three places a process can die mid-charge, as `--crash-at` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// After transaction 1 committed the key, before the card network is called.
    AfterKeyRecorded,
    /// After the network charged the card, before transaction 2 recorded it: the hard one.
    AfterNetworkCall,
    /// After transaction 2 committed, before the client got its answer.
    BeforeResponse,
}

impl Step {
    /// Every step, in the order a charge reaches them.
    pub const ALL: [Step; 3] = [
        Step::AfterKeyRecorded,
        Step::AfterNetworkCall,
        Step::BeforeResponse,
    ];

    /// The name `--crash-at` takes.
    pub fn name(self) -> &'static str {
        match self {
            Step::AfterKeyRecorded => "after-key-recorded",
            Step::AfterNetworkCall => "after-network-call",
            Step::BeforeResponse => "before-response",
        }
    }

    /// Parses a `--crash-at` value.
    pub fn parse(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.name() == name)
    }
}

//! The transactional outbox: "tell the rest of the company a charge happened", made reliable.
//!
//! Writing the charge to the database and publishing an event to a broker are two systems again,
//! the same gap as the card network. The outbox closes it by not publishing in the request at
//! all: transaction 2 writes the event into an `outbox` table in the *same commit* as the charge,
//! and a relay publishes committed events afterwards, marking each one published once the
//! consumer has acknowledged it. The relay can die between publishing and marking, so it
//! delivers *at least once*; the consumer keeps the ids it has applied and ignores repeats, so
//! the effect is *once*. That pairing, at-least-once delivery plus deduplication, is all that
//! "exactly-once" ever means across a network.

use std::collections::{BTreeMap, BTreeSet};

use crate::store::{Store, StoreError};

/// An event in the outbox: one charge that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique and stable across redeliveries (the request record's id): the consumer's dedup key.
    pub id: u64,
    /// The service's charge id.
    pub charge_id: String,
    /// The customer charged.
    pub customer: String,
    /// The amount, smallest unit.
    pub amount: u64,
}

impl Event {
    /// The event's public id, `evt_<n>`.
    pub fn name(&self) -> String {
        format!("evt_{}", self.id)
    }
}

/// Something downstream that receives published events: a ledger, a search index, an email sender.
pub trait Consumer {
    /// Applies an event if it has not been applied before; returns whether it was new.
    /// Must be atomic: recording the id and applying the effect commit together.
    fn apply(&mut self, event: &Event) -> Result<bool, String>;
}

/// A consumer in memory: per-customer totals, and the set of event ids already applied.
#[derive(Debug, Default, Clone)]
pub struct MemoryLedger {
    seen: BTreeSet<u64>,
    /// Amount applied per customer.
    pub totals: BTreeMap<String, u64>,
    /// Deliveries ignored because their event id was already applied.
    pub duplicates: u64,
    /// When false, the ledger applies every delivery: what a consumer without dedup does.
    pub dedupe: bool,
}

impl MemoryLedger {
    /// A deduplicating ledger.
    pub fn new() -> Self {
        MemoryLedger {
            dedupe: true,
            ..Self::default()
        }
    }

    /// Events applied.
    pub fn applied(&self) -> usize {
        self.seen.len()
    }
}

impl Consumer for MemoryLedger {
    fn apply(&mut self, event: &Event) -> Result<bool, String> {
        if self.dedupe && !self.seen.insert(event.id) {
            self.duplicates += 1;
            return Ok(false);
        }
        self.seen.insert(event.id);
        *self.totals.entry(event.customer.clone()).or_default() += event.amount;
        Ok(true)
    }
}

/// What one pass of the relay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayPass {
    /// Events handed to the consumer.
    pub delivered: usize,
    /// Of those, how many the consumer applied (the rest were repeats).
    pub applied: usize,
    /// Events marked published in the outbox.
    pub marked: usize,
}

/// One pass of the relay: deliver up to `batch` pending events, then mark them published.
///
/// `die_before_marking` stops the pass after delivering and before marking, as a relay killed
/// at the worst moment would: the events stay pending and the next pass delivers them again.
pub fn relay_once(
    store: &mut impl Store,
    consumer: &mut impl Consumer,
    batch: usize,
    die_before_marking: bool,
) -> Result<RelayPass, StoreError> {
    let events = store.pending_events(batch)?;
    let mut pass = RelayPass::default();
    let mut done = Vec::new();
    for event in &events {
        match consumer.apply(event) {
            Ok(new) => {
                pass.delivered += 1;
                pass.applied += usize::from(new);
                done.push(event.id);
            }
            // The consumer is down: stop here, retry these on the next pass.
            Err(_) => break,
        }
    }
    if die_before_marking {
        return Ok(pass);
    }
    store.mark_published(&done)?;
    pass.marked = done.len();
    Ok(pass)
}

//! Where keys, charges and outbox events live, behind one trait with two implementations: SQLite
//! for the server ([`SqliteStore`](crate::SqliteStore)) and [`MemoryStore`] for snippets, tests and
//! the widget. Both run the lifecycle's rule ([`admit`]) inside their own transaction, so the
//! decision and the write it leads to can never be split by another request.

use std::collections::BTreeMap;

use crate::lifecycle::{admit, expired, Admission, KeyRecord, RecoveryPoint};
use crate::outbox::Event;
use crate::reply::{ApiError, Charge, Reply};

/// A storage failure (a full disk, a corrupt file): the request answers 500 and its lock is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "store error: {}", self.0)
    }
}

/// The result of transaction 1 for a request with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process now holds the key's lock and runs the charge; `resumed` when the key was
    /// left unfinished by an earlier attempt.
    Run {
        /// The record, locked by the caller.
        record: KeyRecord,
        /// Whether an earlier attempt had already recorded the key.
        resumed: bool,
    },
    /// The saved reply, to send again.
    Replay(Reply),
    /// A refusal that saves nothing (400 other parameters, 409 in flight).
    Refuse(ApiError),
}

/// What transaction 2 writes, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    /// The charge, when the network approved it.
    pub charge: Option<Charge>,
    /// The outbox event announcing it, written in the same commit.
    pub event: Option<Event>,
    /// The reply to save and send.
    pub reply: Reply,
    /// Only for the "response cache" design the widget shows failing: the key is written here,
    /// at the end, instead of in transaction 1.
    pub save_key: Option<String>,
}

/// Storage for the payment service. Every method is one atomic transaction.
pub trait Store {
    /// Transaction 1: reads the key's record, applies [`admit`], and for a new or unfinished
    /// key writes this process's lock, in one transaction.
    fn claim(
        &mut self,
        key: &str,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<Claim, StoreError>;

    /// A record for a request that carries no key (or for a design that records keys late):
    /// a fresh id, so a fresh network request id, every time.
    fn open_unkeyed(
        &mut self,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<KeyRecord, StoreError>;

    /// Reads a key's record without locking (the late-recording design looks before it leaps).
    fn lookup(&self, key: &str) -> Result<Option<KeyRecord>, StoreError>;

    /// Transaction 2: the charge, its outbox event, the saved reply and the `Finished` point.
    fn finish(&mut self, record_id: u64, finish: &Finish) -> Result<(), StoreError>;

    /// Drops a lock after a failure, so the next attempt resumes at once instead of waiting
    /// out [`LOCK_TIMEOUT_MS`](crate::lifecycle::LOCK_TIMEOUT_MS).
    fn release(&mut self, record_id: u64) -> Result<(), StoreError>;

    /// Every charge the service recorded, oldest first.
    fn charges(&self) -> Result<Vec<Charge>, StoreError>;

    /// Deletes records older than the key lifetime; returns how many went.
    fn reap(&mut self, now: u64) -> Result<usize, StoreError>;

    /// Outbox events not yet marked published, oldest first, at most `limit`.
    fn pending_events(&self, limit: usize) -> Result<Vec<Event>, StoreError>;

    /// Marks events published (after the consumer acknowledged them).
    fn mark_published(&mut self, ids: &[u64]) -> Result<(), StoreError>;

    /// How many records the store holds (keys kept, for the reaper's tests).
    fn records(&self) -> Result<usize, StoreError>;
}

/// The store in memory. Its contents play the part of the disk: the engine's "restart" keeps
/// them, as a restarted server keeps its SQLite file.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    records: BTreeMap<u64, KeyRecord>,
    charges: Vec<Charge>,
    outbox: Vec<(Event, bool)>,
    next_id: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn by_key(&self, key: &str) -> Option<&KeyRecord> {
        self.records
            .values()
            .find(|r| r.key.as_deref() == Some(key))
    }

    fn fresh(&mut self, key: Option<&str>, fingerprint: &str, owner: u64, now: u64) -> KeyRecord {
        self.next_id += 1;
        let record = KeyRecord {
            id: self.next_id,
            key: key.map(str::to_owned),
            fingerprint: fingerprint.to_owned(),
            point: RecoveryPoint::Started,
            locked_by: Some(owner),
            locked_at: now,
            created_at: now,
        };
        self.records.insert(record.id, record.clone());
        record
    }
}

impl Store for MemoryStore {
    fn claim(
        &mut self,
        key: &str,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<Claim, StoreError> {
        let existing = self.by_key(key).cloned();
        Ok(match admit(existing.as_ref(), fingerprint, owner, now) {
            Admission::Start => Claim::Run {
                record: self.fresh(Some(key), fingerprint, owner, now),
                resumed: false,
            },
            Admission::Resume => {
                let mut record = existing.expect("resume implies a record");
                record.locked_by = Some(owner);
                record.locked_at = now;
                self.records.insert(record.id, record.clone());
                Claim::Run {
                    record,
                    resumed: true,
                }
            }
            Admission::Replay(reply) => Claim::Replay(reply),
            Admission::Refuse(error) => Claim::Refuse(error),
        })
    }

    fn open_unkeyed(
        &mut self,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<KeyRecord, StoreError> {
        Ok(self.fresh(None, fingerprint, owner, now))
    }

    fn lookup(&self, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.by_key(key).cloned())
    }

    fn finish(&mut self, record_id: u64, finish: &Finish) -> Result<(), StoreError> {
        if let Some(key) = &finish.save_key {
            self.records
                .retain(|id, r| *id == record_id || r.key.as_deref() != Some(key));
        }
        let record = self
            .records
            .get_mut(&record_id)
            .ok_or_else(|| StoreError(format!("no record {record_id}")))?;
        if let Some(key) = &finish.save_key {
            record.key = Some(key.clone());
        }
        record.point = RecoveryPoint::Finished(finish.reply.clone());
        record.locked_by = None;
        if let Some(charge) = &finish.charge {
            self.charges.push(charge.clone());
        }
        if let Some(event) = &finish.event {
            self.outbox.push((event.clone(), false));
        }
        Ok(())
    }

    fn release(&mut self, record_id: u64) -> Result<(), StoreError> {
        if let Some(record) = self.records.get_mut(&record_id) {
            record.locked_by = None;
        }
        Ok(())
    }

    fn charges(&self) -> Result<Vec<Charge>, StoreError> {
        Ok(self.charges.clone())
    }

    fn reap(&mut self, now: u64) -> Result<usize, StoreError> {
        let before = self.records.len();
        self.records.retain(|_, r| !expired(r, now));
        Ok(before - self.records.len())
    }

    fn pending_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .outbox
            .iter()
            .filter(|(_, published)| !published)
            .take(limit)
            .map(|(e, _)| e.clone())
            .collect())
    }

    fn mark_published(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        for (event, published) in &mut self.outbox {
            if ids.contains(&event.id) {
                *published = true;
            }
        }
        Ok(())
    }

    fn records(&self) -> Result<usize, StoreError> {
        Ok(self.records.len())
    }
}

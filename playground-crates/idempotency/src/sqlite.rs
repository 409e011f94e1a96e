//! The durable implementations, on SQLite (rusqlite, SQLite compiled from its bundled source):
//! the service's store, the card network, and the outbox's consumer, each in its own file.
//!
//! Three files, not three tables, because they stand for three systems. A crash of the service
//! must not roll back the network's charges, and no transaction may span the service and the
//! network: if one did, the hard case (the network charged, the service never recorded it) could
//! not happen here, and it always can in production.
//!
//! Every database runs in WAL mode with `synchronous=FULL`: a commit returns only once the log
//! is on disk, so what a transaction recorded survives `kill -9` and a power cut alike. Every
//! write transaction is `BEGIN IMMEDIATE`, which takes SQLite's write lock before the first read,
//! so the read-decide-write of transaction 1 cannot interleave with another request's.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::lifecycle::{admit, Admission, KeyRecord, RecoveryPoint, KEY_TTL_MS};
use crate::network::{decide, CardNetwork, NetworkCharge};
use crate::outbox::{Consumer, Event};
use crate::reply::{Charge, Reply};
use crate::store::{Claim, Finish, Store, StoreError};

fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

fn open(path: &Path, schema: &str) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(err)?;
    conn.execute_batch(schema).map_err(err)?;
    Ok(conn)
}

const STORE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the network request id
    key          TEXT UNIQUE,                        -- NULL for requests without a key
    fingerprint  TEXT NOT NULL,
    finished     INTEGER NOT NULL DEFAULT 0,         -- the recovery point: 0 started, 1 finished
    reply_status INTEGER,
    reply_body   TEXT,
    locked_by    INTEGER,
    locked_at    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_created_at ON requests (created_at);
CREATE TABLE IF NOT EXISTS charges (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    amount         INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    customer       TEXT NOT NULL,
    status         TEXT NOT NULL,
    network_charge TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id        INTEGER PRIMARY KEY,   -- the request record's id: stable across redeliveries
    charge_id TEXT NOT NULL,
    customer  TEXT NOT NULL,
    amount    INTEGER NOT NULL,
    published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (published, id);
";

/// The service's store: keys and their recovery points, charges, the outbox. One file.
pub struct SqliteStore {
    conn: Connection,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRecord> {
    let finished: i64 = row.get("finished")?;
    let point = if finished == 1 {
        RecoveryPoint::Finished(Reply {
            status: row.get::<_, i64>("reply_status")? as u16,
            body: row.get("reply_body")?,
            replayed: false,
        })
    } else {
        RecoveryPoint::Started
    };
    Ok(KeyRecord {
        id: row.get::<_, i64>("id")? as u64,
        key: row.get("key")?,
        fingerprint: row.get("fingerprint")?,
        point,
        locked_by: row.get::<_, Option<i64>>("locked_by")?.map(|v| v as u64),
        locked_at: row.get::<_, i64>("locked_at")? as u64,
        created_at: row.get::<_, i64>("created_at")? as u64,
    })
}

const SELECT_RECORD: &str = "SELECT id, key, fingerprint, finished, reply_status, reply_body, locked_by, locked_at, created_at FROM requests";

impl SqliteStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Ok(SqliteStore {
            conn: open(path, STORE_SCHEMA)?,
        })
    }

    fn insert(
        tx: &rusqlite::Transaction<'_>,
        key: Option<&str>,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> rusqlite::Result<KeyRecord> {
        tx.execute(
            "INSERT INTO requests (key, fingerprint, locked_by, locked_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![key, fingerprint, owner as i64, now as i64],
        )?;
        Ok(KeyRecord {
            id: tx.last_insert_rowid() as u64,
            key: key.map(str::to_owned),
            fingerprint: fingerprint.to_owned(),
            point: RecoveryPoint::Started,
            locked_by: Some(owner),
            locked_at: now,
            created_at: now,
        })
    }
}

impl Store for SqliteStore {
    fn claim(
        &mut self,
        key: &str,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<Claim, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let existing = tx
            .query_row(
                &format!("{SELECT_RECORD} WHERE key = ?1"),
                [key],
                record_from_row,
            )
            .optional()
            .map_err(err)?;
        let claim = match admit(existing.as_ref(), fingerprint, owner, now) {
            Admission::Start => Claim::Run {
                record: Self::insert(&tx, Some(key), fingerprint, owner, now).map_err(err)?,
                resumed: false,
            },
            Admission::Resume => {
                let mut record = existing.expect("resume implies a record");
                tx.execute(
                    "UPDATE requests SET locked_by = ?1, locked_at = ?2 WHERE id = ?3",
                    params![owner as i64, now as i64, record.id as i64],
                )
                .map_err(err)?;
                record.locked_by = Some(owner);
                record.locked_at = now;
                Claim::Run {
                    record,
                    resumed: true,
                }
            }
            // Nothing written: a read-only decision.
            Admission::Replay(reply) => Claim::Replay(reply),
            Admission::Refuse(error) => Claim::Refuse(error),
        };
        tx.commit().map_err(err)?;
        Ok(claim)
    }

    fn open_unkeyed(
        &mut self,
        fingerprint: &str,
        owner: u64,
        now: u64,
    ) -> Result<KeyRecord, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let record = Self::insert(&tx, None, fingerprint, owner, now).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(record)
    }

    fn lookup(&self, key: &str) -> Result<Option<KeyRecord>, StoreError> {
        self.conn
            .query_row(
                &format!("{SELECT_RECORD} WHERE key = ?1"),
                [key],
                record_from_row,
            )
            .optional()
            .map_err(err)
    }

    fn finish(&mut self, record_id: u64, finish: &Finish) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        if let Some(key) = &finish.save_key {
            tx.execute(
                "DELETE FROM requests WHERE key = ?1 AND id != ?2",
                params![key, record_id as i64],
            )
            .map_err(err)?;
            tx.execute(
                "UPDATE requests SET key = ?1 WHERE id = ?2",
                params![key, record_id as i64],
            )
            .map_err(err)?;
        }
        let updated = tx
            .execute(
                "UPDATE requests SET finished = 1, reply_status = ?1, reply_body = ?2, locked_by = NULL WHERE id = ?3",
                params![finish.reply.status as i64, finish.reply.body, record_id as i64],
            )
            .map_err(err)?;
        if updated != 1 {
            return Err(StoreError(format!("no request record {record_id}")));
        }
        if let Some(c) = &finish.charge {
            tx.execute(
                "INSERT INTO charges (id, amount, currency, customer, status, network_charge) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![c.id, c.amount as i64, c.currency, c.customer, c.status, c.network_charge],
            )
            .map_err(err)?;
        }
        if let Some(e) = &finish.event {
            tx.execute(
                "INSERT INTO outbox (id, charge_id, customer, amount) VALUES (?1, ?2, ?3, ?4)",
                params![e.id as i64, e.charge_id, e.customer, e.amount as i64],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn release(&mut self, record_id: u64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE requests SET locked_by = NULL WHERE id = ?1 AND finished = 0",
                [record_id as i64],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn charges(&self) -> Result<Vec<Charge>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, amount, currency, customer, status, network_charge FROM charges ORDER BY seq")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |row| {
                Ok(Charge {
                    id: row.get(0)?,
                    amount: row.get::<_, i64>(1)? as u64,
                    currency: row.get(2)?,
                    customer: row.get(3)?,
                    status: row.get(4)?,
                    network_charge: row.get(5)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn reap(&mut self, now: u64) -> Result<usize, StoreError> {
        let cutoff = now.saturating_sub(KEY_TTL_MS) as i64;
        self.conn
            .execute("DELETE FROM requests WHERE created_at <= ?1", [cutoff])
            .map_err(err)
    }

    fn pending_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, charge_id, customer, amount FROM outbox WHERE published = 0 ORDER BY id LIMIT ?1")
            .map_err(err)?;
        let rows = stmt
            .query_map([limit as i64], |row| {
                Ok(Event {
                    id: row.get::<_, i64>(0)? as u64,
                    charge_id: row.get(1)?,
                    customer: row.get(2)?,
                    amount: row.get::<_, i64>(3)? as u64,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn mark_published(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET published = 1 WHERE id = ?1",
                [*id as i64],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn records(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM requests", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(err)
    }
}

const NETWORK_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS network_charges (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL UNIQUE,   -- executed at most once
    customer   TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    currency   TEXT NOT NULL,
    status     TEXT NOT NULL
);
";

/// The card network, durable in its own file (`network.db`).
pub struct SqliteNetwork {
    conn: Connection,
}

impl std::fmt::Debug for SqliteNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteNetwork")
    }
}

impl SqliteNetwork {
    /// Opens (or creates) the network's database at `path`.
    pub fn open(path: &Path) -> Result<SqliteNetwork, StoreError> {
        Ok(SqliteNetwork {
            conn: open(path, NETWORK_SCHEMA)?,
        })
    }
}

fn network_charge(row: &rusqlite::Row<'_>) -> rusqlite::Result<NetworkCharge> {
    Ok(NetworkCharge {
        id: format!("nch_{}", row.get::<_, i64>(0)?),
        request_id: row.get(1)?,
        customer: row.get(2)?,
        amount: row.get::<_, i64>(3)? as u64,
        currency: row.get(4)?,
        status: row.get(5)?,
    })
}

const SELECT_NETWORK: &str =
    "SELECT seq, request_id, customer, amount, currency, status FROM network_charges";

impl CardNetwork for SqliteNetwork {
    fn charge(
        &mut self,
        request_id: &str,
        customer: &str,
        amount: u64,
        currency: &str,
    ) -> Result<NetworkCharge, String> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| e.to_string())?;
        let seen = tx
            .query_row(
                &format!("{SELECT_NETWORK} WHERE request_id = ?1"),
                [request_id],
                network_charge,
            )
            .optional()
            .map_err(|e| e.to_string())?;
        if let Some(seen) = seen {
            return Ok(seen);
        }
        tx.execute(
            "INSERT INTO network_charges (request_id, customer, amount, currency, status) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![request_id, customer, amount as i64, currency, decide(customer)],
        )
        .map_err(|e| e.to_string())?;
        let charge = tx
            .query_row(
                &format!("{SELECT_NETWORK} WHERE request_id = ?1"),
                [request_id],
                network_charge,
            )
            .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
        Ok(charge)
    }

    fn charges(&self) -> Result<Vec<NetworkCharge>, String> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_NETWORK} ORDER BY seq"))
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], network_charge)
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }
}

const LEDGER_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS applied (event_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS totals (customer TEXT PRIMARY KEY, amount INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS duplicates (n INTEGER NOT NULL);
INSERT INTO duplicates (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM duplicates);
";

/// The outbox's consumer: a ledger of totals per customer in its own file (`ledger.db`). The
/// event id and the effect are written in one transaction, so a repeat is seen and skipped.
pub struct SqliteLedger {
    conn: Connection,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteLedger")
    }
}

impl SqliteLedger {
    /// Opens (or creates) the ledger at `path`.
    pub fn open(path: &Path) -> Result<SqliteLedger, StoreError> {
        Ok(SqliteLedger {
            conn: open(path, LEDGER_SCHEMA)?,
        })
    }

    /// (events applied, repeats ignored, total amount applied).
    pub fn summary(&self) -> Result<(u64, u64, u64), StoreError> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM applied), (SELECT n FROM duplicates), (SELECT COALESCE(SUM(amount), 0) FROM totals)",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u64,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, i64>(2)? as u64,
                    ))
                },
            )
            .map_err(err)
    }
}

impl Consumer for SqliteLedger {
    fn apply(&mut self, event: &Event) -> Result<bool, String> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| e.to_string())?;
        let new = tx
            .execute(
                "INSERT OR IGNORE INTO applied (event_id) VALUES (?1)",
                [event.id as i64],
            )
            .map_err(|e| e.to_string())?
            == 1;
        if new {
            tx.execute(
                "INSERT INTO totals (customer, amount) VALUES (?1, ?2) ON CONFLICT (customer) DO UPDATE SET amount = amount + excluded.amount",
                params![event.customer, event.amount as i64],
            )
            .map_err(|e| e.to_string())?;
        } else {
            tx.execute("UPDATE duplicates SET n = n + 1", [])
                .map_err(|e| e.to_string())?;
        }
        tx.commit().map_err(|e| e.to_string())?;
        Ok(new)
    }
}

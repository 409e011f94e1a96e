//! The MVCC store: versions, snapshots, row locks and the three isolation levels.
//!
//! It is laid out the way PostgreSQL lays out a table, because the point is to behave like it:
//!
//! - every write appends a new *version* to the heap, stamped with the writer's transaction id
//!   (`xmin`); an update or delete stamps the old version's `xmax`. Nothing is overwritten, so
//!   readers never wait for writers;
//! - a *snapshot* says which transaction ids count as committed for me: those below `xmax` that
//!   were not running when it was taken. Read committed takes one per statement; repeatable read
//!   and serializable take one at the transaction's first statement (not at `begin`);
//! - a writer that finds a version's `xmax` set by a transaction still running *waits* for it (the
//!   row lock), then read committed re-checks its condition against the newest version while
//!   repeatable read gives up with a serialization failure;
//! - serializable adds the rw-antidependency tracking of [`crate::ssi`].
//!
//! The store is sans-IO and single-threaded: a step that must wait returns [`Outcome::Blocked`],
//! and [`Store::finish`] tells the caller which blocked steps may run again.

use crate::adya::{History, Op, VersionId};
use crate::ssi::{Ssi, Target};
use crate::step::{Predicate, Step};
use std::collections::BTreeSet;
use std::fmt;

/// A row's key, the `id` column of Hermitage's `test` table.
pub type Key = i64;
/// A row's value, the `value` column.
pub type Value = i64;
/// A transaction id, handed out at a transaction's first write as PostgreSQL does.
pub type Xid = u32;
/// The store's handle for a transaction (its position in [`Store::txns`]).
pub type TxnId = usize;

/// The three isolation levels, named and behaving as PostgreSQL's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// A fresh snapshot for every statement; writers wait for writers, then re-check.
    ReadCommitted,
    /// Snapshot isolation: one snapshot for the whole transaction; first updater wins.
    RepeatableRead,
    /// Snapshot isolation plus serializable snapshot isolation's dangerous-structure check.
    Serializable,
}

impl Level {
    /// The level's name in the script language (`read-committed`, …).
    pub fn name(self) -> &'static str {
        match self {
            Level::ReadCommitted => "read-committed",
            Level::RepeatableRead => "repeatable-read",
            Level::Serializable => "serializable",
        }
    }

    /// Parses a level's script name.
    pub fn parse(name: &str) -> Option<Level> {
        [
            Level::ReadCommitted,
            Level::RepeatableRead,
            Level::Serializable,
        ]
        .into_iter()
        .find(|level| level.name() == name)
    }
}

/// Why a step failed. The transaction is then failed: it holds no locks and every later step
/// but `abort` (or `commit`, which rolls back) answers [`Failure::Aborted`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// SQLSTATE 40001: a concurrent update (repeatable read) or a dangerous structure (serializable).
    Serialization,
    /// SQLSTATE 40P01: this step's wait would close a cycle of waits.
    Deadlock,
    /// SQLSTATE 23505: the key exists, committed, even if my snapshot cannot see it.
    DuplicateKey,
    /// SQLSTATE 25P02: the transaction already failed; nothing runs until it ends.
    Aborted,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Failure::Serialization => "serialization failure",
            Failure::Deadlock => "deadlock",
            Failure::DuplicateKey => "duplicate key",
            Failure::Aborted => "aborted",
        })
    }
}

/// What a step answered, in the words the `interleave` example prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `begin`, `abort` and a successful `commit`.
    Ok,
    /// A write: how many rows it changed.
    Rows(usize),
    /// `get`: the value, or `None` when no visible row has the key.
    Value(Option<Value>),
    /// `select`: the visible rows that match, ordered by key.
    Rows2(Vec<(Key, Value)>),
    /// `commit` of a transaction that had failed: PostgreSQL answers `ROLLBACK`.
    RolledBack,
    /// The step failed.
    Error(Failure),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Ok => f.write_str("ok"),
            Answer::Rows(n) => write!(f, "ok {n}"),
            Answer::Value(Some(value)) => write!(f, "{value}"),
            Answer::Value(None) => f.write_str("none"),
            Answer::Rows2(rows) => {
                f.write_str("{")?;
                for (i, (key, value)) in rows.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key}: {value}")?;
                }
                f.write_str("}")
            }
            Answer::RolledBack => f.write_str("rolled back"),
            Answer::Error(failure) => write!(f, "error: {failure}"),
        }
    }
}

/// A step either answered or must wait for a transaction to end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The step ran to its end.
    Done(Answer),
    /// The step waits for the transaction that holds the row it needs.
    Blocked {
        /// The transaction it waits for.
        on: TxnId,
    },
}

/// One row version in the heap.
#[derive(Clone, Debug)]
pub struct Version {
    /// The row's key.
    pub key: Key,
    /// The row's value in this version.
    pub value: Value,
    /// The transaction that created this version.
    pub xmin: Xid,
    /// The transaction that updated or deleted it, if any (it may still abort).
    pub xmax: Option<Xid>,
    /// The version that replaced this one by an update (PostgreSQL's `t_ctid`).
    pub next: Option<usize>,
    /// The version's name in a history: its writer and which of its writes to the key.
    pub label: VersionId,
}

/// The fate of a transaction id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Still running.
    InProgress,
    /// Committed.
    Committed,
    /// Rolled back, by `abort` or by an error.
    Aborted,
}

/// Which transaction ids a reader treats as committed (PostgreSQL's `SnapshotData`).
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The oldest transaction id still running when it was taken.
    pub xmin: Xid,
    /// The first transaction id not yet handed out when it was taken.
    pub xmax: Xid,
    /// Transaction ids running when it was taken.
    pub running: BTreeSet<Xid>,
}

impl Snapshot {
    /// Whether `xid` had committed before this snapshot was taken (or is invisible to it).
    fn sees(&self, xid: Xid, status: Status) -> bool {
        status == Status::Committed && xid < self.xmax && !self.running.contains(&xid)
    }

    /// Whether `xid` ran concurrently with the snapshot (PostgreSQL's `XidIsConcurrent`).
    pub fn concurrent(&self, xid: Xid) -> bool {
        xid >= self.xmax || self.running.contains(&xid)
    }
}

/// Where a transaction is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Running steps.
    Active,
    /// A step failed; only `abort` or `commit` (which rolls back) are left.
    Failed,
    /// Committed.
    Committed,
    /// Rolled back.
    RolledBack,
}

/// A write statement paused at a row it must wait for: where to pick up again.
#[derive(Clone, Debug)]
struct Paused {
    /// The versions the statement set out to change, found through its snapshot.
    targets: Vec<usize>,
    /// How far through `targets` it got.
    position: usize,
    /// Rows changed so far.
    changed: usize,
}

/// One transaction.
#[derive(Clone, Debug)]
pub struct Txn {
    /// The name the script gave it.
    pub name: String,
    /// Its isolation level.
    pub level: Level,
    /// Its transaction id, once it wrote.
    pub xid: Option<Xid>,
    /// Where it is in its life.
    pub state: State,
    /// Repeatable read and serializable: the snapshot taken at the first statement.
    snapshot: Option<Snapshot>,
    /// A write statement waiting for a row, if any.
    paused: Option<Paused>,
    /// The transaction it waits for, if it is blocked.
    pub waits_for: Option<TxnId>,
    /// What it read and wrote, for the dependency-graph checker.
    pub log: Vec<Op>,
    /// Its place in the commit order, once committed.
    pub commit_seq: Option<u64>,
}

/// The whole database: Hermitage's `test` table as a heap of versions, and the transactions.
#[derive(Clone, Debug)]
pub struct Store {
    /// Every row version ever written, in the order written (a sequential scan's order).
    pub heap: Vec<Version>,
    /// The fate of every transaction id; xid 0 wrote the initial rows.
    pub status: Vec<Status>,
    /// Every transaction begun, in order.
    pub txns: Vec<Txn>,
    /// Which transaction holds each xid.
    owner: Vec<Option<TxnId>>,
    /// The serializable transactions' read locks and rw-antidependencies.
    pub ssi: Ssi,
    /// How many transactions have committed.
    commits: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store::hermitage()
    }
}

impl Store {
    /// The table every Hermitage test starts from: rows `1 → 10` and `2 → 20`, committed.
    pub fn hermitage() -> Store {
        Store::with_rows(&[(1, 10), (2, 20)])
    }

    /// A table holding `rows`, committed by a transaction that is long gone.
    pub fn with_rows(rows: &[(Key, Value)]) -> Store {
        let heap = rows
            .iter()
            .map(|&(key, value)| Version {
                key,
                value,
                xmin: 0,
                xmax: None,
                next: None,
                label: VersionId::initial(),
            })
            .collect();
        Store {
            heap,
            status: vec![Status::Committed],
            txns: Vec::new(),
            owner: vec![None],
            ssi: Ssi::default(),
            commits: 0,
        }
    }

    /// Starts a transaction. Like PostgreSQL it takes no snapshot yet: that waits for its
    /// first statement.
    pub fn begin(&mut self, name: &str, level: Level) -> TxnId {
        self.txns.push(Txn {
            name: name.to_string(),
            level,
            xid: None,
            state: State::Active,
            snapshot: None,
            paused: None,
            waits_for: None,
            log: Vec::new(),
            commit_seq: None,
        });
        let id = self.txns.len() - 1;
        if level == Level::Serializable {
            self.ssi.register(id);
        }
        id
    }

    /// Runs one step of transaction `t` (anything but `begin`).
    pub fn run(&mut self, t: TxnId, step: &Step) -> Outcome {
        assert!(
            self.txns[t].waits_for.is_none(),
            "a blocked step runs again only through resume"
        );
        match self.txns[t].state {
            State::Failed => {
                return Outcome::Done(match step {
                    Step::Commit => {
                        self.txns[t].state = State::RolledBack;
                        Answer::RolledBack
                    }
                    Step::Abort => {
                        self.txns[t].state = State::RolledBack;
                        Answer::Ok
                    }
                    _ => Answer::Error(Failure::Aborted),
                })
            }
            State::Committed | State::RolledBack => panic!("{} has ended", self.txns[t].name),
            State::Active => {}
        }
        let outcome = match step {
            Step::Begin(_) => panic!("begin goes through Store::begin"),
            Step::Commit => self.commit(t),
            Step::Abort => {
                self.end(t, Status::Aborted, State::RolledBack);
                Outcome::Done(Answer::Ok)
            }
            Step::Get(key) => self.get(t, *key),
            Step::Select(predicate) => self.select(t, predicate),
            Step::Insert(key, value) => self.insert(t, *key, *value),
            Step::Set(..) | Step::Delete(..) | Step::AddAll(..) | Step::DeleteWhere(..) => {
                let snapshot = self.statement_snapshot(t);
                let targets = match step {
                    Step::Set(key, _) | Step::Delete(key) => self.index_scan(t, *key, &snapshot),
                    _ => self.seq_scan(t, &snapshot),
                };
                match targets {
                    Err(failure) => self.fail(t, failure),
                    Ok(targets) => {
                        let targets = targets
                            .into_iter()
                            .filter(|&v| step_matches(step, &self.heap[v]))
                            .collect();
                        self.txns[t].paused = Some(Paused {
                            targets,
                            position: 0,
                            changed: 0,
                        });
                        self.write_rows(t, step)
                    }
                }
            }
        };
        self.settle(t, outcome)
    }

    /// Runs again a step that was blocked, after the transaction it waited for ended.
    pub fn resume(&mut self, t: TxnId, step: &Step) -> Outcome {
        self.txns[t].waits_for = None;
        let outcome = match step {
            Step::Insert(key, _) => self.insert_check(t, *key),
            _ => self.write_rows(t, step),
        };
        self.settle(t, outcome)
    }

    /// Records a wait, or turns a wait that closes a cycle into a deadlock error: the
    /// transaction whose wait closes the cycle is the one PostgreSQL's deadlock check aborts
    /// when steps come at human speed (each waiter checks once, `deadlock_timeout` after it
    /// began to wait, and only the newest wait finds the cycle).
    fn settle(&mut self, t: TxnId, outcome: Outcome) -> Outcome {
        if let Outcome::Blocked { on } = outcome {
            let mut holder = Some(on);
            while let Some(h) = holder {
                if h == t {
                    return self.fail(t, Failure::Deadlock);
                }
                holder = self.txns[h].waits_for;
            }
            self.txns[t].waits_for = Some(on);
        }
        outcome
    }

    /// The transactions blocked on `t`, in the order they started to wait.
    pub fn waiting_on(&self, t: TxnId) -> Vec<TxnId> {
        (0..self.txns.len())
            .filter(|&w| self.txns[w].waits_for == Some(t))
            .collect()
    }

    fn commit(&mut self, t: TxnId) -> Outcome {
        if self.txns[t].level == Level::Serializable {
            if let Err(failure) = self.ssi.pre_commit(t) {
                self.end(t, Status::Aborted, State::RolledBack);
                return Outcome::Done(Answer::Error(failure));
            }
        }
        self.end(t, Status::Committed, State::Committed);
        self.commits += 1;
        self.txns[t].commit_seq = Some(self.commits);
        Outcome::Done(Answer::Ok)
    }

    /// Fails the running step: the transaction is rolled back at once (its locks go), but it
    /// stays open, as PostgreSQL's does, until `abort` or `commit`.
    fn fail(&mut self, t: TxnId, failure: Failure) -> Outcome {
        self.end(t, Status::Aborted, State::Failed);
        Outcome::Done(Answer::Error(failure))
    }

    fn end(&mut self, t: TxnId, status: Status, state: State) {
        let txn = &mut self.txns[t];
        txn.state = state;
        txn.paused = None;
        txn.waits_for = None;
        if let Some(xid) = txn.xid {
            self.status[xid as usize] = status;
        }
        if txn.level == Level::Serializable {
            let next_xid = self.status.len() as Xid;
            if status == Status::Committed {
                self.ssi.committed(t, next_xid);
            } else {
                self.ssi.aborted(t);
            }
        }
    }

    /// The snapshot a statement of `t` reads through.
    fn statement_snapshot(&mut self, t: TxnId) -> Snapshot {
        if self.txns[t].level == Level::ReadCommitted {
            return self.take_snapshot();
        }
        if self.txns[t].snapshot.is_none() {
            let snapshot = self.take_snapshot();
            if self.txns[t].level == Level::Serializable {
                self.ssi.snapshot_taken(t, &snapshot);
            }
            self.txns[t].snapshot = Some(snapshot);
        }
        self.txns[t].snapshot.clone().expect("taken above")
    }

    fn take_snapshot(&self) -> Snapshot {
        let running: BTreeSet<Xid> = (0..self.status.len())
            .filter(|&x| self.status[x] == Status::InProgress)
            .map(|x| x as Xid)
            .collect();
        let xmax = self.status.len() as Xid;
        Snapshot {
            xmin: running.iter().next().copied().unwrap_or(xmax),
            xmax,
            running,
        }
    }

    /// `t`'s transaction id, handed out now if this is its first write.
    fn xid(&mut self, t: TxnId) -> Xid {
        if let Some(xid) = self.txns[t].xid {
            return xid;
        }
        let xid = self.status.len() as Xid;
        self.status.push(Status::InProgress);
        self.owner.push(Some(t));
        self.txns[t].xid = Some(xid);
        xid
    }

    fn is_mine(&self, t: TxnId, xid: Xid) -> bool {
        self.txns[t].xid == Some(xid)
    }

    /// Whether version `v` is visible to `t` reading through `snapshot`.
    pub fn visible(&self, t: TxnId, v: usize, snapshot: &Snapshot) -> bool {
        let version = &self.heap[v];
        let seen = |xid: Xid| self.is_mine(t, xid) || snapshot.sees(xid, self.status[xid as usize]);
        seen(version.xmin) && !version.xmax.is_some_and(seen)
    }

    /// The versions of `key` in the order written (an index entry and its update chain).
    fn versions_of(&self, key: Key) -> impl Iterator<Item = usize> + '_ {
        (0..self.heap.len()).filter(move |&v| self.heap[v].key == key)
    }

    /// An index lookup of `key`: the visible version, if any. Serializable transactions lock
    /// the index page and the version they read, and note rw-antidependencies on the way.
    fn index_scan(
        &mut self,
        t: TxnId,
        key: Key,
        snapshot: &Snapshot,
    ) -> Result<Vec<usize>, Failure> {
        let serializable = self.txns[t].level == Level::Serializable;
        if serializable {
            self.ssi.lock(t, Target::IndexPage);
        }
        let versions: Vec<usize> = self.versions_of(key).collect();
        for v in versions {
            let visible = self.visible(t, v, snapshot);
            if serializable {
                self.conflict_out(t, v, visible, snapshot)?;
            }
            if visible {
                if serializable && !self.is_mine(t, self.heap[v].xmin) {
                    self.ssi.lock(t, Target::Tuple(v));
                }
                return Ok(vec![v]);
            }
        }
        Ok(Vec::new())
    }

    /// A sequential scan: every visible version. Serializable transactions lock the whole
    /// table, and every version they pass is checked for rw-antidependencies.
    fn seq_scan(&mut self, t: TxnId, snapshot: &Snapshot) -> Result<Vec<usize>, Failure> {
        let serializable = self.txns[t].level == Level::Serializable;
        if serializable {
            self.ssi.lock(t, Target::Table);
        }
        let mut found = Vec::new();
        for v in 0..self.heap.len() {
            let visible = self.visible(t, v, snapshot);
            if serializable {
                self.conflict_out(t, v, visible, snapshot)?;
            }
            if visible {
                found.push(v);
            }
        }
        found.sort_by_key(|&v| self.heap[v].key);
        Ok(found)
    }

    /// A serializable reader passing version `v`: if a concurrent serializable transaction
    /// wrote what the reader cannot see (or deleted what it sees), that is an rw-antidependency
    /// reader → writer (PostgreSQL's `HeapCheckForSerializableConflictOut`).
    fn conflict_out(
        &mut self,
        t: TxnId,
        v: usize,
        visible: bool,
        snapshot: &Snapshot,
    ) -> Result<(), Failure> {
        self.ssi.check_not_doomed(t)?;
        let version = &self.heap[v];
        let xmin_status = self.status[version.xmin as usize];
        let xmax = version
            .xmax
            .filter(|&x| self.status[x as usize] != Status::Aborted);
        let xid = match (xmin_status, xmax) {
            (Status::Aborted, _) => return Ok(()),
            (Status::InProgress, _) => version.xmin,
            (Status::Committed, None) if visible => return Ok(()),
            (Status::Committed, None) => version.xmin,
            (Status::Committed, Some(xmax)) if visible => xmax,
            (Status::Committed, Some(_)) => version.xmin,
        };
        if self.is_mine(t, xid) || xid < snapshot.xmin || !snapshot.concurrent(xid) {
            return Ok(());
        }
        match self.owner[xid as usize] {
            Some(writer) if self.txns[writer].level == Level::Serializable => {
                self.ssi.flag(t, writer, t)
            }
            _ => Ok(()),
        }
    }

    fn get(&mut self, t: TxnId, key: Key) -> Outcome {
        let snapshot = self.statement_snapshot(t);
        match self.index_scan(t, key, &snapshot) {
            Err(failure) => self.fail(t, failure),
            Ok(found) => {
                let version = found.first().map(|&v| (v, self.heap[v].value));
                self.log_read(t, key, version.map(|(v, _)| v), &snapshot);
                Outcome::Done(Answer::Value(version.map(|(_, value)| value)))
            }
        }
    }

    fn select(&mut self, t: TxnId, predicate: &Predicate) -> Outcome {
        let snapshot = self.statement_snapshot(t);
        match self.seq_scan(t, &snapshot) {
            Err(failure) => self.fail(t, failure),
            Ok(found) => {
                let seen: Vec<usize> = found;
                self.log_predicate(t, predicate, &seen, &snapshot);
                let rows = seen
                    .iter()
                    .map(|&v| (self.heap[v].key, self.heap[v].value))
                    .filter(|&(_, value)| predicate.matches(value))
                    .collect();
                Outcome::Done(Answer::Rows2(rows))
            }
        }
    }

    /// Works through a write statement's target rows, from where it last paused.
    fn write_rows(&mut self, t: TxnId, step: &Step) -> Outcome {
        loop {
            let paused = self.txns[t].paused.as_ref().expect("a write in progress");
            let Some(&target) = paused.targets.get(paused.position) else {
                let changed = paused.changed;
                self.txns[t].paused = None;
                return Outcome::Done(Answer::Rows(changed));
            };
            match self.write_one(t, step, target) {
                Err(failure) => return self.fail(t, failure),
                Ok(RowWrite::Wait(on)) => return Outcome::Blocked { on },
                Ok(done) => {
                    let paused = self.txns[t].paused.as_mut().expect("a write in progress");
                    paused.position += 1;
                    if done == RowWrite::Changed {
                        paused.changed += 1;
                    }
                }
            }
        }
    }

    /// Updates or deletes one row, starting at version `v` that the statement's snapshot found.
    fn write_one(&mut self, t: TxnId, step: &Step, mut v: usize) -> Result<RowWrite, Failure> {
        let level = self.txns[t].level;
        loop {
            let xmax = self.heap[v]
                .xmax
                .filter(|&x| self.status[x as usize] != Status::Aborted);
            match xmax {
                Some(x) if self.is_mine(t, x) => return Ok(RowWrite::Skipped),
                Some(x) if self.status[x as usize] == Status::InProgress => {
                    self.xid(t);
                    let holder = self.owner[x as usize].expect("a running xid has an owner");
                    return Ok(RowWrite::Wait(holder));
                }
                Some(_) if level != Level::ReadCommitted => return Err(Failure::Serialization),
                Some(_) => {
                    // Read committed: follow the row to its newest version and re-check the
                    // statement's condition there (PostgreSQL's EvalPlanQual).
                    match self.heap[v].next {
                        None => return Ok(RowWrite::Skipped),
                        Some(newer) => {
                            v = newer;
                            if !step_matches(step, &self.heap[v]) {
                                return Ok(RowWrite::Skipped);
                            }
                        }
                    }
                }
                None => break,
            }
        }
        let xid = self.xid(t);
        if level == Level::Serializable {
            self.ssi
                .conflict_in(t, &[Target::Tuple(v), Target::Table], self.snapshot_xmin(t))?;
        }
        let key = self.heap[v].key;
        self.heap[v].xmax = Some(xid);
        // A `next` left by an update that rolled back points at a version nobody will see:
        // drop it, so a delete leaves this version as the key's last (see `visible_delete`).
        self.heap[v].next = None;
        let new_value = match step {
            Step::Set(_, value) => Some(*value),
            Step::AddAll(delta) => Some(self.heap[v].value + delta),
            _ => None,
        };
        let label = self.label(t, key, new_value.is_none());
        if let Some(value) = new_value {
            self.heap.push(Version {
                key,
                value,
                xmin: xid,
                xmax: None,
                next: None,
                label: label.clone(),
            });
            let newest = self.heap.len() - 1;
            self.heap[v].next = Some(newest);
        }
        self.log_write(t, key, label, new_value);
        Ok(RowWrite::Changed)
    }

    fn snapshot_xmin(&self, t: TxnId) -> Xid {
        self.txns[t]
            .snapshot
            .as_ref()
            .map(|s| s.xmin)
            .unwrap_or(self.status.len() as Xid)
    }

    /// `insert`: the new version goes into the heap first, then the unique index is checked,
    /// as PostgreSQL does it.
    fn insert(&mut self, t: TxnId, key: Key, value: Value) -> Outcome {
        self.statement_snapshot(t);
        let xid = self.xid(t);
        if self.txns[t].level == Level::Serializable {
            if let Err(failure) = self
                .ssi
                .conflict_in(t, &[Target::Table], self.snapshot_xmin(t))
            {
                return self.fail(t, failure);
            }
        }
        let label = self.label(t, key, false);
        self.heap.push(Version {
            key,
            value,
            xmin: xid,
            xmax: None,
            next: None,
            label,
        });
        self.insert_check(t, key)
    }

    /// The unique-index check: it looks past snapshots at every version of the key, waits for
    /// a transaction that is still deciding about one, and refuses a live one.
    fn insert_check(&mut self, t: TxnId, key: Key) -> Outcome {
        let serializable = self.txns[t].level == Level::Serializable;
        let mine = self.heap.len() - 1;
        let mine = (0..=mine)
            .rev()
            .find(|&v| {
                self.heap[v].key == key
                    && self.is_mine(t, self.heap[v].xmin)
                    && self.heap[v].xmax.is_none()
            })
            .expect("the inserted version");
        let others: Vec<usize> = self.versions_of(key).filter(|&v| v != mine).collect();
        for v in others {
            let version = &self.heap[v];
            let status = |x: Xid| self.status[x as usize];
            let live = match status(version.xmin) {
                Status::Aborted => false,
                Status::InProgress if !self.is_mine(t, version.xmin) => {
                    return Outcome::Blocked {
                        on: self.owner[version.xmin as usize].expect("owner"),
                    }
                }
                _ => match version.xmax {
                    None => true,
                    Some(x) if self.is_mine(t, x) => false,
                    Some(x) => match status(x) {
                        Status::Aborted => true,
                        Status::Committed => false,
                        Status::InProgress => {
                            return Outcome::Blocked {
                                on: self.owner[x as usize].expect("owner"),
                            }
                        }
                    },
                },
            };
            if live {
                if serializable {
                    // Report a serialization failure the unique violation would otherwise hide.
                    if let Err(failure) =
                        self.ssi
                            .conflict_in(t, &[Target::IndexPage], self.snapshot_xmin(t))
                    {
                        return self.fail(t, failure);
                    }
                }
                return self.fail(t, Failure::DuplicateKey);
            }
        }
        if serializable {
            if let Err(failure) =
                self.ssi
                    .conflict_in(t, &[Target::IndexPage], self.snapshot_xmin(t))
            {
                return self.fail(t, failure);
            }
        }
        let label = self.heap[mine].label.clone();
        let value = self.heap[mine].value;
        self.log_write(t, key, label, Some(value));
        Outcome::Done(Answer::Rows(1))
    }

    /// Logs a read by key. "No row" after a delete is logged as a read of the dead version the
    /// delete installed, so the checker orders the reader after the deleter, not before.
    fn log_read(&mut self, t: TxnId, key: Key, version: Option<usize>, snapshot: &Snapshot) {
        let version = match version {
            Some(v) => Some(self.heap[v].label.clone()),
            None => self.visible_delete(t, key, snapshot),
        };
        self.txns[t].log.push(Op::Read { key, version });
    }

    /// The delete `t` sees as the last change to `key`, when it sees no live version of it:
    /// the dead version that delete installed.
    fn visible_delete(&self, t: TxnId, key: Key, snapshot: &Snapshot) -> Option<VersionId> {
        let seen = |xid: Xid| self.is_mine(t, xid) || snapshot.sees(xid, self.status[xid as usize]);
        let deleted = self
            .versions_of(key)
            .filter(|&v| {
                let version = &self.heap[v];
                version.next.is_none() && seen(version.xmin) && version.xmax.is_some_and(seen)
            })
            .last()?;
        let deleter = self.owner[self.heap[deleted].xmax? as usize]?;
        self.txns[deleter].log.iter().rev().find_map(|op| match op {
            Op::Write {
                key: k, version, ..
            } if *k == key && version.dead => Some(version.clone()),
            _ => None,
        })
    }

    fn label(&self, t: TxnId, key: Key, dead: bool) -> VersionId {
        let nth = self.txns[t]
            .log
            .iter()
            .filter(|op| matches!(op, Op::Write { key: k, .. } if *k == key))
            .count();
        VersionId {
            writer: self.txns[t].name.clone(),
            nth,
            dead,
        }
    }

    fn log_write(&mut self, t: TxnId, key: Key, version: VersionId, value: Option<Value>) {
        self.txns[t].log.push(Op::Write {
            key,
            version,
            value,
        });
    }

    fn log_predicate(
        &mut self,
        t: TxnId,
        predicate: &Predicate,
        seen: &[usize],
        snapshot: &Snapshot,
    ) {
        let live: BTreeSet<Key> = seen.iter().map(|&v| self.heap[v].key).collect();
        let keys: BTreeSet<Key> = self.heap.iter().map(|v| v.key).collect();
        let gone = keys
            .difference(&live)
            .filter_map(|&key| Some((key, self.visible_delete(t, key, snapshot)?)))
            .collect();
        let seen = seen
            .iter()
            .map(|&v| {
                (
                    self.heap[v].key,
                    self.heap[v].label.clone(),
                    self.heap[v].value,
                )
            })
            .collect();
        self.txns[t].log.push(Op::PredicateRead {
            predicate: predicate.clone(),
            seen,
            gone,
        });
    }

    /// The history so far, for [`crate::adya::check`]: each ended transaction's reads and
    /// writes, and the order transactions committed in.
    pub fn history(&self) -> History {
        let mut committed: Vec<(u64, TxnId)> = self
            .txns
            .iter()
            .enumerate()
            .filter_map(|(t, txn)| txn.commit_seq.map(|seq| (seq, t)))
            .collect();
        committed.sort();
        History {
            txns: committed
                .into_iter()
                .map(|(_, t)| crate::adya::Txn {
                    name: self.txns[t].name.clone(),
                    committed: true,
                    ops: self.txns[t].log.clone(),
                })
                .chain(
                    self.txns
                        .iter()
                        .filter(|txn| matches!(txn.state, State::RolledBack | State::Failed))
                        .map(|txn| crate::adya::Txn {
                            name: txn.name.clone(),
                            committed: false,
                            ops: txn.log.clone(),
                        }),
                )
                .collect(),
        }
    }
}

/// What writing one row came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowWrite {
    Changed,
    Skipped,
    Wait(TxnId),
}

/// Whether a write statement's condition holds for `version` (re-checked on the newest
/// version after a wait in read committed).
fn step_matches(step: &Step, version: &Version) -> bool {
    match step {
        Step::DeleteWhere(value) => version.value == *value,
        _ => true,
    }
}

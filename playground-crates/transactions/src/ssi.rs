//! Serializable snapshot isolation: snapshot isolation plus a watch for dangerous structures.
//!
//! Cahill, Röhm and Fekete (SIGMOD 2008) showed that every anomaly snapshot isolation allows
//! contains a *pivot*: a transaction with an rw-antidependency in (someone read what it later
//! overwrote) and one out (it read what someone else overwrote), `T_in →rw pivot →rw T_out`,
//! where `T_out` commits first. Aborting a transaction in every such structure makes snapshot
//! isolation serializable, at the price of some false alarms. Ports and Grittner (VLDB 2012)
//! describe how PostgreSQL 9.1 built it; this module follows their design and the checks in
//! PostgreSQL's `predicate.c`:
//!
//! - a serializable read takes a *SIREAD lock*, which blocks nobody and outlives the commit: on
//!   the versions an index lookup returns and the index page it searched, or on the whole table
//!   for a sequential scan;
//! - an rw-antidependency is found from either side: a writer finds a reader's SIREAD lock
//!   ([`Ssi::conflict_in`]), or a reader passes a version a concurrent transaction wrote or
//!   deleted ([`Ssi::flag`] from the store's scan);
//! - each new edge is checked at once, and each commit checks for a structure whose `T_out` is
//!   the committer; a transaction in danger is *doomed* (it fails at its next read, write or
//!   commit) unless it is the one running, which fails now.
//!
//! Two transactions that read and write disjoint rows by key take tuple locks on different
//! rows, so no edge ever joins them, and neither aborts.

use crate::store::{Failure, Snapshot, TxnId, Xid};
use std::collections::{BTreeMap, BTreeSet};

/// What a SIREAD lock covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// The whole table (a sequential scan read it).
    Table,
    /// The primary-key index's page (every lookup by key searched it; the table is small
    /// enough to fit its index in one page, so an insert of any key lands on it).
    IndexPage,
    /// One row version (an index lookup returned it).
    Tuple(usize),
}

/// One serializable transaction's SSI state (PostgreSQL's `SERIALIZABLEXACT`).
#[derive(Clone, Debug, Default)]
struct Sxact {
    doomed: bool,
    did_write: bool,
    /// A committed transaction that wrote nothing counts as read-only from then on.
    read_only: bool,
    prepare_seq: Option<u64>,
    commit_seq: Option<u64>,
    /// The commit sequence number when its snapshot was taken.
    last_commit_before_snapshot: u64,
    /// The first transaction id not yet handed out when it committed.
    finished_before: Xid,
    /// It committed with an rw-antidependency out to a transaction that committed earlier.
    conflict_out_to_committed: bool,
}

/// The SSI bookkeeping for every serializable transaction.
#[derive(Clone, Debug, Default)]
pub struct Ssi {
    xacts: BTreeMap<TxnId, Sxact>,
    locks: Vec<(TxnId, Target)>,
    /// rw-antidependencies, `(reader, writer)`: the reader did not see the writer's write.
    edges: BTreeSet<(TxnId, TxnId)>,
    last_seq: u64,
}

impl Ssi {
    /// Starts tracking serializable transaction `t`.
    pub fn register(&mut self, t: TxnId) {
        self.xacts.insert(t, Sxact::default());
    }

    /// Notes when `t`'s snapshot was taken, relative to other serializable commits.
    pub fn snapshot_taken(&mut self, t: TxnId, _snapshot: &Snapshot) {
        let last = self.last_seq;
        self.x(t).last_commit_before_snapshot = last;
    }

    /// The rw-antidependencies recorded so far, `(reader, writer)`.
    pub fn edges(&self) -> impl Iterator<Item = (TxnId, TxnId)> + '_ {
        self.edges.iter().copied()
    }

    /// Whether `t` has been marked to fail.
    pub fn is_doomed(&self, t: TxnId) -> bool {
        self.xacts.get(&t).is_some_and(|x| x.doomed)
    }

    fn x(&mut self, t: TxnId) -> &mut Sxact {
        self.xacts
            .get_mut(&t)
            .expect("a registered serializable transaction")
    }

    fn get(&self, t: TxnId) -> &Sxact {
        &self.xacts[&t]
    }

    fn has_committed(&self, t: TxnId) -> bool {
        self.get(t).commit_seq.is_some()
    }

    /// Takes a SIREAD lock for `t`.
    pub fn lock(&mut self, t: TxnId, target: Target) {
        if !self.locks.contains(&(t, target)) {
            self.locks.push((t, target));
        }
    }

    /// A doomed transaction fails at its next read or write.
    pub fn check_not_doomed(&self, t: TxnId) -> Result<(), Failure> {
        if self.is_doomed(t) {
            Err(Failure::Serialization)
        } else {
            Ok(())
        }
    }

    /// `writer` is about to write something covered by `targets`: every concurrent reader
    /// holding a SIREAD lock there gets an rw-antidependency to it. `writer_xmin` is the
    /// writer's snapshot xmin: a reader that committed before it is not concurrent.
    pub fn conflict_in(
        &mut self,
        writer: TxnId,
        targets: &[Target],
        writer_xmin: Xid,
    ) -> Result<(), Failure> {
        self.check_not_doomed(writer)?;
        self.x(writer).did_write = true;
        for target in targets {
            let readers: Vec<TxnId> = self
                .locks
                .iter()
                .filter(|(r, t)| t == target && *r != writer)
                .map(|(r, _)| *r)
                .collect();
            for reader in readers {
                let x = self.get(reader);
                let concurrent = x.commit_seq.is_none() || writer_xmin < x.finished_before;
                if !x.doomed && concurrent && !self.edges.contains(&(reader, writer)) {
                    self.flag(reader, writer, writer)?;
                }
            }
        }
        Ok(())
    }

    /// Records the rw-antidependency `reader → writer`, found while `me` runs, and fails or
    /// dooms a transaction if it completes a dangerous structure
    /// (PostgreSQL's `OnConflict_CheckForSerializationFailure`).
    pub fn flag(&mut self, reader: TxnId, writer: TxnId, me: TxnId) -> Result<(), Failure> {
        if reader == writer || self.is_doomed(writer) || self.edges.contains(&(reader, writer)) {
            return Ok(());
        }
        let danger = self.dangerous(reader, writer);
        if danger {
            if writer == me || self.get(writer).prepare_seq.is_some() {
                return Err(Failure::Serialization);
            }
            self.x(writer).doomed = true;
        }
        self.edges.insert((reader, writer));
        Ok(())
    }

    /// Whether the new edge `reader → writer` closes `T_in → pivot → T_out` with `T_out`
    /// committed first.
    fn dangerous(&self, reader: TxnId, writer: TxnId) -> bool {
        let r = self.get(reader);
        let w = self.get(writer);
        // The writer committed after taking an edge out to a transaction that committed
        // before it: the writer is a pivot whose T_out is already in.
        if w.commit_seq.is_some() && w.conflict_out_to_committed {
            return true;
        }
        // The writer is a pivot with an edge out to a prepared T_out that committed first.
        let writer_pivot = self.edges.iter().any(|&(from, t2)| {
            if from != writer {
                return false;
            }
            let Some(t2_prepared) = self.get(t2).prepare_seq else {
                return false;
            };
            r.commit_seq.is_none_or(|c| t2_prepared <= c)
                && w.commit_seq.is_none_or(|c| t2_prepared <= c)
                && (!r.read_only || t2_prepared <= r.last_commit_before_snapshot)
        });
        if writer_pivot {
            return true;
        }
        // The reader is a pivot whose T_out, the writer, is prepared.
        if let Some(w_prepared) = w.prepare_seq {
            if !r.read_only {
                return self.edges.iter().any(|&(t0, to)| {
                    if to != reader {
                        return false;
                    }
                    let x = self.get(t0);
                    !x.doomed
                        && x.commit_seq.is_none_or(|c| c >= w_prepared)
                        && (!x.read_only || x.last_commit_before_snapshot >= w_prepared)
                });
            }
        }
        false
    }

    /// At `t`'s commit, `t` is the T_out of any structure `T_in → pivot → t`: the pivot is
    /// doomed (PostgreSQL's `PreCommit_CheckForSerializationFailure`), and a doomed `t` fails.
    pub fn pre_commit(&mut self, t: TxnId) -> Result<(), Failure> {
        self.check_not_doomed(t)?;
        let pivots: Vec<TxnId> = self
            .edges
            .iter()
            .filter(|&&(_, to)| to == t)
            .map(|&(from, _)| from)
            .collect();
        for pivot in pivots {
            let p = self.get(pivot);
            if p.commit_seq.is_some() || p.doomed {
                continue;
            }
            let doom = self.edges.iter().any(|&(t_in, to)| {
                to == pivot && {
                    let x = self.get(t_in);
                    t_in == t || (x.commit_seq.is_none() && !x.doomed)
                }
            });
            if doom {
                self.x(pivot).doomed = true;
            }
        }
        self.last_seq += 1;
        let seq = self.last_seq;
        self.x(t).prepare_seq = Some(seq);
        Ok(())
    }

    /// `t` committed; `next_xid` is the first transaction id not yet handed out. Edges from
    /// committed readers are dropped, and edges out to committed writers fold into a flag.
    pub fn committed(&mut self, t: TxnId, next_xid: Xid) {
        self.last_seq += 1;
        let seq = self.last_seq;
        let x = self.x(t);
        x.commit_seq = Some(seq);
        x.finished_before = next_xid;
        x.read_only = !x.did_write;
        let edges: Vec<(TxnId, TxnId)> = self.edges.iter().copied().collect();
        for (reader, writer) in edges {
            if writer == t && self.has_committed(reader) {
                self.edges.remove(&(reader, writer));
            }
            if reader == t && self.has_committed(writer) {
                self.x(t).conflict_out_to_committed = true;
                self.edges.remove(&(reader, writer));
            }
        }
    }

    /// `t` rolled back: its SIREAD locks and edges go with it.
    pub fn aborted(&mut self, t: TxnId) {
        self.locks.retain(|&(holder, _)| holder != t);
        self.edges.retain(|&(r, w)| r != t && w != t);
        self.x(t).doomed = false;
    }
}

//! An Adya-style checker: build a history's dependency graph and name the anomaly it shows.
//!
//! Adya, Liskov and O'Neil ("Generalized Isolation Level Definitions", ICDE 2000) define
//! isolation by what a committed history must not contain. Nodes are committed transactions;
//! edges say one had to come before another:
//!
//! - **ww** `Ti → Tj`: Tj installed the next version of something Ti wrote;
//! - **wr** `Ti → Tj`: Tj read a version Ti wrote;
//! - **rw** `Ti → Tj` (anti-dependency): Tj installed the version after the one Ti read, so Ti
//!   did not see Tj's write; with a predicate read, Tj changed which rows match.
//!
//! A serial history has no cycle. The anomalies, weakest first: **G0** a cycle of ww edges;
//! **G1a** a committed read of an aborted write; **G1b** a read of a version its writer later
//! overwrote; **G1c** a cycle of ww and wr edges; **G-single** a cycle with exactly one rw edge
//! (read skew); **G2-item** a cycle with rw edges on items (write skew); **G2** any cycle, rw
//! edges from predicate reads included.

use crate::step::Predicate;
use crate::store::{Key, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

/// Names one version: the transaction that wrote it and which of its writes to the key it was.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionId {
    /// The writer's name; `init` for the rows the table starts with.
    pub writer: String,
    /// 0 for the writer's first write to the key, 1 for its second, …
    pub nth: usize,
    /// A delete installs a dead version.
    pub dead: bool,
}

impl VersionId {
    /// The version the table starts with.
    pub fn initial() -> VersionId {
        VersionId {
            writer: INIT.to_string(),
            nth: 0,
            dead: false,
        }
    }
}

const INIT: &str = "init";

/// One operation a transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read `key` by key and saw `version` (`None`: no row).
    Read {
        /// The key read.
        key: Key,
        /// The version seen.
        version: Option<VersionId>,
    },
    /// Installed `version` of `key`.
    Write {
        /// The key written.
        key: Key,
        /// The new version.
        version: VersionId,
        /// Its value (`None`: a delete).
        value: Option<Value>,
    },
    /// Read every row through a predicate and saw these live versions, with their values.
    PredicateRead {
        /// The condition (the checker needs it to tell which writes change the answer).
        predicate: Predicate,
        /// Every live row the scan saw, matching or not.
        seen: Vec<(Key, VersionId, Value)>,
        /// Keys the scan saw deleted: the dead version each delete installed. Without it, a scan
        /// after a delete would look as if it ran before every earlier write to the key.
        gone: Vec<(Key, VersionId)>,
    },
}

/// One transaction of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    /// Its name.
    pub name: String,
    /// Whether it committed (else it aborted).
    pub committed: bool,
    /// What it did, in order.
    pub ops: Vec<Op>,
}

/// A history: committed transactions in commit order (versions are installed in that
/// order), then the aborted ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// The transactions.
    pub txns: Vec<Txn>,
}

/// An edge's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dep {
    /// Write-write.
    Ww,
    /// Write-read.
    Wr,
    /// Read-write on an item.
    Rw,
    /// Read-write on a predicate.
    PredicateRw,
}

impl Dep {
    fn label(self) -> &'static str {
        match self {
            Dep::Ww => "ww",
            Dep::Wr => "wr",
            Dep::Rw => "rw",
            Dep::PredicateRw => "rw(predicate)",
        }
    }

    fn anti(self) -> bool {
        matches!(self, Dep::Rw | Dep::PredicateRw)
    }
}

/// One edge of the dependency graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The transaction that must come first.
    pub from: String,
    /// The one that must come after it.
    pub to: String,
    /// Why.
    pub dep: Dep,
    /// The key the edge is about.
    pub key: Key,
}

/// The anomalies the checker names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anomaly {
    /// A cycle of write-write edges (dirty writes).
    G0,
    /// A committed transaction read an aborted one's write.
    G1a,
    /// A committed transaction read a version its writer later overwrote.
    G1b,
    /// A cycle of write-write and write-read edges.
    G1c,
    /// A cycle with exactly one anti-dependency (read skew).
    GSingle,
    /// A cycle of item anti-dependencies and others (write skew).
    G2Item,
    /// A cycle that needs a predicate anti-dependency.
    G2,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Anomaly::G0 => "G0",
            Anomaly::G1a => "G1a",
            Anomaly::G1b => "G1b",
            Anomaly::G1c => "G1c",
            Anomaly::GSingle => "G-single",
            Anomaly::G2Item => "G2-item",
            Anomaly::G2 => "G2",
        })
    }
}

/// What the checker found: the anomaly, and the cycle (or the bad read) that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The anomaly's name.
    pub anomaly: Anomaly,
    /// The cycle, edge by edge (empty for G1a and G1b).
    pub cycle: Vec<Edge>,
    /// G1a and G1b: the read, in words.
    pub read: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.anomaly)?;
        if let Some(read) = &self.read {
            return f.write_str(read);
        }
        if let Some(first) = self.cycle.first() {
            write!(f, "{}", first.from)?;
        }
        for edge in &self.cycle {
            write!(f, " -{}({})-> {}", edge.dep.label(), edge.key, edge.to)?;
        }
        Ok(())
    }
}

/// The dependency graph of a history's committed transactions.
pub fn graph(history: &History) -> Vec<Edge> {
    let committed: Vec<&Txn> = history.txns.iter().filter(|t| t.committed).collect();
    // Each key's committed versions in install (commit) order; a writer's last write wins.
    let mut order: BTreeMap<Key, Vec<VersionId>> = BTreeMap::new();
    let mut initial: BTreeSet<Key> = BTreeSet::new();
    for txn in &committed {
        for op in &txn.ops {
            let (key, seen) = match op {
                Op::Read { key, version } => (*key, version.iter().cloned().collect::<Vec<_>>()),
                Op::PredicateRead { seen, .. } => {
                    for (key, version, _) in seen {
                        if version.writer == INIT {
                            initial.insert(*key);
                        }
                    }
                    continue;
                }
                Op::Write { .. } => continue,
            };
            if seen.iter().any(|v| v.writer == INIT) {
                initial.insert(key);
            }
        }
    }
    for key in &initial {
        order.entry(*key).or_default().push(VersionId::initial());
    }
    for txn in &committed {
        let mut last: BTreeMap<Key, VersionId> = BTreeMap::new();
        for op in &txn.ops {
            if let Op::Write { key, version, .. } = op {
                last.insert(*key, version.clone());
            }
        }
        for (key, version) in last {
            order.entry(key).or_default().push(version);
        }
    }
    let is_committed = |name: &str| committed.iter().any(|t| t.name == name);
    let mut edges = BTreeSet::new();
    let mut add = |from: &str, to: &str, dep: Dep, key: Key| {
        if from != to && from != INIT && is_committed(from) && is_committed(to) {
            edges.insert(Edge {
                from: from.to_string(),
                to: to.to_string(),
                dep,
                key,
            });
        }
    };
    for (key, versions) in &order {
        for pair in versions.windows(2) {
            add(&pair[0].writer, &pair[1].writer, Dep::Ww, *key);
        }
    }
    let next_after = |key: Key, version: &VersionId| -> Option<VersionId> {
        let versions = order.get(&key)?;
        let at = versions.iter().position(|v| v.writer == version.writer)?;
        versions.get(at + 1).cloned()
    };
    for txn in &committed {
        for op in &txn.ops {
            match op {
                Op::Read {
                    key,
                    version: Some(version),
                } => {
                    add(&version.writer, &txn.name, Dep::Wr, *key);
                    if let Some(next) = next_after(*key, version) {
                        add(&txn.name, &next.writer, Dep::Rw, *key);
                    }
                }
                Op::Read { key, version: None } => {
                    if let Some(first) = order.get(key).and_then(|v| v.first()) {
                        if first.writer != INIT && !first.dead {
                            add(&txn.name, &first.writer, Dep::Rw, *key);
                        }
                    }
                }
                Op::PredicateRead {
                    predicate,
                    seen,
                    gone,
                } => {
                    let observed = seen.iter().map(|(k, v, _)| (k, v));
                    for (key, version) in observed.chain(gone.iter().map(|(k, v)| (k, v))) {
                        add(&version.writer, &txn.name, Dep::Wr, *key);
                    }
                    for (key, versions) in &order {
                        let seen_here = seen.iter().find(|(k, _, _)| k == key);
                        let dead_here = gone.iter().find(|(k, _)| k == key);
                        let start = match (seen_here, dead_here) {
                            (Some((_, version, _)), _) => {
                                versions.iter().position(|v| v == version).map(|at| at + 1)
                            }
                            (None, Some((_, dead))) => versions
                                .iter()
                                .position(|v| v.writer == dead.writer)
                                .map(|at| at + 1),
                            (None, None) => Some(0),
                        };
                        let Some(start) = start else { continue };
                        let old_match =
                            seen_here.is_some_and(|(_, _, value)| predicate.matches(*value));
                        for later in &versions[start..] {
                            if later.writer == INIT || later.writer == txn.name {
                                continue;
                            }
                            let new_value = final_value(&committed, &later.writer, *key);
                            let new_match = new_value.is_some_and(|value| predicate.matches(value));
                            if old_match || new_match {
                                add(&txn.name, &later.writer, Dep::PredicateRw, *key);
                            }
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    edges.into_iter().collect()
}

/// The value `writer` last wrote to `key`, or `None` if that write was a delete.
fn final_value(committed: &[&Txn], writer: &str, key: Key) -> Option<Value> {
    let txn = committed.iter().find(|t| t.name == writer)?;
    txn.ops.iter().rev().find_map(|op| match op {
        Op::Write { key: k, value, .. } if *k == key => Some(*value),
        _ => None,
    })?
}

/// Names the weakest anomaly the history shows, with its evidence; `None` if it is
/// serializable as far as this graph can tell.
pub fn check(history: &History) -> Option<Finding> {
    if let Some(finding) = bad_reads(history) {
        return Some(finding);
    }
    let edges = graph(history);
    let only = |keep: &dyn Fn(Dep) -> bool| -> Vec<Edge> {
        edges.iter().filter(|e| keep(e.dep)).cloned().collect()
    };
    if let Some(cycle) = find_cycle(&only(&|d| d == Dep::Ww)) {
        return Some(cycle_finding(Anomaly::G0, cycle));
    }
    let dependencies = only(&|d| !d.anti());
    if let Some(cycle) = find_cycle(&dependencies) {
        return Some(cycle_finding(Anomaly::G1c, cycle));
    }
    for anti in edges.iter().filter(|e| e.dep.anti()) {
        if let Some(mut path) = find_path(&dependencies, &anti.to, &anti.from) {
            path.insert(0, anti.clone());
            return Some(cycle_finding(Anomaly::GSingle, path));
        }
    }
    if let Some(cycle) = find_cycle(&only(&|d| d != Dep::PredicateRw)) {
        return Some(cycle_finding(Anomaly::G2Item, cycle));
    }
    find_cycle(&edges).map(|cycle| cycle_finding(Anomaly::G2, cycle))
}

fn cycle_finding(anomaly: Anomaly, cycle: Vec<Edge>) -> Finding {
    Finding {
        anomaly,
        cycle,
        read: None,
    }
}

/// G1a and G1b: reads of aborted or intermediate versions by committed transactions.
fn bad_reads(history: &History) -> Option<Finding> {
    let aborted: BTreeSet<&str> = history
        .txns
        .iter()
        .filter(|t| !t.committed)
        .map(|t| t.name.as_str())
        .collect();
    for txn in history.txns.iter().filter(|t| t.committed) {
        for op in &txn.ops {
            let (key, version) = match op {
                Op::Read {
                    key,
                    version: Some(version),
                } => (*key, version),
                _ => continue,
            };
            if version.writer == txn.name {
                continue;
            }
            if aborted.contains(version.writer.as_str()) {
                return Some(Finding {
                    anomaly: Anomaly::G1a,
                    cycle: Vec::new(),
                    read: Some(format!(
                        "{} read key {key} as {} wrote it, and {} aborted",
                        txn.name, version.writer, version.writer
                    )),
                });
            }
            let writer = history.txns.iter().find(|t| t.name == version.writer);
            let later_write = writer.is_some_and(|w| {
                w.ops.iter().any(|op| matches!(op, Op::Write { key: k, version: v, .. } if *k == key && v.nth > version.nth))
            });
            if later_write {
                return Some(Finding {
                    anomaly: Anomaly::G1b,
                    cycle: Vec::new(),
                    read: Some(format!(
                        "{} read key {key} as {} wrote it before writing it again",
                        txn.name, version.writer
                    )),
                });
            }
        }
    }
    None
}

/// A shortest path `from ⇝ to` along `edges`.
fn find_path(edges: &[Edge], from: &str, to: &str) -> Option<Vec<Edge>> {
    let mut came_by: BTreeMap<&str, &Edge> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to && node != from {
            break;
        }
        for edge in edges.iter().filter(|e| e.from == node) {
            if edge.to == to {
                came_by.insert(to, edge);
                queue.clear();
                break;
            }
            if seen.insert(&edge.to) {
                came_by.insert(&edge.to, edge);
                queue.push_back(&edge.to);
            }
        }
    }
    let mut path = Vec::new();
    let mut node = to;
    while let Some(edge) = came_by.get(node) {
        path.push((*edge).clone());
        node = &edge.from;
        if node == from {
            path.reverse();
            return Some(path);
        }
    }
    None
}

/// A shortest cycle along `edges`, if there is one.
fn find_cycle(edges: &[Edge]) -> Option<Vec<Edge>> {
    let nodes: BTreeSet<&str> = edges.iter().map(|e| e.from.as_str()).collect();
    nodes
        .into_iter()
        .filter_map(|node| find_path(edges, node, node))
        .min_by_key(|cycle| cycle.len())
}

//! Session guarantees: what one client can count on, short of linearizability.
//!
//! Terry et al. (PDIS 1994, "Session Guarantees for Weakly Consistent Replicated Data") named
//! the promises a system can make to a single client's *session* without making every client
//! agree on one order. They are checked here on [`Observation`]s: each write with the version
//! it became in the leader's order, and each read with the version it returned. Versions count
//! writes, so "version 7" is the state after the seventh write; 0 is the initial state.
//!
//! Every checker returns the [`Anomaly`]s it found, each naming the client, the read, what the
//! client had a right to expect and what it saw, so "who saw what" is a list a learner can read.

use std::fmt;

/// What a client did, with the versions involved. Times are in µs (the kernel's unit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The client (session).
    pub client: usize,
    /// When the operation was invoked.
    pub invoke: u64,
    /// When it completed (`None`: it did not, or timed out: it promised nothing to the client).
    pub complete: Option<u64>,
    /// What happened.
    pub what: Observed,
}

/// A write or a read, with versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// A write, and the version it became (`None`: it was never applied anywhere).
    Wrote {
        /// Its place in the leader's order of writes.
        version: Option<u64>,
    },
    /// A read, and the version it returned.
    Read {
        /// The version of the state it saw.
        version: u64,
    },
}

/// Which promise a read broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AnomalyKind {
    /// The read missed a write that any client had completed before the read began: not
    /// linearizable (a "stale read").
    StaleRead,
    /// The read returned an older version than an earlier read by the same client
    /// (monotonic reads broken).
    NonMonotonicRead,
    /// The read missed the client's own completed write (read-your-writes broken: a "lost own
    /// write", as the client sees it).
    LostOwnWrite,
    /// The read was staler than the bound allowed (bounded staleness broken).
    TooStale,
}

impl AnomalyKind {
    /// The name the widget and the chapter use.
    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::StaleRead => "stale read",
            AnomalyKind::NonMonotonicRead => "non-monotonic read",
            AnomalyKind::LostOwnWrite => "lost own write",
            AnomalyKind::TooStale => "staler than the bound",
        }
    }
}

/// One broken promise: which client, which read, what it should have seen at least.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// The promise broken.
    pub kind: AnomalyKind,
    /// The client that saw it.
    pub client: usize,
    /// The read's index in the observations.
    pub read: usize,
    /// The version the read returned.
    pub saw: u64,
    /// The oldest version the promise allowed (for a never-applied own write, `u64::MAX`).
    pub expected_at_least: u64,
    /// How stale the read was, in ms (rounded down), when the bound is in ms.
    pub stale_ms: Option<u64>,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client {} saw a {}: read #{} returned v{}",
            self.client,
            self.kind.name(),
            self.read,
            self.saw
        )?;
        if self.expected_at_least == u64::MAX {
            write!(f, ", but its own acknowledged write was never applied")?;
        } else {
            write!(
                f,
                ", but had a right to v{} or later",
                self.expected_at_least
            )?;
        }
        if let Some(ms) = self.stale_ms {
            write!(f, " (stale by {ms} ms)")?;
        }
        Ok(())
    }
}

/// A bound for bounded staleness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    /// At most this many acknowledged writes behind.
    Versions(u64),
    /// Behind by at most this long: the read's version may have been superseded by an
    /// acknowledged write no more than this many ms before the read began.
    Millis(u64),
}

/// The reads, in invoke order, with what was known when each began.
fn reads(obs: &[Observation]) -> impl Iterator<Item = (usize, &Observation, u64)> {
    obs.iter().enumerate().filter_map(|(i, o)| match o.what {
        Observed::Read { version } if o.complete.is_some() => Some((i, o, version)),
        _ => None,
    })
}

/// Acknowledged writes completed strictly before `t` (by `client`, or anyone if `None`):
/// (version or None if never applied, completion time).
fn acked_before(
    obs: &[Observation],
    t: u64,
    client: Option<usize>,
) -> impl Iterator<Item = (Option<u64>, u64)> + '_ {
    obs.iter().filter_map(move |o| match (o.what, o.complete) {
        (Observed::Wrote { version }, Some(done))
            if done < t && client.is_none_or(|c| c == o.client) =>
        {
            Some((version, done))
        }
        _ => None,
    })
}

/// Reads that missed a write some client had completed before the read began.
pub fn stale_reads(obs: &[Observation]) -> Vec<Anomaly> {
    reads(obs)
        .filter_map(|(i, o, saw)| {
            let newest = acked_before(obs, o.invoke, None)
                .map(|(v, _)| v.unwrap_or(u64::MAX))
                .max()?;
            (saw < newest).then_some(Anomaly {
                kind: AnomalyKind::StaleRead,
                client: o.client,
                read: i,
                saw,
                expected_at_least: newest,
                stale_ms: None,
            })
        })
        .collect()
}

/// Reads that missed the same client's own completed write.
pub fn read_your_writes(obs: &[Observation]) -> Vec<Anomaly> {
    reads(obs)
        .filter_map(|(i, o, saw)| {
            let own = acked_before(obs, o.invoke, Some(o.client))
                .map(|(v, _)| v.unwrap_or(u64::MAX))
                .max()?;
            (saw < own).then_some(Anomaly {
                kind: AnomalyKind::LostOwnWrite,
                client: o.client,
                read: i,
                saw,
                expected_at_least: own,
                stale_ms: None,
            })
        })
        .collect()
}

/// Reads older than an earlier completed read by the same client.
pub fn monotonic_reads(obs: &[Observation]) -> Vec<Anomaly> {
    reads(obs)
        .filter_map(|(i, o, saw)| {
            let before = reads(obs)
                .filter(|(_, p, _)| {
                    p.client == o.client && p.complete.is_some_and(|c| c < o.invoke)
                })
                .map(|(_, _, v)| v)
                .max()?;
            (saw < before).then_some(Anomaly {
                kind: AnomalyKind::NonMonotonicRead,
                client: o.client,
                read: i,
                saw,
                expected_at_least: before,
                stale_ms: None,
            })
        })
        .collect()
}

/// Reads staler than `bound`, measured against the writes acknowledged before the read began.
pub fn bounded_staleness(obs: &[Observation], bound: Bound) -> Vec<Anomaly> {
    reads(obs)
        .filter_map(|(i, o, saw)| {
            let newer: Vec<(u64, u64)> = acked_before(obs, o.invoke, None)
                .filter_map(|(v, done)| v.map(|v| (v, done)))
                .filter(|&(v, _)| v > saw)
                .collect();
            let newest = newer.iter().map(|&(v, _)| v).max()?;
            match bound {
                Bound::Versions(k) => (newest - saw > k).then_some(Anomaly {
                    kind: AnomalyKind::TooStale,
                    client: o.client,
                    read: i,
                    saw,
                    expected_at_least: newest - k,
                    stale_ms: None,
                }),
                Bound::Millis(ms) => {
                    let superseded = newer.iter().map(|&(_, done)| done).min()?;
                    let stale = o.invoke - superseded;
                    (stale > ms * 1000).then_some(Anomaly {
                        kind: AnomalyKind::TooStale,
                        client: o.client,
                        read: i,
                        saw,
                        expected_at_least: saw + 1,
                        stale_ms: Some(stale / 1000),
                    })
                }
            }
        })
        .collect()
}

/// The three anomalies the Consistency Dial shows, per read: stale read, non-monotonic read,
/// lost own write (a read can show more than one).
pub fn dial_anomalies(obs: &[Observation]) -> Vec<Anomaly> {
    let mut all = stale_reads(obs);
    all.extend(monotonic_reads(obs));
    all.extend(read_your_writes(obs));
    all.sort_by_key(|a| (a.read, a.kind));
    all
}

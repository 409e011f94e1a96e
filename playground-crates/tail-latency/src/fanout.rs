//! A request that fans out to N leaves and waits for them.
//!
//! A search front end asks 100 index shards and merges the answers; a page asks 40 services and
//! renders when they reply. If the request waits for *all* leaves, it is as slow as the slowest,
//! and the slowest of 100 is almost always in some leaf's tail: with a leaf that is slow one time
//! in 100, `1 − 0.99^100 = 63%` of requests meet at least one slow leaf ([`p_at_least_one_slow`]).
//!
//! Waiting for a quorum or the first k (a replicated read, a search that may drop a straggler's
//! results) reads a lower order statistic instead, which is the cheapest tail cure there is.

use sim::SplitMix64;

use crate::hedge::{leaf_call, Hedge};
use crate::latency::Latency;
use crate::percentile::Summary;

/// How many leaves' answers a request waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Every leaf: the request is as slow as its slowest leaf.
    All,
    /// A majority, `N / 2 + 1`: a quorum read.
    Quorum,
    /// The first `k` to answer (clamped to 1..=N).
    FirstK(usize),
}

impl Wait {
    /// How many answers of `leaves` this rule waits for.
    pub fn needed(self, leaves: usize) -> usize {
        match self {
            Wait::All => leaves,
            Wait::Quorum => leaves / 2 + 1,
            Wait::FirstK(k) => k.clamp(1, leaves.max(1)),
        }
        .max(1)
    }
}

/// The probability that a request waiting for all `leaves` meets at least one slow leaf, when each
/// leaf is slow with probability `slow_fraction`, independently: `1 − (1 − p)^N`.
pub fn p_at_least_one_slow(leaves: u32, slow_fraction: f64) -> f64 {
    1.0 - (1.0 - slow_fraction.clamp(0.0, 1.0)).powi(leaves as i32)
}

/// Which leaf quantile the request's `q`-quantile is, when the request waits for all `leaves`
/// independent leaves: `q^(1/N)`. The p99 of a 100-way fan-out is the leaf's p99.99.
pub fn leaf_quantile_behind(q: f64, leaves: u32) -> f64 {
    q.clamp(0.0, 1.0).powf(1.0 / leaves.max(1) as f64)
}

/// A fan-out experiment: `leaves` calls per request, each drawn from `latency`, optionally hedged.
#[derive(Clone, Debug)]
pub struct FanOut {
    /// Leaves a request calls.
    pub leaves: usize,
    /// Each leaf call's latency.
    pub latency: Latency,
    /// What the request waits for.
    pub wait: Wait,
    /// A backup request per leaf call, if any.
    pub hedge: Option<Hedge>,
}

/// What a fan-out run measured.
#[derive(Clone, Debug)]
pub struct FanOutReport {
    /// Latencies of single leaf calls (up to 8 leaves sampled from every request), ms.
    pub leaf: Summary,
    /// Latencies of whole requests, ms.
    pub request: Summary,
    /// Requests simulated.
    pub requests: usize,
    /// Backup copies sent per primary leaf call (0 without hedging): the extra requests.
    pub extra_requests: f64,
    /// Extra server work per unit of primary work, counting a cancelled loser's work up to its
    /// cancellation: what the hedge costs the leaves.
    pub extra_work: f64,
}

impl FanOut {
    /// A fan-out to `leaves` leaves with the given latency, waiting for all, unhedged.
    pub fn new(leaves: usize, latency: Latency) -> FanOut {
        FanOut {
            leaves: leaves.max(1),
            latency,
            wait: Wait::All,
            hedge: None,
        }
    }

    /// The same experiment waiting for `wait`.
    pub fn waiting_for(mut self, wait: Wait) -> FanOut {
        self.wait = wait;
        self
    }

    /// The same experiment with every leaf call hedged.
    pub fn hedged(mut self, hedge: Hedge) -> FanOut {
        self.hedge = Some(hedge);
        self
    }

    /// Runs `requests` requests from `seed`. Deterministic: same inputs, same report.
    pub fn run(&self, requests: usize, seed: u64) -> FanOutReport {
        let mut rng = SplitMix64::new(seed);
        let needed = self.wait.needed(self.leaves);
        let sampled_leaves = self.leaves.min(8);
        let mut leaf_samples = Vec::with_capacity(requests * sampled_leaves);
        let mut request_samples = Vec::with_capacity(requests);
        let mut answers = vec![0.0; self.leaves];
        let (mut backups, mut primary_work, mut extra_work) = (0u64, 0.0, 0.0);
        for _ in 0..requests {
            for (i, answer) in answers.iter_mut().enumerate() {
                let call = leaf_call(&self.latency, self.hedge.as_ref(), &mut rng);
                backups += u64::from(call.backup_sent);
                primary_work += call.primary_work;
                extra_work += call.backup_work;
                *answer = call.latency;
                if i < sampled_leaves {
                    leaf_samples.push(call.latency);
                }
            }
            // The request completes when the `needed`-th answer arrives.
            let (_, kth, _) = answers.select_nth_unstable_by(needed - 1, |a, b| a.total_cmp(b));
            request_samples.push(*kth);
        }
        let calls = (requests * self.leaves).max(1) as f64;
        FanOutReport {
            leaf: Summary::new(leaf_samples),
            request: Summary::new(request_samples),
            requests,
            extra_requests: backups as f64 / calls,
            extra_work: if primary_work > 0.0 {
                extra_work / primary_work
            } else {
                0.0
            },
        }
    }
}

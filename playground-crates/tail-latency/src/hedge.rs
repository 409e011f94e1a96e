//! Hedged and tied requests: two ways to stop waiting for one slow server.
//!
//! **Hedged request** (Dean and Barroso, *The Tail at Scale*, 2013): send the call to one replica;
//! if no answer has come after `after_ms` (the paper suggests the leaf's 95th-percentile latency),
//! send a backup copy to another replica and take whichever answers first, cancelling the other.
//! Because only calls slower than the threshold get a backup, a p95 threshold costs about 5% more
//! requests, and it cuts the tail because a second, independent draw is rarely slow too.
//!
//! **Tied request**: send both copies at once, each tagged with the other's address; the copy that
//! *starts executing* first tells the other to drop out of its queue. It removes queueing delay
//! from the tail at the price of duplicate work only when both start within one network delay.
//!
//! Both assume the slowness is *per replica* and independent (a busy queue, a GC pause). When the
//! whole tier is slow because it is overloaded, a backup is more load on the thing that is already
//! drowning; see [`crate::pool`] and the failure-mode tests.

use sim::SplitMix64;

use crate::latency::Latency;
use crate::percentile::Summary;
use crate::queueing::MMc;

/// A hedging policy for one leaf call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hedge {
    /// Send the backup if no answer after this many ms.
    pub after_ms: f64,
    /// Cancel the losing copy when the winner answers (the paper's advice). Without it the loser
    /// runs to completion and its work is wasted.
    pub cancel_loser: bool,
}

impl Hedge {
    /// A backup after `after_ms`, with the loser cancelled.
    pub fn after(after_ms: f64) -> Hedge {
        Hedge {
            after_ms,
            cancel_loser: true,
        }
    }

    /// A backup after the `q`-quantile of `latency`, estimated from `samples` draws of `seed`
    /// (the way a client library learns its threshold from recent latencies).
    pub fn at_quantile(latency: &Latency, q: f64, samples: usize, seed: u64) -> Hedge {
        let mut rng = SplitMix64::new(seed);
        let draws = (0..samples.max(1))
            .map(|_| latency.sample(&mut rng))
            .collect();
        Hedge::after(Summary::new(draws).quantile(q))
    }
}

/// One leaf call as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeafCall {
    /// When the answer arrived, ms after the call.
    pub latency: f64,
    /// Whether a backup copy was sent.
    pub backup_sent: bool,
    /// Server work spent on the primary copy, ms.
    pub primary_work: f64,
    /// Server work spent on the backup copy, ms (0 when none was sent).
    pub backup_work: f64,
}

/// One leaf call: a primary draw and, if the policy says so and the primary is slow, a backup.
///
/// The server's work on a copy is modelled as its latency (the leaf is busy for as long as it
/// takes to answer); a cancelled copy stops working when the winner answers.
pub fn leaf_call(latency: &Latency, hedge: Option<&Hedge>, rng: &mut SplitMix64) -> LeafCall {
    let primary = latency.sample(rng);
    let Some(hedge) = hedge else {
        return LeafCall {
            latency: primary,
            backup_sent: false,
            primary_work: primary,
            backup_work: 0.0,
        };
    };
    if primary <= hedge.after_ms {
        return LeafCall {
            latency: primary,
            backup_sent: false,
            primary_work: primary,
            backup_work: 0.0,
        };
    }
    let backup = latency.sample(rng);
    let backup_done = hedge.after_ms + backup;
    let done = primary.min(backup_done);
    let (primary_work, backup_work) = if hedge.cancel_loser {
        (done, done - hedge.after_ms)
    } else {
        (primary, backup)
    };
    LeafCall {
        latency: done,
        backup_sent: true,
        primary_work,
        backup_work,
    }
}

/// What a hedging run measured over single leaf calls.
#[derive(Clone, Debug)]
pub struct HedgeReport {
    /// Latency without hedging.
    pub plain: Summary,
    /// Latency with the hedge.
    pub hedged: Summary,
    /// Backups sent per call: the extra requests.
    pub extra_requests: f64,
    /// Extra server work per unit of primary work.
    pub extra_work: f64,
}

impl Hedge {
    /// Runs `calls` leaf calls with and without this hedge, from the same seed.
    pub fn measure(&self, latency: &Latency, calls: usize, seed: u64) -> HedgeReport {
        let mut rng = SplitMix64::new(seed);
        let plain = (0..calls).map(|_| latency.sample(&mut rng)).collect();
        let mut rng = SplitMix64::new(seed ^ 0x9e37_79b9);
        let (mut backups, mut primary, mut extra) = (0usize, 0.0, 0.0);
        let mut hedged = Vec::with_capacity(calls);
        for _ in 0..calls {
            let call = leaf_call(latency, Some(self), &mut rng);
            backups += usize::from(call.backup_sent);
            primary += call.primary_work;
            extra += call.backup_work;
            hedged.push(call.latency);
        }
        HedgeReport {
            plain: Summary::new(plain),
            hedged: Summary::new(hedged),
            extra_requests: backups as f64 / calls.max(1) as f64,
            extra_work: extra / primary.max(f64::MIN_POSITIVE),
        }
    }
}

/// Tied requests against replicas whose queues behave like the M/M/c `queue`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tied {
    /// The replicas' queue: each copy waits a draw of its wait distribution, then is served.
    pub queue: MMc,
    /// One-way delay of the cancellation message between the two replicas, ms.
    pub cancel_delay_ms: f64,
}

/// What a tied-request run measured.
#[derive(Clone, Debug)]
pub struct TiedReport {
    /// Latency with a single copy (wait + service).
    pub single: Summary,
    /// Latency with a tied pair (the earlier start wins).
    pub tied: Summary,
    /// Fraction of calls where both copies started before the cancellation arrived: duplicate work.
    pub duplicate_work: f64,
}

impl Tied {
    /// Runs `calls` calls single and tied from `seed`.
    pub fn measure(&self, calls: usize, seed: u64) -> TiedReport {
        let mut rng = SplitMix64::new(seed);
        let service = self.queue.service_ms;
        let (mut single, mut tied, mut both) = (Vec::new(), Vec::new(), 0usize);
        for _ in 0..calls {
            let w1 = self.queue.sample_wait_ms(&mut rng);
            let w2 = self.queue.sample_wait_ms(&mut rng);
            let s1 = rng.exponential(service);
            let s2 = rng.exponential(service);
            single.push(w1 + s1);
            // The copy that starts first wins; the other is dropped unless it starts before the
            // cancellation reaches it, in which case both run and the faster finish wins.
            let (first_start, first_s, second_start, second_s) = if w1 <= w2 {
                (w1, s1, w2, s2)
            } else {
                (w2, s2, w1, s1)
            };
            if second_start - first_start < self.cancel_delay_ms {
                both += 1;
                tied.push((first_start + first_s).min(second_start + second_s));
            } else {
                tied.push(first_start + first_s);
            }
        }
        TiedReport {
            single: Summary::new(single),
            tied: Summary::new(tied),
            duplicate_work: both as f64 / calls.max(1) as f64,
        }
    }
}

//! Failure detectors: deciding that a silent peer is dead.
//!
//! In an asynchronous network a crashed process and a slow one look the same from outside: both
//! are silent. Fischer, Lynch and Paterson (1985) showed that there, no deterministic consensus
//! algorithm can guarantee to *terminate* if one process may crash, and the silence is why: it never
//! proves a death. So every real system adds a timing assumption in the form of a *detector*: each
//! peer sends heartbeats, and a monitor turns the silence since the last one into a verdict.
//!
//! # The Failure-Detector Trilemma
//!
//! On a link with pauses a detector cannot be both fast and rarely wrong; the third corner is what
//! a wrong suspicion costs (Chen, Toueg and Aguilera's T_D, T_MR and T_M, plus its consequence):
//!
//! | you want | you pay |
//! |---|---|
//! | **speed**: a short detection time T_D | a short timeout, so a slow-but-alive peer (GC pause, congested link) gets declared dead: false positives, unless each one is made cheap (a retry elsewhere; an election fenced by terms) |
//! | **accuracy**: a long time between mistakes T_MR | a long timeout, so a real crash goes unnoticed for longer: requests time out, writes wait |
//! | **cheap mistakes**: a wrong suspicion does no lasting harm | actions that are reversible or fenced; an expensive action needs a second gate (a lease, a second observer) |
//!
//! This module has two detectors on the same interface so you can measure the trade-off:
//!
//! - [`FixedTimeout`]: "dead after T ms of silence". Simple and predictable, but T is a guess about
//!   the network made once, and the network changes.
//! - [`PhiAccrual`]: (Hayashibara, Défago, Yared and Katayama, "The φ Accrual Failure Detector",
//!   SRDS 2004) learns the distribution of inter-arrival times and reports *how surprising* the
//!   current silence is, as φ = −log10(probability that a live peer would be this late). It comes
//!   in the two [`Model`]s production uses: Akka's normal model with an acceptable pause, and
//!   Cassandra's exponential one. The same threshold means a different silence under each.
//!
//! [`replay`] runs a detector over a recorded heartbeat stream and counts false suspicions and
//! detection time; [`JitteryLink`] makes reproducible streams to replay.
//!
//! Time is virtual throughout: every method takes `now_ms`, so a test can replay an hour of
//! heartbeats in a millisecond and get the same answer every time.

mod fixed_timeout;
mod phi_accrual;
mod window;

pub use fixed_timeout::FixedTimeout;
pub use phi_accrual::{ln_erfc, phi_normal, Model, PhiAccrual};
pub use window::InterArrivalWindow;

use crate::rng::SplitMix64;

/// What every detector does: take heartbeats, give verdicts.
pub trait FailureDetector {
    /// A heartbeat from the monitored peer arrived at `now_ms`.
    fn heartbeat(&mut self, now_ms: u64);

    /// Whether the peer is suspected of having crashed at `now_ms`. A detector that has never had
    /// a heartbeat suspects nothing: it has no evidence the peer ever existed.
    fn suspect(&self, now_ms: u64) -> bool;

    /// How long after the latest heartbeat silence turns into suspicion, given what the detector
    /// has learned so far: the worst-case detection time for a crash right after that heartbeat.
    fn detection_bound_ms(&self) -> u64;
}

/// What [`replay`] measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// How many times the detector started suspecting the peer while it was alive.
    pub false_suspicions: usize,
    /// Total time the live peer spent wrongly suspected, in ms (sampled every `check_every_ms`).
    pub wrongly_suspected_ms: u64,
    /// Time from the last heartbeat (the crash) until the detector suspected the peer, or `None`
    /// if it had not within [`GIVE_UP_AFTER_MS`].
    pub detection_ms: Option<u64>,
}

/// How long [`replay`] keeps watching after the crash before concluding the detector never fires.
pub const GIVE_UP_AFTER_MS: u64 = 600_000;

/// Feeds `arrivals` (heartbeat times, ascending) to `detector`, asking for a verdict every
/// `check_every_ms` in between, as a monitoring thread would. The peer is alive until its last
/// heartbeat and crashes right after it, so every suspicion before that is false and the first one
/// after it is the detection.
///
/// # Panics
/// If `check_every_ms` is 0 or `arrivals` is empty or not sorted.
pub fn replay<D: FailureDetector + ?Sized>(
    detector: &mut D,
    arrivals: &[u64],
    check_every_ms: u64,
) -> Verdict {
    assert!(
        check_every_ms > 0,
        "checking every 0 ms never advances time"
    );
    assert!(
        !arrivals.is_empty(),
        "a replay needs at least one heartbeat"
    );
    assert!(
        arrivals.windows(2).all(|pair| pair[0] <= pair[1]),
        "heartbeats must arrive in time order"
    );
    let mut verdict = Verdict {
        false_suspicions: 0,
        wrongly_suspected_ms: 0,
        detection_ms: None,
    };
    for pair in arrivals.windows(2) {
        let (arrived, next) = (pair[0], pair[1]);
        detector.heartbeat(arrived);
        let mut suspected = false;
        let mut now = arrived + check_every_ms;
        while now < next {
            if detector.suspect(now) {
                if !suspected {
                    verdict.false_suspicions += 1;
                }
                verdict.wrongly_suspected_ms += check_every_ms;
                suspected = true;
            } else {
                suspected = false;
            }
            now += check_every_ms;
        }
    }
    let crash = *arrivals.last().expect("checked non-empty above");
    detector.heartbeat(crash);
    let mut now = crash + check_every_ms;
    while now <= crash + GIVE_UP_AFTER_MS {
        if detector.suspect(now) {
            verdict.detection_ms = Some(now - crash);
            break;
        }
        now += check_every_ms;
    }
    verdict
}

/// A network path carrying heartbeats, with the two kinds of lateness real links have.
///
/// Every gap between heartbeats is `interval_ms`, plus or minus up to `jitter_ms` (queueing noise),
/// and in `stall_percent` of the gaps `stall_ms` more (a GC pause on the sender, a retransmit, a
/// noisy neighbour). Stalls are what fixed timeouts trip on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitteryLink {
    /// How often the peer sends a heartbeat.
    pub interval_ms: u64,
    /// Largest deviation either way from `interval_ms` on an ordinary gap (at most `interval_ms`).
    pub jitter_ms: u64,
    /// Percentage of gaps that also stall.
    pub stall_percent: u64,
    /// Extra delay of a stalled gap.
    pub stall_ms: u64,
}

impl JitteryLink {
    /// Arrival times of `count` heartbeats, the first one `interval_ms` after time 0. The same
    /// `seed` gives the same stream on every machine.
    pub fn arrivals(&self, seed: u64, count: usize) -> Vec<u64> {
        let mut rng = SplitMix64::new(seed);
        let jitter = self.jitter_ms.min(self.interval_ms);
        let mut now = 0;
        let mut arrivals = Vec::with_capacity(count);
        for _ in 0..count {
            let mut gap = self.interval_ms - jitter + rng.below(2 * jitter + 1);
            if rng.chance(self.stall_percent) {
                gap += self.stall_ms;
            }
            now += gap;
            arrivals.push(now);
        }
        arrivals
    }
}

/// The gaps between consecutive heartbeats of a stream: what a detector actually learns from.
pub fn inter_arrival_times(arrivals: &[u64]) -> Vec<u64> {
    arrivals.windows(2).map(|pair| pair[1] - pair[0]).collect()
}

/// The `percent`-th percentile of `samples` (nearest rank): for instance `percentile(gaps, 99.0)`
/// is the gap only 1% of heartbeats exceed, the least a fixed timeout must be to keep false
/// suspicions near 1%. Returns 0 for no samples.
pub fn percentile(samples: &[u64], percent: f64) -> u64 {
    if samples.is_empty() {
        return 0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALM: JitteryLink = JitteryLink {
        interval_ms: 100,
        jitter_ms: 5,
        stall_percent: 0,
        stall_ms: 0,
    };

    #[test]
    fn arrivals_are_reproducible_and_within_the_jitter() {
        let stream = CALM.arrivals(1, 200);
        assert_eq!(stream, CALM.arrivals(1, 200));
        assert_ne!(stream, CALM.arrivals(2, 200));
        assert!(inter_arrival_times(&stream)
            .iter()
            .all(|gap| (95..=105).contains(gap)));
    }

    #[test]
    fn stalls_happen_at_roughly_the_given_rate() {
        let link = JitteryLink {
            stall_percent: 10,
            stall_ms: 1000,
            ..CALM
        };
        let stalls = inter_arrival_times(&link.arrivals(3, 2001))
            .iter()
            .filter(|gap| **gap > 500)
            .count();
        assert!(
            (150..=250).contains(&stalls),
            "{stalls} stalls in 2000 gaps"
        );
    }

    #[test]
    fn percentile_uses_nearest_rank() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 99.0), 99);
        assert_eq!(percentile(&samples, 50.0), 50);
        assert_eq!(percentile(&samples, 100.0), 100);
        assert_eq!(percentile(&samples, 0.0), 1);
        assert_eq!(percentile(&[], 99.0), 0);
    }

    #[test]
    fn replay_counts_a_suspicion_episode_once() {
        let mut detector = FixedTimeout::new(150);
        // One 200 ms gap: suspected at the checks 260, 270, 280 and 290, one episode.
        let verdict = replay(&mut detector, &[0, 100, 300, 340], 10);
        assert_eq!(verdict.false_suspicions, 1);
        assert_eq!(verdict.wrongly_suspected_ms, 40);
        assert_eq!(verdict.detection_ms, Some(160));
    }
}

//! The φ accrual failure detector (Hayashibara et al., SRDS 2004).

use super::{FailureDetector, InterArrivalWindow};

/// Reports suspicion as a number, φ, instead of a yes/no, and suspects once φ passes a threshold.
///
/// φ answers: "if the peer were alive, how unlikely would a silence this long be?" on a log10
/// scale. With the gaps' mean μ and standard deviation σ learned from an [`InterArrivalWindow`],
/// and the gaps modelled as normal, φ(t) = −log10(P(gap > t)). φ = 1 means a live peer is this late
/// one time in 10; φ = 8 (Cassandra's and Akka's default threshold) one time in 10^8.
///
/// Why is this better than a timeout? The threshold is a statement about *confidence*, and the
/// timeout it implies in milliseconds moves with the network: short on a calm link (fast
/// detection), long on a jittery one (few false positives). It does not escape the trilemma: on a
/// jittery link it detects a real crash later, and a gap the normal model calls impossible (a stall
/// far outside what the window has seen) still fools it. [`FailureDetector::detection_bound_ms`]
/// says how long a crash would take to detect right now.
#[derive(Debug, Clone)]
pub struct PhiAccrual {
    threshold: f64,
    min_std_dev_ms: f64,
    window: InterArrivalWindow,
    last_heartbeat_ms: Option<u64>,
}

impl PhiAccrual {
    /// Cassandra's and Akka's default threshold.
    pub const DEFAULT_THRESHOLD: f64 = 8.0;

    /// Cassandra's and Akka's default window: the last 1000 gaps.
    pub const DEFAULT_WINDOW: usize = 1000;

    /// A detector suspecting at φ ≥ `threshold`, learning from the last `window` gaps, for a peer
    /// expected to send a heartbeat about every `expected_interval_ms`.
    ///
    /// Why the expected interval? Before the second heartbeat there is no gap to learn from. Like
    /// Akka, the window starts with two gaps of `expected ± expected/4`, which the real gaps push
    /// out as they arrive. The standard deviation is floored at a tenth of the expected interval,
    /// so a perfectly regular stream (σ = 0) does not turn one millisecond of lateness into a
    /// certainty of death.
    pub fn new(threshold: f64, window: usize, expected_interval_ms: u64) -> Self {
        let mut samples = InterArrivalWindow::new(window.max(2));
        let quarter = expected_interval_ms / 4;
        samples.push(expected_interval_ms - quarter);
        samples.push(expected_interval_ms + quarter);
        Self {
            threshold,
            min_std_dev_ms: (expected_interval_ms as f64 / 10.0).max(1.0),
            window: samples,
            last_heartbeat_ms: None,
        }
    }

    /// The suspicion threshold φ is compared against.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The learned gaps.
    pub fn window(&self) -> &InterArrivalWindow {
        &self.window
    }

    /// φ at `now_ms`: 0 before the first heartbeat, then rising with every millisecond of silence
    /// (never falling until the next heartbeat).
    pub fn phi(&self, now_ms: u64) -> f64 {
        match self.last_heartbeat_ms {
            Some(last) => self.phi_after_silence(now_ms.saturating_sub(last)),
            None => 0.0,
        }
    }

    /// φ for a silence of `silence_ms` given the current window.
    ///
    /// The normal tail is computed with the logistic approximation Akka uses,
    /// P(gap > t) ≈ 1 / (1 + e^(y(1.5976 + 0.070566y²))) with y = (t − μ)/σ, which needs no `erf`
    /// and is within 0.0002 of the exact value.
    fn phi_after_silence(&self, silence_ms: u64) -> f64 {
        let mean = self.window.mean();
        let std_dev = self.window.std_dev().max(self.min_std_dev_ms);
        let y = (silence_ms as f64 - mean) / std_dev;
        let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
        if silence_ms as f64 > mean {
            -(e / (1.0 + e)).log10()
        } else {
            -(1.0 - 1.0 / (1.0 + e)).log10()
        }
    }
}

impl FailureDetector for PhiAccrual {
    fn heartbeat(&mut self, now_ms: u64) {
        if let Some(last) = self.last_heartbeat_ms {
            self.window.push(now_ms.saturating_sub(last));
        }
        self.last_heartbeat_ms = Some(now_ms);
    }

    fn suspect(&self, now_ms: u64) -> bool {
        self.phi(now_ms) >= self.threshold
    }

    /// The shortest silence at which φ reaches the threshold, found by bisection (φ only rises with
    /// silence, so the first crossing is the only one).
    fn detection_bound_ms(&self) -> u64 {
        let reaches = |silence: u64| self.phi_after_silence(silence) >= self.threshold;
        let mut high = 1;
        while !reaches(high) {
            high *= 2;
        }
        let mut low = 0;
        while low + 1 < high {
            let middle = low + (high - low) / 2;
            if reaches(middle) {
                high = middle;
            } else {
                low = middle;
            }
        }
        if reaches(low) {
            low
        } else {
            high
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(detector: &mut PhiAccrual, every_ms: u64, count: u64) -> u64 {
        for i in 1..=count {
            detector.heartbeat(i * every_ms);
        }
        count * every_ms
    }

    #[test]
    fn phi_is_zero_before_any_heartbeat() {
        let detector = PhiAccrual::new(8.0, 100, 1000);
        assert_eq!(detector.phi(1_000_000), 0.0);
        assert!(!detector.suspect(1_000_000));
    }

    #[test]
    fn phi_is_small_on_time_and_large_when_very_late() {
        let mut detector = PhiAccrual::new(8.0, 100, 1000);
        let last = steady(&mut detector, 1000, 50);
        assert!(detector.phi(last + 1000) < 1.0);
        assert!(detector.phi(last + 3000) > 8.0);
    }

    #[test]
    fn phi_at_the_mean_is_log10_of_two() {
        let mut detector = PhiAccrual::new(8.0, 100, 1000);
        let last = steady(&mut detector, 1000, 200);
        let at_mean = detector.phi(last + detector.window().mean() as u64);
        assert!((at_mean - 2f64.log10()).abs() < 0.01, "φ(μ) = {at_mean}");
    }

    #[test]
    fn detection_bound_is_where_phi_crosses_the_threshold() {
        let mut detector = PhiAccrual::new(8.0, 100, 100);
        let last = steady(&mut detector, 100, 100);
        let bound = detector.detection_bound_ms();
        assert!(!detector.suspect(last + bound - 1));
        assert!(detector.suspect(last + bound));
    }

    #[test]
    fn the_bound_follows_the_network() {
        let mut calm = PhiAccrual::new(8.0, 100, 100);
        let mut noisy = PhiAccrual::new(8.0, 100, 100);
        for i in 1..=100u64 {
            calm.heartbeat(i * 100);
            noisy.heartbeat(i * 100 + if i % 2 == 0 { 40 } else { 0 });
        }
        assert!(noisy.detection_bound_ms() > calm.detection_bound_ms() + 100);
    }
}

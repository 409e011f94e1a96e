//! The φ accrual failure detector (Hayashibara et al., SRDS 2004), in the two shapes production
//! systems ship: Akka's normal model with an acceptable pause, and Cassandra's exponential model.

use super::{FailureDetector, InterArrivalWindow};

/// What a [`PhiAccrual`] assumes about the gaps between heartbeats.
///
/// Why does this matter to an operator? φ = −log10(P(a live peer is this late)), and the
/// probability comes from the model. The same threshold therefore means different silences under
/// different models: "φ ≥ 8" does not transfer between Cassandra and Akka.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// Gaps are normal with the window's mean μ and standard deviation σ (Akka, and the paper).
    /// `acceptable_pause_ms` is added to the mean before comparing, as Akka's
    /// `acceptable-heartbeat-pause` does: a pause shorter than that is not an anomaly, however
    /// rare the window says it is. This is the fix for bimodal gaps (a steady stream with an
    /// occasional GC stall), which a normal curve calls nearly impossible.
    Normal {
        /// Silence tolerated on top of the mean gap before φ starts to climb steeply.
        acceptable_pause_ms: u64,
    },
    /// Gaps are exponential with the window's mean μ, so P(gap > t) = e^(−t/μ) and
    /// φ = t / (μ · ln 10) (Cassandra's `FailureDetector`, which scales by `PHI_FACTOR = 1/ln 10`).
    /// φ grows linearly with silence: φ = 8 is a silence of 8 · ln 10 ≈ 18.4 mean intervals,
    /// whatever the jitter. The standard deviation plays no part.
    Exponential,
}

/// Reports suspicion as a number, φ, instead of a yes/no, and suspects once φ passes a threshold.
///
/// φ answers: "if the peer were alive, how unlikely would a silence this long be?" on a log10
/// scale, with the probability taken from a [`Model`] fitted to an [`InterArrivalWindow`] of
/// recent gaps. Under the model, φ = 1 means a live peer is this late one time in 10 and φ = 8 one
/// time in 10^8; whether real gaps follow the model is another matter, and the reason the same
/// threshold behaves differently in Akka and Cassandra.
///
/// Why is this better than a timeout? The threshold is a statement about *confidence*, and the
/// timeout it implies in milliseconds moves with the network: short on a calm link (fast
/// detection), long on a jittery one (few false positives). It does not escape the trilemma: on a
/// jittery link it detects a real crash later, and a gap the model calls impossible (a stall far
/// outside what the window has seen) still fools it unless an acceptable pause covers it.
/// [`FailureDetector::detection_bound_ms`] says how long a crash would take to detect right now.
#[derive(Debug, Clone)]
pub struct PhiAccrual {
    threshold: f64,
    /// How many standard deviations past the mean the normal model's φ reaches the threshold:
    /// φ depends on the silence only through y = (t − μ − pause)/σ, so this is found once.
    threshold_y: f64,
    model: Model,
    min_std_dev_ms: f64,
    window: InterArrivalWindow,
    last_heartbeat_ms: Option<u64>,
}

impl PhiAccrual {
    /// Cassandra's and Akka's default threshold (the same number, not the same silence: see
    /// [`Model`]).
    pub const DEFAULT_THRESHOLD: f64 = 8.0;

    /// Cassandra's and Akka's default window: the last 1000 gaps.
    pub const DEFAULT_WINDOW: usize = 1000;

    /// A normal-model detector with no acceptable pause: the paper's detector, and Akka's with
    /// `acceptable-heartbeat-pause = 0`. Suspects at φ ≥ `threshold`, learns from the last `window`
    /// gaps, for a peer expected to send a heartbeat about every `expected_interval_ms`.
    ///
    /// Why the expected interval? Before the second heartbeat there is no gap to learn from. Like
    /// Akka, the window starts with two gaps of `expected ± expected/4`, which the real gaps push
    /// out as they arrive. The standard deviation is floored at a tenth of the expected interval,
    /// so a perfectly regular stream (σ = 0) does not turn one millisecond of lateness into a
    /// certainty of death.
    pub fn new(threshold: f64, window: usize, expected_interval_ms: u64) -> Self {
        Self::with_model(
            threshold,
            window,
            expected_interval_ms,
            Model::Normal {
                acceptable_pause_ms: 0,
            },
        )
    }

    /// Akka's detector: the normal model with `acceptable_pause_ms` added to the mean gap. Akka
    /// Cluster's defaults are a 1 s heartbeat and a 3 s acceptable pause.
    pub fn akka(
        threshold: f64,
        window: usize,
        expected_interval_ms: u64,
        acceptable_pause_ms: u64,
    ) -> Self {
        Self::with_model(
            threshold,
            window,
            expected_interval_ms,
            Model::Normal {
                acceptable_pause_ms,
            },
        )
    }

    /// Cassandra's detector: the exponential model, φ = t / (μ · ln 10). Cassandra seeds its
    /// window with one gap of twice the gossip interval and ignores gaps longer than that; this
    /// one seeds like [`PhiAccrual::new`] and keeps every gap, so the two differ only in the model.
    pub fn cassandra(threshold: f64, window: usize, expected_interval_ms: u64) -> Self {
        Self::with_model(threshold, window, expected_interval_ms, Model::Exponential)
    }

    /// A detector with any [`Model`]; the other constructors name the common ones.
    pub fn with_model(
        threshold: f64,
        window: usize,
        expected_interval_ms: u64,
        model: Model,
    ) -> Self {
        let mut samples = InterArrivalWindow::new(window.max(2));
        let quarter = expected_interval_ms / 4;
        samples.push(expected_interval_ms - quarter);
        samples.push(expected_interval_ms + quarter);
        Self {
            threshold,
            threshold_y: normal_crossing(threshold),
            model,
            min_std_dev_ms: (expected_interval_ms as f64 / 10.0).max(1.0),
            window: samples,
            last_heartbeat_ms: None,
        }
    }

    /// The suspicion threshold φ is compared against.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The model φ is computed from.
    pub fn model(&self) -> Model {
        self.model
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
    pub fn phi_after_silence(&self, silence_ms: u64) -> f64 {
        let mean = self.window.mean().max(1.0);
        let silence = silence_ms as f64;
        match self.model {
            Model::Exponential => silence / (mean * std::f64::consts::LN_10),
            Model::Normal {
                acceptable_pause_ms,
            } => {
                let std_dev = self.window.std_dev().max(self.min_std_dev_ms);
                let y = (silence - mean - acceptable_pause_ms as f64) / std_dev;
                phi_normal(y)
            }
        }
    }
}

/// φ for a silence `y` standard deviations past the mean of a normal distribution:
/// −log10(P(Z > y)) = −log10(erfc(y/√2) / 2).
///
/// Why not Akka's logistic approximation, 1 / (1 + e^(y(1.5976 + 0.070566y²)))? It is within
/// 2·10⁻⁴ of the normal tail in absolute terms, which is nothing at y = 1 and everything at y = 5,
/// where the tail itself is 3·10⁻⁷ and thresholds live: the approximation's φ = 8 is the exact
/// φ ≈ 7.06. Here the tail comes from [`ln_erfc`], whose *relative* error is bounded, so φ is
/// right to about 10⁻⁷ at every y.
pub fn phi_normal(y: f64) -> f64 {
    let ln_tail = ln_erfc(y / std::f64::consts::SQRT_2) - std::f64::consts::LN_2;
    -ln_tail / std::f64::consts::LN_10
}

/// The natural logarithm of the complementary error function, ln(erfc(x)).
///
/// For x ≥ 0 this is the Chebyshev fit from *Numerical Recipes* (`erfcc`), whose relative error is
/// below 1.2·10⁻⁷ for every x, evaluated in log space so that a silence of 40 σ gives φ ≈ 350
/// instead of ln(0) (erfc itself underflows past x ≈ 26). For x < 0, erfc(x) = 2 − erfc(−x),
/// which is between 1 and 2, so nothing is lost there.
pub fn ln_erfc(x: f64) -> f64 {
    if x < 0.0 {
        return (2.0 - ln_erfc(-x).exp()).ln();
    }
    let t = 1.0 / (1.0 + 0.5 * x);
    let polynomial = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    t.ln() - x * x + polynomial
}

impl FailureDetector for PhiAccrual {
    fn heartbeat(&mut self, now_ms: u64) {
        if let Some(last) = self.last_heartbeat_ms {
            self.window.push(now_ms.saturating_sub(last));
        }
        self.last_heartbeat_ms = Some(now_ms);
    }

    /// φ ≥ threshold, decided without a logarithm: φ only rises with silence, so the peer is
    /// suspected exactly when the silence has reached [`FailureDetector::detection_bound_ms`].
    /// A monitor asks this every few milliseconds; the bound changes only on a heartbeat.
    fn suspect(&self, now_ms: u64) -> bool {
        match self.last_heartbeat_ms {
            Some(last) => now_ms.saturating_sub(last) >= self.detection_bound_ms(),
            None => false,
        }
    }

    /// The shortest whole-millisecond silence at which φ reaches the threshold, in closed form:
    /// t = μ + pause + y*·σ for the normal model (y* is where the normal tail's φ equals the
    /// threshold), t = threshold · μ · ln 10 for the exponential one.
    fn detection_bound_ms(&self) -> u64 {
        let mean = self.window.mean().max(1.0);
        let silence = match self.model {
            Model::Exponential => self.threshold * mean * std::f64::consts::LN_10,
            Model::Normal {
                acceptable_pause_ms,
            } => {
                let std_dev = self.window.std_dev().max(self.min_std_dev_ms);
                mean + acceptable_pause_ms as f64 + self.threshold_y * std_dev
            }
        };
        silence.max(0.0).ceil() as u64
    }
}

/// The y at which [`phi_normal`] equals `threshold`, by bisection (φ rises with y).
fn normal_crossing(threshold: f64) -> f64 {
    let (mut low, mut high) = (-40.0, 40.0);
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if phi_normal(middle) < threshold {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
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

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() < tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    /// Normal tail probabilities from tables (Abramowitz and Stegun 26.2), as φ.
    #[test]
    fn phi_normal_matches_the_normal_tail() {
        close(phi_normal(0.0), 2f64.log10(), 1e-6); // P = 0.5
        close(phi_normal(1.0), -(0.158_655_25_f64).log10(), 1e-6);
        close(phi_normal(3.0), -(1.349_898e-3_f64).log10(), 1e-6);
        close(phi_normal(5.0), -(2.866_516e-7_f64).log10(), 1e-6);
        close(phi_normal(-2.0), -(0.977_249_87_f64).log10(), 1e-6);
    }

    /// The threshold that matters: φ = 8 is a tail of 10⁻⁸, 5.612 σ past the mean; φ = 16 is
    /// 8.222 σ.
    #[test]
    fn phi_8_and_16_sit_where_the_normal_tail_says() {
        close(phi_normal(5.612), 8.0, 0.001);
        close(phi_normal(8.222), 16.0, 0.002);
    }

    /// Akka's logistic approximation, kept here only to pin how far off it is where thresholds
    /// live: where it says φ = 8 the exact φ is about 7.06, where it says 16 about 12.3.
    #[test]
    fn the_logistic_approximation_overstates_phi_in_the_tail() {
        let logistic = |y: f64| {
            let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
            -(e / (1.0 + e)).log10()
        };
        let crossing = |target: f64| {
            let (mut low, mut high) = (0.0, 20.0);
            for _ in 0..100 {
                let middle = (low + high) / 2.0;
                if logistic(middle) < target {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            low
        };
        close(phi_normal(crossing(8.0)), 7.06, 0.01);
        close(phi_normal(crossing(16.0)), 12.3, 0.05);
    }

    #[test]
    fn phi_stays_finite_far_into_the_tail() {
        let far = phi_normal(40.0);
        assert!(far.is_finite() && far > 340.0 && far < 350.0, "{far}");
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
        close(at_mean, 2f64.log10(), 0.001);
    }

    /// Cassandra's φ = 8 is a silence of 8 · ln 10 ≈ 18.42 mean gaps: 1,842 ms at 100 ms, about
    /// 18 s on its 1 s gossip.
    #[test]
    fn cassandra_phi_is_linear_in_silence() {
        let mut detector = PhiAccrual::cassandra(8.0, 100, 100);
        steady(&mut detector, 100, 200);
        close(
            detector.phi_after_silence(100),
            1.0 / std::f64::consts::LN_10,
            1e-9,
        );
        assert_eq!(detector.detection_bound_ms(), 1843);

        let mut gossip = PhiAccrual::cassandra(8.0, 100, 1000);
        steady(&mut gossip, 1000, 200);
        assert_eq!(gossip.detection_bound_ms(), 18_421);
    }

    /// The same threshold, two models, a steady 100 ms stream: the normal model (σ floored at
    /// 10 ms) suspects after 157 ms, the exponential after 1,843 ms. Thresholds do not transfer.
    #[test]
    fn the_same_threshold_means_different_silences() {
        let mut normal = PhiAccrual::new(8.0, 100, 100);
        let mut exponential = PhiAccrual::cassandra(8.0, 100, 100);
        steady(&mut normal, 100, 200);
        steady(&mut exponential, 100, 200);
        assert_eq!(normal.detection_bound_ms(), 157);
        assert_eq!(exponential.detection_bound_ms(), 1843);
    }

    /// Akka's acceptable pause shifts the whole curve right by the pause.
    #[test]
    fn an_acceptable_pause_moves_the_bound_by_the_pause() {
        let mut plain = PhiAccrual::new(8.0, 100, 100);
        let mut akka = PhiAccrual::akka(8.0, 100, 100, 300);
        steady(&mut plain, 100, 200);
        steady(&mut akka, 100, 200);
        assert_eq!(akka.detection_bound_ms(), plain.detection_bound_ms() + 300);
    }

    #[test]
    fn detection_bound_is_where_phi_crosses_the_threshold() {
        for mut detector in [
            PhiAccrual::new(8.0, 100, 100),
            PhiAccrual::cassandra(8.0, 100, 100),
            PhiAccrual::akka(8.0, 100, 100, 200),
        ] {
            let last = steady(&mut detector, 100, 100);
            let bound = detector.detection_bound_ms();
            assert!(!detector.suspect(last + bound - 1));
            assert!(detector.suspect(last + bound));
        }
    }

    /// The closed-form bound `suspect` uses agrees with φ itself at every millisecond.
    #[test]
    fn suspect_is_phi_reaching_the_threshold() {
        for mut detector in [
            PhiAccrual::new(8.0, 100, 100),
            PhiAccrual::akka(12.0, 100, 100, 150),
            PhiAccrual::cassandra(8.0, 100, 100),
        ] {
            for i in 1..=100u64 {
                detector.heartbeat(i * 100 + (i * 37) % 23);
            }
            let last = 100 * 100 + (100 * 37) % 23;
            for silence in 0..3_000 {
                let phi = detector.phi(last + silence);
                if (phi - detector.threshold()).abs() > 1e-9 {
                    assert_eq!(
                        detector.suspect(last + silence),
                        phi >= detector.threshold()
                    );
                }
            }
        }
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

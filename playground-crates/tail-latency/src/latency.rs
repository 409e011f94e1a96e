//! Where a leaf's latency comes from.
//!
//! The tail is the point of the module, so every distribution here can have one. Real services
//! rarely look like a textbook exponential: most calls are fast and a few hit a garbage
//! collection, a compaction, a cold cache or a retransmit. [`Latency::Mixture`] is that shape (a
//! fast mode and a rare slow mode); [`Latency::Recorded`] replays samples you measured yourself.

use sim::SplitMix64;

/// A leaf server's latency distribution, in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    /// Always the same: useful to isolate one effect in a test.
    Fixed(f64),
    /// `min + Exp(mean_extra)`: a floor (network round trip, parsing) plus a memoryless part.
    Exponential {
        /// The floor, ms.
        min: f64,
        /// Mean of the exponential part, ms.
        mean_extra: f64,
    },
    /// Log-normal with the given median and shape `sigma`: a long right tail with no separate mode.
    LogNormal {
        /// Median, ms.
        median: f64,
        /// Shape; 0.5 is a mild tail, 1.0 a heavy one.
        sigma: f64,
    },
    /// A fast mode (`fast`) most of the time and, with probability `slow_fraction`, a slow mode
    /// (`slow`): the shape of a GC pause, a disk hiccup or a TCP retransmit timeout.
    Mixture {
        /// The usual case.
        fast: Box<Latency>,
        /// The rare case.
        slow: Box<Latency>,
        /// Probability of the slow mode, 0..=1.
        slow_fraction: f64,
    },
    /// Draws uniformly from samples you recorded (ms), so the math runs on your own data.
    Recorded(Vec<f64>),
}

impl Latency {
    /// The widget's and the chapter's default leaf: 10 ms ± a little, and with probability
    /// `slow_fraction` a slow call around `slow_ms`.
    ///
    /// The fast mode is `5 ms + Exp(5 ms)` (median about 8.5 ms); the slow mode is
    /// `slow_ms + Exp(slow_ms / 4)`, so it has a spread of its own.
    pub fn fast_with_slow_mode(slow_fraction: f64, slow_ms: f64) -> Latency {
        Latency::Mixture {
            fast: Box::new(Latency::Exponential {
                min: 5.0,
                mean_extra: 5.0,
            }),
            slow: Box::new(Latency::Exponential {
                min: slow_ms,
                mean_extra: slow_ms / 4.0,
            }),
            slow_fraction: slow_fraction.clamp(0.0, 1.0),
        }
    }

    /// One draw, in milliseconds.
    pub fn sample(&self, rng: &mut SplitMix64) -> f64 {
        match self {
            Latency::Fixed(ms) => *ms,
            Latency::Exponential { min, mean_extra } => min + rng.exponential(*mean_extra),
            Latency::LogNormal { median, sigma } => median * (sigma * rng.normal(0.0, 1.0)).exp(),
            Latency::Mixture {
                fast,
                slow,
                slow_fraction,
            } => {
                // Always one Bernoulli draw first, so changing the fraction keeps the stream aligned.
                if rng.bernoulli(*slow_fraction) {
                    slow.sample(rng)
                } else {
                    fast.sample(rng)
                }
            }
            Latency::Recorded(samples) => {
                if samples.is_empty() {
                    0.0
                } else {
                    samples[rng.index(samples.len())]
                }
            }
        }
    }

    /// Parses recorded samples, one number (ms) a line; blank lines and `#` comments are skipped.
    ///
    /// A bad line is an error naming the line and what to write, so a reader pasting their own
    /// data learns what went wrong.
    pub fn parse_recorded(text: &str) -> Result<Latency, String> {
        let mut samples = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.parse::<f64>() {
                Ok(ms) if ms.is_finite() && ms >= 0.0 => samples.push(ms),
                _ => {
                    return Err(format!(
                        "line {}: `{line}` is not a latency; write one non-negative number of milliseconds a line, e.g. `12.5`",
                        i + 1
                    ))
                }
            }
        }
        if samples.is_empty() {
            return Err("no samples: write one latency in milliseconds a line".into());
        }
        Ok(Latency::Recorded(samples))
    }
}

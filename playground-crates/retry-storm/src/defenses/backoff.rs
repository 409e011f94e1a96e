//! Exponential backoff with jitter: wait `base · 2^(n-1)` (capped) before the n-th retry, and
//! draw the actual wait uniformly below that ("full jitter", as in the AWS Architecture Blog's
//! "Exponential Backoff and Jitter").
//!
//! Failure mode: our clients are an *open* system (new users keep arriving whatever happens to
//! earlier ones, Bronson et al. 2021 §2). Backoff moves each retry later but does not remove it, so
//! during a storm every user request still sends `1 + retries` attempts; backoff alone leaves the
//! server metastable (see the test `backoff_alone_does_not_end_a_storm`). Backoff helps closed
//! systems, where a waiting client sends nothing else; open systems need a budget.

use std::time::Duration;

use crate::event::{micros, Micros};
use sim::rng::SplitMix64;

/// How much of the exponential delay is randomised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly `base · 2^(n-1)`: clients that failed together retry together.
    None,
    /// Uniform in `[0, base · 2^(n-1))`: spreads a synchronised burst of retries out in time.
    Full,
}

/// Tuning for the delay before each retry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// The delay ceiling before the first retry.
    pub base: Duration,
    /// The largest delay, however many retries came before.
    pub cap: Duration,
    /// Whether to randomise the delay.
    pub jitter: Jitter,
}

impl Default for Backoff {
    /// 100 ms doubling up to 2 s, full jitter: a common production default.
    fn default() -> Self {
        Self {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(2),
            jitter: Jitter::Full,
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32, rng: &mut SplitMix64) -> Micros {
        let doublings = retry.saturating_sub(1).min(30);
        let ceiling = micros(self.base)
            .saturating_mul(1 << doublings)
            .min(micros(self.cap));
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Full => (rng.next_f64() * ceiling as f64) as Micros,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_until_the_cap() {
        let backoff = Backoff {
            jitter: Jitter::None,
            ..Backoff::default()
        };
        let mut rng = SplitMix64::new(0);
        let delays: Vec<Micros> = (1..=6).map(|n| backoff.delay(n, &mut rng)).collect();
        assert_eq!(
            delays,
            vec![100_000, 200_000, 400_000, 800_000, 1_600_000, 2_000_000]
        );
    }

    #[test]
    fn full_jitter_stays_below_the_ceiling_and_spreads() {
        let backoff = Backoff::default();
        let mut rng = SplitMix64::new(3);
        let delays: Vec<Micros> = (0..1000).map(|_| backoff.delay(3, &mut rng)).collect();
        assert!(delays.iter().all(|&d| d < 400_000));
        let mean = delays.iter().sum::<Micros>() as f64 / delays.len() as f64;
        assert!((mean - 200_000.0).abs() < 20_000.0, "mean {mean}");
    }
}

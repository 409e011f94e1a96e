//! The simulation's only source of randomness: a seeded SplitMix64 generator.
//!
//! Why write one out instead of depending on `rand`? The playground links every snippet against
//! this crate's rlib, so each dependency costs every learner compile time; SplitMix64 is ten lines,
//! passes BigCrush, and is more than good enough to draw arrival gaps and service times. What a
//! simulator needs most is *determinism*: the same seed gives the same sequence of draws, so the
//! same scenario gives the same series (on one platform: `f64::ln` may differ in the last bit
//! between the native and the wasm maths library).

/// A seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Every random choice in a run goes through one of these, which is what makes a run reproducible
/// from its seed.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Starts the sequence at `seed`; two generators with the same seed draw the same numbers.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits; the other draws are built on this one.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)`, for jitter and probabilities.
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64's mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An exponentially distributed draw with the given mean: the gap between Poisson arrivals,
    /// and a service time with a realistic long tail.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.next_f64()).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn uniform_draws_stay_in_range_and_average_a_half() {
        let mut rng = SplitMix64::new(1);
        let n = 100_000;
        let mut sum = 0.0;
        for _ in 0..n {
            let x = rng.next_f64();
            assert!((0.0..1.0).contains(&x));
            sum += x;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.01);
    }

    #[test]
    fn exponential_draws_have_the_requested_mean() {
        let mut rng = SplitMix64::new(2);
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| rng.exponential(50.0)).sum::<f64>() / n as f64;
        assert!((mean - 50.0).abs() < 1.0, "mean was {mean}");
    }
}

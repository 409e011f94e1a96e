//! The kernel's only source of randomness: a seeded SplitMix64 generator, and the distributions
//! the modules draw from it.
//!
//! Why write one out instead of depending on `rand`? The playground links every snippet against
//! the companion crates' rlibs, so each dependency costs every learner compile time, and a
//! dependency upgrade could change the numbers the book quotes. SplitMix64 (Steele, Lea and Flood,
//! OOPSLA 2014) is ten lines, passes BigCrush, and is all a simulator needs. What a simulator needs
//! most is *determinism*: the same seed gives the same sequence of draws, so the same scenario
//! gives the same run. (One caveat: the draws that go through `f64::ln`, `cos` or `powf` may differ
//! in the last bit between the native and the wasm maths library.)
//!
//! Modules 1, 4 and 7 were written before this crate, each with its own copy of the generator.
//! Their helpers are kept here exactly as they were ([`SplitMix64::below`] and
//! [`SplitMix64::chance`] from Module 1, [`SplitMix64::next_f64`] and
//! [`SplitMix64::exponential`] from Modules 4 and 7, [`Zipf`] from Module 4), so every number
//! those pages print is unchanged.

mod zipf;

pub use zipf::Zipf;

use std::ops::Range;

/// A seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Every random choice in a run goes through one of these, which is what makes a run reproducible
/// from its seed. The state is one `u64` advanced by a constant; the output scrambles it.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Starts the sequence at `seed`: two generators with the same seed draw the same numbers.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits; every other draw is built on this one.
    pub fn next_u64(&mut self) -> u64 {
        // The golden-ratio increment visits every u64 once before repeating; the rest scrambles
        // it so that neighbouring states give unrelated outputs.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)`, for jitter and probabilities.
    pub fn next_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64's mantissa exactly, so the result is strictly below 1.0.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `0..bound` (`bound` > 0), by taking the remainder.
    ///
    /// The remainder is very slightly biased towards small numbers (by under one part in 10^15
    /// for the small bounds simulations use, far below anything a histogram could show); it is
    /// kept because Module 1's numbers are drawn this way.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0) has no possible answer");
        self.next_u64() % bound
    }

    /// An index in `0..len` (`len` > 0), by multiplying and keeping the high half.
    ///
    /// A different rule from [`below`](Self::below) (so a different number for the same draw):
    /// use it to pick an element of a slice.
    pub fn index(&mut self, len: usize) -> usize {
        assert!(len > 0, "index(0): there is no element to pick");
        ((u128::from(self.next_u64()) * len as u128) >> 64) as usize
    }

    /// A whole number drawn uniformly from `range` (which must not be empty), e.g. a jittered
    /// heartbeat gap `rng.range(90..111)`.
    pub fn range(&mut self, range: Range<u64>) -> u64 {
        assert!(
            range.start < range.end,
            "range({}..{}) is empty: the end is excluded, so write start..start+1 for one value",
            range.start,
            range.end
        );
        range.start + self.below(range.end - range.start)
    }

    /// A real number drawn uniformly from `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// True with probability `percent`/100: integer percentages read well in a scenario
    /// ("5% of heartbeats stall").
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// True with probability `p` (a Bernoulli trial): did this packet get lost?
    ///
    /// `p` of 0 is never true and 1 always true; both still consume one draw, so turning a
    /// fault on or off does not shift the rest of the run's random numbers.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// An exponentially distributed draw with the given mean: the gap between Poisson arrivals,
    /// and a service time or network delay with a realistic long tail.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        // Inverse transform; `1 - u` is in (0, 1], so the logarithm is finite.
        -mean * (1.0 - self.next_f64()).ln()
    }

    /// A normally distributed draw (the bell curve) with the given mean and standard deviation:
    /// clock drift across a fleet, or jitter around a typical delay.
    ///
    /// Box–Muller transform, using two uniform draws and returning one result (the second one it
    /// could give is dropped, so each call consumes exactly two draws).
    pub fn normal(&mut self, mean: f64, std_dev: f64) -> f64 {
        let u1 = 1.0 - self.next_f64(); // in (0, 1]: ln is finite
        let u2 = self.next_f64();
        let standard = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        mean + std_dev * standard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_different_seed_different_sequence() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SplitMix64::new(1).next_u64(), SplitMix64::new(2).next_u64());
    }

    #[test]
    fn the_stream_is_splitmix64() {
        // The first outputs for seed 0 published with the reference implementation
        // (Vigna's splitmix64.c), so this generator is the real SplitMix64, not a look-alike.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
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
    fn below_and_index_are_different_rules_over_the_same_draw() {
        let draw = SplitMix64::new(5).next_u64();
        assert_eq!(SplitMix64::new(5).below(10), draw % 10);
        assert_eq!(
            SplitMix64::new(5).index(10),
            ((u128::from(draw) * 10) >> 64) as usize
        );
    }

    #[test]
    fn exponential_and_normal_have_the_requested_moments() {
        let mut rng = SplitMix64::new(2);
        let n = 200_000;
        let mean: f64 = (0..n).map(|_| rng.exponential(50.0)).sum::<f64>() / n as f64;
        assert!((mean - 50.0).abs() < 1.0, "exponential mean was {mean}");

        let draws: Vec<f64> = (0..n).map(|_| rng.normal(10.0, 2.0)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 10.0).abs() < 0.05, "normal mean was {mean}");
        assert!(
            (variance.sqrt() - 2.0).abs() < 0.05,
            "std dev was {}",
            variance.sqrt()
        );
    }

    #[test]
    fn chance_and_bernoulli_hit_their_rates() {
        let mut rng = SplitMix64::new(3);
        let n = 100_000;
        let hits = (0..n).filter(|_| rng.chance(5)).count();
        assert!((4_700..5_300).contains(&hits), "chance(5): {hits}");
        let hits = (0..n).filter(|_| rng.bernoulli(0.25)).count();
        assert!((24_500..25_500).contains(&hits), "bernoulli(0.25): {hits}");
        assert!((0..1000).all(|_| !rng.bernoulli(0.0) && rng.bernoulli(1.0)));
    }
}

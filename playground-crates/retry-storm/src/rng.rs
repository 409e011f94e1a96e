//! The simulation's only source of randomness: a seeded SplitMix64 generator, from the course's
//! simulation kernel (`sim::rng`), where every module's simulations get theirs.
//!
//! Why not `rand`? The playground links every snippet against this crate's rlib, so each
//! dependency costs every learner compile time; SplitMix64 is ten lines, passes BigCrush, and is
//! more than good enough to draw arrival gaps ([`SplitMix64::exponential`]) and jitter
//! ([`SplitMix64::next_f64`]). What a simulator needs most is *determinism*: the same seed gives
//! the same sequence of draws, so the same scenario gives the same series (on one platform:
//! `f64::ln` may differ in the last bit between the native and the wasm maths library).

pub use sim::rng::SplitMix64;

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

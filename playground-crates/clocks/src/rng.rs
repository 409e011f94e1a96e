//! A seeded pseudo-random generator for the jittery networks in examples and tests: SplitMix64
//! from the course's simulation kernel (`sim::rng`), where every module's simulations get theirs.
//!
//! Why not the `rand` crate? The playground links every reader's snippet against this crate's rlib,
//! and each dependency is one more thing to build, version and keep in step with rustc. We need a
//! few thousand reproducible numbers, not cryptographic quality, and SplitMix64 (Steele, Lea and
//! Flood, OOPSLA 2014) does that in five lines. Same seed, same numbers, on every machine. The
//! failure detectors' links draw with [`SplitMix64::below`] (a remainder) and
//! [`SplitMix64::chance`] (a whole percent).

pub use sim::rng::SplitMix64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn different_seeds_differ() {
        assert_ne!(SplitMix64::new(1).next_u64(), SplitMix64::new(2).next_u64());
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [false; 10];
        for _ in 0..1000 {
            let n = rng.below(10);
            assert!(n < 10);
            seen[n as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}

//! Seeded key workloads: which keys exist, and how often each one is asked for.
//!
//! Real traffic is not uniform. Popularity usually follows a Zipf law: the key of rank `r` gets a
//! share proportional to `1 / r^s`. With `s` near 1 (typical of caches and social feeds), the top
//! key of 10,000 gets about 10% of all requests, and no partitioning scheme can spread one key
//! over two nodes. The skew you measure depends as much on this as on the scheme.

pub use sim::rng::SplitMix64;
use sim::rng::Zipf;

/// How requests are spread over the keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Every key equally likely: the assumption behind "hashing spreads the load".
    Uniform,
    /// The key of rank `r` (1 for the hottest) is asked for in proportion to `1 / r^exponent`.
    /// `exponent` 0 is uniform; about 1 is typical; 1.2 and above makes one key dominate.
    Zipf {
        /// The `s` in `1 / r^s`.
        exponent: f64,
    },
}

/// A set of keys and how popular each one is.
///
/// Keys are named `key-000000`, `key-000001`, ...; under [`Distribution::Zipf`] the key at index
/// `i` has rank `i + 1`, so `key-000000` is the hottest. The draws come from the simulation
/// kernel's [`SplitMix64`] and [`Zipf`] (a uniform workload is a Zipf of exponent 0, where every
/// weight is exactly 1).
#[derive(Debug, Clone)]
pub struct Workload {
    keys: Vec<String>,
    distribution: Distribution,
    /// Each key's share of the requests; sampling is a binary search in its cumulative table.
    popularity: Zipf,
}

impl Workload {
    /// `key_count` keys whose popularity follows `distribution`.
    pub fn new(key_count: usize, distribution: Distribution) -> Self {
        let keys: Vec<String> = (0..key_count).map(key_name).collect();
        let exponent = match distribution {
            Distribution::Uniform => 0.0,
            Distribution::Zipf { exponent } => exponent,
        };
        Self {
            keys,
            distribution,
            popularity: Zipf::new(key_count, exponent),
        }
    }

    /// `key_count` equally popular keys.
    pub fn uniform(key_count: usize) -> Self {
        Self::new(key_count, Distribution::Uniform)
    }

    /// `key_count` keys with Zipfian popularity of the given exponent.
    pub fn zipf(key_count: usize, exponent: f64) -> Self {
        Self::new(key_count, Distribution::Zipf { exponent })
    }

    /// Every key, hottest first under Zipf.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The popularity rule this workload was built with.
    pub fn distribution(&self) -> Distribution {
        self.distribution
    }

    /// The share of all requests that key `index` gets, on average.
    pub fn share(&self, index: usize) -> f64 {
        self.popularity.share(index)
    }

    /// Draws one request: the index of the key asked for.
    pub fn pick(&self, rng: &mut SplitMix64) -> usize {
        self.popularity.sample(rng)
    }

    /// A stream of `count` requests (key names), the same for the same `seed`.
    pub fn requests(&self, count: usize, seed: u64) -> Vec<&str> {
        let mut rng = SplitMix64::new(seed);
        (0..count)
            .map(|_| self.keys[self.pick(&mut rng)].as_str())
            .collect()
    }

    /// How many of `count` requests each key gets (indexed like [`keys`](Self::keys)): the
    /// weights to pass to [`crate::weighted_load`].
    pub fn request_counts(&self, count: usize, seed: u64) -> Vec<u64> {
        let mut rng = SplitMix64::new(seed);
        let mut counts = vec![0u64; self.keys.len()];
        for _ in 0..count {
            counts[self.pick(&mut rng)] += 1;
        }
        counts
    }
}

/// The name of key `index`: zero-padded so that string order is numeric order, which range
/// partitioning relies on.
pub fn key_name(index: usize) -> String {
    format!("key-{index:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let workload = Workload::zipf(1_000, 1.0);
        assert_eq!(workload.requests(100, 7), workload.requests(100, 7));
        assert_ne!(workload.requests(100, 7), workload.requests(100, 8));
    }

    #[test]
    fn zipf_one_gives_the_top_key_about_a_tenth_of_ten_thousand_keys() {
        let workload = Workload::zipf(10_000, 1.0);
        // 1 / H(10,000) = 1 / 9.79 = 10.2%.
        assert!((workload.share(0) - 0.102).abs() < 0.001);
        let counts = workload.request_counts(100_000, 1);
        assert!((9_700..10_700).contains(&counts[0]), "{}", counts[0]);
    }

    #[test]
    fn uniform_spreads_requests_evenly() {
        let workload = Workload::uniform(10);
        let counts = workload.request_counts(100_000, 3);
        for count in counts {
            assert!((9_500..10_500).contains(&count), "{count}");
        }
    }

    #[test]
    fn below_stays_in_bounds() {
        let mut rng = SplitMix64::new(0);
        assert!((0..1_000).all(|_| rng.below(7) < 7));
    }
}

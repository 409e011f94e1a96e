//! Zipf popularity: the item of rank `r` is drawn in proportion to `1 / r^s`.
//!
//! Real traffic is not uniform: a few keys, videos or users get most of the requests. A Zipf law
//! with `s` near 1 is the usual model (caches, social feeds); with 10,000 items the top one then
//! gets about 10% of all draws. Module 4 measures partition skew under it; the replication and
//! tail-latency modules use it for hot keys.

use super::SplitMix64;

/// A Zipf distribution over `len` items, drawn by binary search in a cumulative table.
///
/// Item index `i` has rank `i + 1`, so index 0 is the most popular. An exponent of 0 makes every
/// item equally likely (each weight is exactly 1), which is how Module 4 builds its uniform
/// workload with the same code.
#[derive(Clone, Debug)]
pub struct Zipf {
    /// Running total of each item's share, ending at exactly 1.0.
    cumulative: Vec<f64>,
}

impl Zipf {
    /// `len` items whose popularity falls off as `1 / rank^exponent`.
    pub fn new(len: usize, exponent: f64) -> Self {
        let weights: Vec<f64> = (1..=len)
            .map(|rank| 1.0 / (rank as f64).powf(exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|weight| {
                running += weight / total;
                running
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0; // rounding must not leave a gap above the last item
        }
        Self { cumulative }
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    /// The share of all draws that item `index` gets, on average.
    pub fn share(&self, index: usize) -> f64 {
        let below = if index == 0 {
            0.0
        } else {
            self.cumulative[index - 1]
        };
        self.cumulative[index] - below
    }

    /// Draws one item: its index (0 for the most popular). Consumes one [`SplitMix64::next_f64`].
    pub fn sample(&self, rng: &mut SplitMix64) -> usize {
        assert!(!self.is_empty(), "a Zipf over no items has nothing to draw");
        let point = rng.next_f64();
        self.cumulative
            .partition_point(|&total| total <= point)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_one_over_ten_thousand_items_gives_the_top_one_a_tenth() {
        let zipf = Zipf::new(10_000, 1.0);
        // 1 / H(10,000) = 1 / 9.79 = 10.2%.
        assert!((zipf.share(0) - 0.102).abs() < 0.001);
        let mut rng = SplitMix64::new(1);
        let top = (0..100_000).filter(|_| zipf.sample(&mut rng) == 0).count();
        assert!((9_700..10_700).contains(&top), "{top}");
    }

    #[test]
    fn exponent_zero_is_uniform() {
        let zipf = Zipf::new(4, 0.0);
        for index in 0..4 {
            assert!((zipf.share(index) - 0.25).abs() < 1e-12);
        }
    }

    #[test]
    fn shares_fall_with_rank_and_sum_to_one() {
        let zipf = Zipf::new(100, 1.2);
        assert!((1..100).all(|i| zipf.share(i) < zipf.share(i - 1)));
        let total: f64 = (0..100).map(|i| zipf.share(i)).sum();
        assert!((total - 1.0).abs() < 1e-9);
    }
}

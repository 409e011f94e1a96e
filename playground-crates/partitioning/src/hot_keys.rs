//! Hot-key detection over a stream in bounded memory: the Space-Saving algorithm (Metwally,
//! Agrawal and El Abbadi, 2005).
//!
//! Why not count every key: a shard sees millions of distinct keys an hour, and a detector that
//! grows with them is itself the outage. Space-Saving keeps `k` counters, full stop. When a new
//! key arrives and the counters are full, it evicts the smallest counter and takes over its count
//! (remembering that much as possible overcount). Any key seen more than `N / k` times in a stream
//! of `N` is guaranteed to hold a counter, and no count is off by more than `N / k`.
//!
//! Why not a count-min sketch: it estimates the count of a key you ask about, but cannot tell you
//! which keys to ask about without a separate top-k heap, and its errors depend on hash
//! collisions. Space-Saving names the hot keys directly and its error bound is plain arithmetic.

use std::collections::HashMap;

/// A key the detector is tracking, with a count that may overestimate by at most `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeavyHitter {
    /// The key.
    pub key: String,
    /// Times seen, possibly overcounted by up to `error`.
    pub count: u64,
    /// The count this key inherited when it took over an evicted counter.
    pub error: u64,
}

impl HeavyHitter {
    /// Times the key was certainly seen: `count - error`. Decide "hot" on this, not on `count`,
    /// and you never act on a false positive.
    pub fn guaranteed(&self) -> u64 {
        self.count - self.error
    }
}

/// Space-Saving with a fixed number of counters.
#[derive(Debug, Clone)]
pub struct SpaceSaving {
    capacity: usize,
    counters: Vec<HeavyHitter>,
    /// Key to position in `counters`, so a tracked key is counted in O(1).
    position: HashMap<String, usize>,
    observed: u64,
}

impl SpaceSaving {
    /// A detector with `capacity` counters (at least one): memory never grows past that.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            counters: Vec::with_capacity(capacity),
            position: HashMap::with_capacity(capacity),
            observed: 0,
        }
    }

    /// Counts one request for `key`.
    pub fn observe(&mut self, key: &str) {
        self.observed += 1;
        if let Some(&slot) = self.position.get(key) {
            self.counters[slot].count += 1;
            return;
        }
        if self.counters.len() < self.capacity {
            self.position.insert(key.to_string(), self.counters.len());
            self.counters.push(HeavyHitter {
                key: key.to_string(),
                count: 1,
                error: 0,
            });
            return;
        }
        // Full: the newcomer replaces the smallest counter and inherits its count as error.
        // A linear scan keeps this readable; a real implementation keeps counters in buckets.
        let slot = (0..self.counters.len())
            .min_by_key(|&slot| self.counters[slot].count)
            .expect("capacity is at least one");
        let evicted = &mut self.counters[slot];
        self.position.remove(&evicted.key);
        evicted.key = key.to_string();
        evicted.error = evicted.count;
        evicted.count += 1;
        self.position.insert(key.to_string(), slot);
    }

    /// Requests counted so far (`N`).
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// Counters available (`k`).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most any count can be overestimated by: `N / k`.
    pub fn max_error(&self) -> u64 {
        self.observed / self.capacity as u64
    }

    /// The `n` tracked keys with the highest counts, highest first (ties by key, so output is
    /// stable).
    pub fn top(&self, n: usize) -> Vec<HeavyHitter> {
        let mut sorted = self.counters.clone();
        sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        sorted.truncate(n);
        sorted
    }

    /// Keys certainly responsible for at least `min_share` (for example 0.01 for 1%) of all
    /// requests seen: the alarm a shard raises before it melts.
    pub fn hot_keys(&self, min_share: f64) -> Vec<HeavyHitter> {
        let threshold = min_share * self.observed as f64;
        let mut hot = self.top(self.capacity);
        hot.retain(|hitter| hitter.guaranteed() as f64 >= threshold);
        hot
    }

    /// The (possibly overestimated) count of `key`, or `None` if it holds no counter.
    pub fn estimate(&self, key: &str) -> Option<u64> {
        self.position
            .get(key)
            .map(|&slot| self.counters[slot].count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workload;

    #[test]
    fn a_hundred_counters_find_the_exact_top_ten_of_a_zipf_stream() {
        let workload = Workload::zipf(100_000, 1.1);
        let stream = workload.requests(200_000, 42);
        let mut detector = SpaceSaving::new(100);
        let mut exact: HashMap<&str, u64> = HashMap::new();
        for &key in &stream {
            detector.observe(key);
            *exact.entry(key).or_default() += 1;
        }
        // The exact counter needed one entry per distinct key; the detector needed 100.
        assert!(exact.len() > 20_000, "{} distinct keys", exact.len());

        let mut exact_top: Vec<(&str, u64)> = exact.into_iter().collect();
        exact_top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let found: Vec<String> = detector.top(10).into_iter().map(|h| h.key).collect();
        let expected: Vec<String> = exact_top[..10].iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(found, expected);

        for hitter in detector.top(10) {
            let true_count = exact_top.iter().find(|(k, _)| *k == hitter.key).unwrap().1;
            assert!(hitter.guaranteed() <= true_count && true_count <= hitter.count);
            assert!(hitter.count - true_count <= detector.max_error());
        }
    }

    #[test]
    fn a_key_with_a_fifth_of_traffic_is_flagged_and_nothing_else_is() {
        let mut detector = SpaceSaving::new(20);
        for i in 0..10_000 {
            if i % 5 == 0 {
                detector.observe("celebrity");
            } else {
                detector.observe(&format!("fan-{i}"));
            }
        }
        let hot = detector.hot_keys(0.1);
        assert_eq!(hot.len(), 1);
        assert_eq!(hot[0].key, "celebrity");
        assert!(hot[0].guaranteed() >= 1_000);
    }

    #[test]
    fn memory_stays_at_capacity() {
        let mut detector = SpaceSaving::new(8);
        for i in 0..1_000 {
            detector.observe(&i.to_string());
        }
        assert_eq!(detector.top(usize::MAX).len(), 8);
        assert_eq!(detector.observed(), 1_000);
    }
}

//! The bounded memory a learning detector keeps of recent heartbeat gaps.

use std::collections::VecDeque;

/// The last `capacity` inter-arrival times, with their mean and standard deviation kept up to date
/// as samples come and go.
///
/// Why bounded? The network a detector watches changes (a deploy, a noisy neighbour, a new route),
/// and statistics over its whole life would adapt ever more slowly. A window forgets: Cassandra and
/// Akka keep 1000 samples. Why running sums? A monitor asks "is this peer dead?" far more often than
/// heartbeats arrive, so the answer must be O(1).
#[derive(Debug, Clone)]
pub struct InterArrivalWindow {
    capacity: usize,
    samples: VecDeque<u64>,
    sum: u128,
    sum_of_squares: u128,
}

impl InterArrivalWindow {
    /// An empty window that keeps at most `capacity` samples.
    ///
    /// # Panics
    /// If `capacity` is 0: a window that remembers nothing cannot learn.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a window must hold at least one sample");
        Self {
            capacity,
            samples: VecDeque::with_capacity(capacity),
            sum: 0,
            sum_of_squares: 0,
        }
    }

    /// Records one gap, forgetting the oldest if the window is full.
    pub fn push(&mut self, interval_ms: u64) {
        if self.samples.len() == self.capacity {
            let oldest = self
                .samples
                .pop_front()
                .expect("a full window is not empty");
            self.sum -= u128::from(oldest);
            self.sum_of_squares -= u128::from(oldest) * u128::from(oldest);
        }
        self.samples.push_back(interval_ms);
        self.sum += u128::from(interval_ms);
        self.sum_of_squares += u128::from(interval_ms) * u128::from(interval_ms);
    }

    /// How many samples the window holds now.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True before the first sample.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The most samples the window keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The mean gap in ms (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        self.sum as f64 / self.samples.len() as f64
    }

    /// The population standard deviation of the gaps in ms (0 when empty).
    pub fn std_dev(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let n = self.samples.len() as f64;
        let mean = self.mean();
        (self.sum_of_squares as f64 / n - mean * mean)
            .max(0.0)
            .sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_std_dev_of_known_samples() {
        let mut window = InterArrivalWindow::new(10);
        for gap in [2, 4, 4, 4, 5, 5, 7, 9] {
            window.push(gap);
        }
        assert_eq!(window.mean(), 5.0);
        assert_eq!(window.std_dev(), 2.0);
    }

    #[test]
    fn forgets_the_oldest_when_full() {
        let mut window = InterArrivalWindow::new(2);
        window.push(1000);
        window.push(10);
        window.push(20);
        assert_eq!(window.len(), 2);
        assert_eq!(window.mean(), 15.0);
        assert_eq!(window.capacity(), 2);
    }

    #[test]
    fn empty_window_reports_zeros() {
        let window = InterArrivalWindow::new(3);
        assert!(window.is_empty());
        assert_eq!(window.mean(), 0.0);
        assert_eq!(window.std_dev(), 0.0);
    }
}

//! Percentiles, computed from samples.
//!
//! Nearest-rank: the p-th percentile of n sorted samples is the sample at rank `ceil(p · n)`. It is
//! always a value that was actually observed, which matters when you quote it.
//!
//! Why this module insists on samples: a percentile cannot be averaged. The mean of ten hosts' p99s
//! is not the fleet's p99 (see the chapter's "When NOT to use it"); merge the samples (or
//! mergeable histograms) and take the percentile of the union.

/// Sorts a copy of the samples and reads percentiles from it.
#[derive(Clone, Debug)]
pub struct Summary {
    sorted: Vec<f64>,
}

impl Summary {
    /// Takes the samples (any order); NaNs sort last.
    pub fn new(mut samples: Vec<f64>) -> Summary {
        samples.sort_by(|a, b| a.total_cmp(b));
        Summary { sorted: samples }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The nearest-rank `q`-quantile, `q` in 0..=1 (0.99 is the p99). `NaN` when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        let n = self.sorted.len();
        let rank = (q.clamp(0.0, 1.0) * n as f64).ceil() as usize;
        self.sorted[rank.clamp(1, n) - 1]
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        self.quantile(0.50)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.quantile(0.99)
    }

    /// The 99.9th percentile.
    pub fn p999(&self) -> f64 {
        self.quantile(0.999)
    }

    /// The mean (a poor summary of a tail, given for comparison).
    pub fn mean(&self) -> f64 {
        self.sorted.iter().sum::<f64>() / self.sorted.len().max(1) as f64
    }

    /// The fraction of samples strictly above `ms`.
    pub fn fraction_above(&self, ms: f64) -> f64 {
        if self.sorted.is_empty() {
            return 0.0;
        }
        let at_or_below = self.sorted.partition_point(|&x| x <= ms);
        (self.sorted.len() - at_or_below) as f64 / self.sorted.len() as f64
    }
}

/// The mean of per-host percentiles: the number a dashboard shows when it averages a p99 metric
/// across hosts. Here only so a test can show how wrong it is.
pub fn average_of_percentiles(hosts: &[Summary], q: f64) -> f64 {
    hosts.iter().map(|h| h.quantile(q)).sum::<f64>() / hosts.len().max(1) as f64
}

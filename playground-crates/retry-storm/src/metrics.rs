//! What a run reports: one [`Step`] per time step, and the collapse [`Episode`]s a detector finds
//! in that series.
//!
//! Goodput (requests that got a useful answer) is the number that matters; throughput (requests
//! the server finished) is the number a dashboard usually shows. In a metastable failure the two
//! part ways: the server is busy, throughput is at capacity, and nearly all of it is wasted on
//! clients that already gave up.

use std::fmt::Write as _;

use crate::defenses::BreakerPhase;
use crate::event::Micros;

/// Everything measured during one time step. Rates are per second of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Start of the step, in seconds of simulated time.
    pub start: f64,
    /// End of the step, in seconds.
    pub end: f64,
    /// New user requests per second, both classes (retries not included).
    pub offered: f64,
    /// New user requests per second from the neighbour alone.
    pub neighbor_offered: f64,
    /// Attempts sent to the server per second, retries included.
    pub attempts: f64,
    /// Retries sent per second.
    pub retries: f64,
    /// User requests that succeeded per second, both classes.
    pub goodput: f64,
    /// User requests that succeeded per second, neighbour alone.
    pub neighbor_goodput: f64,
    /// Requests the server finished per second, useful or not.
    pub throughput: f64,
    /// Requests finished per second for a client that had already given up on them.
    pub wasted: f64,
    /// Attempts that timed out per second.
    pub timeouts: f64,
    /// User requests that ended in an error per second (what users see).
    pub errors: f64,
    /// Attempts rejected per second because the queue was full.
    pub rejected: f64,
    /// Attempts dropped per second by load shedding.
    pub shed: f64,
    /// Attempts dropped per second by deadline propagation.
    pub expired: f64,
    /// User requests failed fast per second by an open circuit breaker.
    pub fast_failed: f64,
    /// Requests waiting for a worker at the end of the step.
    pub queue_depth: usize,
    /// Workers serving a request at the end of the step.
    pub busy_workers: u32,
    /// Median latency of the step's successful user requests, in ms (`None` if none succeeded).
    pub p50_ms: Option<f64>,
    /// 99th percentile latency of the step's successful user requests, in ms.
    pub p99_ms: Option<f64>,
    /// Share of capacity the server had at the end of the step (below 1 during a dip).
    pub capacity_factor: f64,
    /// Multiplier on the main load at the end of the step (above 1 during a spike).
    pub load_factor: f64,
    /// Whether a trigger was in effect at any point of the step.
    pub triggered: bool,
    /// The circuit breaker's phase at the end of the step.
    pub breaker: BreakerPhase,
}

impl Step {
    /// Goodput as a share of offered load (1 when nothing was offered).
    pub fn goodput_ratio(&self) -> f64 {
        if self.offered > 0.0 {
            self.goodput / self.offered
        } else {
            1.0
        }
    }
}

/// Goodput as a share of offered load over a run of steps, weighted by each step's length and
/// never above 1. One short step's ratio is noise: a success counts in the step it finishes in,
/// for a request offered in an earlier one, so a healthy 250 ms step can read 90% and the next
/// 167%. Over a window of a couple of seconds the lag washes out; the cap keeps the last of it
/// from showing more served than offered.
pub fn goodput_share(steps: &[Step]) -> f64 {
    let length = |step: &Step| step.end - step.start;
    let offered: f64 = steps.iter().map(|step| step.offered * length(step)).sum();
    let goodput: f64 = steps.iter().map(|step| step.goodput * length(step)).sum();
    if offered > 0.0 {
        (goodput / offered).min(1.0)
    } else {
        1.0
    }
}

/// A period in which goodput stayed below the threshold after every trigger had ended: the
/// system was metastable (or simply overloaded, if offered load exceeded capacity).
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The tipping point: start of the first step of the low-goodput run, in seconds.
    pub tipped_at: f64,
    /// When the detector was sure (the run had outlasted the trigger by the confirm time).
    pub confirmed_at: f64,
    /// When the last trigger before confirmation ended, if there was one.
    pub trigger_ended_at: Option<f64>,
    /// Goodput / offered over the run, at confirmation.
    pub goodput_ratio: f64,
    /// When goodput came back above the threshold for good (the start of that healthy run).
    pub recovered_at: Option<f64>,
}

/// Finds collapse episodes in a series of steps, one step at a time (so a live widget can mark
/// the tipping point as soon as it is certain).
#[derive(Clone, Debug, Default)]
pub struct CollapseDetector {
    low_since: Option<f64>,
    low_goodput: f64,
    low_offered: f64,
    healthy_since: Option<f64>,
    episodes: Vec<Episode>,
}

impl CollapseDetector {
    /// A detector that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The episodes found so far, oldest first; the last may still be going on.
    pub fn episodes(&self) -> &[Episode] {
        &self.episodes
    }

    /// Feeds the next step. `threshold` is the goodput share below which a step is collapsed,
    /// `confirm` how many seconds a collapse (after the trigger) or a recovery must last, and
    /// `trigger_ended_at` the end of the last trigger that has started, in seconds.
    pub fn observe(
        &mut self,
        step: &Step,
        threshold: f64,
        confirm: f64,
        trigger_ended_at: Option<f64>,
    ) {
        let ongoing = self
            .episodes
            .last()
            .is_some_and(|episode| episode.recovered_at.is_none());
        let low = step.offered > 0.0 && step.goodput < threshold * step.offered;
        if !low {
            self.low_since = None;
            self.low_goodput = 0.0;
            self.low_offered = 0.0;
            if ongoing {
                let since = *self.healthy_since.get_or_insert(step.start);
                if step.end - since >= confirm - 1e-9 {
                    if let Some(episode) = self.episodes.last_mut() {
                        episode.recovered_at = Some(since);
                    }
                    self.healthy_since = None;
                }
            }
            return;
        }
        self.healthy_since = None;
        let since = *self.low_since.get_or_insert(step.start);
        self.low_goodput += step.goodput;
        self.low_offered += step.offered;
        let settled_from = trigger_ended_at.map_or(since, |end| end.max(since));
        if !ongoing && step.end - settled_from >= confirm - 1e-9 {
            self.episodes.push(Episode {
                tipped_at: since,
                confirmed_at: step.end,
                trigger_ended_at,
                goodput_ratio: self.low_goodput / self.low_offered,
                recovered_at: None,
            });
        }
    }
}

/// A latency histogram with about 3% precision and a fixed size, so recording never allocates.
///
/// Buckets are log-linear, as in HdrHistogram: exact below 32 µs, then 32 equal buckets per
/// power of two.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u32>,
    total: u64,
}

const SUB_BUCKET_BITS: u32 = 5;
const SUB_BUCKETS: u64 = 1 << SUB_BUCKET_BITS;
const BUCKETS: usize = ((64 - SUB_BUCKET_BITS as usize + 1) as u64 * SUB_BUCKETS) as usize;

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            total: 0,
        }
    }

    /// Records one latency.
    pub fn record(&mut self, value: Micros) {
        self.counts[Self::bucket(value)] += 1;
        self.total += 1;
    }

    /// How many values were recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value below which a share `q` of the recorded values lie (`None` when empty).
    pub fn quantile(&self, q: f64) -> Option<Micros> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += u64::from(count);
            if seen >= rank {
                return Some(Self::representative(bucket));
            }
        }
        None
    }

    /// Forgets everything, keeping the allocation.
    pub fn clear(&mut self) {
        if self.total > 0 {
            self.counts.fill(0);
            self.total = 0;
        }
    }

    fn bucket(value: Micros) -> usize {
        if value < SUB_BUCKETS {
            return value as usize;
        }
        let exponent = 63 - value.leading_zeros();
        let sub = (value >> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
        (((exponent - SUB_BUCKET_BITS + 1) as u64) * SUB_BUCKETS + sub) as usize
    }

    fn representative(bucket: usize) -> Micros {
        let bucket = bucket as u64;
        if bucket < SUB_BUCKETS {
            return bucket;
        }
        let exponent = (bucket / SUB_BUCKETS) as u32 + SUB_BUCKET_BITS - 1;
        let width = 1u64 << (exponent - SUB_BUCKET_BITS);
        let lower = (SUB_BUCKETS + bucket % SUB_BUCKETS) * width;
        lower + width / 2
    }
}

/// Formats steps as a fixed-width table, marking triggers and the tipping point, for examples and
/// snippets.
pub fn table(steps: &[Step], episodes: &[Episode]) -> String {
    let mut text = String::from(
        "     t   offered   goodput  thruput   retries  timeouts   errors   queue   p99 ms\n",
    );
    for step in steps {
        let p99 = step
            .p99_ms
            .map_or_else(|| "-".to_string(), |ms| format!("{ms:.0}"));
        let mut note = String::new();
        if step.triggered {
            note.push_str("  trigger");
        }
        for episode in episodes {
            if (episode.tipped_at - step.start).abs() < 1e-9 {
                note.push_str("  <- tipping point");
            }
            if episode
                .recovered_at
                .is_some_and(|at| (at - step.start).abs() < 1e-9)
            {
                note.push_str("  <- recovered");
            }
        }
        let _ = writeln!(
            text,
            "{:>6.0} {:>9.0} {:>9.0} {:>8.0} {:>9.0} {:>9.0} {:>8.0} {:>7} {:>8}{note}",
            step.start,
            step.offered,
            step.goodput,
            step.throughput,
            step.retries,
            step.timeouts,
            step.errors,
            step.queue_depth,
            p99,
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goodput_share_smooths_a_short_step_and_never_exceeds_offered() {
        use crate::{Scenario, Simulation};
        use std::time::Duration;
        let mut scenario = Scenario::healthy();
        scenario.step = Duration::from_millis(250);
        let run = Simulation::run(scenario, Duration::from_secs(60));
        let steps = &run.steps()[4..];
        let single = steps.iter().map(Step::goodput_ratio);
        let swing = single.clone().fold(0.0, f64::max) - single.fold(f64::MAX, f64::min);
        assert!(swing > 0.2, "one 250 ms step alone swings: {swing}");
        for window in steps.windows(8) {
            let share = goodput_share(window);
            assert!((0.9..=1.0).contains(&share), "{share}");
        }
        assert_eq!(goodput_share(&[step(0.0, 10.0, 20.0)]), 1.0);
        assert_eq!(goodput_share(&[]), 1.0);
    }

    fn step(start: f64, offered: f64, goodput: f64) -> Step {
        Step {
            start,
            end: start + 1.0,
            offered,
            neighbor_offered: 0.0,
            attempts: offered,
            retries: 0.0,
            goodput,
            neighbor_goodput: 0.0,
            throughput: goodput,
            wasted: 0.0,
            timeouts: 0.0,
            errors: 0.0,
            rejected: 0.0,
            shed: 0.0,
            expired: 0.0,
            fast_failed: 0.0,
            queue_depth: 0,
            busy_workers: 0,
            p50_ms: None,
            p99_ms: None,
            capacity_factor: 1.0,
            load_factor: 1.0,
            triggered: false,
            breaker: BreakerPhase::Closed,
        }
    }

    #[test]
    fn histogram_quantiles_are_within_a_few_percent() {
        let mut histogram = Histogram::new();
        for value in 1..=10_000u64 {
            histogram.record(value * 100);
        }
        let p50 = histogram.quantile(0.5).unwrap() as f64;
        let p99 = histogram.quantile(0.99).unwrap() as f64;
        assert!((p50 / 500_000.0 - 1.0).abs() < 0.03, "{p50}");
        assert!((p99 / 990_000.0 - 1.0).abs() < 0.03, "{p99}");
        histogram.clear();
        assert_eq!(histogram.quantile(0.5), None);
    }

    #[test]
    fn histogram_is_exact_for_small_values() {
        let mut histogram = Histogram::new();
        histogram.record(7);
        assert_eq!(histogram.quantile(1.0), Some(7));
    }

    #[test]
    fn a_dip_during_the_trigger_is_not_a_collapse() {
        let mut detector = CollapseDetector::new();
        for t in 0..30 {
            let goodput = if (10..15).contains(&t) { 0.0 } else { 700.0 };
            detector.observe(&step(t as f64, 700.0, goodput), 0.5, 10.0, Some(15.0));
        }
        assert!(detector.episodes().is_empty());
    }

    #[test]
    fn collapse_that_outlasts_the_trigger_is_an_episode_and_recovery_ends_it() {
        let mut detector = CollapseDetector::new();
        for t in 0..60 {
            let goodput = if (12..40).contains(&t) { 20.0 } else { 700.0 };
            detector.observe(&step(t as f64, 700.0, goodput), 0.5, 10.0, Some(15.0));
        }
        let episode = &detector.episodes()[0];
        assert_eq!(episode.tipped_at, 12.0);
        assert_eq!(episode.confirmed_at, 25.0);
        assert_eq!(episode.recovered_at, Some(40.0));
        assert!(episode.goodput_ratio < 0.05);
    }

    #[test]
    fn the_table_marks_the_tipping_point() {
        let steps = vec![step(0.0, 700.0, 700.0), step(1.0, 700.0, 0.0)];
        let episodes = vec![Episode {
            tipped_at: 1.0,
            confirmed_at: 11.0,
            trigger_ended_at: None,
            goodput_ratio: 0.0,
            recovered_at: None,
        }];
        let text = table(&steps, &episodes);
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(2).unwrap().ends_with("<- tipping point"));
    }
}

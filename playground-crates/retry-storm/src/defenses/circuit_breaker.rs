//! A circuit breaker: when most recent attempts failed, stop sending for a while and fail fast
//! instead, then let a few probes through to see whether the server is back (Nygard, *Release It!*).
//! While it is open the server receives nothing new and can drain its queue; the price is that
//! every user request during that time fails.
//!
//! Failure mode: the breaker that flaps. A breaker is built for a server that is *down*; against
//! one that is *degraded* (capacity at 60% with load at 70%) it cycles: it opens, the queue
//! drains, the probes succeed, it closes, the server is overloaded again, it reopens. For as long
//! as the degradation lasts, every open period fails all requests, including the ones the server
//! could have served. The knobs: a low `failure_ratio` and a short `open_for` (see the test
//! `a_twitchy_breaker_flaps_under_partial_overload`).

use std::time::Duration;

use crate::event::{micros, Micros};

/// Tuning for the breaker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CircuitBreaker {
    /// Open when at least this share of the window's attempts failed.
    pub failure_ratio: f64,
    /// ... and the window saw at least this many attempts (a quiet window proves nothing).
    pub min_requests: u32,
    /// How long a window of outcomes is before it is forgotten.
    pub window: Duration,
    /// How long to fail fast before probing.
    pub open_for: Duration,
    /// Attempts let through while half-open; all must succeed to close.
    pub probes: u32,
}

impl Default for CircuitBreaker {
    /// Opens at 50% failures over a 2 s window, stays open 5 s, closes after 5 good probes. The
    /// 50%, the 20-call minimum and the 5 s are Netflix Hystrix's defaults
    /// (`errorThresholdPercentage`, `requestVolumeThreshold`, `sleepWindowInMilliseconds`); Hystrix's
    /// window is 10 s, shortened here to suit one-minute runs.
    fn default() -> Self {
        Self {
            failure_ratio: 0.5,
            min_requests: 20,
            window: Duration::from_secs(2),
            open_for: Duration::from_secs(5),
            probes: 5,
        }
    }
}

/// Where the breaker is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerPhase {
    /// Everything goes through; outcomes are counted.
    Closed,
    /// Everything fails fast without reaching the server.
    Open,
    /// A few probes go through; their outcome decides between closed and open.
    HalfOpen,
}

impl BreakerPhase {
    /// A lowercase name for reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            BreakerPhase::Closed => "closed",
            BreakerPhase::Open => "open",
            BreakerPhase::HalfOpen => "half-open",
        }
    }
}

/// The breaker's run-time state; the client owns one (one breaker for the whole fleet, since every
/// client sees the same server).
#[derive(Clone, Debug)]
pub struct Breaker {
    phase: BreakerPhase,
    window_started: Micros,
    successes: u32,
    failures: u32,
    opened_at: Micros,
    probes_sent: u32,
    probes_succeeded: u32,
    openings: u64,
}

impl Default for Breaker {
    fn default() -> Self {
        Self::new()
    }
}

impl Breaker {
    /// A closed breaker with an empty window.
    pub fn new() -> Self {
        Self {
            phase: BreakerPhase::Closed,
            window_started: 0,
            successes: 0,
            failures: 0,
            opened_at: 0,
            probes_sent: 0,
            probes_succeeded: 0,
            openings: 0,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> BreakerPhase {
        self.phase
    }

    /// How many times it has opened; a breaker that opens many times in one incident is flapping.
    pub fn openings(&self) -> u64 {
        self.openings
    }

    /// May an attempt be sent now? Moves from open to half-open when the open time is over.
    pub fn allow(&mut self, config: &CircuitBreaker, now: Micros) -> bool {
        if self.phase == BreakerPhase::Open {
            if now < self.opened_at + micros(config.open_for) {
                return false;
            }
            self.phase = BreakerPhase::HalfOpen;
            self.probes_sent = 0;
            self.probes_succeeded = 0;
        }
        match self.phase {
            BreakerPhase::Closed => true,
            BreakerPhase::HalfOpen if self.probes_sent < config.probes => {
                self.probes_sent += 1;
                true
            }
            _ => false,
        }
    }

    /// Counts an attempt's outcome: a response, or a timeout / rejection.
    pub fn record(&mut self, config: &CircuitBreaker, now: Micros, success: bool) {
        match self.phase {
            BreakerPhase::Closed => {
                if now >= self.window_started + micros(config.window) {
                    self.window_started = now;
                    self.successes = 0;
                    self.failures = 0;
                }
                if success {
                    self.successes += 1;
                } else {
                    self.failures += 1;
                }
                let total = self.successes + self.failures;
                if total >= config.min_requests
                    && f64::from(self.failures) >= config.failure_ratio * f64::from(total)
                {
                    self.open(now);
                }
            }
            BreakerPhase::HalfOpen => {
                if !success {
                    self.open(now);
                } else {
                    self.probes_succeeded += 1;
                    if self.probes_succeeded >= config.probes {
                        self.phase = BreakerPhase::Closed;
                        self.window_started = now;
                        self.successes = 0;
                        self.failures = 0;
                    }
                }
            }
            // Late outcomes of attempts sent before it opened say nothing new.
            BreakerPhase::Open => {}
        }
    }

    fn open(&mut self, now: Micros) {
        self.phase = BreakerPhase::Open;
        self.opened_at = now;
        self.openings += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Micros = 1_000_000;

    #[test]
    fn opens_on_failures_probes_then_closes() {
        let config = CircuitBreaker::default();
        let mut breaker = Breaker::new();
        for i in 0..20 {
            assert!(breaker.allow(&config, i));
            breaker.record(&config, i, false);
        }
        assert_eq!(breaker.phase(), BreakerPhase::Open);
        assert!(!breaker.allow(&config, SECOND));
        let later = 6 * SECOND;
        for _ in 0..config.probes {
            assert!(breaker.allow(&config, later));
        }
        assert!(!breaker.allow(&config, later), "only `probes` go through");
        for _ in 0..config.probes {
            breaker.record(&config, later, true);
        }
        assert_eq!(breaker.phase(), BreakerPhase::Closed);
        assert_eq!(breaker.openings(), 1);
    }

    #[test]
    fn a_failed_probe_reopens() {
        let config = CircuitBreaker::default();
        let mut breaker = Breaker::new();
        for i in 0..20 {
            breaker.record(&config, i, false);
        }
        assert!(breaker.allow(&config, 6 * SECOND));
        breaker.record(&config, 6 * SECOND, false);
        assert_eq!(breaker.phase(), BreakerPhase::Open);
        assert_eq!(breaker.openings(), 2);
    }

    #[test]
    fn a_few_failures_among_many_successes_keep_it_closed() {
        let config = CircuitBreaker::default();
        let mut breaker = Breaker::new();
        for i in 0..100 {
            breaker.record(&config, i, i % 10 != 0);
        }
        assert_eq!(breaker.phase(), BreakerPhase::Closed);
    }
}

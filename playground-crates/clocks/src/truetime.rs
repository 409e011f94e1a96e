//! A TrueTime-style interval clock (Corbett et al., "Spanner: Google's Globally-Distributed
//! Database", OSDI 2012, section 3).
//!
//! Why an interval? A server cannot know the true time; it can know how wrong it might be. Spanner's
//! TrueTime answers `TT.now()` with `[earliest, latest]` and guarantees that the true time lies
//! inside. The half-width is ε. Between two synchronisations with the time masters, ε grows at a
//! conservatively assumed drift rate; at a synchronisation it drops back to the error of the sync
//! itself. The paper's production numbers give the sawtooth its shape: a 30-second poll interval and
//! an applied drift rate of 200 µs/s account for 0 to 6 ms, and about 1 ms of communication delay to
//! the time masters is added, so ε runs from about 1 to 7 ms over each poll interval.
//!
//! Everything here is in **microseconds** of virtual time (`u64`), not the milliseconds the rest of
//! the crate uses: a drift of 200 µs per second is invisible at millisecond resolution. The true time
//! is an argument, never read from the machine, so a test can ask what a server would answer at any
//! instant.
//!
//! ```
//! use clocks::truetime::{Sawtooth, ServerClock};
//!
//! let model = Sawtooth::paper();                  // 1 ms + 200 µs/s, poll every 30 s
//! let clock = ServerClock::new(model, 0, 0, 0).unwrap();
//! let at = 15_000_000;                            // 15 s after a sync
//! let tt = clock.now(at);
//! assert_eq!(tt.epsilon(), 4_000);                // ε = 1 ms + 15 s × 200 µs/s
//! assert!(tt.contains(at));
//! ```

use std::fmt;

/// One microsecond-resolution instant. A named type so signatures say what a `u64` means.
pub type Micros = u64;

/// Microseconds in a second, for drift rates given per second.
const PER_SECOND: u64 = 1_000_000;

/// What `TT.now()` returns: an interval guaranteed to contain the true time of the call.
///
/// Why carry both ends instead of a midpoint and ε? Commit wait uses `latest` to pick a timestamp
/// and `earliest` to decide when that timestamp is past; naming them is clearer than arithmetic at
/// every call site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtInterval {
    /// The earliest the true time can be.
    pub earliest: Micros,
    /// The latest the true time can be.
    pub latest: Micros,
}

impl TtInterval {
    /// ε, half the interval's width, as the paper defines it.
    pub fn epsilon(&self) -> Micros {
        (self.latest - self.earliest) / 2
    }

    /// Whether `t` lies inside the interval: TrueTime's one promise, checked by the tests at every
    /// instant they try.
    pub fn contains(&self, t: Micros) -> bool {
        self.earliest <= t && t <= self.latest
    }
}

impl fmt::Display for TtInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.earliest, self.latest)
    }
}

/// How ε grows between synchronisations: the sawtooth.
///
/// Why a separate type? The bound is a property of the fleet's configuration (how often daemons
/// poll, what drift rate they assume), shared by every server, while each server's actual error is
/// its own. Keeping them apart lets [`ServerClock::new`] refuse a server whose real error could
/// leave the advertised bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sawtooth {
    /// ε right after a synchronisation: the time masters' uncertainty plus the communication delay
    /// to them (about 1 ms in the paper).
    pub base_us: Micros,
    /// The drift rate the daemon assumes, in µs of error per second since the last sync (200 in the
    /// paper). A machine whose clock drifts faster breaks TrueTime; Spanner evicts such machines.
    pub drift_us_per_s: u64,
    /// Time between two polls of the time masters (30 s in the paper).
    pub poll_interval_us: Micros,
}

impl Sawtooth {
    /// The paper's production configuration: 1 ms after a sync, 200 µs/s, a 30-second poll, so ε
    /// runs from 1 ms to just under 7 ms.
    pub fn paper() -> Self {
        Self {
            base_us: 1_000,
            drift_us_per_s: 200,
            poll_interval_us: 30 * PER_SECOND,
        }
    }

    /// ε after `since_sync_us` microseconds without a sync.
    pub fn epsilon_after(&self, since_sync_us: Micros) -> Micros {
        self.base_us + self.drift_us_per_s * since_sync_us / PER_SECOND
    }

    /// The largest ε the sawtooth reaches: the instant before the next poll.
    pub fn peak(&self) -> Micros {
        self.epsilon_after(self.poll_interval_us - 1)
    }

    /// How long after a sync ε first reaches `epsilon_us`, capped just before the next poll.
    ///
    /// Why? The book's widget lets the reader pick ε; this turns that choice into a moment in the
    /// poll interval, so the figure can mark where on the sawtooth the commit happens.
    pub fn since_sync_for(&self, epsilon_us: Micros) -> Micros {
        let extra = epsilon_us.saturating_sub(self.base_us);
        let since = (extra * PER_SECOND).div_ceil(self.drift_us_per_s.max(1));
        since.min(self.poll_interval_us - 1)
    }

    /// The sawtooth as `(since start, ε)` points over `span_us`, one every `step_us`, plus the
    /// instant before each poll so the drop is drawn vertical. This is what the widget plots.
    pub fn points(&self, span_us: Micros, step_us: Micros) -> Vec<(Micros, Micros)> {
        let step = step_us.max(1);
        let mut points = Vec::new();
        let mut t = 0;
        while t <= span_us {
            let next = t + step;
            points.push((t, self.epsilon_after(t % self.poll_interval_us)));
            let next_poll = (t / self.poll_interval_us + 1) * self.poll_interval_us;
            if next >= next_poll && next_poll - 1 > t && next_poll - 1 <= span_us {
                points.push((next_poll - 1, self.peak()));
            }
            t = next;
        }
        points
    }
}

/// Why a server's clock was refused: its real error could leave the bound it advertises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockError {
    /// The error right after a sync is larger than the sawtooth's base.
    SkewOutOfBound {
        /// The requested skew, µs.
        skew_us: i64,
        /// The sawtooth's base ε, µs.
        base_us: Micros,
    },
    /// The clock drifts faster than the rate the daemon assumes.
    DriftOutOfBound {
        /// The requested drift, µs per second.
        drift_us_per_s: i64,
        /// The assumed rate, µs per second.
        assumed_us_per_s: u64,
    },
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SkewOutOfBound { skew_us, base_us } => write!(
                f,
                "a skew of {skew_us} µs after a sync exceeds the base ε of {base_us} µs"
            ),
            Self::DriftOutOfBound {
                drift_us_per_s,
                assumed_us_per_s,
            } => write!(
                f,
                "a drift of {drift_us_per_s} µs/s exceeds the assumed {assumed_us_per_s} µs/s"
            ),
        }
    }
}

impl std::error::Error for ClockError {}

/// One server's clock: a local reading that is wrong by a bounded, growing amount, and the TrueTime
/// interval it derives from it.
///
/// The model: at each sync the local clock is off by `skew_us`; from then on it drifts by
/// `drift_us_per_s`. Both must stay inside the [`Sawtooth`] (the constructor checks), so the true
/// time is always inside [`ServerClock::now`]. At a sync the reading steps back to `skew_us` of
/// error, as a daemon's correction would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerClock {
    model: Sawtooth,
    skew_us: i64,
    drift_us_per_s: i64,
    sync_phase_us: Micros,
}

impl ServerClock {
    /// A server that syncs at `sync_phase_us` (and every poll interval from there), is off by
    /// `skew_us` right after each sync (positive: its clock is ahead), and drifts by
    /// `drift_us_per_s`.
    ///
    /// Refuses a skew beyond the base ε or a drift beyond the assumed rate, because either would
    /// let the true time fall outside the interval: the one thing TrueTime must never do.
    pub fn new(
        model: Sawtooth,
        skew_us: i64,
        drift_us_per_s: i64,
        sync_phase_us: Micros,
    ) -> Result<Self, ClockError> {
        if skew_us.unsigned_abs() > model.base_us {
            return Err(ClockError::SkewOutOfBound {
                skew_us,
                base_us: model.base_us,
            });
        }
        if drift_us_per_s.unsigned_abs() > model.drift_us_per_s {
            return Err(ClockError::DriftOutOfBound {
                drift_us_per_s,
                assumed_us_per_s: model.drift_us_per_s,
            });
        }
        Ok(Self {
            model,
            skew_us,
            drift_us_per_s,
            sync_phase_us: sync_phase_us % model.poll_interval_us,
        })
    }

    /// The sawtooth this server advertises.
    pub fn model(&self) -> Sawtooth {
        self.model
    }

    /// Microseconds since this server's last sync, at true time `t`.
    pub fn since_sync(&self, t: Micros) -> Micros {
        let period = self.model.poll_interval_us as i128;
        ((t as i128 - self.sync_phase_us as i128).rem_euclid(period)) as Micros
    }

    /// What the server's local clock reads at true time `t`: the true time plus its error.
    pub fn local(&self, t: Micros) -> Micros {
        let since = self.since_sync(t) as i64;
        let error = self.skew_us + self.drift_us_per_s * since / PER_SECOND as i64;
        (t as i64 + error).max(0) as Micros
    }

    /// `TT.now()` at true time `t`: the local reading widened by ε on both sides.
    pub fn now(&self, t: Micros) -> TtInterval {
        let local = self.local(t);
        let epsilon = self.model.epsilon_after(self.since_sync(t));
        TtInterval {
            earliest: local.saturating_sub(epsilon),
            latest: local + epsilon,
        }
    }

    /// `TT.after(s)`: true if `s` has definitely passed, that is `s < TT.now().earliest`.
    pub fn after(&self, s: Micros, t: Micros) -> bool {
        s < self.now(t).earliest
    }

    /// `TT.before(s)`: true if `s` has definitely not arrived, that is `s > TT.now().latest`.
    pub fn before(&self, s: Micros, t: Micros) -> bool {
        s > self.now(t).latest
    }

    /// The first true instant at or after `from` at which `TT.after(s)` holds: the end of a commit
    /// wait. Steps one microsecond at a time, which is plain and fast enough for waits of a few
    /// milliseconds; a sync during the wait shrinks ε and ends it sooner, as it would on a server.
    pub fn first_after(&self, s: Micros, from: Micros) -> Micros {
        let mut t = from;
        while !self.after(s, t) {
            t += 1;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_sawtooth_runs_from_one_to_seven_milliseconds() {
        let model = Sawtooth::paper();
        assert_eq!(model.epsilon_after(0), 1_000);
        assert_eq!(model.epsilon_after(15 * PER_SECOND), 4_000);
        assert_eq!(model.peak(), 6_999);
    }

    #[test]
    fn since_sync_for_inverts_the_sawtooth() {
        let model = Sawtooth::paper();
        for epsilon in [1_000, 2_500, 4_000, 6_500] {
            assert_eq!(model.epsilon_after(model.since_sync_for(epsilon)), epsilon);
        }
        assert_eq!(
            model.since_sync_for(7_000),
            model.poll_interval_us - 1,
            "7 ms is the peak, reached just before the poll"
        );
    }

    #[test]
    fn points_include_the_instant_before_each_poll() {
        let model = Sawtooth::paper();
        let points = model.points(60 * PER_SECOND, 5 * PER_SECOND);
        assert!(points.contains(&(30 * PER_SECOND - 1, 6_999)));
        assert!(points.contains(&(30 * PER_SECOND, 1_000)));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn a_clock_outside_the_bound_is_refused() {
        let model = Sawtooth::paper();
        assert!(matches!(
            ServerClock::new(model, 1_001, 0, 0),
            Err(ClockError::SkewOutOfBound { .. })
        ));
        assert!(matches!(
            ServerClock::new(model, 0, -201, 0),
            Err(ClockError::DriftOutOfBound { .. })
        ));
    }

    #[test]
    fn the_interval_always_contains_the_true_time() {
        let model = Sawtooth::paper();
        for (skew, drift) in [(1_000, 200), (-1_000, -200), (500, -200), (0, 0)] {
            let clock = ServerClock::new(model, skew, drift, 7 * PER_SECOND).unwrap();
            for t in (PER_SECOND..=90 * PER_SECOND).step_by(250_000) {
                assert!(clock.now(t).contains(t), "skew {skew} drift {drift} at {t}");
            }
        }
    }

    #[test]
    fn after_and_before_are_definite() {
        let clock = ServerClock::new(Sawtooth::paper(), 0, 0, 0).unwrap();
        let t = 45 * PER_SECOND; // 15 s after a sync: ε = 4 ms
        assert!(!clock.after(t, t), "now is not definitely past");
        assert!(clock.after(t - 4_001, t));
        assert!(clock.before(t + 4_001, t));
        assert_eq!(clock.first_after(t, t), t + 4_001);
    }
}

//! A node's own clock, which need not agree with the true time.

use super::{Span, Time};

/// How a node's clock reads compared with the true (virtual) time: an offset, and a drift.
///
/// Every real clock is wrong by some amount, and protocols that trust time (leases, commit
/// wait, "last write wins") break in exactly the ways this models: a clock that is ahead expires
/// a lease early, one that runs slow holds it too long, one that is stepped back by NTP goes back
/// in time. A node reads its clock through [`Context::now`](crate::Context::now); the world's
/// events, outputs and histories use the true time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    /// How far ahead of the true time the clock reads (negative: behind), in microseconds.
    pub offset_micros: i64,
    /// How fast it runs, in parts per million: +100 gains 100 µs every true second.
    pub drift_ppm: i64,
}

impl Clock {
    /// A clock that reads the true time.
    pub const PERFECT: Clock = Clock {
        offset_micros: 0,
        drift_ppm: 0,
    };

    /// A clock `span` ahead of the true time.
    pub fn ahead(span: Span) -> Clock {
        Clock {
            offset_micros: span.as_micros() as i64,
            drift_ppm: 0,
        }
    }

    /// A clock `span` behind the true time.
    pub fn behind(span: Span) -> Clock {
        Clock {
            offset_micros: -(span.as_micros() as i64),
            drift_ppm: 0,
        }
    }

    /// The same clock, gaining (positive) or losing (negative) `ppm` microseconds a second.
    pub fn with_drift_ppm(self, ppm: i64) -> Clock {
        Clock {
            drift_ppm: ppm,
            ..self
        }
    }

    /// What the clock shows at true time `now` (never before zero).
    pub fn read(&self, now: Time) -> Time {
        let true_micros = now.as_micros() as i128;
        let shown = true_micros
            + self.offset_micros as i128
            + true_micros * self.drift_ppm as i128 / 1_000_000;
        Time::from_micros(shown.clamp(0, u64::MAX as i128) as u64)
    }

    /// How long `span`, measured on this clock, lasts in true time: a node that sets a 10 s
    /// timer on a clock that runs 1% fast gets it after about 9.9 true seconds.
    pub fn true_span(&self, span: Span) -> Span {
        let rate = 1_000_000 + self.drift_ppm as i128;
        assert!(
            rate > 0,
            "a clock drifting by {} ppm stands still or runs backwards",
            self.drift_ppm
        );
        Span::from_micros((span.as_micros() as i128 * 1_000_000 / rate) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_and_drift_add_up() {
        let clock = Clock::behind(Span::from_millis(5)).with_drift_ppm(1_000);
        // After 10 true seconds: 5 ms behind, plus 10 ms gained.
        assert_eq!(
            clock.read(Time::from_secs(10)),
            Time::from_micros(10_005_000)
        );
        assert_eq!(clock.read(Time::ZERO), Time::ZERO, "clamped at zero");
        assert_eq!(Clock::PERFECT.read(Time::from_secs(3)), Time::from_secs(3));
    }

    #[test]
    fn a_fast_clock_fires_timers_early() {
        let fast = Clock::PERFECT.with_drift_ppm(10_000); // 1% fast
        assert_eq!(
            fast.true_span(Span::from_secs(10)),
            Span::from_micros(9_900_990)
        );
        assert_eq!(
            Clock::PERFECT.true_span(Span::from_secs(10)),
            Span::from_secs(10)
        );
    }
}

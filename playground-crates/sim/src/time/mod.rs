//! Virtual time: instants and lengths of time in whole microseconds, and the queue of events
//! waiting for their moment.
//!
//! A simulation never sleeps. It keeps a virtual clock that jumps from one scheduled event to the
//! next, so a minute of a busy cluster simulates in milliseconds and, given the same seed, every
//! run is the same run. Time is an integer, not a float: two events scheduled "at the same time"
//! really are at the same time, and the [`EventQueue`] can then order them by when they were
//! scheduled, which keeps runs deterministic. One microsecond is far below any network delay or
//! timeout the course models.
//!
//! There are two types so that the compiler catches the classic slip of passing a deadline where
//! a delay was meant: a [`Time`] is a point on the virtual clock ("at 1.5 s"), a [`Span`] a length
//! of time ("for 200 ms"). `Time + Span` is a `Time`; `Time - Time` is a `Span`.

mod clock;
mod queue;

pub use clock::Clock;
pub use queue::EventQueue;

use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// A point on the virtual clock, in microseconds since the run started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(u64);

/// A length of virtual time in microseconds: a delay, a timeout, a pause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(u64);

impl Time {
    /// The moment the run starts.
    pub const ZERO: Time = Time(0);

    /// Later than any run reaches: the heal time of a partition that never heals.
    pub const MAX: Time = Time(u64::MAX);

    /// The instant `micros` microseconds after the start.
    pub const fn from_micros(micros: u64) -> Time {
        Time(micros)
    }

    /// The instant `millis` milliseconds after the start.
    pub const fn from_millis(millis: u64) -> Time {
        Time(millis * 1_000)
    }

    /// The instant `secs` seconds after the start.
    pub const fn from_secs(secs: u64) -> Time {
        Time(secs * 1_000_000)
    }

    /// Microseconds since the start: the exact value.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Milliseconds since the start, for reports and plots.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }

    /// Seconds since the start, for reports and plots.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// How long after `earlier` this instant is; zero if `earlier` is in fact later (a node that
    /// asks "how long since my last heartbeat?" should not panic on a message from the future).
    pub fn since(self, earlier: Time) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }
}

impl Span {
    /// No time at all.
    pub const ZERO: Span = Span(0);

    /// `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Span {
        Span(micros)
    }

    /// `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Span {
        Span(millis * 1_000)
    }

    /// `secs` seconds.
    pub const fn from_secs(secs: u64) -> Span {
        Span(secs * 1_000_000)
    }

    /// A length given in (fractional) microseconds, rounded to the nearest microsecond; negative
    /// and NaN become zero. This is how a random draw such as an exponential delay becomes a
    /// span.
    pub fn from_micros_f64(micros: f64) -> Span {
        if micros.is_nan() || micros <= 0.0 {
            Span::ZERO
        } else {
            Span(micros.round() as u64)
        }
    }

    /// The exact length in microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// The length in milliseconds, for reports.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }

    /// The length in seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl From<std::time::Duration> for Span {
    /// A configured [`std::time::Duration`], truncated to whole microseconds.
    fn from(duration: std::time::Duration) -> Span {
        Span(duration.as_micros() as u64)
    }
}

impl Add<Span> for Time {
    type Output = Time;
    /// Saturates at [`Time::MAX`], so "never" plus a delay is still never.
    fn add(self, span: Span) -> Time {
        Time(self.0.saturating_add(span.0))
    }
}

impl AddAssign<Span> for Time {
    fn add_assign(&mut self, span: Span) {
        self.0 += span.0;
    }
}

impl Sub<Time> for Time {
    type Output = Span;
    /// The span between two instants; panics if `earlier` is later (use [`Time::since`] when
    /// that can happen).
    fn sub(self, earlier: Time) -> Span {
        assert!(
            earlier <= self,
            "{self} - {earlier}: the second instant is later; use Time::since for a saturating difference"
        );
        Span(self.0 - earlier.0)
    }
}

impl Add for Span {
    type Output = Span;
    fn add(self, other: Span) -> Span {
        Span(self.0 + other.0)
    }
}

impl AddAssign for Span {
    fn add_assign(&mut self, other: Span) {
        self.0 += other.0;
    }
}

impl Mul<u64> for Span {
    type Output = Span;
    fn mul(self, times: u64) -> Span {
        Span(self.0 * times)
    }
}

/// Writes whole microseconds as the largest readable unit, exactly: `350us`, `1.25ms`, `2s`,
/// `61.000001s`. Exact, so that a printed trace can be compared line by line between runs.
fn write_micros(f: &mut fmt::Formatter<'_>, micros: u64) -> fmt::Result {
    let (whole, fraction, digits, unit) = if micros < 1_000 {
        return write!(f, "{micros}us");
    } else if micros < 1_000_000 {
        (micros / 1_000, micros % 1_000, 3, "ms")
    } else {
        (micros / 1_000_000, micros % 1_000_000, 6, "s")
    };
    if fraction == 0 {
        write!(f, "{whole}{unit}")
    } else {
        let fraction = format!("{fraction:0digits$}");
        write!(f, "{whole}.{}{unit}", fraction.trim_end_matches('0'))
    }
}

impl fmt::Display for Time {
    /// The instant as time since the start: `t=1.25ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("t=")?;
        write_micros(f, self.0)
    }
}

impl fmt::Display for Span {
    /// The length: `350us`, `1.25ms`, `2s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_micros(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_in_the_largest_readable_unit_exactly() {
        assert_eq!(Span::from_micros(350).to_string(), "350us");
        assert_eq!(Span::from_micros(1_250).to_string(), "1.25ms");
        assert_eq!(Span::from_secs(2).to_string(), "2s");
        assert_eq!(Span::from_micros(61_000_001).to_string(), "61.000001s");
        assert_eq!(Time::from_millis(1_500).to_string(), "t=1.5s");
        assert_eq!(Time::ZERO.to_string(), "t=0us");
    }

    #[test]
    fn arithmetic_keeps_instants_and_spans_apart() {
        let start = Time::from_millis(10);
        let later = start + Span::from_millis(5);
        assert_eq!(later, Time::from_micros(15_000));
        assert_eq!(later - start, Span::from_millis(5));
        assert_eq!(start.since(later), Span::ZERO);
        assert_eq!(Span::from_millis(2) * 3, Span::from_millis(6));
        assert_eq!(
            Span::from(std::time::Duration::from_millis(7)),
            Span::from_millis(7)
        );
    }

    #[test]
    fn float_micros_round_and_clamp() {
        assert_eq!(Span::from_micros_f64(2.5), Span::from_micros(3));
        assert_eq!(Span::from_micros_f64(-4.0), Span::ZERO);
        assert_eq!(Span::from_micros_f64(f64::NAN), Span::ZERO);
    }
}

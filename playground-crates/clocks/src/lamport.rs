//! Lamport clocks (Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
//! CACM 1978).
//!
//! Why a counter and not the wall clock? Wall clocks on two machines disagree by milliseconds on a
//! good day and by seconds after an NTP step, so "which write came first" cannot be read off them.
//! Lamport's observation is that we rarely need real time; we need an order that respects cause and
//! effect. Two rules give one:
//!
//! 1. before every local event or send, increment the counter;
//! 2. on receive, set the counter to `max(local, received) + 1`.
//!
//! The result is *consistent with* happened-before: if `a → b` then `L(a) < L(b)`. The converse
//! does not hold, and that is the limitation vector clocks fix: `L(a) < L(b)` may just mean the two
//! events were concurrent and `b`'s process happened to count faster.

/// A Lamport logical clock: one counter for one process.
///
/// The value is a `u64` because it only ever grows, one step per event; at a billion events a
/// second it would take five centuries to wrap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LamportClock {
    time: u64,
}

impl LamportClock {
    /// A clock at zero: no event has happened on this process yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The timestamp of the most recent event on this process (0 before the first).
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Rule 1: a local event or a send. Returns the new event's timestamp, which is also the
    /// timestamp to put on an outgoing message.
    pub fn tick(&mut self) -> u64 {
        self.time += 1;
        self.time
    }

    /// Rule 2: a receive of a message stamped `sender_time`. Jumping past the sender is what makes
    /// the receive's timestamp larger than the send's, so causality shows in the numbers.
    pub fn receive(&mut self, sender_time: u64) -> u64 {
        self.time = self.time.max(sender_time) + 1;
        self.time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_zero_and_ticks_by_one() {
        let mut clock = LamportClock::new();
        assert_eq!(clock.time(), 0);
        assert_eq!(clock.tick(), 1);
        assert_eq!(clock.tick(), 2);
    }

    #[test]
    fn receive_jumps_past_a_faster_sender() {
        let mut clock = LamportClock::new();
        clock.tick();
        assert_eq!(clock.receive(10), 11);
    }

    #[test]
    fn receive_from_a_slower_sender_still_ticks() {
        let mut clock = LamportClock::new();
        for _ in 0..5 {
            clock.tick();
        }
        assert_eq!(clock.receive(2), 6);
    }
}

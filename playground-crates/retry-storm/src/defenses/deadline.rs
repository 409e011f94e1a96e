//! Deadline propagation: each request carries the moment its client will stop waiting, and the
//! server drops a request whose deadline is closer than `margin` when a worker picks it up
//! (gRPC propagates deadlines this way). With a margin of about the service time, the server only
//! starts work it can finish while someone still wants the answer.
//!
//! Failure modes: a zero margin still starts work that finishes a moment too late, which in a
//! storm is most of it; and deadlines sent as *absolute* timestamps are read with the server's
//! clock, so a server clock running ahead by more than the timeout drops every request. (gRPC
//! sends a relative timeout on the wire for exactly this reason.)

use std::time::Duration;

use crate::event::{micros, Micros};

/// Tuning for deadline propagation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeadlinePropagation {
    /// Drop a request unless at least this much time is left before its deadline.
    pub margin: Duration,
    /// How far the server's clock runs ahead of the clients' (zero on a well-run fleet).
    pub clock_skew: Duration,
}

impl Default for DeadlinePropagation {
    /// Two mean service times of margin, no skew.
    fn default() -> Self {
        Self {
            margin: Duration::from_millis(100),
            clock_skew: Duration::ZERO,
        }
    }
}

impl DeadlinePropagation {
    /// Is it too late to start a request with this deadline at server time `now`?
    pub fn too_late(&self, deadline: Micros, now: Micros) -> bool {
        now + micros(self.clock_skew) + micros(self.margin) > deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_requests_without_enough_time_left() {
        let deadline = DeadlinePropagation::default();
        assert!(!deadline.too_late(1_000_000, 900_000));
        assert!(deadline.too_late(1_000_000, 900_001));
    }

    #[test]
    fn a_skewed_server_clock_drops_fresh_requests() {
        let skewed = DeadlinePropagation {
            clock_skew: Duration::from_secs(2),
            ..DeadlinePropagation::default()
        };
        assert!(skewed.too_late(1_000_000, 0));
    }
}

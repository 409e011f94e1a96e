//! Queue timeouts with adaptive LIFO, after Facebook's "Fail at Scale" (Ben Maurer, ACM Queue
//! 2015): a CoDel-style rule for how long a request may wait, and a switch from FIFO to LIFO while
//! a queue is standing.
//!
//! - **Controlled delay.** If the queue has been empty at some moment in the last `interval`, a
//!   request may wait up to `interval`: a burst is allowed to queue. If it has not been empty for
//!   a whole `interval`, the queue is *standing* (it is not absorbing a burst, it is the new normal)
//!   and a request may wait only `target`. Requests that waited longer are dropped with an error.
//! - **Adaptive LIFO.** While the queue is standing, a free worker takes the *newest* request, whose
//!   client is most likely still waiting; the old ones at the head are the ones timed out first.
//!
//! Why it ends a retry storm: the sustaining effect is a FIFO queue holding more than a timeout of
//! work, so every answer goes to a client that has left. With queue timeouts no request waits long
//! enough to be abandoned, and the server's capacity goes to requests someone still waits for.
//!
//! Failure mode: a `target` or `interval` shorter than ordinary queueing at healthy load drops
//! healthy requests, as tight load shedding does; and LIFO is unfair, so a client whose request
//! lands at the head during a standing queue waits until the queue drains or the timeout drops it.

use std::time::Duration;

use crate::event::{micros, Micros};

/// Tuning for queue timeouts (CoDel-style) and adaptive LIFO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueTimeout {
    /// How long a request may wait while the queue drains now and then; also how long the queue
    /// must stay non-empty to count as standing.
    pub interval: Duration,
    /// How long a request may wait while the queue is standing.
    pub target: Duration,
    /// Serve the newest request first while the queue is standing.
    pub adaptive_lifo: bool,
}

impl Default for QueueTimeout {
    /// 500 ms and 100 ms, adaptive LIFO on. Facebook reports 100 ms and 5 ms for its services,
    /// whose requests take milliseconds; ours take 50 ms, and at 90% load 5 ms drops healthy
    /// requests (`tests/failure_modes.rs` pins it). The interval is half the client timeout, as
    /// for load shedding.
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(500),
            target: Duration::from_millis(100),
            adaptive_lifo: true,
        }
    }
}

impl QueueTimeout {
    /// The values "Fail at Scale" reports: a standing queue after 100 ms, then 5 ms of waiting.
    pub fn facebook() -> Self {
        Self {
            interval: Duration::from_millis(100),
            target: Duration::from_millis(5),
            adaptive_lifo: true,
        }
    }
}

impl QueueTimeout {
    /// Is the queue standing at `now`, given when it was last empty?
    pub fn standing(&self, last_empty: Micros, now: Micros) -> bool {
        now.saturating_sub(last_empty) > micros(self.interval)
    }

    /// The longest a request may have waited and still be served.
    pub fn max_wait(&self, last_empty: Micros, now: Micros) -> Micros {
        if self.standing(last_empty, now) {
            micros(self.target)
        } else {
            micros(self.interval)
        }
    }

    /// Should a free worker take the newest request rather than the oldest?
    pub fn serve_newest(&self, last_empty: Micros, now: Micros) -> bool {
        self.adaptive_lifo && self.standing(last_empty, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_may_queue_but_a_standing_queue_may_not() {
        let rule = QueueTimeout::facebook();
        // Empty 50 ms ago: a burst. Requests may wait 100 ms, served oldest first.
        assert_eq!(rule.max_wait(0, 50_000), 100_000);
        assert!(!rule.serve_newest(0, 50_000));
        // Not empty for 150 ms: standing. 5 ms, newest first.
        assert_eq!(rule.max_wait(0, 150_000), 5_000);
        assert!(rule.serve_newest(0, 150_000));
    }

    #[test]
    fn without_adaptive_lifo_it_stays_fifo() {
        let rule = QueueTimeout {
            adaptive_lifo: false,
            ..QueueTimeout::facebook()
        };
        assert!(!rule.serve_newest(0, 1_000_000));
        assert_eq!(rule.max_wait(0, 1_000_000), 5_000);
    }
}

//! Server-side load shedding: when a worker picks up a request that has already waited longer
//! than `max_queue_wait`, drop it at once with an "overloaded" error instead of working on it.
//! Work on a request whose client has given up is pure waste, and in a retry storm it is nearly
//! all the work the server does (Bronson et al. 2021 call this the sustaining effect); shedding it
//! frees the workers for requests that can still succeed. Set `max_queue_wait` below the client
//! timeout, leaving room for the service time.
//!
//! Failure mode: a threshold tighter than ordinary queueing at healthy load (a few milliseconds
//! when the server is 90% busy) sheds healthy requests and turns normal jitter into errors.

use std::time::Duration;

use crate::event::{micros, Micros};

/// Tuning for load shedding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadShedding {
    /// Requests that waited longer than this in the queue are dropped when dequeued.
    pub max_queue_wait: Duration,
}

impl Default for LoadShedding {
    /// Half the default 1 s client timeout.
    fn default() -> Self {
        Self {
            max_queue_wait: Duration::from_millis(500),
        }
    }
}

impl LoadShedding {
    /// Should a request that has waited `waited` be dropped rather than served?
    pub fn should_shed(&self, waited: Micros) -> bool {
        waited > micros(self.max_queue_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheds_only_requests_that_waited_too_long() {
        let shedding = LoadShedding::default();
        assert!(!shedding.should_shed(499_999));
        assert!(!shedding.should_shed(500_000));
        assert!(shedding.should_shed(500_001));
    }
}

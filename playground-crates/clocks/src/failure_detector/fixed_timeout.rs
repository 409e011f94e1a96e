//! The detector everyone writes first: dead after a fixed time of silence.

use super::FailureDetector;

/// Suspects the peer once `timeout_ms` have passed since its last heartbeat.
///
/// Why keep it when phi accrual exists? It is what most systems actually run (ZooKeeper session
/// timeouts, Kubernetes node leases, a load balancer's health check), its worst-case detection time
/// is a number you can read in the config, and it is the baseline that shows what adapting buys.
/// Its weakness is that `timeout_ms` is a bet on the network's tail latency made once: set it below
/// the p99 gap between heartbeats and live peers get declared dead about 1% of the time.
#[derive(Debug, Clone)]
pub struct FixedTimeout {
    timeout_ms: u64,
    last_heartbeat_ms: Option<u64>,
}

impl FixedTimeout {
    /// A detector that suspects after `timeout_ms` of silence.
    pub fn new(timeout_ms: u64) -> Self {
        Self {
            timeout_ms,
            last_heartbeat_ms: None,
        }
    }

    /// The configured timeout.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// When the latest heartbeat arrived, if any has.
    pub fn last_heartbeat_ms(&self) -> Option<u64> {
        self.last_heartbeat_ms
    }
}

impl FailureDetector for FixedTimeout {
    fn heartbeat(&mut self, now_ms: u64) {
        self.last_heartbeat_ms = Some(now_ms);
    }

    fn suspect(&self, now_ms: u64) -> bool {
        match self.last_heartbeat_ms {
            Some(last) => now_ms.saturating_sub(last) > self.timeout_ms,
            None => false,
        }
    }

    fn detection_bound_ms(&self) -> u64 {
        self.timeout_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspects_only_after_the_timeout() {
        let mut detector = FixedTimeout::new(300);
        assert!(!detector.suspect(10_000), "no heartbeat yet, no evidence");
        detector.heartbeat(1000);
        assert!(!detector.suspect(1300));
        assert!(detector.suspect(1301));
        detector.heartbeat(1301);
        assert!(!detector.suspect(1400));
        assert_eq!(detector.last_heartbeat_ms(), Some(1301));
        assert_eq!(detector.detection_bound_ms(), detector.timeout_ms());
    }
}

//! The bulkhead: a global bound on concurrent compiles plus a short, bounded wait queue.
//!
//! Compiles are the only expensive thing the server does, so they alone are rationed; cached and
//! precomputed answers never enter here and keep flowing while compiles are saturated. Past the
//! queue the answer is an immediate "busy, retry in N s" rather than a wait that would outlast
//! `book.js`'s 6 s timeout.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Concurrency limiter with a bounded queue.
#[derive(Debug)]
pub struct Bulkhead {
    permits: Arc<Semaphore>,
    concurrency: usize,
    queue_len: usize,
    queue_wait: Duration,
    waiting: AtomicUsize,
    /// Exponentially weighted mean of a compile+run, in ms; drives the retry hint.
    mean_ms: AtomicU64,
}

/// Why a run was not admitted, with what the learner needs to retry sensibly.
#[derive(Debug, Clone, Copy)]
pub struct Busy {
    /// Runs compiling now.
    pub in_flight: usize,
    /// Runs waiting for a slot.
    pub waiting: usize,
    /// When a retry is likely to be admitted.
    pub retry_after: Duration,
}

impl Busy {
    /// The line shown to the learner.
    pub fn message(&self) -> String {
        format!(
            "The playground is busy ({} runs compiling, {} waiting). Try again in about {} s.",
            self.in_flight,
            self.waiting,
            self.retry_after.as_secs().max(1)
        )
    }
}

/// Holds a compile slot; released on drop. Reports the run's duration to the estimator.
#[derive(Debug)]
pub struct Slot<'a> {
    _permit: OwnedSemaphorePermit,
    bulkhead: &'a Bulkhead,
    started: std::time::Instant,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let ms = self.started.elapsed().as_millis() as u64;
        let old = self.bulkhead.mean_ms.load(Ordering::Relaxed);
        self.bulkhead
            .mean_ms
            .store((old * 7 + ms) / 8, Ordering::Relaxed);
    }
}

/// Decrements the waiting count however the wait ends (admitted, timed out, cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Bulkhead {
    /// `concurrency` slots, at most `queue_len` waiters, each waiting at most `queue_wait`.
    pub fn new(concurrency: usize, queue_len: usize, queue_wait: Duration) -> Self {
        let concurrency = concurrency.max(1);
        Bulkhead {
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            queue_len,
            queue_wait,
            waiting: AtomicUsize::new(0),
            mean_ms: AtomicU64::new(500),
        }
    }

    /// A slot now, or after a bounded wait, or `Busy`.
    pub async fn enter(&self) -> Result<Slot<'_>, Busy> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(self.slot(permit));
        }
        let before = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        if before >= self.queue_len {
            return Err(self.busy());
        }
        match tokio::time::timeout(self.queue_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(self.slot(permit)),
            _ => Err(self.busy()),
        }
    }

    /// Runs compiling now and runs waiting.
    pub fn load(&self) -> (usize, usize) {
        (
            self.concurrency - self.permits.available_permits(),
            self.waiting.load(Ordering::SeqCst),
        )
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> Slot<'_> {
        Slot {
            _permit: permit,
            bulkhead: self,
            started: std::time::Instant::now(),
        }
    }

    fn busy(&self) -> Busy {
        let (in_flight, waiting) = self.load();
        // Time for the queue ahead of a retry to drain through the slots, at the mean run time.
        let mean = self.mean_ms.load(Ordering::Relaxed);
        let ahead = (waiting as u64 + 1).div_ceil(self.concurrency as u64);
        Busy {
            in_flight,
            waiting: waiting.saturating_sub(1),
            retry_after: Duration::from_millis((mean * ahead).max(1000)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rejects_past_the_queue_and_recovers() {
        let bulkhead = Bulkhead::new(1, 0, Duration::from_millis(10));
        let slot = bulkhead.enter().await.unwrap();
        let busy = bulkhead.enter().await.unwrap_err();
        assert!(busy.message().contains("busy"));
        drop(slot);
        assert!(bulkhead.enter().await.is_ok());
        assert_eq!(bulkhead.load(), (0, 0));
    }

    #[tokio::test]
    async fn queued_runs_time_out() {
        let bulkhead = Bulkhead::new(1, 4, Duration::from_millis(20));
        let _slot = bulkhead.enter().await.unwrap();
        assert!(bulkhead.enter().await.is_err());
        assert_eq!(bulkhead.load().1, 0);
    }
}

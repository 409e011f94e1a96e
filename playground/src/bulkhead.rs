//! The bulkhead: a global bound on concurrent compiles, and deadline-aware admission to the queue
//! in front of them.
//!
//! Compiles are the only expensive thing the server does, so they alone are rationed; cached and
//! precomputed answers never enter here and keep flowing while every slot is taken.
//!
//! A fixed short queue (say 4 waiters, 0.5 s each) sheds work that would have succeeded: 40
//! learners pressing Run at once on a 2-core machine got 34 "busy" answers, though at about
//! 100 ms a compile all 40 fit in the 6 s that `book.js` waits. So the question asked of each new
//! run is the one the learner cares about: *will my answer arrive before my browser gives up?*
//!
//! ```text
//! expected wait  = position in the queue × mean run time ÷ slots
//! admit when       expected wait + mean run time ≤ deadline − margin
//! ```
//!
//! The mean is a moving average of recent compile-and-run times ([`Estimate`]), so the rule
//! follows the machine: on a quiet host it admits a whole classroom, under load fewer. Beyond
//! that, "busy" is answered at once, with a retry hint. Because the estimate can be wrong (the
//! machine may slow down after a run was admitted), an admitted run also gives up waiting at the
//! latest moment from which its own run could still finish in time, and answers "busy" then:
//! every answer, output or busy, arrives inside the deadline as long as the runs themselves take
//! about the mean.
//!
//! [`Admission::decide`] is the rule alone, a pure function of what the bulkhead knows, so it is
//! tested exactly; [`Bulkhead`] applies it with tokio's clock (which tests can pause).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The admission rule's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// Compiles that run at once.
    pub slots: usize,
    /// How long the client waits for an answer (`book.js`: 6 s).
    pub deadline: Duration,
    /// Kept free of planned work: the shim in `theme/head.hbs` aborts at 5.5 s, and estimates
    /// are estimates.
    pub margin: Duration,
}

/// What to do with a run that arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait for a slot, but give up (answer "busy") if none is free after `give_up_after`: from
    /// then on even a run of average length would end past the budget.
    Wait {
        /// Longest wait that still leaves time for the run.
        give_up_after: Duration,
    },
    /// Answer "busy" now.
    Busy {
        /// When a new run would likely be admitted again.
        retry_after: Duration,
    },
}

impl Admission {
    /// The time a run may plan to use: the deadline less the margin.
    pub fn budget(&self) -> Duration {
        self.deadline.saturating_sub(self.margin)
    }

    /// The decision for a run that finds every slot taken, at `position` in the queue (1 = first
    /// in line), when a compile-and-run takes `mean` on average.
    pub fn decide(&self, position: usize, mean: Duration) -> Decision {
        let slots = self.slots.max(1) as u32;
        let mean = mean.max(Duration::from_millis(1));
        let wait = mean * position as u32 / slots;
        let budget = self.budget();
        if wait + mean <= budget {
            return Decision::Wait {
                give_up_after: budget - mean,
            };
        }
        // A new run is admitted once the queue is down to the last admissible position.
        let admissible = (budget.saturating_sub(mean).as_secs_f64() * slots as f64
            / mean.as_secs_f64())
        .floor() as usize;
        let excess = position.saturating_sub(admissible) as u32;
        Decision::Busy {
            retry_after: (mean * excess / slots).max(Duration::from_secs(1)),
        }
    }
}

/// A moving average of how long a compile-and-run holds its slot.
///
/// Exponentially weighted (each new run counts 1/8), so it follows the machine within a few runs
/// without jumping on one odd snippet. It starts from a prior, [`Estimate::PRIOR`], until runs
/// have been measured.
#[derive(Debug)]
pub struct Estimate {
    micros: AtomicU64,
}

impl Estimate {
    /// The guess before any run is measured: about twice a compile-and-run of a small snippet on
    /// a quiet 2-core machine (100-150 ms), so that a first burst is neither refused wholesale nor
    /// admitted past what the machine can do.
    pub const PRIOR: Duration = Duration::from_millis(250);

    /// An estimate starting at `prior`.
    pub fn new(prior: Duration) -> Self {
        Estimate {
            micros: AtomicU64::new(prior.as_micros() as u64),
        }
    }

    /// The current mean.
    pub fn mean(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::Relaxed))
    }

    /// Folds one measured run into the mean.
    pub fn record(&self, took: Duration) {
        let sample = took.as_micros() as u64;
        // A lost update under contention only drops one sample from the average.
        let old = self.micros.load(Ordering::Relaxed);
        self.micros.store((old * 7 + sample) / 8, Ordering::Relaxed);
    }
}

/// Concurrency limiter with deadline-aware admission.
#[derive(Debug)]
pub struct Bulkhead {
    permits: Arc<Semaphore>,
    admission: Admission,
    waiting: AtomicUsize,
    estimate: Estimate,
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
            self.retry_after.as_secs_f64().ceil().max(1.0) as u64
        )
    }
}

/// Holds a compile slot; released on drop. Reports the run's duration to the estimate.
#[derive(Debug)]
pub struct Slot<'a> {
    _permit: OwnedSemaphorePermit,
    bulkhead: &'a Bulkhead,
    started: Instant,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.bulkhead.estimate.record(self.started.elapsed());
    }
}

/// Decrements the waiting count however the wait ends (admitted, gave up, cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Bulkhead {
    /// A bulkhead applying `admission`, its estimate starting at `prior`.
    pub fn new(admission: Admission, prior: Duration) -> Self {
        let slots = admission.slots.max(1);
        Bulkhead {
            permits: Arc::new(Semaphore::new(slots)),
            admission: Admission { slots, ..admission },
            waiting: AtomicUsize::new(0),
            estimate: Estimate::new(prior),
        }
    }

    /// A slot now, or after a wait the rule expects to end in time, or `Busy`.
    pub async fn enter(&self) -> Result<Slot<'_>, Busy> {
        // Released permits go to queued waiters first (tokio's semaphore is fair), so a free
        // permit here means nobody is waiting: start at once whatever the estimate says.
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(self.slot(permit));
        }
        // Counting ourselves in is what fixes our position, even among runs arriving together.
        let position = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        let _waiting = Waiting(&self.waiting);
        match self.admission.decide(position, self.estimate.mean()) {
            Decision::Busy { retry_after } => Err(self.busy(retry_after)),
            Decision::Wait { give_up_after } => {
                match tokio::time::timeout(give_up_after, self.permits.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(permit)) => Ok(self.slot(permit)),
                    // Gave up: the slot came too late for this run to finish in time.
                    _ => Err(self.busy(self.estimate.mean())),
                }
            }
        }
    }

    /// Runs compiling now and runs waiting.
    pub fn load(&self) -> (usize, usize) {
        (
            self.admission.slots - self.permits.available_permits(),
            self.waiting.load(Ordering::SeqCst),
        )
    }

    /// The current estimate of a compile-and-run.
    pub fn mean(&self) -> Duration {
        self.estimate.mean()
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> Slot<'_> {
        Slot {
            _permit: permit,
            bulkhead: self,
            started: Instant::now(),
        }
    }

    fn busy(&self, retry_after: Duration) -> Busy {
        let (in_flight, waiting) = self.load();
        Busy {
            in_flight,
            // Not counting the run being refused.
            waiting: waiting.saturating_sub(1),
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: Duration = Duration::from_millis(1);

    /// Two slots, book.js's 6 s, a 1 s margin: a 5 s budget.
    fn classroom() -> Admission {
        Admission {
            slots: 2,
            deadline: Duration::from_secs(6),
            margin: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_classroom_of_forty_fits_when_runs_take_a_tenth_of_a_second() {
        // 40 arrive with both slots busy: positions 1..=40; the last expects 40 × 100 ms ÷ 2 = 2 s
        // of waiting plus its own 100 ms.
        let rule = classroom();
        for position in 1..=40 {
            assert_eq!(
                rule.decide(position, 100 * MS),
                Decision::Wait {
                    give_up_after: 4900 * MS
                },
                "position {position}"
            );
        }
    }

    #[test]
    fn the_boundary_is_where_the_expected_finish_meets_the_budget() {
        let rule = classroom();
        // 250 ms runs, 2 slots: position p finishes at p × 125 ms + 250 ms; 5 s allows p ≤ 38.
        assert!(matches!(rule.decide(38, 250 * MS), Decision::Wait { .. }));
        assert_eq!(
            rule.decide(39, 250 * MS),
            Decision::Busy {
                retry_after: Duration::from_secs(1)
            }
        );
        // Far past the boundary the hint is the time for the excess to drain: (200 - 38) × 125 ms.
        assert_eq!(
            rule.decide(200, 250 * MS),
            Decision::Busy {
                retry_after: 20250 * MS
            }
        );
    }

    #[test]
    fn a_slower_machine_admits_fewer() {
        let rule = classroom();
        let admitted = |mean: Duration| {
            (1..=1000)
                .take_while(|&p| matches!(rule.decide(p, mean), Decision::Wait { .. }))
                .count()
        };
        assert_eq!(admitted(100 * MS), 98);
        assert_eq!(admitted(500 * MS), 18);
        assert_eq!(
            admitted(6 * 1000 * MS),
            0,
            "a run longer than the budget never queues"
        );
    }

    proptest! {
        /// Whatever the numbers: an admitted run expects to finish within the budget, giving up
        /// leaves room for one run, and the rule is monotone (if position p is refused, so is
        /// every later position).
        #[test]
        fn admission_keeps_its_promise(
            slots in 1usize..16,
            mean_ms in 1u32..10_000,
            position in 1usize..2_000,
            deadline_ms in 0u32..20_000,
            margin_ms in 0u32..5_000,
        ) {
            let rule = Admission {
                slots,
                deadline: deadline_ms * MS,
                margin: margin_ms * MS,
            };
            let mean = mean_ms * MS;
            match rule.decide(position, mean) {
                Decision::Wait { give_up_after } => {
                    prop_assert!(mean * position as u32 / slots as u32 + mean <= rule.budget());
                    prop_assert_eq!(give_up_after + mean, rule.budget());
                    if position > 1 {
                        let earlier_waits = matches!(rule.decide(position - 1, mean), Decision::Wait { .. });
                        prop_assert!(earlier_waits);
                    }
                }
                Decision::Busy { retry_after } => {
                    prop_assert!(retry_after >= Duration::from_secs(1));
                    let later_busy = matches!(rule.decide(position + 1, mean), Decision::Busy { .. });
                    prop_assert!(later_busy);
                }
            }
        }
    }

    #[test]
    fn the_estimate_follows_measured_runs() {
        let estimate = Estimate::new(Estimate::PRIOR);
        assert_eq!(estimate.mean(), 250 * MS);
        estimate.record(90 * MS);
        // (7 × 250 + 90) ÷ 8
        assert_eq!(estimate.mean(), 230 * MS);
        for _ in 0..60 {
            estimate.record(90 * MS);
        }
        assert!(estimate.mean() < 91 * MS, "{:?}", estimate.mean());
    }

    // The bulkhead itself, on tokio's paused clock: time moves only when every task is idle, so
    // these are exact and take no real time.

    fn one_slot(prior: Duration) -> Bulkhead {
        Bulkhead::new(
            Admission {
                slots: 1,
                deadline: Duration::from_secs(6),
                margin: Duration::from_secs(1),
            },
            prior,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn a_free_slot_starts_at_once_whatever_the_estimate() {
        let bulkhead = one_slot(Duration::from_secs(60));
        let slot = bulkhead.enter().await.expect("idle: admitted");
        assert_eq!(bulkhead.load(), (1, 0));
        drop(slot);
        assert_eq!(bulkhead.load(), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn busy_comes_at_once_beyond_what_fits_and_admission_resumes_as_the_queue_drains() {
        // 1 s runs, 1 slot, 5 s budget: positions 1-4 fit (p × 1 s + 1 s ≤ 5 s), the 5th does not.
        let bulkhead = Arc::new(one_slot(Duration::from_secs(1)));
        let first = bulkhead.enter().await.unwrap();
        let mut queued = Vec::new();
        for _ in 0..4 {
            let bulkhead = bulkhead.clone();
            queued.push(tokio::spawn(async move {
                let slot = bulkhead.enter().await.map_err(|b| b.message())?;
                tokio::time::sleep(900 * MS).await;
                drop(slot);
                Ok::<Instant, String>(Instant::now())
            }));
        }
        while bulkhead.load().1 < 4 {
            tokio::task::yield_now().await;
        }
        let asked = Instant::now();
        let busy = bulkhead.enter().await.unwrap_err();
        assert_eq!(asked.elapsed(), Duration::ZERO, "busy without waiting");
        assert_eq!((busy.in_flight, busy.waiting), (1, 4));
        assert_eq!(
            busy.message(),
            "The playground is busy (1 runs compiling, 4 waiting). Try again in about 1 s."
        );

        tokio::time::sleep(Duration::from_secs(1)).await;
        drop(first);
        let started = Instant::now();
        for task in queued {
            let done = task.await.unwrap().expect("admitted runs get their slot");
            assert!(done - started <= Duration::from_secs(4));
        }
        assert_eq!(bulkhead.load(), (0, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn an_admitted_run_gives_up_when_its_slot_comes_too_late() {
        // Admitted on a 100 ms estimate, but the run in the slot never ends: the waiter answers
        // busy when only one average run's time is left, 4.9 s after it arrived.
        let bulkhead = one_slot(100 * MS);
        let _hog = bulkhead.enter().await.unwrap();
        let arrived = Instant::now();
        let busy = bulkhead.enter().await.unwrap_err();
        // (tokio's timer rounds up to the next millisecond)
        let waited = arrived.elapsed();
        assert!(waited >= 4900 * MS && waited <= 4901 * MS, "{waited:?}");
        assert_eq!(busy.waiting, 0);
        assert_eq!(bulkhead.load(), (1, 0));
    }

    #[tokio::test(start_paused = true)]
    async fn each_run_feeds_the_estimate() {
        let bulkhead = one_slot(Duration::from_secs(1));
        let slot = bulkhead.enter().await.unwrap();
        tokio::time::sleep(200 * MS).await;
        drop(slot);
        // (7 × 1000 + 200) ÷ 8, give or take the timer's millisecond
        let mean = bulkhead.mean();
        assert!(mean >= 900 * MS && mean <= 901 * MS, "{mean:?}");
    }
}

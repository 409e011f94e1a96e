//! A saga: a long business action as a chain of local steps, each with a compensating action
//! that undoes it, and an orchestrator that runs them.
//!
//! The orchestrator runs the steps in order. When one fails, it runs the compensations of the
//! steps that had succeeded, newest first, retrying each a bounded number of times. A saga gives
//! up isolation (others see the half-done state) and atomicity (it is undone by new actions, not
//! rolled back); what it promises instead is that it ends either completed or compensated. That
//! promise rests on compensations that eventually succeed: when one keeps failing, the saga is
//! *stuck*, with effects in the world that nobody will undo unless a person (or a later retry
//! from a durable queue) does.

/// One step: its name, whether its action fails, and how many times its compensation fails
/// before it succeeds (`u32::MAX`: it never does).
#[derive(Clone, Debug)]
pub struct Step {
    /// What it does, e.g. "reserve flight".
    pub name: &'static str,
    /// What undoes it, e.g. "cancel flight".
    pub undo: &'static str,
    /// True if the action fails (it then had no effect, so it needs no compensation).
    pub fails: bool,
    /// How many compensation attempts fail before one succeeds.
    pub undo_failures: u32,
}

impl Step {
    /// A step that succeeds and can be undone at the first attempt.
    pub fn new(name: &'static str, undo: &'static str) -> Self {
        Self {
            name,
            undo,
            fails: false,
            undo_failures: 0,
        }
    }

    /// The same step, whose action fails.
    pub fn failing(self) -> Self {
        Self {
            fails: true,
            ..self
        }
    }

    /// The same step, whose compensation fails `times` times first.
    pub fn undo_fails(self, times: u32) -> Self {
        Self {
            undo_failures: times,
            ..self
        }
    }
}

/// One line of the orchestrator's log (in a real system, a durable log: the orchestrator
/// itself may crash between any two lines and must resume from it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Log {
    /// The step's action succeeded.
    Done(&'static str),
    /// The step's action failed.
    Failed(&'static str),
    /// A compensation attempt failed.
    UndoFailed(&'static str, u32),
    /// The compensation succeeded.
    Undone(&'static str),
}

/// How a saga ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every step succeeded.
    Completed,
    /// A step failed and every earlier step was compensated.
    Compensated,
    /// A compensation kept failing: these effects are still in the world.
    Stuck {
        /// The steps whose effects remain, oldest first.
        left_done: Vec<&'static str>,
    },
}

/// The orchestrator's result.
#[derive(Clone, Debug)]
pub struct SagaRun {
    /// What it did, in order.
    pub log: Vec<Log>,
    /// How it ended.
    pub outcome: Outcome,
}

/// Runs `steps`, compensating on failure with at most `attempts` tries per compensation.
pub fn run(steps: &[Step], attempts: u32) -> SagaRun {
    let mut log = Vec::new();
    let mut done: Vec<&Step> = Vec::new();
    for step in steps {
        if step.fails {
            log.push(Log::Failed(step.name));
            return compensate(done, attempts, log);
        }
        log.push(Log::Done(step.name));
        done.push(step);
    }
    SagaRun {
        log,
        outcome: Outcome::Completed,
    }
}

fn compensate(mut done: Vec<&Step>, attempts: u32, mut log: Vec<Log>) -> SagaRun {
    while let Some(step) = done.last() {
        let mut undone = false;
        for attempt in 1..=attempts {
            if attempt > step.undo_failures {
                log.push(Log::Undone(step.undo));
                undone = true;
                break;
            }
            log.push(Log::UndoFailed(step.undo, attempt));
        }
        if !undone {
            // Stop here: undoing earlier steps while a later one still stands could leave a
            // state no step order produces (a hotel booked for a flight that was cancelled).
            return SagaRun {
                log,
                outcome: Outcome::Stuck {
                    left_done: done.iter().map(|s| s.name).collect(),
                },
            };
        }
        done.pop();
    }
    SagaRun {
        log,
        outcome: Outcome::Compensated,
    }
}

/// The chapter's trip: reserve a flight, reserve a hotel, charge the card.
pub fn trip() -> Vec<Step> {
    vec![
        Step::new("reserve flight", "cancel flight"),
        Step::new("reserve hotel", "cancel hotel"),
        Step::new("charge card", "refund card"),
    ]
}

//! The saga orchestrator: completed, compensated, and stuck.

use coordination::saga::{run, trip, Log, Outcome, Step};

#[test]
fn a_saga_with_no_failure_completes() {
    assert_eq!(run(&trip(), 3).outcome, Outcome::Completed);
}

#[test]
fn a_failed_step_is_compensated_newest_first() {
    let mut steps = trip();
    steps[2] = steps[2].clone().failing();
    let r = run(&steps, 3);
    assert_eq!(r.outcome, Outcome::Compensated);
    assert_eq!(
        r.log,
        vec![
            Log::Done("reserve flight"),
            Log::Done("reserve hotel"),
            Log::Failed("charge card"),
            Log::Undone("cancel hotel"),
            Log::Undone("cancel flight"),
        ]
    );
}

#[test]
fn a_compensation_that_fails_is_retried() {
    let mut steps = trip();
    steps[1] = steps[1].clone().undo_fails(2);
    steps[2] = steps[2].clone().failing();
    let r = run(&steps, 3);
    assert_eq!(r.outcome, Outcome::Compensated);
    assert!(r.log.contains(&Log::UndoFailed("cancel hotel", 2)));
}

#[test]
fn a_compensation_that_keeps_failing_leaves_the_saga_stuck() {
    // The failure mode of the pattern: the way back can fail too, and then the effects stay.
    let steps = vec![
        Step::new("reserve flight", "cancel flight"),
        Step::new("reserve hotel", "cancel hotel").undo_fails(u32::MAX),
        Step::new("charge card", "refund card").failing(),
    ];
    let r = run(&steps, 3);
    assert_eq!(
        r.outcome,
        Outcome::Stuck {
            left_done: vec!["reserve flight", "reserve hotel"]
        }
    );
    assert!(!r.log.contains(&Log::Undone("cancel flight")));
}

//! Two-phase commit: what a reader of the chapter should see at each crash point.

use transactions::twopc::{Crash, Decision, Scenario};

#[test]
fn the_happy_path_commits_everywhere_with_one_forced_write() {
    let r = Scenario::new(Crash::None).run();
    assert_eq!(r.decision, Some(Decision::Commit));
    assert_eq!(r.forced_writes, 1);
    for p in &r.participants {
        assert_eq!(p.outcome, Some(Decision::Commit));
        // Vote at 5 ms, decision back at 15 ms: two message delays in doubt.
        assert_eq!(p.in_doubt_ms, 10);
    }
}

#[test]
fn a_coordinator_down_after_prepare_blocks_every_participant_with_its_locks() {
    let r = Scenario::new(Crash::CoordinatorAfterPrepare)
        .never_restart()
        .run();
    assert_eq!(r.decision, None);
    assert_eq!(r.blocked(), 2);
    for p in &r.participants {
        assert_eq!(p.outcome, None);
        assert_eq!(p.locked_ms, 3000, "locked until the run ends");
        assert!(p.queries > 20, "asked {} times, never answered", p.queries);
    }
    assert!(r.atomic());
}

#[test]
fn recovery_without_a_commit_record_presumes_abort() {
    let r = Scenario::new(Crash::CoordinatorAfterPrepare).run();
    assert_eq!(r.decision, Some(Decision::Abort));
    assert_eq!(r.forced_writes, 0);
    assert!(r
        .timeline
        .iter()
        .any(|l| l.contains("no commit in its log: presumed abort")));
    for p in &r.participants {
        assert_eq!(p.outcome, Some(Decision::Abort));
        assert_eq!(
            p.in_doubt_ms, 1010,
            "blocked for the whole second the coordinator was down"
        );
    }
}

#[test]
fn recovery_with_a_commit_record_finishes_the_commit() {
    for crash in [
        Crash::CoordinatorAfterDecision,
        Crash::CoordinatorAfterFirstCommit,
    ] {
        let r = Scenario::new(crash).run();
        assert_eq!(r.decision, Some(Decision::Commit), "{}", crash.name());
        assert!(r
            .participants
            .iter()
            .all(|p| p.outcome == Some(Decision::Commit)));
        assert!(r.timeline.last().unwrap().contains("logged end"));
    }
    // After the first commit went out, only the second participant waits for the restart.
    let r = Scenario::new(Crash::CoordinatorAfterFirstCommit).run();
    assert_eq!(r.participants[0].in_doubt_ms, 10);
    assert_eq!(r.participants[1].in_doubt_ms, 1010);
}

#[test]
fn a_participant_that_has_not_voted_may_abort_and_one_that_has_may_not() {
    let before = Scenario::new(Crash::ParticipantBeforeVote).run();
    assert_eq!(before.decision, Some(Decision::Abort));
    assert!(before.atomic());
    // The yes voter waits for the coordinator's vote timeout (100 ms), not for the crashed node.
    assert_eq!(before.participants[1].in_doubt_ms, 100);

    let after = Scenario::new(Crash::ParticipantAfterVote).run();
    assert_eq!(after.decision, Some(Decision::Commit));
    assert!(after
        .timeline
        .iter()
        .any(|l| l.contains("p1           restarted, found prepared in its log")));
    assert_eq!(after.participants[0].outcome, Some(Decision::Commit));
}

#[test]
fn one_no_vote_aborts_everyone_without_a_forced_write() {
    let r = Scenario::new(Crash::None).no_vote(2).run();
    assert_eq!(r.decision, Some(Decision::Abort));
    assert_eq!(r.forced_writes, 0);
    assert!(r
        .participants
        .iter()
        .all(|p| p.outcome == Some(Decision::Abort)));
}

#[test]
fn a_heuristic_abort_unblocks_a_participant_and_breaks_atomicity() {
    let r = Scenario::new(Crash::CoordinatorAfterFirstCommit)
        .never_restart()
        .heuristic_abort_after_ms(500)
        .run();
    assert_eq!(r.participants[0].outcome, Some(Decision::Commit));
    assert_eq!(r.participants[1].outcome, Some(Decision::Abort));
    assert!(!r.atomic());
    assert!(r.to_string().ends_with("atomic: NO"));
}

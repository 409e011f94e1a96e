//! The script interface the outside referees check, and the checker's names for the anomalies.

use transactions::script::{run, Player};
use transactions::step::parse;

#[test]
fn a_blocked_transaction_asked_for_another_step_is_refused_with_its_line() {
    let script = "T1 begin read-committed\nT2 begin read-committed\n\n# T2 will wait\nT1 set 1 11\nT2 set 1 12\nT2 get 2\n";
    let error = run(script).unwrap_err();
    assert_eq!(error.line, 7);
    assert!(error.to_string().starts_with("line 7: T2 is blocked"));
}

#[test]
fn steps_echo_single_spaced_and_comments_are_ignored() {
    let out = run("T1   begin   serializable  # a comment\nT1 select  value  %  3 = 0\n").unwrap();
    assert_eq!(
        out,
        [
            "T1 begin serializable -> ok",
            "T1 select value % 3 = 0 -> {}"
        ]
    );
}

fn anomaly(script: &str) -> Option<String> {
    let mut player = Player::new();
    for line in parse(script).unwrap() {
        player.play(&line).unwrap();
    }
    transactions::adya::check(&player.store.history()).map(|f| f.to_string())
}

#[test]
fn the_checker_names_write_skew_under_repeatable_read_and_nothing_under_serializable() {
    let rr = include_str!("../scripts/g2-item-repeatable-read.txt");
    let finding = anomaly(rr).expect("write skew");
    assert!(finding.starts_with("G2-item: "), "{finding}");
    let ser = include_str!("../scripts/g2-item-serializable.txt");
    assert_eq!(anomaly(ser), None);
}

#[test]
fn the_checker_names_read_skew_and_predicate_cycles() {
    let skew = anomaly(include_str!("../scripts/g-single-read-committed.txt")).unwrap();
    assert!(skew.starts_with("G-single: "), "{skew}");
    let g2 = anomaly(include_str!("../scripts/g2-repeatable-read.txt")).unwrap();
    assert!(g2.starts_with("G2: "), "{g2}");
    assert_eq!(
        anomaly(include_str!("../scripts/g2-serializable.txt")),
        None
    );
}

#[test]
fn a_row_deleted_after_a_rolled_back_update_reads_as_deleted_by_the_deleter() {
    // A serial history: a cycle here would be the store logging T3's scan as a read of the
    // version before T1's update, through the pointer T2's rolled-back update left behind.
    let script = include_str!("../scripts/rule-rc-delete-after-rolled-back-update.txt");
    assert_eq!(anomaly(script), None);
}

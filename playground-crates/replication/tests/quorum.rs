//! R + W > N is an overlap, not linearizability: the checker's verdicts on leaderless runs.

use replication::quorum::{in_flight_write, partitioned_write, Quorum, ReadRepair};

#[test]
fn overlapping_quorums_still_give_a_stale_read_after_a_fresh_one() {
    assert!(Quorum::majority().overlaps());
    let run = in_flight_write(ReadRepair::None);
    assert!(!run.linearizable(), "{:#?}", run.lines);
    assert!(run
        .lines
        .iter()
        .any(|l| l.contains("reader-1") && l.ends_with("→ 2")));
    assert!(run
        .lines
        .iter()
        .any(|l| l.contains("reader-2") && l.ends_with("→ 1")));
}

#[test]
fn blocking_read_repair_closes_that_gap() {
    let run = in_flight_write(ReadRepair::Blocking);
    assert!(run.linearizable(), "{:#?}", run.lines);
}

#[test]
fn a_sloppy_quorum_acknowledges_a_write_that_a_quorum_read_then_misses() {
    let sloppy = partitioned_write(true);
    assert!(
        sloppy
            .lines
            .iter()
            .any(|l| l.contains("put x=2 acknowledged")),
        "{:#?}",
        sloppy.lines
    );
    assert!(!sloppy.linearizable(), "{:#?}", sloppy.lines);
    // After the heal the hint is handed over and the read sees the write.
    assert!(
        sloppy.lines.last().unwrap().ends_with("→ 2"),
        "{:#?}",
        sloppy.lines
    );
    let strict = partitioned_write(false);
    assert!(
        strict.lines.iter().any(|l| l.contains("timed out")),
        "{:#?}",
        strict.lines
    );
    assert!(strict.linearizable(), "{:#?}", strict.lines);
}

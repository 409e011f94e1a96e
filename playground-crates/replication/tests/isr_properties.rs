//! The ISR guarantee over random histories: with unclean leader election off, an `acks=all` record
//! that was acknowledged is never lost, whatever order replicas crash, restart, fetch and lag in;
//! and consumers never read past the high watermark. With unclean election on, the first promise
//! can fail, and proptest finds a history where it does.

use proptest::prelude::*;
use replication::isr::{Acks, Partition, PartitionConfig};

#[derive(Debug, Clone)]
enum Step {
    Produce,
    Fetch(usize),
    Tick,
    Crash(usize),
    Restart(usize),
    Elect,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => Just(Step::Produce),
        4 => (0usize..3).prop_map(Step::Fetch),
        2 => Just(Step::Tick),
        1 => (0usize..3).prop_map(Step::Crash),
        1 => (0usize..3).prop_map(Step::Restart),
        1 => Just(Step::Elect),
    ];
    prop::collection::vec(step, 1..60)
}

/// Runs `steps` with 4 s of virtual time between them (so a follower that stops fetching leaves
/// the ISR after three steps), checking the high-watermark rule after every step. Returns the
/// partition and whether an acknowledged `acks=all` record was ever missing from a live leader.
fn run(steps: &[Step], unclean: bool) -> (Partition, bool) {
    let mut config = PartitionConfig::new(3, 2);
    config.unclean_leader_election = unclean;
    let mut p = Partition::new(config);
    let mut lost = false;
    for (i, step) in steps.iter().enumerate() {
        let now = 4_000 * (i as u64 + 1);
        match step {
            Step::Produce => {
                let _ = p.produce(&format!("v{i}"), Acks::All, now);
            }
            Step::Fetch(r) => p.fetch(*r, now),
            Step::Tick => p.tick(now),
            Step::Crash(r) => p.crash(*r),
            Step::Restart(r) => p.restart(*r),
            Step::Elect => {
                if p.leader().is_none() {
                    let _ = p.elect(now);
                }
            }
        }
        let hw = p.high_watermark();
        assert!(
            p.consume(0).iter().all(|r| r.offset < hw),
            "a consumer read past the high watermark"
        );
        lost |= !p.lost_acknowledged().is_empty();
    }
    (p, lost)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn clean_elections_never_lose_an_acknowledged_acks_all_record(steps in steps()) {
        let (_, lost) = run(&steps, false);
        prop_assert!(!lost);
    }
}

#[test]
fn unclean_elections_can_lose_one() {
    // Replica 2 lags out of the ISR, two records are acknowledged by 0 and 1, both crash, 2 leads.
    let steps = [
        Step::Produce,
        Step::Fetch(1),
        Step::Fetch(2),
        Step::Produce,
        Step::Fetch(1),
        Step::Tick,
        Step::Tick,
        Step::Tick,
        Step::Fetch(1),
        Step::Crash(0),
        Step::Crash(1),
        Step::Elect,
    ];
    let (p, lost) = run(&steps, false);
    assert!(!lost);
    assert_eq!(p.leader(), None, "clean: offline rather than lossy");
    let (p, lost) = run(&steps, true);
    assert!(lost, "unclean: the acknowledged record is gone");
    assert_eq!(p.leader(), Some(2));
}

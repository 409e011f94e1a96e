//! Raft's safety properties, and the lock on top of it.

use std::collections::BTreeMap;

use coordination::raft::{cluster, submit, Command, Report};
use proptest::prelude::*;
use sim::{NodeId, Time};

#[test]
fn a_leader_is_elected_and_a_grant_is_applied_everywhere() {
    let mut world = cluster(5, 7);
    submit(
        &mut world,
        Time::from_millis(1_000),
        Command::Acquire { client: 1 },
    );
    world.run_until(Time::from_millis(1_500));
    let leaders: Vec<_> = world
        .outputs()
        .iter()
        .filter(|r| matches!(r.output, Report::Leader { .. }))
        .collect();
    assert_eq!(leaders.len(), 1);
    let grants = world
        .outputs()
        .iter()
        .filter(|r| {
            r.output
                == Report::Granted {
                    client: 1,
                    token: 1,
                    term: 1,
                }
        })
        .count();
    assert_eq!(grants, 5, "every node applied the same grant");
}

#[test]
fn a_minority_cannot_grant_the_lock() {
    // Consensus buys safety with availability: cut 3 of 5 nodes off, and the two left cannot
    // commit anything, so the lock is unavailable rather than unsafe.
    let mut world = cluster(5, 3);
    world.run_until(Time::from_millis(1_000));
    let leader = world
        .node_ids()
        .into_iter()
        .find(|&n| world.node(n).is_some_and(|r| r.is_leader()))
        .unwrap();
    let others: Vec<NodeId> = world
        .node_ids()
        .into_iter()
        .filter(|&n| n != leader)
        .collect();
    let side = [leader, others[0]];
    world.partition(sim::Partition::between(
        Time::from_millis(1_000),
        Time::MAX,
        &side,
        &others[1..],
    ));
    for n in side {
        world.send_at(
            Time::from_millis(1_100),
            n,
            n,
            coordination::raft::Msg::Client(Command::Acquire { client: 9 }),
        );
    }
    world.run_until(Time::from_millis(3_000));
    assert!(!world
        .outputs()
        .iter()
        .any(|r| matches!(r.output, Report::Granted { client: 9, .. })));
}

/// A random run: five nodes, crashes and restarts, a partition, and client commands.
fn chaotic_run(
    seed: u64,
    crashes: &[(u8, u16, u16)],
    cut: (u16, u16, u8),
    commands: &[(u16, u8, bool)],
) -> sim::World<coordination::raft::RaftNode> {
    let mut world = cluster(5, seed);
    for &(node, at, down) in crashes {
        let node = NodeId::new(node as usize % 5);
        world.crash(Time::from_millis(at as u64), node);
        world.restart(Time::from_millis(at as u64 + down as u64), node);
    }
    let (start, length, split) = cut;
    let side: Vec<NodeId> = (0..(split as usize % 3)).map(NodeId::new).collect();
    let rest: Vec<NodeId> = (side.len()..5).map(NodeId::new).collect();
    if !side.is_empty() {
        world.partition(sim::Partition::between(
            Time::from_millis(start as u64),
            Time::from_millis(start as u64 + length as u64),
            &side,
            &rest,
        ));
    }
    for &(at, client, acquire) in commands {
        let client = client as u64 % 3 + 1;
        let command = if acquire {
            Command::Acquire { client }
        } else {
            Command::Release { client }
        };
        submit(&mut world, Time::from_millis(at as u64), command);
    }
    world.run_until(Time::from_millis(5_000));
    world
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn at_most_one_leader_a_term_and_no_two_holders_in_a_term(
        seed in any::<u64>(),
        crashes in proptest::collection::vec((0u8..5, 0u16..4_000, 10u16..800), 0..4),
        cut in (0u16..4_000, 0u16..1_500, 0u8..3),
        commands in proptest::collection::vec((0u16..4_500, 0u8..3, any::<bool>()), 1..12),
    ) {
        let world = chaotic_run(seed, &crashes, cut, &commands);
        let mut leader_of: BTreeMap<u64, NodeId> = BTreeMap::new();
        let mut holder_at: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
        let mut last_token: BTreeMap<NodeId, u64> = BTreeMap::new();
        for r in world.outputs() {
            match r.output {
                Report::Leader { term } => {
                    let first = *leader_of.entry(term).or_insert(r.node);
                    prop_assert_eq!(first, r.node, "two leaders in term {}", term);
                }
                Report::Granted { client, token, term } => {
                    // Every node that applied the entry at `token` names the same holder and
                    // term: no two clients hold the lock at that point of the log, in any term.
                    let seen = *holder_at.entry(token).or_insert((client, term));
                    prop_assert_eq!(seen, (client, term), "token {} granted twice", token);
                    // A node applies its log from the start again after a restart, so its
                    // tokens go up within each life; across lives the agreement above holds.
                    let last = last_token.entry(r.node).or_insert(0);
                    *last = token.max(*last);
                }
            }
        }
        // Grants in one term are ordered by the log: between two grants to different clients
        // in the same term, the log holds the first client's release (the machine only grants
        // a free lock), so their holds never overlap.
        let grants: Vec<_> = holder_at.iter().map(|(&t, &(c, term))| (t, c, term)).collect();
        for pair in grants.windows(2) {
            prop_assert!(pair[0].0 < pair[1].0);
            prop_assert!(pair[0].2 <= pair[1].2, "a later token never has an earlier term");
        }
    }
}

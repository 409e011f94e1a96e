//! Kafka's in-sync replicas and high watermark: one partition, its leader, its followers, and the
//! rules that decide what a producer's acknowledgement is worth (Apache Kafka documentation, Design,
//! section "Replication").
//!
//! Kafka does not commit by majority. The leader keeps a set of **in-sync replicas** (ISR): the
//! followers that have kept up. A follower that has not caught up with the leader's log within
//! `replica.lag.time.max.ms` is dropped from the set, so one slow disk does not stall every write.
//! A record is **committed** once every member of the ISR has it; the offset below which everything
//! is committed is the **high watermark**, and consumers only ever read below it.
//!
//! Three settings decide the trade between durability and availability:
//!
//! - the producer's `acks`: `0` (do not wait), `1` (the leader wrote it), `all` (every current ISR
//!   member has it, that is, the high watermark passed it);
//! - the topic's `min.insync.replicas`: an `acks=all` write is refused while the ISR is smaller;
//! - `unclean.leader.election.enable`: when every ISR member is down, either wait for one to come
//!   back (the partition is offline meanwhile) or let an out-of-sync replica lead and lose whatever
//!   it never had, acknowledged records included.
//!
//! Everything is sans-IO and in virtual milliseconds: `fetch`, `tick`, `crash` and `elect` are
//! steps a test or a snippet takes in the order it chooses.
//!
//! ```
//! use replication::isr::{Acks, Partition, PartitionConfig};
//!
//! let mut p = Partition::new(PartitionConfig::new(3, 2));
//! let offset = p.produce("a", Acks::All, 0).unwrap();
//! assert!(!p.is_acknowledged(offset));   // the followers do not have it yet
//! p.fetch(1, 5);
//! p.fetch(2, 5);
//! assert!(p.is_acknowledged(offset));    // every ISR member has it: committed
//! assert_eq!(p.high_watermark(), 1);
//! ```

use std::collections::BTreeSet;
use std::fmt;

/// A replica's index in the partition's replica list (0 is the first leader).
pub type ReplicaId = usize;

/// What the producer waits for before it counts a write as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acks {
    /// Fire and forget: the producer does not wait, so nothing is ever acknowledged.
    Zero,
    /// The leader appended it to its own log; the followers may never get it.
    One,
    /// Every member of the current ISR has it (the high watermark passed it).
    All,
}

/// The partition's settings, named after the Kafka configuration each one models.
///
/// Why a struct and not constants? The book's snippets and tests turn each knob to show what it
/// buys: a larger `min_insync_replicas`, an unclean election switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionConfig {
    /// Replication factor: how many copies, leader included.
    pub replicas: usize,
    /// `min.insync.replicas`: the smallest ISR that still accepts `acks=all` writes.
    pub min_insync_replicas: usize,
    /// `replica.lag.time.max.ms`: how long a follower may go without catching up before the leader
    /// drops it from the ISR.
    pub replica_lag_time_max_ms: u64,
    /// `unclean.leader.election.enable`: may an out-of-sync replica lead when no ISR member is up?
    pub unclean_leader_election: bool,
}

impl PartitionConfig {
    /// `replicas` copies and `min.insync.replicas` of `min_insync`, with a 10-second lag limit (a
    /// round number for the examples; your Kafka version's default may differ) and unclean election
    /// off, which is Kafka's default since 0.11.0.0.
    pub fn new(replicas: usize, min_insync: usize) -> Self {
        Self {
            replicas,
            min_insync_replicas: min_insync,
            replica_lag_time_max_ms: 10_000,
            unclean_leader_election: false,
        }
    }
}

/// One record in a replica's log: its offset, the value, and the leader epoch that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Position in the partition's log, from 0.
    pub offset: u64,
    /// The payload.
    pub value: String,
    /// The leader epoch in which it was appended; two logs that disagree differ here.
    pub epoch: u64,
}

/// Why a produce request was refused. Each variant is something a Kafka producer sees as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProduceError {
    /// No replica leads the partition (it is offline until an election succeeds).
    NoLeader,
    /// `acks=all` while the ISR is smaller than `min.insync.replicas` (Kafka's
    /// `NOT_ENOUGH_REPLICAS`): refusing is the price of the durability the setting promises.
    NotEnoughReplicas {
        /// ISR members at the time.
        isr: usize,
        /// The configured minimum.
        min: usize,
    },
    /// `acks=all`, appended while the ISR was large enough, but by the time every ISR member had it
    /// the ISR had shrunk below `min.insync.replicas` (Kafka's `NOT_ENOUGH_REPLICAS_AFTER_APPEND`).
    /// The record is in the log, and consumers may read it, but the producer is told it failed:
    /// the durability it asked for was never reached.
    NotEnoughReplicasAfterAppend {
        /// ISR members when the high watermark passed the record.
        isr: usize,
        /// The configured minimum.
        min: usize,
    },
}

impl fmt::Display for ProduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoLeader => write!(f, "the partition has no leader"),
            Self::NotEnoughReplicas { isr, min } => write!(
                f,
                "not enough in-sync replicas: {isr} in the ISR, min.insync.replicas is {min}"
            ),
            Self::NotEnoughReplicasAfterAppend { isr, min } => write!(
                f,
                "appended, but the ISR shrank to {isr} before it committed (min.insync.replicas is {min})"
            ),
        }
    }
}

impl std::error::Error for ProduceError {}

/// How an election went: which replica leads now, and whether it came from the ISR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Election {
    /// A live ISR member took over; it has every committed record.
    Clean(ReplicaId),
    /// No ISR member was up and unclean election is on: an out-of-sync replica took over.
    Unclean(ReplicaId),
}

impl Election {
    /// The new leader, whichever way it was chosen.
    pub fn leader(self) -> ReplicaId {
        match self {
            Self::Clean(r) | Self::Unclean(r) => r,
        }
    }
}

/// Why no leader could be elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElectionError {
    /// Every ISR member is down and unclean election is off: the partition stays offline, which is
    /// what "prefer consistency" means.
    NoInSyncReplicaAlive,
    /// Every replica is down.
    NoReplicaAlive,
}

impl fmt::Display for ElectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInSyncReplicaAlive => {
                write!(f, "no in-sync replica is alive and unclean election is off")
            }
            Self::NoReplicaAlive => write!(f, "no replica is alive"),
        }
    }
}

impl std::error::Error for ElectionError {}

#[derive(Debug, Clone)]
struct Replica {
    log: Vec<Record>,
    alive: bool,
    /// Virtual time this follower last had everything the leader had.
    caught_up_at: u64,
}

/// One Kafka partition: the replicas' logs, the ISR, the high watermark and the records producers
/// were told are safe.
///
/// Why track acknowledgements here? The point of the model is to count what a failover loses, and
/// "lost" only means something for records a producer was told were written.
#[derive(Debug, Clone)]
pub struct Partition {
    config: PartitionConfig,
    replicas: Vec<Replica>,
    leader: Option<ReplicaId>,
    epoch: u64,
    isr: BTreeSet<ReplicaId>,
    high_watermark: u64,
    /// Every produce a leader accepted, in order. An offset can appear twice: after an unclean
    /// election the new leader hands out offsets the old one had used.
    produced: Vec<Produced>,
}

/// One accepted produce request and whether its producer was told it succeeded.
#[derive(Debug, Clone)]
struct Produced {
    offset: u64,
    value: String,
    acks: Acks,
    acknowledged: bool,
    /// Set when an `acks=all` produce was answered with an error after its append.
    refused: Option<ProduceError>,
}

impl Partition {
    /// A partition whose replicas are all up, all in sync and empty, led by replica 0.
    pub fn new(config: PartitionConfig) -> Self {
        assert!(config.replicas >= 1, "a partition has at least its leader");
        Self {
            config,
            replicas: vec![
                Replica {
                    log: Vec::new(),
                    alive: true,
                    caught_up_at: 0,
                };
                config.replicas
            ],
            leader: Some(0),
            epoch: 0,
            isr: (0..config.replicas).collect(),
            high_watermark: 0,
            produced: Vec::new(),
        }
    }

    /// The settings this partition runs with.
    pub fn config(&self) -> PartitionConfig {
        self.config
    }

    /// The current leader, if any.
    pub fn leader(&self) -> Option<ReplicaId> {
        self.leader
    }

    /// The in-sync replicas, leader included.
    pub fn isr(&self) -> Vec<ReplicaId> {
        self.isr.iter().copied().collect()
    }

    /// The high watermark: every offset below it is on every ISR member, so committed.
    pub fn high_watermark(&self) -> u64 {
        self.high_watermark
    }

    /// A replica's log end offset: the offset its next record would get.
    pub fn log_end(&self, replica: ReplicaId) -> u64 {
        self.replicas[replica].log.len() as u64
    }

    /// A replica's log, for tests and snippets that show who holds what.
    pub fn log(&self, replica: ReplicaId) -> &[Record] {
        &self.replicas[replica].log
    }

    /// Whether the producer of the latest record written at `offset` has been told it succeeded.
    pub fn is_acknowledged(&self, offset: u64) -> bool {
        self.produced
            .iter()
            .rev()
            .find(|p| p.offset == offset)
            .is_some_and(|p| p.acknowledged)
    }

    /// The error an `acks=all` produce of `offset` was answered with after its append, if any: the
    /// ISR shrank below `min.insync.replicas` before the record committed.
    pub fn refusal(&self, offset: u64) -> Option<ProduceError> {
        self.produced
            .iter()
            .rev()
            .find(|p| p.offset == offset)
            .and_then(|p| p.refused)
    }

    /// A produce request at time `now`. The leader appends the value; with `acks=1` it is
    /// acknowledged at once, with `acks=all` once the high watermark passes it, with `acks=0` never
    /// (the producer did not ask). Refused without a leader, or for `acks=all` while the ISR is
    /// below `min.insync.replicas`.
    pub fn produce(&mut self, value: &str, acks: Acks, now: u64) -> Result<u64, ProduceError> {
        let leader = self.leader.ok_or(ProduceError::NoLeader)?;
        if acks == Acks::All && self.isr.len() < self.config.min_insync_replicas {
            return Err(ProduceError::NotEnoughReplicas {
                isr: self.isr.len(),
                min: self.config.min_insync_replicas,
            });
        }
        let offset = self.log_end(leader);
        let epoch = self.epoch;
        let replica = &mut self.replicas[leader];
        replica.log.push(Record {
            offset,
            value: value.to_string(),
            epoch,
        });
        replica.caught_up_at = now;
        self.produced.push(Produced {
            offset,
            value: value.to_string(),
            acks,
            acknowledged: acks == Acks::One,
            refused: None,
        });
        self.advance_high_watermark();
        Ok(offset)
    }

    /// Follower `follower` fetches from the leader at `now`, as Kafka followers do: it copies what
    /// it lacks, and if that leaves it level with the leader it counts as caught up. A follower out
    /// of the ISR rejoins once its log reaches the high watermark. A dead follower, or one asked to
    /// fetch while there is no leader, does nothing.
    pub fn fetch(&mut self, follower: ReplicaId, now: u64) {
        let Some(leader) = self.leader else { return };
        if follower == leader || !self.replicas[follower].alive {
            return;
        }
        let leader_log = self.replicas[leader].log.clone();
        let replica = &mut self.replicas[follower];
        // A follower whose log diverged (it was ahead under an older leader) truncates first.
        let common = replica
            .log
            .iter()
            .zip(&leader_log)
            .take_while(|(a, b)| a == b)
            .count();
        replica.log.truncate(common);
        replica.log.extend_from_slice(&leader_log[common..]);
        replica.caught_up_at = now;
        if !self.isr.contains(&follower) && self.log_end(follower) >= self.high_watermark {
            self.isr.insert(follower);
        }
        self.advance_high_watermark();
    }

    /// The leader's periodic check at `now`: drop every follower that has not caught up within
    /// `replica.lag.time.max.ms`. Shrinking the ISR can let the high watermark, and so waiting
    /// `acks=all` writes, move on.
    pub fn tick(&mut self, now: u64) {
        let Some(leader) = self.leader else { return };
        let limit = self.config.replica_lag_time_max_ms;
        let lagging: Vec<ReplicaId> = self
            .isr
            .iter()
            .copied()
            .filter(|&r| r != leader && now.saturating_sub(self.replicas[r].caught_up_at) > limit)
            .collect();
        for r in lagging {
            self.isr.remove(&r);
        }
        self.advance_high_watermark();
    }

    /// Replica `replica` stops. Its log stays on disk. If it led, the partition has no leader until
    /// [`Partition::elect`] succeeds; the ISR keeps its last membership, as the controller records it.
    pub fn crash(&mut self, replica: ReplicaId) {
        self.replicas[replica].alive = false;
        if self.leader == Some(replica) {
            self.leader = None;
        }
    }

    /// Replica `replica` starts again with the log it had; it must fetch to catch up.
    pub fn restart(&mut self, replica: ReplicaId) {
        self.replicas[replica].alive = true;
    }

    /// The controller picks a leader at `now`: a live ISR member if there is one; otherwise, only if
    /// unclean election is on, any live replica, whose log becomes the truth. The new leader counts
    /// as caught up and the ISR restarts from it.
    pub fn elect(&mut self, now: u64) -> Result<Election, ElectionError> {
        let alive = |r: &ReplicaId| self.replicas[*r].alive;
        let election = if let Some(&r) = self.isr.iter().find(|r| alive(r)) {
            Election::Clean(r)
        } else if !(0..self.replicas.len()).any(|r| alive(&r)) {
            return Err(ElectionError::NoReplicaAlive);
        } else if self.config.unclean_leader_election {
            let r = (0..self.replicas.len())
                .find(|r| alive(r))
                .expect("one is alive");
            Election::Unclean(r)
        } else {
            return Err(ElectionError::NoInSyncReplicaAlive);
        };
        let leader = election.leader();
        self.leader = Some(leader);
        self.epoch += 1;
        self.replicas[leader].caught_up_at = now;
        if let Election::Unclean(_) = election {
            // Its log is the truth now: the high watermark cannot be past its end.
            self.isr = BTreeSet::from([leader]);
            self.high_watermark = self.high_watermark.min(self.log_end(leader));
        } else {
            self.isr.retain(|r| self.replicas[*r].alive);
        }
        self.advance_high_watermark();
        Ok(election)
    }

    /// What a consumer can read from `from`: only committed records, those below the high
    /// watermark, from the leader's log. Kafka promises consumers never see a record a failover
    /// could take back.
    pub fn consume(&self, from: u64) -> Vec<Record> {
        let Some(leader) = self.leader else {
            return Vec::new();
        };
        self.replicas[leader]
            .log
            .iter()
            .filter(|r| r.offset >= from && r.offset < self.high_watermark)
            .cloned()
            .collect()
    }

    /// Acknowledged records that the current leader's log no longer holds (or holds with another
    /// value): the writes a producer was told were safe, and are gone.
    pub fn lost_acknowledged(&self) -> Vec<(u64, String)> {
        let Some(leader) = self.leader else {
            return Vec::new();
        };
        let log = &self.replicas[leader].log;
        self.produced
            .iter()
            .filter(|p| p.acknowledged)
            .filter(|p| {
                log.get(p.offset as usize)
                    .is_none_or(|r| r.value != p.value)
            })
            .map(|p| (p.offset, p.value.clone()))
            .collect()
    }

    /// Moves the high watermark to the smallest matching log end among the leader's ISR, then
    /// acknowledges every `acks=all` record below it. Never moves backwards, except when an unclean
    /// election makes a shorter log the truth.
    fn advance_high_watermark(&mut self) {
        let Some(leader) = self.leader else { return };
        // A follower counts only up to where its log matches the leader's: after a change of
        // leader it may hold records of the old epoch at offsets the new leader reuses.
        let leader_log = &self.replicas[leader].log;
        let matched = |r: ReplicaId| {
            self.replicas[r]
                .log
                .iter()
                .zip(leader_log)
                .take_while(|(a, b)| a == b)
                .count() as u64
        };
        let min_end = self
            .isr
            .iter()
            .map(|&r| matched(r))
            .min()
            .unwrap_or_else(|| self.log_end(leader));
        if min_end > self.high_watermark {
            self.high_watermark = min_end;
        }
        let hw = self.high_watermark;
        let leader_log = &self.replicas[leader].log;
        // Kafka answers a waiting `acks=all` produce once the high watermark passes it, and checks
        // the ISR again then: an ISR that shrank below the minimum after the append means an error,
        // not an acknowledgement (Partition.checkEnoughReplicasReachOffset).
        let (isr, min) = (self.isr.len(), self.config.min_insync_replicas);
        for p in &mut self.produced {
            let held = leader_log
                .get(p.offset as usize)
                .is_some_and(|r| r.value == p.value);
            let waiting = p.acks == Acks::All && !p.acknowledged && p.refused.is_none();
            if waiting && p.offset < hw && held {
                if isr >= min {
                    p.acknowledged = true;
                } else {
                    p.refused = Some(ProduceError::NotEnoughReplicasAfterAppend { isr, min });
                }
            }
        }
    }
}

/// The book's failover story, run both ways: three replicas, `min.insync.replicas = 2`, `acks=all`.
/// Replica 2 falls behind and leaves the ISR; records `r1` to `r3` are acknowledged by the leader
/// and replica 1; then both crash, leaving only replica 2.
///
/// Why a function? The page, the tests and the snippets all tell this story; one copy keeps them
/// telling it the same way.
pub fn leaders_die(unclean: bool) -> FailoverReport {
    let mut config = PartitionConfig::new(3, 2);
    config.unclean_leader_election = unclean;
    let mut p = Partition::new(config);
    p.produce("r0", Acks::All, 0).expect("all three in sync");
    p.fetch(1, 10);
    p.fetch(2, 10);
    // Replica 2 stops fetching (a slow disk); 10 s later it is out of the ISR.
    for (i, t) in [(1, 2_000), (2, 4_000), (3, 6_000)] {
        p.produce(&format!("r{i}"), Acks::All, t)
            .expect("ISR of 3 or 2");
        p.fetch(1, t + 10);
    }
    p.tick(10_011);
    let isr_after_lag = p.isr();
    let acknowledged = (0..4).filter(|&o| p.is_acknowledged(o)).count();
    p.crash(0);
    p.crash(1);
    let election = p.elect(20_000);
    let lost = p.lost_acknowledged();
    let readable = p.consume(0).len();
    FailoverReport {
        isr_after_lag,
        acknowledged,
        election,
        lost,
        readable,
        partition: p,
    }
}

/// What [`leaders_die`] saw.
#[derive(Debug, Clone)]
pub struct FailoverReport {
    /// The ISR once replica 2 had lagged past the limit.
    pub isr_after_lag: Vec<ReplicaId>,
    /// Records acknowledged to the producer before the crash.
    pub acknowledged: usize,
    /// The controller's answer with replicas 0 and 1 down.
    pub election: Result<Election, ElectionError>,
    /// Acknowledged records the new leader does not have.
    pub lost: Vec<(u64, String)>,
    /// Records a consumer can read from offset 0 afterwards.
    pub readable: usize,
    /// The partition, to keep going (restart replica 1, elect again).
    pub partition: Partition,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_all_waits_for_every_isr_member() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        let a = p.produce("a", Acks::All, 0).unwrap();
        p.fetch(1, 1);
        assert!(
            !p.is_acknowledged(a),
            "replica 2 is in the ISR and lacks it"
        );
        assert_eq!(p.high_watermark(), 0);
        p.fetch(2, 2);
        assert!(p.is_acknowledged(a));
        assert_eq!(p.high_watermark(), 1);
    }

    #[test]
    fn acks_one_is_acknowledged_by_the_leader_alone() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        let a = p.produce("a", Acks::One, 0).unwrap();
        assert!(p.is_acknowledged(a));
        assert_eq!(p.high_watermark(), 0, "acknowledged is not committed");
        let z = p.produce("z", Acks::Zero, 0).unwrap();
        assert!(!p.is_acknowledged(z), "acks=0 asks for no acknowledgement");
    }

    #[test]
    fn a_follower_leaves_the_isr_only_after_the_lag_limit() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        p.produce("a", Acks::All, 0).unwrap();
        p.fetch(1, 5);
        // Replica 2 never fetches. At exactly the limit it is still in; one ms later it is out.
        p.tick(10_000);
        assert_eq!(p.isr(), vec![0, 1, 2]);
        assert!(!p.is_acknowledged(0), "still waiting for replica 2");
        p.tick(10_001);
        assert_eq!(p.isr(), vec![0, 1]);
        assert!(p.is_acknowledged(0), "the smaller ISR has it: committed");
    }

    #[test]
    fn a_follower_rejoins_once_it_reaches_the_high_watermark() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        p.produce("a", Acks::All, 0).unwrap();
        p.fetch(1, 5);
        p.tick(10_001);
        assert_eq!(p.isr(), vec![0, 1]);
        p.fetch(2, 10_002);
        assert_eq!(p.isr(), vec![0, 1, 2]);
    }

    #[test]
    fn an_isr_that_shrinks_below_the_minimum_after_the_append_fails_the_produce() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        let a = p.produce("a", Acks::All, 0).unwrap(); // the ISR is 3: appended
                                                       // Neither follower fetches; past the lag limit both leave, and the leader alone has `a`.
        p.tick(10_001);
        assert_eq!(p.isr(), vec![0]);
        assert_eq!(p.high_watermark(), 1, "committed by the ISR of one");
        assert!(!p.is_acknowledged(a), "the producer must not hear 'ok'");
        assert_eq!(
            p.refusal(a),
            Some(ProduceError::NotEnoughReplicasAfterAppend { isr: 1, min: 2 })
        );
        // Followers catching up later do not turn the error into an acknowledgement.
        p.fetch(1, 10_002);
        assert_eq!(p.isr(), vec![0, 1]);
        assert!(!p.is_acknowledged(a));
    }

    #[test]
    fn min_insync_refuses_acks_all_but_not_acks_one() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        p.tick(10_001); // neither follower ever fetched
        assert_eq!(p.isr(), vec![0]);
        assert_eq!(
            p.produce("a", Acks::All, 10_002),
            Err(ProduceError::NotEnoughReplicas { isr: 1, min: 2 })
        );
        assert!(p.produce("b", Acks::One, 10_003).is_ok());
    }

    #[test]
    fn consumers_read_only_below_the_high_watermark() {
        let mut p = Partition::new(PartitionConfig::new(3, 2));
        for (i, v) in ["a", "b", "c"].iter().enumerate() {
            p.produce(v, Acks::All, i as u64).unwrap();
        }
        p.fetch(1, 3);
        p.fetch(2, 3);
        p.produce("d", Acks::All, 4).unwrap();
        assert_eq!(p.log_end(0), 4, "the leader has d");
        assert_eq!(p.high_watermark(), 3);
        let read: Vec<String> = p.consume(0).into_iter().map(|r| r.value).collect();
        assert_eq!(
            read,
            ["a", "b", "c"],
            "d is not committed, so no consumer sees it"
        );
    }

    #[test]
    fn clean_election_loses_no_acknowledged_record() {
        let report = leaders_die(false);
        assert_eq!(report.isr_after_lag, vec![0, 1]);
        assert_eq!(report.acknowledged, 4);
        assert_eq!(report.election, Err(ElectionError::NoInSyncReplicaAlive));
        let mut p = report.partition;
        assert_eq!(
            p.produce("x", Acks::One, 20_001),
            Err(ProduceError::NoLeader)
        );
        p.restart(1);
        assert_eq!(p.elect(30_000), Ok(Election::Clean(1)));
        assert!(p.lost_acknowledged().is_empty());
        assert_eq!(p.consume(0).len(), 4);
    }

    #[test]
    fn unclean_election_loses_acknowledged_records() {
        let report = leaders_die(true);
        assert_eq!(report.election, Ok(Election::Unclean(2)));
        let lost: Vec<&str> = report.lost.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(lost, ["r1", "r2", "r3"]);
        assert_eq!(report.readable, 1, "only r0 is left to read");
        // Replica 1 comes back and follows the new leader: it throws away what the leader lacks.
        let mut p = report.partition;
        p.restart(1);
        p.produce("r4", Acks::All, 20_001).unwrap_err(); // ISR {2} < 2
        p.fetch(1, 20_002);
        assert_eq!(p.log(1).len(), 1, "r1 to r3 truncated from replica 1");
        assert_eq!(p.isr(), vec![1, 2]);
    }

    #[test]
    fn acks_all_with_min_insync_one_can_lose_an_acknowledged_write() {
        // The docs' example: two replicas, one fails, acks=all still succeeds on the leader alone,
        // and the write is lost if that replica fails too.
        let mut config = PartitionConfig::new(2, 1);
        config.unclean_leader_election = true;
        let mut p = Partition::new(config);
        p.crash(1);
        p.tick(10_001);
        assert_eq!(p.isr(), vec![0]);
        let a = p.produce("a", Acks::All, 10_002).unwrap();
        assert!(p.is_acknowledged(a), "the ISR is just the leader");
        p.crash(0);
        p.restart(1);
        assert_eq!(p.elect(10_003), Ok(Election::Unclean(1)));
        assert_eq!(p.lost_acknowledged(), vec![(0, "a".to_string())]);
    }
}

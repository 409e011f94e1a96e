//! Commit wait: how Spanner turns an uncertain clock into external consistency (Corbett et al.,
//! OSDI 2012, section 4.1.2).
//!
//! External consistency says: if transaction T2 starts after T1 has committed, T2's commit
//! timestamp is larger than T1's. Two rules give it:
//!
//! - **Start.** The coordinator picks `s = TT.now().latest`, so `s` is no earlier than the true
//!   time of the commit request.
//! - **Commit wait.** Nobody may see T1's writes until `TT.after(s)` holds, so `s` is in the past
//!   when T1 becomes visible.
//!
//! Then `s1 < visible(T1) < start(T2) ≤ s2`. Skip the wait and the first link is gone: a server
//! whose clock runs ahead, or whose ε is wide, can hand T1 a timestamp later than the one a second
//! server hands T2 a moment afterwards, and the database orders them backwards. The expected wait is
//! about 2ε, because `s` sits ε above the local reading and `TT.after(s)` needs the reading to be
//! ε above `s`.
//!
//! ```
//! use clocks::commit_wait::Scenario;
//!
//! let with_wait = Scenario::two_servers(4_000, true).run();
//! assert!(with_wait.externally_consistent());
//! let without = Scenario::two_servers(4_000, false).run();
//! assert!(!without.externally_consistent());
//! ```

use crate::truetime::{Micros, Sawtooth, ServerClock, TtInterval};

/// One committed transaction, as the coordinator on its server saw it.
///
/// Why keep the interval and the wait, not just the timestamp? The book shows the reader all three:
/// the interval is where the timestamp comes from, and the wait is what commit wait costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commit {
    /// Which server coordinated it (0 is A, 1 is B).
    pub server: usize,
    /// True time the commit request reached the coordinator.
    pub arrived: Micros,
    /// `TT.now()` at that instant.
    pub interval: TtInterval,
    /// The commit timestamp `s = interval.latest`.
    pub timestamp: Micros,
    /// How long the coordinator held the result back (0 without commit wait).
    pub wait_us: Micros,
    /// True time the writes became visible: `arrived + wait_us`.
    pub visible_at: Micros,
}

impl Commit {
    /// Apply the two rules on `clock`: take `TT.now().latest` at `arrived`, then, if `wait`, hold
    /// the result until `TT.after(timestamp)`.
    pub fn coordinate(server: usize, clock: &ServerClock, arrived: Micros, wait: bool) -> Self {
        let interval = clock.now(arrived);
        let timestamp = interval.latest;
        let visible_at = if wait {
            clock.first_after(timestamp, arrived)
        } else {
            arrived
        };
        Self {
            server,
            arrived,
            interval,
            timestamp,
            wait_us: visible_at - arrived,
            visible_at,
        }
    }
}

/// Two transactions on two servers, the second starting after the first is visible: the smallest
/// setting in which external consistency can fail.
///
/// Why two servers? On one server a single leader hands out increasing timestamps without any wait
/// (Spanner's monotonicity invariant); the danger is two clocks that disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// Server A's clock, which coordinates T1.
    pub server_a: ServerClock,
    /// Server B's clock, which coordinates T2.
    pub server_b: ServerClock,
    /// True time T1's commit request reaches A.
    pub t1_arrives: Micros,
    /// True time between T1 becoming visible and T2's commit request reaching B.
    pub gap_us: Micros,
    /// Whether coordinators apply commit wait.
    pub commit_wait: bool,
}

/// Where the two-server scenario puts T1, in true time: one full poll interval in, so both servers
/// have synced at least once.
const START: Micros = 30_000_000;

impl Scenario {
    /// The book's scenario, on the paper's sawtooth: A's clock is 0.5 ms ahead and T1 reaches it
    /// when its ε is `epsilon_a_us` (somewhere on the 1-to-7 ms sawtooth); B's clock is 0.5 ms behind
    /// and synced just before, so its ε is about 1 ms; T2 reaches B 2 ms after T1 is visible.
    ///
    /// Why these numbers? Each is inside the bounds TrueTime promises, so nothing here is a broken
    /// clock: a half-millisecond skew each way is within the 1 ms base, and 2 ms is a plausible time
    /// for a client to see T1 and start T2. Without the wait, the scenario breaks as soon as A's ε
    /// reaches 2 ms, a sixth of the way up the sawtooth. Asked for 7 ms, A gets 6.996 ms: the
    /// commit happens 20 ms before A's next sync.
    pub fn two_servers(epsilon_a_us: Micros, commit_wait: bool) -> Self {
        let model = Sawtooth::paper();
        // Stop 20 ms short of A's next poll, so a 7 ms commit's wait does not straddle a sync (a
        // sync mid-wait shrinks ε and ends the wait early, which would muddle the figure).
        let since_sync = model
            .since_sync_for(epsilon_a_us)
            .min(model.poll_interval_us - 20_000);
        let a_sync = (START - since_sync) % model.poll_interval_us;
        let server_a = ServerClock::new(model, 500, 0, a_sync).expect("within the bound");
        let server_b = ServerClock::new(model, -500, 0, START).expect("within the bound");
        Self {
            server_a,
            server_b,
            t1_arrives: START,
            gap_us: 2_000,
            commit_wait,
        }
    }

    /// Run T1 on A, then T2 on B once T1 is visible and `gap_us` has passed.
    pub fn run(&self) -> Outcome {
        let t1 = Commit::coordinate(0, &self.server_a, self.t1_arrives, self.commit_wait);
        let t2_arrives = t1.visible_at + self.gap_us;
        let t2 = Commit::coordinate(1, &self.server_b, t2_arrives, self.commit_wait);
        Outcome { t1, t2 }
    }
}

/// What happened: the two commits, in real-time order (T1 visible before T2 started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The first transaction, on server A.
    pub t1: Commit,
    /// The second, on server B, started after T1 was visible.
    pub t2: Commit,
}

impl Outcome {
    /// External consistency for this pair: T2 started after T1 committed, so `s1 < s2` must hold.
    pub fn externally_consistent(&self) -> bool {
        self.t1.timestamp < self.t2.timestamp
    }

    /// `s2 - s1` in µs: positive when the timestamps agree with real time, negative (or zero) when
    /// the database would order T2 at or before T1.
    pub fn margin_us(&self) -> i64 {
        self.t2.timestamp as i64 - self.t1.timestamp as i64
    }

    /// Microseconds from T1's arrival to `t`: every time the widget and the narration show is
    /// relative to that instant, so a reader compares small numbers.
    pub fn relative(&self, t: Micros) -> i64 {
        t as i64 - self.t1.arrived as i64
    }

    /// One paragraph saying why the order came out right or wrong, with this run's numbers.
    ///
    /// Why in the crate? The widget and the book's snippets tell the same story; writing it once,
    /// next to the rule it explains, keeps them from drifting apart.
    pub fn explain(&self) -> String {
        let ms = |t: Micros| format!("{:+.1} ms", self.relative(t) as f64 / 1000.0);
        let (t1, t2) = (&self.t1, &self.t2);
        if t1.wait_us > 0 {
            format!(
                "Commit wait held T1 for {:.1} ms, until TT.after(s1) on A. So s1 ({}) < T1 visible ({}) \
                 < T2 starts ({}) <= s2 ({}): T2 is ordered after T1, whatever the two clocks' errors.",
                t1.wait_us as f64 / 1000.0,
                ms(t1.timestamp),
                ms(t1.visible_at),
                ms(t2.arrived),
                ms(t2.timestamp),
            )
        } else if self.externally_consistent() {
            format!(
                "No wait: T1 became visible at {} while s1 ({}) was still in the future. T2 started at {} \
                 and got s2 ({}), later than s1 by {:.1} ms: the gap happened to cover A's lead. Nothing \
                 guarantees it; widen ε and it will not.",
                ms(t1.visible_at),
                ms(t1.timestamp),
                ms(t2.arrived),
                ms(t2.timestamp),
                self.margin_us() as f64 / 1000.0,
            )
        } else {
            format!(
                "No wait: T1 became visible at {} while s1 ({}) was still in the future. T2 started at {}, \
                 after T1 committed, and got s2 ({}), not later than s1: the database orders T2 before T1. \
                 External consistency is broken.",
                ms(t1.visible_at),
                ms(t1.timestamp),
                ms(t2.arrived),
                ms(t2.timestamp),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_about_two_epsilon() {
        for epsilon in [1_000, 4_000, 7_000] {
            let outcome = Scenario::two_servers(epsilon, true).run();
            let e = outcome.t1.interval.epsilon();
            assert!(
                outcome.t1.wait_us > 2 * e,
                "wait {} at ε {e}",
                outcome.t1.wait_us
            );
            assert!(
                outcome.t1.wait_us <= 2 * e + 10,
                "wait {} at ε {e}",
                outcome.t1.wait_us
            );
        }
    }

    #[test]
    fn without_the_wait_nothing_is_held_back() {
        let outcome = Scenario::two_servers(4_000, false).run();
        assert_eq!(outcome.t1.wait_us, 0);
        assert_eq!(outcome.t1.visible_at, outcome.t1.arrived);
    }

    #[test]
    fn the_explanation_names_the_outcome() {
        let waited = Scenario::two_servers(4_000, true).run().explain();
        assert!(
            waited.starts_with("Commit wait held T1 for 8.0 ms"),
            "{waited}"
        );
        let broken = Scenario::two_servers(4_000, false).run().explain();
        assert!(
            broken.contains("s1 (+4.5 ms)") && broken.contains("s2 (+2.5 ms)"),
            "{broken}"
        );
        assert!(broken.ends_with("External consistency is broken."));
        let lucky = Scenario::two_servers(1_000, false).run().explain();
        assert!(lucky.contains("happened to cover"), "{lucky}");
    }

    #[test]
    fn at_one_millisecond_the_gap_still_covers_the_skew() {
        assert!(Scenario::two_servers(1_000, false)
            .run()
            .externally_consistent());
    }
}

//! Request coalescing ("single flight"): while one backend read of a key is in flight, every other
//! read of that key waits for it instead of starting its own.
//!
//! Why it matters for hot keys: when a cached hot key expires, thousands of requests miss at the
//! same instant and each one goes to the database: a thundering herd that can melt the shard the
//! cache was protecting. Coalescing turns those thousands of reads into one.
//!
//! Why sans-IO: the rule ("first reader fetches, the rest wait, the reply goes to all") is the
//! interesting part, and it is the same whether the backend is Postgres over tokio or a test's
//! `Vec`. So [`Coalescer`] only takes [`Event`]s and returns [`Action`]s; the caller does the
//! actual fetching and replying. That also makes it testable without a runtime or a clock.
//!
//! Coalescing is not caching: once the reply is handed out, the next read fetches again.
//!
//! Nor is it automatically fresh. A read that joins a fetch started *before* a write committed
//! gets the value from before the write: if that reader is the writer, it does not see its own
//! write. The fix here is that writes invalidate the fetch in flight ([`Event::WriteCommitted`]):
//! its readers so far still share it (they overlapped the write, so either value is fair), and
//! every later reader starts a new fetch. The other fix is to join only fetches that started
//! after the caller arrived.

use std::collections::HashMap;

/// Names a caller waiting for a read (a connection, a request id, a oneshot channel's slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WaiterId(pub u64);

/// Names one backend fetch, so its reply reaches the readers who joined *that* fetch, even when a
/// newer fetch of the same key is in flight too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FetchId(pub u64);

/// Something that happened, fed to [`Coalescer::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<V> {
    /// `waiter` wants the value of `key`.
    ReadRequested {
        /// Who to answer.
        waiter: WaiterId,
        /// What they asked for.
        key: String,
    },
    /// A write to `key` has committed. A fetch already in flight may have read the old value, so
    /// no later reader may join it: they start a fresh fetch instead.
    WriteCommitted {
        /// The key written.
        key: String,
    },
    /// The backend answered `fetch`. Use a `Result` as `V` to pass failures through: every
    /// waiter then gets the same error, which is what you want (one retry, not a thousand).
    BackendReplied {
        /// The fetch this answers (from [`Action::FetchFromBackend`]).
        fetch: FetchId,
        /// What the backend returned.
        value: V,
    },
}

/// Something the caller must now do, returned by [`Coalescer::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<V> {
    /// Read `key` from the backend, then feed the answer back as [`Event::BackendReplied`]
    /// with this `fetch`.
    FetchFromBackend {
        /// Which fetch this is.
        fetch: FetchId,
        /// The key to read.
        key: String,
    },
    /// Send `value` to `waiter`.
    ReplyToWaiter {
        /// Who asked.
        waiter: WaiterId,
        /// What they asked for.
        key: String,
        /// The answer, shared by every waiter of the same fetch.
        value: V,
    },
}

/// One backend read in flight and the readers who will share its answer.
#[derive(Debug, Clone)]
struct Flight {
    key: String,
    waiters: Vec<WaiterId>,
}

/// The coalescing state machine: which fetches are in flight, who waits for each, and which one
/// (if any) a new reader of a key may still join.
#[derive(Debug, Clone, Default)]
pub struct Coalescer {
    flights: HashMap<FetchId, Flight>,
    /// The fetch a new read of the key joins. A committed write removes the key from here (the
    /// fetch carries on for the readers it already has), which is what keeps read-your-writes.
    joinable: HashMap<String, FetchId>,
    next_fetch: u64,
    reads_requested: u64,
    backend_fetches: u64,
    fetches_per_key: HashMap<String, u64>,
}

impl Coalescer {
    /// No fetches in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event and says what to do about it.
    ///
    /// - A read of a key with a joinable fetch only joins its waiters: no action.
    /// - Any other read starts a fetch ([`Action::FetchFromBackend`]).
    /// - A committed write makes the key's fetch in flight unjoinable: a reader who arrives after
    ///   the write must not be handed a value read before it.
    /// - A backend reply answers every waiter of that fetch. A reply for a fetch nobody waits for
    ///   (a duplicate, or one that arrived very late) is ignored.
    pub fn handle<V: Clone>(&mut self, event: Event<V>) -> Vec<Action<V>> {
        match event {
            Event::ReadRequested { waiter, key } => {
                self.reads_requested += 1;
                if let Some(flight) = self
                    .joinable
                    .get(&key)
                    .and_then(|fetch| self.flights.get_mut(fetch))
                {
                    flight.waiters.push(waiter);
                    return Vec::new();
                }
                let fetch = FetchId(self.next_fetch);
                self.next_fetch += 1;
                self.backend_fetches += 1;
                *self.fetches_per_key.entry(key.clone()).or_default() += 1;
                self.joinable.insert(key.clone(), fetch);
                self.flights.insert(
                    fetch,
                    Flight {
                        key: key.clone(),
                        waiters: vec![waiter],
                    },
                );
                vec![Action::FetchFromBackend { fetch, key }]
            }
            Event::WriteCommitted { key } => {
                self.joinable.remove(&key);
                Vec::new()
            }
            Event::BackendReplied { fetch, value } => {
                let Some(flight) = self.flights.remove(&fetch) else {
                    return Vec::new();
                };
                if self.joinable.get(&flight.key) == Some(&fetch) {
                    self.joinable.remove(&flight.key);
                }
                flight
                    .waiters
                    .into_iter()
                    .map(|waiter| Action::ReplyToWaiter {
                        waiter,
                        key: flight.key.clone(),
                        value: value.clone(),
                    })
                    .collect()
            }
        }
    }

    /// Fetches in flight right now.
    pub fn in_flight(&self) -> usize {
        self.flights.len()
    }

    /// Reads asked for since the start.
    pub fn reads_requested(&self) -> u64 {
        self.reads_requested
    }

    /// Reads that actually went to the backend: compare with
    /// [`reads_requested`](Self::reads_requested) to see what coalescing saved.
    pub fn backend_fetches(&self) -> u64 {
        self.backend_fetches
    }

    /// Backend reads of one key since the start.
    pub fn fetches_of(&self, key: &str) -> u64 {
        self.fetches_per_key.get(key).copied().unwrap_or(0)
    }
}

/// Replays `stream` through a [`Coalescer`], one read arriving per tick, every backend read taking
/// `latency` ticks, and returns the coalescer to read its counters from.
///
/// Why a helper: the event loop (a queue of fetches due, replies fed back in order) is plumbing
/// every demo of coalescing needs, and it would otherwise be most of a snippet's lines.
pub fn replay(stream: &[&str], latency: u64) -> Coalescer {
    let mut coalescer = Coalescer::new();
    let mut due: std::collections::VecDeque<(u64, FetchId)> = Default::default();
    for (tick, &key) in stream.iter().enumerate() {
        let tick = tick as u64;
        while due.front().is_some_and(|&(at, _)| at <= tick) {
            if let Some((_, fetch)) = due.pop_front() {
                coalescer.handle(Event::BackendReplied { fetch, value: () });
            }
        }
        let read: Event<()> = Event::ReadRequested {
            waiter: WaiterId(tick),
            key: key.to_string(),
        };
        for action in coalescer.handle(read) {
            if let Action::FetchFromBackend { fetch, .. } = action {
                due.push_back((tick + latency, fetch));
            }
        }
    }
    coalescer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workload;
    use std::collections::VecDeque;

    fn read(waiter: u64, key: &str) -> Event<String> {
        Event::ReadRequested {
            waiter: WaiterId(waiter),
            key: key.to_string(),
        }
    }

    fn reply(fetch: FetchId, value: &str) -> Event<String> {
        Event::BackendReplied {
            fetch,
            value: value.to_string(),
        }
    }

    /// The fetch a list of actions starts, if it starts one.
    fn started(actions: &[Action<String>]) -> Option<FetchId> {
        actions.iter().find_map(|action| match action {
            Action::FetchFromBackend { fetch, .. } => Some(*fetch),
            Action::ReplyToWaiter { .. } => None,
        })
    }

    /// Who got which value.
    fn answers(actions: &[Action<String>]) -> Vec<(u64, String)> {
        actions
            .iter()
            .filter_map(|action| match action {
                Action::ReplyToWaiter { waiter, value, .. } => Some((waiter.0, value.clone())),
                Action::FetchFromBackend { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_thousand_concurrent_reads_make_one_backend_read() {
        let mut coalescer = Coalescer::new();
        let fetch = started(&coalescer.handle(read(0, "celebrity"))).unwrap();
        for waiter in 1..1_000 {
            assert_eq!(coalescer.handle(read(waiter, "celebrity")), vec![]);
        }
        let replies = coalescer.handle(reply(fetch, "profile"));
        assert_eq!(replies.len(), 1_000);
        assert!(answers(&replies)
            .iter()
            .all(|(_, value)| value == "profile"));
        assert_eq!(coalescer.in_flight(), 0);
        assert_eq!(coalescer.backend_fetches(), 1);
    }

    #[test]
    fn different_keys_are_fetched_separately() {
        let mut coalescer = Coalescer::new();
        let a = started(&coalescer.handle(read(1, "a"))).unwrap();
        let b = started(&coalescer.handle(read(2, "b"))).unwrap();
        assert_ne!(a, b);
        assert_eq!(coalescer.handle(read(3, "a")), vec![]);
        assert_eq!(coalescer.in_flight(), 2);
        assert_eq!(
            answers(&coalescer.handle(reply(a, "A"))),
            [(1, "A".to_string()), (3, "A".to_string())]
        );
    }

    #[test]
    fn coalescing_is_not_caching() {
        let mut coalescer = Coalescer::new();
        let first = started(&coalescer.handle(read(1, "k"))).unwrap();
        coalescer.handle(reply(first, "v1"));
        assert!(started(&coalescer.handle(read(2, "k"))).is_some());
    }

    #[test]
    fn a_reply_nobody_waits_for_is_ignored() {
        let mut coalescer = Coalescer::new();
        assert_eq!(coalescer.handle(reply(FetchId(7), "late")), vec![]);
    }

    #[test]
    fn a_read_after_a_committed_write_never_joins_the_older_fetch() {
        // Reader 1 starts a fetch; the backend reads "old" for it. Then writer 2 commits "new"
        // and reads the key back. Joining the fetch in flight would hand writer 2 "old": its own
        // write invisible to it. Without `WriteCommitted` the coalescer did exactly that.
        let mut coalescer = Coalescer::new();
        let before = started(&coalescer.handle(read(1, "balance"))).unwrap();
        coalescer.handle::<String>(Event::WriteCommitted {
            key: "balance".into(),
        });
        let after = started(&coalescer.handle(read(2, "balance")))
            .expect("the writer's read starts its own fetch");
        assert_ne!(before, after);
        // A third reader joins the fresh fetch, not the stale one.
        assert_eq!(coalescer.handle(read(3, "balance")), vec![]);
        assert_eq!(
            answers(&coalescer.handle(reply(before, "old"))),
            [(1, "old".to_string())]
        );
        assert_eq!(
            answers(&coalescer.handle(reply(after, "new"))),
            [(2, "new".to_string()), (3, "new".to_string())]
        );
        assert_eq!(coalescer.in_flight(), 0);
    }

    #[test]
    fn replay_counts_fetches_per_key() {
        let coalescer = replay(&["a", "a", "b", "a", "a"], 2);
        // a at ticks 0 (fetch, due 2), 1 (joins), 3 (fetch), 4 (joins); b once.
        assert_eq!(coalescer.fetches_of("a"), 2);
        assert_eq!(coalescer.fetches_of("b"), 1);
        assert_eq!(coalescer.backend_fetches(), 3);
    }

    #[test]
    fn a_zipf_stream_with_slow_backend_reads_saves_two_fifths_of_fetches() {
        // 20,000 reads of a Zipf(1.1) workload, one arriving per tick; every backend read takes
        // 100 ticks. The hot keys are almost always already in flight when they are read again.
        let workload = Workload::zipf(10_000, 1.1);
        let mut coalescer = Coalescer::new();
        let mut pending: VecDeque<(u64, FetchId)> = VecDeque::new();
        let mut replies = 0;
        for (tick, key) in workload.requests(20_000, 9).into_iter().enumerate() {
            let tick = tick as u64;
            while pending.front().is_some_and(|(due, _)| *due <= tick) {
                let (_, fetch) = pending.pop_front().unwrap();
                replies += coalescer.handle(reply(fetch, "value")).len();
            }
            if let Some(fetch) = started(&coalescer.handle(read(tick, key))) {
                pending.push_back((tick + 100, fetch));
            }
        }
        for (_, fetch) in pending {
            replies += coalescer.handle(reply(fetch, "value")).len();
        }
        assert_eq!(replies, 20_000, "every reader is answered");
        assert_eq!(coalescer.reads_requested(), 20_000);
        // Seeded, so exact: 40.6% of the backend reads were saved. The hot head of the
        // distribution is nearly always in flight; the long tail of one-off keys is not.
        assert_eq!(coalescer.backend_fetches(), 11_886);
    }
}

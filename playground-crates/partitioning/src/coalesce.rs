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

use std::collections::HashMap;

/// Names a caller waiting for a read (a connection, a request id, a oneshot channel's slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WaiterId(pub u64);

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
    /// The backend answered the fetch of `key`. Use a `Result` as `V` to pass failures through:
    /// every waiter then gets the same error, which is what you want (one retry, not a thousand).
    BackendReplied {
        /// The key that was fetched.
        key: String,
        /// What the backend returned.
        value: V,
    },
}

/// Something the caller must now do, returned by [`Coalescer::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<V> {
    /// Read `key` from the backend, then feed the answer back as [`Event::BackendReplied`].
    FetchFromBackend {
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

/// The coalescing state machine: which keys have a fetch in flight, and who waits for each.
#[derive(Debug, Clone, Default)]
pub struct Coalescer {
    waiting: HashMap<String, Vec<WaiterId>>,
    reads_requested: u64,
    backend_fetches: u64,
}

impl Coalescer {
    /// No fetches in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event and says what to do about it.
    ///
    /// - A read of a key with no fetch in flight starts one ([`Action::FetchFromBackend`]).
    /// - A read of a key already being fetched only joins the waiters: no action.
    /// - A backend reply answers every waiter of that key and ends the fetch. A reply for a key
    ///   nobody is waiting for (a duplicate, or one that arrived very late) is ignored.
    pub fn handle<V: Clone>(&mut self, event: Event<V>) -> Vec<Action<V>> {
        match event {
            Event::ReadRequested { waiter, key } => {
                self.reads_requested += 1;
                match self.waiting.get_mut(&key) {
                    Some(waiters) => {
                        waiters.push(waiter);
                        Vec::new()
                    }
                    None => {
                        self.backend_fetches += 1;
                        self.waiting.insert(key.clone(), vec![waiter]);
                        vec![Action::FetchFromBackend { key }]
                    }
                }
            }
            Event::BackendReplied { key, value } => {
                let waiters = self.waiting.remove(&key).unwrap_or_default();
                waiters
                    .into_iter()
                    .map(|waiter| Action::ReplyToWaiter {
                        waiter,
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect()
            }
        }
    }

    /// Keys with a fetch in flight right now.
    pub fn in_flight(&self) -> usize {
        self.waiting.len()
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

    fn reply(key: &str, value: &str) -> Event<String> {
        Event::BackendReplied {
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    #[test]
    fn a_thousand_concurrent_reads_make_one_backend_read() {
        let mut coalescer = Coalescer::new();
        let mut fetches = 0;
        for waiter in 0..1_000 {
            fetches += coalescer.handle(read(waiter, "celebrity")).len();
        }
        assert_eq!(fetches, 1);
        let replies = coalescer.handle(reply("celebrity", "profile"));
        assert_eq!(replies.len(), 1_000);
        assert!(replies.iter().all(|action| matches!(
            action,
            Action::ReplyToWaiter { value, .. } if value == "profile"
        )));
        assert_eq!(coalescer.in_flight(), 0);
    }

    #[test]
    fn different_keys_are_fetched_separately() {
        let mut coalescer = Coalescer::new();
        assert_eq!(
            coalescer.handle(read(1, "a")),
            vec![Action::FetchFromBackend { key: "a".into() }]
        );
        assert_eq!(
            coalescer.handle(read(2, "b")),
            vec![Action::FetchFromBackend { key: "b".into() }]
        );
        assert_eq!(coalescer.handle(read(3, "a")), vec![]);
        assert_eq!(coalescer.in_flight(), 2);
        let replies = coalescer.handle(reply("a", "A"));
        assert_eq!(replies.len(), 2);
    }

    #[test]
    fn coalescing_is_not_caching() {
        let mut coalescer = Coalescer::new();
        coalescer.handle(read(1, "k"));
        coalescer.handle(reply("k", "v1"));
        assert_eq!(
            coalescer.handle(read(2, "k")),
            vec![Action::FetchFromBackend { key: "k".into() }]
        );
    }

    #[test]
    fn a_reply_nobody_waits_for_is_ignored() {
        let mut coalescer = Coalescer::new();
        assert_eq!(coalescer.handle(reply("k", "late")), vec![]);
    }

    #[test]
    fn a_zipf_stream_with_slow_backend_reads_saves_two_fifths_of_fetches() {
        // 20,000 reads of a Zipf(1.1) workload, one arriving per tick; every backend read takes
        // 100 ticks. The hot keys are almost always already in flight when they are read again.
        let workload = Workload::zipf(10_000, 1.1);
        let mut coalescer = Coalescer::new();
        let mut pending: VecDeque<(u64, String)> = VecDeque::new();
        let mut replies = 0;
        for (tick, key) in workload.requests(20_000, 9).into_iter().enumerate() {
            let tick = tick as u64;
            while pending.front().is_some_and(|(due, _)| *due <= tick) {
                let (_, key) = pending.pop_front().unwrap();
                replies += coalescer.handle(reply(&key, "value")).len();
            }
            for action in coalescer.handle(read(tick, key)) {
                if let Action::FetchFromBackend { key } = action {
                    pending.push_back((tick + 100, key));
                }
            }
        }
        for (_, key) in pending {
            replies += coalescer.handle(reply(&key, "value")).len();
        }
        assert_eq!(replies, 20_000, "every reader is answered");
        assert_eq!(coalescer.reads_requested(), 20_000);
        // Seeded, so exact: 40.6% of the backend reads were saved. The hot head of the
        // distribution is nearly always in flight; the long tail of one-off keys is not.
        assert_eq!(coalescer.backend_fetches(), 11_886);
    }
}

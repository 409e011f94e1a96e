//! The server as a sans-IO state machine: a fixed number of workers and a bounded queue, FIFO
//! unless queue timeouts with adaptive LIFO are on.
//! Events in (a request arrives, a worker finishes), outputs out (a request started and will
//! finish at time t; a request was rejected, shed or expired).
//!
//! The server applies the server-side defenses when a worker picks a request up: bulkheads decide
//! which pool's worker may take which request (each pool with its share of the queue limit), load
//! shedding, queue timeouts and deadlines drop requests not worth starting. Without them it faithfully works on every request it accepted, including the
//! ones whose clients timed out long ago: that is what keeps a retry storm going.

use std::collections::VecDeque;

use crate::event::{Class, Micros, Request};
use crate::scenario::Scenario;
use sim::rng::SplitMix64;

/// What the server did with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerOutput {
    /// A worker started on it and will finish at `done_at`.
    Started {
        /// The request being served.
        request: Request,
        /// When the worker will be done.
        done_at: Micros,
    },
    /// The queue was full: answered at once with an error.
    Rejected(Request),
    /// Load shedding dropped it when dequeued: answered at once with an error.
    Shed(Request),
    /// Deadline propagation dropped it when dequeued: answered at once with an error.
    Expired(Request),
}

/// The workers' occupancy and the waiting requests, one queue per class.
///
/// Without a bulkhead the two queues behave as one FIFO (a free worker takes the oldest head);
/// keeping them apart is what lets a bulkhead be switched on and off mid-run.
#[derive(Clone, Debug, Default)]
pub struct Server {
    queues: [VecDeque<Request>; 2],
    busy: [u32; 2],
    /// When the queue was last empty: queue timeouts tell a burst from a standing queue by it.
    last_empty: Micros,
}

impl Server {
    /// An idle server with empty queues.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests waiting for a worker.
    pub fn queue_depth(&self) -> usize {
        self.queues[0].len() + self.queues[1].len()
    }

    /// Workers currently serving a request.
    pub fn busy_workers(&self) -> u32 {
        self.busy[0] + self.busy[1]
    }

    /// How many requests `class` may have waiting. Without a bulkhead the classes share
    /// `scenario.queue_limit`; with one, each pool gets the share of it that its workers have, so
    /// the queue never holds more than `queue_limit` in all.
    pub fn queue_limit_for(&self, class: Class, scenario: &Scenario) -> usize {
        match &scenario.defenses.bulkhead {
            None => scenario.queue_limit,
            Some(bulkhead) => {
                let total = scenario.workers.max(1) as usize;
                let pool = bulkhead.workers_for(class, scenario.workers) as usize;
                (scenario.queue_limit * pool / total).max(1)
            }
        }
    }

    /// A request arrives. `speed` is the share of full capacity the server has right now (below 1
    /// during a capacity dip). Outputs are appended to `out`.
    pub fn on_request(
        &mut self,
        request: Request,
        now: Micros,
        scenario: &Scenario,
        speed: f64,
        rng: &mut SplitMix64,
        out: &mut VecDeque<ServerOutput>,
    ) {
        let queued = match scenario.defenses.bulkhead {
            Some(_) => self.queues[request.class.index()].len(),
            None => self.queue_depth(),
        };
        if self.queue_depth() == 0 {
            self.last_empty = now;
        }
        if queued >= self.queue_limit_for(request.class, scenario) {
            out.push_back(ServerOutput::Rejected(request));
            return;
        }
        self.queues[request.class.index()].push_back(Request {
            enqueued_at: now,
            ..request
        });
        self.dispatch(now, scenario, speed, rng, out);
    }

    /// A worker finished a request of `class` and takes the next one.
    pub fn on_done(
        &mut self,
        class: Class,
        now: Micros,
        scenario: &Scenario,
        speed: f64,
        rng: &mut SplitMix64,
        out: &mut VecDeque<ServerOutput>,
    ) {
        self.busy[class.index()] -= 1;
        self.dispatch(now, scenario, speed, rng, out);
    }

    fn dispatch(
        &mut self,
        now: Micros,
        scenario: &Scenario,
        speed: f64,
        rng: &mut SplitMix64,
        out: &mut VecDeque<ServerOutput>,
    ) {
        loop {
            if let Some(rule) = &scenario.defenses.queue_timeout {
                // Drop, from the head, every request that has outwaited the current limit.
                let max_wait = rule.max_wait(self.last_empty, now);
                for queue in &mut self.queues {
                    while queue
                        .front()
                        .is_some_and(|head| now - head.enqueued_at > max_wait)
                    {
                        let late = queue.pop_front().expect("peeked");
                        out.push_back(ServerOutput::Shed(late));
                    }
                }
            }
            let newest_first = scenario
                .defenses
                .queue_timeout
                .is_some_and(|rule| rule.serve_newest(self.last_empty, now));
            let Some(class) = self.next_class(scenario, newest_first) else {
                break;
            };
            let queue = &mut self.queues[class.index()];
            let request = if newest_first {
                queue.pop_back()
            } else {
                queue.pop_front()
            }
            .expect("next_class only names a non-empty queue");
            let defenses = &scenario.defenses;
            if let Some(shedding) = &defenses.load_shedding {
                if shedding.should_shed(now - request.enqueued_at) {
                    out.push_back(ServerOutput::Shed(request));
                    continue;
                }
            }
            if let Some(deadline) = &defenses.deadline {
                if deadline.too_late(request.deadline, now) {
                    out.push_back(ServerOutput::Expired(request));
                    continue;
                }
            }
            self.busy[class.index()] += 1;
            let service = rng.exponential(scenario.mean_service_time() * 1e6) / speed.max(0.01);
            out.push_back(ServerOutput::Started {
                request,
                done_at: now + (service as Micros).max(1),
            });
        }
        if self.queue_depth() == 0 {
            self.last_empty = now;
        }
    }

    /// Which class's queue a free worker serves next, if any worker is free for a waiting request:
    /// the one holding the oldest request, or the newest when `newest_first` (adaptive LIFO).
    fn next_class(&self, scenario: &Scenario, newest_first: bool) -> Option<Class> {
        match &scenario.defenses.bulkhead {
            Some(bulkhead) => Class::ALL.into_iter().find(|class| {
                let pool = bulkhead.workers_for(*class, scenario.workers);
                self.busy[class.index()] < pool && !self.queues[class.index()].is_empty()
            }),
            None if self.busy_workers() < scenario.workers => {
                let pick = |queue: &VecDeque<Request>| match newest_first {
                    true => queue.back().map(|request| u64::MAX - request.enqueued_at),
                    false => queue.front().map(|request| request.enqueued_at),
                };
                match (pick(&self.queues[0]), pick(&self.queues[1])) {
                    (Some(main), Some(neighbor)) if neighbor < main => Some(Class::Neighbor),
                    (Some(_), _) => Some(Class::Main),
                    (None, Some(_)) => Some(Class::Neighbor),
                    (None, None) => None,
                }
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defenses::{Bulkhead, Defenses};
    use crate::event::CallId;

    /// A server with one worker (or `workers`), a queue of two, 50 ms requests, and the outputs
    /// it produced.
    struct Bench {
        scenario: Scenario,
        server: Server,
        rng: SplitMix64,
        out: VecDeque<ServerOutput>,
    }

    impl Bench {
        fn new(workers: u32, defenses: Defenses) -> Self {
            Self {
                scenario: Scenario {
                    workers,
                    capacity: 20.0 * f64::from(workers),
                    queue_limit: 2,
                    defenses,
                    ..Scenario::healthy()
                },
                server: Server::new(),
                rng: SplitMix64::new(0),
                out: VecDeque::new(),
            }
        }

        fn arrive(&mut self, class: Class, at: Micros, speed: f64) {
            let request = Request {
                call: CallId {
                    slot: at as u32,
                    generation: 0,
                },
                attempt: 0,
                class,
                enqueued_at: at,
                deadline: at + 1_000_000,
            };
            self.server.on_request(
                request,
                at,
                &self.scenario,
                speed,
                &mut self.rng,
                &mut self.out,
            );
        }

        fn finish(&mut self, class: Class, at: Micros, speed: f64) {
            self.server.on_done(
                class,
                at,
                &self.scenario,
                speed,
                &mut self.rng,
                &mut self.out,
            );
        }

        fn started(&self) -> usize {
            self.out
                .iter()
                .filter(|output| matches!(output, ServerOutput::Started { .. }))
                .count()
        }
    }

    #[test]
    fn serves_queues_and_rejects_when_full() {
        let mut bench = Bench::new(1, Defenses::none());
        for at in 0..4 {
            bench.arrive(Class::Main, at, 1.0);
        }
        assert!(matches!(bench.out[0], ServerOutput::Started { .. }));
        assert_eq!(bench.out.len(), 2, "one started, two queued, one rejected");
        assert!(matches!(bench.out[1], ServerOutput::Rejected(r) if r.enqueued_at == 3));
        assert_eq!(bench.server.queue_depth(), 2);
        bench.out.clear();
        bench.finish(Class::Main, 50_000, 1.0);
        assert!(
            matches!(bench.out[0], ServerOutput::Started { request, .. } if request.enqueued_at == 1)
        );
    }

    #[test]
    fn a_capacity_dip_slows_service() {
        let mut done_at = Vec::new();
        for speed in [1.0, 0.25] {
            let mut bench = Bench::new(1, Defenses::none());
            bench.arrive(Class::Main, 0, speed);
            if let Some(ServerOutput::Started { done_at: at, .. }) = bench.out.pop_front() {
                done_at.push(at);
            }
        }
        assert_eq!(done_at[1], 4 * done_at[0]);
    }

    #[test]
    fn shedding_and_deadlines_drop_requests_not_worth_starting() {
        // Shedding: waited 600 ms > 500 ms. Deadline: 50 ms left < 100 ms margin.
        for (defense, now) in [("load_shedding", 600_000), ("deadline", 950_000)] {
            let mut bench = Bench::new(1, Defenses::none());
            bench.scenario = bench.scenario.with_defense(defense);
            bench.arrive(Class::Main, 0, 1.0);
            bench.arrive(Class::Main, 1, 1.0);
            bench.out.clear();
            bench.finish(Class::Main, now, 1.0);
            let dropped = match defense {
                "load_shedding" => matches!(bench.out[0], ServerOutput::Shed(_)),
                _ => matches!(bench.out[0], ServerOutput::Expired(_)),
            };
            assert!(dropped, "{defense}: {:?}", bench.out);
        }
    }

    #[test]
    fn a_bulkhead_keeps_a_worker_for_the_neighbor() {
        let walled = Defenses {
            bulkhead: Some(Bulkhead {
                neighbor_workers: 1,
            }),
            ..Defenses::none()
        };
        let mut bench = Bench::new(2, walled);
        bench.arrive(Class::Main, 0, 1.0);
        bench.arrive(Class::Main, 1, 1.0);
        assert_eq!(
            bench.server.queue_depth(),
            1,
            "the second main request waits"
        );
        bench.arrive(Class::Neighbor, 2, 1.0);
        assert_eq!(
            bench.started(),
            2,
            "the neighbour gets its reserved worker at once"
        );
    }

    #[test]
    fn a_standing_queue_serves_the_newest_and_drops_the_stale() {
        let mut bench = Bench::new(1, Defenses::none());
        bench.scenario.queue_limit = 10;
        bench.scenario = bench.scenario.with_defense("queue_timeout");
        // One in service, three waiting from t = 0, 1 and 700 ms: the queue never empties.
        bench.arrive(Class::Main, 0, 1.0);
        bench.arrive(Class::Main, 1, 1.0);
        bench.arrive(Class::Main, 2, 1.0);
        bench.arrive(Class::Main, 3, 1.0);
        bench.out.clear();
        // Standing (not empty since 1 µs): the arrival at 700 ms drops the waits over 100 ms.
        bench.arrive(Class::Main, 650_000, 1.0);
        bench.arrive(Class::Main, 700_000, 1.0);
        assert_eq!(bench.out.len(), 3, "{:?}", bench.out);
        assert!(bench
            .out
            .iter()
            .all(|output| matches!(output, ServerOutput::Shed(r) if r.enqueued_at <= 3)));
        bench.out.clear();
        // A free worker takes the newest, not the 650 ms one at the head.
        bench.finish(Class::Main, 700_010, 1.0);
        assert!(
            matches!(bench.out[0], ServerOutput::Started { request, .. } if request.enqueued_at == 700_000),
            "{:?}",
            bench.out
        );
    }

    #[test]
    fn bulkhead_pools_share_one_queue_limit() {
        let mut bench = Bench::new(
            50,
            Defenses {
                bulkhead: Some(Bulkhead::default()),
                ..Defenses::none()
            },
        );
        bench.scenario.queue_limit = 5000;
        assert_eq!(
            bench.server.queue_limit_for(Class::Main, &bench.scenario),
            4000
        );
        assert_eq!(
            bench
                .server
                .queue_limit_for(Class::Neighbor, &bench.scenario),
            1000
        );
    }

    #[test]
    fn without_a_bulkhead_the_neighbor_waits_behind_the_storm() {
        let mut bench = Bench::new(2, Defenses::none());
        bench.arrive(Class::Main, 0, 1.0);
        bench.arrive(Class::Main, 1, 1.0);
        bench.arrive(Class::Neighbor, 2, 1.0);
        assert_eq!(bench.started(), 2);
        assert_eq!(bench.server.queue_depth(), 1, "the neighbour queues");
    }
}

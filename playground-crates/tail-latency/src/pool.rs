//! A discrete-event server pool on the `sim` kernel: c servers, one FIFO queue, Poisson arrivals,
//! exponential service, and optionally hedged requests with or without a budget.
//!
//! Two jobs. First, it checks [`crate::queueing`]: the simulated wait of an M/M/c pool must match
//! Erlang C, or the formulas in the chapter are wrong. Second, it shows hedging's failure mode. A
//! backup copy is more work for the same pool; while the pool has headroom that is cheap, but when
//! it is already near saturation, every request that is slow *because the pool is busy* sends a
//! backup, the backups push utilisation past 1, and the tail the hedge was meant to cut grows
//! without bound. A budget (at most a fixed fraction of requests may hedge) keeps the extra load
//! bounded, so the pool degrades like an unhedged one instead of collapsing.

use std::collections::VecDeque;

use sim::{EventQueue, Span, SplitMix64, Time};

use crate::percentile::Summary;

/// The pool's knobs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pool {
    /// Servers.
    pub servers: u32,
    /// Mean service time, ms (exponential).
    pub service_ms: f64,
    /// New requests per second (Poisson).
    pub arrival_rate: f64,
    /// Send a backup copy of a request that has not finished after this many ms.
    pub hedge_after_ms: Option<f64>,
    /// At most this fraction of requests may send a backup (a token bucket refilled by arrivals).
    /// `None` is no budget: every slow request hedges.
    pub hedge_budget: Option<f64>,
    /// Cancel the losing copy when the winner finishes (queued copies are dropped, a running one
    /// stops). Without it the loser runs to completion: a backup is a whole extra request.
    pub cancel_loser: bool,
    /// Simulated seconds.
    pub seconds: f64,
    /// Seconds at the start whose requests are not measured (the empty pool is not steady state).
    pub warmup_seconds: f64,
    /// Seed.
    pub seed: u64,
}

/// What a pool run measured.
#[derive(Clone, Debug)]
pub struct PoolReport {
    /// Response time (arrival to first finished copy), ms, of measured requests. A request still
    /// unfinished when the run ends counts with the time it had waited so far, so an exploding
    /// queue shows up in the tail instead of vanishing from it.
    pub response: Summary,
    /// Queueing delay of each measured request's first copy, ms.
    pub wait: Summary,
    /// Fraction of measured requests whose first copy had to queue.
    pub waited_fraction: f64,
    /// Backups sent per request.
    pub hedges_per_request: f64,
    /// Measured busy fraction of the servers (work done, including cancelled copies, over capacity).
    pub utilization: f64,
    /// Requests queued or in service when the run ended.
    pub backlog: usize,
}

#[derive(Debug)]
enum Event {
    Arrival,
    HedgeTimer(usize),
    Finish { server: usize, generation: u64 },
}

#[derive(Clone, Copy, Debug)]
struct Request {
    arrived: Time,
    done: bool,
    /// Server each copy (0 = primary, 1 = backup) runs on, while it runs.
    running_on: [Option<usize>; 2],
    first_start: Option<Time>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    job: Option<(usize, usize, Time)>, // request, copy, started
    generation: u64,
}

impl Pool {
    /// An unhedged M/M/c pool at utilisation `rho`: 60 simulated seconds, 5 of warm-up.
    pub fn mmc(servers: u32, service_ms: f64, rho: f64, seed: u64) -> Pool {
        Pool {
            servers,
            service_ms,
            arrival_rate: rho * servers as f64 * 1000.0 / service_ms,
            hedge_after_ms: None,
            hedge_budget: None,
            cancel_loser: true,
            seconds: 60.0,
            warmup_seconds: 5.0,
            seed,
        }
    }

    /// The same pool, hedging after `after_ms`.
    pub fn hedging(mut self, after_ms: f64, budget: Option<f64>) -> Pool {
        self.hedge_after_ms = Some(after_ms);
        self.hedge_budget = budget;
        self
    }

    /// The same pool with losers left running (no cancellation).
    pub fn without_cancellation(mut self) -> Pool {
        self.cancel_loser = false;
        self
    }

    /// Runs the pool. Deterministic in its seed.
    pub fn run(&self) -> PoolReport {
        let mut rng = SplitMix64::new(self.seed);
        let mut events = EventQueue::new();
        let end = Time::ZERO + Span::from_micros_f64(self.seconds * 1e6);
        let warm = Time::ZERO + Span::from_micros_f64(self.warmup_seconds * 1e6);
        let mean_gap_us = 1e6 / self.arrival_rate.max(1e-9);
        let mut slots = vec![Slot::default(); self.servers as usize];
        let mut queue: VecDeque<(usize, usize)> = VecDeque::new();
        let mut requests: Vec<Request> = Vec::new();
        let (mut responses, mut waits) = (Vec::new(), Vec::new());
        let (mut hedges, mut tokens, mut busy_us) = (0usize, 1.0f64, 0.0f64);
        events.push(
            Time::ZERO + Span::from_micros_f64(rng.exponential(mean_gap_us)),
            Event::Arrival,
        );

        while let Some((now, event)) = events.pop() {
            if now >= end {
                break;
            }
            match event {
                Event::Arrival => {
                    let id = requests.len();
                    requests.push(Request {
                        arrived: now,
                        done: false,
                        running_on: [None; 2],
                        first_start: None,
                    });
                    queue.push_back((id, 0));
                    if let Some(after) = self.hedge_after_ms {
                        events.push(
                            now + Span::from_micros_f64(after * 1e3),
                            Event::HedgeTimer(id),
                        );
                    }
                    if let Some(budget) = self.hedge_budget {
                        tokens = (tokens + budget).min(10.0);
                    }
                    let next = now + Span::from_micros_f64(rng.exponential(mean_gap_us));
                    events.push(next, Event::Arrival);
                }
                Event::HedgeTimer(id) => {
                    let allowed = match self.hedge_budget {
                        None => true,
                        Some(_) if tokens >= 1.0 => {
                            tokens -= 1.0;
                            true
                        }
                        Some(_) => false,
                    };
                    if !requests[id].done && allowed {
                        hedges += 1;
                        queue.push_back((id, 1));
                    }
                }
                Event::Finish { server, generation } => {
                    if slots[server].generation != generation {
                        continue; // this copy was cancelled
                    }
                    let (id, copy, started) = slots[server].job.take().expect("a running job");
                    busy_us += now.since(started).as_micros() as f64;
                    slots[server].generation += 1;
                    let request = &mut requests[id];
                    request.running_on[copy] = None;
                    if !request.done {
                        request.done = true;
                        if request.arrived >= warm {
                            responses.push(now.since(request.arrived).as_micros() as f64 / 1e3);
                        }
                        // Cancel the loser: a queued copy is skipped when dequeued; a running one
                        // frees its server now.
                        let running_loser = if self.cancel_loser {
                            request.running_on[1 - copy].take()
                        } else {
                            None
                        };
                        if let Some(other) = running_loser {
                            let (_, _, other_started) = slots[other].job.take().expect("running");
                            busy_us += now.since(other_started).as_micros() as f64;
                            slots[other].generation += 1;
                        }
                    }
                }
            }
            // Hand queued copies to idle servers.
            for (server, slot) in slots.iter_mut().enumerate() {
                if slot.job.is_some() {
                    continue;
                }
                let Some((id, copy)) = next_live(&mut queue, &requests, self.cancel_loser) else {
                    break;
                };
                let request = &mut requests[id];
                request.running_on[copy] = Some(server);
                if request.first_start.is_none() {
                    request.first_start = Some(now);
                    if request.arrived >= warm {
                        waits.push(now.since(request.arrived).as_micros() as f64 / 1e3);
                    }
                }
                slot.job = Some((id, copy, now));
                let service = Span::from_micros_f64(rng.exponential(self.service_ms * 1e3));
                let generation = slot.generation;
                events.push(now + service, Event::Finish { server, generation });
            }
        }

        // Requests still waiting count with the time they have waited so far.
        let mut backlog = 0;
        for request in requests.iter().filter(|r| !r.done) {
            backlog += 1;
            if request.arrived >= warm {
                responses.push(end.since(request.arrived).as_micros() as f64 / 1e3);
                if request.first_start.is_none() {
                    waits.push(end.since(request.arrived).as_micros() as f64 / 1e3);
                }
            }
        }
        for slot in &slots {
            if let Some((_, _, started)) = slot.job {
                busy_us += end.since(started).as_micros() as f64;
            }
        }
        let waited = waits.iter().filter(|&&w| w > 0.0).count();
        let measured = waits.len().max(1);
        PoolReport {
            response: Summary::new(responses),
            wait: Summary::new(waits),
            waited_fraction: waited as f64 / measured as f64,
            hedges_per_request: hedges as f64 / requests.len().max(1) as f64,
            utilization: busy_us / (self.seconds * 1e6 * self.servers as f64),
            backlog,
        }
    }
}

/// The next queued copy whose request is still open (copies of finished requests are dropped).
/// Without cancellation every queued copy is served, finished request or not.
fn next_live(
    queue: &mut VecDeque<(usize, usize)>,
    requests: &[Request],
    cancel_loser: bool,
) -> Option<(usize, usize)> {
    while let Some((id, copy)) = queue.pop_front() {
        if !cancel_loser || !requests[id].done {
            return Some((id, copy));
        }
    }
    None
}

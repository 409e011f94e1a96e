//! The discrete-event loop that connects the client and server state machines: pop the earliest
//! event, hand it to whichever side it concerns, turn the actions that come back into new events,
//! and close a [`Step`] of metrics every `scenario.step`.

use std::collections::VecDeque;
use std::time::Duration;

use crate::client::{Client, ClientAction, Failure};
use crate::event::{micros, seconds, Class, EventKind, EventQueue, Micros, Request};
use crate::metrics::{CollapseDetector, Episode, Histogram, Step};
use crate::scenario::{Scenario, Trigger, TriggerKind};
use crate::server::{Server, ServerOutput};
use sim::rng::SplitMix64;

/// Event counts, for one step or for the whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// New user requests per class ([`Class::index`]).
    pub offered: [u64; 2],
    /// Attempts sent to the server (first attempts and retries): the simulated requests.
    pub attempts: u64,
    /// Retries sent.
    pub retries: u64,
    /// User requests that succeeded, per class.
    pub succeeded: [u64; 2],
    /// Requests the server finished.
    pub served: u64,
    /// Requests finished after their client had given up.
    pub wasted: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// User requests that ended in an error.
    pub errors: u64,
    /// Attempts rejected because the queue was full.
    pub rejected: u64,
    /// Attempts dropped by load shedding.
    pub shed: u64,
    /// Attempts dropped by deadline propagation.
    pub expired: u64,
    /// User requests failed fast by the open circuit breaker.
    pub fast_failed: u64,
}

impl Counts {
    /// User requests offered, both classes.
    pub fn offered_total(&self) -> u64 {
        self.offered[0] + self.offered[1]
    }

    /// User requests that succeeded, both classes.
    pub fn succeeded_total(&self) -> u64 {
        self.succeeded[0] + self.succeeded[1]
    }

    fn add(&mut self, other: &Counts) {
        for class in 0..2 {
            self.offered[class] += other.offered[class];
            self.succeeded[class] += other.succeeded[class];
        }
        self.attempts += other.attempts;
        self.retries += other.retries;
        self.served += other.served;
        self.wasted += other.wasted;
        self.timeouts += other.timeouts;
        self.errors += other.errors;
        self.rejected += other.rejected;
        self.shed += other.shed;
        self.expired += other.expired;
        self.fast_failed += other.fast_failed;
    }
}

/// One run of a [`Scenario`]: advance it, read its steps and its collapse episodes, disturb it,
/// or change its knobs while it runs (which is what the widget does).
#[derive(Debug)]
pub struct Simulation {
    scenario: Scenario,
    rng: SplitMix64,
    events: EventQueue,
    client: Client,
    server: Server,
    server_outputs: VecDeque<ServerOutput>,
    now: Micros,
    step_started: Micros,
    step_counts: Counts,
    totals: Counts,
    latencies: Histogram,
    steps: Vec<Step>,
    detector: CollapseDetector,
}

/// Without any arrival for this long, the arrival process looks at its rate again.
const ARRIVAL_RECHECK: Micros = 100_000;

impl Simulation {
    /// Starts a run at time zero with an idle server.
    pub fn new(scenario: Scenario) -> Self {
        let mut simulation = Self {
            rng: SplitMix64::new(scenario.seed),
            scenario,
            events: EventQueue::new(),
            client: Client::new(),
            server: Server::new(),
            server_outputs: VecDeque::new(),
            now: 0,
            step_started: 0,
            step_counts: Counts::default(),
            totals: Counts::default(),
            latencies: Histogram::new(),
            steps: Vec::new(),
            detector: CollapseDetector::new(),
        };
        for class in Class::ALL {
            simulation.schedule_arrival(class);
        }
        simulation
    }

    /// Runs `scenario` for `duration` and returns the finished run, for one-shot experiments.
    pub fn run(scenario: Scenario, duration: Duration) -> Self {
        let mut simulation = Self::new(scenario);
        simulation.advance(duration);
        simulation
    }

    /// Simulates `duration` more and returns the steps that closed meanwhile.
    pub fn advance(&mut self, duration: Duration) -> &[Step] {
        let first_new = self.steps.len();
        self.run_until(self.now + micros(duration));
        &self.steps[first_new..]
    }

    /// The current simulated time, in seconds.
    pub fn now(&self) -> f64 {
        seconds(self.now)
    }

    /// Every step closed so far (minus those taken with [`Simulation::take_steps`]).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Removes and returns the steps kept so far, so a long-running widget does not keep them all.
    pub fn take_steps(&mut self) -> Vec<Step> {
        std::mem::take(&mut self.steps)
    }

    /// Collapse episodes found so far, oldest first.
    pub fn episodes(&self) -> &[Episode] {
        self.detector.episodes()
    }

    /// The first tipping point, in seconds: where the first collapse episode began.
    pub fn tipping_point(&self) -> Option<f64> {
        self.episodes().first().map(|episode| episode.tipped_at)
    }

    /// Is the system in a collapse episode right now (confirmed and not yet recovered)?
    pub fn collapsed(&self) -> bool {
        self.episodes()
            .last()
            .is_some_and(|episode| episode.recovered_at.is_none())
    }

    /// Counts over the whole run so far (closed steps only).
    pub fn totals(&self) -> &Counts {
        &self.totals
    }

    /// The scenario as it is now (knobs may have been changed mid-run).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Changes knobs mid-run: load, capacity, timeout, retries, defenses... Every rule reads the
    /// scenario when it applies, so a change takes effect from the next event on.
    pub fn scenario_mut(&mut self) -> &mut Scenario {
        &mut self.scenario
    }

    /// Starts a trigger now (its `start` is replaced by the current time).
    pub fn trigger_now(&mut self, duration: Duration, kind: TriggerKind) -> Trigger {
        let trigger = Trigger {
            start: Duration::from_micros(self.now),
            duration,
            kind,
        };
        self.scenario.triggers.push(trigger);
        trigger
    }

    /// The client fleet, for its breaker phase and retry tokens.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The server, for its queue depth and busy workers.
    pub fn server(&self) -> &Server {
        &self.server
    }

    fn run_until(&mut self, end: Micros) {
        loop {
            let next = self.events.next_time().filter(|&at| at <= end);
            let horizon = next.unwrap_or(end);
            while self.step_started + self.step_length() <= horizon {
                self.close_step(self.step_started + self.step_length());
            }
            let Some(at) = next else { break };
            let event = self.events.pop().expect("peeked an event");
            self.now = at;
            self.handle(event.kind);
        }
        self.now = end;
    }

    fn handle(&mut self, kind: EventKind) {
        match kind {
            EventKind::Arrival(class) => {
                self.step_counts.offered[class.index()] += 1;
                let action = self.client.on_arrival(class, self.now, &self.scenario);
                self.apply(action);
                self.schedule_arrival(class);
            }
            EventKind::ArrivalRecheck(class) => self.schedule_arrival(class),
            EventKind::RetryDue(call) => {
                let action = self.client.on_retry_due(call, self.now, &self.scenario);
                self.apply(action);
            }
            EventKind::Timeout { call, attempt } => {
                let action =
                    self.client
                        .on_timeout(call, attempt, self.now, &self.scenario, &mut self.rng);
                if action != ClientAction::Ignored {
                    self.step_counts.timeouts += 1;
                }
                self.apply(action);
            }
            EventKind::ServiceDone(request) => {
                self.step_counts.served += 1;
                let action = self.client.on_response(
                    request.call,
                    request.attempt,
                    true,
                    self.now,
                    &self.scenario,
                    &mut self.rng,
                );
                self.apply(action);
                let speed = self.capacity_factor();
                self.server.on_done(
                    request.class,
                    self.now,
                    &self.scenario,
                    speed,
                    &mut self.rng,
                    &mut self.server_outputs,
                );
            }
        }
        self.drain_server_outputs();
    }

    /// Carries out what the client asked for. Sending only queues the server's reaction;
    /// [`Self::drain_server_outputs`] then handles it (and any retries it provokes) in a loop
    /// rather than by recursion.
    fn apply(&mut self, action: ClientAction) {
        match action {
            ClientAction::Send(request) => self.send(request),
            ClientAction::RetryAt { call, at } => self.events.push(at, EventKind::RetryDue(call)),
            ClientAction::Succeeded { class, latency } => {
                self.step_counts.succeeded[class.index()] += 1;
                self.latencies.record(latency);
            }
            ClientAction::Failed { reason, .. } => {
                self.step_counts.errors += 1;
                if reason == Failure::BreakerOpen {
                    self.step_counts.fast_failed += 1;
                }
            }
            ClientAction::LateResponse => self.step_counts.wasted += 1,
            ClientAction::Ignored => {}
        }
    }

    fn send(&mut self, request: Request) {
        self.step_counts.attempts += 1;
        if request.attempt > 0 {
            self.step_counts.retries += 1;
        }
        self.events.push(
            request.deadline,
            EventKind::Timeout {
                call: request.call,
                attempt: request.attempt,
            },
        );
        let speed = self.capacity_factor();
        self.server.on_request(
            request,
            self.now,
            &self.scenario,
            speed,
            &mut self.rng,
            &mut self.server_outputs,
        );
    }

    fn drain_server_outputs(&mut self) {
        while let Some(output) = self.server_outputs.pop_front() {
            let refused = match output {
                ServerOutput::Started { request, done_at } => {
                    self.events.push(done_at, EventKind::ServiceDone(request));
                    continue;
                }
                ServerOutput::Rejected(request) => {
                    self.step_counts.rejected += 1;
                    request
                }
                ServerOutput::Shed(request) => {
                    self.step_counts.shed += 1;
                    request
                }
                ServerOutput::Expired(request) => {
                    self.step_counts.expired += 1;
                    request
                }
            };
            let action = self.client.on_response(
                refused.call,
                refused.attempt,
                false,
                self.now,
                &self.scenario,
                &mut self.rng,
            );
            self.apply(action);
        }
    }

    /// Schedules the class's next arrival (Poisson), or a recheck if it is more than
    /// [`ARRIVAL_RECHECK`] away.
    fn schedule_arrival(&mut self, class: Class) {
        let rate = match class {
            Class::Main => self.scenario.load * self.load_factor(),
            Class::Neighbor => self.scenario.neighbor_load,
        };
        if rate <= 0.0 {
            self.events
                .push(self.now + ARRIVAL_RECHECK, EventKind::ArrivalRecheck(class));
            return;
        }
        let gap = (self.rng.exponential(1e6 / rate) as Micros).max(1);
        if gap > ARRIVAL_RECHECK {
            self.events
                .push(self.now + ARRIVAL_RECHECK, EventKind::ArrivalRecheck(class));
        } else {
            self.events.push(self.now + gap, EventKind::Arrival(class));
        }
    }

    fn step_length(&self) -> Micros {
        micros(self.scenario.step).max(1_000)
    }

    fn capacity_factor(&self) -> f64 {
        self.factor_at(self.now, |kind| match kind {
            TriggerKind::CapacityDip { factor } => Some(factor),
            TriggerKind::LoadSpike { .. } => None,
        })
    }

    fn load_factor(&self) -> f64 {
        self.factor_at(self.now, |kind| match kind {
            TriggerKind::LoadSpike { factor } => Some(factor),
            TriggerKind::CapacityDip { .. } => None,
        })
    }

    fn factor_at(&self, at: Micros, pick: impl Fn(TriggerKind) -> Option<f64>) -> f64 {
        self.scenario
            .triggers
            .iter()
            .filter(|trigger| trigger.active_at(at))
            .filter_map(|trigger| pick(trigger.kind))
            .product()
    }

    fn close_step(&mut self, end: Micros) {
        let start = self.step_started;
        let per_second = |count: u64| count as f64 / seconds(end - start);
        let counts = self.step_counts;
        let triggered = self
            .scenario
            .triggers
            .iter()
            .any(|trigger| trigger.starts_at() < end && trigger.ends_at() > start);
        let step = Step {
            start: seconds(start),
            end: seconds(end),
            offered: per_second(counts.offered_total()),
            neighbor_offered: per_second(counts.offered[Class::Neighbor.index()]),
            attempts: per_second(counts.attempts),
            retries: per_second(counts.retries),
            goodput: per_second(counts.succeeded_total()),
            neighbor_goodput: per_second(counts.succeeded[Class::Neighbor.index()]),
            throughput: per_second(counts.served),
            wasted: per_second(counts.wasted),
            timeouts: per_second(counts.timeouts),
            errors: per_second(counts.errors),
            rejected: per_second(counts.rejected),
            shed: per_second(counts.shed),
            expired: per_second(counts.expired),
            fast_failed: per_second(counts.fast_failed),
            queue_depth: self.server.queue_depth(),
            busy_workers: self.server.busy_workers(),
            p50_ms: self.latencies.quantile(0.5).map(|us| us as f64 / 1e3),
            p99_ms: self.latencies.quantile(0.99).map(|us| us as f64 / 1e3),
            capacity_factor: self.capacity_factor(),
            load_factor: self.load_factor(),
            triggered,
            breaker: self.client.breaker().phase(),
        };
        let trigger_ended_at = self
            .scenario
            .triggers
            .iter()
            .filter(|trigger| trigger.starts_at() < end)
            .map(|trigger| seconds(trigger.ends_at()))
            .reduce(f64::max);
        self.detector.observe(
            &step,
            self.scenario.collapse_threshold,
            self.scenario.confirm.as_secs_f64(),
            trigger_ended_at,
        );
        self.steps.push(step);
        self.totals.add(&counts);
        self.step_counts = Counts::default();
        self.latencies.clear();
        self.step_started = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_tile_the_run() {
        let simulation = Simulation::run(Scenario::healthy(), Duration::from_secs(5));
        let steps = simulation.steps();
        assert_eq!(steps.len(), 5);
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(step.start, i as f64);
            assert_eq!(step.end, i as f64 + 1.0);
        }
        assert_eq!(simulation.now(), 5.0);
    }

    #[test]
    fn healthy_load_is_served_with_low_latency() {
        let simulation = Simulation::run(Scenario::healthy(), Duration::from_secs(20));
        for step in &simulation.steps()[1..] {
            assert!(step.goodput_ratio() > 0.9, "{step:?}");
            assert!(step.p99_ms.unwrap() < 500.0, "{step:?}");
            assert_eq!(step.errors, 0.0);
        }
        let offered = simulation.totals().offered_total() as f64 / 20.0;
        assert!((offered - 700.0).abs() < 30.0, "{offered}");
    }

    #[test]
    fn a_load_change_mid_run_takes_effect() {
        let mut simulation = Simulation::new(Scenario::healthy().with_load(0.0));
        simulation.advance(Duration::from_secs(2));
        simulation.scenario_mut().load = 500.0;
        let steps = simulation.advance(Duration::from_secs(2));
        assert!((steps[1].offered - 500.0).abs() < 100.0, "{:?}", steps[1]);
    }

    #[test]
    fn a_trigger_now_dips_capacity_for_its_duration() {
        let mut simulation = Simulation::new(Scenario::healthy());
        simulation.advance(Duration::from_secs(3));
        simulation.trigger_now(
            Duration::from_secs(2),
            TriggerKind::CapacityDip { factor: 0.5 },
        );
        let steps = simulation.advance(Duration::from_secs(4)).to_vec();
        assert!(steps[0].triggered && steps[1].triggered && !steps[2].triggered);
        assert_eq!(steps[0].capacity_factor, 0.5);
        assert_eq!(steps[3].capacity_factor, 1.0);
    }
}

//! Named parameter sets: the knobs of one run, and the presets the book and the tests use.
//!
//! The model follows Bronson et al., "Metastable Failures in Distributed Systems" (HotOS 2021):
//! a system at healthy load is in the *vulnerable* state when a temporary *trigger* (here a capacity
//! dip or a load spike) can start a *sustaining effect* (here retries of timed-out requests, plus
//! the server finishing work nobody waits for) that keeps it overloaded after the trigger is gone.
//! Huang et al., "Metastable Failures in the Wild" (OSDI 2022), call the two trigger kinds
//! capacity-decreasing and load-increasing, and retries a *workload amplification*.
//!
//! Why 700 req/s against 1000 req/s of capacity with 3 retries collapses: once every attempt
//! times out, each user request sends 4 attempts, so the server is offered 2800 attempts/s, 2.8×
//! what it can serve, and the queue stays full of requests whose clients already gave up. Without
//! retries the same trigger leaves a backlog that drains at 300 req/s, and the system recovers.

use std::time::Duration;

use crate::defenses::Defenses;
use crate::event::{micros, Micros};

/// What a trigger does while it lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TriggerKind {
    /// The server works at `factor` of its speed (0.3 = a 70% capacity loss: a bad deploy,
    /// a noisy neighbour on the host, a GC storm, a failed-over replica).
    CapacityDip {
        /// Remaining share of capacity, in `(0, 1]`.
        factor: f64,
    },
    /// The main class sends `factor` times its usual rate of new requests (a marketing push,
    /// a cache flush sending everything to the backend).
    LoadSpike {
        /// Multiplier on the offered load, `>= 1`.
        factor: f64,
    },
}

/// A temporary disturbance: starts, lasts, and ends. The question is what the system does after.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trigger {
    /// When it starts, from the beginning of the run.
    pub start: Duration,
    /// How long it lasts.
    pub duration: Duration,
    /// What it does.
    pub kind: TriggerKind,
}

impl Trigger {
    /// The server runs at `factor` of its capacity from `start` for `duration`.
    pub fn capacity_dip(start: Duration, duration: Duration, factor: f64) -> Self {
        Self {
            start,
            duration,
            kind: TriggerKind::CapacityDip {
                factor: factor.clamp(0.01, 1.0),
            },
        }
    }

    /// New main-class requests arrive `factor` times faster from `start` for `duration`.
    pub fn load_spike(start: Duration, duration: Duration, factor: f64) -> Self {
        Self {
            start,
            duration,
            kind: TriggerKind::LoadSpike {
                factor: factor.max(1.0),
            },
        }
    }

    /// When it starts, on the simulator's clock.
    pub fn starts_at(&self) -> Micros {
        micros(self.start)
    }

    /// When it ends, on the simulator's clock.
    pub fn ends_at(&self) -> Micros {
        micros(self.start + self.duration)
    }

    /// Is it in effect at `now`?
    pub fn active_at(&self, now: Micros) -> bool {
        (self.starts_at()..self.ends_at()).contains(&now)
    }
}

/// Every parameter of a run. Start from a preset and change what you are studying.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Seeds the run's random generator: same scenario, same seed, same series.
    pub seed: u64,
    /// New user requests per second from the main (retrying) clients; Poisson arrivals.
    pub load: f64,
    /// New requests per second from the neighbour, which never retries.
    pub neighbor_load: f64,
    /// Requests per second the server completes at full speed (`workers / mean service time`).
    pub capacity: f64,
    /// Requests the server works on at once (threads, connections, ...).
    pub workers: u32,
    /// Requests that may wait for a worker; more are rejected at once.
    pub queue_limit: usize,
    /// How long a client waits for one attempt before giving up on it.
    pub timeout: Duration,
    /// Retries after the first attempt; a user request sends at most `1 + max_retries` attempts.
    pub max_retries: u32,
    /// Length of one reported time step.
    pub step: Duration,
    /// A step is "collapsed" when goodput is below this share of offered load.
    pub collapse_threshold: f64,
    /// How long collapse must persist, and outlast the last trigger, to count as metastable;
    /// also how long recovery must last to count.
    pub confirm: Duration,
    /// The disturbances of this run, in any order.
    pub triggers: Vec<Trigger>,
    /// Which defenses are on.
    pub defenses: Defenses,
}

impl Scenario {
    /// A server at 70% of capacity, clients with a 1 s timeout and 3 immediate retries, no
    /// defenses, no trigger: vulnerable (in Bronson et al.'s terms) but fine, indefinitely.
    pub fn healthy() -> Self {
        Self {
            seed: 1,
            load: 700.0,
            neighbor_load: 0.0,
            capacity: 1000.0,
            workers: 50,
            queue_limit: 5000,
            timeout: Duration::from_secs(1),
            max_retries: 3,
            step: Duration::from_secs(1),
            collapse_threshold: 0.5,
            confirm: Duration::from_secs(10),
            triggers: Vec::new(),
            defenses: Defenses::none(),
        }
    }

    /// [`Scenario::healthy`] plus a trigger: capacity drops to 30% at t = 10 s for 5 s. With
    /// retries the system collapses and stays collapsed; run it for 60 s to see it.
    pub fn metastable() -> Self {
        Self::healthy().with_trigger(Trigger::capacity_dip(
            Duration::from_secs(10),
            Duration::from_secs(5),
            0.3,
        ))
    }

    /// [`Scenario::metastable`] with 100 of the 700 req/s coming from a neighbour that never
    /// retries: the setting in which a bulkhead matters.
    pub fn noisy_neighbor() -> Self {
        Self {
            load: 600.0,
            neighbor_load: 100.0,
            ..Self::metastable()
        }
    }

    /// Looks a preset up by name (`healthy`, `metastable`, `noisy_neighbor`), for the widget.
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "healthy" => Some(Self::healthy()),
            "metastable" => Some(Self::metastable()),
            "noisy_neighbor" => Some(Self::noisy_neighbor()),
            _ => None,
        }
    }

    /// The same scenario with another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same scenario with another main-class load (new requests per second).
    pub fn with_load(mut self, load: f64) -> Self {
        self.load = load;
        self
    }

    /// The same scenario with another retry count; 0 turns retries off.
    pub fn with_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The same scenario with one more trigger.
    pub fn with_trigger(mut self, trigger: Trigger) -> Self {
        self.triggers.push(trigger);
        self
    }

    /// The same scenario without any trigger.
    pub fn without_triggers(mut self) -> Self {
        self.triggers.clear();
        self
    }

    /// The same scenario with these defenses.
    pub fn with_defenses(mut self, defenses: Defenses) -> Self {
        self.defenses = defenses;
        self
    }

    /// The same scenario with one more defense switched on at its default tuning (see
    /// [`Defenses::NAMES`]).
    ///
    /// # Panics
    /// On an unknown name: a typo in a snippet should fail loudly.
    pub fn with_defense(mut self, name: &str) -> Self {
        if let Err(error) = self.defenses.set(name, true) {
            panic!("{error}");
        }
        self
    }

    /// The mean time one worker spends on one request, in seconds.
    pub fn mean_service_time(&self) -> f64 {
        f64::from(self.workers.max(1)) / self.capacity.max(1e-9)
    }

    /// Total offered load as a share of capacity; below 1 the server could keep up without
    /// retries, so a collapse there is metastable, not plain overload.
    pub fn utilization(&self) -> f64 {
        (self.load + self.neighbor_load) / self.capacity.max(1e-9)
    }

    /// When the last trigger ends, if there is one.
    pub fn last_trigger_end(&self) -> Option<Micros> {
        self.triggers.iter().map(Trigger::ends_at).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_run_the_server_below_capacity() {
        for scenario in [
            Scenario::healthy(),
            Scenario::metastable(),
            Scenario::noisy_neighbor(),
        ] {
            assert!((scenario.utilization() - 0.7).abs() < 1e-9);
            assert!((scenario.mean_service_time() - 0.05).abs() < 1e-9);
        }
    }

    #[test]
    fn triggers_know_when_they_are_active() {
        let dip = Trigger::capacity_dip(Duration::from_secs(10), Duration::from_secs(5), 0.3);
        assert!(!dip.active_at(9_999_999));
        assert!(dip.active_at(10_000_000));
        assert!(!dip.active_at(15_000_000));
        assert_eq!(Scenario::metastable().last_trigger_end(), Some(15_000_000));
    }

    #[test]
    fn looks_presets_up_by_name() {
        assert_eq!(Scenario::named("metastable"), Some(Scenario::metastable()));
        assert_eq!(Scenario::named("nope"), None);
    }
}

//! The layered defenses against retry storms, one small module each, and the failure mode each
//! one brings with it.
//!
//! | layer | where | what it does | how it hurts you |
//! |---|---|---|---|
//! | [`backoff`] | client | waits longer before each retry, with jitter | in an open system it only *delays* the extra load; alone it does not end a storm |
//! | [`retry_budget`] | client | retries at most ~10% of requests (token bucket) | set to zero, every blip becomes user-visible errors |
//! | [`circuit_breaker`] | client | stops calling a server that mostly fails | against a degraded (not down) server it flaps, failing everything while open |
//! | [`load_shedding`] | server | drops requests that waited too long to be useful | a threshold tighter than normal queueing rejects healthy traffic |
//! | [`queue_timeout`] | server | CoDel-style queue timeouts, newest first while a queue stands (adaptive LIFO) | a target shorter than healthy queueing drops healthy requests; LIFO is unfair to the oldest |
//! | [`bulkhead`] | server | separate worker pools per tenant | a pool sized below its tenant's load starves that tenant on a healthy day |
//! | [`deadline`] | server | drops work whose caller's deadline passed | absolute deadlines plus clock skew drop everything |
//!
//! The configurations here are plain data; the few that keep state at run time (the budget's
//! tokens, the breaker's phase) have a separate state type that the client owns.

pub mod backoff;
pub mod bulkhead;
pub mod circuit_breaker;
pub mod deadline;
pub mod load_shedding;
pub mod queue_timeout;
pub mod retry_budget;

pub use backoff::{Backoff, Jitter};
pub use bulkhead::Bulkhead;
pub use circuit_breaker::{Breaker, BreakerPhase, CircuitBreaker};
pub use deadline::DeadlinePropagation;
pub use load_shedding::LoadShedding;
pub use queue_timeout::QueueTimeout;
pub use retry_budget::{RetryBudget, RetryTokens};

/// Which defenses are switched on, and how each is tuned; `None` means the layer is absent.
///
/// They compose: the client applies backoff, budget and breaker to every retry; the server applies
/// bulkhead, shedding, queue timeouts and deadlines to every request it dequeues.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defenses {
    /// Delay between retries.
    pub backoff: Option<Backoff>,
    /// Cap on retries as a share of requests.
    pub retry_budget: Option<RetryBudget>,
    /// Fail fast while the server is failing.
    pub circuit_breaker: Option<CircuitBreaker>,
    /// Server drops requests that queued too long.
    pub load_shedding: Option<LoadShedding>,
    /// Server drops requests that outwaited a CoDel-style limit, newest first while the queue stands.
    pub queue_timeout: Option<QueueTimeout>,
    /// Separate worker pools for the two classes of traffic.
    pub bulkhead: Option<Bulkhead>,
    /// Server drops requests whose client deadline has passed.
    pub deadline: Option<DeadlinePropagation>,
}

impl Defenses {
    /// The names [`Defenses::set`] accepts (also the widget's toggle names).
    pub const NAMES: [&'static str; 7] = [
        "backoff",
        "retry_budget",
        "circuit_breaker",
        "load_shedding",
        "queue_timeout",
        "bulkhead",
        "deadline",
    ];

    /// No defense at all: the configuration that goes metastable.
    pub fn none() -> Self {
        Self::default()
    }

    /// Switches the named defense on (with its default tuning) or off, so a UI can toggle layers
    /// by name. Unknown names are an error rather than silently ignored.
    pub fn set(&mut self, name: &str, on: bool) -> Result<(), String> {
        match name {
            "backoff" => self.backoff = on.then(Backoff::default),
            "retry_budget" => self.retry_budget = on.then(RetryBudget::default),
            "circuit_breaker" => self.circuit_breaker = on.then(CircuitBreaker::default),
            "load_shedding" => self.load_shedding = on.then(LoadShedding::default),
            "queue_timeout" => self.queue_timeout = on.then(QueueTimeout::default),
            "bulkhead" => self.bulkhead = on.then(Bulkhead::default),
            "deadline" => self.deadline = on.then(DeadlinePropagation::default),
            other => return Err(format!("unknown defense '{other}'")),
        }
        Ok(())
    }

    /// Whether the named defense is on, for reports and the widget's toggles.
    pub fn is_on(&self, name: &str) -> bool {
        match name {
            "backoff" => self.backoff.is_some(),
            "retry_budget" => self.retry_budget.is_some(),
            "circuit_breaker" => self.circuit_breaker.is_some(),
            "load_shedding" => self.load_shedding.is_some(),
            "queue_timeout" => self.queue_timeout.is_some(),
            "bulkhead" => self.bulkhead.is_some(),
            "deadline" => self.deadline.is_some(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggles_every_named_defense() {
        let mut defenses = Defenses::none();
        for name in Defenses::NAMES {
            assert!(!defenses.is_on(name));
            defenses.set(name, true).unwrap();
            assert!(defenses.is_on(name), "{name}");
        }
        for name in Defenses::NAMES {
            defenses.set(name, false).unwrap();
        }
        assert_eq!(defenses, Defenses::none());
        assert!(defenses.set("prayer", true).is_err());
    }
}

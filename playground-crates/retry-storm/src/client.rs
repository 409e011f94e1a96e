//! The client fleet as a sans-IO state machine: events in (a user request arrives, a response
//! comes back, a timer fires), actions out (send this attempt, retry at that time, report success
//! or failure). It never touches a clock or a queue itself, so it is tested without a simulator
//! and the simulator stays a small loop.
//!
//! The client applies the client-side defenses: backoff, the retry budget and the circuit breaker.

use crate::defenses::{Breaker, RetryTokens};
use crate::event::{micros, CallId, Class, Micros, Request};
use crate::scenario::Scenario;
use sim::rng::SplitMix64;

/// What the simulator must do after the client handled an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAction {
    /// Deliver this attempt to the server now, and fire a timeout at its deadline.
    Send(Request),
    /// Call back with [`crate::event::EventKind::RetryDue`] at this time (backoff).
    RetryAt {
        /// The call to retry.
        call: CallId,
        /// When.
        at: Micros,
    },
    /// The user got an answer, this long after their request arrived.
    Succeeded {
        /// Which fleet.
        class: Class,
        /// Time from arrival to the successful response, retries included.
        latency: Micros,
    },
    /// The user got an error.
    Failed {
        /// Which fleet.
        class: Class,
        /// Why the client stopped trying.
        reason: Failure,
    },
    /// A response for an attempt the client had already abandoned: the server's work was wasted.
    LateResponse,
    /// A timer or response for a call or attempt that is already settled; nothing to do.
    Ignored,
}

/// Why a user request ended in an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Every allowed attempt failed.
    RetriesExhausted,
    /// A retry was wanted but the retry budget was empty.
    BudgetEmpty,
    /// The circuit breaker was open, so the client failed fast.
    BreakerOpen,
}

#[derive(Clone, Copy, Debug)]
struct Call {
    generation: u32,
    class: Class,
    arrived_at: Micros,
    attempt: u32,
    waiting: bool,
    live: bool,
}

/// Every user request in flight, plus the fleet-wide defense state.
#[derive(Clone, Debug)]
pub struct Client {
    calls: Vec<Call>,
    free_slots: Vec<u32>,
    live_calls: usize,
    tokens: Option<RetryTokens>,
    breaker: Breaker,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// A fleet with no requests in flight, a full retry budget and a closed breaker.
    pub fn new() -> Self {
        Self {
            calls: Vec::new(),
            free_slots: Vec::new(),
            live_calls: 0,
            tokens: None,
            breaker: Breaker::new(),
        }
    }

    /// User requests that have neither succeeded nor failed yet.
    pub fn live_calls(&self) -> usize {
        self.live_calls
    }

    /// The circuit breaker's state (closed when the breaker is switched off).
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// Retry tokens left, when the budget is on.
    pub fn retry_tokens(&self) -> Option<f64> {
        self.tokens.as_ref().map(RetryTokens::tokens)
    }

    /// A new user request arrives: start a call and try its first attempt.
    pub fn on_arrival(&mut self, class: Class, now: Micros, scenario: &Scenario) -> ClientAction {
        let call = self.start_call(class, now);
        if class == Class::Main {
            if let Some(budget) = &scenario.defenses.retry_budget {
                self.tokens
                    .get_or_insert_with(|| RetryTokens::new(budget))
                    .on_request(budget);
            }
        }
        self.try_send(call, now, scenario)
    }

    /// A backoff delay ended: send the call's next attempt.
    pub fn on_retry_due(&mut self, call: CallId, now: Micros, scenario: &Scenario) -> ClientAction {
        if self.find(call).is_none() {
            return ClientAction::Ignored;
        }
        self.try_send(call, now, scenario)
    }

    /// The timer for `attempt` fired: abandon it (the server may still work on it) and decide
    /// whether to retry.
    pub fn on_timeout(
        &mut self,
        call: CallId,
        attempt: u32,
        now: Micros,
        scenario: &Scenario,
        rng: &mut SplitMix64,
    ) -> ClientAction {
        match self.find(call) {
            Some(state) if state.waiting && state.attempt == attempt => {}
            _ => return ClientAction::Ignored,
        }
        self.attempt_failed(call, now, scenario, rng)
    }

    /// The server answered `attempt`: success, or an error (queue full, shed, deadline).
    pub fn on_response(
        &mut self,
        call: CallId,
        attempt: u32,
        ok: bool,
        now: Micros,
        scenario: &Scenario,
        rng: &mut SplitMix64,
    ) -> ClientAction {
        let state = match self.find(call) {
            Some(state) if state.waiting && state.attempt == attempt => *state,
            _ if ok => return ClientAction::LateResponse,
            _ => return ClientAction::Ignored,
        };
        if !ok {
            return self.attempt_failed(call, now, scenario, rng);
        }
        self.record_outcome(state.class, now, scenario, true);
        self.finish(call);
        ClientAction::Succeeded {
            class: state.class,
            latency: now - state.arrived_at,
        }
    }

    fn attempt_failed(
        &mut self,
        call: CallId,
        now: Micros,
        scenario: &Scenario,
        rng: &mut SplitMix64,
    ) -> ClientAction {
        let state = {
            let state = self
                .find_mut(call)
                .expect("caller checked the call is live");
            state.waiting = false;
            *state
        };
        self.record_outcome(state.class, now, scenario, false);
        let allowed_retries = match state.class {
            Class::Main => scenario.max_retries,
            Class::Neighbor => 0,
        };
        if state.attempt >= allowed_retries {
            return self.fail(call, Failure::RetriesExhausted);
        }
        if let Some(budget) = &scenario.defenses.retry_budget {
            let tokens = self.tokens.get_or_insert_with(|| RetryTokens::new(budget));
            if !tokens.try_spend() {
                return self.fail(call, Failure::BudgetEmpty);
            }
        }
        let retry = state.attempt + 1;
        if let Some(state) = self.find_mut(call) {
            state.attempt = retry;
        }
        match &scenario.defenses.backoff {
            Some(backoff) => ClientAction::RetryAt {
                call,
                at: now + backoff.delay(retry, rng),
            },
            None => self.try_send(call, now, scenario),
        }
    }

    fn try_send(&mut self, call: CallId, now: Micros, scenario: &Scenario) -> ClientAction {
        let class = self
            .find(call)
            .expect("caller checked the call is live")
            .class;
        if class == Class::Main {
            if let Some(config) = &scenario.defenses.circuit_breaker {
                if !self.breaker.allow(config, now) {
                    return self.fail(call, Failure::BreakerOpen);
                }
            }
        }
        let state = self
            .find_mut(call)
            .expect("caller checked the call is live");
        state.waiting = true;
        ClientAction::Send(Request {
            call,
            attempt: state.attempt,
            class,
            enqueued_at: now,
            deadline: now + micros(scenario.timeout),
        })
    }

    fn record_outcome(&mut self, class: Class, now: Micros, scenario: &Scenario, success: bool) {
        if class == Class::Main {
            if let Some(config) = &scenario.defenses.circuit_breaker {
                self.breaker.record(config, now, success);
            }
        }
    }

    fn fail(&mut self, call: CallId, reason: Failure) -> ClientAction {
        let class = self
            .find(call)
            .expect("caller checked the call is live")
            .class;
        self.finish(call);
        ClientAction::Failed { class, reason }
    }

    fn start_call(&mut self, class: Class, now: Micros) -> CallId {
        self.live_calls += 1;
        let fresh = Call {
            generation: 0,
            class,
            arrived_at: now,
            attempt: 0,
            waiting: false,
            live: true,
        };
        match self.free_slots.pop() {
            Some(slot) => {
                let call = &mut self.calls[slot as usize];
                let generation = call.generation.wrapping_add(1);
                *call = Call {
                    generation,
                    ..fresh
                };
                CallId { slot, generation }
            }
            None => {
                self.calls.push(fresh);
                CallId {
                    slot: (self.calls.len() - 1) as u32,
                    generation: 0,
                }
            }
        }
    }

    fn finish(&mut self, call: CallId) {
        if let Some(state) = self.find_mut(call) {
            state.live = false;
            state.waiting = false;
            self.live_calls -= 1;
            self.free_slots.push(call.slot);
        }
    }

    fn find(&self, call: CallId) -> Option<&Call> {
        self.calls
            .get(call.slot as usize)
            .filter(|state| state.live && state.generation == call.generation)
    }

    fn find_mut(&mut self, call: CallId) -> Option<&mut Call> {
        self.calls
            .get_mut(call.slot as usize)
            .filter(|state| state.live && state.generation == call.generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defenses::RetryBudget;

    fn sent(action: ClientAction) -> Request {
        match action {
            ClientAction::Send(request) => request,
            other => panic!("expected Send, got {other:?}"),
        }
    }

    #[test]
    fn a_timely_response_succeeds_once() {
        let scenario = Scenario::healthy();
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let request = sent(client.on_arrival(Class::Main, 0, &scenario));
        assert_eq!(request.deadline, 1_000_000);
        let done = client.on_response(request.call, 0, true, 40_000, &scenario, &mut rng);
        assert_eq!(
            done,
            ClientAction::Succeeded {
                class: Class::Main,
                latency: 40_000
            }
        );
        // The timer fires later and finds nothing to do.
        let late = client.on_timeout(request.call, 0, 1_000_000, &scenario, &mut rng);
        assert_eq!(late, ClientAction::Ignored);
        assert_eq!(client.live_calls(), 0);
    }

    #[test]
    fn timeouts_retry_until_the_limit_then_fail() {
        let scenario = Scenario::healthy();
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let mut request = sent(client.on_arrival(Class::Main, 0, &scenario));
        for retry in 1..=3 {
            let action = client.on_timeout(request.call, request.attempt, 0, &scenario, &mut rng);
            request = sent(action);
            assert_eq!(request.attempt, retry);
        }
        let last = client.on_timeout(request.call, 3, 0, &scenario, &mut rng);
        assert_eq!(
            last,
            ClientAction::Failed {
                class: Class::Main,
                reason: Failure::RetriesExhausted
            }
        );
    }

    #[test]
    fn a_response_to_an_abandoned_attempt_is_wasted_work() {
        let scenario = Scenario::healthy();
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let first = sent(client.on_arrival(Class::Main, 0, &scenario));
        let _second = sent(client.on_timeout(first.call, 0, 1_000_000, &scenario, &mut rng));
        let late = client.on_response(first.call, 0, true, 1_100_000, &scenario, &mut rng);
        assert_eq!(late, ClientAction::LateResponse);
    }

    #[test]
    fn the_neighbor_never_retries() {
        let scenario = Scenario::healthy();
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let request = sent(client.on_arrival(Class::Neighbor, 0, &scenario));
        let action = client.on_timeout(request.call, 0, 0, &scenario, &mut rng);
        assert!(matches!(action, ClientAction::Failed { .. }));
    }

    #[test]
    fn an_empty_budget_turns_the_retry_into_an_error() {
        let scenario = Scenario::healthy().with_defenses(crate::defenses::Defenses {
            retry_budget: Some(RetryBudget {
                ratio: 0.0,
                max_tokens: 0.0,
            }),
            ..Default::default()
        });
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let request = sent(client.on_arrival(Class::Main, 0, &scenario));
        let action = client.on_timeout(request.call, 0, 0, &scenario, &mut rng);
        assert_eq!(
            action,
            ClientAction::Failed {
                class: Class::Main,
                reason: Failure::BudgetEmpty
            }
        );
    }

    #[test]
    fn backoff_schedules_the_retry_later() {
        let scenario = Scenario::healthy().with_defense("backoff");
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let request = sent(client.on_arrival(Class::Main, 0, &scenario));
        match client.on_timeout(request.call, 0, 1_000_000, &scenario, &mut rng) {
            ClientAction::RetryAt { at, .. } => assert!((1_000_000..1_100_000).contains(&at)),
            other => panic!("expected RetryAt, got {other:?}"),
        }
    }

    #[test]
    fn slots_are_reused_and_stale_ids_ignored() {
        let scenario = Scenario::healthy();
        let mut rng = SplitMix64::new(0);
        let mut client = Client::new();
        let first = sent(client.on_arrival(Class::Main, 0, &scenario));
        client.on_response(first.call, 0, true, 10, &scenario, &mut rng);
        let second = sent(client.on_arrival(Class::Main, 20, &scenario));
        assert_eq!(second.call.slot, first.call.slot);
        assert_ne!(second.call.generation, first.call.generation);
        let stale = client.on_timeout(first.call, 0, 1_000_000, &scenario, &mut rng);
        assert_eq!(stale, ClientAction::Ignored);
    }
}

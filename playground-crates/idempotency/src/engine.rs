//! One charge, phase by phase: the code the server runs, and a synchronous driver
//! ([`Payments`]) for snippets, tests and the widget that can stop at any [`Step`] as a crash would.
//!
//! The phases are free functions over a store and a network rather than methods on one object,
//! because the server must not hold the store while it waits on the card network: a slow network
//! call under the store's lock would turn every concurrent retry into a queue instead of a 409.

use crate::lifecycle::{KeyRecord, Step};
use crate::network::{CardNetwork, NetworkCharge};
use crate::outbox::Event;
use crate::reply::{ApiError, Charge, ErrorKind, Reply};
use crate::request::ChargeParams;
use crate::store::{Claim, Finish, Store, StoreError};

/// Which service to run. The widget compares them; the server always runs [`Design::Lifecycle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Keys are ignored: every request charges (what a retry does to a service with no keys).
    NoKeys,
    /// Keys are looked up first but written only with the answer, and the network gets a fresh
    /// request id each attempt: a response cache, the common half-measure. A crash between the
    /// network call and the save charges again on retry.
    ResponseCache,
    /// The full lifecycle: the key is recorded (and locked) before any foreign call, the network
    /// request id comes from that record, and the result is recorded atomically.
    Lifecycle,
}

/// A charge this process is now running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The record that holds the key's state.
    pub record: KeyRecord,
    /// The charge parameters.
    pub params: ChargeParams,
    /// Whether an earlier attempt had recorded the key (a crash recovery).
    pub resumed: bool,
    /// For [`Design::ResponseCache`]: the key, written only at the end.
    pub save_key: Option<String>,
}

/// The first phase's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Run the charge.
    Run(Job),
    /// Answer at once (a replay, a 400 or a 409): nothing else to do.
    Answer(Reply),
}

/// Phase 1: decide what the request is, and for a charge to run, record the key (transaction 1).
pub fn begin(
    store: &mut impl Store,
    design: Design,
    key: Option<&str>,
    params: &ChargeParams,
    owner: u64,
    now: u64,
) -> Result<Begin, StoreError> {
    let fingerprint = params.fingerprint();
    let run = |record, resumed, save_key| {
        Begin::Run(Job {
            record,
            params: params.clone(),
            resumed,
            save_key,
        })
    };
    match (design, key) {
        (Design::Lifecycle, Some(key)) => Ok(match store.claim(key, &fingerprint, owner, now)? {
            Claim::Run { record, resumed } => run(record, resumed, None),
            Claim::Replay(reply) => Begin::Answer(reply),
            Claim::Refuse(error) => Begin::Answer(Reply::error(&error)),
        }),
        (Design::ResponseCache, Some(key)) => {
            if let Some(record) = store.lookup(key)? {
                if let crate::lifecycle::RecoveryPoint::Finished(reply) = record.point {
                    return Ok(Begin::Answer(reply.replay()));
                }
            }
            let record = store.open_unkeyed(&fingerprint, owner, now)?;
            Ok(run(record, false, Some(key.to_owned())))
        }
        _ => {
            let record = store.open_unkeyed(&fingerprint, owner, now)?;
            Ok(run(record, false, None))
        }
    }
}

/// Phase 2: the foreign call, under the record's network request id.
pub fn call_network(network: &mut impl CardNetwork, job: &Job) -> Result<NetworkCharge, String> {
    network.charge(
        &job.record.network_request_id(),
        &job.params.customer,
        job.params.amount,
        &job.params.currency,
    )
}

/// Phase 3: record the network's result, its outbox event and the reply in one commit
/// (transaction 2), and return the reply.
pub fn complete(
    store: &mut impl Store,
    job: &Job,
    result: &NetworkCharge,
) -> Result<Reply, StoreError> {
    let (charge, event, reply) = if result.succeeded() {
        let charge = Charge::from_network(format!("ch_{}", job.record.id), result);
        let event = Event {
            id: job.record.id,
            charge_id: charge.id.clone(),
            customer: charge.customer.clone(),
            amount: charge.amount,
        };
        let reply = Reply::charge(&charge);
        (Some(charge), Some(event), reply)
    } else {
        let reason = "the card network declined this customer's card";
        (None, None, Reply::error(&ApiError::declined(reason)))
    };
    store.finish(
        job.record.id,
        &Finish {
            charge,
            event,
            reply: reply.clone(),
            save_key: job.save_key.clone(),
        },
    )?;
    Ok(reply)
}

/// The 500 a request gets when storage fails.
pub fn internal_error(error: &StoreError) -> Reply {
    Reply::error(&ApiError::new(ErrorKind::Api, "storage_error", &error.0))
}

/// How a driven request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The client got this answer.
    Answered(Reply),
    /// The process died at this step; the client got nothing (a dropped connection).
    Crashed(Step),
}

impl Outcome {
    /// The reply, if the client got one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Outcome::Answered(reply) => Some(reply),
            Outcome::Crashed(_) => None,
        }
    }
}

/// A whole payment service in one value: store, network, a boot id and a clock. Synchronous and
/// deterministic, for snippets, tests and the widget; the server runs the same three phases.
#[derive(Debug, Clone)]
pub struct Payments<S, N> {
    /// The service's durable state.
    pub store: S,
    /// The card network (durable on its own: it survives the service's restarts).
    pub network: N,
    /// Which design this service runs.
    pub design: Design,
    boot: u64,
    now: u64,
}

impl<S: Store, N: CardNetwork> Payments<S, N> {
    /// A service running `design`, at time 0, boot 1.
    pub fn new(store: S, network: N, design: Design) -> Self {
        Payments {
            store,
            network,
            design,
            boot: 1,
            now: 0,
        }
    }

    /// `POST /v1/charges` without a crash.
    pub fn post(&mut self, key: Option<&str>, params: &ChargeParams) -> Reply {
        match self.post_crashing_at(key, params, None) {
            Outcome::Answered(reply) => reply,
            Outcome::Crashed(_) => unreachable!("no crash was asked for"),
        }
    }

    /// `POST /v1/charges`, dying at `crash` if the request reaches it. After a crash, call
    /// [`restart`](Self::restart) before the next request, as the real process would be restarted.
    pub fn post_crashing_at(
        &mut self,
        key: Option<&str>,
        params: &ChargeParams,
        crash: Option<Step>,
    ) -> Outcome {
        let job = match begin(
            &mut self.store,
            self.design,
            key,
            params,
            self.boot,
            self.now,
        ) {
            Ok(Begin::Run(job)) => job,
            Ok(Begin::Answer(reply)) => return Outcome::Answered(reply),
            Err(e) => return Outcome::Answered(internal_error(&e)),
        };
        if crash == Some(Step::AfterKeyRecorded) {
            return Outcome::Crashed(Step::AfterKeyRecorded);
        }
        let result = match call_network(&mut self.network, &job) {
            Ok(result) => result,
            Err(e) => {
                let _ = self.store.release(job.record.id);
                return Outcome::Answered(internal_error(&StoreError(e)));
            }
        };
        if crash == Some(Step::AfterNetworkCall) {
            return Outcome::Crashed(Step::AfterNetworkCall);
        }
        let reply = match complete(&mut self.store, &job, &result) {
            Ok(reply) => reply,
            Err(e) => {
                let _ = self.store.release(job.record.id);
                return Outcome::Answered(internal_error(&e));
            }
        };
        if crash == Some(Step::BeforeResponse) {
            return Outcome::Crashed(Step::BeforeResponse);
        }
        Outcome::Answered(reply)
    }

    /// The process restarts: a new boot id, so locks the old process held are recognised as
    /// abandoned. The store and the network keep everything they committed.
    pub fn restart(&mut self) {
        self.boot += 1;
    }

    /// Moves the service's clock on by `ms` milliseconds.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }

    /// The service's clock (ms).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Charges that moved money at the network.
    pub fn network_charges(&self) -> usize {
        self.network.succeeded().unwrap_or(0)
    }
}

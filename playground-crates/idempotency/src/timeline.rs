//! The widget's model: one customer pressing "Pay" once, a fault injected on the way, and the
//! client's retries, run through the real phases ([`begin`], [`call_network`], [`complete`]) on
//! the in-memory store. The widget draws the entries this returns; it decides nothing itself.
//!
//! Four arrows carry a charge: the client's request to the service, the service's call to the
//! card network, the network's reply, and the service's response. Any of them can be lost, and
//! the service can crash at any of its three [`Step`]s. Faults hit the first attempt only; the
//! retries that follow run on a healthy system, so what they do is the design's doing alone.

use crate::client::{should_retry, Attempt, Backoff};
use crate::engine::{begin, call_network, complete, Begin, Design};
use crate::lifecycle::Step;
use crate::network::{CardNetwork, MemoryNetwork};
use crate::reply::{ApiError, ErrorKind, Reply};
use crate::request::ChargeParams;
use crate::store::{MemoryStore, Store};

/// The four messages of a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrow {
    /// Client → service: `POST /v1/charges`.
    Request,
    /// Service → card network: charge `req_<id>`.
    NetworkCall,
    /// Card network → service: approved (the card is charged).
    NetworkReply,
    /// Service → client: 200 with the charge.
    Response,
}

impl Arrow {
    /// Every arrow, in order.
    pub const ALL: [Arrow; 4] = [
        Arrow::Request,
        Arrow::NetworkCall,
        Arrow::NetworkReply,
        Arrow::Response,
    ];

    /// The name the widget sends.
    pub fn name(self) -> &'static str {
        match self {
            Arrow::Request => "request",
            Arrow::NetworkCall => "network-call",
            Arrow::NetworkReply => "network-reply",
            Arrow::Response => "response",
        }
    }

    /// Parses a name.
    pub fn parse(name: &str) -> Option<Arrow> {
        Arrow::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// What goes wrong on the first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing.
    None,
    /// This message is lost.
    Lose(Arrow),
    /// The service dies at this step.
    Crash(Step),
}

/// The learner's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// The client sends an `Idempotency-Key`, the same one on every attempt.
    pub keys: bool,
    /// The service records the key before the network call and the result atomically (the
    /// lifecycle); off, it only caches responses after the fact.
    pub atomic: bool,
    /// The client retries when it gets no answer (up to 3 attempts).
    pub retries: bool,
    /// The fault on the first attempt.
    pub fault: Fault,
}

impl Scenario {
    /// The service design these switches describe.
    pub fn design(&self) -> Design {
        match (self.keys, self.atomic) {
            (false, _) => Design::NoKeys,
            (true, false) => Design::ResponseCache,
            (true, true) => Design::Lifecycle,
        }
    }
}

/// One thing that happened, for the widget to draw in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which attempt of the client's (1-based).
    pub attempt: u32,
    /// `arrow`, `crash`, `restart`, `wait` or `note`.
    pub kind: &'static str,
    /// For arrows: `client`, `service` or `network`.
    pub from: &'static str,
    /// For arrows: the receiver.
    pub to: &'static str,
    /// What the entry says.
    pub label: String,
    /// For arrows: whether the message was lost on the way.
    pub lost: bool,
    /// The card network's count of charges after this entry.
    pub charges: usize,
}

/// The result of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Everything that happened.
    pub entries: Vec<Entry>,
    /// Charges the card network executed for the one press of "Pay".
    pub charges: usize,
    /// Whether the client ended with an answer it could show the customer.
    pub answered: bool,
    /// The Effectively-Once Triangle's corner that failed, if any: `retry`, `deduplication` or
    /// `atomic-recording`.
    pub failed_corner: Option<&'static str>,
    /// One sentence on what happened and why.
    pub verdict: String,
}

struct Recorder<'a> {
    entries: Vec<Entry>,
    network: &'a MemoryNetwork,
}

impl Recorder<'_> {
    fn push(
        &mut self,
        attempt: u32,
        kind: &'static str,
        from: &'static str,
        to: &'static str,
        label: String,
        lost: bool,
    ) {
        let charges = self.network.succeeded().unwrap_or(0);
        self.entries.push(Entry {
            attempt,
            kind,
            from,
            to,
            label,
            lost,
            charges,
        });
    }
}

/// Runs one press of "Pay" under `scenario`.
pub fn run(scenario: Scenario) -> Run {
    let design = scenario.design();
    let params = ChargeParams::new(2_000, "usd", "cus_ada");
    let key = scenario.keys.then_some("order-1042-pay");
    let mut store = MemoryStore::new();
    let mut network = MemoryNetwork::new();
    let mut boot = 1;
    let mut now = 0;
    let mut backoff = Backoff::new(100, 2_000, 6);
    let mut entries: Vec<Entry> = Vec::new();
    let mut answered = false;
    let max_attempts = if scenario.retries { 3 } else { 1 };
    for attempt in 1..=max_attempts {
        let fault = if attempt == 1 {
            scenario.fault
        } else {
            Fault::None
        };
        let (got, more) = one_attempt(
            &mut store,
            &mut network,
            design,
            key,
            &params,
            fault,
            attempt,
            boot,
            now,
        );
        entries.extend(more);
        if matches!(fault, Fault::Crash(_)) {
            boot += 1;
            let charges = network.succeeded().unwrap_or(0);
            entries.push(Entry {
                attempt,
                kind: "restart",
                from: "service",
                to: "service",
                label: "the service restarts on the same disk".into(),
                lost: false,
                charges,
            });
        }
        let retry = match &got {
            Some(reply) => should_retry(Attempt::Status(reply.status)),
            None => should_retry(Attempt::NoAnswer),
        };
        if !retry {
            answered = true;
            break;
        }
        if attempt < max_attempts {
            let wait = 1_000 + backoff.delay(attempt - 1);
            now += wait;
            let charges = network.succeeded().unwrap_or(0);
            entries.push(Entry { attempt, kind: "wait", from: "client", to: "client", label: format!("no usable answer: the client waits {wait} ms (timeout plus jittered backoff) and retries with {}", if key.is_some() { "the same key" } else { "no key" }), lost: false, charges });
        }
    }
    let charges = network.succeeded().unwrap_or(0);
    let (failed_corner, verdict) = judge(scenario, charges, answered);
    Run {
        entries,
        charges,
        answered,
        failed_corner,
        verdict,
    }
}

#[allow(clippy::too_many_arguments)]
fn one_attempt(
    store: &mut MemoryStore,
    network: &mut MemoryNetwork,
    design: Design,
    key: Option<&str>,
    params: &ChargeParams,
    fault: Fault,
    attempt: u32,
    boot: u64,
    now: u64,
) -> (Option<Reply>, Vec<Entry>) {
    let snapshot = network.clone();
    let mut log = Recorder {
        entries: Vec::new(),
        network: &snapshot,
    };
    let header = match key {
        Some(k) => format!("POST /v1/charges, Idempotency-Key: {k}"),
        None => "POST /v1/charges, no key".to_owned(),
    };
    if fault == Fault::Lose(Arrow::Request) {
        log.push(attempt, "arrow", "client", "service", header, true);
        return (None, log.entries);
    }
    log.push(attempt, "arrow", "client", "service", header, false);
    let job = match begin(store, design, key, params, boot, now) {
        Ok(Begin::Run(job)) => job,
        Ok(Begin::Answer(reply)) => {
            let label = format!(
                "{} replayed: the saved answer, the network is not called",
                reply.status
            );
            log.push(attempt, "arrow", "service", "client", label, false);
            return (Some(reply), log.entries);
        }
        Err(e) => unreachable!("the memory store does not fail: {e}"),
    };
    let recorded = match (design, job.resumed) {
        (Design::Lifecycle, true) => format!(
            "key found unfinished: resume it, network request {}",
            job.record.network_request_id()
        ),
        (Design::Lifecycle, false) => format!(
            "transaction 1: key recorded, network request {}",
            job.record.network_request_id()
        ),
        (Design::ResponseCache, _) => format!(
            "key not in the response cache: run it as new request {}",
            job.record.network_request_id()
        ),
        (Design::NoKeys, _) => format!(
            "no key: a new charge, network request {}",
            job.record.network_request_id()
        ),
    };
    log.push(attempt, "note", "service", "service", recorded, false);
    if fault == Fault::Crash(Step::AfterKeyRecorded) {
        log.push(
            attempt,
            "crash",
            "service",
            "service",
            "the service dies after recording the key".into(),
            false,
        );
        return (None, log.entries);
    }
    let call = format!("charge {} for $20.00", job.record.network_request_id());
    if fault == Fault::Lose(Arrow::NetworkCall) {
        log.push(attempt, "arrow", "service", "network", call, true);
        let _ = store.release(job.record.id);
        return timeout_500(log, attempt);
    }
    log.push(attempt, "arrow", "service", "network", call, false);
    let result = call_network(network, &job).expect("the memory network does not fail");
    let executed = network.clone();
    log.network = &executed;
    let approved = format!("approved as {} (the card is charged)", result.id);
    if fault == Fault::Lose(Arrow::NetworkReply) {
        log.push(attempt, "arrow", "network", "service", approved, true);
        let _ = store.release(job.record.id);
        return timeout_500(log, attempt);
    }
    log.push(attempt, "arrow", "network", "service", approved, false);
    if fault == Fault::Crash(Step::AfterNetworkCall) {
        log.push(
            attempt,
            "crash",
            "service",
            "service",
            "the service dies after the network charged the card, before recording it".into(),
            false,
        );
        return (None, log.entries);
    }
    let reply = complete(store, &job, &result).expect("the memory store does not fail");
    log.push(
        attempt,
        "note",
        "service",
        "service",
        "transaction 2: charge, outbox event and reply committed together".into(),
        false,
    );
    if fault == Fault::Crash(Step::BeforeResponse) {
        log.push(
            attempt,
            "crash",
            "service",
            "service",
            "the service dies after committing, before answering".into(),
            false,
        );
        return (None, log.entries);
    }
    let label = format!("{} {}", reply.status, reply.charge_id().unwrap_or_default());
    if fault == Fault::Lose(Arrow::Response) {
        log.push(attempt, "arrow", "service", "client", label, true);
        return (None, log.entries);
    }
    log.push(attempt, "arrow", "service", "client", label, false);
    (Some(reply), log.entries)
}

fn timeout_500(mut log: Recorder<'_>, attempt: u32) -> (Option<Reply>, Vec<Entry>) {
    let error = ApiError::new(
        ErrorKind::Api,
        "network_timeout",
        "the card network did not answer in time",
    );
    let reply = Reply::error(&error);
    log.push(attempt, "note", "service", "service", "no reply from the network within its timeout: the outcome is unknown, so nothing is saved and the lock is released".into(), false);
    log.push(
        attempt,
        "arrow",
        "service",
        "client",
        "500 api_error (retry with the same key)".into(),
        false,
    );
    (Some(reply), log.entries)
}

fn judge(scenario: Scenario, charges: usize, answered: bool) -> (Option<&'static str>, String) {
    if charges >= 2 {
        if !scenario.keys {
            return (Some("deduplication"), format!("{charges} charges for one press of Pay: without a key the service cannot tell a retry from a new purchase."));
        }
        return (Some("atomic-recording"), format!("{charges} charges despite the key: the key was not recorded before the card network was called, so the retry looked new and got a new network request id."));
    }
    if charges == 0 {
        return (Some("retry"), "No charge and no answer: the client gave up after one attempt, so a lost message became a lost sale.".into());
    }
    if !answered {
        return (Some("retry"), "Charged once, but the client never heard: without a retry the customer sees an error for a payment that went through.".into());
    }
    (
        None,
        "Charged exactly once, and the client has its answer.".into(),
    )
}

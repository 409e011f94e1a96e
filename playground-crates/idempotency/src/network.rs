//! The card network: the foreign state the service cannot roll back.
//!
//! The service's database and the card network are two systems. No transaction spans them, and a
//! crash of the service leaves whatever the network did in place. What makes a retry safe across
//! that gap is the same idea one hop further down: the service names each charge it asks for
//! (a request id derived from its own record of the key) and the network executes a request id at
//! most once, answering a repeat with the charge it already made. Stripe's API asks this of its
//! clients; the service asks it of the network.

/// The customer the network always declines, so a demonstration can show a saved 402.
pub const DECLINED_CUSTOMER: &str = "cus_declined";

/// One charge request the network executed (approved or declined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkCharge {
    /// The network's own id, `nch_<n>`.
    pub id: String,
    /// The caller's name for the request; the network executes each one at most once.
    pub request_id: String,
    /// The customer charged.
    pub customer: String,
    /// The amount, smallest currency unit.
    pub amount: u64,
    /// The currency code.
    pub currency: String,
    /// `succeeded` or `declined`.
    pub status: String,
}

impl NetworkCharge {
    /// Whether money moved.
    pub fn succeeded(&self) -> bool {
        self.status == "succeeded"
    }

    /// The charge as JSON, for `GET /v1/network/charges`.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "object": "network_charge",
            "request_id": self.request_id,
            "customer": self.customer,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
        })
    }
}

/// What the network does with a charge request: its one rule, shared by every implementation.
///
/// A repeat of a request id it has seen returns the first result unchanged; a new one is
/// declined for [`DECLINED_CUSTOMER`] and approved otherwise.
pub trait CardNetwork {
    /// Executes `request_id` at most once and returns its result.
    fn charge(
        &mut self,
        request_id: &str,
        customer: &str,
        amount: u64,
        currency: &str,
    ) -> Result<NetworkCharge, String>;

    /// Every request the network executed, in order.
    fn charges(&self) -> Result<Vec<NetworkCharge>, String>;

    /// How many charges actually moved money (approved ones).
    fn succeeded(&self) -> Result<usize, String> {
        Ok(self.charges()?.iter().filter(|c| c.succeeded()).count())
    }
}

/// The network's decision for a new request.
pub fn decide(customer: &str) -> &'static str {
    if customer == DECLINED_CUSTOMER {
        "declined"
    } else {
        "succeeded"
    }
}

/// A card network in memory, for snippets, tests and the widget. It models the real network's
/// durability by living outside the service: restart the service and this keeps its charges.
#[derive(Debug, Default, Clone)]
pub struct MemoryNetwork {
    executed: Vec<NetworkCharge>,
    /// When false, the network ignores request ids and executes every call (a network without
    /// its own idempotency, to show what that costs).
    pub dedupe: bool,
}

impl MemoryNetwork {
    /// A network that executes each request id once.
    pub fn new() -> Self {
        MemoryNetwork {
            executed: Vec::new(),
            dedupe: true,
        }
    }
}

impl CardNetwork for MemoryNetwork {
    fn charge(
        &mut self,
        request_id: &str,
        customer: &str,
        amount: u64,
        currency: &str,
    ) -> Result<NetworkCharge, String> {
        if self.dedupe {
            if let Some(seen) = self.executed.iter().find(|c| c.request_id == request_id) {
                return Ok(seen.clone());
            }
        }
        let charge = NetworkCharge {
            id: format!("nch_{}", self.executed.len() + 1),
            request_id: request_id.to_owned(),
            customer: customer.to_owned(),
            amount,
            currency: currency.to_owned(),
            status: decide(customer).to_owned(),
        };
        self.executed.push(charge.clone());
        Ok(charge)
    }

    fn charges(&self) -> Result<Vec<NetworkCharge>, String> {
        Ok(self.executed.clone())
    }
}

//! What the service answers: a status code and a JSON body, the pair a key saves and replays.

use serde_json::json;

use crate::network::NetworkCharge;

/// An HTTP answer as the service saves it: exactly what a replay sends back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code (200, 400, 402, 409, 500).
    pub status: u16,
    /// The JSON body, as text, byte for byte what the first answer carried.
    pub body: String,
    /// True when this answer is a saved one sent again (the `Idempotent-Replayed: true` header).
    pub replayed: bool,
}

impl Reply {
    /// A 200 with the charge object.
    pub fn charge(charge: &Charge) -> Reply {
        Reply {
            status: 200,
            body: charge.to_json(),
            replayed: false,
        }
    }

    /// An error answer; its status follows from the error's kind.
    pub fn error(error: &ApiError) -> Reply {
        Reply {
            status: error.status(),
            body: error.to_json(),
            replayed: false,
        }
    }

    /// The same answer, marked as replayed.
    pub fn replay(mut self) -> Reply {
        self.replayed = true;
        self
    }

    /// The charge id in a 200 body, if this is one (handy in tests and snippets).
    pub fn charge_id(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        value["id"].as_str().map(str::to_owned)
    }
}

/// A charge the service recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The service's charge id, `ch_<n>`.
    pub id: String,
    /// Smallest currency unit.
    pub amount: u64,
    /// Currency code.
    pub currency: String,
    /// Customer id.
    pub customer: String,
    /// `succeeded` (declines are answered with a 402 and recorded only as that answer).
    pub status: String,
    /// The card network's id for the charge it executed, so the two ledgers can be reconciled.
    pub network_charge: String,
}

impl Charge {
    /// Builds the service's charge from what the network executed.
    pub fn from_network(id: String, network: &NetworkCharge) -> Charge {
        Charge {
            id,
            amount: network.amount,
            currency: network.currency.clone(),
            customer: network.customer.clone(),
            status: "succeeded".into(),
            network_charge: network.id.clone(),
        }
    }

    /// The charge as the JSON object the API returns.
    pub fn to_value(&self) -> serde_json::Value {
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "currency": self.currency,
            "customer": self.customer,
            "status": self.status,
            "network_charge": self.network_charge,
        })
    }

    /// [`to_value`](Self::to_value) as text.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

/// The error families the API distinguishes (the JSON `type` field), after Stripe's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request itself is wrong; nothing was saved, the key stays usable.
    InvalidRequest,
    /// 400 (parameters differ from the key's first request) or 409 (the key's first request is
    /// still running).
    Idempotency,
    /// 402: the card network declined; saved and replayed like a success.
    Card,
    /// 500: the service failed internally.
    Api,
}

impl ErrorKind {
    /// The JSON `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid_request_error",
            ErrorKind::Idempotency => "idempotency_error",
            ErrorKind::Card => "card_error",
            ErrorKind::Api => "api_error",
        }
    }
}

/// An error answer: `{"error": {"type", "code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The family, which fixes the JSON `type`.
    pub kind: ErrorKind,
    /// A machine-readable code, such as `idempotency_key_in_use`.
    pub code: String,
    /// A sentence for the developer reading the log.
    pub message: String,
    /// The status, when the family alone does not fix it (an idempotency error is 400 or 409).
    pub status: u16,
}

impl ApiError {
    /// An error with the family's usual status (400, 402 or 500).
    pub fn new(kind: ErrorKind, code: &str, message: &str) -> ApiError {
        let status = match kind {
            ErrorKind::InvalidRequest | ErrorKind::Idempotency => 400,
            ErrorKind::Card => 402,
            ErrorKind::Api => 500,
        };
        ApiError {
            kind,
            code: code.to_owned(),
            message: message.to_owned(),
            status,
        }
    }

    /// 409: another request with this key is still in flight. Not saved: retry later, same key.
    pub fn key_in_use() -> ApiError {
        ApiError {
            status: 409,
            ..ApiError::new(
                ErrorKind::Idempotency,
                "idempotency_key_in_use",
                "A request with this idempotency key is still being processed; retry it later with the same key.",
            )
        }
    }

    /// 400: the key was first used with other parameters.
    pub fn key_reused() -> ApiError {
        ApiError::new(
            ErrorKind::Idempotency,
            "idempotency_key_reused",
            "This idempotency key was first used with different parameters; a key names one operation, so use a new key for a new charge.",
        )
    }

    /// 402: the card network declined the charge.
    pub fn declined(reason: &str) -> ApiError {
        ApiError::new(
            ErrorKind::Card,
            "card_declined",
            &format!("The card was declined: {reason}."),
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body.
    pub fn to_json(&self) -> String {
        json!({"error": {"type": self.kind.as_str(), "code": self.code, "message": self.message}})
            .to_string()
    }
}

//! What a client sends, checked before anything is saved.
//!
//! Validation comes first on purpose: Stripe saves a key's result only once the endpoint has begun
//! to run, so a request that fails validation leaves no trace and its key stays usable. Here that
//! means [`ChargeParams::parse`] and [`check_key`] run before the key is ever written down.

use serde_json::Value;

use crate::reply::{ApiError, ErrorKind};

/// The longest `Idempotency-Key` accepted, in characters (Stripe's documented limit).
pub const MAX_KEY_LEN: usize = 255;

/// The parameters of one charge. Two requests with the same key must carry equal parameters, or
/// the second is refused: a key names one operation, not one slot to put anything in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeParams {
    /// The amount in the currency's smallest unit (cents for `usd`), always positive.
    pub amount: u64,
    /// A three-letter lowercase currency code, such as `usd`.
    pub currency: String,
    /// The customer to charge; `cus_declined` is always declined by the card network.
    pub customer: String,
}

impl ChargeParams {
    /// Builds parameters in code (snippets, tests, the widget), with the same rules as [`parse`](Self::parse).
    pub fn new(amount: u64, currency: &str, customer: &str) -> Self {
        ChargeParams {
            amount,
            currency: currency.to_owned(),
            customer: customer.to_owned(),
        }
    }

    /// Parses and validates a request body: JSON `{"amount": <positive integer>, "currency":
    /// "usd", "customer": "<id>"}`. Every failure is a 400 `invalid_request_error` naming the field.
    pub fn parse(body: &[u8]) -> Result<ChargeParams, ApiError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                ErrorKind::InvalidRequest,
                "invalid_json",
                &format!("The request body is not valid JSON: {e}."),
            )
        })?;
        let object = value.as_object().ok_or_else(|| {
            ApiError::new(
                ErrorKind::InvalidRequest,
                "invalid_json",
                "The request body must be a JSON object.",
            )
        })?;
        let amount =
            match object.get("amount") {
                None | Some(Value::Null) => return Err(missing("amount")),
                Some(v) => match v.as_u64() {
                    Some(a) if a > 0 => a,
                    _ => return Err(ApiError::new(
                        ErrorKind::InvalidRequest,
                        "parameter_invalid_integer",
                        "`amount` must be a positive integer (in the currency's smallest unit).",
                    )),
                },
            };
        let currency = text(object.get("currency"), "currency")?;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ApiError::new(
                ErrorKind::InvalidRequest,
                "parameter_invalid_string",
                "`currency` must be a three-letter lowercase code, such as \"usd\".",
            ));
        }
        let customer = text(object.get("customer"), "customer")?;
        Ok(ChargeParams {
            amount,
            currency,
            customer,
        })
    }

    /// A canonical text form, stored with the key and compared on every retry (field order and
    /// whitespace in the client's JSON do not matter).
    pub fn fingerprint(&self) -> String {
        format!("{}|{}|{}", self.amount, self.currency, self.customer)
    }
}

fn missing(field: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidRequest,
        "parameter_missing",
        &format!("Missing required parameter `{field}`."),
    )
}

fn text(value: Option<&Value>, field: &str) -> Result<String, ApiError> {
    match value {
        None | Some(Value::Null) => Err(missing(field)),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 255 => Ok(s.clone()),
        Some(_) => Err(ApiError::new(
            ErrorKind::InvalidRequest,
            "parameter_invalid_string",
            &format!("`{field}` must be a non-empty string of at most 255 characters."),
        )),
    }
}

/// Checks an `Idempotency-Key` header value: present keys must be 1 to [`MAX_KEY_LEN`]
/// characters. A bad key is a 400 `invalid_request_error`, and nothing is saved.
pub fn check_key(key: &str) -> Result<(), ApiError> {
    let chars = key.chars().count();
    if chars == 0 {
        return Err(ApiError::new(
            ErrorKind::InvalidRequest,
            "idempotency_key_invalid",
            "The `Idempotency-Key` header is empty; send a unique value, such as a V4 UUID, or leave the header out.",
        ));
    }
    if chars > MAX_KEY_LEN {
        return Err(ApiError::new(
            ErrorKind::InvalidRequest,
            "idempotency_key_too_long",
            &format!("The `Idempotency-Key` header is {chars} characters long; keys are at most {MAX_KEY_LEN}."),
        ));
    }
    Ok(())
}

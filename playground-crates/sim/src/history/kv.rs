//! The key-value store with get, put and append, in the one-EDN-map-a-line format.

use super::{JepsenLine, Kind};

/// An operation on a store of string keys and string values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp {
    /// Read a key: `value` is `None` on invoke, and on ok the whole string (`""` if empty).
    Get {
        /// The key read.
        key: String,
        /// What was read.
        value: Option<String>,
    },
    /// Replace a key's value.
    Put {
        /// The key written.
        key: String,
        /// The new value.
        value: String,
    },
    /// Add `value` to the end of the key's current string.
    Append {
        /// The key written.
        key: String,
        /// The text appended.
        value: String,
    },
}

impl KvOp {
    /// Jepsen's name for the operation: `:get`, `:put` or `:append`.
    pub fn keyword(&self) -> &'static str {
        match self {
            KvOp::Get { .. } => ":get",
            KvOp::Put { .. } => ":put",
            KvOp::Append { .. } => ":append",
        }
    }

    /// The key the operation is about.
    pub fn key(&self) -> &str {
        match self {
            KvOp::Get { key, .. } | KvOp::Put { key, .. } | KvOp::Append { key, .. } => key,
        }
    }
}

/// A string as an EDN literal: quoted, with `"` and `\` escaped (and the control characters
/// EDN names), so a value holding a quote cannot end the string early.
fn edn_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

impl JepsenLine for KvOp {
    /// `{:process P, :type :ok, :f :get, :key "K", :value "V"}`, as in `../shared/histories/kv/`;
    /// a get's value is `nil` until it is known (invoke, fail, info).
    fn jepsen_line(&self, process: u64, kind: Kind) -> String {
        let value = match (kind, self) {
            (
                Kind::Ok,
                KvOp::Get {
                    value: Some(value), ..
                },
            ) => edn_string(value),
            (_, KvOp::Get { .. }) => "nil".to_string(),
            (_, KvOp::Put { value, .. }) | (_, KvOp::Append { value, .. }) => edn_string(value),
        };
        format!(
            "{{:process {process}, :type {}, :f {}, :key {}, :value {value}}}",
            kind.keyword(),
            self.keyword(),
            edn_string(self.key())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(edn_string(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
    }
}

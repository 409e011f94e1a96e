//! The single register with read, write and compare-and-set, in the etcd log format.

use super::{JepsenLine, Kind};

/// An operation on a register of whole numbers that starts with no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegisterOp {
    /// Read the register: `None` on invoke, and on ok the value found (`None` if never written).
    Read(Option<u64>),
    /// Write this value.
    Write(u64),
    /// If the value is `from`, make it `to` (compare-and-set).
    Cas {
        /// The value the client expects.
        from: u64,
        /// The value it wants instead.
        to: u64,
    },
}

impl RegisterOp {
    /// Jepsen's name for the operation: `:read`, `:write` or `:cas`.
    pub fn keyword(&self) -> &'static str {
        match self {
            RegisterOp::Read(_) => ":read",
            RegisterOp::Write(_) => ":write",
            RegisterOp::Cas { .. } => ":cas",
        }
    }
}

impl JepsenLine for RegisterOp {
    /// `INFO  jepsen.util - P<TAB>:type<TAB>:f<TAB>value`, as in `../shared/histories/etcd/`:
    /// an invoked read shows `nil`; an ok read its value or `nil`; a write its value; a CAS
    /// `[from to]`; an `info` (and a failed read) shows `:timed-out`.
    fn jepsen_line(&self, process: u64, kind: Kind) -> String {
        let value = match (kind, self) {
            (Kind::Info, _) | (Kind::Fail, RegisterOp::Read(_)) => ":timed-out".to_string(),
            (Kind::Invoke, RegisterOp::Read(_)) | (_, RegisterOp::Read(None)) => "nil".to_string(),
            (_, RegisterOp::Read(Some(value))) | (_, RegisterOp::Write(value)) => value.to_string(),
            (_, RegisterOp::Cas { from, to }) => format!("[{from} {to}]"),
        };
        format!(
            "INFO  jepsen.util - {process}\t{}\t{}\t{value}",
            kind.keyword(),
            self.keyword()
        )
    }
}

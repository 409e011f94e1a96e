//! Sequential specifications: what one correct copy of the object would do.
//!
//! Linearizability is defined against a *sequential* object: a history is linearizable if its
//! operations can be put in one order, consistent with real time, in which this object gives every
//! answer the clients saw. A [`Model`] is that object, written as a pure step function so the
//! checker can try orders cheaply and remember the states it has already been in.

use std::fmt::Debug;
use std::hash::Hash;

use crate::history::{KvOp, RegisterOp};

/// A sequential object the checker can replay operations against.
pub trait Model {
    /// What a client asks.
    type Input: Clone + Debug;
    /// What a completed operation returned.
    type Output: Clone + Debug;
    /// The object's whole state. Hashed and compared by the checker's memo table, so keep it small.
    type State: Clone + Eq + Hash + Debug;

    /// The state before any operation.
    fn init(&self) -> Self::State;

    /// Applies `input` to `state`. `output` is what the client saw, or `None` for an
    /// indeterminate operation (any output is fine). Returns the next state if this output is
    /// possible from this state, `None` if it is not.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State>;

    /// True if `input` never changes the state (a read): the witness minimiser drops such an
    /// operation rather than making it indeterminate, since an unknown read constrains nothing.
    fn is_read_only(&self, input: &Self::Input) -> bool {
        let _ = input;
        false
    }

    /// The operation as a learner reads it: "read → 3", "cas 1→2".
    fn describe(&self, input: &Self::Input, output: Option<&Self::Output>) -> String;

    /// The state as a learner reads it.
    fn describe_state(&self, state: &Self::State) -> String;
}

/// A single register with read, write and compare-and-set, starting with no value (the etcd
/// histories' object).
#[derive(Clone, Copy, Debug, Default)]
pub struct Register;

impl Model for Register {
    type Input = RegisterOp;
    type Output = Option<i64>;
    type State = Option<i64>;

    fn init(&self) -> Option<i64> {
        None
    }

    fn step(
        &self,
        state: &Option<i64>,
        input: &RegisterOp,
        output: Option<&Option<i64>>,
    ) -> Option<Option<i64>> {
        match *input {
            RegisterOp::Read => match output {
                Some(seen) if seen != state => None,
                _ => Some(*state),
            },
            RegisterOp::Write(v) => Some(Some(v)),
            // A CAS that returned ok must have seen `from`. An indeterminate one takes effect only if
            // it would have succeeded; otherwise it changed nothing. (A failed CAS never gets here:
            // failed operations are dropped before checking.)
            RegisterOp::Cas { from, to } => {
                if *state == Some(from) {
                    Some(Some(to))
                } else if output.is_none() {
                    Some(*state)
                } else {
                    None
                }
            }
        }
    }

    fn is_read_only(&self, input: &RegisterOp) -> bool {
        matches!(input, RegisterOp::Read)
    }

    fn describe(&self, input: &RegisterOp, output: Option<&Option<i64>>) -> String {
        match (input, output) {
            (RegisterOp::Read, Some(v)) => format!("read → {}", show(*v)),
            (RegisterOp::Read, None) => "read (no answer)".to_string(),
            (op, _) => op.to_string(),
        }
    }

    fn describe_state(&self, state: &Option<i64>) -> String {
        show(*state)
    }
}

fn show(value: Option<i64>) -> String {
    value.map_or("nil".to_string(), |v| v.to_string())
}

/// One key of a string key-value map with get, put and append: the checker splits a kv history
/// by key and checks each key's operations against this model alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct KvKey;

impl Model for KvKey {
    type Input = KvOp;
    type Output = String;
    type State = String;

    fn init(&self) -> String {
        String::new()
    }

    fn step(&self, state: &String, input: &KvOp, output: Option<&String>) -> Option<String> {
        match input {
            KvOp::Get(_) => match output {
                Some(seen) if seen != state => None,
                _ => Some(state.clone()),
            },
            KvOp::Put(_, v) => Some(v.clone()),
            KvOp::Append(_, v) => Some(format!("{state}{v}")),
        }
    }

    fn is_read_only(&self, input: &KvOp) -> bool {
        matches!(input, KvOp::Get(_))
    }

    fn describe(&self, input: &KvOp, output: Option<&String>) -> String {
        match (input, output) {
            (KvOp::Get(k), Some(v)) => format!("get {k:?} → {v:?}"),
            (op, _) => op.to_string(),
        }
    }

    fn describe_state(&self, state: &String) -> String {
        format!("{state:?}")
    }
}

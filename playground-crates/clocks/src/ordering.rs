//! The four answers to "how are these two events related?".
//!
//! Why a separate type instead of `std::cmp::Ordering`? Because causality is a *partial* order:
//! besides less, equal and greater there is a fourth answer, "neither", and it is the interesting
//! one. `PartialOrd` would spell it `None`, which reads like "unknown"; concurrency is not unknown,
//! it is a definite fact: neither event could have influenced the other.

use std::fmt;

/// How event (or vector) `a` relates to `b` under happened-before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CausalOrder {
    /// `a → b`: `a` happened before `b`, so `a` could have caused `b`.
    Before,
    /// `b → a`: `b` happened before `a`.
    After,
    /// Identical vectors: the same event (two distinct events never share a vector).
    Equal,
    /// `a ∥ b`: neither happened before the other. A system that must pick a winner between two
    /// concurrent writes needs a rule that is not "the later one", because there is no later one.
    Concurrent,
}

impl CausalOrder {
    /// The relation seen from the other side: `a → b` is `b ← a`. Concurrency and equality are
    /// symmetric, which the property tests check.
    pub fn reverse(self) -> Self {
        match self {
            CausalOrder::Before => CausalOrder::After,
            CausalOrder::After => CausalOrder::Before,
            other => other,
        }
    }
}

impl fmt::Display for CausalOrder {
    /// The symbol a reader would write between the two events: `→`, `←`, `=`, `∥`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = match self {
            CausalOrder::Before => "→",
            CausalOrder::After => "←",
            CausalOrder::Equal => "=",
            CausalOrder::Concurrent => "∥",
        };
        f.write_str(symbol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_swaps_only_the_directed_answers() {
        assert_eq!(CausalOrder::Before.reverse(), CausalOrder::After);
        assert_eq!(CausalOrder::After.reverse(), CausalOrder::Before);
        assert_eq!(CausalOrder::Equal.reverse(), CausalOrder::Equal);
        assert_eq!(CausalOrder::Concurrent.reverse(), CausalOrder::Concurrent);
    }

    #[test]
    fn displays_as_the_symbol() {
        assert_eq!(CausalOrder::Concurrent.to_string(), "∥");
        assert_eq!(CausalOrder::Before.to_string(), "→");
    }
}

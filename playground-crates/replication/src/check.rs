//! Hands a recorded history to Module 2's checker.
//!
//! The history goes the long way on purpose: the kernel's recorder writes it in Jepsen's key-value
//! format, and Module 2's parser reads that text back before its checker judges it. What the
//! checker sees is exactly the file you could save and feed to Jepsen's own tools (or to
//! `cargo run -p consistency -- check`), with no shortcut through this crate's types.

use consistency::lincheck::is_linearizable;
use consistency::{check, parse, Verdict};
use sim::{History, KvOp};

fn parsed(history: &History<KvOp>) -> Option<consistency::History> {
    let text = history.to_jepsen();
    if text.is_empty() {
        return None;
    }
    Some(
        parse("replication.edn", &text)
            .expect("the kernel's recorder writes histories that Module 2's parser reads"),
    )
}

/// Only whether the history is linearizable: the checker's search without the witness, which
/// is the expensive part (shrinking a failing history to a minimal core re-runs the search
/// many times). Fast enough for every run.
pub fn linearizable(history: &History<KvOp>) -> bool {
    parsed(history).is_none_or(|h| is_linearizable(&h))
}

/// The checker's full verdict on a history recorded through the kernel's recorder: on failure,
/// with the witness (the operations that cannot be ordered).
pub fn verdict(history: &History<KvOp>) -> Verdict {
    parsed(history).map_or(Verdict::Linearizable, |h| check(&h))
}

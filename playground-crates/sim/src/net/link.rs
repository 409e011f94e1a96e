//! How one direction of a connection between two nodes misbehaves.

use super::Delay;
use crate::time::Span;

/// One direction of a connection: its delay distribution and its faults.
///
/// Each fault is a probability per message, so a scenario reads like its description
/// ("1% loss, 0.1% duplicates"). With `reorder` at 0 the link is FIFO, like a TCP connection:
/// a message never arrives before one sent earlier on the same link, even if it drew a shorter
/// delay. Raise it and messages may overtake each other, as datagrams do.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// How long each message takes.
    pub delay: Delay,
    /// The chance that a message is dropped.
    pub loss: f64,
    /// The chance that a delivered message arrives twice (a retransmission whose original was
    /// not lost after all).
    pub duplicate: f64,
    /// The chance that a message may overtake the ones sent before it on this link.
    pub reorder: f64,
}

impl Default for Link {
    /// A perfect link with a fixed 1 ms delay: the starting point to add faults to.
    fn default() -> Self {
        Link::new(Delay::Fixed(Span::from_millis(1)))
    }
}

impl Link {
    /// A link with this delay and no faults.
    pub fn new(delay: Delay) -> Self {
        Self {
            delay,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
        }
    }

    /// The same link, dropping each message with probability `loss`.
    pub fn with_loss(self, loss: f64) -> Self {
        Self { loss, ..self }
    }

    /// The same link, duplicating each delivered message with probability `duplicate`.
    pub fn with_duplication(self, duplicate: f64) -> Self {
        Self { duplicate, ..self }
    }

    /// The same link, letting each message overtake earlier ones with probability `reorder`.
    pub fn with_reordering(self, reorder: f64) -> Self {
        Self { reorder, ..self }
    }
}

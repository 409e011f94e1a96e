//! Bulkheads: split the server's workers into separate pools, one per class of traffic, each with
//! its own queue, so a storm in one class cannot take the workers (or the queue) of the other.
//! It protects the *neighbour*; it does nothing for the class that is storming.
//!
//! Failure mode: a pool sized below its class's load starves that class on a perfectly healthy
//! day, while the other pool has idle workers it may not lend.

use crate::event::Class;

/// Tuning for the bulkhead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bulkhead {
    /// Workers reserved for [`Class::Neighbor`]; the main class gets the rest.
    pub neighbor_workers: u32,
}

impl Default for Bulkhead {
    /// 10 of the default 50 workers for the neighbour: 200 req/s of capacity at 50 ms a request.
    fn default() -> Self {
        Self {
            neighbor_workers: 10,
        }
    }
}

impl Bulkhead {
    /// The size of `class`'s pool when the server has `total` workers.
    pub fn workers_for(&self, class: Class, total: u32) -> u32 {
        let neighbor = self.neighbor_workers.min(total);
        match class {
            Class::Main => total - neighbor,
            Class::Neighbor => neighbor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_workers() {
        let bulkhead = Bulkhead::default();
        assert_eq!(bulkhead.workers_for(Class::Main, 50), 40);
        assert_eq!(bulkhead.workers_for(Class::Neighbor, 50), 10);
        assert_eq!(bulkhead.workers_for(Class::Main, 5), 0);
    }
}

//! The event queue: what happens next, and in which order when two things happen at once.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Time;

/// One scheduled event: its time, and the sequence number that breaks ties.
#[derive(Debug)]
struct Scheduled<E> {
    at: Time,
    sequence: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<E> Eq for Scheduled<E> {}

impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Scheduled<E> {
    /// Reversed, because [`BinaryHeap`] pops the greatest element and we want the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.sequence).cmp(&(self.at, self.sequence))
    }
}

/// Pending events, earliest first; events at the same time come out in the order they were
/// pushed (first in, first out).
///
/// Why the tie rule matters: a heap alone pops equal keys in an order that depends on its
/// internal layout, so "a message and a timer at t=5ms" could be handled in either order and two
/// runs with the same seed could differ. A sequence number taken at push time makes the order a
/// fact of the program, not of the heap.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
    next_sequence: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            next_sequence: 0,
        }
    }

    /// Schedules `event` at `at`.
    pub fn push(&mut self, at: Time, event: E) {
        self.heap.push(Scheduled {
            at,
            sequence: self.next_sequence,
            event,
        });
        self.next_sequence += 1;
    }

    /// Removes and returns the earliest event with its time.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap
            .pop()
            .map(|scheduled| (scheduled.at, scheduled.event))
    }

    /// When the earliest event happens, without removing it.
    pub fn next_time(&self) -> Option<Time> {
        self.heap.peek().map(|scheduled| scheduled.at)
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_on_ties() {
        let mut queue = EventQueue::new();
        queue.push(Time::from_micros(30), "late");
        queue.push(Time::from_micros(10), "first at 10");
        queue.push(Time::from_micros(10), "second at 10");
        assert_eq!(queue.next_time(), Some(Time::from_micros(10)));
        let order: Vec<&str> = std::iter::from_fn(|| queue.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["first at 10", "second at 10", "late"]);
        assert!(queue.is_empty());
    }
}

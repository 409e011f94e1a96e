//! Virtual time, the messages clients and the server exchange, and the event queue that orders them.
//!
//! A discrete-event simulation never sleeps: it pops the earliest pending event, lets the client
//! or the server react to it, and pushes whatever that reaction schedules. Virtual time jumps from
//! event to event, which is why a minute of a busy server simulates in milliseconds.

use std::time::Duration;

use sim::Time;

/// Virtual time and durations, in microseconds since the run started.
///
/// An integer clock makes event order exact (no two floats that "should" be equal) and one
/// microsecond is far below any service time the model uses.
pub type Micros = u64;

/// Converts a configured [`Duration`] to the simulator's clock.
pub fn micros(duration: Duration) -> Micros {
    duration.as_micros() as Micros
}

/// Converts the simulator's clock to seconds, for reports.
pub fn seconds(time: Micros) -> f64 {
    time as f64 / 1e6
}

/// Which fleet of callers a request belongs to.
///
/// The storm comes from [`Class::Main`]; [`Class::Neighbor`] is another tenant of the same server
/// that never retries. It exists so a bulkhead has something to protect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The clients with timeouts and retries whose storm we study.
    Main,
    /// A well-behaved neighbour (think: a batch job) sharing the server; one attempt, no retries.
    Neighbor,
}

impl Class {
    /// Both classes, for loops over per-class state.
    pub const ALL: [Class; 2] = [Class::Main, Class::Neighbor];

    /// The class as an index into per-class arrays.
    pub fn index(self) -> usize {
        match self {
            Class::Main => 0,
            Class::Neighbor => 1,
        }
    }
}

/// Names one user request (a "call") for as long as it lives.
///
/// Calls live in a reusable slab; `generation` changes every time a slot is reused, so an event
/// that refers to a call that has since finished (a late timeout, a late response) is recognised
/// as stale instead of being applied to the slot's new occupant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallId {
    /// The call's slot in the client's slab.
    pub slot: u32,
    /// Which occupant of that slot this is.
    pub generation: u32,
}

/// One attempt of a call, as the server sees it.
///
/// The server keeps working on a request even after its client gave up, unless a defense tells
/// it otherwise: that wasted work is the sustaining effect of a retry storm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// The call this attempt belongs to.
    pub call: CallId,
    /// 0 for the first attempt, 1 for the first retry, ...
    pub attempt: u32,
    /// Which fleet sent it (decides the bulkhead pool).
    pub class: Class,
    /// When the server received it.
    pub enqueued_at: Micros,
    /// When the client will stop waiting for it (client clock); only a server with deadline
    /// propagation looks at it.
    pub deadline: Micros,
}

/// What happens at an event's time.
#[derive(Clone, Copy, Debug)]
pub enum EventKind {
    /// A new user request of this class arrives at the client fleet.
    Arrival(Class),
    /// No arrival yet, but the arrival rate may have changed (a slider moved, a spike began):
    /// draw the next gap again. Exact for Poisson arrivals, which are memoryless, and it keeps a
    /// class whose rate was near zero from sleeping through a change.
    ArrivalRecheck(Class),
    /// A call's backoff delay is over: send its next attempt.
    RetryDue(CallId),
    /// The client stops waiting for this attempt.
    Timeout {
        /// The call that was waiting.
        call: CallId,
        /// The attempt the timer was armed for; a timer for an older attempt is stale.
        attempt: u32,
    },
    /// The server finishes working on a request and frees the worker.
    ServiceDone(Request),
}

/// An event scheduled at a point of virtual time.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// When it happens.
    pub at: Micros,
    /// What happens.
    pub kind: EventKind,
}

/// The pending events, earliest first, and first-in first-out among events at the same
/// microsecond, so runs are deterministic.
///
/// The queue itself is the simulation kernel's ([`sim::EventQueue`], a binary heap with a
/// sequence number to break ties); this wrapper only speaks the simulator's [`Micros`]. Its
/// events are small and `Copy`, so pushing and popping never allocate once the heap has grown to
/// the run's working size, which is what makes a million simulated requests a second possible.
#[derive(Debug, Default)]
pub struct EventQueue {
    queue: sim::EventQueue<EventKind>,
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `kind` at time `at`.
    pub fn push(&mut self, at: Micros, kind: EventKind) {
        self.queue.push(Time::from_micros(at), kind);
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<Event> {
        self.queue.pop().map(|(at, kind)| Event {
            at: at.as_micros(),
            kind,
        })
    }

    /// When the earliest event happens, without removing it.
    pub fn next_time(&self) -> Option<Micros> {
        self.queue.next_time().map(Time::as_micros)
    }

    /// How many events are pending.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_on_ties() {
        let mut queue = EventQueue::new();
        queue.push(30, EventKind::Arrival(Class::Main));
        queue.push(10, EventKind::Arrival(Class::Neighbor));
        queue.push(10, EventKind::Arrival(Class::Main));
        let order: Vec<(Micros, Class)> = std::iter::from_fn(|| queue.pop())
            .map(|event| match event.kind {
                EventKind::Arrival(class) => (event.at, class),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            order,
            vec![(10, Class::Neighbor), (10, Class::Main), (30, Class::Main)]
        );
    }

    #[test]
    fn converts_durations() {
        assert_eq!(micros(Duration::from_millis(1500)), 1_500_000);
        assert_eq!(seconds(2_500_000), 2.5);
    }
}

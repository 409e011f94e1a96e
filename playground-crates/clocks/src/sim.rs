//! A deterministic simulation of replicas exchanging messages, one step at a time.
//!
//! Why step by step, with the reader (or a test) choosing every move? Because the interesting
//! histories are the unlucky ones: a message that sits in flight while the receiver does other
//! work, two replicas writing without hearing from each other. A random scheduler finds those
//! sometimes; a stepper lets you build them on purpose and see the vectors at each point.
//!
//! The design is sans-IO: a [`Replica`] turns an input (a local event, a send, a received
//! [`Message`]) into a new clock state and, for a send, a message value; nothing here touches a
//! socket or a clock. The [`Simulation`] owns the replicas, the messages in flight (the network)
//! and the full history, and answers the questions the book asks of a history: which events are
//! ordered, which are concurrent. It keeps the list of [`Step`]s it was given, so
//! [`Simulation::undo`] is "replay everything but the last step", which cannot drift from the
//! forward path because it *is* the forward path.

use std::error::Error;
use std::fmt;

use crate::lamport::LamportClock;
use crate::ordering::CausalOrder;
use crate::vector::VectorClock;

/// Index of an event in [`Simulation::events`], in the order the events happened.
pub type EventId = usize;

/// Number of a message, starting at 1 so that message 1 is labelled "m1" on screen.
pub type MessageId = usize;

/// The most replicas a simulation holds: one a letter, A to Z.
pub const MAX_REPLICAS: usize = 26;

/// The clocks of one replica after one of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The replica's vector clock right after the event.
    pub vector: VectorClock,
    /// The replica's Lamport time right after the event.
    pub lamport: u64,
}

/// What travels on the wire: the sender's clocks at the moment of sending.
///
/// Carrying the clocks is the whole trick: the receiver learns not just this message but
/// everything the sender had seen, and its vector says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Index of the sending replica.
    pub from: usize,
    /// Index of the replica it is addressed to.
    pub to: usize,
    /// The sender's vector clock after the send event.
    pub vector: VectorClock,
    /// The sender's Lamport time after the send event.
    pub lamport: u64,
}

/// One process: a vector clock and a Lamport clock, and the three things that can happen to it.
#[derive(Debug, Clone)]
pub struct Replica {
    index: usize,
    vector: VectorClock,
    lamport: LamportClock,
}

impl Replica {
    /// Replica number `index` of a system of `replicas`, having seen nothing yet.
    pub fn new(index: usize, replicas: usize) -> Self {
        Self {
            index,
            vector: VectorClock::new(replicas),
            lamport: LamportClock::new(),
        }
    }

    /// This replica's position in every vector.
    pub fn index(&self) -> usize {
        self.index
    }

    /// "A", "B", "C", ...: how the book names replicas.
    pub fn name(&self) -> char {
        replica_name(self.index)
    }

    /// The vector clock after this replica's latest event.
    pub fn vector(&self) -> &VectorClock {
        &self.vector
    }

    /// The Lamport time after this replica's latest event.
    pub fn lamport(&self) -> u64 {
        self.lamport.time()
    }

    /// Something happened here that nobody else has heard about yet (a write, a decision).
    pub fn on_local_event(&mut self) -> Stamp {
        self.vector.tick(self.index);
        self.lamport.tick();
        self.stamp()
    }

    /// Sending is an event too: tick, then stamp the message with the new clocks.
    pub fn send(&mut self, to: usize) -> Message {
        let Stamp { vector, lamport } = self.on_local_event();
        Message {
            from: self.index,
            to,
            vector,
            lamport,
        }
    }

    /// Merge what the sender had seen into what we have seen, then tick for the receive itself.
    pub fn receive(&mut self, message: &Message) -> Stamp {
        self.vector.merge_from(&message.vector);
        self.vector.tick(self.index);
        self.lamport.receive(message.lamport);
        self.stamp()
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            vector: self.vector.clone(),
            lamport: self.lamport.time(),
        }
    }
}

/// "A" for 0, "B" for 1, ... (indexes past Z are refused by [`Simulation::new`]).
pub fn replica_name(index: usize) -> char {
    char::from(b'A' + index as u8)
}

/// What kind of event an [`Event`] was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A local event: only this replica's entry moved.
    Local,
    /// This replica sent `message` to replica `to`.
    Send {
        /// The message put in flight.
        message: MessageId,
        /// Index of the addressee.
        to: usize,
    },
    /// This replica received `message` from replica `from`.
    Receive {
        /// The message delivered.
        message: MessageId,
        /// Index of the sender.
        from: usize,
    },
}

/// One event of the history, with the clocks it was stamped with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the history; also the event's identity.
    pub id: EventId,
    /// Index of the replica it happened on.
    pub replica: usize,
    /// 1 for the replica's first event, 2 for its second, ...
    pub sequence: u64,
    /// Local, send or receive.
    pub kind: EventKind,
    /// The replica's vector clock right after the event.
    pub vector: VectorClock,
    /// The replica's Lamport time right after the event.
    pub lamport: u64,
}

impl Event {
    /// "a1", "b2", ...: the replica's letter in lower case and the event's sequence number.
    pub fn label(&self) -> String {
        format!(
            "{}{}",
            replica_name(self.replica).to_ascii_lowercase(),
            self.sequence
        )
    }
}

/// A message the network has accepted, delivered or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The message's number ("m1" is 1).
    pub id: MessageId,
    /// The send event that produced it.
    pub send_event: EventId,
    /// The receive event that consumed it; `None` while it is in flight.
    pub receive_event: Option<EventId>,
    /// What was sent.
    pub message: Message,
}

impl Envelope {
    /// "m1", "m2", ...
    pub fn label(&self) -> String {
        format!("m{}", self.id)
    }
}

/// One move in a simulation, as a value, so a history can be stored and replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A local event on this replica.
    Local(usize),
    /// `from` sends a message to `to`.
    Send {
        /// Index of the sender.
        from: usize,
        /// Index of the addressee.
        to: usize,
    },
    /// The network delivers this in-flight message to its addressee.
    Receive(MessageId),
}

/// Why a step was refused. The simulation is unchanged after a refused step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// No replica has this index.
    UnknownReplica(usize),
    /// A replica sending to itself is a local event, not a message.
    SendToSelf(usize),
    /// No message has this number.
    UnknownMessage(MessageId),
    /// This message was already received; networks here do not duplicate.
    AlreadyDelivered(MessageId),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownReplica(index) => write!(f, "there is no replica {index}"),
            SimError::SendToSelf(index) => {
                write!(f, "replica {} cannot send to itself", replica_name(*index))
            }
            SimError::UnknownMessage(id) => write!(f, "there is no message m{id}"),
            SimError::AlreadyDelivered(id) => write!(f, "m{id} was already delivered"),
        }
    }
}

impl Error for SimError {}

/// Replicas, the network between them, and the whole history.
#[derive(Debug, Clone)]
pub struct Simulation {
    replicas: Vec<Replica>,
    events: Vec<Event>,
    envelopes: Vec<Envelope>,
    steps: Vec<Step>,
}

impl Simulation {
    /// A system of `replicas` replicas that have done nothing yet.
    ///
    /// # Panics
    /// If `replicas` is 0 or more than [`MAX_REPLICAS`]: a history needs somewhere to happen, and
    /// replicas are named by a single letter.
    pub fn new(replicas: usize) -> Self {
        assert!(
            (1..=MAX_REPLICAS).contains(&replicas),
            "a simulation holds 1 to {MAX_REPLICAS} replicas, not {replicas}"
        );
        Self {
            replicas: (0..replicas).map(|i| Replica::new(i, replicas)).collect(),
            events: Vec::new(),
            envelopes: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// The replicas, with their current clocks.
    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    /// Every event so far, oldest first; an event's id is its index here.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// One event by id.
    pub fn event(&self, id: EventId) -> Option<&Event> {
        self.events.get(id)
    }

    /// Every message ever sent, delivered or not, in sending order.
    pub fn messages(&self) -> &[Envelope] {
        &self.envelopes
    }

    /// The messages sent but not yet received, in sending order.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.envelopes.iter().filter(|e| e.receive_event.is_none())
    }

    /// The steps that built this history, oldest first.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// A local event on `replica`. Returns the new event's id.
    pub fn local(&mut self, replica: usize) -> Result<EventId, SimError> {
        self.apply(Step::Local(replica))
    }

    /// `from` sends to `to`. Returns the send event's id and the number of the message now in
    /// flight; nothing arrives until [`receive`](Self::receive) delivers it.
    pub fn send(&mut self, from: usize, to: usize) -> Result<(EventId, MessageId), SimError> {
        let event = self.apply(Step::Send { from, to })?;
        Ok((event, self.envelopes.len()))
    }

    /// The network delivers in-flight message `message` to its addressee, in any order the caller
    /// likes: reordering is a thing networks do. Returns the receive event's id.
    pub fn receive(&mut self, message: MessageId) -> Result<EventId, SimError> {
        self.apply(Step::Receive(message))
    }

    /// Performs one step, or refuses it and changes nothing.
    pub fn apply(&mut self, step: Step) -> Result<EventId, SimError> {
        let (replica, kind) = match step {
            Step::Local(replica) => {
                self.check_replica(replica)?;
                self.replicas[replica].on_local_event();
                (replica, EventKind::Local)
            }
            Step::Send { from, to } => {
                self.check_replica(from)?;
                self.check_replica(to)?;
                if from == to {
                    return Err(SimError::SendToSelf(from));
                }
                let message = self.replicas[from].send(to);
                let id = self.envelopes.len() + 1;
                self.envelopes.push(Envelope {
                    id,
                    send_event: self.events.len(),
                    receive_event: None,
                    message,
                });
                (from, EventKind::Send { message: id, to })
            }
            Step::Receive(id) => {
                let envelope = id
                    .checked_sub(1)
                    .and_then(|index| self.envelopes.get_mut(index))
                    .ok_or(SimError::UnknownMessage(id))?;
                if envelope.receive_event.is_some() {
                    return Err(SimError::AlreadyDelivered(id));
                }
                envelope.receive_event = Some(self.events.len());
                let to = envelope.message.to;
                let from = envelope.message.from;
                let message = envelope.message.clone();
                self.replicas[to].receive(&message);
                (to, EventKind::Receive { message: id, from })
            }
        };
        let id = self.events.len();
        let sequence = self.events.iter().filter(|e| e.replica == replica).count() as u64 + 1;
        self.events.push(Event {
            id,
            replica,
            sequence,
            kind,
            vector: self.replicas[replica].vector().clone(),
            lamport: self.replicas[replica].lamport(),
        });
        self.steps.push(step);
        Ok(id)
    }

    /// Takes back the last step by replaying all the others from the start. Returns the step taken
    /// back, or `None` if there was nothing to undo.
    pub fn undo(&mut self) -> Option<Step> {
        let last = self.steps.pop()?;
        let mut rebuilt = Simulation::new(self.replicas.len());
        for step in &self.steps {
            rebuilt
                .apply(*step)
                .expect("a step that succeeded once succeeds again on the same history");
        }
        *self = rebuilt;
        Some(last)
    }

    /// How event `a` relates to event `b`, read off their vectors; `None` if either id is unknown.
    pub fn compare(&self, a: EventId, b: EventId) -> Option<CausalOrder> {
        Some(self.event(a)?.vector.compare(&self.event(b)?.vector))
    }

    /// Every ordered pair `(a, b)` with `a → b`: the full happened-before relation, transitive
    /// edges included.
    pub fn happened_before_pairs(&self) -> Vec<(EventId, EventId)> {
        self.pairs_where(|order| order == CausalOrder::Before || order == CausalOrder::After)
            .into_iter()
            .map(|(a, b)| match self.compare(a, b) {
                Some(CausalOrder::After) => (b, a),
                _ => (a, b),
            })
            .collect()
    }

    /// Every pair `(a, b)` with `a < b` (by id) that is concurrent: the pairs no message chain
    /// connects, where "which came first" has no answer.
    pub fn concurrent_pairs(&self) -> Vec<(EventId, EventId)> {
        self.pairs_where(|order| order == CausalOrder::Concurrent)
    }

    fn pairs_where(&self, keep: impl Fn(CausalOrder) -> bool) -> Vec<(EventId, EventId)> {
        let mut pairs = Vec::new();
        for a in &self.events {
            for b in &self.events[a.id + 1..] {
                if keep(a.vector.compare(&b.vector)) {
                    pairs.push((a.id, b.id));
                }
            }
        }
        pairs
    }

    /// One sentence saying what event `id` did to its replica's clocks, for the widget's live
    /// region and for printed traces. For a receive it shows the merge: the replica's vector
    /// before, the message's vector, their maximum, and the tick.
    pub fn describe(&self, id: EventId) -> Option<String> {
        let event = self.event(id)?;
        let name = replica_name(event.replica);
        let label = event.label();
        let before = self.events[..id]
            .iter()
            .rev()
            .find(|e| e.replica == event.replica)
            .map(|e| e.vector.clone())
            .unwrap_or_else(|| VectorClock::new(self.replicas.len()));
        let after = &event.vector;
        let lamport = event.lamport;
        Some(match event.kind {
            EventKind::Local => {
                format!("{name} local event {label}: {before} → {after} (Lamport {lamport})")
            }
            EventKind::Send { message, to } => format!(
                "{name} sent m{message} to {} as {label}: {before} → {after}; m{message} carries {after} (Lamport {lamport})",
                replica_name(to)
            ),
            EventKind::Receive { message, from } => {
                let carried = &self.envelopes[message - 1].message.vector;
                format!(
                    "{name} received m{message} from {} as {label}: {before} merged with {carried} → {}, then tick → {after} (Lamport {lamport})",
                    replica_name(from),
                    before.merge(carried)
                )
            }
        })
    }

    fn check_replica(&self, index: usize) -> Result<(), SimError> {
        if index < self.replicas.len() {
            Ok(())
        } else {
            Err(SimError::UnknownReplica(index))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_of(sim: &Simulation, id: EventId) -> String {
        sim.event(id).unwrap().vector.to_string()
    }

    #[test]
    fn the_books_walkthrough_gives_the_books_vectors() {
        let mut sim = Simulation::new(3);
        let a1 = sim.local(0).unwrap();
        let (a2, m1) = sim.send(0, 1).unwrap();
        let b1 = sim.receive(m1).unwrap();
        let c1 = sim.local(2).unwrap();
        assert_eq!(vector_of(&sim, a1), "[1,0,0]");
        assert_eq!(vector_of(&sim, a2), "[2,0,0]");
        assert_eq!(vector_of(&sim, b1), "[2,1,0]");
        assert_eq!(vector_of(&sim, c1), "[0,0,1]");
        assert_eq!(sim.concurrent_pairs(), vec![(a1, c1), (a2, c1), (b1, c1)]);
        assert_eq!(
            sim.happened_before_pairs(),
            vec![(a1, a2), (a1, b1), (a2, b1)]
        );
    }

    #[test]
    fn labels_count_per_replica() {
        let mut sim = Simulation::new(2);
        sim.local(0).unwrap();
        sim.local(1).unwrap();
        let third = sim.local(0).unwrap();
        assert_eq!(sim.event(third).unwrap().label(), "a2");
        assert_eq!(sim.messages().len(), 0);
    }

    #[test]
    fn messages_can_be_delivered_out_of_order() {
        let mut sim = Simulation::new(2);
        let (_, m1) = sim.send(0, 1).unwrap();
        let (_, m2) = sim.send(0, 1).unwrap();
        let first = sim.receive(m2).unwrap();
        assert_eq!(vector_of(&sim, first), "[2,1]");
        let second = sim.receive(m1).unwrap();
        // m1 brings nothing new: B already saw A's two events through m2.
        assert_eq!(vector_of(&sim, second), "[2,2]");
        assert_eq!(sim.in_flight().count(), 0);
    }

    #[test]
    fn refused_steps_change_nothing() {
        let mut sim = Simulation::new(3);
        let (_, m1) = sim.send(0, 1).unwrap();
        sim.receive(m1).unwrap();
        let before = sim.events().to_vec();
        assert_eq!(sim.local(3), Err(SimError::UnknownReplica(3)));
        assert_eq!(sim.send(1, 1), Err(SimError::SendToSelf(1)));
        assert_eq!(sim.receive(m1), Err(SimError::AlreadyDelivered(1)));
        assert_eq!(sim.receive(9), Err(SimError::UnknownMessage(9)));
        assert_eq!(sim.receive(0), Err(SimError::UnknownMessage(0)));
        assert_eq!(sim.events(), &before[..]);
        assert_eq!(sim.steps().len(), 2);
    }

    #[test]
    fn undo_takes_back_a_receive_and_puts_the_message_back_in_flight() {
        let mut sim = Simulation::new(3);
        let (_, m1) = sim.send(0, 1).unwrap();
        sim.receive(m1).unwrap();
        assert_eq!(sim.undo(), Some(Step::Receive(m1)));
        assert_eq!(sim.events().len(), 1);
        assert_eq!(sim.in_flight().map(|e| e.id).collect::<Vec<_>>(), vec![m1]);
        assert_eq!(sim.replicas()[1].vector().to_string(), "[0,0,0]");
        assert_eq!(sim.undo(), Some(Step::Send { from: 0, to: 1 }));
        assert_eq!(sim.undo(), None);
        assert_eq!(sim.messages().len(), 0);
    }

    #[test]
    fn describe_shows_the_merge() {
        let mut sim = Simulation::new(3);
        sim.local(1).unwrap();
        let (_, m1) = sim.send(0, 1).unwrap();
        let b2 = sim.receive(m1).unwrap();
        assert_eq!(
            sim.describe(b2).unwrap(),
            "B received m1 from A as b2: [0,1,0] merged with [1,0,0] → [1,1,0], then tick → [1,2,0] (Lamport 2)"
        );
        assert_eq!(
            sim.describe(1).unwrap(),
            "A sent m1 to B as a1: [0,0,0] → [1,0,0]; m1 carries [1,0,0] (Lamport 1)"
        );
        assert_eq!(sim.describe(99), None);
    }

    #[test]
    fn lamport_time_of_a_receive_exceeds_the_send() {
        let mut sim = Simulation::new(2);
        for _ in 0..4 {
            sim.local(0).unwrap();
        }
        let (send, m1) = sim.send(0, 1).unwrap();
        let receive = sim.receive(m1).unwrap();
        assert_eq!(sim.event(send).unwrap().lamport, 5);
        assert_eq!(sim.event(receive).unwrap().lamport, 6);
    }

    #[test]
    #[should_panic(expected = "1 to 26 replicas")]
    fn zero_replicas_is_refused() {
        Simulation::new(0);
    }
}

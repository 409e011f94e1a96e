//! A three-replica history, step by step, with every vector and Lamport time, then the verdicts:
//! which events are ordered and which are concurrent.
//!
//! ```text
//! cargo run -p clocks --example three_replicas
//! ```
//!
//! The story: A and C both update the same key without hearing from each other, then B hears
//! about both. With wall-clock "last writer wins" one update silently disappears; the vectors show
//! the two writes are concurrent, so B knows it has a conflict to resolve, not a winner to pick.

use clocks::{CausalOrder, Simulation};

fn main() {
    let mut sim = Simulation::new(3);

    let a_write = sim.local(0).expect("replica A exists"); // A writes x = 1
    let (_, to_b) = sim.send(0, 1).expect("A can send to B");
    let c_write = sim.local(2).expect("replica C exists"); // C writes x = 2, unaware of A
    let (_, c_to_b) = sim.send(2, 1).expect("C can send to B");
    sim.local(1).expect("replica B exists"); // B serves a read meanwhile
    sim.receive(c_to_b).expect("m2 is in flight"); // the network reorders: C's message lands first
    sim.receive(to_b).expect("m1 is in flight");
    let (_, b_to_c) = sim.send(1, 2).expect("B can send to C");
    sim.receive(b_to_c).expect("m3 is in flight");

    println!("The history, one line an event:\n");
    for event in sim.events() {
        println!(
            "  {:<3} {}",
            event.label(),
            sim.describe(event.id).expect("the event exists")
        );
    }

    let label = |id| sim.event(id).expect("the event exists").label();
    println!("\nConcurrent pairs (no message chain connects them):");
    for (a, b) in sim.concurrent_pairs() {
        println!("  {} ∥ {}", label(a), label(b));
    }

    let order = sim.compare(a_write, c_write).expect("both exist");
    println!(
        "\nThe two writes: {} {order} {}: B must merge them, not pick a winner.",
        label(a_write),
        label(c_write)
    );

    // Lamport times respect causality but cannot reveal it: find b1 and a2.
    let b_read = sim
        .events()
        .iter()
        .find(|e| e.label() == "b1")
        .expect("B read")
        .id;
    let a_send = sim
        .events()
        .iter()
        .find(|e| e.label() == "a2")
        .expect("A sent")
        .id;
    let (lb, la) = (
        sim.event(b_read).unwrap().lamport,
        sim.event(a_send).unwrap().lamport,
    );
    println!(
        "L(b1) = {lb} < L(a2) = {la}, yet b1 {} a2: a smaller Lamport time does not mean 'happened before'.",
        sim.compare(b_read, a_send).expect("both exist")
    );

    let late_c = sim
        .events()
        .iter()
        .rev()
        .find(|e| e.replica == 2)
        .expect("C acted")
        .id;
    let verdict = sim.compare(a_write, late_c).expect("both exist");
    println!(
        "{} → {}? {}: C's last event has seen A's write, through B.",
        label(a_write),
        label(late_c),
        if verdict == CausalOrder::Before {
            "yes"
        } else {
            "no"
        }
    );
}

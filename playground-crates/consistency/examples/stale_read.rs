//! `cargo run -p consistency --example stale_read`: the smallest non-linearizable history, and the
//! witness the checker names for it.

use consistency::{check_register, Outcome, Recorder, RegisterOp};

fn main() {
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(1)); // client 1 writes 1 ...
    h.complete(10, 1, Outcome::Ok(None)); // ... and is told it is done at t=10
    h.invoke(20, 2, RegisterOp::Read); // client 2 starts a read after that ...
    h.complete(30, 2, Outcome::Ok(None)); // ... and finds no value: a stale read
    let verdict = check_register(&h.finish());
    println!("linearizable: {}", verdict.is_linearizable());
    if let Some(w) = verdict.witness() {
        for op in &w.minimal {
            println!("  witness: {op}");
        }
    }
}

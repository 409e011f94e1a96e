//! `cargo run -p consistency --example check_etcd`: check the first 86 lines of a history Jepsen
//! recorded against etcd, and print the operations that cannot be ordered.

use consistency::{check, parse, samples};

fn main() {
    let history = parse("etcd_000.log", samples::ETCD_000_PREFIX).expect("a Jepsen etcd log");
    println!("{} operations", history.len());
    match check(&history).witness() {
        None => println!("linearizable"),
        Some(w) => {
            println!("not linearizable; it breaks by line {}:", w.breaks_at.line);
            for op in &w.minimal {
                println!("  {op}");
            }
        }
    }
}

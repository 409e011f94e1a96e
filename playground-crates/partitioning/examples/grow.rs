//! What a membership change costs under each scheme, and what virtual nodes buy.
//!
//! Run: `cargo run -p partitioning --example grow`

use partitioning::{keys_moved, load, ModN, Partitioner, Rendezvous, Ring, Workload};

fn main() {
    let keys = Workload::uniform(10_000);
    let four = ["A", "B", "C", "D"];

    println!("Growing 4 -> 5 nodes (add E) and shrinking 5 -> 4 (remove B), 10,000 keys\n");
    println!("{:<22} {:>36} {:>36}", "scheme", "add E", "remove B");
    let mod_n = ModN::with_nodes(&four);
    let mut mod_n_five = mod_n.clone();
    mod_n_five.add_node("E");
    let mut mod_n_shrunk = mod_n_five.clone();
    mod_n_shrunk.remove_node("B");
    row("mod-N", &mod_n, &mod_n_five, &mod_n_shrunk, keys.keys());

    for vnodes in [1, 100] {
        let ring = Ring::with_nodes(&four, vnodes);
        let mut five = ring.clone();
        five.add_node("E");
        let mut shrunk = five.clone();
        shrunk.remove_node("B");
        row(
            &format!("ring, {vnodes} vnodes"),
            &ring,
            &five,
            &shrunk,
            keys.keys(),
        );
    }

    let hrw = Rendezvous::with_nodes(&four);
    let mut hrw_five = hrw.clone();
    hrw_five.add_node("E");
    let mut hrw_shrunk = hrw_five.clone();
    hrw_shrunk.remove_node("B");
    row("rendezvous", &hrw, &hrw_five, &hrw_shrunk, keys.keys());
    println!("\nIdeal: adding the 5th node moves 1/5 = 20.0%; removing 1 of 5 moves 20.0%.");

    println!("\nSkew (max / mean keys per node) vs virtual nodes, 10 nodes, 10,000 keys\n");
    println!("{:>8} {:>10} {:>14}", "vnodes", "skew", "ring points");
    let ten: Vec<String> = (0..10).map(|i| format!("node-{i}")).collect();
    for vnodes in [1, 4, 16, 64, 256, 1024] {
        let ring = Ring::with_nodes(&ten, vnodes);
        let skew = load(&ring, keys.keys()).skew();
        println!("{vnodes:>8} {skew:>10.2} {:>14}", ring.points().count());
    }
    println!("\nLoad per node with 1 vnode (the 'break it' setting):\n");
    println!("{}", load(&Ring::with_nodes(&ten, 1), keys.keys()));
}

/// One table row: the keys moved by growing `before` into `grown`, then shrinking it into
/// `shrunk`.
fn row(
    name: &str,
    before: &dyn Partitioner,
    grown: &dyn Partitioner,
    shrunk: &dyn Partitioner,
    keys: &[String],
) {
    println!(
        "{name:<22} {:>36} {:>36}",
        keys_moved(before, grown, keys).to_string(),
        keys_moved(grown, shrunk, keys).to_string()
    );
}

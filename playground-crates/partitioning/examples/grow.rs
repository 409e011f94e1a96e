//! What a membership change costs under each scheme, and what virtual nodes buy.
//!
//! One ring is one roll of the dice: where a node's points land decides its share. So every ring
//! row here is averaged over 32 differently named clusters (the names are the seed), with the
//! worst of them beside the mean.
//!
//! Run: `cargo run -p partitioning --example grow`

use partitioning::{keys_moved, load, ModN, Partitioner, Rendezvous, Ring, SlotMap, Workload};

const CLUSTERS: usize = 32;

fn main() {
    let keys = Workload::uniform(10_000);
    println!("Growing 4 -> 5 nodes and shrinking back (remove the second node), 10,000 keys,");
    println!("mean and worst over {CLUSTERS} differently named clusters\n");
    println!(
        "{:<18} {:>12} {:>12} {:>12} {:>12}",
        "scheme", "add: mean", "add: worst", "remove: mean", "remove: worst"
    );
    type Build = fn(&[String]) -> Box<dyn Grow>;
    let schemes: [(&str, Build); 6] = [
        ("mod-N", |n| Box::new(ModN::with_nodes(n))),
        ("ring, 1 vnode", |n| Box::new(Ring::with_nodes(n, 1))),
        ("ring, 16 vnodes", |n| Box::new(Ring::with_nodes(n, 16))),
        ("ring, 256 vnodes", |n| Box::new(Ring::with_nodes(n, 256))),
        ("rendezvous", |n| Box::new(Rendezvous::with_nodes(n))),
        ("slots, 1,024", |n| Box::new(SlotMap::with_nodes(1_024, n))),
    ];
    for (name, build) in schemes {
        let (mut add, mut remove) = (Vec::new(), Vec::new());
        for cluster in 0..CLUSTERS {
            let names: Vec<String> = (0..5).map(|i| format!("c{cluster}-n{i}")).collect();
            let before = build(&names[..4]);
            let mut grown = build(&names[..4]);
            grown.add(&names[4]);
            add.push(keys_moved(before.as_dyn(), grown.as_dyn(), keys.keys()).fraction());
            let mut shrunk = build(&names[..4]);
            shrunk.add(&names[4]);
            shrunk.remove(&names[1]);
            remove.push(keys_moved(grown.as_dyn(), shrunk.as_dyn(), keys.keys()).fraction());
        }
        println!(
            "{name:<18} {:>11.1}% {:>11.1}% {:>11.1}% {:>12.1}%",
            mean(&add) * 100.0,
            worst(&add) * 100.0,
            mean(&remove) * 100.0,
            worst(&remove) * 100.0
        );
    }
    println!("\nIdeal: adding the 5th node moves 1/5 = 20.0%; removing 1 of 5 moves 20.0%.");

    println!(
        "\nSkew (max / mean keys per node), 10 nodes, mean and worst of {CLUSTERS} clusters\n"
    );
    println!("{:>8} {:>10} {:>10}", "vnodes", "mean", "worst");
    for vnodes in [1, 4, 16, 64, 256, 1024] {
        let skews: Vec<f64> = (0..CLUSTERS)
            .map(|cluster| {
                let names: Vec<String> = (0..10).map(|i| format!("c{cluster}-n{i}")).collect();
                load(&Ring::with_nodes(&names, vnodes), keys.keys()).skew()
            })
            .collect();
        println!("{vnodes:>8} {:>10.2} {:>10.2}", mean(&skews), worst(&skews));
    }
}

/// A partitioner that can gain and lose a node: what this example needs of each scheme.
trait Grow {
    fn add(&mut self, node: &str);
    fn remove(&mut self, node: &str);
    fn as_dyn(&self) -> &dyn Partitioner;
}

macro_rules! grow {
    ($($scheme:ty),*) => {$(
        impl Grow for $scheme {
            fn add(&mut self, node: &str) {
                self.add_node(node);
            }
            fn remove(&mut self, node: &str) {
                self.remove_node(node);
            }
            fn as_dyn(&self) -> &dyn Partitioner {
                self
            }
        }
    )*};
}
grow!(ModN, Ring, Rendezvous, SlotMap);

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn worst(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

//! `cargo run -p consistency --example pacelc`: the PACELC Decision Grid, cell by cell.

use consistency::pacelc::{cell, Source, ABADI_2012};

fn main() {
    for label in ["PA/EL", "PA/EC", "PC/EL", "PC/EC"] {
        println!("{label}");
        for c in cell(label) {
            let whose = match c.source {
                Source::Abadi2012 => "Abadi 2012",
                Source::Ours => "ours",
            };
            println!("  {:<62} [{whose}]", c.system);
        }
    }
    println!("source: {ABADI_2012}");
}

//! Erlang C for one M/M/c queue, as `name: value` lines (see `tail_latency::cli::capacity`).
//!
//! ```sh
//! cargo run --release -p tail-latency --example capacity -- --arrival-rate 800 --service-ms 10 --servers 10
//! ```

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match tail_latency::cli::capacity(&args) {
        Ok(lines) => print!("{lines}"),
        Err(message) => {
            eprintln!("capacity: {message}");
            std::process::exit(2);
        }
    }
}

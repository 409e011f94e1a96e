//! The fan-out math for one request, as `name: value` lines (see `tail_latency::cli::fanout`).
//!
//! ```sh
//! cargo run --release -p tail-latency --example fanout -- --fanout 100 --slow-fraction 0.01
//! ```

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match tail_latency::cli::fanout(&args) {
        Ok(lines) => print!("{lines}"),
        Err(message) => {
            eprintln!("fanout: {message}");
            std::process::exit(2);
        }
    }
}

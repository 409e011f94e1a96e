//! Requests per second against a running server: new keys, then replays of the same keys.
//!
//! ```text
//! cargo run --release -p idempotency --bin payments -- --listen 127.0.0.1:3106 --data /tmp/pay &
//! cargo run --release -p idempotency --example bench -- 127.0.0.1:3106 4 2000
//! ```
//! Arguments: address, client threads, requests per phase.

use std::time::Instant;

use idempotency::client::HttpClient;

fn phase(addr: std::net::SocketAddr, threads: usize, n: usize, tag: &str) -> f64 {
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let tag = tag.to_owned();
            std::thread::spawn(move || {
                let client = HttpClient::new(addr);
                for i in (t..n).step_by(threads) {
                    let body =
                        format!(r#"{{"amount": 100, "currency": "usd", "customer": "cus_b{i}"}}"#);
                    let r = client
                        .charge(Some(&format!("bench-{tag}-{i}")), &body)
                        .unwrap();
                    assert_eq!(r.status, 200);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .map(String::as_str)
        .unwrap_or("127.0.0.1:3106")
        .parse()
        .unwrap();
    let threads = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let tag = format!("{}", std::process::id());
    let new = phase(addr, threads, n, &tag);
    let replay = phase(addr, threads, n, &tag);
    println!("new keys: {new:.0} requests/s; replays: {replay:.0} requests/s ({threads} client threads, {n} requests each)");
}

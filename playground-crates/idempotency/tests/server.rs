//! The real `payments` binary over loopback: the fixed interface, each crash point followed by a
//! restart and a retry, and `kill -9` under load.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use idempotency::client::HttpClient;
use idempotency::Backoff;

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payments"))
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the payments binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap()
            .parse()
            .expect("the server prints its address");
        Server { child, addr }
    }

    fn client(&self) -> HttpClient {
        HttpClient::new(self.addr)
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL: kill -9
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("idempotency-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn body(amount: u64, customer: &str) -> String {
    format!(r#"{{"amount": {amount}, "currency": "usd", "customer": "{customer}"}}"#)
}

fn network_charges(client: &HttpClient, customer: &str) -> usize {
    client.get_json("/v1/network/charges").unwrap()["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["customer"] == customer && c["status"] == "succeeded")
        .count()
}

#[test]
fn a_replay_returns_the_first_answer_without_charging_again() {
    let server = Server::start(&data_dir("replay"), &[]);
    let client = server.client();
    let first = client
        .charge(Some("k-replay"), &body(1500, "cus_a"))
        .unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.header("idempotent-replayed"), None);
    let charge = first.json();
    assert_eq!(charge["amount"], 1500);
    assert_eq!(charge["currency"], "usd");
    assert_eq!(charge["customer"], "cus_a");
    assert_eq!(charge["status"], "succeeded");
    let again = client
        .charge(Some("k-replay"), &body(1500, "cus_a"))
        .unwrap();
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(network_charges(&client, "cus_a"), 1);
    let recorded = client.get_json("/v1/charges").unwrap();
    assert_eq!(recorded["data"].as_array().unwrap().len(), 1);
    // No key: every request is a new charge.
    client.charge(None, &body(700, "cus_nokey")).unwrap();
    client.charge(None, &body(700, "cus_nokey")).unwrap();
    assert_eq!(network_charges(&client, "cus_nokey"), 2);
}

#[test]
fn other_parameters_under_a_used_key_are_refused() {
    let server = Server::start(&data_dir("mismatch"), &[]);
    let client = server.client();
    assert_eq!(
        client
            .charge(Some("k-m"), &body(100, "cus_m"))
            .unwrap()
            .status,
        200
    );
    let other = client.charge(Some("k-m"), &body(999, "cus_m")).unwrap();
    assert_eq!(other.status, 400);
    assert_eq!(other.json()["error"]["type"], "idempotency_error");
    assert_eq!(network_charges(&client, "cus_m"), 1);
}

#[test]
fn a_decline_is_saved_and_replayed_as_a_402() {
    let server = Server::start(&data_dir("decline"), &[]);
    let client = server.client();
    let first = client
        .charge(Some("k-d"), &body(100, "cus_declined"))
        .unwrap();
    assert_eq!(first.status, 402);
    assert_eq!(first.json()["error"]["type"], "card_error");
    let again = client
        .charge(Some("k-d"), &body(100, "cus_declined"))
        .unwrap();
    assert_eq!(again.status, 402);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    let calls = client.get_json("/v1/network/charges").unwrap()["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(calls, 1, "the replay did not call the network again");
}

#[test]
fn validation_failures_are_not_saved_and_the_key_stays_usable() {
    let server = Server::start(&data_dir("validation"), &[]);
    let client = server.client();
    for bad in [
        "{not json",
        r#"{"currency": "usd", "customer": "cus_v"}"#,
        r#"{"amount": 0, "currency": "usd", "customer": "cus_v"}"#,
        r#"{"amount": -5, "currency": "usd", "customer": "cus_v"}"#,
    ] {
        let r = client.charge(Some("k-v"), bad).unwrap();
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["error"]["type"], "invalid_request_error");
        assert!(r.json()["error"]["code"].is_string());
        assert!(r.json()["error"]["message"].is_string());
    }
    let long = "k".repeat(256);
    let r = client.charge(Some(&long), &body(100, "cus_v")).unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");
    assert_eq!(
        client
            .charge(Some(&"k".repeat(255)), &body(100, "cus_v"))
            .unwrap()
            .status,
        200
    );
    // The key that saw four bad bodies still runs a charge, with any parameters.
    let ok = client.charge(Some("k-v"), &body(300, "cus_v")).unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("idempotent-replayed"), None);
}

#[test]
fn twenty_four_concurrent_requests_on_one_key_run_it_once() {
    let server = Server::start(&data_dir("concurrent"), &["--network-delay-ms", "300"]);
    let addr = server.addr;
    let threads: Vec<_> = (0..24)
        .map(|_| {
            std::thread::spawn(move || {
                HttpClient::new(addr)
                    .charge(Some("k-c"), &body(4200, "cus_c"))
                    .unwrap()
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let fresh = answers
        .iter()
        .filter(|r| r.status == 200 && r.header("idempotent-replayed").is_none())
        .count();
    let conflicts: Vec<_> = answers.iter().filter(|r| r.status == 409).collect();
    let replays = answers
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(fresh, 1, "exactly one request ran the charge");
    assert_eq!(fresh + conflicts.len() + replays, 24);
    assert!(
        !conflicts.is_empty(),
        "with a 300 ms network some requests overlap"
    );
    for c in conflicts {
        assert_eq!(c.json()["error"]["type"], "idempotency_error");
        assert_eq!(c.json()["error"]["code"], "idempotency_key_in_use");
    }
    assert_eq!(network_charges(&server.client(), "cus_c"), 1);
}

#[test]
fn every_crash_point_recovers_with_one_charge() {
    for step in [
        "after-key-recorded",
        "after-network-call",
        "before-response",
    ] {
        let data = data_dir(step);
        let mut crashing = Server::start(&data, &["--crash-at", step]);
        let customer = format!("cus_{}", step.replace('-', "_"));
        let lost = crashing
            .client()
            .charge(Some("k-crash"), &body(900, &customer));
        assert!(lost.is_err(), "{step}: the client gets no answer");
        let status = crashing.child.wait().unwrap();
        assert!(!status.success(), "{step}: the process aborted");
        let network_before = rusqlite_count(&data, &customer);
        let expected_before = usize::from(step != "after-key-recorded");
        assert_eq!(
            network_before, expected_before,
            "{step}: network charges at the crash"
        );
        let server = Server::start(&data, &[]);
        let retry = server
            .client()
            .charge(Some("k-crash"), &body(900, &customer))
            .unwrap();
        assert_eq!(retry.status, 200, "{step}: {}", retry.body);
        assert_eq!(retry.json()["customer"], customer.as_str());
        assert_eq!(network_charges(&server.client(), &customer), 1, "{step}");
        let again = server
            .client()
            .charge(Some("k-crash"), &body(900, &customer))
            .unwrap();
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, retry.body);
        crashing.kill();
    }
}

/// The network's charges for a customer, read while the server is down (through a server started
/// for the purpose would resume nothing, but reading the file directly shows the crash's state).
fn rusqlite_count(data: &Path, customer: &str) -> usize {
    use idempotency::{CardNetwork, SqliteNetwork};
    SqliteNetwork::open(&data.join("network.db"))
        .unwrap()
        .charges()
        .unwrap()
        .iter()
        .filter(|c| c.customer == customer && c.succeeded())
        .count()
}

#[test]
fn kill_9_under_load_leaves_every_key_charged_exactly_once() {
    const CLIENTS: usize = 8;
    const KEYS_EACH: usize = 6;
    const KILLS: usize = 4;
    let data = data_dir("kill9");
    let server = Arc::new(Mutex::new(Server::start(&data, &[])));
    let addr = Arc::new(Mutex::new(server.lock().unwrap().addr));
    let deadline = Instant::now() + Duration::from_secs(20);
    let workers: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut backoff = Backoff::new(20, 400, c as u64 + 1);
                let mut answers = Vec::new();
                for k in 0..KEYS_EACH {
                    let key = format!("kill9-{c}-{k}");
                    let customer = format!("cus_{c}_{k}");
                    let mut attempt = 0;
                    loop {
                        assert!(Instant::now() < deadline, "{key} never got an answer");
                        let client = HttpClient {
                            timeout: Duration::from_secs(2),
                            ..HttpClient::new(*addr.lock().unwrap())
                        };
                        match client.charge(Some(&key), &body(100 + k as u64, &customer)) {
                            Ok(r) if r.status == 200 => {
                                answers.push((
                                    customer,
                                    r.json()["id"].as_str().unwrap().to_owned(),
                                    attempt,
                                ));
                                break;
                            }
                            _ => {
                                std::thread::sleep(Duration::from_millis(
                                    backoff.delay(attempt.min(6)),
                                ));
                                attempt += 1;
                            }
                        }
                    }
                    std::thread::sleep(Duration::from_millis(60));
                }
                answers
            })
        })
        .collect();
    for _ in 0..KILLS {
        std::thread::sleep(Duration::from_millis(250));
        let mut s = server.lock().unwrap();
        s.kill();
        std::thread::sleep(Duration::from_millis(30));
        *s = Server::start(&data, &[]);
        *addr.lock().unwrap() = s.addr;
    }
    let answers: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert_eq!(answers.len(), CLIENTS * KEYS_EACH);
    let client = server.lock().unwrap().client();
    let network = client.get_json("/v1/network/charges").unwrap();
    let network = network["data"].as_array().unwrap();
    for (customer, _, _) in &answers {
        let n = network
            .iter()
            .filter(|c| c["customer"] == customer.as_str() && c["status"] == "succeeded")
            .count();
        assert_eq!(n, 1, "{customer} charged {n} times by the network");
    }
    assert_eq!(
        network.len(),
        CLIENTS * KEYS_EACH,
        "no charge the clients did not ask for"
    );
    let recorded = client.get_json("/v1/charges").unwrap();
    let recorded = recorded["data"].as_array().unwrap();
    assert_eq!(recorded.len(), CLIENTS * KEYS_EACH);
    for (customer, id, _) in &answers {
        let mine: Vec<_> = recorded
            .iter()
            .filter(|c| c["customer"] == customer.as_str())
            .collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(
            mine[0]["id"],
            id.as_str(),
            "the client's answer is the recorded charge"
        );
    }
    // The outbox relay catches up: each charge applied to the ledger exactly once.
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let ledger = client.get_json("/v1/ledger").unwrap();
        if ledger["events_applied"] == (CLIENTS * KEYS_EACH) as u64 || Instant::now() > until {
            assert_eq!(ledger["events_applied"], (CLIENTS * KEYS_EACH) as u64);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let retried = answers.iter().filter(|(_, _, a)| *a > 0).count();
    eprintln!(
        "kill -9 test: {} keys, {KILLS} kills, {} network charges, {retried} keys needed a retry",
        answers.len(),
        network.len()
    );
}

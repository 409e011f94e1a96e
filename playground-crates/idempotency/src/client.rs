//! The client's half of the contract: pick the key once, before the first attempt, and send the
//! same key on every retry, waiting longer each time, with jitter.
//!
//! The policy is sans-IO ([`Backoff`] and [`should_retry`]) so the widget and the tests share it.
//! [`HttpClient`] (native only) is a deliberately small blocking HTTP/1.1 client over
//! `std::net`, enough for the tests and the benchmark to talk to the real server.

use sim::SplitMix64;

/// Exponential backoff with "full jitter": attempt `n` (from 0) waits a uniformly random time in
/// `[0, min(cap, base · 2^n))`. Jitter is the part that matters under a crash: every client
/// that lost its connection at the same instant would otherwise come back at the same instant.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first window, ms.
    pub base_ms: u64,
    /// The largest window, ms.
    pub cap_ms: u64,
    rng: SplitMix64,
}

impl Backoff {
    /// A policy seeded for reproducible waits.
    pub fn new(base_ms: u64, cap_ms: u64, seed: u64) -> Self {
        Backoff {
            base_ms,
            cap_ms,
            rng: SplitMix64::new(seed),
        }
    }

    /// The largest wait attempt `attempt` may draw.
    pub fn window(&self, attempt: u32) -> u64 {
        let doubled = self.base_ms.saturating_mul(1u64 << attempt.min(32));
        doubled.min(self.cap_ms).max(1)
    }

    /// The wait before retry number `attempt` (0 = the first retry), ms.
    pub fn delay(&mut self, attempt: u32) -> u64 {
        self.rng.below(self.window(attempt))
    }
}

/// What the client knows after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// No answer: the connection failed or dropped. The charge may or may not have happened.
    NoAnswer,
    /// An HTTP status arrived.
    Status(u16),
}

/// Whether to try again with the same key. A missing answer, a 409 (the first attempt is still
/// running) and a 5xx are worth retrying; 2xx is done; 400 and 402 are final answers that a retry
/// with the same key would only replay.
pub fn should_retry(attempt: Attempt) -> bool {
    match attempt {
        Attempt::NoAnswer => true,
        Attempt::Status(code) => code == 409 || code >= 500,
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use http::{HttpClient, HttpResponse};

#[cfg(not(target_arch = "wasm32"))]
mod http {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;

    /// A response as the client read it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct HttpResponse {
        /// The status code.
        pub status: u16,
        /// Headers, names lowercased.
        pub headers: Vec<(String, String)>,
        /// The body.
        pub body: String,
    }

    impl HttpResponse {
        /// A header's value, by case-insensitive name.
        pub fn header(&self, name: &str) -> Option<&str> {
            let name = name.to_ascii_lowercase();
            self.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        }

        /// The body as JSON.
        pub fn json(&self) -> serde_json::Value {
            serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
        }
    }

    /// One request per connection (`Connection: close`), read to the end: no pooling, so every
    /// attempt is independent, which is what a retry after a crash needs.
    #[derive(Debug, Clone)]
    pub struct HttpClient {
        /// The server's address.
        pub addr: SocketAddr,
        /// Connect, read and write timeout.
        pub timeout: Duration,
    }

    impl HttpClient {
        /// A client for the server at `addr`, with a 5 s timeout.
        pub fn new(addr: SocketAddr) -> Self {
            HttpClient {
                addr,
                timeout: Duration::from_secs(5),
            }
        }

        /// Sends one request. `Err` means no complete answer arrived (refused, reset, timed out).
        pub fn send(
            &self,
            method: &str,
            path: &str,
            headers: &[(&str, &str)],
            body: &str,
        ) -> std::io::Result<HttpResponse> {
            let mut stream = TcpStream::connect_timeout(&self.addr, self.timeout)?;
            stream.set_read_timeout(Some(self.timeout))?;
            stream.set_write_timeout(Some(self.timeout))?;
            let mut request = format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                self.addr,
                body.len()
            );
            for (name, value) in headers {
                request.push_str(&format!("{name}: {value}\r\n"));
            }
            request.push_str("\r\n");
            request.push_str(body);
            stream.write_all(request.as_bytes())?;
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw)?;
            parse(&raw)
        }

        /// `POST /v1/charges` with an optional key.
        pub fn charge(&self, key: Option<&str>, body: &str) -> std::io::Result<HttpResponse> {
            match key {
                Some(key) => self.send("POST", "/v1/charges", &[("Idempotency-Key", key)], body),
                None => self.send("POST", "/v1/charges", &[], body),
            }
        }

        /// `GET path`, body as JSON.
        pub fn get_json(&self, path: &str) -> std::io::Result<serde_json::Value> {
            Ok(self.send("GET", path, &[], "")?.json())
        }
    }

    fn bad(what: &str) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
    }

    fn parse(raw: &[u8]) -> std::io::Result<HttpResponse> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| bad("the connection closed before the headers ended"))?;
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        if let Some(length) = length {
            if body.len() < length {
                return Err(bad("the connection closed in the middle of the body"));
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body: body.to_owned(),
        })
    }
}

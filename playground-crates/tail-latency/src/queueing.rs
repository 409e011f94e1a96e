//! Queueing math for capacity planning: M/M/c with Erlang C, Little's law, and the knee.
//!
//! M/M/c: Poisson arrivals at rate λ, exponential service with mean S, c identical servers and one
//! shared FIFO queue. It is the simplest model that gets the one fact capacity plans forget:
//! waiting time is not linear in utilisation. At utilisation ρ a single server's mean wait is
//! `S · ρ / (1 − ρ)`: 1 S at 50%, 4 S at 80%, 9 S at 90%, 99 S at 99%.
//!
//! Real services are not M/M/c (service times are not exponential, arrivals are burstier than
//! Poisson), so treat the numbers as a floor: bursty arrivals and heavy-tailed service make the
//! wait worse, not better. The discrete-event [`crate::pool`] checks these formulas by simulation.

use sim::SplitMix64;

/// An M/M/c queue: arrival rate, mean service time and number of servers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MMc {
    /// Arrivals per second (λ).
    pub arrival_rate: f64,
    /// Mean service time, ms (S = 1/μ).
    pub service_ms: f64,
    /// Servers (c).
    pub servers: u32,
}

impl MMc {
    /// An M/M/c queue.
    pub fn new(arrival_rate: f64, service_ms: f64, servers: u32) -> MMc {
        MMc {
            arrival_rate,
            service_ms,
            servers: servers.max(1),
        }
    }

    /// The queue with `servers` servers loaded to utilisation `rho` (sets the arrival rate).
    pub fn at_utilization(rho: f64, service_ms: f64, servers: u32) -> MMc {
        let servers = servers.max(1);
        MMc::new(
            rho * servers as f64 * 1000.0 / service_ms,
            service_ms,
            servers,
        )
    }

    /// Offered load in erlangs, `a = λ · S`: how many servers' worth of work arrives.
    pub fn offered_load(&self) -> f64 {
        self.arrival_rate * self.service_ms / 1000.0
    }

    /// Utilisation `ρ = a / c`: the fraction of time a server is busy. 1 or more is unstable.
    pub fn utilization(&self) -> f64 {
        self.offered_load() / self.servers as f64
    }

    /// True when the queue has a steady state (ρ < 1); otherwise it grows without bound.
    pub fn is_stable(&self) -> bool {
        self.utilization() < 1.0
    }

    /// Erlang B: the probability that all c servers are busy in a loss system, by the recurrence
    /// `B(k) = a·B(k−1) / (k + a·B(k−1))`, which never overflows (unlike `a^c / c!`).
    pub fn erlang_b(&self) -> f64 {
        let a = self.offered_load();
        let mut b = 1.0;
        for k in 1..=self.servers {
            b = a * b / (k as f64 + a * b);
        }
        b
    }

    /// Erlang C: the probability that an arriving request has to wait (all servers busy).
    /// 1 when unstable.
    pub fn p_wait(&self) -> f64 {
        if !self.is_stable() {
            return 1.0;
        }
        let rho = self.utilization();
        let b = self.erlang_b();
        b / (1.0 - rho * (1.0 - b))
    }

    /// Rate at which the queue drains when all servers are busy, per ms: `c/S − λ`.
    fn drain_per_ms(&self) -> f64 {
        self.servers as f64 / self.service_ms - self.arrival_rate / 1000.0
    }

    /// Mean time in the queue before service starts, ms: `C / (c/S − λ)`. Infinite when unstable.
    pub fn mean_wait_ms(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        self.p_wait() / self.drain_per_ms()
    }

    /// Mean response time (wait + service), ms.
    pub fn mean_response_ms(&self) -> f64 {
        self.mean_wait_ms() + self.service_ms
    }

    /// The `q`-quantile of the wait, ms: `P(W > t) = C · e^(−(c/S − λ) t)`, so
    /// `t = ln(C / (1 − q)) / (c/S − λ)`, and 0 when fewer than `1 − q` of requests wait at all.
    pub fn wait_quantile_ms(&self, q: f64) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let c = self.p_wait();
        let tail = 1.0 - q.clamp(0.0, 1.0);
        if c <= tail {
            0.0
        } else {
            (c / tail).ln() / self.drain_per_ms()
        }
    }

    /// Little's law, `L = λ · W`: requests in the system on average (queued plus in service).
    pub fn mean_in_system(&self) -> f64 {
        self.arrival_rate * self.mean_response_ms() / 1000.0
    }

    /// Little's law for the queue alone, `Lq = λ · Wq`.
    pub fn mean_queued(&self) -> f64 {
        self.arrival_rate * self.mean_wait_ms() / 1000.0
    }

    /// One draw of the wait: 0 with probability `1 − C`, else exponential with mean
    /// `1 / (c/S − λ)`. Used by [`crate::hedge::Tied`] to give replicas realistic queues.
    pub fn sample_wait_ms(&self, rng: &mut SplitMix64) -> f64 {
        let waits = rng.bernoulli(self.p_wait());
        let extra = rng.exponential(1.0 / self.drain_per_ms().max(1e-9));
        if waits {
            extra
        } else {
            0.0
        }
    }

    /// The fewest servers at this arrival rate and service time whose `q`-quantile wait is at most
    /// `max_wait_ms`: the capacity a latency target asks for (not the capacity a CPU graph asks for).
    pub fn servers_for_wait(arrival_rate: f64, service_ms: f64, q: f64, max_wait_ms: f64) -> u32 {
        let least = (arrival_rate * service_ms / 1000.0).floor() as u32 + 1;
        (least.max(1)..)
            .find(|&c| MMc::new(arrival_rate, service_ms, c).wait_quantile_ms(q) <= max_wait_ms)
            .expect("enough servers always meet the target")
    }
}

/// The knee of the response-time curve for `servers` servers: the utilisation that minimises
/// response time divided by utilisation (R/ρ), i.e. where the line from the origin touches the
/// curve. Below it, more load costs little latency; above it, each point of utilisation costs more
/// than the last. Found by a scan in steps of 0.0005.
///
/// This is the definition Cary Millsap uses in *Thinking Clearly About Performance* (2010); for one
/// server it is exactly 50%. More servers push the knee up, which is why a big pool can run hotter.
pub fn knee(servers: u32) -> f64 {
    let mut best = (f64::INFINITY, 0.0);
    let mut rho = 0.0005;
    while rho < 1.0 {
        let r = MMc::at_utilization(rho, 1.0, servers).mean_response_ms();
        if r / rho < best.0 {
            best = (r / rho, rho);
        }
        rho += 0.0005;
    }
    best.1
}

/// Mean wait in units of service time at utilisation `rho`: the y axis of the wait curve.
pub fn wait_in_service_times(rho: f64, servers: u32) -> f64 {
    MMc::at_utilization(rho, 1.0, servers).mean_wait_ms()
}

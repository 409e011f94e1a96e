//! A small model of the mechanisms in Slack's outage of 4 January 2021, minute by minute.
//!
//! This is a toy with round numbers, not Slack's system: it has the *shape* of what Slack's post
//! describes, so the chapter can show why each step made sense locally and hurt globally.
//!
//! - **A constrained path that ramps slowly.** Traffic between the web tier and its backends
//!   crosses a network path (in Slack's case AWS Transit Gateways) whose capacity grows towards
//!   demand by a fixed fraction a minute. A step change in demand (the first working day of the
//!   year, every client with a cold cache) outruns it, and the excess is lost.
//! - **Little's law in the web tier.** Loss means retransmits and slow backend calls; a request
//!   holds a worker thread for its whole latency, so threads in use = rate × latency.
//! - **An autoscaler on CPU.** Threads that wait on the network do not burn CPU, so CPU
//!   utilisation *falls* while the tier is saturated, and a CPU autoscaler removes servers.
//! - **A large step up, through a provisioning service with a limit.** When a thread-utilisation
//!   rule later asks for many servers at once, they boot through a provisioner that can only bring
//!   up so many at a time, and each booting server adds traffic to the same constrained path.

/// What the autoscaler watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleOn {
    /// CPU utilisation (what Slack's downscaling used): falls when threads wait on the network.
    Cpu,
    /// Worker-thread utilisation: rises when threads wait, whatever the cause.
    Threads,
}

/// The model's knobs. [`Model::default`] is the run the chapter shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Model {
    /// Minutes to simulate.
    pub minutes: usize,
    /// User requests per second.
    pub demand: f64,
    /// Path traffic per request before the step (warm caches), in path units.
    pub bytes_warm: f64,
    /// Path traffic per request after the step (cold caches).
    pub bytes_cold: f64,
    /// Minute at which demand on the path steps up.
    pub step_at: usize,
    /// Path capacity at the start, in path units per second.
    pub path_capacity: f64,
    /// Fraction by which the path's capacity may grow a minute when it is more than 90% used.
    pub path_ramp: f64,
    /// Servers at the start.
    pub servers: f64,
    /// Worker threads per server.
    pub threads_per_server: f64,
    /// CPU ms a completed request costs.
    pub cpu_ms: f64,
    /// Latency of a request on a clean path, ms.
    pub base_latency_ms: f64,
    /// Extra latency per unit of loss, ms (retransmit timeouts): at 10% loss, +10% of this.
    pub loss_penalty_ms: f64,
    /// The autoscaler's signal.
    pub scale_on: ScaleOn,
    /// Servers asked for in one step when the threads rule fires (0 disables it).
    pub step_up: f64,
    /// Servers the provisioner can bring up per minute (its open-files limit, in effect).
    pub provision_per_minute: f64,
    /// Minutes a new server takes to boot, adding path traffic meanwhile.
    pub boot_minutes: usize,
    /// Path traffic per booting server.
    pub boot_traffic: f64,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            minutes: 90,
            demand: 1000.0,
            bytes_warm: 1.0,
            bytes_cold: 1.5,
            step_at: 10,
            path_capacity: 1200.0,
            path_ramp: 0.01,
            servers: 100.0,
            threads_per_server: 4.0,
            cpu_ms: 40.0,
            base_latency_ms: 200.0,
            loss_penalty_ms: 4000.0,
            scale_on: ScaleOn::Cpu,
            step_up: 100.0,
            provision_per_minute: 10.0,
            boot_minutes: 5,
            boot_traffic: 3.0,
        }
    }
}

/// One minute of the model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Minute {
    /// Minute number.
    pub minute: usize,
    /// Servers serving.
    pub servers: f64,
    /// Servers booting.
    pub booting: f64,
    /// Path capacity, units/s.
    pub path_capacity: f64,
    /// Path traffic offered, units/s.
    pub path_offered: f64,
    /// Fraction of path traffic lost.
    pub loss: f64,
    /// Request latency, ms.
    pub latency_ms: f64,
    /// Worker-thread utilisation (can exceed 1: demand for threads beyond the pool).
    pub thread_utilization: f64,
    /// CPU utilisation of the serving fleet.
    pub cpu_utilization: f64,
    /// Fraction of user requests served successfully.
    pub success: f64,
}

impl Model {
    /// Runs the model minute by minute.
    pub fn run(&self) -> Vec<Minute> {
        let mut servers = self.servers;
        let mut capacity = self.path_capacity;
        let mut booting: Vec<f64> = vec![0.0; self.boot_minutes.max(1)]; // by minutes left
        let mut wanted = 0.0; // servers asked for and not yet provisioning
        let mut out = Vec::with_capacity(self.minutes);
        for minute in 0..self.minutes {
            let bytes = if minute >= self.step_at {
                self.bytes_cold
            } else {
                self.bytes_warm
            };
            let in_boot: f64 = booting.iter().sum();
            let offered = self.demand * bytes + in_boot * self.boot_traffic;
            let loss = (1.0 - capacity / offered).max(0.0);
            let latency_ms = self.base_latency_ms + self.loss_penalty_ms * loss;
            // Little's law: threads busy = arrival rate × time each request holds one.
            let threads_needed = self.demand * latency_ms / 1000.0;
            let threads = servers * self.threads_per_server;
            let thread_utilization = threads_needed / threads.max(1.0);
            let served = self.demand * (1.0 / thread_utilization).min(1.0);
            let success = (served / self.demand) * (1.0 - loss);
            let cpu_utilization = served * (1.0 - loss) * self.cpu_ms / (servers.max(1.0) * 1000.0);
            out.push(Minute {
                minute,
                servers,
                booting: in_boot,
                path_capacity: capacity,
                path_offered: offered,
                loss,
                latency_ms,
                thread_utilization,
                cpu_utilization,
                success,
            });

            // The path ramps towards what it is offered, slowly.
            if offered > 0.9 * capacity {
                capacity = (capacity * (1.0 + self.path_ramp)).min(offered / 0.9);
            }
            // Booting servers join when their boot ends.
            servers += booting[0];
            booting.rotate_left(1);
            *booting.last_mut().expect("one slot") = 0.0;
            // The autoscaler.
            match self.scale_on {
                ScaleOn::Cpu => {
                    if cpu_utilization < 0.25 {
                        servers = (servers * 0.9).max(10.0); // scale in by 10% a minute
                    } else if cpu_utilization > 0.6 {
                        wanted += servers * 0.1;
                    }
                }
                ScaleOn::Threads => {
                    if thread_utilization > 0.8 && wanted == 0.0 && in_boot == 0.0 {
                        wanted +=
                            (threads_needed / (0.6 * self.threads_per_server) - servers).max(0.0);
                    }
                }
            }
            // Slack's pattern: CPU scaled the tier in; a thread rule then asked for a large step.
            if self.scale_on == ScaleOn::Cpu
                && self.step_up > 0.0
                && thread_utilization > 1.0
                && wanted == 0.0
                && in_boot == 0.0
            {
                wanted += self.step_up;
            }
            let start = wanted.min(self.provision_per_minute);
            wanted -= start;
            *booting.last_mut().expect("one slot") += start;
        }
        out
    }
}

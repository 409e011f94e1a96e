//! Generated histories, linearizable by construction (or broken on purpose), for tests and
//! benchmarks.
//!
//! How do you make a history that is certainly linearizable? Give every operation a
//! *linearization point* strictly inside its interval, apply the operations to one correct object
//! in the order of those points, and record what each returned. Each client's operations follow
//! one another, the points respect real time by construction, and the checker must say yes. To
//! break a history on purpose, let some reads return what the object held *before* a write that
//! had already returned when the read began: a stale read, which no order can explain.

use std::collections::HashMap;

use crate::history::{KvOp, KvOperation, Operation, Outcome, RegisterOp, RegisterOperation, Stamp};
use crate::rng::Rng;

/// The shape of a generated key-value history.
#[derive(Clone, Copy, Debug)]
pub struct KvWorkload {
    /// Concurrent clients.
    pub clients: u64,
    /// Operations in all.
    pub operations: usize,
    /// Distinct keys.
    pub keys: u64,
    /// Seeds the generator.
    pub seed: u64,
    /// If true, about one get in twenty returns the value from before the latest write that had
    /// returned when the get began (which makes the history not linearizable, almost surely).
    pub stale_reads: bool,
}

/// One planned operation: when it is invoked, takes effect and returns.
struct Planned<I> {
    process: u64,
    input: I,
    invoke: u64,
    point: u64,
    complete: u64,
    /// Indeterminate: the client gave up; `applies` says whether it took effect anyway.
    lost: bool,
    applies: bool,
}

/// Lays out `operations` ops over `clients` clients, each op overlapping others': times in µs.
fn plan<I>(
    rng: &mut Rng,
    clients: u64,
    operations: usize,
    mut input: impl FnMut(&mut Rng) -> I,
    lost_percent: u64,
) -> Vec<Planned<I>> {
    let mut next_free: Vec<u64> = (0..clients).map(|_| rng.below(100)).collect();
    let mut process_of: Vec<u64> = (0..clients).collect();
    let mut next_process = clients;
    let mut planned = Vec::with_capacity(operations);
    for _ in 0..operations {
        // The client that is free earliest goes next, so all of them stay busy.
        let c = (0..clients as usize)
            .min_by_key(|&c| next_free[c])
            .expect("a client");
        let invoke = next_free[c] + rng.below(20);
        let point = invoke + 1 + rng.below(200);
        let complete = point + 1 + rng.below(200);
        let lost = rng.percent(lost_percent);
        planned.push(Planned {
            process: process_of[c],
            input: input(rng),
            invoke,
            point,
            complete,
            lost,
            applies: !lost || rng.percent(50),
        });
        next_free[c] = complete + 1;
        if lost {
            // After an :info a Jepsen client never returns; a new process takes its place.
            process_of[c] = next_process;
            next_process += 1;
        }
    }
    planned
}

/// Stamps in time order: the line of an event is its rank among all invokes and returns.
fn finish<I, O>(planned: Vec<Planned<I>>, outputs: Vec<Option<O>>) -> Vec<Operation<I, O>> {
    let mut times: Vec<u64> = planned
        .iter()
        .flat_map(|p| [p.invoke * 2, p.complete * 2 + 1])
        .collect();
    times.sort_unstable();
    let line = |t: u64| times.partition_point(|&x| x < t) + 1;
    let mut ops: Vec<Operation<I, O>> = planned
        .into_iter()
        .zip(outputs)
        .map(|(p, out)| Operation {
            id: 0,
            process: p.process,
            input: p.input,
            outcome: match (p.lost, out) {
                (true, _) => Outcome::Info,
                (false, Some(o)) => Outcome::Ok(o),
                (false, None) => Outcome::Fail,
            },
            invoke: Stamp {
                time: p.invoke,
                line: line(p.invoke * 2),
            },
            complete: Some(Stamp {
                time: p.complete,
                line: line(p.complete * 2 + 1),
            }),
        })
        .collect();
    ops.sort_by_key(|op| op.invoke);
    for (i, op) in ops.iter_mut().enumerate() {
        op.id = i;
    }
    ops
}

/// A key-value history with gets (50%), appends (40%) and puts (10%) of unique values, and 2% of
/// writes indeterminate.
pub fn kv_history(w: &KvWorkload) -> Vec<KvOperation> {
    let mut rng = Rng::new(w.seed);
    let mut counter = 0u64;
    let keys = w.keys.max(1);
    let planned = plan(
        &mut rng,
        w.clients.max(1),
        w.operations,
        |rng| {
            let key = rng.below(keys).to_string();
            counter += 1;
            let value = format!("x {counter} y");
            match rng.below(10) {
                0..=4 => KvOp::Get(key),
                5..=8 => KvOp::Append(key, value),
                _ => KvOp::Put(key, value),
            }
        },
        2,
    );
    // Apply in linearization-point order; remember each key's writes for stale reads.
    let mut by_point: Vec<usize> = (0..planned.len()).collect();
    by_point.sort_by_key(|&i| planned[i].point);
    let mut state: HashMap<String, String> = HashMap::new();
    // Per key: (return time of the write, value before it), for the writes that returned.
    let mut writes: HashMap<String, Vec<(u64, String)>> = HashMap::new();
    let mut outputs: Vec<Option<String>> = vec![None; planned.len()];
    for i in by_point {
        let p = &planned[i];
        let key = p.input.key().to_string();
        let current = state.entry(key.clone()).or_default();
        match &p.input {
            KvOp::Get(_) => {
                let mut value = current.clone();
                if w.stale_reads && rng.percent(5) {
                    // The value before the latest write that had returned when this get began.
                    if let Some((_, before)) = writes
                        .get(&key)
                        .and_then(|ws| ws.iter().rev().find(|(done, _)| *done < p.invoke))
                    {
                        value = before.clone();
                    }
                }
                outputs[i] = Some(value);
            }
            KvOp::Put(_, v) | KvOp::Append(_, v) => {
                if p.applies {
                    let before = current.clone();
                    if matches!(p.input, KvOp::Put(..)) {
                        *current = v.clone();
                    } else {
                        current.push_str(v);
                    }
                    if !p.lost {
                        writes.entry(key).or_default().push((p.complete, before));
                    }
                }
                outputs[i] = Some(String::new());
            }
        }
    }
    finish(planned, outputs)
}

/// The shape of a generated register history.
#[derive(Clone, Copy, Debug)]
pub struct RegisterWorkload {
    /// Concurrent clients.
    pub clients: u64,
    /// Operations in all.
    pub operations: usize,
    /// Values are drawn from `0..values` (few values make CASes succeed and fail often).
    pub values: i64,
    /// Percent of writes and CASes whose outcome is lost (`:info`).
    pub lost_percent: u64,
    /// Seeds the generator.
    pub seed: u64,
}

/// A register history of reads, writes and CASes (a third each), linearizable by construction;
/// a CAS whose compare fails is recorded as `:fail`, like Jepsen's etcd client.
pub fn register_history(w: &RegisterWorkload) -> Vec<RegisterOperation> {
    let mut rng = Rng::new(w.seed);
    let values = w.values.max(1) as u64;
    let mut planned = plan(
        &mut rng,
        w.clients.max(1),
        w.operations,
        |rng| match rng.below(3) {
            0 => RegisterOp::Read,
            1 => RegisterOp::Write(rng.below(values) as i64),
            _ => RegisterOp::Cas {
                from: rng.below(values) as i64,
                to: rng.below(values) as i64,
            },
        },
        w.lost_percent,
    );
    for p in planned.iter_mut() {
        if matches!(p.input, RegisterOp::Read) && p.lost {
            p.lost = false; // reads are not lost in the etcd histories; keep that shape
        }
    }
    let mut by_point: Vec<usize> = (0..planned.len()).collect();
    by_point.sort_by_key(|&i| planned[i].point);
    let mut state: Option<i64> = None;
    let mut outputs: Vec<Option<Option<i64>>> = vec![None; planned.len()];
    for i in by_point {
        let p = &planned[i];
        outputs[i] = match p.input {
            RegisterOp::Read => Some(state),
            RegisterOp::Write(v) => {
                if p.applies {
                    state = Some(v);
                }
                Some(None)
            }
            RegisterOp::Cas { from, to } => {
                if state == Some(from) {
                    if p.applies {
                        state = Some(to);
                    }
                    Some(None)
                } else {
                    None // the compare failed: recorded as :fail (unless lost)
                }
            }
        };
    }
    finish(planned, outputs)
}

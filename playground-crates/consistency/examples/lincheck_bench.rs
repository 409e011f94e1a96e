//! `cargo run --release -p consistency --example lincheck_bench`
//!
//! Times the checker on every shared Jepsen history (`../shared/histories` beside the repository)
//! and on a large generated key-value history, and prints the figures. The verdict is timed
//! alone, and again with the witness (the minimal set of ops) that a failing history gets.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use consistency::{check, generate, History};

/// Runs `f` enough times to take at least 200 ms, and returns the time of one run.
fn time<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let start = Instant::now();
    let mut runs = 0u32;
    let mut last;
    loop {
        last = f();
        runs += 1;
        if start.elapsed() > Duration::from_millis(200) || runs >= 1000 {
            break;
        }
    }
    (last, start.elapsed() / runs)
}

fn shared_histories() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/histories");
    let mut files = Vec::new();
    for folder in ["etcd", "kv"] {
        for entry in std::fs::read_dir(root.join(folder)).ok()? {
            let path = entry.ok()?.path();
            if path.file_name().is_some_and(|n| n != "VERDICTS") {
                files.push(path);
            }
        }
    }
    files.sort();
    Some(files)
}

fn report(name: &str, history: &History, total: &mut Duration) {
    let (verdict, verdict_time) = time(|| consistency::lincheck::is_linearizable(history));
    let (_, full_time) = time(|| check(history));
    *total += verdict_time;
    let witness = if verdict {
        String::new()
    } else {
        format!(
            ", {:>8.2} ms with the witness",
            full_time.as_secs_f64() * 1e3
        )
    };
    println!(
        "{name:<28} {:>5} ops  {:<17} {:>8.3} ms{witness}",
        history.len(),
        if verdict {
            "linearizable"
        } else {
            "not linearizable"
        },
        verdict_time.as_secs_f64() * 1e3,
    );
}

fn main() {
    let mut total = Duration::ZERO;
    match shared_histories() {
        Some(files) => {
            for file in &files {
                let history = consistency::parse_file(file).unwrap_or_else(|e| panic!("{e}"));
                let name = format!(
                    "{}/{}",
                    file.parent()
                        .and_then(|p| p.file_name())
                        .unwrap()
                        .to_string_lossy(),
                    file.file_name().unwrap().to_string_lossy()
                );
                report(&name, &history, &mut total);
            }
            println!(
                "all {} shared histories: {:.3} ms (verdicts)",
                files.len(),
                total.as_secs_f64() * 1e3
            );
        }
        None => println!(
            "../shared/histories not found beside the repository: skipping the shared histories"
        ),
    }
    for (clients, ops, keys, stale) in [
        (10, 1_000, 10, false),
        (50, 2_000, 20, false),
        (50, 2_000, 20, true),
    ] {
        let history = History::Kv(generate::kv_history(&generate::KvWorkload {
            clients,
            operations: ops,
            keys,
            seed: 7,
            stale_reads: stale,
        }));
        let name = format!(
            "generated kv {clients}c {ops} ops{}",
            if stale { " +stale" } else { "" }
        );
        let mut ignored = Duration::ZERO;
        report(&name, &history, &mut ignored);
    }
    // The shape of Porcupine's large etcd logs: one register, 20,000 operations.
    for clients in [8, 20] {
        let history = History::Register(generate::register_history(&generate::RegisterWorkload {
            clients,
            operations: 20_000,
            values: 100,
            lost_percent: 0,
            seed: 5,
        }));
        let mut ignored = Duration::ZERO;
        report(
            &format!("generated register {clients}c"),
            &history,
            &mut ignored,
        );
    }
}

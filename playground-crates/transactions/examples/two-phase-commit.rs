//! Two-phase commit with a crash at each step: who decided what, and who waited, locks held.
//!
//! `cargo run --release -p transactions --example two-phase-commit` prints one summary line per
//! crash point (the crashed node is back after 1 s). Name a crash point to see its timeline:
//! `... -- coordinator-after-prepare` (add `never` to keep the node down, or a number of
//! milliseconds to choose when it is back; add `heuristic` to let in-doubt participants give up
//! after 500 ms).

use std::process::ExitCode;
use transactions::twopc::{Crash, Report, Scenario};

fn summary(label: &str, r: &Report) {
    println!("{label:<38} {}", r.summary());
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        for crash in Crash::ALL {
            summary(crash.name(), &Scenario::new(crash).run());
        }
        let never = Scenario::new(Crash::CoordinatorAfterPrepare).never_restart();
        summary("coordinator-after-prepare, never back", &never.run());
        let heuristic = Scenario::new(Crash::CoordinatorAfterFirstCommit)
            .never_restart()
            .heuristic_abort_after_ms(500);
        summary("after-first-commit, heuristic abort", &heuristic.run());
        return ExitCode::SUCCESS;
    };
    let Some(crash) = Crash::parse(name) else {
        let names: Vec<&str> = Crash::ALL.iter().map(|c| c.name()).collect();
        eprintln!("unknown crash point `{name}`; one of: {}", names.join(", "));
        return ExitCode::from(2);
    };
    let mut scenario = Scenario::new(crash);
    for arg in &args[1..] {
        match arg.as_str() {
            "never" => scenario = scenario.never_restart(),
            "heuristic" => scenario = scenario.heuristic_abort_after_ms(500),
            ms => match ms.parse::<u64>() {
                Ok(ms) => scenario = scenario.restart_after_ms(ms),
                Err(_) => {
                    eprintln!("expected `never`, `heuristic` or milliseconds, got `{ms}`");
                    return ExitCode::from(2);
                }
            },
        }
    }
    let report = scenario.run();
    for line in &report.timeline {
        println!("{line}");
    }
    println!("{report}");
    ExitCode::SUCCESS
}

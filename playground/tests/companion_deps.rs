//! Companion crates with dependencies: a crate that depends on the simulation kernel, the kernel
//! itself, and a crate whose registry dependency carries native code (rusqlite with SQLite's C
//! source bundled), each used from a snippet through the playground's one code path; the same
//! through precomputation; and the dependency folder holding exactly what they need.

mod common;

use std::collections::BTreeSet;

use playground::{precompute, Outcome};

/// Uses the fixture that depends on `sim`, and `sim` directly, and checks they agree.
const SIM_SNIPPET: &str = r#"use sim::SplitMix64;
use sim_dice::rolls;

fn main() {
    let dice = rolls(7, 5);
    let mut rng = SplitMix64::new(7);
    let direct: Vec<u64> = (0..5).map(|_| rng.below(6) + 1).collect();
    assert_eq!(dice, direct);
    println!("rolls {dice:?}");
}"#;

/// Stores and reads keys in SQLite through the fixture, which links the bundled C library.
const SQLITE_SNIPPET: &str = r#"use sqlite_kv::Store;

fn main() {
    let store = Store::in_memory().unwrap();
    store.put("alice", "41").unwrap();
    store.put("alice", "42").unwrap();
    println!("alice -> {:?}", store.get("alice").unwrap());
    println!("bob -> {:?}", store.get("bob").unwrap());
    println!("sqlite {}", Store::sqlite_version());
}"#;

#[tokio::test]
async fn a_snippet_uses_a_crate_that_depends_on_the_simulation_kernel() {
    let pg = common::playground();
    let resp = pg.evaluate(common::req(SIM_SNIPPET)).await;
    assert_eq!(resp.outcome, Outcome::Success, "{}", resp.result);
    assert!(resp.result.starts_with("rolls ["), "{}", resp.result);
}

#[tokio::test]
async fn a_snippet_uses_a_crate_whose_registry_dependency_is_native_code() {
    let pg = common::playground();
    let resp = pg.evaluate(common::req(SQLITE_SNIPPET)).await;
    assert_eq!(resp.outcome, Outcome::Success, "{}", resp.result);
    let lines: Vec<&str> = resp.result.lines().collect();
    assert_eq!(lines[..2], ["alice -> Some(\"42\")", "bob -> None"]);
    assert!(lines[2].starts_with("sqlite 3."), "{}", resp.result);
}

#[tokio::test]
async fn a_companion_crate_is_not_a_way_to_reach_its_dependencies() {
    // `-L dependency=` serves rustc's lookups for the companion crates, not `use` in a snippet:
    // a crate reaches learners only by being a companion crate (or re-exported by one).
    let pg = common::playground();
    let resp = pg
        .evaluate(common::req(
            "fn main() { let c = rusqlite::Connection::open_in_memory(); println!(\"{}\", c.is_ok()); }",
        ))
        .await;
    assert_eq!(resp.outcome, Outcome::CompileError, "{}", resp.result);
    assert!(resp.result.contains("rusqlite"), "{}", resp.result);
}

#[tokio::test]
async fn precompute_covers_crates_with_dependencies() {
    let pg = common::playground();
    let requests = [
        common::req(&format!("{SIM_SNIPPET}\n// precomputed")),
        common::req(&format!("{SQLITE_SNIPPET}\n// precomputed")),
    ];
    let table = precompute(&pg, &requests).await.unwrap();
    let results: Vec<_> = table.into_map().into_values().collect();
    assert_eq!(results.len(), 2);
    for result in results {
        assert_eq!(result.outcome, Outcome::Success, "{}", result.result);
    }
}

#[test]
fn the_dependency_folder_holds_the_run_time_closure_and_nothing_else() {
    let fixtures = common::fixtures();
    let crates: BTreeSet<String> = std::fs::read_dir(&fixtures.deps_dir)
        .unwrap()
        .map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(name.ends_with(".rlib"), "only rlibs here: {name}");
            // lib<crate>-<hash>.rlib
            let stem = name.strip_prefix("lib").unwrap().trim_end_matches(".rlib");
            stem.rsplit_once('-')
                .map_or(stem, |(krate, _)| krate)
                .to_owned()
        })
        .collect();
    for needed in ["sim", "sim_dice", "sqlite_kv", "rusqlite", "libsqlite3_sys"] {
        assert!(crates.contains(needed), "{needed} missing from {crates:?}");
    }
    // SQLite's build script needs these; a snippet never does.
    for build_only in ["cc", "pkg_config", "vcpkg", "shlex"] {
        assert!(!crates.contains(build_only), "{build_only} in {crates:?}");
    }
}

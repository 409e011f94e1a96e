//! The attack suite: hostile snippets, each asserted contained, with the learner's message.
//!
//! Every bomb is bounded in itself (a fixed number of processes, threads, bytes or seconds), so a
//! sandbox regression makes a test fail, never the machine running it. Each test ends by running
//! an ordinary snippet, proving the playground still answers correctly after the attack.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use playground::{EvaluateResponse, Outcome, Playground};

/// Runs an ordinary snippet (unique per caller, so it is really compiled) and checks its output.
async fn still_healthy(pg: &Playground, tag: &str) {
    let code = format!(
        "use demo::Clock;\nfn main() {{ let mut c = Clock::new(); c.tick(); println!(\"{tag} ok {{}}\", c.tick()); }}"
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert_eq!(resp.result, format!("{tag} ok 2\n"), "{resp:#?}");
    assert!(resp.is_success());
}

fn limit(resp: &EvaluateResponse) -> &str {
    match &resp.outcome {
        Outcome::LimitExceeded { limit } => limit,
        other => panic!("expected a limit, got {other:?}: {}", resp.result),
    }
}

/// A playground whose compile step has the production limits (3 s), for compile-time bombs.
fn strict() -> Arc<Playground> {
    let mut config = common::config();
    config.limits.compile = playground::Limits::default().compile;
    Arc::new(Playground::new(config).unwrap())
}

#[tokio::test]
async fn host_files_are_invisible_at_compile_time() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let resp = pg
        .evaluate(common::req(
            "const P: &str = include_str!(\"/etc/passwd\");\nfn main() { println!(\"{P}\"); }",
        ))
        .await;
    assert_eq!(resp.outcome, Outcome::CompileError, "{}", resp.result);
    assert!(resp.result.contains("couldn't read"), "{}", resp.result);
    assert!(!resp.result.contains("root:x:0:0"));

    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let code = format!(
        "const P: &[u8] = include_bytes!({manifest:?});\nfn main() {{ println!(\"{{}}\", P.len()); }}"
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert_eq!(resp.outcome, Outcome::CompileError, "{}", resp.result);
    still_healthy(&pg, "compile-read").await;
}

#[tokio::test]
async fn only_the_dependency_rlibs_are_visible_at_compile_time() {
    let _one_at_a_time = common::serial().await;
    // The companion crates' dependencies are shown at /crates/deps0, read-only; the folders they
    // came from, and everything else cargo built beside them, are not there at all.
    let pg = common::playground();
    let deps_dir = &common::fixtures().deps_dir;
    let rusqlite = std::fs::read_dir(deps_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("librusqlite-"))
        .expect("rusqlite is in the dependency folder");
    let inside = format!("/crates/deps0/{rusqlite}");
    let code = format!(
        "const R: &[u8] = include_bytes!({inside:?});\nfn main() {{ println!(\"{{}}\", R.len() > 1000); }}"
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert_eq!(
        resp.result, "true\n",
        "the rlib is visible where rustc looks"
    );

    // The same file at its host path, and a build-only dependency (SQLite's `cc`) that cargo
    // left in the host folder the rlibs were linked from.
    let host_rlib = std::fs::canonicalize(deps_dir.join(&rusqlite)).unwrap();
    let host_folder = common::fixtures()
        .crates
        .iter()
        .find(|c| c.lib == "sqlite_kv")
        .map(|c| c.rlib.parent().unwrap().join("deps"))
        .unwrap();
    let cc = std::fs::read_dir(&host_folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("libcc-") && name.ends_with(".rlib")
        })
        .expect("cargo built `cc` for SQLite's build script");
    for hidden in [host_rlib, cc, "/crates/deps0/../../etc/passwd".into()] {
        let code = format!(
            "const R: &[u8] = include_bytes!({hidden:?});\nfn main() {{ println!(\"{{}}\", R.len()); }}"
        );
        let resp = pg.evaluate(common::req(&code)).await;
        assert_eq!(
            resp.outcome,
            Outcome::CompileError,
            "{hidden:?}: {}",
            resp.result
        );
        assert!(resp.result.contains("couldn't read"), "{}", resp.result);
    }
    still_healthy(&pg, "deps-read").await;
}

#[tokio::test]
async fn host_files_are_invisible_at_run_time() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let code = format!(
        r#"fn main() {{
    for path in ["/etc/passwd", "/etc/shadow", "/root/.bashrc", {manifest:?}, "/usr/bin/rustc"] {{
        match std::fs::read_to_string(path) {{
            Ok(text) => println!("READ {{path}}: {{}}", &text[..text.len().min(40)]),
            Err(e) => println!("denied {{path}}: {{e}}"),
        }}
    }}
    let root: Vec<_> = std::fs::read_dir("/").unwrap().map(|e| e.unwrap().file_name()).collect();
    println!("root: {{root:?}}");
}}"#
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert!(resp.is_success(), "{}", resp.result);
    assert!(!resp.result.contains("READ"), "{}", resp.result);
    assert_eq!(resp.result.matches("denied").count(), 5, "{}", resp.result);
    // Only the sandbox's own skeleton: no /etc, /home, /root, /work.
    for absent in ["\"etc\"", "\"home\"", "\"root\"", "\"work\""] {
        assert!(
            !resp.result.contains(absent),
            "{absent} visible: {}",
            resp.result
        );
    }
    still_healthy(&pg, "run-read").await;
}

#[tokio::test]
async fn loopback_and_network_are_unreachable() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let code = format!(
        r#"use std::net::TcpStream;
use std::time::Duration;
fn main() {{
    match TcpStream::connect(("127.0.0.1", {port})) {{
        Ok(_) => println!("CONNECTED loopback"),
        Err(e) => println!("loopback: {{e}}"),
    }}
    let outside = "93.184.216.34:80".parse().unwrap();
    match TcpStream::connect_timeout(&outside, Duration::from_millis(500)) {{
        Ok(_) => println!("CONNECTED outside"),
        Err(e) => println!("outside: {{e}}"),
    }}
}}"#
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert!(!resp.result.contains("CONNECTED"), "{}", resp.result);
    assert!(
        resp.result.contains("loopback: Connection refused"),
        "{}",
        resp.result
    );
    assert!(
        listener.accept().is_err(),
        "a connection reached the host's loopback listener"
    );
    still_healthy(&pg, "net").await;
}

#[tokio::test]
async fn fork_bomb_hits_the_process_limit() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    // Flat and bounded: at most 500 children, each sleeping at most 20 s (the wall limit ends it
    // first). Without a shell in the sandbox the program re-executes itself.
    let code = r#"use std::process::Command;
fn main() {
    if std::env::args().nth(1).as_deref() == Some("child") {
        std::thread::sleep(std::time::Duration::from_secs(20));
        return;
    }
    let mut children = Vec::new();
    for i in 0..500 {
        let child = Command::new("/proc/self/exe").arg("child").spawn();
        match child {
            Ok(c) => children.push(c),
            Err(e) => panic!("spawn {i} failed: {e}"),
        }
    }
    println!("spawned all 500");
}"#;
    let started = Instant::now();
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(limit(&resp), "processes", "{}", resp.result);
    assert!(
        resp.result.contains("more than 64 processes and threads"),
        "{}",
        resp.result
    );
    assert!(started.elapsed() < Duration::from_secs(25));
    still_healthy(&pg, "fork").await;
}

#[tokio::test]
async fn thread_bomb_hits_the_process_limit() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let code = r#"fn main() {
    let mut handles = Vec::new();
    for i in 0..5000 {
        let h = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| std::thread::sleep(std::time::Duration::from_secs(20)));
        match h {
            Ok(h) => handles.push(h),
            Err(e) => panic!("thread {i} failed: {e}"),
        }
    }
    println!("spawned all");
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(limit(&resp), "processes", "{}", resp.result);
    assert!(resp.result.contains("(process limit)"), "{}", resp.result);
    still_healthy(&pg, "threads").await;
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_limit() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    // Bounded at 2 GiB even if nothing stopped it; the limit is 512 MiB.
    let code = r#"fn main() {
    let mut blocks = Vec::new();
    for i in 0..128 {
        let mut block = vec![0u8; 16 << 20];
        for j in (0..block.len()).step_by(4096) { block[j] = i as u8; }
        blocks.push(block);
    }
    println!("allocated {} blocks", blocks.len());
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(limit(&resp), "memory", "{}", resp.result);
    assert!(
        resp.result.contains("the 512 MiB memory limit"),
        "{}",
        resp.result
    );
    still_healthy(&pg, "memory").await;
}

#[tokio::test]
async fn infinite_loop_is_stopped() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    // Ends by itself after 60 s; the limits stop it after 2 s.
    let code = r#"fn main() {
    let start = std::time::Instant::now();
    let mut x = 0u64;
    while start.elapsed().as_secs() < 60 { x = std::hint::black_box(x.wrapping_add(1)); }
    println!("{x}");
}"#;
    let started = Instant::now();
    let resp = pg.evaluate(common::req(code)).await;
    assert!(
        matches!(limit(&resp), "cpu_time" | "wall_clock"),
        "{}",
        resp.result
    );
    assert!(
        resp.result.contains("Stopped: the program"),
        "{}",
        resp.result
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    still_healthy(&pg, "loop").await;
}

#[tokio::test]
async fn sleeping_program_hits_the_wall_clock_limit() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let code = "fn main() { std::thread::sleep(std::time::Duration::from_secs(30)); }";
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(limit(&resp), "wall_clock");
    assert!(resp
        .result
        .contains("Stopped: the program ran longer than the 2 s wall-clock limit."));
    still_healthy(&pg, "sleep").await;
}

#[tokio::test]
async fn output_flood_is_cut_at_the_cap() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    // Bounded at 100 MB.
    let code = r#"use std::io::Write;
fn main() {
    let line = [b'x'; 1023];
    let mut out = std::io::stdout().lock();
    for _ in 0..100_000 { out.write_all(&line).unwrap(); out.write_all(b"\n").unwrap(); }
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(
        limit(&resp),
        "output",
        "{}",
        &resp.result[resp.result.len() - 200..]
    );
    assert!(resp.result.len() < 64 * 1024 + 300, "{}", resp.result.len());
    assert!(resp.result.contains("64 KiB output limit"));
    still_healthy(&pg, "flood").await;
}

#[tokio::test]
async fn big_files_hit_the_file_size_limit() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let code = r#"use std::io::Write;
fn main() {
    let mut f = std::fs::File::create("/tmp/big").unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..8 { f.write_all(&chunk).unwrap(); }
    println!("wrote 8 MiB");
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert_eq!(limit(&resp), "file_size", "{}", resp.result);
    assert!(
        resp.result.contains("1 MiB file-size limit"),
        "{}",
        resp.result
    );
    still_healthy(&pg, "fsize").await;
}

#[tokio::test]
async fn writes_outside_the_temp_dir_fail() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let host_dir = tempfile::tempdir().unwrap();
    let marker = host_dir.path().join("marker");
    let code = format!(
        r#"fn main() {{
    for path in ["/etc/x", "/usr/lib/x", "/x", "/playground/x", "/proc/x", "/dev/x", "/dev/shm/x"] {{
        match std::fs::write(path, "pwned") {{
            Ok(()) => println!("WROTE {{path}}"),
            Err(e) => println!("refused {{path}}: {{e}}"),
        }}
    }}
    let marker = {marker:?};
    let _ = std::fs::create_dir_all(std::path::Path::new(marker).parent().unwrap());
    println!("private tmp write: {{:?}}", std::fs::write(marker, "pwned").is_ok());
    std::fs::write("/tmp/scratch", "fine").unwrap();
}}"#
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert!(resp.is_success(), "{}", resp.result);
    assert!(!resp.result.contains("WROTE"), "{}", resp.result);
    assert_eq!(resp.result.matches("refused").count(), 7, "{}", resp.result);
    assert!(!marker.exists(), "the sandbox wrote to the host's temp dir");
    still_healthy(&pg, "write").await;
}

#[tokio::test]
async fn there_is_no_shell_to_spawn() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let code = r#"use std::process::Command;
fn main() {
    for shell in ["/bin/sh", "sh", "/usr/bin/bash", "/bin/busybox"] {
        match Command::new(shell).arg("-c").arg("echo PW$((1+1))NED").output() {
            Ok(out) => println!("ran {shell}: {}", String::from_utf8_lossy(&out.stdout)),
            Err(e) => println!("no {shell}: {e}"),
        }
    }
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert!(!resp.result.contains("PW2NED"), "{}", resp.result);
    assert_eq!(resp.result.matches("no ").count(), 4, "{}", resp.result);
    still_healthy(&pg, "shell").await;
}

#[tokio::test]
async fn no_process_outlives_its_request() {
    let _one_at_a_time = common::serial().await;
    let pg = common::playground();
    let token = format!("dsip-daemon-{}", std::process::id());
    // The child starts a new session (leaving bwrap's), and keeps running after main returns.
    let code = format!(
        r#"extern "C" {{ fn setsid() -> i32; }}
fn main() {{
    if std::env::args().nth(1).as_deref() == Some({token:?}) {{
        unsafe {{ setsid(); }}
        for i in 0..20 {{
            std::thread::sleep(std::time::Duration::from_millis(500));
            let _ = std::fs::write("/tmp/alive", i.to_string());
        }}
        return;
    }}
    std::process::Command::new("/proc/self/exe").arg({token:?}).spawn().unwrap();
    println!("parent exits");
}}"#
    );
    let resp = pg.evaluate(common::req(&code)).await;
    assert!(resp.is_success(), "{}", resp.result);
    for _ in 0..3 {
        let survivors: Vec<String> = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
            .filter(|c| c.contains(&token) && !c.contains("fn main"))
            .collect();
        assert!(survivors.is_empty(), "outlived its request: {survivors:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    still_healthy(&pg, "daemon").await;
}

#[tokio::test]
async fn compile_time_bombs_hit_the_compile_limits() {
    let _one_at_a_time = common::serial().await;
    let pg = strict();
    // Const evaluation that would run for hours; rustc's own guard is a lint, allowed here.
    let endless_const = r#"#![allow(long_running_const_eval)]
const N: u64 = { let mut i = 0u64; let mut x = 0u64; while i < u64::MAX { x = x.wrapping_mul(31).wrapping_add(i); i += 1; } x };
fn main() { println!("{N}"); }"#;
    let started = Instant::now();
    let resp = pg.evaluate(common::req(endless_const)).await;
    assert!(
        matches!(limit(&resp), "cpu_time" | "wall_clock"),
        "{}",
        resp.result
    );
    assert!(
        resp.result.contains("Stopped: compiling the snippet"),
        "{}",
        resp.result
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // A static rustc must materialise: 1.5 GiB, over the 1 GiB compile memory limit.
    let huge_static =
        "static BIG: [u8; 3 << 29] = [1; 3 << 29];\nfn main() { println!(\"{}\", BIG[7]); }";
    let resp = pg.evaluate(common::req(huge_static)).await;
    assert!(
        matches!(limit(&resp), "memory" | "cpu_time" | "wall_clock"),
        "{}",
        resp.result
    );

    // Token doubling on every expansion: exponential in time and memory.
    let macro_bomb = r#"#![recursion_limit = "64"]
macro_rules! boom { ($($t:tt)*) => { boom!($($t)* $($t)*); }; }
boom!(x);
fn main() {}"#;
    let resp = pg.evaluate(common::req(macro_bomb)).await;
    assert!(
        matches!(
            resp.outcome,
            Outcome::LimitExceeded { .. } | Outcome::CompileError
        ),
        "{:?}: {}",
        resp.outcome,
        resp.result
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    still_healthy(&pg, "compile-bomb").await;
}

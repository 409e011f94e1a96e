//! The server's environment must not reach a snippet, at compile time or at run time.
//!
//! Alone in its own test binary because it sets an environment variable, which is only sound
//! while no other thread reads the environment.

mod common;

#[tokio::test]
async fn server_environment_is_absent() {
    let secret = format!("s3cret-{}", std::process::id());
    // SAFETY: the only test in this binary, and no other thread has started yet.
    unsafe { std::env::set_var("DSIP_TEST_SECRET", &secret) };
    let pg = common::playground();
    let code = r#"fn main() {
    println!("compile time: {:?}", option_env!("DSIP_TEST_SECRET"));
    for (k, v) in std::env::vars() { println!("env {k}={v}"); }
    for path in ["/proc/self/environ", "/proc/1/environ"] {
        match std::fs::read(path) {
            Ok(bytes) => println!("{path}: {}", String::from_utf8_lossy(&bytes).replace('\0', " ")),
            Err(e) => println!("{path}: {e}"),
        }
    }
}"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert!(resp.is_success(), "{}", resp.result);
    assert!(
        resp.result.contains("compile time: None"),
        "{}",
        resp.result
    );
    assert!(
        !resp.result.contains(&secret),
        "secret leaked: {}",
        resp.result
    );
    // bwrap sets PWD from --chdir; nothing else may be there.
    let vars: Vec<&str> = resp
        .result
        .lines()
        .filter(|l| l.starts_with("env "))
        .collect();
    assert_eq!(
        vars,
        ["env PWD=/tmp"],
        "environment not empty: {}",
        resp.result
    );
    // The compile step's environment (/proc/1 there is bwrap) is checked through include_str!.
    let code = r#"const E: &str = include_str!("/proc/1/environ");
const S: &str = include_str!("/proc/self/environ");
fn main() { println!("[{}] [{}]", E.replace('\0', " "), S.replace('\0', " ")); }"#;
    let resp = pg.evaluate(common::req(code)).await;
    assert!(
        !resp.result.contains(&secret),
        "secret leaked at compile time: {}",
        resp.result
    );
}

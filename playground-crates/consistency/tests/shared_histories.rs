//! The checker against Jepsen's recorded histories: every verdict in each folder's VERDICTS file
//! must match. The histories live beside the repository (`../shared/histories` from its root);
//! when they are absent the test says so and passes.

use std::path::{Path, PathBuf};

use consistency::{check, parse_file, Verdict};

fn shared() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/histories");
    if root.is_dir() {
        Some(root)
    } else {
        println!(
            "skipping: {} not found (the shared histories sit beside the clone)",
            root.display()
        );
        None
    }
}

#[test]
fn every_shared_history_gets_its_reference_verdict() {
    let Some(root) = shared() else { return };
    let mut checked = 0;
    for folder in ["etcd", "kv"] {
        let verdicts = std::fs::read_to_string(root.join(folder).join("VERDICTS")).unwrap();
        for line in verdicts.lines().filter(|l| !l.trim().is_empty()) {
            let (file, expected) = line.split_once(char::is_whitespace).unwrap();
            let history =
                parse_file(root.join(folder).join(file)).unwrap_or_else(|e| panic!("{e}"));
            let verdict = check(&history);
            let expected_ok = match expected.trim() {
                "linearizable" => true,
                "not-linearizable" => false,
                other => panic!("unknown verdict {other:?} in {folder}/VERDICTS"),
            };
            assert_eq!(
                verdict.is_linearizable(),
                expected_ok,
                "{folder}/{file}: expected {expected}, got {verdict:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} verdicts found");
}

#[test]
fn the_etcd_000_witness_is_a_stale_read_after_an_overwrite() {
    let Some(root) = shared() else { return };
    let history = parse_file(root.join("etcd/etcd_000.log")).unwrap();
    let Verdict::NotLinearizable(w) = check(&history) else {
        panic!("etcd_000 is not linearizable")
    };
    // p11 read 2 at lines 85–86, after p0's write of 1 (lines 74–75) had completed, and every
    // write of 2 had completed before that write of 1 began.
    let last = w.minimal.last().unwrap();
    assert_eq!(last.text, "read → 2");
    assert_eq!((last.invoke.line, last.complete.unwrap().line), (85, 86));
    assert!(w
        .minimal
        .iter()
        .any(|op| op.text == "write 1" && op.invoke.line == 74));
    assert!(w.minimal.iter().all(|op| !op.indeterminate));
    assert_eq!(w.breaks_at.line, 86);
    // Minimal: every op in it is needed.
    assert!(w.minimal.len() <= 8, "{w}");
}

#[test]
fn the_kv_witness_names_the_key_and_the_two_ops() {
    let Some(root) = shared() else { return };
    let history = parse_file(root.join("kv/c01-bad.txt")).unwrap();
    let Verdict::NotLinearizable(w) = check(&history) else {
        panic!("c01-bad is not linearizable")
    };
    assert_eq!(w.key.as_deref(), Some("7"));
    let texts: Vec<&str> = w.minimal.iter().map(|op| op.text.as_str()).collect();
    assert_eq!(
        texts,
        ["append \"7\" \"x 0 3 y\"", "get \"7\" → \"x 0 0 y\""],
        "{w}"
    );
}

#[test]
fn the_embedded_etcd_prefix_is_the_shared_file_s_first_86_lines_and_fails_at_line_86() {
    let prefix = consistency::samples::ETCD_000_PREFIX;
    let history = consistency::parse("etcd_000 prefix", prefix).unwrap();
    let verdict = check(&history);
    assert_eq!(verdict.witness().map(|w| w.breaks_at.line), Some(86));
    let Some(root) = shared() else { return };
    let file = std::fs::read_to_string(root.join("etcd/etcd_000.log")).unwrap();
    let first: Vec<&str> = file.lines().take(86).collect();
    assert_eq!(prefix.lines().collect::<Vec<_>>(), first);
}

#[test]
fn the_lincheck_command_prints_one_line_a_file_and_the_exit_code() {
    let Some(root) = shared() else { return };
    let file = |f: &str| root.join(f).display().to_string();
    let run = |files: &[String]| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = consistency::cli::lincheck(files, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    let good = [file("etcd/etcd_002.log"), file("kv/c01-ok.txt")];
    let (code, out, err) = run(&good);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("{}: linearizable\n{}: linearizable\n", good[0], good[1])
    );
    assert!(err.is_empty());

    let mixed = [file("etcd/etcd_002.log"), file("etcd/etcd_000.log")];
    let (code, out, _) = run(&mixed);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with(&format!("{}: not linearizable: ", mixed[1])));

    let broken = std::env::temp_dir().join("consistency-broken.log");
    std::fs::write(
        &broken,
        "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:sing\t1\n",
    )
    .unwrap();
    let with_error = [mixed[1].clone(), broken.display().to_string()];
    let (code, out, err) = run(&with_error);
    assert_eq!(code, 2);
    assert_eq!(out.lines().count(), 1);
    assert!(err.starts_with(&format!("{}:2: ", with_error[1])), "{err}");
    let _ = std::fs::remove_file(broken);
}

//! Unit and property tests of the linearizability checker on histories we build.

use consistency::generate::{kv_history, register_history, KvWorkload, RegisterWorkload};
use consistency::{check_kv, check_register, parse, History, Outcome, Recorder, RegisterOp};
use proptest::prelude::*;

fn ok_none() -> Outcome<Option<i64>> {
    Outcome::Ok(None)
}

#[test]
fn a_read_of_a_value_never_written_is_not_linearizable() {
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(1));
    h.complete(1, 1, ok_none());
    h.invoke(2, 2, RegisterOp::Read);
    h.complete(3, 2, Outcome::Ok(Some(7)));
    let verdict = check_register(&h.finish());
    let w = verdict.witness().expect("not linearizable");
    assert_eq!(w.minimal.len(), 1, "{w}");
    assert_eq!(w.minimal[0].text, "read → 7");
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value() {
    for seen in [None, Some(1)] {
        let mut h = Recorder::new();
        h.invoke(0, 1, RegisterOp::Write(1));
        h.invoke(1, 2, RegisterOp::Read);
        h.complete(2, 2, Outcome::Ok(seen));
        h.complete(3, 1, ok_none());
        assert!(check_register(&h.finish()).is_linearizable(), "{seen:?}");
    }
}

#[test]
fn real_time_order_binds_a_read_after_a_completed_write() {
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(1));
    h.complete(1, 1, ok_none());
    h.invoke(2, 2, RegisterOp::Read);
    h.complete(3, 2, Outcome::Ok(None)); // stale: the write had returned
    assert!(!check_register(&h.finish()).is_linearizable());
}

#[test]
fn an_info_write_may_or_may_not_have_happened() {
    // Process 1's write of 5 timed out. A later read may see 5 (it happened) ...
    for seen in [Some(5), None] {
        let mut h = Recorder::new();
        h.invoke(0, 1, RegisterOp::Write(5));
        h.complete(1, 1, Outcome::Info);
        h.invoke(2, 2, RegisterOp::Read);
        h.complete(3, 2, Outcome::Ok(seen));
        assert!(check_register(&h.finish()).is_linearizable(), "{seen:?}");
    }
    // ... but once seen, it cannot be un-seen without another write.
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(5));
    h.complete(1, 1, Outcome::Info);
    h.invoke(2, 2, RegisterOp::Read);
    h.complete(3, 2, Outcome::Ok(Some(5)));
    h.invoke(4, 2, RegisterOp::Read);
    h.complete(5, 2, Outcome::Ok(None));
    assert!(!check_register(&h.finish()).is_linearizable());
}

#[test]
fn an_info_write_takes_effect_no_earlier_than_its_invoke() {
    let mut h = Recorder::new();
    h.invoke(0, 2, RegisterOp::Read);
    h.complete(1, 2, Outcome::Ok(Some(5)));
    h.invoke(2, 1, RegisterOp::Write(5)); // invoked after the read returned
    h.complete(3, 1, Outcome::Info);
    assert!(!check_register(&h.finish()).is_linearizable());
}

#[test]
fn a_failed_cas_changed_nothing() {
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(1));
    h.complete(1, 1, ok_none());
    h.invoke(2, 1, RegisterOp::Cas { from: 1, to: 2 });
    h.complete(3, 1, Outcome::Fail);
    h.invoke(4, 2, RegisterOp::Read);
    h.complete(5, 2, Outcome::Ok(Some(1)));
    assert!(check_register(&h.finish()).is_linearizable());
}

#[test]
fn a_successful_cas_must_have_seen_its_expected_value() {
    let mut h = Recorder::new();
    h.invoke(0, 1, RegisterOp::Write(1));
    h.complete(1, 1, ok_none());
    h.invoke(2, 1, RegisterOp::Cas { from: 3, to: 4 });
    h.complete(3, 1, ok_none());
    assert!(!check_register(&h.finish()).is_linearizable());
}

#[test]
fn kv_keys_are_checked_apart_and_the_bad_key_is_named() {
    let text = r#"{:process 0, :type :invoke, :f :put, :key "a", :value "1"}
{:process 0, :type :ok, :f :put, :key "a", :value "1"}
{:process 1, :type :invoke, :f :get, :key "b", :value nil}
{:process 1, :type :ok, :f :get, :key "b", :value ""}
{:process 1, :type :invoke, :f :get, :key "a", :value nil}
{:process 1, :type :ok, :f :get, :key "a", :value ""}
"#;
    let History::Kv(ops) = parse("t.txt", text).unwrap() else {
        panic!("kv")
    };
    let verdict = check_kv(&ops);
    let w = verdict.witness().expect("stale get of a");
    assert_eq!(w.key.as_deref(), Some("a"));
    assert_eq!(w.minimal.len(), 2, "{w}");
    assert!(w.to_string().starts_with("key \"a\": these 2 op(s)"));
}

#[test]
fn parse_errors_name_file_line_and_fix() {
    let e = parse("x.log", "INFO  jepsen.util - 0\t:invoke\t:write\tfoo\n").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("x.log", 1));
    assert!(
        e.to_string()
            .starts_with("x.log:1: :write value `foo` is not an integer"),
        "{e}"
    );

    let e = parse(
        "y.log",
        "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n",
    )
    .unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("still open"), "{e}");

    let e = parse(
        "k.txt",
        "{:process 0, :type :invoke, :f :put, :key \"a\"}\n",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("k.txt:1: :put needs a string :value"),
        "{e}"
    );

    let e = parse("z.txt", "hello\n").unwrap_err();
    assert!(e.message.contains("cannot tell the format"), "{e}");

    let e = consistency::parse_file("/nonexistent/history.log").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/history.log: cannot read"),
        "{e}"
    );
}

#[test]
fn an_invoke_left_open_at_the_end_is_indeterminate() {
    let text = "INFO  jepsen.util - 0\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t3\n";
    let History::Register(ops) = parse("open.log", text).unwrap() else {
        panic!("register")
    };
    assert!(ops[0].is_indeterminate());
    assert!(check_register(&ops).is_linearizable());
}

#[test]
fn a_large_generated_kv_history_checks_and_a_stale_one_fails() {
    let w = KvWorkload {
        clients: 10,
        operations: 1_000,
        keys: 10,
        seed: 3,
        stale_reads: false,
    };
    assert!(check_kv(&kv_history(&w)).is_linearizable());
    let stale = KvWorkload {
        stale_reads: true,
        ..w
    };
    assert!(!check_kv(&kv_history(&stale)).is_linearizable());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Linearizable by construction (each op takes effect inside its interval), so the checker
    /// must agree, whatever the seed, concurrency and share of lost operations.
    #[test]
    fn generated_register_histories_are_linearizable(
        seed in any::<u64>(), clients in 1u64..6, ops in 1usize..120, lost in 0u64..30,
    ) {
        let h = register_history(&RegisterWorkload {
            clients, operations: ops, values: 4, lost_percent: lost, seed,
        });
        prop_assert!(check_register(&h).is_linearizable());
    }

    /// A sequential history (one client) is linearizable exactly when replaying it on one
    /// register gives every answer it holds; we corrupt one read and expect a no, with the
    /// corrupted read in the witness.
    #[test]
    fn a_sequential_history_with_one_wrong_read_is_not(
        seed in any::<u64>(), ops in 2usize..40, which in any::<prop::sample::Index>(),
    ) {
        let mut h = register_history(&RegisterWorkload {
            clients: 1, operations: ops, values: 3, lost_percent: 0, seed,
        });
        let reads: Vec<usize> = h.iter().enumerate()
            .filter(|(_, op)| op.input == RegisterOp::Read).map(|(i, _)| i).collect();
        prop_assume!(!reads.is_empty());
        let i = reads[which.index(reads.len())];
        prop_assert!(check_register(&h).is_linearizable());
        h[i].outcome = Outcome::Ok(Some(99)); // a value no one wrote
        let verdict = check_register(&h);
        let w = verdict.witness().expect("a read of 99 cannot be explained");
        prop_assert!(w.minimal.iter().any(|op| op.id == h[i].id));
    }

    #[test]
    fn generated_kv_histories_are_linearizable(seed in any::<u64>(), clients in 1u64..8, keys in 1u64..4) {
        let h = kv_history(&KvWorkload { clients, operations: 150, keys, seed, stale_reads: false });
        prop_assert!(check_kv(&h).is_linearizable());
    }
}

#[test]
fn etcd_lines_with_extra_fields_after_the_value_parse() {
    // Porcupine's larger etcd logs add `:hint N` after the value, with spaces and tabs mixed.
    let text = "INFO  jepsen.util - 6 \t:invoke :write \t38 \t:hint 0\n\
                INFO  jepsen.util - 4 \t:invoke :read \tnil \t:hint 0\n\
                INFO  jepsen.util - 6 \t:ok :write \t38 \t:hint 2\n\
                INFO  jepsen.util - 4 \t:ok :read \t38 \t:hint 2\n\
                INFO  jepsen.util - 1 \t:invoke :cas \t[38 5] \t:hint 0\n\
                INFO  jepsen.util - 1 \t:ok :cas \t[38 5] \t:hint 3\n";
    let History::Register(ops) = parse("hint.log", text).unwrap() else {
        panic!("register")
    };
    assert_eq!(ops[0].input, RegisterOp::Write(38));
    assert_eq!(ops[1].outcome, Outcome::Ok(Some(38)));
    assert_eq!(ops[2].input, RegisterOp::Cas { from: 38, to: 5 });
    assert!(check_register(&ops).is_linearizable());
}

//! The lifecycle, the stores, the outbox and the reaper, without the server.

use idempotency::*;
use proptest::prelude::*;

fn params(amount: u64) -> ChargeParams {
    ChargeParams::new(amount, "usd", "cus_t")
}

#[test]
fn a_crash_at_each_step_then_a_retry_charges_once_with_the_lifecycle() {
    for step in Step::ALL {
        let mut service = in_memory();
        let first = service.post_crashing_at(Some("k"), &params(500), Some(step));
        assert_eq!(first, Outcome::Crashed(step));
        service.restart();
        let retry = service.post(Some("k"), &params(500));
        assert_eq!(retry.status, 200, "{step:?}");
        assert_eq!(service.network_charges(), 1, "{step:?}");
        assert_eq!(service.store.charges().unwrap().len(), 1);
    }
}

#[test]
fn without_the_lifecycle_the_hard_crash_charges_twice() {
    for design in [Design::NoKeys, Design::ResponseCache] {
        let mut service = Payments::new(MemoryStore::new(), MemoryNetwork::new(), design);
        service.post_crashing_at(Some("k"), &params(500), Some(Step::AfterNetworkCall));
        service.restart();
        service.post(Some("k"), &params(500));
        assert_eq!(service.network_charges(), 2, "{design:?}");
    }
}

#[test]
fn the_sqlite_store_survives_reopening_mid_charge() {
    let dir = std::env::temp_dir().join(format!("idem-core-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    {
        let store = SqliteStore::open(&dir.join("p.db")).unwrap();
        let network = SqliteNetwork::open(&dir.join("n.db")).unwrap();
        let mut service = Payments::new(store, network, Design::Lifecycle);
        let out = service.post_crashing_at(Some("k"), &params(800), Some(Step::AfterNetworkCall));
        assert_eq!(out, Outcome::Crashed(Step::AfterNetworkCall));
    }
    let store = SqliteStore::open(&dir.join("p.db")).unwrap();
    let network = SqliteNetwork::open(&dir.join("n.db")).unwrap();
    let mut service = Payments::new(store, network, Design::Lifecycle);
    service.restart();
    assert_eq!(service.post(Some("k"), &params(800)).status, 200);
    assert_eq!(service.network_charges(), 1);
}

#[test]
fn keys_are_kept_24_hours_then_reaped() {
    let mut service = in_memory();
    service.post(Some("k"), &params(100));
    service.advance(KEY_TTL_MS - 1);
    assert_eq!(service.store.reap(service.now()).unwrap(), 0);
    assert!(service.post(Some("k"), &params(100)).replayed);
    service.advance(1);
    assert_eq!(service.store.reap(service.now()).unwrap(), 1);
    // A key reused after pruning is a new request, as Stripe documents.
    assert!(!service.post(Some("k"), &params(100)).replayed);
    assert_eq!(service.network_charges(), 2);
}

#[test]
fn a_relay_that_dies_before_marking_redelivers_and_the_consumer_applies_once() {
    let mut service = in_memory();
    service.post(Some("a"), &params(100));
    service.post(Some("b"), &params(250));
    let mut ledger = MemoryLedger::new();
    // Committed but not yet published: the relay dies after delivering, before marking.
    let pass = relay_once(&mut service.store, &mut ledger, 10, true).unwrap();
    assert_eq!((pass.delivered, pass.applied, pass.marked), (2, 2, 0));
    let pass = relay_once(&mut service.store, &mut ledger, 10, false).unwrap();
    assert_eq!((pass.delivered, pass.applied, pass.marked), (2, 0, 2));
    assert_eq!(ledger.duplicates, 2);
    assert_eq!(ledger.totals["cus_t"], 350);
    assert_eq!(
        relay_once(&mut service.store, &mut ledger, 10, false)
            .unwrap()
            .delivered,
        0
    );
    // Without dedup the redelivery is applied twice: the failure the event id prevents.
    let mut naive = MemoryLedger::default();
    let mut other = in_memory();
    other.post(Some("a"), &params(100));
    relay_once(&mut other.store, &mut naive, 10, true).unwrap();
    relay_once(&mut other.store, &mut naive, 10, false).unwrap();
    assert_eq!(naive.totals["cus_t"], 200);
}

#[test]
fn a_crash_between_commit_and_publish_loses_no_event_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("idem-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    {
        let mut service = Payments::new(
            SqliteStore::open(&dir.join("p.db")).unwrap(),
            MemoryNetwork::new(),
            Design::Lifecycle,
        );
        service.post(Some("x"), &params(42));
        // Process dies here: the event is committed with the charge, never published.
    }
    let mut store = SqliteStore::open(&dir.join("p.db")).unwrap();
    let mut ledger = SqliteLedger::open(&dir.join("l.db")).unwrap();
    relay_once(&mut store, &mut ledger, 10, true).unwrap();
    drop(ledger);
    let mut ledger = SqliteLedger::open(&dir.join("l.db")).unwrap();
    relay_once(&mut store, &mut ledger, 10, false).unwrap();
    assert_eq!(ledger.summary().unwrap(), (1, 1, 42));
}

#[test]
fn the_widget_timeline_counts_what_the_designs_do() {
    let hard = Fault::Crash(Step::AfterNetworkCall);
    let run = |keys, atomic, retries, fault| {
        timeline::run(Scenario {
            keys,
            atomic,
            retries,
            fault,
        })
    };
    assert_eq!(run(true, true, true, hard).charges, 1);
    assert_eq!(run(true, true, true, hard).failed_corner, None);
    assert_eq!(run(false, true, true, hard).charges, 2);
    assert_eq!(
        run(false, true, true, hard).failed_corner,
        Some("deduplication")
    );
    assert_eq!(
        run(true, false, true, hard).failed_corner,
        Some("atomic-recording")
    );
    assert_eq!(
        run(true, true, false, Fault::Lose(Arrow::Request)).failed_corner,
        Some("retry")
    );
    assert_eq!(
        run(true, false, true, Fault::Lose(Arrow::NetworkReply)).charges,
        2
    );
    assert_eq!(
        run(true, true, true, Fault::Lose(Arrow::NetworkReply)).charges,
        1
    );
    assert_eq!(
        run(false, false, true, Fault::Lose(Arrow::Response)).charges,
        2
    );
}

proptest! {
    /// Whatever the record holds, other parameters are refused and a finished key replays.
    #[test]
    fn admit_never_runs_a_key_twice(
        finished in any::<bool>(), same in any::<bool>(), locked_by_me in any::<bool>(),
        age in 0u64..200_000,
    ) {
        let record = KeyRecord {
            id: 1, key: Some("k".into()), fingerprint: "f".into(),
            point: if finished { RecoveryPoint::Finished(Reply { status: 200, body: "{}".into(), replayed: false }) } else { RecoveryPoint::Started },
            locked_by: Some(if locked_by_me { 7 } else { 3 }), locked_at: 1_000, created_at: 1_000,
        };
        let fp = if same { "f" } else { "g" };
        let decision = admit(Some(&record), fp, 7, 1_000 + age);
        if !same {
            prop_assert!(matches!(decision, Admission::Refuse(ref e) if e.status == 400));
        } else if finished {
            prop_assert!(matches!(decision, Admission::Replay(ref r) if r.replayed));
        } else if locked_by_me && age < LOCK_TIMEOUT_MS {
            prop_assert!(matches!(decision, Admission::Refuse(ref e) if e.status == 409));
        } else {
            prop_assert_eq!(decision, Admission::Resume);
        }
    }

    /// Any sequence of crashes and retries of one key ends with at most one network charge.
    #[test]
    fn crashes_and_retries_never_charge_twice(crashes in proptest::collection::vec(0usize..4, 0..8)) {
        let mut service = in_memory();
        for c in crashes {
            let step = Step::ALL.get(c).copied();
            if let Outcome::Crashed(_) = service.post_crashing_at(Some("k"), &params(10), step) {
                service.restart();
            }
        }
        service.post(Some("k"), &params(10));
        prop_assert_eq!(service.network_charges(), 1);
    }
}

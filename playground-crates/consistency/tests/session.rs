//! The session-guarantee checkers on small hand-made sessions.

use consistency::session::*;

fn w(client: usize, invoke: u64, complete: u64, version: u64) -> Observation {
    Observation {
        client,
        invoke,
        complete: Some(complete),
        what: Observed::Wrote {
            version: Some(version),
        },
    }
}

fn r(client: usize, invoke: u64, complete: u64, version: u64) -> Observation {
    Observation {
        client,
        invoke,
        complete: Some(complete),
        what: Observed::Read { version },
    }
}

#[test]
fn a_client_that_misses_its_own_write_is_named() {
    // Client 1 writes v1, then reads v0 from a lagging replica; client 2 reading v0 is fine
    // for read-your-writes (not its write) but still a stale read.
    let obs = [w(1, 0, 10, 1), r(1, 20, 21, 0), r(2, 20, 21, 0)];
    let ryw = read_your_writes(&obs);
    assert_eq!(ryw.len(), 1);
    assert_eq!((ryw[0].client, ryw[0].read, ryw[0].saw), (1, 1, 0));
    assert_eq!(
        ryw[0].to_string(),
        "client 1 saw a lost own write: read #1 returned v0, but had a right to v1 or later"
    );
    let stale = stale_reads(&obs);
    assert_eq!(stale.iter().map(|a| a.client).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn going_back_in_time_breaks_monotonic_reads_only_within_a_client() {
    let obs = [
        w(0, 0, 5, 1),
        w(0, 6, 9, 2),
        r(1, 10, 11, 2),
        r(1, 12, 13, 1), // back from v2 to v1
        r(2, 12, 13, 1), // another client: not a monotonic-reads violation
    ];
    let mono = monotonic_reads(&obs);
    assert_eq!(mono.len(), 1);
    assert_eq!(
        (mono[0].client, mono[0].saw, mono[0].expected_at_least),
        (1, 1, 2)
    );
}

#[test]
fn staleness_bounds_in_versions_and_ms() {
    // v1 acked at 10 ms, v2 at 20 ms, v3 at 30 ms (times in µs); a read at 100 ms returning v1
    // is 2 versions behind and has been outdated since 20 ms (80 ms).
    let ms = 1000;
    let obs = [
        w(0, 0, 10 * ms, 1),
        w(0, 11 * ms, 20 * ms, 2),
        w(0, 21 * ms, 30 * ms, 3),
        r(1, 100 * ms, 101 * ms, 1),
    ];
    assert!(bounded_staleness(&obs, Bound::Versions(2)).is_empty());
    assert_eq!(bounded_staleness(&obs, Bound::Versions(1)).len(), 1);
    assert!(bounded_staleness(&obs, Bound::Millis(80)).is_empty());
    let too = bounded_staleness(&obs, Bound::Millis(79));
    assert_eq!(too[0].stale_ms, Some(80));
}

#[test]
fn reads_concurrent_with_a_write_are_not_anomalies() {
    // The write completes after the read began: missing it is allowed by every guarantee.
    let obs = [w(1, 0, 30, 1), r(1, 10, 20, 0)];
    assert!(dial_anomalies(&obs).is_empty());
}

#[test]
fn the_pacelc_grid_keeps_abadis_classifications_and_labels_ours() {
    use consistency::pacelc::{cell, Source, GRID};
    let find = |name: &str| GRID.iter().find(|c| c.system.starts_with(name)).unwrap();
    assert_eq!(find("PNUTS").label(), "PC/EL");
    assert_eq!(find("MongoDB").label(), "PA/EC");
    assert_eq!(find("Cassandra").label(), "PA/EL");
    assert_eq!(find("Spanner").source, Source::Ours);
    assert_eq!(find("Dynamo (").source, Source::Abadi2012);
    // Every cell of the grid has at least one system in it.
    for label in ["PA/EL", "PA/EC", "PC/EL", "PC/EC"] {
        assert!(cell(label).next().is_some(), "{label}");
    }
}

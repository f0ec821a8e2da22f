//! Findings import past one statement's worth of rows, on every backend: new rows go out in
//! several INSERTs, unchanged rows only get `last_seen`, a repeat of a row written earlier
//! in the same import updates it, and nothing is ever added twice.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, TimeZone as _, Utc};
use redress_store::{ImportRequest, Store, testing::all_backends};
use redress_types::{FindingQuery, FindingSort, ImportSummary};

/// More than one INSERT (800 rows) and one `last_seen` UPDATE (4,000 rows) hold.
const N: usize = 4_500;

fn record(i: usize, severity: &str) -> serde_json::Value {
    let account = format!("{:012}", 111_122_223_300u64 + (i % 3) as u64);
    serde_json::json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:eu-west-1:{account}:finding/{i}"),
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.14",
        "AwsAccountId": account,
        "Region": "eu-west-1",
        "Title": "S3.14 failed",
        "Severity": {"Label": severity},
        "Compliance": {"Status": if i.is_multiple_of(5) { "PASSED" } else { "FAILED" }, "SecurityControlId": "S3.14"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{i}")}]
    })
}

fn file(records: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "Findings": records })).unwrap()
}

async fn import(store: &Store, bytes: Vec<u8>, full: bool) -> ImportSummary {
    let mut request = ImportRequest::new("many.json");
    request.full = full;
    store
        .import_findings(std::io::Cursor::new(bytes), request)
        .await
        .unwrap()
}

fn counts(s: &ImportSummary) -> [u64; 4] {
    [s.new, s.updated, s.closed, s.unchanged]
}

/// A store whose clock reads `seconds` past 2026-01-01.
fn at(store: &Store, seconds: &Arc<AtomicI64>) -> Store {
    let seconds = Arc::clone(seconds);
    store.clone().with_clock(Arc::new(move || {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
            + chrono::Duration::seconds(seconds.load(Ordering::SeqCst))
    }))
}

/// The `last_seen` of the least recently seen findings (the last page, newest first).
async fn least_recently_seen(store: &Store) -> Vec<DateTime<Utc>> {
    let page = store
        .list_findings(&FindingQuery {
            sort: FindingSort::LastSeen,
            per_page: 100,
            page: (N as u64).div_ceil(100),
            ..FindingQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, N as u64);
    assert!(!page.items.is_empty());
    page.items.iter().map(|r| r.last_seen).collect()
}

async fn with_severity(store: &Store, severity: &str) -> u64 {
    store
        .list_findings(&FindingQuery {
            severity: Some(severity.into()),
            ..FindingQuery::default()
        })
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn thousands_of_findings_are_written_in_batches_and_reimported_without_new_rows() {
    for db in all_backends().await.unwrap() {
        let clock = Arc::new(AtomicI64::new(0));
        let store = at(&db.store, &clock);
        let first: Vec<_> = (0..N).map(|i| record(i, "HIGH")).collect();
        let summary = import(&store, file(first.clone()), false).await;
        assert_eq!(counts(&summary), [N as u64, 0, 0, 0], "{}", db.backend);

        // Again, a minute later: one severity changed, and finding 7 repeated at the end
        // with another (the last one read wins). Nothing is added.
        clock.store(60, Ordering::SeqCst);
        let mut second = first.clone();
        second[3]["Severity"]["Label"] = "LOW".into();
        second.push(record(7, "CRITICAL"));
        let summary = import(&store, file(second), false).await;
        assert_eq!(
            counts(&summary),
            [0, 2, 0, N as u64 - 1],
            "{}: finding 7 counts as unchanged once, then as updated",
            db.backend
        );
        let minute = Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).unwrap();
        assert!(
            least_recently_seen(&store)
                .await
                .iter()
                .all(|t| *t == minute),
            "{}: every finding was seen by the second import",
            db.backend
        );
        assert_eq!(with_severity(&store, "low").await, 1, "{}", db.backend);
        assert_eq!(with_severity(&store, "critical").await, 1, "{}", db.backend);

        // A repeat within one file of a finding new to the database, past the first
        // INSERT: the row written earlier in the import is updated, not added again.
        clock.store(120, Ordering::SeqCst);
        let mut third: Vec<_> = (N..N + 900).map(|i| record(i, "HIGH")).collect();
        third.push(record(N, "MEDIUM"));
        let summary = import(&store, file(third), false).await;
        assert_eq!(counts(&summary), [900, 1, 0, 0], "{}", db.backend);
        assert_eq!(with_severity(&store, "medium").await, 1, "{}", db.backend);

        // A full import of the first file closes exactly the 900 newer open findings of
        // the same sources, and touches the others.
        clock.store(180, Ordering::SeqCst);
        let summary = import(&store, file(first), true).await;
        let open_new = (N..N + 900).filter(|i| !i.is_multiple_of(5)).count() as u64;
        assert_eq!(summary.new, 0);
        assert_eq!(summary.closed, open_new, "{}", db.backend);
        assert_eq!(
            summary.updated, 2,
            "{}: findings 3 and 7 are HIGH again",
            db.backend
        );
    }
}

//! Migration m0004 (the leaner findings indexes) on a database that already holds findings,
//! on every backend: the findings, their raw records and content hashes are carried over,
//! the old indexes are gone and the new ones exist, and imports and the lists work after.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use redress_store::{
    ImportRequest, Store,
    testing::{all_backends_unmigrated, index_names, migrate_first},
};
use redress_types::{FindingQuery, FindingSort, ImportSummary};

/// `n` ASFF findings of one account and region, `closed` of them PASSED.
fn asff(n: usize, closed: usize) -> Vec<u8> {
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let status = if i < closed { "PASSED" } else { "FAILED" };
            let severity = ["HIGH", "LOW", "CRITICAL"][i % 3];
            serde_json::json!({
                "SchemaVersion": "2018-10-08",
                "Id": format!("finding-{i}"),
                "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "GeneratorId": "security-control/S3.14",
                "AwsAccountId": "111122223333",
                "Region": "eu-west-1",
                "Title": format!("S3.14 failed for bucket {i}"),
                "Description": "A control failed.",
                "Severity": {"Label": severity},
                "Compliance": {"Status": status, "SecurityControlId": "S3.14"},
                "Workflow": {"Status": "NEW"},
                "RecordState": "ACTIVE",
                "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{i}"), "Region": "eu-west-1"}],
                "CreatedAt": "2026-01-01T00:00:00Z",
                "UpdatedAt": "2026-01-02T00:00:00Z"
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Findings": records })).unwrap()
}

async fn import(store: &Store, bytes: Vec<u8>, full: bool) -> ImportSummary {
    let mut request = ImportRequest::new("findings.json");
    request.full = full;
    store
        .import_findings(std::io::Cursor::new(bytes), request)
        .await
        .unwrap()
}

/// Every row of the list in `sort` order: (id, title, severity, status).
async fn listing(store: &Store, sort: FindingSort) -> Vec<(i64, String, String, String)> {
    let query = FindingQuery {
        sort,
        per_page: 200,
        ..FindingQuery::default()
    };
    let page = store.list_findings(&query).await.unwrap();
    page.items
        .into_iter()
        .map(|r| (r.id, r.title, r.severity, r.status))
        .collect()
}

/// The indexes of `findings` after m0004, by name.
const M0004_INDEXES: [&str; 7] = [
    "idx_findings_correlation",
    "idx_findings_first_seen",
    "idx_findings_last_seen",
    "idx_findings_list",
    "idx_findings_rule",
    "idx_findings_title",
    "ux_findings_source_fingerprint",
];

#[tokio::test]
async fn m0004_keeps_the_findings_of_an_existing_database_and_swaps_the_indexes() {
    for db in all_backends_unmigrated().await.unwrap() {
        let store = &db.store;
        // The schema as it was before m0004, with findings in it.
        migrate_first(store, 3).await.unwrap();
        let before_indexes = index_names(store, "findings").await.unwrap();
        assert!(
            before_indexes.contains(&"idx_findings_account".to_owned()),
            "{}: {before_indexes:?}",
            db.backend
        );
        let first = import(store, asff(30, 5), false).await;
        assert_eq!((first.new, first.closed), (30, 0), "{}", db.backend);
        let mut before = Vec::new();
        for sort in FindingSort::ALL {
            before.push(listing(store, sort).await);
        }
        let detail_before = store.finding_detail(before[0][0].0).await.unwrap();

        store.migrate().await.unwrap();

        let indexes = index_names(store, "findings").await.unwrap();
        assert_eq!(indexes, M0004_INDEXES, "{}", db.backend);
        for (sort, rows) in FindingSort::ALL.into_iter().zip(&before) {
            assert_eq!(
                &listing(store, sort).await,
                rows,
                "{}: {sort:?}",
                db.backend
            );
        }
        let detail = store.finding_detail(detail_before.row.id).await.unwrap();
        assert_eq!(detail, detail_before, "{}", db.backend);
        assert!(detail.raw.contains("\"finding-"), "{}", detail.raw);

        // The stored content hashes still decide: the same file again changes nothing.
        let again = import(store, asff(30, 5), false).await;
        assert_eq!(
            (again.new, again.updated, again.unchanged),
            (0, 0, 30),
            "{}",
            db.backend
        );
        // A full import of the first 20 closes the 10 open ones it lacks, through the new
        // schema (the closing no longer has its own index).
        let full = import(store, asff(20, 5), true).await;
        assert_eq!((full.new, full.closed), (0, 10), "{}", db.backend);
        let open = store
            .list_findings(&FindingQuery {
                status: Some("open".into()),
                ..FindingQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(open.total, 15, "{}", db.backend);
    }
}

#[tokio::test]
async fn a_new_database_has_exactly_the_m0004_findings_indexes() {
    for db in redress_store::testing::all_backends().await.unwrap() {
        let indexes = index_names(&db.store, "findings").await.unwrap();
        assert_eq!(indexes, M0004_INDEXES, "{}", db.backend);
    }
}

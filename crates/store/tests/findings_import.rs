//! Findings import on every backend: atomicity, dedupe, closing, statuses, correlation,
//! and the lists the pages read.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use redress_ingest::Format;
use redress_store::{ImportRequest, Store, StoreError, testing::all_backends};
use redress_types::{FindingQuery, FindingSort, ImportSummary};

/// One ASFF finding: id, Security Hub control, resource ARN, account, region, compliance status.
struct Hub<'a> {
    id: &'a str,
    control: &'a str,
    arn: &'a str,
    account: &'a str,
    region: &'a str,
    compliance: &'a str,
}

fn hub<'a>(id: &'a str, control: &'a str, arn: &'a str) -> Hub<'a> {
    Hub {
        id,
        control,
        arn,
        account: "111122223333",
        region: "eu-west-1",
        compliance: "FAILED",
    }
}

fn asff(findings: &[Hub<'_>]) -> Vec<u8> {
    let records: Vec<serde_json::Value> = findings
        .iter()
        .map(|h| {
            serde_json::json!({
                "SchemaVersion": "2018-10-08",
                "Id": h.id,
                "ProductArn": format!("arn:aws:securityhub:{}::product/aws/securityhub", h.region),
                "GeneratorId": format!("security-control/{}", h.control),
                "AwsAccountId": h.account,
                "Region": h.region,
                "Title": format!("{} failed", h.control),
                "Description": "A control failed.",
                "Severity": {"Label": "HIGH"},
                "Compliance": {"Status": h.compliance, "SecurityControlId": h.control},
                "Workflow": {"Status": "NEW"},
                "RecordState": "ACTIVE",
                "Resources": [{"Type": "AwsS3Bucket", "Id": h.arn, "Region": h.region}],
                "CreatedAt": "2026-01-01T00:00:00Z",
                "UpdatedAt": "2026-01-02T00:00:00Z"
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Findings": records })).unwrap()
}

async fn import(store: &Store, bytes: Vec<u8>, full: bool) -> Result<ImportSummary, StoreError> {
    let mut request = ImportRequest::new("findings.json");
    request.full = full;
    store
        .import_findings(std::io::Cursor::new(bytes), request)
        .await
}

async fn count(store: &Store, status: Option<&str>) -> u64 {
    let query = FindingQuery {
        status: status.map(str::to_owned),
        ..FindingQuery::default()
    };
    store.list_findings(&query).await.unwrap().total
}

fn counts(s: &ImportSummary) -> [u64; 5] {
    [s.new, s.updated, s.closed, s.unchanged, s.skipped]
}

#[tokio::test]
async fn a_bad_record_in_the_middle_writes_nothing_and_is_recorded_as_failed() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let mut doc: serde_json::Value = serde_json::from_slice(&asff(&[
            hub("f-1", "S3.14", "arn:aws:s3:::a"),
            hub("f-2", "S3.14", "arn:aws:s3:::b"),
            hub("f-3", "S3.14", "arn:aws:s3:::c"),
        ]))
        .unwrap();
        doc["Findings"][1]["Resources"] = serde_json::json!("not a list");
        let err = import(store, serde_json::to_vec(&doc).unwrap(), false)
            .await
            .unwrap_err();
        let StoreError::Import { import_id, message } = &err else {
            panic!("{}: {err:?}", db.backend)
        };
        assert!(
            message.contains("asff")
                && message.contains("record 2")
                && message.contains("Resources"),
            "{message}"
        );
        assert_eq!(
            count(store, None).await,
            0,
            "{}: nothing written",
            db.backend
        );
        let history = store.list_imports(1, 20).await.unwrap();
        assert_eq!(history.total, 1);
        let failed = &history.items[0];
        assert_eq!(Some(failed.id), *import_id);
        assert_eq!(failed.status, "failed");
        assert_eq!(failed.error.as_deref(), Some(message.as_str()));
        assert_eq!(failed.new, 0);
    }
}

#[tokio::test]
async fn a_very_long_title_and_rule_id_are_stored_cut_and_kept_whole_in_the_raw_record() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        // Both end up in index keys: PostgreSQL refuses a B-tree entry over ~2.7 KB (after
        // compression, so the text must not repeat itself).
        let mut seed: u64 = 7;
        let control: String = (0..5_000)
            .map(|n| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let pick = (seed >> 33) as usize % 62;
                if n % 7 == 0 {
                    'Ä'
                } else {
                    char::from(
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[pick],
                    )
                }
            })
            .collect();
        let arn = "arn:aws:s3:::long";
        let summary = import(store, asff(&[hub("long", &control, arn)]), false)
            .await
            .unwrap();
        assert_eq!(counts(&summary), [1, 0, 0, 0, 0], "{}", db.backend);
        let page = store.list_findings(&FindingQuery::default()).await.unwrap();
        let row = &page.items[0];
        for (field, text) in [("title", &row.title), ("rule_id", &row.rule_id)] {
            assert!(
                text.len() <= 1024,
                "{}: {field} is {} bytes",
                db.backend,
                text.len()
            );
            assert!(text.ends_with('…'), "{field}: {text}");
            assert!(text.contains(&control[..200]), "{field}: {text}");
        }
        let detail = store.finding_detail(row.id).await.unwrap();
        assert!(
            detail.raw.contains(&control),
            "{}: raw record cut",
            db.backend
        );
        // The same file again changes nothing: the cut is the same every time.
        let again = import(store, asff(&[hub("long", &control, arn)]), false)
            .await
            .unwrap();
        assert_eq!(counts(&again), [0, 0, 0, 1, 0], "{}", db.backend);
    }
}

#[tokio::test]
async fn a_file_in_no_known_format_fails_naming_the_formats_tried() {
    for db in all_backends().await.unwrap() {
        let err = import(&db.store, b"{\"hello\": 1}".to_vec(), false)
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("tried") && message.contains("asff") && message.contains("sarif"),
            "{message}"
        );
        assert_eq!(count(&db.store, None).await, 0);
    }
}

#[tokio::test]
async fn repeats_within_a_file_and_across_imports_update_instead_of_adding() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let file = asff(&[
            hub("f-1", "S3.14", "arn:aws:s3:::a"),
            hub("f-2", "S3.9", "arn:aws:s3:::a"),
            hub("f-1", "S3.14", "arn:aws:s3:::a"),
        ]);
        let first = import(store, file.clone(), false).await.unwrap();
        assert_eq!(counts(&first), [2, 0, 0, 1, 0], "{}", db.backend);
        assert_eq!(count(store, None).await, 2);

        let before = store
            .list_findings(&FindingQuery::default())
            .await
            .unwrap()
            .items;
        let second = import(store, file, false).await.unwrap();
        assert_eq!(counts(&second), [0, 0, 0, 3, 0], "{}", db.backend);
        assert_eq!(count(store, None).await, 2, "no row added");
        let after = store
            .list_findings(&FindingQuery::default())
            .await
            .unwrap()
            .items;
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.id, a.id);
            assert_eq!(b.first_seen, a.first_seen);
            assert!(a.last_seen >= b.last_seen);
        }

        // A changed title is an update of the same row.
        let mut changed: serde_json::Value =
            serde_json::from_slice(&asff(&[hub("f-1", "S3.14", "arn:aws:s3:::a")])).unwrap();
        changed["Findings"][0]["Title"] = "New title".into();
        let third = import(store, serde_json::to_vec(&changed).unwrap(), false)
            .await
            .unwrap();
        assert_eq!(counts(&third), [0, 1, 0, 0, 0]);
        assert_eq!(count(store, None).await, 2);
        let page = store
            .list_findings(&FindingQuery {
                sort: FindingSort::Title,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(page.items.iter().any(|r| r.title == "New title"));
    }
}

#[tokio::test]
async fn full_imports_close_absent_findings_only_in_their_own_scope() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let other_region = Hub {
            region: "us-east-1",
            ..hub("f-3", "S3.14", "arn:aws:s3:::c")
        };
        let other_account = Hub {
            account: "999988887777",
            ..hub("f-4", "S3.14", "arn:aws:s3:::d")
        };
        let first = import(
            store,
            asff(&[
                hub("f-1", "S3.14", "arn:aws:s3:::a"),
                hub("f-2", "S3.14", "arn:aws:s3:::b"),
                other_region,
                other_account,
            ]),
            false,
        )
        .await
        .unwrap();
        assert_eq!(first.new, 4);

        // A partial import never closes anything.
        let partial = import(store, asff(&[hub("f-1", "S3.14", "arn:aws:s3:::a")]), false)
            .await
            .unwrap();
        assert_eq!(partial.closed, 0);
        assert_eq!(count(store, Some("open")).await, 4);

        // A full import of 111122223333/eu-west-1 without f-2 closes f-2 only.
        let full = import(store, asff(&[hub("f-1", "S3.14", "arn:aws:s3:::a")]), true)
            .await
            .unwrap();
        assert_eq!(counts(&full), [0, 0, 1, 1, 0], "{}", db.backend);
        assert_eq!(count(store, Some("open")).await, 3);
        let closed = store
            .list_findings(&FindingQuery {
                status: Some("closed".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(closed.total, 1);
        assert_eq!(closed.items[0].resource.as_deref(), Some("arn:aws:s3:::b"));
        let detail = store.finding_detail(closed.items[0].id).await.unwrap();
        assert!(detail.closed_at.is_some());
        assert!(
            detail
                .status_reason
                .unwrap_or_default()
                .contains("absent from full import")
        );

        // Seen again open: reopened, counted as updated, closed_at cleared.
        let again = import(store, asff(&[hub("f-2", "S3.14", "arn:aws:s3:::b")]), false)
            .await
            .unwrap();
        assert_eq!(counts(&again), [0, 1, 0, 0, 0]);
        assert_eq!(count(store, Some("open")).await, 4);
        assert!(
            store
                .finding_detail(closed.items[0].id)
                .await
                .unwrap()
                .closed_at
                .is_none()
        );
    }
}

#[tokio::test]
async fn passing_and_suppressed_states_are_stored_but_never_open() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let passed = Hub {
            compliance: "PASSED",
            ..hub("f-2", "S3.14", "arn:aws:s3:::b")
        };
        let mut doc: serde_json::Value = serde_json::from_slice(&asff(&[
            hub("f-1", "S3.14", "arn:aws:s3:::a"),
            passed,
            hub("f-3", "S3.9", "arn:aws:s3:::c"),
        ]))
        .unwrap();
        doc["Findings"][2]["Workflow"]["Status"] = "SUPPRESSED".into();
        let summary = import(store, serde_json::to_vec(&doc).unwrap(), false)
            .await
            .unwrap();
        assert_eq!(summary.new, 3);
        assert_eq!(count(store, Some("open")).await, 1, "{}", db.backend);
        assert_eq!(count(store, Some("closed")).await, 1);
        assert_eq!(count(store, Some("suppressed")).await, 1);
        let by_status = store.count_findings_by_status().await.unwrap();
        assert!(by_status.contains(&("open".to_owned(), 1)), "{by_status:?}");

        // The open one now passes: counted as closed, not as updated.
        let now_passing = Hub {
            compliance: "PASSED",
            ..hub("f-1", "S3.14", "arn:aws:s3:::a")
        };
        let summary = import(store, asff(&[now_passing]), false).await.unwrap();
        assert_eq!(counts(&summary), [0, 0, 1, 0, 0]);
        assert_eq!(count(store, Some("open")).await, 0);
    }
}

fn prowler_ocsf(uid: &str, check: &str, arn: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([{
        "metadata": {"event_code": check, "product": {"name": "Prowler"}, "version": "1.4.0"},
        "finding_info": {"uid": uid, "title": "S3 bucket versioning", "desc": "Versioning is off."},
        "severity": "Medium",
        "status_code": "FAIL",
        "cloud": {"provider": "aws", "account": {"uid": "111122223333"}, "region": "eu-west-1"},
        "resources": [{"uid": arn, "type": "AwsS3Bucket", "region": "eu-west-1"}]
    }]))
    .unwrap()
}

#[tokio::test]
async fn the_same_resource_and_policy_from_two_scanners_correlate() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        import(
            store,
            asff(&[
                hub("f-1", "S3.14", "arn:aws:s3:::logs"),
                hub("f-2", "S3.14", "arn:aws:s3:::other"),
            ]),
            false,
        )
        .await
        .unwrap();
        let mut request = ImportRequest::new("prowler.ocsf.json");
        request.format = Some(Format::ProwlerOcsf);
        let prowler = prowler_ocsf(
            "prowler-1",
            "s3_bucket_object_versioning",
            "arn:aws:s3:::logs",
        );
        let summary = store
            .import_findings(std::io::Cursor::new(prowler), request)
            .await
            .unwrap();
        assert_eq!(summary.new, 1, "{}", db.backend);

        let all = store.list_findings(&FindingQuery::default()).await.unwrap();
        assert_eq!(all.total, 3);
        let policies: Vec<_> = all.items.iter().map(|r| r.policy_id.clone()).collect();
        assert!(
            policies.iter().all(|p| p.is_some() && *p == policies[0]),
            "{policies:?}"
        );

        let prowler_row = all.items.iter().find(|r| r.tool == "prowler").unwrap();
        let detail = store.finding_detail(prowler_row.id).await.unwrap();
        assert_eq!(detail.correlated.len(), 1, "only the same bucket");
        assert_eq!(detail.correlated[0].tool, "security-hub");
        assert_eq!(
            detail.correlated[0].resource.as_deref(),
            Some("arn:aws:s3:::logs")
        );

        let by_policy = store
            .list_findings(&FindingQuery {
                policy: policies[0].clone(),
                tool: Some("prowler".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_policy.total, 1);
    }
}

#[tokio::test]
async fn lists_filter_sort_and_paginate_with_database_counts() {
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let ids: Vec<String> = (0..25).map(|i| format!("f-{i:02}")).collect();
        let arns: Vec<String> = (0..25)
            .map(|i| format!("arn:aws:s3:::bucket-{i:02}"))
            .collect();
        let mut hubs: Vec<Hub<'_>> = (0..25).map(|i| hub(&ids[i], "S3.14", &arns[i])).collect();
        for h in hubs.iter_mut().skip(20) {
            h.account = "999988887777";
        }
        let mut doc: serde_json::Value = serde_json::from_slice(&asff(&hubs)).unwrap();
        for i in 0..5 {
            doc["Findings"][i]["Severity"]["Label"] = "CRITICAL".into();
        }
        import(store, serde_json::to_vec(&doc).unwrap(), false)
            .await
            .unwrap();

        let page = |page, per_page| FindingQuery {
            page,
            per_page,
            ..Default::default()
        };
        let first = store.list_findings(&page(1, 10)).await.unwrap();
        assert_eq!(
            (first.total, first.items.len(), first.page_count()),
            (25, 10, 3),
            "{}",
            db.backend
        );
        assert!(
            first.items[..5].iter().all(|r| r.severity == "critical"),
            "most severe first"
        );
        let last = store.list_findings(&page(3, 10)).await.unwrap();
        assert_eq!(last.items.len(), 5);
        let mut seen: Vec<i64> = Vec::new();
        for p in 1..=3 {
            seen.extend(
                store
                    .list_findings(&page(p, 10))
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .map(|r| r.id),
            );
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 25, "pages neither overlap nor skip");

        let account = store
            .list_findings(&FindingQuery {
                account: Some("999988887777".into()),
                per_page: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((account.total, account.items.len()), (5, 2));
        let critical = store
            .list_findings(&FindingQuery {
                severity: Some("critical".into()),
                resource_type: Some("AwsS3Bucket".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(critical.total, 5);
        let none = store
            .list_findings(&FindingQuery {
                tool: Some("checkov".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(none.total, 0);

        let by_rule = store
            .list_findings(&FindingQuery {
                sort: FindingSort::Rule,
                per_page: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(by_rule.per_page, 200, "page size is capped");

        let facets = store.finding_facets().await.unwrap();
        assert_eq!(facets.tools, vec!["security-hub".to_owned()]);
        assert_eq!(
            facets.accounts,
            vec!["111122223333".to_owned(), "999988887777".to_owned()]
        );

        for _ in 0..3 {
            import(store, asff(&[hub("f-00", "S3.14", &arns[0])]), false)
                .await
                .unwrap();
        }
        let history = store.list_imports(1, 2).await.unwrap();
        assert_eq!((history.total, history.items.len()), (4, 2));
        assert!(history.items[0].id > history.items[1].id, "newest first");
        assert_eq!(history.items[0].unchanged, 1);
        assert!(matches!(
            store.finding_detail(999_999).await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn iac_full_imports_close_within_the_named_repository() {
    let Some(corpora) = corpora() else { return };
    let fixture = corpora.join("defectdojo/unittests/scans/checkov/checkov-report-many-vuln.json");
    let empty = corpora.join("defectdojo/unittests/scans/checkov/checkov-report-0-vuln.json");
    for db in all_backends().await.unwrap() {
        let store = &db.store;
        let request = |repo: &str, full: bool| {
            let mut r = ImportRequest::new("checkov.json");
            r.repository = Some(repo.to_owned());
            r.full = full;
            r
        };
        let a = store
            .import_findings(
                std::fs::File::open(&fixture).unwrap(),
                request("infra-a", false),
            )
            .await
            .unwrap();
        let b = store
            .import_findings(
                std::fs::File::open(&fixture).unwrap(),
                request("infra-b", false),
            )
            .await
            .unwrap();
        assert!(
            a.new > 0 && a.new == b.new,
            "same findings, two repositories: two sources"
        );
        assert_eq!(a.format, "checkov");
        let open_before = count(store, Some("open")).await;
        assert_eq!(open_before, a.new * 2, "{}", db.backend);
        let clean = store
            .import_findings(
                std::fs::File::open(&empty).unwrap(),
                request("infra-a", true),
            )
            .await
            .unwrap();
        assert_eq!(
            clean.closed, a.new,
            "a clean full scan of infra-a closes all of infra-a"
        );
        assert_eq!(count(store, Some("open")).await, b.new, "infra-b untouched");
    }
}

fn corpora() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("REDRESS_CORPORA")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    if dir.join("defectdojo").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "corpora not found at {} (set REDRESS_CORPORA): test skipped",
            dir.display()
        );
        None
    }
}

//! `redress import` through its command function: summaries, and a bad file that stops
//! everything before anything is written.
use redress_server::commands::import::{ImportArgs, import_files, table};
use redress_store::testing;
use redress_types::FindingQuery;

fn asff(ids: &[&str]) -> serde_json::Value {
    let findings: Vec<_> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "SchemaVersion": "2018-10-08", "Id": id,
                "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                "GeneratorId": "security-control/S3.14", "AwsAccountId": "111122223333",
                "Title": "S3.14 failed", "Severity": {"Label": "HIGH"},
                "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.14"},
                "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::{id}"), "Region": "eu-west-1"}]
            })
        })
        .collect();
    serde_json::json!({ "Findings": findings })
}

fn args(files: Vec<std::path::PathBuf>) -> ImportArgs {
    ImportArgs {
        format: None,
        full: false,
        repository: None,
        json: false,
        files,
    }
}

#[tokio::test]
async fn good_files_print_a_summary_and_a_bad_one_writes_nothing() {
    let db = testing::sqlite().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("hub.json");
    std::fs::write(&good, serde_json::to_vec(&asff(&["a", "b"])).unwrap()).unwrap();
    let mut broken = asff(&["c", "d", "e"]);
    broken["Findings"][2]["Resources"] = "nope".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&broken).unwrap()).unwrap();

    let err = import_files(&db.store, &args(vec![good.clone(), bad.clone()]))
        .await
        .unwrap_err();
    let line = format!("{err:#}");
    assert!(
        line.contains("bad.json")
            && line.contains("asff")
            && line.contains("record 3")
            && line.contains("Resources"),
        "{line}"
    );
    assert!(!line.contains('\n'), "one line: {line}");
    assert_eq!(
        db.store
            .list_findings(&FindingQuery::default())
            .await
            .unwrap()
            .total,
        0,
        "the good file was not written either"
    );
    assert_eq!(db.store.list_imports(1, 10).await.unwrap().total, 0);

    let summaries = import_files(&db.store, &args(vec![good.clone(), good]))
        .await
        .unwrap();
    assert_eq!(
        (summaries[0].new, summaries[1].new, summaries[1].unchanged),
        (2, 0, 2)
    );
    let printed = table(&summaries);
    let header = printed.lines().next().unwrap();
    assert!(
        header.starts_with("FILE") && header.contains("UNCHANGED"),
        "{printed}"
    );
    assert_eq!(printed.lines().count(), 3, "{printed}");
}

#[tokio::test]
async fn a_single_bad_file_writes_no_findings_and_is_recorded_as_failed() {
    let db = testing::sqlite().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut broken = asff(&["a", "b"]);
    broken["Findings"][1]["Resources"] = "nope".into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_vec(&broken).unwrap()).unwrap();

    let err = import_files(&db.store, &args(vec![bad])).await.unwrap_err();
    let line = format!("{err:#}");
    assert!(
        line.contains("bad.json")
            && line.contains("asff")
            && line.contains("record 2")
            && line.contains("Resources"),
        "{line}"
    );
    assert!(!line.contains('\n'), "one line: {line}");
    assert_eq!(
        db.store
            .list_findings(&FindingQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    let history = db.store.list_imports(1, 10).await.unwrap();
    assert_eq!(history.total, 1);
    assert_eq!(history.items[0].status, "failed");
    assert!(
        line.ends_with(history.items[0].error.as_deref().unwrap()),
        "{line}"
    );
}

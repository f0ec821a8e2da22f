//! The domain commands through the real binary: `redress locate`, `scan` and `fix`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on any error"
)]
use std::{path::Path, process::Command};

use serde_json::Value;

const MAIN_TF: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Suspended"
  }
}
"#;

const STATE: &str = r#"{"version":4,"terraform_version":"1.9.0","serial":1,"lineage":"x","outputs":{},
"resources":[{"mode":"managed","type":"aws_s3_bucket","name":"logs","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
"instances":[{"schema_version":0,"attributes":{"id":"acme-logs","arn":"arn:aws:s3:::acme-logs","bucket":"acme-logs"}}]}]}"#;

fn asff_finding(id: &str, arn: &str) -> String {
    format!(
        r#"{{"SchemaVersion":"2018-10-08","Id":"{id}","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub",
"GeneratorId":"security-control/S3.14","AwsAccountId":"123456789012","Types":["Software and Configuration Checks"],
"CreatedAt":"2026-01-01T00:00:00Z","UpdatedAt":"2026-01-02T00:00:00Z","Severity":{{"Label":"LOW","Original":"LOW"}},
"Title":"S3 general purpose buckets should have versioning enabled","Description":"Versioning keeps old objects.",
"Compliance":{{"Status":"FAILED","SecurityControlId":"S3.14"}},
"Resources":[{{"Type":"AwsS3Bucket","Id":"{arn}","Partition":"aws","Region":"eu-west-1"}}],
"Workflow":{{"Status":"NEW"}},"RecordState":"ACTIVE"}}"#
    )
}

fn redress(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run redress");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_repo(dir: &Path) {
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    std::fs::write(dir.join("repo/main.tf"), MAIN_TF).unwrap();
    std::fs::write(dir.join("terraform.tfstate"), STATE).unwrap();
    let findings = format!(
        r#"{{"Findings":[{},{},{}]}}"#,
        asff_finding("f-1", "arn:aws:s3:::acme-logs"),
        asff_finding("f-1", "arn:aws:s3:::acme-logs"),
        asff_finding("f-2", "arn:aws:s3:::not-in-this-repo"),
    );
    std::fs::write(dir.join("findings.json"), findings).unwrap();
}

#[test]
fn locate_json_maps_state_ids_to_lines_and_explains_misses() {
    let dir = tempfile::tempdir().unwrap();
    write_repo(dir.path());
    let (code, stdout, stderr) = redress(
        &[
            "locate",
            "--repo",
            "repo",
            "--state",
            "terraform.tfstate",
            "--json",
            "findings.json",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        2,
        "the repeated finding appears once: {stdout}"
    );
    let versioning = redress_policy::equivalents::lookup("securityhub", "S3.14")
        .unwrap()
        .as_str();

    let hit = &findings[0];
    assert_eq!(hit["id"], "f-1");
    assert_eq!(hit["source"], "security-hub");
    assert_eq!(hit["status"], "open");
    assert_eq!(hit["policy"], versioning);
    assert_eq!(hit["resource"], "arn:aws:s3:::acme-logs");
    let location = &hit["location"];
    assert_eq!(location["address"], "aws_s3_bucket.logs");
    assert_eq!(location["file"], "main.tf");
    assert_eq!(
        (
            location["start_line"].as_u64(),
            location["end_line"].as_u64()
        ),
        (Some(1), Some(3))
    );
    assert_eq!(location["confidence"], "state");
    assert_eq!(location["via"], serde_json::json!([]));
    assert_eq!(location["fix_site"]["file"], "main.tf");

    let miss = &findings[1];
    assert_eq!(miss["id"], "f-2");
    assert!(miss["location"].is_null());
    assert!(
        miss["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{miss}"
    );
}

#[test]
fn locate_without_json_prints_a_table_and_bad_input_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    write_repo(dir.path());
    let (code, stdout, _) = redress(
        &[
            "locate",
            "--repo",
            "repo",
            "--state",
            "terraform.tfstate",
            "findings.json",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    assert!(stdout.starts_with("1 of 2 findings located"), "{stdout}");
    std::fs::write(dir.path().join("garbage.json"), "{\"hello\": 1}").unwrap();
    let (code, _, stderr) = redress(&["locate", "--repo", "repo", "garbage.json"], dir.path());
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: garbage.json"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn scan_reports_the_failing_bucket_and_fix_writes_a_verified_change() {
    let dir = tempfile::tempdir().unwrap();
    write_repo(dir.path());
    let (code, stdout, stderr) = redress(&["scan", "repo", "--json"], dir.path());
    assert_eq!(code, 1, "failures exit 1: {stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let versioning = redress_policy::equivalents::lookup("checkov", "CKV_AWS_21")
        .unwrap()
        .as_str();
    let result = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == versioning)
        .unwrap_or_else(|| panic!("versioning failure reported: {stdout}"));
    assert_eq!(result["address"], "aws_s3_bucket.logs");
    assert_eq!(result["status"], "fail");
    assert!(
        result["equivalents"]["checkov"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "CKV_AWS_21")
    );

    let (code, stdout, stderr) = redress(
        &[
            "fix",
            "--repo",
            "repo",
            "--policy",
            versioning,
            "--address",
            "aws_s3_bucket.logs",
            "--apply",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("--- a/main.tf") && stdout.contains("+++ b/main.tf"),
        "{stdout}"
    );
    let fixed = std::fs::read_to_string(dir.path().join("repo/main.tf")).unwrap();
    assert!(fixed.contains("status = \"Enabled\""), "{fixed}");
    let (_, stdout, _) = redress(&["scan", "repo", "--json", "--soft-fail"], dir.path());
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["policy"] != versioning),
        "versioning passes after the fix: {stdout}"
    );
}

//! Import benchmark: 100k generated ASFF findings into SQLite, then the same file again.
//!
//! Goals (issue 4): first import ≤ 5 s end to end, re-import ≤ 5 s with zero new rows.
//! Run: `cargo bench -p redress-store --bench import` (`IMPORT_BENCH_FINDINGS` and
//! `IMPORT_BENCH_RUNS` change the size and the number of runs). Prints each run and the medians.
#![expect(clippy::print_stdout, reason = "a benchmark binary reports on stdout")]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark binary stops on any failure"
)]

use std::{io::Write as _, time::Instant};

use redress_store::{ImportRequest, Store};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `n` distinct ASFF findings over 10 accounts × 2 regions, 20 controls.
fn generate(path: &std::path::Path, n: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"{\"Findings\":[").unwrap();
    let controls = [
        "S3.14", "S3.9", "S3.4", "S3.5", "RDS.3", "RDS.2", "EC2.8", "EC2.3", "EC2.7", "EC2.9",
    ];
    for i in 0..n {
        if i > 0 {
            out.write_all(b",").unwrap();
        }
        let account = format!("{:012}", 100_000_000_000u64 + (i % 10) as u64);
        let region = if i % 2 == 0 { "eu-west-1" } else { "us-east-1" };
        let control = controls[i % controls.len()];
        let status = if i % 7 == 0 { "PASSED" } else { "FAILED" };
        let severity = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"][i % 5];
        let record = serde_json::json!({
            "SchemaVersion": "2018-10-08",
            "Id": format!("arn:aws:securityhub:{region}:{account}:security-control/{control}/finding/{i:08}"),
            "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
            "GeneratorId": format!("security-control/{control}"),
            "AwsAccountId": account,
            "Region": region,
            "Title": format!("{control} control failed for resource {i}"),
            "Description": "This control checks a configuration of the resource and fails when it is not set as recommended.",
            "Severity": {"Label": severity},
            "Compliance": {"Status": status, "SecurityControlId": control},
            "Workflow": {"Status": "NEW"},
            "RecordState": "ACTIVE",
            "Remediation": {"Recommendation": {"Text": "See the control documentation.", "Url": format!("https://docs.aws.amazon.com/console/securityhub/{control}/remediation")}},
            "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{i:08}"), "Region": region}],
            "CreatedAt": "2026-01-01T00:00:00Z",
            "UpdatedAt": "2026-01-02T00:00:00Z"
        });
        serde_json::to_writer(&mut out, &record).unwrap();
    }
    out.write_all(b"]}").unwrap();
    out.flush().unwrap();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let n = env_number("IMPORT_BENCH_FINDINGS", 100_000);
    let runs = env_number("IMPORT_BENCH_RUNS", 3).max(1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("asff.json");
    generate(&file, n);
    let size = std::fs::metadata(&file).unwrap().len();
    println!(
        "import bench: {n} ASFF findings, {:.1} MB, {runs} runs",
        size as f64 / 1e6
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let db = dir.path().join(format!("run{run}.db"));
        let (a, b) = runtime.block_on(async {
            let store = Store::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            let started = Instant::now();
            let one = store
                .import_findings(
                    std::fs::File::open(&file).unwrap(),
                    ImportRequest::new("asff.json"),
                )
                .await
                .unwrap();
            let a = started.elapsed().as_secs_f64();
            assert_eq!(one.new as usize, n);
            let started = Instant::now();
            let two = store
                .import_findings(
                    std::fs::File::open(&file).unwrap(),
                    ImportRequest::new("asff.json"),
                )
                .await
                .unwrap();
            let b = started.elapsed().as_secs_f64();
            assert_eq!(
                (two.new, two.unchanged as usize),
                (0, n),
                "re-import adds no rows"
            );
            (a, b)
        });
        println!("run {run}: first import {a:.2} s, re-import {b:.2} s (0 new)");
        first.push(a);
        second.push(b);
    }
    println!(
        "median: first import {:.2} s ({:.0} findings/s), re-import {:.2} s ({:.0} findings/s)",
        median(&mut first),
        n as f64 / median(&mut first),
        median(&mut second),
        n as f64 / median(&mut second)
    );
}

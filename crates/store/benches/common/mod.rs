//! What the store benchmarks share: the generated ASFF file, a tokio runtime and fresh
//! SQLite stores in a directory that lives as long as the benchmark process.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    sync::{
        OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use redress_store::{ImportRequest, Store};

/// The number of findings (default 100,000; `IMPORT_BENCH_FINDINGS` changes it).
pub fn findings() -> usize {
    std::env::var("IMPORT_BENCH_FINDINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A directory that lives as long as the benchmark process.
pub fn work_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// The runtime every benchmark blocks on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().unwrap())
}

/// The generated file: [`findings`] distinct ASFF findings over 10 accounts × 2 regions,
/// 10 controls, 1 in 7 PASSED (about 900 bytes a finding).
pub fn asff_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = work_dir().join("asff.json");
        generate(&path, findings());
        path
    })
}

fn generate(path: &Path, n: usize) {
    const CONTROLS: [&str; 10] = [
        "S3.14", "S3.9", "S3.4", "S3.5", "RDS.3", "RDS.2", "EC2.8", "EC2.3", "EC2.7", "EC2.9",
    ];
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"{\"Findings\":[").unwrap();
    for i in 0..n {
        if i > 0 {
            out.write_all(b",").unwrap();
        }
        let account = format!("{:012}", 100_000_000_000u64 + (i % 10) as u64);
        let region = if i % 2 == 0 { "eu-west-1" } else { "us-east-1" };
        let control = CONTROLS[i % CONTROLS.len()];
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

/// A store on a new SQLite file.
pub fn fresh_store() -> Store {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let db = work_dir().join(format!("db{}.sqlite", NEXT.fetch_add(1, Ordering::Relaxed)));
    runtime()
        .block_on(Store::connect(&format!("sqlite://{}", db.display())))
        .unwrap()
}

/// Imports the generated file; returns (new, unchanged).
pub fn import(store: &Store) -> (u64, u64) {
    let summary = runtime()
        .block_on(store.import_findings(
            std::fs::File::open(asff_file()).unwrap(),
            ImportRequest::new("asff.json"),
        ))
        .unwrap();
    (summary.new, summary.unchanged)
}

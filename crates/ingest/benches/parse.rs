//! Parse-side benchmarks: ASFF throughput at 100k findings, Prowler CSV, and detection.
//!
//! `cargo bench -p redress-ingest --bench parse`. Peak memory on a ~300 MB file is
//! measured with `examples/generate_asff.rs` + `examples/parse_file.rs` (see
//! docs/BENCHMARKS.md, section "ingest").

use std::sync::OnceLock;

use divan::{Bencher, black_box};
use redress_ingest::{Format, Limits, detect, parse};

mod asff_gen;

fn main() {
    divan::main();
}

const FINDINGS: u64 = 100_000;

fn asff_100k() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Vec::new();
        asff_gen::write_asff(&mut doc, FINDINGS).expect("generate");
        doc
    })
}

fn prowler_csv_100k() -> &'static [u8] {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = String::from(
            "FINDING_UID;PROVIDER;CHECK_ID;CHECK_TITLE;STATUS;STATUS_EXTENDED;MUTED;SEVERITY;RESOURCE_TYPE;RESOURCE_UID;REGION;ACCOUNT_UID;DESCRIPTION;REMEDIATION_RECOMMENDATION_TEXT;REMEDIATION_RECOMMENDATION_URL;TIMESTAMP\n",
        );
        for i in 0..FINDINGS {
            doc.push_str(&format!(
                "prowler-aws-s3_bucket_object_versioning-111122223333-eu-west-1-b{i};aws;s3_bucket_object_versioning;Check if S3 buckets have object versioning enabled;{};Bucket b{i} has versioning disabled.;False;medium;AwsS3Bucket;arn:aws:s3:::b{i};eu-west-1;111122223333;Check if S3 buckets have object versioning enabled;Enable versioning.;https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html;2025-02-14 14:27:03.913874\n",
                if i % 3 == 0 { "PASS" } else { "FAIL" }
            ));
        }
        doc.into_bytes()
    })
}

/// Parses 100k generated ASFF findings (~200 MB/s class input, ~2 KB each) from memory.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn asff_100k_findings(bencher: Bencher<'_, '_>) {
    let doc = asff_100k();
    bencher
        .counter(divan::counter::BytesCount::new(doc.len()))
        .bench(|| {
            let mut n = 0u64;
            let summary = parse(
                black_box(doc),
                Some(Format::Asff),
                &Limits::default(),
                &mut |f| {
                    n += u64::from(f.is_open());
                    Ok(())
                },
            )
            .expect("parse");
            assert_eq!(summary.findings, FINDINGS);
            n
        });
}

/// Same, with format detection on (reads the 256 KiB head first).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn asff_100k_findings_detected(bencher: Bencher<'_, '_>) {
    let doc = asff_100k();
    bencher.bench(|| {
        parse(black_box(doc), None, &Limits::default(), &mut |_| Ok(()))
            .expect("parse")
            .findings
    });
}

/// Parses 100k Prowler v4 CSV rows.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn prowler_csv_100k_rows(bencher: Bencher<'_, '_>) {
    let doc = prowler_csv_100k();
    bencher
        .counter(divan::counter::BytesCount::new(doc.len()))
        .bench(|| {
            parse(
                black_box(doc),
                Some(Format::ProwlerCsv),
                &Limits::default(),
                &mut |_| Ok(()),
            )
            .expect("parse")
            .findings
        });
}

/// Detection on a 256 KiB head.
#[divan::bench]
fn detect_head(bencher: Bencher<'_, '_>) {
    let head = &asff_100k()[..256 * 1024];
    bencher.bench(|| detect(black_box(head)));
}

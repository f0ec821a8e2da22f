//! Finding the corpora, loading fixtures, and the per-fixture summary line.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;

use redress_ingest::{Finding, Format, Limits, ParseSummary, Status, parse_to_vec};

/// `$REDRESS_CORPORA`, or `../shared/corpora` next to the workspace root. `None` (with a
/// message) when absent, so tests can return early.
pub fn corpora() -> Option<PathBuf> {
    let dir = match std::env::var_os("REDRESS_CORPORA").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "corpora not found at {}; set REDRESS_CORPORA to run this test",
            dir.display()
        );
        None
    }
}

/// A DefectDojo fixture path under `defectdojo/unittests/scans/`.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let path = corpora()?.join("defectdojo/unittests/scans").join(rel);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    Some(path)
}

/// What one fixture produced.
pub struct Parsed {
    pub findings: Vec<Finding>,
    pub summary: ParseSummary,
}

impl Parsed {
    /// Distinct fingerprints (what the store keeps as rows).
    pub fn distinct(&self) -> usize {
        self.findings
            .iter()
            .map(|f| &f.fingerprint)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Distinct fingerprints among open findings.
    pub fn distinct_open(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .map(|f| &f.fingerprint)
            .collect::<BTreeSet<_>>()
            .len()
    }

    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// The first finding whose title equals `title`.
    pub fn titled(&self, title: &str) -> &Finding {
        self.findings
            .iter()
            .find(|f| f.title == title)
            .unwrap_or_else(|| panic!("no finding titled {title:?}"))
    }
}

/// Parses a fixture (detecting the format when `format` is `None`) and prints a summary
/// line. `None` when the corpora are absent.
pub fn load(rel: &str, format: Option<Format>) -> Option<Parsed> {
    let path = fixture(rel)?;
    let file = File::open(&path).expect("open fixture");
    let (findings, summary) =
        parse_to_vec(file, format, &Limits::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let parsed = Parsed { findings, summary };
    println!(
        "{rel:<60} {:<13} records {:>3}  findings {:>3}  open {:>3}  closed {:>3}  suppressed {:>2}  skipped {:>2}  distinct {:>3}  distinct-open {:>3}",
        parsed.summary.format.as_str(),
        parsed.summary.records,
        parsed.summary.findings,
        parsed.summary.open,
        parsed.summary.closed,
        parsed.summary.suppressed,
        parsed.summary.skipped,
        parsed.distinct(),
        parsed.distinct_open(),
    );
    Some(parsed)
}

pub fn ymd(f: &Finding) -> Option<String> {
    f.first_seen.map(|t| t.format("%Y-%m-%d").to_string())
}

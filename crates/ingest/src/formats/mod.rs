//! One parser module per format, and the helpers they share.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde_json::Value;

use crate::error::IngestError;
use crate::finding::{Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::parse::Emitter;

mod asff;
mod csvrows;
mod prowler;

/// Parses `reader` as `format`, sending findings and skips to `out`.
pub(crate) fn parse_format(
    format: Format,
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    match format {
        Format::Asff => asff::parse(reader, out),
        Format::ProwlerOcsf => prowler::parse_ocsf(reader, out),
        Format::ProwlerCsv => prowler::parse_csv(reader, out),
        Format::ProwlerJson => prowler::parse_json(reader, out),
        other => Err(IngestError::Shape {
            format: other,
            message: "this format's parser is not built yet".to_owned(),
        }),
    }
}

/// A finding with every optional field empty, to be filled in by a parser.
pub(crate) fn blank(tool: SourceTool, raw: Value) -> Finding {
    Finding {
        source_tool: tool,
        source_id: None,
        rule_id: String::new(),
        title: String::new(),
        description: String::new(),
        severity: Severity::Info,
        severity_original: String::new(),
        status: Status::Open,
        status_reason: None,
        cloud_provider: None,
        account: None,
        region: None,
        resource_type: None,
        resource_ids: Vec::new(),
        file: None,
        start_line: None,
        end_line: None,
        first_seen: None,
        last_seen: None,
        remediation: None,
        remediation_url: None,
        tags: BTreeMap::new(),
        raw,
        fingerprint: Fingerprint::of(tool, &[]),
    }
}

/// Sets the severity from a tool's label, keeping the original; unknown labels become
/// `fallback` (the original text still says what the tool wrote).
pub(crate) fn set_severity(finding: &mut Finding, label: Option<&str>, fallback: Severity) {
    let label = label.unwrap_or_default();
    finding.severity = Severity::from_label(label).unwrap_or(fallback);
    finding.severity_original = label.to_owned();
}

/// Inserts a tag when the value is present and non-empty.
pub(crate) fn tag(finding: &mut Finding, key: &str, value: Option<impl Into<String>>) {
    if let Some(v) = value {
        let v = v.into();
        if !v.is_empty() {
            finding.tags.insert(key.to_owned(), v);
        }
    }
}

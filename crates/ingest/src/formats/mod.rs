//! One parser module per format, and the helpers they share.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde_json::Value;

use crate::error::IngestError;
use crate::finding::{Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::parse::Emitter;
use crate::record::{Rec, kind};

mod asff;
mod aws_config;
mod checkov;
mod csvrows;
mod kics;
mod orca;
mod prowler;
mod sarif;
mod terrascan;
mod tfsec;
mod trivy;
mod wiz;

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
        Format::WizCsv => wiz::parse_csv(reader, out),
        Format::WizJson => wiz::parse_json(reader, out),
        Format::OrcaCsv => orca::parse_csv(reader, out),
        Format::OrcaJson => orca::parse_json(reader, out),
        Format::AwsConfig => aws_config::parse(reader, out),
        Format::Checkov => checkov::parse(reader, out),
        Format::Kics => kics::parse(reader, out),
        Format::Trivy => trivy::parse(reader, out),
        Format::Tfsec => tfsec::parse(reader, out),
        Format::Terrascan => terrascan::parse(reader, out),
        Format::Sarif => sarif::parse(reader, out),
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

/// Fails unless the record is a JSON object.
pub(crate) fn require_object(rec: &Rec<'_>) -> Result<(), IngestError> {
    if rec.value.is_object() {
        Ok(())
    } else {
        Err(rec
            .error("", format!("expected an object, found {}", kind(rec.value)))
            .into())
    }
}

/// The resource type of a Terraform address: `aws_s3_bucket.logs` → `aws_s3_bucket`,
/// `module.a.aws_s3_bucket.b[0]` → `aws_s3_bucket`; `None` for `module.x` or non-addresses.
pub(crate) fn terraform_type_of_address(address: &str) -> Option<String> {
    let parts: Vec<&str> = address.split('.').collect();
    let mut i = 0;
    while i + 1 < parts.len() && (parts[i] == "module" || parts[i] == "data") {
        i += if parts[i] == "module" { 2 } else { 1 };
    }
    let kind = parts.get(i)?;
    let valid = parts.len() > i + 1
        && kind.contains('_')
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    valid.then(|| (*kind).to_owned())
}

/// The first `http(s)://` URL inside a text (`See https://… for more information.`).
pub(crate) fn first_url(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    Some(url.trim_end_matches(['.', ',', ')']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_addresses_give_their_resource_type() {
        assert_eq!(
            terraform_type_of_address("aws_s3_bucket.logs").as_deref(),
            Some("aws_s3_bucket")
        );
        assert_eq!(
            terraform_type_of_address("module.a.aws_s3_bucket.b[0]").as_deref(),
            Some("aws_s3_bucket")
        );
        assert_eq!(terraform_type_of_address("module.aws_credentials"), None);
        assert_eq!(
            terraform_type_of_address("/aws/resources/Dockerfile."),
            None
        );
    }

    #[test]
    fn urls_are_cut_out_of_prose() {
        assert_eq!(
            first_url("See https://tfsec.dev/docs/google/GCP008/ for more information.").as_deref(),
            Some("https://tfsec.dev/docs/google/GCP008/")
        );
        assert_eq!(first_url("no link here"), None);
    }
}

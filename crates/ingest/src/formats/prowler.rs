//! Prowler: OCSF JSON (v4/v5), CSV (v2 `,` columns; v3 and v4/v5 `;` columns) and the
//! legacy JSON (v2 JSON lines, v3 array).
//!
//! Status: FAIL → open, or suppressed when muted (`MUTED` True, OCSF `status`
//! Suppressed); PASS → closed; INFO → closed; MANUAL → open with reason "MANUAL"
//! (Prowler asks a person to check it; DefectDojo keeps it as a finding too).
//! Title: the status detail (the resource-specific message), else the check title.
//! Fingerprint: check id, account, region and resource uid. That is what Prowler's own
//! finding uid is made of, so re-exports in any Prowler format and anonymised exports
//! (uid replaced by a placeholder) still fingerprint the same. v2 output has no resource
//! id, so v2 uses check, account, region and the extended result text.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{CloudProvider, Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, each_value, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::csvrows::for_each_row;
use super::{blank, require_object, set_severity, tag};

/// OCSF: a top-level array of Detection Findings.
pub(crate) fn parse_ocsf(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let plan = Node::each(Node::record());
    walk(reader, Format::ProwlerOcsf, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let finding = convert_ocsf(value, &position)?;
        out.emit(finding)
    })
}

fn convert_ocsf(value: Value, position: &Position) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, Format::ProwlerOcsf, position);
    require_object(&rec)?;
    let mut f = blank(SourceTool::Prowler, Value::Null);
    f.rule_id = rec.required_text("metadata.event_code")?;
    let check_title = rec.text("finding_info.title")?;
    let detail = rec.text_any(&["status_detail", "message"])?;
    f.title = detail.clone().or(check_title.clone()).unwrap_or_default();
    f.description = rec.text("finding_info.desc")?.unwrap_or_default();
    set_severity(&mut f, rec.text("severity")?.as_deref(), Severity::Info);
    let status_code = rec.text("status_code")?;
    let muted = rec
        .text("status")?
        .is_some_and(|s| s.eq_ignore_ascii_case("suppressed"))
        || rec
            .text("unmapped.muted")?
            .is_some_and(|s| s.eq_ignore_ascii_case("true"));
    (f.status, f.status_reason) = status(status_code.as_deref(), muted);
    f.cloud_provider = rec
        .text("cloud.provider")?
        .as_deref()
        .and_then(CloudProvider::from_label);
    f.account = rec.text("cloud.account.uid")?;
    let resources = rec.array("resources")?;
    let mut resource_region = None;
    for (i, r) in resources.iter().enumerate() {
        let sub = rec.sub(r, &format!("resources[{i}]"));
        if let Some(uid) = sub.text("uid")? {
            f.resource_ids.push(uid);
        }
        if i == 0 {
            f.resource_type = sub.text("type")?;
            resource_region = sub.text("region")?;
        }
    }
    f.region = match rec.text("cloud.region")? {
        Some(r) => Some(r),
        None => resource_region,
    };
    f.first_seen = rec.time("finding_info.created_time")?;
    f.last_seen = match rec.time("time_dt")? {
        Some(t) => Some(t),
        None => rec.time("event_time")?,
    };
    f.remediation = rec.text("remediation.desc")?;
    // `references` mixes CLI snippets and links: the URL is the first link.
    let references = rec.strings("remediation.references")?;
    f.remediation_url = references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        .cloned();
    tag(&mut f, "check_title", check_title);
    tag(&mut f, "status_code", status_code);
    tag(&mut f, "risk", rec.text("risk_details")?);
    tag(&mut f, "related_url", rec.text("unmapped.related_url")?);
    let uid = rec.text("finding_info.uid")?;
    f.fingerprint = cloud_fingerprint(&f);
    f.source_id = uid;
    f.raw = value;
    Ok(f)
}

/// CSV: v2 (`,`), v3 and v4/v5 (`;`) column sets, told apart by their columns.
pub(crate) fn parse_csv(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    for_each_row(reader, Format::ProwlerCsv, &mut |row, position| {
        let finding = convert_flat(row, &position, Format::ProwlerCsv)?;
        out.emit(finding)
    })
}

/// Legacy JSON: a v3 array, or v2 JSON lines (one object per line).
pub(crate) fn parse_json(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let first = loop {
        let buf = reader.fill_buf().map_err(IngestError::Io)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break Some(buf[i]),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => Ok(()),
        Some(b'[') => {
            let plan = Node::each(Node::record());
            walk(reader, Format::ProwlerJson, &plan, &mut |ctx, value| {
                let position = Position::at_path(out.records_seen() + 1, ctx.path);
                let finding = convert_flat(value, &position, Format::ProwlerJson)?;
                out.emit(finding)
            })
        }
        Some(_) => each_value(reader, Format::ProwlerJson, &mut |record, value| {
            let position = Position {
                record,
                line: None,
                path: Some(format!("JSON value {record}")),
            };
            let finding = convert_flat(value, &position, Format::ProwlerJson)?;
            out.emit(finding)
        }),
    }
}

/// Converts a flat record: a CSV row (any version) or a legacy JSON object.
fn convert_flat(value: Value, position: &Position, format: Format) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, format, position);
    require_object(&rec)?;
    let mut f = blank(SourceTool::Prowler, Value::Null);
    let v2_control = rec.text_any(&["TITLE_TEXT", "Control"])?;
    f.rule_id = match rec.text_any(&["CHECK_ID", "CheckID"])? {
        Some(id) => id,
        None => {
            let control = v2_control.clone().unwrap_or_default();
            match v2_check_name(&control) {
                Some(name) => name,
                None => rec
                    .text_any(&["TITLE_ID", "Control ID"])?
                    .ok_or_else(|| rec.error("CHECK_ID", "missing (required)"))?,
            }
        }
    };
    let check_title = rec.text_any(&["CHECK_TITLE", "CheckTitle"])?.or(v2_control);
    let detail = rec.text_any(&[
        "STATUS_EXTENDED",
        "StatusExtended",
        "CHECK_RESULT_EXTENDED",
        "Message",
    ])?;
    f.title = detail.clone().or(check_title.clone()).unwrap_or_default();
    f.description = rec
        .text_any(&["DESCRIPTION", "Description", "CHECK_RISK", "Risk"])?
        .unwrap_or_default();
    set_severity(
        &mut f,
        rec.text_any(&["SEVERITY", "Severity", "CHECK_SEVERITY"])?
            .as_deref(),
        Severity::Info,
    );
    let status_word = rec.text_any(&["STATUS", "Status", "CHECK_RESULT"])?;
    let muted = rec
        .text_any(&["MUTED", "Muted"])?
        .is_some_and(|m| m.eq_ignore_ascii_case("true"));
    (f.status, f.status_reason) = status(status_word.as_deref(), muted);
    f.cloud_provider = match rec.text_any(&["PROVIDER", "Provider"])? {
        Some(p) => CloudProvider::from_label(&p),
        None => Some(CloudProvider::Aws), // v2 was AWS-only
    };
    f.account = rec.text_any(&[
        "ACCOUNT_UID",
        "ACCOUNT_ID",
        "AccountId",
        "ACCOUNT_NUM",
        "Account Number",
    ])?;
    f.region = rec.text_any(&["REGION", "Region"])?;
    f.resource_type =
        rec.text_any(&["RESOURCE_TYPE", "ResourceType", "CHECK_ASFF_RESOURCE_TYPE"])?;
    let resource = rec.text_any(&[
        "RESOURCE_UID",
        "RESOURCE_ARN",
        "ResourceArn",
        "RESOURCE_ID",
        "ResourceId",
    ])?;
    f.resource_ids.extend(resource);
    f.first_seen = rec
        .text_any(&[
            "TIMESTAMP",
            "ASSESSMENT_START_TIME",
            "AssessmentStartTime",
            "Timestamp",
        ])?
        .as_deref()
        .and_then(crate::record::parse_time);
    f.last_seen = f.first_seen;
    // v3 JSON nests `Remediation.Recommendation`; v2 JSON has `Remediation` as text.
    let nested_remediation = rec.object("Remediation").ok().flatten().is_some();
    if nested_remediation {
        f.remediation = rec.text("Remediation.Recommendation.Text")?;
        f.remediation_url = rec.text("Remediation.Recommendation.Url")?;
    } else {
        f.remediation = rec.text_any(&[
            "REMEDIATION_RECOMMENDATION_TEXT",
            "CHECK_REMEDIATION",
            "Remediation",
        ])?;
        f.remediation_url = rec.text_any(&[
            "REMEDIATION_RECOMMENDATION_URL",
            "CHECK_DOC",
            "Doc link",
            "RelatedUrl",
        ])?;
    }
    tag(&mut f, "check_title", check_title);
    tag(&mut f, "status_code", status_word);
    tag(
        &mut f,
        "service",
        rec.text_any(&[
            "SERVICE_NAME",
            "ServiceName",
            "CHECK_SERVICENAME",
            "Service",
        ])?,
    );
    tag(
        &mut f,
        "control_id",
        rec.text_any(&["TITLE_ID", "Control ID"])?,
    );
    tag(&mut f, "risk", rec.text_any(&["RISK", "Risk"])?);
    for (column, key) in [
        ("REMEDIATION_CODE_TERRAFORM", "remediation_terraform"),
        (
            "REMEDIATION_RECOMMENDATION_CODE_TERRAFORM",
            "remediation_terraform",
        ),
        ("REMEDIATION_CODE_NATIVEIAC", "remediation_native_iac"),
        (
            "REMEDIATION_RECOMMENDATION_CODE_NATIVEIAC",
            "remediation_native_iac",
        ),
        ("REMEDIATION_CODE_CLI", "remediation_cli"),
        ("REMEDIATION_RECOMMENDATION_CODE_CLI", "remediation_cli"),
        ("REMEDIATION_CODE_OTHER", "remediation_other"),
        ("REMEDIATION_RECOMMENDATION_CODE_OTHER", "remediation_other"),
    ] {
        tag(&mut f, key, rec.text(column)?);
    }
    f.source_id = rec.text_any(&["FINDING_UID", "FINDING_UNIQUE_ID", "FindingUniqueId"])?;
    f.fingerprint = if f.resource_ids.is_empty() {
        // v2: no resource id; the extended result names the resource.
        Fingerprint::of(
            SourceTool::Prowler,
            &[
                &f.rule_id,
                f.account.as_deref().unwrap_or_default(),
                f.region.as_deref().unwrap_or_default(),
                detail.as_deref().unwrap_or_default(),
            ],
        )
    } else {
        cloud_fingerprint(&f)
    };
    f.raw = value;
    Ok(f)
}

/// `[check114] Ensure hardware MFA…` → `check114`.
fn v2_check_name(control: &str) -> Option<String> {
    let rest = control.strip_prefix('[')?;
    let end = rest.find(']')?;
    let name = &rest[..end];
    (!name.is_empty()).then(|| name.to_owned())
}

fn cloud_fingerprint(f: &Finding) -> Fingerprint {
    let resource = f
        .resource_ids
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    Fingerprint::of(
        SourceTool::Prowler,
        &[
            &f.rule_id,
            f.account.as_deref().unwrap_or_default(),
            f.region.as_deref().unwrap_or_default(),
            resource,
        ],
    )
}

fn status(word: Option<&str>, muted: bool) -> (Status, Option<String>) {
    let upper = word.unwrap_or_default().trim().to_ascii_uppercase();
    match upper.as_str() {
        "PASS" => (Status::Closed, Some("PASS".to_owned())),
        "INFO" => (Status::Closed, Some("INFO".to_owned())),
        _ if muted => (Status::Suppressed, Some(format!("muted ({upper})"))),
        "MANUAL" => (
            Status::Open,
            Some("MANUAL: needs a manual check".to_owned()),
        ),
        _ => (Status::Open, None),
    }
}

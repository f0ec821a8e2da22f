//! AWS Security Hub ASFF: `{"Findings":[…]}` (get-findings), a bare array, or the
//! EventBridge event envelope `{"detail":{"findings":[…]}}`.
//!
//! Status: `RecordState` ARCHIVED → closed; `Workflow.Status` SUPPRESSED → suppressed,
//! RESOLVED → closed; `Compliance.Status` PASSED or NOT_AVAILABLE → closed; an
//! INFORMATIONAL finding with no compliance result → closed. Everything else is open.
//! Rule id: `Compliance.SecurityControlId`, `ProductFields.ControlId`,
//! `ProductFields.RuleId`, the control at the end of a standards `GeneratorId`, or the
//! whole `GeneratorId`. Fingerprint: `Id`.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{CloudProvider, Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, set_severity, tag};

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let plan = Node::object()
        .key(&["Findings", "findings"], Node::each(Node::record()))
        .key(
            &["detail"],
            Node::object().key(&["findings", "Findings"], Node::each(Node::record())),
        )
        .or_each(Node::record());
    walk(reader, Format::Asff, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let finding = convert(value, &position)?;
        out.emit(finding)
    })
}

/// Converts one ASFF finding.
pub(crate) fn convert(value: Value, position: &Position) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, Format::Asff, position);
    require_object(&rec)?;
    let id = rec.required_text("Id")?;
    let mut f = blank(SourceTool::SecurityHub, Value::Null);
    f.title = rec.text("Title")?.unwrap_or_default();
    f.description = rec.text("Description")?.unwrap_or_default();
    let label = rec.text_any(&[
        "Severity.Label",
        "Severity.Original",
        "FindingProviderFields.Severity.Label",
    ])?;
    match label {
        Some(l) if Severity::from_label(&l).is_some() => {
            set_severity(&mut f, Some(&l), Severity::Info)
        }
        // A product-specific numeric `Original` (GuardDuty writes 0–10 scores there).
        Some(l)
            if l.trim()
                .parse::<f64>()
                .is_ok_and(|n| (0.0..=10.0).contains(&n)) =>
        {
            f.severity = Severity::from_score(l.trim().parse::<f64>().unwrap_or(0.0));
            f.severity_original = l;
        }
        _ => {
            let normalized = rec.number("Severity.Normalized")?.unwrap_or(0.0);
            f.severity = Severity::from_score(normalized / 10.0);
            f.severity_original = format!("Normalized {normalized}");
        }
    }
    f.rule_id = rule_id(&rec)?;
    f.cloud_provider = Some(CloudProvider::Aws);
    f.account = rec.text("AwsAccountId")?;
    let resources = rec.array("Resources")?;
    let mut first_resource_region = None;
    for (i, r) in resources.iter().enumerate() {
        let name = format!("Resources[{i}]");
        let sub = rec.sub(r, &name);
        if !r.is_object() {
            return Err(rec.error(&name, "expected an object").into());
        }
        let rid = sub.required_text("Id")?;
        f.resource_ids.push(rid);
        if i == 0 {
            f.resource_type = sub.text("Type")?;
            first_resource_region = sub.text("Region")?;
        }
    }
    f.region = match rec.text("Region")? {
        Some(r) => Some(r),
        None => first_resource_region.or(region_of_arn(rec.text("ProductArn")?.as_deref())),
    };
    f.first_seen = match rec.time("FirstObservedAt")? {
        Some(t) => Some(t),
        None => rec.time("CreatedAt")?,
    };
    f.last_seen = match rec.time("LastObservedAt")? {
        Some(t) => Some(t),
        None => rec.time("UpdatedAt")?,
    };
    f.remediation = rec
        .text("Remediation.Recommendation.Text")?
        .filter(|t| t != "None Provided");
    // Vulnerability findings (Inspector): the fix is per package.
    let mut package_steps = String::new();
    let mut vulnerability_ids = Vec::new();
    for (i, vulnerability) in rec.array("Vulnerabilities")?.iter().enumerate() {
        let v = rec.sub(vulnerability, &format!("Vulnerabilities[{i}]"));
        vulnerability_ids.extend(v.text("Id")?);
        for (j, package) in v.array("VulnerablePackages")?.iter().enumerate() {
            let p = v.sub(package, &format!("VulnerablePackages[{j}]"));
            let name = p.text("Name")?.unwrap_or_default();
            let version = p.text("Version")?.unwrap_or_default();
            package_steps.push_str(&format!("- Update {name}-{version}\n"));
            if let Some(step) = p.text("Remediation")? {
                package_steps.push_str(&format!("\t- {step}\n"));
            }
        }
    }
    if f.remediation.is_none() && !package_steps.is_empty() {
        f.remediation = Some(package_steps);
    }
    tag(
        &mut f,
        "vulnerability_ids",
        Some(vulnerability_ids.join(", ")),
    );
    f.remediation_url = rec.text("Remediation.Recommendation.Url")?;

    let compliance = rec.text("Compliance.Status")?;
    let workflow = rec.text_any(&["Workflow.Status", "WorkflowState"])?;
    let record_state = rec.text("RecordState")?;
    (f.status, f.status_reason) = status(
        compliance.as_deref(),
        workflow.as_deref(),
        record_state.as_deref(),
        f.severity,
    );
    let product = match rec.text("ProductName")? {
        Some(p) => Some(p),
        None => product_field(&rec, "aws/securityhub/ProductName"),
    };
    tag(&mut f, "product", product);
    tag(&mut f, "generator_id", rec.text("GeneratorId")?);
    tag(&mut f, "compliance_status", compliance);
    tag(&mut f, "workflow_status", workflow);
    tag(&mut f, "record_state", record_state);
    tag(&mut f, "types", Some(rec.strings("Types")?.join("; ")));
    f.fingerprint = Fingerprint::of(SourceTool::SecurityHub, &[&id]);
    f.source_id = Some(id);
    f.raw = value;
    Ok(f)
}

fn product_field(rec: &Rec<'_>, key: &str) -> Option<String> {
    rec.value
        .get("ProductFields")
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn rule_id(rec: &Rec<'_>) -> Result<String, IngestError> {
    if let Some(id) = rec.text("Compliance.SecurityControlId")? {
        return Ok(id);
    }
    for key in ["ControlId", "RuleId", "aws/config/ConfigRuleName"] {
        if let Some(id) = product_field(rec, key) {
            return Ok(id);
        }
    }
    let generator = rec.text("GeneratorId")?.unwrap_or_default();
    // Standards findings: "aws-foundational-security-best-practices/v/1.0.0/IAM.5",
    // "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.14".
    if generator.contains("/v/")
        && let Some(last) = generator.rsplit('/').next()
        && !last.is_empty()
    {
        return Ok(last.to_owned());
    }
    Ok(generator)
}

fn region_of_arn(arn: Option<&str>) -> Option<String> {
    let region = arn?.split(':').nth(3)?;
    (!region.is_empty()).then(|| region.to_owned())
}

fn status(
    compliance: Option<&str>,
    workflow: Option<&str>,
    record_state: Option<&str>,
    severity: Severity,
) -> (Status, Option<String>) {
    let upper = |s: Option<&str>| s.map(str::to_ascii_uppercase);
    if upper(record_state).as_deref() == Some("ARCHIVED") {
        return (Status::Closed, Some("RecordState ARCHIVED".to_owned()));
    }
    match upper(workflow).as_deref() {
        Some("SUPPRESSED") => return (Status::Suppressed, Some("Workflow SUPPRESSED".to_owned())),
        Some("RESOLVED") => return (Status::Closed, Some("Workflow RESOLVED".to_owned())),
        _ => {}
    }
    match upper(compliance).as_deref() {
        Some(c @ ("PASSED" | "NOT_AVAILABLE")) => (Status::Closed, Some(format!("Compliance {c}"))),
        Some(_) => (Status::Open, None),
        None if severity == Severity::Info => (
            Status::Closed,
            Some("INFORMATIONAL, no compliance result".to_owned()),
        ),
        None => (Status::Open, None),
    }
}

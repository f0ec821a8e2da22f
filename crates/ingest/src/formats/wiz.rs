//! Wiz issues: the Issues CSV export and JSON in the GraphQL API's shape
//! (`{"data":{"issues":{"nodes":[…]}}}`, `{"issues":{"nodes":[…]}}`, `issuesV2`, or a
//! bare array of issue nodes).
//!
//! Status: OPEN and IN_PROGRESS → open; RESOLVED → closed (reason: the resolution);
//! IGNORED and REJECTED → suppressed. Rule id: the control / source rule id.
//! Fingerprint: the issue id (Wiz keeps it across exports).

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{CloudProvider, Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::csvrows::for_each_row;
use super::{blank, require_object, set_severity, tag};

pub(crate) fn parse_csv(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    for_each_row(reader, Format::WizCsv, &mut |row, position| {
        let rec = Rec::new(&row, Format::WizCsv, &position);
        if rec.get("Title").is_none() && rec.get("CVSSSeverity").is_some() {
            out.skip(
                position.clone(),
                "Wiz vulnerability (SCA) export row, not an issue",
            );
            return Ok(());
        }
        let mut f = blank(SourceTool::Wiz, Value::Null);
        let issue_id = rec.required_text("Issue ID")?;
        f.title = rec.required_text("Title")?.trim().to_owned();
        f.rule_id = rec.text("Control ID")?.unwrap_or_else(|| f.title.clone());
        f.description = rec.text("Description")?.unwrap_or_default();
        set_severity(&mut f, rec.text("Severity")?.as_deref(), Severity::Info);
        let resolution = rec.text("Resolution")?;
        (f.status, f.status_reason) = status(rec.text("Status")?.as_deref(), resolution.as_deref());
        f.cloud_provider = rec
            .text("Resource Platform")?
            .as_deref()
            .and_then(CloudProvider::from_label);
        f.account = rec.text("Subscription ID")?;
        f.region = rec.text("Resource Region")?;
        f.resource_type = rec.text("Resource Type")?;
        f.resource_ids.extend(rec.text("Resource external ID")?);
        f.first_seen = rec.time("Created At")?;
        f.remediation = rec.text("Remediation Recommendation")?;
        f.remediation_url = rec.text("Wiz URL")?;
        tag(&mut f, "resource_name", rec.text("Resource Name")?);
        tag(&mut f, "subscription_name", rec.text("Subscription Name")?);
        tag(&mut f, "resolved_at", rec.text("Resolved Time")?);
        tag(&mut f, "resolution", resolution);
        tag(
            &mut f,
            "cloud_provider_url",
            rec.text("Cloud Provider URL")?,
        );
        tag(
            &mut f,
            "kubernetes_cluster",
            rec.text("Kubernetes Cluster")?,
        );
        tag(
            &mut f,
            "kubernetes_namespace",
            rec.text("Kubernetes Namespace")?,
        );
        finish(&mut f, issue_id, row);
        out.emit(f)
    })
}

pub(crate) fn parse_json(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let issues = || Node::object().key(&["nodes"], Node::each(Node::record()));
    let plan = Node::object()
        .key(
            &["data"],
            Node::object().key(&["issues", "issuesV2"], issues()),
        )
        .key(&["issues", "issuesV2"], issues().or_each(Node::record()))
        .key(&["nodes"], Node::each(Node::record()))
        .or_each(Node::record());
    walk(reader, Format::WizJson, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let finding = convert_node(value, &position)?;
        out.emit(finding)
    })
}

fn convert_node(value: Value, position: &Position) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, Format::WizJson, position);
    require_object(&rec)?;
    let mut f = blank(SourceTool::Wiz, Value::Null);
    let issue_id = rec.required_text("id")?;
    f.title = rec
        .text_any(&["sourceRule.name", "control.name", "name"])?
        .unwrap_or_else(|| issue_id.clone());
    f.rule_id = rec
        .text_any(&["sourceRule.id", "control.id"])?
        .unwrap_or_else(|| f.title.clone());
    f.description = rec
        .text_any(&[
            "description",
            "sourceRule.controlDescription",
            "sourceRule.description",
        ])?
        .unwrap_or_default();
    set_severity(&mut f, rec.text("severity")?.as_deref(), Severity::Info);
    let resolution = rec.text_any(&["resolutionReason", "resolution"])?;
    (f.status, f.status_reason) = status(rec.text("status")?.as_deref(), resolution.as_deref());
    if let Some(entity) = rec.object("entitySnapshot")? {
        let e = rec.sub(entity, "entitySnapshot");
        f.cloud_provider = e
            .text("cloudPlatform")?
            .as_deref()
            .and_then(CloudProvider::from_label);
        f.account = e.text_any(&["subscriptionExternalId", "subscriptionId"])?;
        f.region = e.text("region")?;
        f.resource_type = e.text_any(&["nativeType", "type"])?;
        f.resource_ids
            .extend(e.text_any(&["providerId", "externalId", "id"])?);
        tag(&mut f, "resource_name", e.text("name")?);
        tag(&mut f, "subscription_name", e.text("subscriptionName")?);
        tag(&mut f, "cloud_provider_url", e.text("cloudProviderURL")?);
    }
    f.first_seen = rec.time("createdAt")?;
    f.last_seen = rec.time("updatedAt")?;
    f.remediation = rec.text_any(&["sourceRule.resolutionRecommendation", "remediation"])?;
    f.remediation_url = rec.text("url")?;
    tag(&mut f, "issue_type", rec.text("type")?);
    tag(&mut f, "resolution", resolution);
    tag(&mut f, "resolved_at", rec.text("resolvedAt")?);
    finish(&mut f, issue_id, value);
    Ok(f)
}

fn finish(f: &mut Finding, issue_id: String, raw: Value) {
    f.fingerprint = Fingerprint::of(SourceTool::Wiz, &[&issue_id]);
    f.source_id = Some(issue_id);
    f.raw = raw;
}

fn status(word: Option<&str>, resolution: Option<&str>) -> (Status, Option<String>) {
    let upper = word.unwrap_or_default().trim().to_ascii_uppercase();
    let with_resolution = |base: &str| match resolution {
        Some(r) => Some(format!("{base}: {r}")),
        None => Some(base.to_owned()),
    };
    match upper.as_str() {
        "RESOLVED" => (Status::Closed, with_resolution("RESOLVED")),
        "IGNORED" | "REJECTED" => (Status::Suppressed, with_resolution(&upper)),
        "IN_PROGRESS" => (Status::Open, Some("IN_PROGRESS".to_owned())),
        _ => (Status::Open, None),
    }
}

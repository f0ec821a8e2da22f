//! Trivy JSON: `Results[]` (filesystem/config/image scans), the `trivy k8s` layouts
//! (`Resources[].Results[]`, and the legacy `Misconfigurations[]`/`Vulnerabilities[]`
//! lists of `{Namespace, Kind, Name, Results}`).
//!
//! Only misconfigurations become findings: vulnerabilities, secrets and licenses are
//! reported as skips with a reason. Status: FAIL → open, PASS → closed, EXCEPTION →
//! suppressed. Lines: `CauseMetadata.StartLine`/`EndLine`. Resource:
//! `CauseMetadata.Resource` (a Terraform address for Terraform targets), or
//! `namespace/Kind/name` for Kubernetes. Rule id: `AVDID` when present, else `ID`.
//! Fingerprint: rule id, target, resource, start and end line.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{CloudProvider, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Context, Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, set_severity, tag, terraform_type_of_address};

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let k8s_resource = || {
        Node::object()
            .capture(&["Namespace", "Kind", "Name"])
            .key(&["Results"], Node::each(Node::record()))
    };
    let plan = Node::object()
        .capture(&["ClusterName", "ArtifactName"])
        .key(&["Results"], Node::each(Node::record()))
        .key(
            &["Resources", "Misconfigurations", "Vulnerabilities"],
            Node::each(k8s_resource()),
        )
        // Report metadata: a clean scan has only these (no `Results`).
        .key(
            &[
                "SchemaVersion",
                "ArtifactType",
                "Metadata",
                "CreatedAt",
                "ReportID",
            ],
            Node::ignored(),
        );
    walk(reader, Format::Trivy, &plan, &mut |ctx, result| {
        convert_result(ctx, &result, out)
    })
}

fn captured_text(ctx: &Context<'_>, key: &str) -> Option<String> {
    ctx.captured(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn convert_result(
    ctx: &Context<'_>,
    result: &Value,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let result_position = Position::at_path(out.records_seen() + 1, ctx.path);
    let r = Rec::new(result, Format::Trivy, &result_position);
    require_object(&r)?;
    let target = r.text("Target")?;
    for (list, what) in [
        ("Vulnerabilities", "a vulnerability"),
        ("Secrets", "a secret"),
        ("Licenses", "a license finding"),
    ] {
        for i in 0..r.array(list)?.len() {
            let position =
                Position::at_path(out.records_seen() + 1, format!("{}.{list}[{i}]", ctx.path));
            out.skip(position, format!("Trivy {what}, not a misconfiguration"));
        }
    }
    let namespace = captured_text(ctx, "Namespace");
    let kind = captured_text(ctx, "Kind");
    let name = captured_text(ctx, "Name");
    let k8s_object = match (&kind, &name) {
        (Some(k), Some(n)) => Some(format!("{}/{k}/{n}", namespace.as_deref().unwrap_or("-"))),
        _ => None,
    };
    let result_type = r.text("Type")?;
    for (i, m) in r.array("Misconfigurations")?.iter().enumerate() {
        let position = Position::at_path(
            out.records_seen() + 1,
            format!("{}.Misconfigurations[{i}]", ctx.path),
        );
        let rec = Rec::new(m, Format::Trivy, &position);
        require_object(&rec)?;
        let mut f = blank(SourceTool::Trivy, Value::Null);
        let id = rec.text("ID")?;
        f.rule_id = match rec.text("AVDID")? {
            Some(avd) => avd,
            None => id
                .clone()
                .ok_or_else(|| rec.error("ID", "missing (required)"))?,
        };
        f.title = rec.text("Title")?.unwrap_or_else(|| f.rule_id.clone());
        f.description = rec.text("Description")?.unwrap_or_default();
        set_severity(&mut f, rec.text("Severity")?.as_deref(), Severity::Info);
        let status = rec.text("Status")?.map(|s| s.to_ascii_uppercase());
        (f.status, f.status_reason) = match status.as_deref() {
            Some("PASS") => (Status::Closed, Some("PASS".to_owned())),
            Some("EXCEPTION") => (Status::Suppressed, Some("EXCEPTION".to_owned())),
            _ => (Status::Open, None),
        };
        f.file = target.clone();
        f.start_line = rec.line("CauseMetadata.StartLine")?;
        f.end_line = rec.line("CauseMetadata.EndLine")?;
        let resource = rec.text("CauseMetadata.Resource")?;
        if let Some(object) = &k8s_object {
            f.cloud_provider = Some(CloudProvider::Kubernetes);
            f.account = captured_text(ctx, "ClusterName");
            f.resource_type = kind.clone();
            f.resource_ids.push(object.clone());
            f.region = namespace.clone();
        } else if let Some(res) = &resource {
            if result_type.as_deref() == Some("terraform") {
                f.resource_type = terraform_type_of_address(res);
            }
            f.resource_ids.push(res.clone());
        }
        f.remediation = rec.text("Resolution")?;
        f.remediation_url = rec.text("PrimaryURL")?;
        tag(&mut f, "check_id", id);
        tag(&mut f, "message", rec.text("Message")?);
        tag(&mut f, "target_type", result_type.clone());
        tag(&mut f, "provider", rec.text("CauseMetadata.Provider")?);
        tag(&mut f, "service", rec.text("CauseMetadata.Service")?);
        let start = f.start_line.map(|l| l.to_string()).unwrap_or_default();
        let end = f.end_line.map(|l| l.to_string()).unwrap_or_default();
        let resource_key = k8s_object.clone().or(resource).unwrap_or_default();
        f.fingerprint = Fingerprint::of(
            SourceTool::Trivy,
            &[
                &f.rule_id,
                target.as_deref().unwrap_or_default(),
                &resource_key,
                &start,
                &end,
            ],
        );
        f.raw = m.clone();
        out.emit(f)?;
    }
    Ok(())
}

//! AWS Config compliance JSON: `aws configservice get-compliance-details-by-config-rule`
//! (`EvaluationResults[]`) and `describe-compliance-by-resource`
//! (`ComplianceByResources[]`).
//!
//! Status: NON_COMPLIANT → open; COMPLIANT, NOT_APPLICABLE and INSUFFICIENT_DATA →
//! closed with the compliance type as reason. Config gives no severity: Medium is
//! assumed for non-compliant results (original left empty), Info otherwise. Neither
//! command prints the account or region, so these findings carry no cloud scope.
//! Rule id: the Config rule name; `describe-compliance-by-resource` names no rule, so
//! its findings use the rule id `resource-compliance`. Fingerprint: rule, resource
//! type, resource id.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{CloudProvider, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, tag};

/// The rule id given to `describe-compliance-by-resource` results.
const RESOURCE_COMPLIANCE_RULE: &str = "resource-compliance";

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let plan = Node::object()
        .key(
            &["EvaluationResults", "ComplianceByResources"],
            Node::each(Node::record()),
        )
        .key(&["NextToken"], Node::ignored());
    walk(reader, Format::AwsConfig, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let rec = Rec::new(&value, Format::AwsConfig, &position);
        require_object(&rec)?;
        let mut f = blank(SourceTool::AwsConfig, Value::Null);
        f.cloud_provider = Some(CloudProvider::Aws);
        let compliance;
        if ctx.path.starts_with("EvaluationResults") {
            let q = "EvaluationResultIdentifier.EvaluationResultQualifier";
            f.rule_id = rec.required_text(&format!("{q}.ConfigRuleName"))?;
            f.resource_type = rec.text(&format!("{q}.ResourceType"))?;
            f.resource_ids
                .push(rec.required_text(&format!("{q}.ResourceId"))?);
            compliance = rec.required_text("ComplianceType")?;
            f.first_seen = rec.time("EvaluationResultIdentifier.OrderingTimestamp")?;
            f.last_seen = rec.time("ResultRecordedTime")?;
            f.description = rec.text("Annotation")?.unwrap_or_default();
            tag(
                &mut f,
                "evaluation_mode",
                rec.text(&format!("{q}.EvaluationMode"))?,
            );
        } else {
            f.rule_id = RESOURCE_COMPLIANCE_RULE.to_owned();
            f.resource_type = rec.text("ResourceType")?;
            f.resource_ids.push(rec.required_text("ResourceId")?);
            compliance = rec.required_text("Compliance.ComplianceType")?;
            if let Some(count) = rec.number("Compliance.ComplianceContributorCount.CappedCount")? {
                let more = matches!(
                    rec.get("Compliance.ComplianceContributorCount.CapExceeded"),
                    Some(Value::Bool(true))
                );
                f.description = format!(
                    "{count}{} Config rules report this resource",
                    if more { "+" } else { "" }
                );
            }
        }
        let resource = f.resource_ids.first().cloned().unwrap_or_default();
        let resource_type = f.resource_type.clone().unwrap_or_default();
        f.title = format!("{} {resource_type} {resource}: {compliance}", f.rule_id);
        (f.status, f.status_reason, f.severity) = match compliance.as_str() {
            "NON_COMPLIANT" => (Status::Open, None, Severity::Medium),
            other => (Status::Closed, Some(other.to_owned()), Severity::Info),
        };
        tag(&mut f, "compliance_type", Some(compliance));
        f.fingerprint = Fingerprint::of(
            SourceTool::AwsConfig,
            &[&f.rule_id, &resource_type, &resource],
        );
        f.raw = value;
        out.emit(f)
    })
}

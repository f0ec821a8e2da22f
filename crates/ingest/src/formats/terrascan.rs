//! Terrascan JSON: `results.violations[]` (open) and `results.skipped_violations[]`
//! (suppressed in code); `null` lists mean none.
//!
//! Resource: `resource_type.resource_name`, a Terraform address. Fingerprint: rule id,
//! file, resource type, resource name, line.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, set_severity, tag};

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let plan = Node::object().key(
        &["results"],
        Node::object()
            .key(&["violations"], Node::each(Node::record()))
            .key(&["skipped_violations"], Node::each(Node::record()))
            .key(
                &["scan_errors", "scan_summary", "passed_rules"],
                Node::ignored(),
            ),
    );
    walk(reader, Format::Terrascan, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let rec = Rec::new(&value, Format::Terrascan, &position);
        require_object(&rec)?;
        let mut f = blank(SourceTool::Terrascan, Value::Null);
        f.rule_id = rec.required_text("rule_id")?;
        let rule_name = rec.text("rule_name")?;
        f.title = rule_name.clone().unwrap_or_else(|| f.rule_id.clone());
        f.description = rec.text("description")?.unwrap_or_default();
        set_severity(&mut f, rec.text("severity")?.as_deref(), Severity::Medium);
        (f.status, f.status_reason) = if ctx.path.contains("skipped_violations") {
            let comment = rec.text("skip_comment")?;
            (
                Status::Suppressed,
                Some(comment.map_or_else(|| "skipped".to_owned(), |c| format!("skipped: {c}"))),
            )
        } else {
            (Status::Open, None)
        };
        f.file = rec.text("file")?;
        f.start_line = rec.line("line")?;
        f.end_line = f.start_line;
        let resource_type = rec.text("resource_type")?;
        let resource_name = rec.text("resource_name")?;
        if let (Some(t), Some(n)) = (&resource_type, &resource_name) {
            f.resource_ids.push(format!("{t}.{n}"));
        }
        f.resource_type = resource_type.clone();
        tag(&mut f, "category", rec.text("category")?);
        tag(&mut f, "rule_name", rule_name);
        tag(&mut f, "plan_root", rec.text("plan_root")?);
        let line = f.start_line.map(|l| l.to_string()).unwrap_or_default();
        f.fingerprint = Fingerprint::of(
            SourceTool::Terrascan,
            &[
                &f.rule_id,
                f.file.as_deref().unwrap_or_default(),
                resource_type.as_deref().unwrap_or_default(),
                resource_name.as_deref().unwrap_or_default(),
                &line,
            ],
        );
        f.raw = value;
        out.emit(f)
    })
}

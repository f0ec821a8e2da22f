//! tfsec JSON: `{"results": [...]}` (current and legacy layouts; `null` means none).
//!
//! Status: `status` failed → open, passed → closed, ignored → suppressed; the legacy
//! `"passed": true` → closed. Legacy severities ERROR and WARNING map to high and
//! medium (INFO to info), as in DefectDojo.
//! Fingerprint: rule id, file, start and end line (tfsec output carries duplicates at
//! the same place; they share a fingerprint).

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, first_url, require_object, set_severity, tag, terraform_type_of_address};

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let plan = Node::object().key(&["results"], Node::each(Node::record()));
    walk(reader, Format::Tfsec, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let rec = Rec::new(&value, Format::Tfsec, &position);
        require_object(&rec)?;
        let mut f = blank(SourceTool::Tfsec, Value::Null);
        f.rule_id = rec.required_text("rule_id")?;
        f.title = rec
            .text("rule_description")?
            .unwrap_or_else(|| f.rule_id.clone());
        f.description = rec.text("description")?.unwrap_or_default();
        set_severity(&mut f, rec.text("severity")?.as_deref(), Severity::Medium);
        let status = rec.text("status")?.map(|s| s.to_ascii_lowercase());
        let passed = matches!(rec.get("passed"), Some(Value::Bool(true)));
        (f.status, f.status_reason) = match status.as_deref() {
            Some("passed") => (Status::Closed, Some("passed".to_owned())),
            Some("ignored") => (Status::Suppressed, Some("ignored".to_owned())),
            _ if passed => (Status::Closed, Some("passed".to_owned())),
            _ => (Status::Open, None),
        };
        if rec.object("location")?.is_none() && rec.get("location").is_some() {
            return Err(rec.error("location", "expected an object").into());
        }
        f.file = rec.text("location.filename")?;
        f.start_line = rec.line("location.start_line")?;
        f.end_line = rec.line("location.end_line")?;
        if let Some(resource) = rec.text("resource")? {
            f.resource_type = terraform_type_of_address(&resource);
            f.resource_ids.push(resource);
        }
        f.remediation = rec.text("resolution")?;
        f.remediation_url = match rec.strings("links")?.into_iter().next() {
            Some(u) => Some(u),
            None => rec.text("link")?.as_deref().and_then(first_url),
        };
        tag(&mut f, "impact", rec.text("impact")?);
        tag(&mut f, "rule_provider", rec.text("rule_provider")?);
        tag(&mut f, "legacy_rule_id", rec.text("legacy_rule_id")?);
        let start = f.start_line.map(|l| l.to_string()).unwrap_or_default();
        let end = f.end_line.map(|l| l.to_string()).unwrap_or_default();
        f.fingerprint = Fingerprint::of(
            SourceTool::Tfsec,
            &[
                &f.rule_id,
                f.file.as_deref().unwrap_or_default(),
                &start,
                &end,
            ],
        );
        f.raw = value;
        out.emit(f)
    })
}

//! Checkov JSON: one report `{"check_type", "results": {failed_checks, passed_checks,
//! skipped_checks}}`, a list of such reports (one per framework), or the summary-only
//! "no results" form.
//!
//! File: `repo_file_path` (relative to the repository root) when present, else
//! `file_path` (relative to the scanned directory, kept as the `scan_file_path` tag).
//! Status: failed → open, passed → closed, skipped (inline suppression) → suppressed
//! with the suppression comment. Lines come from `file_line_range` (Checkov writes
//! `[0, 0]` for whole-file checks such as Dockerfiles: no line then). Open-source Checkov
//! usually gives no severity; Medium is assumed then, and the original stays empty.
//! Fingerprint: check id, file path, resource, line range.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Context, Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, set_severity, tag, terraform_type_of_address};

fn report_plan() -> Node {
    let checks = || Node::each(Node::record());
    Node::object()
        .capture(&["check_type"])
        .key(
            &["results"],
            Node::object()
                .key(&["failed_checks"], checks())
                .key(&["passed_checks"], checks())
                .key(&["skipped_checks"], checks())
                .key(&["parsing_errors", "resource_count"], Node::ignored()),
        )
        .key(&["summary", "url"], Node::ignored())
        // The summary-only "no results" form.
        .key(
            &[
                "passed",
                "failed",
                "skipped",
                "parsing_errors",
                "parsingerrors",
                "resource_count",
                "resourcecount",
                "checkov_version",
            ],
            Node::ignored(),
        )
}

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let plan = report_plan().or_each(report_plan());
    walk(reader, Format::Checkov, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let finding = convert(ctx, value, &position)?;
        out.emit(finding)
    })
}

fn convert(ctx: &Context<'_>, value: Value, position: &Position) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, Format::Checkov, position);
    require_object(&rec)?;
    let mut f = blank(SourceTool::Checkov, Value::Null);
    f.rule_id = rec.required_text("check_id")?;
    f.title = rec.text("check_name")?.unwrap_or_else(|| f.rule_id.clone());
    let result = rec.text("check_result.result")?;
    let list = if ctx.path.contains("passed_checks") {
        "PASSED"
    } else if ctx.path.contains("skipped_checks") {
        "SKIPPED"
    } else {
        "FAILED"
    };
    let outcome = result
        .unwrap_or_else(|| list.to_owned())
        .to_ascii_uppercase();
    (f.status, f.status_reason) = match outcome.as_str() {
        "PASSED" => (Status::Closed, Some("PASSED".to_owned())),
        "SKIPPED" => {
            let comment = rec.text("check_result.suppress_comment")?;
            let reason = match comment {
                Some(c) => format!("SKIPPED: {c}"),
                None => "SKIPPED".to_owned(),
            };
            (Status::Suppressed, Some(reason))
        }
        _ => (Status::Open, None),
    };
    match rec.text("severity")? {
        Some(s) => set_severity(&mut f, Some(&s), Severity::Medium),
        None => f.severity = Severity::Medium,
    }
    f.file = rec.text_any(&["repo_file_path", "file_path"])?;
    let range = rec.array("file_line_range")?;
    if !range.is_empty() {
        if range.len() != 2 {
            return Err(rec.error("file_line_range", "expected [start, end]").into());
        }
        f.start_line = rec.line_value("file_line_range[0]", &range[0])?;
        f.end_line = rec.line_value("file_line_range[1]", &range[1])?;
    }
    let resource = rec.text("resource")?;
    let check_type = ctx
        .captured("check_type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(r) = &resource {
        if check_type
            .as_deref()
            .is_none_or(|t| t == "terraform" || t == "terraform_plan")
        {
            f.resource_type = terraform_type_of_address(r);
        }
        f.resource_ids.push(r.clone());
    }
    f.remediation_url = rec.text("guideline")?;
    f.description = f.title.clone();
    tag(&mut f, "check_type", check_type.clone());
    tag(&mut f, "check_class", rec.text("check_class")?);
    tag(&mut f, "file_abs_path", rec.text("file_abs_path")?);
    tag(&mut f, "scan_file_path", rec.text("file_path")?);
    let lines = format!("{}-{}", f.start_line.unwrap_or(0), f.end_line.unwrap_or(0));
    f.fingerprint = Fingerprint::of(
        SourceTool::Checkov,
        &[
            &f.rule_id,
            f.file.as_deref().unwrap_or_default(),
            resource.as_deref().unwrap_or_default(),
            &lines,
        ],
    );
    f.raw = value;
    Ok(f)
}

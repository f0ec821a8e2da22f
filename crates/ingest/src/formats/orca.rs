//! Orca Security alerts: CSV and JSON exports.
//!
//! The CSV has `OrcaScore, Title, Category, Inventory.Name, CloudAccount.Name, Source,
//! Status, CreatedAt, LastSeen, Labels`; the JSON has the same fields nested
//! (`CloudAccount.Name`, `Inventory.Name`). Severity: from the 0–10 Orca score
//! (≥9 critical, ≥7 high, ≥4 medium, >0 low, 0 info), or an explicit severity field.
//! Status: open and in_progress → open; closed/resolved → closed; dismissed/snoozed →
//! suppressed. Fingerprint: the alert id when the export has one, else the title,
//! account and asset.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{Finding, Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::csvrows::for_each_row;
use super::{blank, require_object, tag};

pub(crate) fn parse_csv(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    for_each_row(reader, Format::OrcaCsv, &mut |row, position| {
        let finding = convert(row, &position, Format::OrcaCsv)?;
        out.emit(finding)
    })
}

pub(crate) fn parse_json(
    reader: &mut dyn BufRead,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let plan = Node::object()
        .key(&["data", "alerts", "Alerts"], Node::each(Node::record()))
        .or_each(Node::record());
    walk(reader, Format::OrcaJson, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        let finding = convert(value, &position, Format::OrcaJson)?;
        out.emit(finding)
    })
}

fn convert(value: Value, position: &Position, format: Format) -> Result<Finding, IngestError> {
    let rec = Rec::new(&value, format, position);
    require_object(&rec)?;
    let mut f = blank(SourceTool::Orca, Value::Null);
    f.title = rec.required_text("Title")?;
    let category = rec.text("Category")?;
    f.rule_id = rec
        .text_any(&["RuleId", "rule_id", "AlertType"])?
        .unwrap_or_else(|| f.title.clone());
    f.description = match rec.text("Description")? {
        Some(d) => d,
        None => category.clone().unwrap_or_default(),
    };
    let score = rec.number("OrcaScore")?;
    match rec.text("Severity")? {
        Some(label) => {
            f.severity = Severity::from_label(&label).unwrap_or(Severity::Info);
            f.severity_original = label;
        }
        None => {
            f.severity = Severity::from_score(score.unwrap_or(0.0));
            f.severity_original = score.map(|s| format!("OrcaScore {s}")).unwrap_or_default();
        }
    }
    let status_word = rec.text("Status")?.unwrap_or_default();
    (f.status, f.status_reason) = match status_word.to_ascii_lowercase().as_str() {
        "closed" | "resolved" => (Status::Closed, Some(status_word.clone())),
        "dismissed" | "snoozed" => (Status::Suppressed, Some(status_word.clone())),
        "in_progress" | "in progress" => (Status::Open, Some(status_word.clone())),
        _ => (Status::Open, None),
    };
    f.account = rec.text_any(&["CloudAccount.Name", "CloudAccount.Id", "CloudAccountId"])?;
    let asset = rec.text_any(&["Inventory.Name", "Source", "AssetName"])?;
    f.resource_ids.extend(
        rec.text_any(&["AssetUniqueId", "Source"])?
            .or(asset.clone()),
    );
    f.resource_type = rec.text_any(&["AssetType", "Inventory.Type"])?;
    f.first_seen = rec.time("CreatedAt")?;
    f.last_seen = rec.time("LastSeen")?;
    f.remediation = rec.text("Recommendation")?;
    tag(&mut f, "category", category);
    tag(&mut f, "asset", asset.clone());
    let labels = if format == Format::OrcaJson {
        rec.strings("Labels")?
    } else {
        rec.text("Labels")?
            .and_then(|l| serde_json::from_str::<Vec<String>>(&l).ok())
            .unwrap_or_default()
    };
    tag(&mut f, "labels", Some(labels.join(", ")));
    let alert_id = rec.text_any(&["AlertId", "alert_id", "Id"])?;
    f.fingerprint = match &alert_id {
        Some(id) => Fingerprint::of(SourceTool::Orca, &[id]),
        None => Fingerprint::of(
            SourceTool::Orca,
            &[
                &f.title,
                f.account.as_deref().unwrap_or_default(),
                asset.as_deref().unwrap_or_default(),
            ],
        ),
    };
    f.source_id = alert_id;
    f.raw = value;
    Ok(f)
}

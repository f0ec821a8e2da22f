//! SARIF 2.1.0 from IaC scanners: `runs[].results[]`, the producer named by
//! `runs[].tool.driver.name` (Checkov, Trivy, tfsec, KICS, Terrascan, Snyk IaC; any other
//! driver is kept as `other-sarif` with its name in the `sarif_driver` tag).
//!
//! Every producer writes `tool` before `results`, which lets results stream; a run whose
//! `tool` came after its results is still read, with the producer unknown.
//! Severity: the rule's `security-severity` score when given, else the level (error →
//! high, warning → medium, note → low, none → info). Status: suppressions (not rejected)
//! → suppressed; `kind` pass/notApplicable or `baselineState` absent → closed; else open.
//! Location: the first location's artifact URI and region lines. Fingerprint: producer,
//! rule id, URI, start and end line.

use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::finding::{Severity, SourceTool, Status};
use crate::fingerprint::Fingerprint;
use crate::format::Format;
use crate::jsonstream::{Context, Node, walk};
use crate::parse::Emitter;
use crate::record::Rec;

use super::{blank, require_object, tag};

pub(crate) fn parse(reader: &mut dyn BufRead, out: &mut Emitter<'_>) -> Result<(), IngestError> {
    let run = Node::object()
        .capture(&["tool"])
        .key(&["results"], Node::each(Node::record()));
    let plan = Node::object().key(&["runs"], Node::each(run)).key(
        &["$schema", "version", "inlineExternalProperties"],
        Node::ignored(),
    );
    walk(reader, Format::Sarif, &plan, &mut |ctx, value| {
        let position = Position::at_path(out.records_seen() + 1, ctx.path);
        convert(ctx, value, &position, out)
    })
}

/// Which tool a SARIF driver name denotes.
pub(crate) fn tool_of_driver(name: &str) -> SourceTool {
    let n = name.to_ascii_lowercase();
    if n.contains("checkov") {
        SourceTool::Checkov
    } else if n.contains("tfsec") {
        SourceTool::Tfsec
    } else if n.contains("trivy") {
        SourceTool::Trivy
    } else if n.contains("kics") {
        SourceTool::Kics
    } else if n.contains("terrascan") {
        SourceTool::Terrascan
    } else if n.contains("snyk") {
        SourceTool::SnykIac
    } else {
        SourceTool::OtherSarif
    }
}

fn convert(
    ctx: &Context<'_>,
    value: Value,
    position: &Position,
    out: &mut Emitter<'_>,
) -> Result<(), IngestError> {
    let rec = Rec::new(&value, Format::Sarif, position);
    require_object(&rec)?;
    let tool_value = ctx.captured("tool");
    let driver = tool_value.and_then(|t| t.get("driver"));
    let driver_name = driver
        .and_then(|d| d.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_owned();
    let tool = tool_of_driver(&driver_name);
    let mut f = blank(tool, Value::Null);
    let rule_index = rec.number("ruleIndex")?.map(|i| i as usize);
    let rule_id = rec.text_any(&["ruleId", "rule.id"])?;
    let rules = driver
        .and_then(|d| d.get("rules"))
        .and_then(Value::as_array);
    let rule = rules.and_then(|rules| {
        rule_index.and_then(|i| rules.get(i)).or_else(|| {
            rules
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == rule_id.as_deref())
        })
    });
    f.rule_id = match rule_id.or_else(|| {
        rule.and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }) {
        Some(id) => id,
        None => return Err(rec.error("ruleId", "missing (required)").into()),
    };
    let rule_text = |path: &[&str]| -> Option<String> {
        let mut v = rule?;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
    };
    let message = rec.text("message.text")?;
    f.title = rule_text(&["shortDescription", "text"])
        .or_else(|| rule_text(&["name"]))
        .or(message.clone())
        .unwrap_or_else(|| f.rule_id.clone());
    f.description = message
        .or_else(|| rule_text(&["fullDescription", "text"]))
        .unwrap_or_default();
    let level = rec
        .text("level")?
        .or_else(|| rule_text(&["defaultConfiguration", "level"]))
        .unwrap_or_else(|| "warning".to_owned());
    let score = rule
        .and_then(|r| r.get("properties"))
        .and_then(|p| p.get("security-severity"))
        .and_then(|s| match s {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        });
    (f.severity, f.severity_original) = match score {
        Some(s) => (Severity::from_score(s), format!("security-severity {s}")),
        None => (
            match level.as_str() {
                "error" => Severity::High,
                "warning" => Severity::Medium,
                "note" => Severity::Low,
                _ => Severity::Info,
            },
            level.clone(),
        ),
    };
    let suppressed = rec.array("suppressions")?.iter().any(|s| {
        s.get("status")
            .and_then(Value::as_str)
            .is_none_or(|st| st != "rejected")
    });
    let kind = rec.text("kind")?;
    let baseline = rec.text("baselineState")?;
    (f.status, f.status_reason) = if suppressed {
        (Status::Suppressed, Some("SARIF suppression".to_owned()))
    } else if let Some(k @ ("pass" | "notApplicable" | "informational")) = kind.as_deref() {
        (Status::Closed, Some(format!("kind {k}")))
    } else if baseline.as_deref() == Some("absent") {
        (Status::Closed, Some("baselineState absent".to_owned()))
    } else {
        (Status::Open, None)
    };
    let locations = rec.array("locations")?;
    if let Some(first) = locations.first() {
        let loc = rec.sub(first, "locations[0]");
        // `file://` URIs name the scanner's absolute path; keep the path part.
        f.file = loc
            .text("physicalLocation.artifactLocation.uri")?
            .map(|uri| {
                uri.strip_prefix("file://")
                    .map(str::to_owned)
                    .unwrap_or(uri)
            });
        f.start_line = loc.line("physicalLocation.region.startLine")?;
        f.end_line = loc
            .line("physicalLocation.region.endLine")?
            .or(f.start_line);
        let logical = loc.array("logicalLocations")?;
        if let Some(name) = logical.first().and_then(|l| {
            l.get("fullyQualifiedName")
                .or_else(|| l.get("name"))
                .and_then(Value::as_str)
        }) {
            f.resource_ids.push(name.to_owned());
        }
    }
    f.remediation_url = rule_text(&["helpUri"]);
    f.remediation = rule_text(&["help", "text"]);
    tag(&mut f, "sarif_driver", Some(driver_name.clone()));
    tag(&mut f, "sarif_level", Some(level));
    let start = f.start_line.map(|l| l.to_string()).unwrap_or_default();
    let end = f.end_line.map(|l| l.to_string()).unwrap_or_default();
    f.fingerprint = Fingerprint::of(
        tool,
        &[
            "sarif",
            &driver_name,
            &f.rule_id,
            f.file.as_deref().unwrap_or_default(),
            &start,
            &end,
        ],
    );
    f.raw = value;
    out.emit(f)
}

//! Format detection from the first bytes of the content (never from a file name).
//!
//! JSON heads are read with a lenient scanner that records object keys and their depth
//! and tolerates truncation; CSV heads are recognised by their header row.

use crate::error::DetectError;
use crate::format::Format;

/// How many leading bytes [`detect`] looks at (and [`crate::parse`] reads for it).
pub const DETECT_HEAD_BYTES: usize = 256 * 1024;

/// Picks the format of a findings file from its first bytes (up to [`DETECT_HEAD_BYTES`];
/// a truncated head is fine). Never looks at a file name. On failure the error lists every
/// format tried and what was seen.
pub fn detect(head: &[u8]) -> Result<Format, DetectError> {
    let fail = |reason: String| DetectError {
        tried: Format::ALL.to_vec(),
        reason,
    };
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(fail("empty input".to_owned()));
    };
    let text = &text[start..];
    match text[0] {
        b'{' | b'[' => {
            let scan = JsonHead::scan(text);
            detect_json(&scan).ok_or_else(|| fail(scan.describe()))
        }
        _ => detect_csv(text).ok_or_else(|| {
            let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
            let shown = String::from_utf8_lossy(&first_line[..first_line.len().min(120)])
                .trim()
                .to_owned();
            fail(format!(
                "not JSON, and not a known CSV header (first line: {shown:?})"
            ))
        }),
    }
}

fn detect_json(scan: &JsonHead) -> Option<Format> {
    let has = |k: &str| scan.has_key(k);
    let top = |k: &str| scan.has_key_at(k, scan.record_depth());
    if scan
        .value_of("$schema")
        .is_some_and(|v| v.contains("sarif"))
        || (top("runs") && scan.value_of("version") == Some("2.1.0"))
    {
        return Some(Format::Sarif);
    }
    if scan.value_of("SchemaVersion") == Some("2018-10-08")
        || (has("ProductArn") && has("AwsAccountId") && has("GeneratorId"))
        || scan
            .value_of("detail-type")
            .is_some_and(|v| v.starts_with("Security Hub Findings"))
        || ((scan.has_key_at("Findings", 1) || scan.has_key_at("findings", 1))
            && !scan.top_is_array
            && (scan.keys.len() == 1
                || (scan.has_key_at("Id", 3)
                    && [
                        "Title",
                        "Resources",
                        "ProductArn",
                        "GeneratorId",
                        "Severity",
                    ]
                    .iter()
                    .any(|k| scan.has_key_at(k, 3)))))
    {
        return Some(Format::Asff);
    }
    if has("finding_info") && (has("status_code") || has("metadata")) {
        return Some(Format::ProwlerOcsf);
    }
    if (has("FindingUniqueId") && has("CheckID"))
        || (has("Account Number") && has("Control") && has("Control ID"))
    {
        return Some(Format::ProwlerJson);
    }
    if has("EvaluationResults") || has("ComplianceByResources") {
        return Some(Format::AwsConfig);
    }
    if has("checkov_version") || has("failed_checks") || (has("check_type") && has("results")) {
        return Some(Format::Checkov);
    }
    if has("kics_version") || (has("queries") && has("total_counter")) {
        return Some(Format::Kics);
    }
    if has("ArtifactName")
        || has("Misconfigurations")
        || (has("ClusterName") && (has("Resources") || has("Vulnerabilities")))
        || (has("Results") && has("Target") && has("Class"))
    {
        return Some(Format::Trivy);
    }
    if has("violations") && (has("scan_summary") || has("rule_name")) {
        return Some(Format::Terrascan);
    }
    if top("results") && (has("rule_id") && has("location") || scan.top_keys() == ["results"]) {
        return Some(Format::Tfsec);
    }
    if (has("issues") && has("nodes"))
        || (has("sourceRule") && (has("entitySnapshot") || has("severity")))
    {
        return Some(Format::WizJson);
    }
    if has("OrcaScore") || (has("alert_id") && has("state") && has("asset_name")) {
        return Some(Format::OrcaJson);
    }
    None
}

fn detect_csv(text: &[u8]) -> Option<Format> {
    let line_end = text.iter().position(|b| *b == b'\n').unwrap_or(text.len());
    let header = String::from_utf8_lossy(&text[..line_end]);
    let header = header.trim_end_matches('\r');
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        ';'
    } else {
        ','
    };
    let columns: Vec<String> = header
        .split(delimiter)
        .map(|c| c.trim().trim_matches('"').to_ascii_uppercase())
        .collect();
    let has = |name: &str| columns.iter().any(|c| c == name);
    if (has("CHECK_ID") && has("STATUS")) || (has("TITLE_ID") && has("CHECK_RESULT")) {
        return Some(Format::ProwlerCsv);
    }
    if has("ISSUE ID") && has("TITLE") && has("SEVERITY") && has("STATUS") {
        return Some(Format::WizCsv);
    }
    if has("ORCASCORE") && has("TITLE") {
        return Some(Format::OrcaCsv);
    }
    None
}

/// What a lenient scan of a JSON head found.
struct JsonHead {
    /// Whether the document is an array at the top.
    top_is_array: bool,
    /// Keys seen, with the nesting depth of their object (1 = top-level object).
    keys: Vec<(usize, String)>,
    /// String values seen, with their key.
    values: Vec<(String, String)>,
}

/// Bounds on what the scanner keeps, so a hostile head cannot blow up memory.
const MAX_KEYS: usize = 20_000;
const MAX_STRING: usize = 512;

impl JsonHead {
    fn scan(text: &[u8]) -> JsonHead {
        let mut head = JsonHead {
            top_is_array: text.first() == Some(&b'['),
            keys: Vec::new(),
            values: Vec::new(),
        };
        let mut depth = 0usize;
        let mut i = 0usize;
        let mut last_key: Option<String> = None;
        let mut expecting_value = false;
        while i < text.len() && head.keys.len() < MAX_KEYS {
            match text[i] {
                b'{' | b'[' => {
                    depth += 1;
                    expecting_value = false;
                    i += 1;
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                b'"' => {
                    let (s, next) = read_string(text, i + 1);
                    i = next;
                    let mut j = i;
                    while j < text.len() && text[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if text.get(j) == Some(&b':') {
                        head.keys.push((depth, s.clone()));
                        last_key = Some(s);
                        expecting_value = true;
                        i = j + 1;
                    } else {
                        if expecting_value && let Some(k) = last_key.take() {
                            head.values.push((k, s));
                        }
                        expecting_value = false;
                    }
                }
                _ => i += 1,
            }
        }
        head
    }

    /// Depth at which records' keys sit: 2 for a top-level array of objects, else 1.
    fn record_depth(&self) -> usize {
        if self.top_is_array { 2 } else { 1 }
    }

    fn has_key(&self, key: &str) -> bool {
        self.keys.iter().any(|(_, k)| k == key)
    }

    fn has_key_at(&self, key: &str, depth: usize) -> bool {
        self.keys.iter().any(|(d, k)| *d == depth && k == key)
    }

    fn value_of(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn top_keys(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|(d, _)| *d == 1 && !self.top_is_array)
            .map(|(_, k)| k.as_str())
            .collect()
    }

    fn describe(&self) -> String {
        if self.keys.is_empty() {
            return if self.top_is_array {
                "a JSON array with no objects; an empty array carries no format, so give the format explicitly".to_owned()
            } else {
                "a JSON document with no keys".to_owned()
            };
        }
        let depth = self.record_depth();
        let mut shown: Vec<&str> = Vec::new();
        for (d, k) in &self.keys {
            if *d == depth && !shown.contains(&k.as_str()) && shown.len() < 12 {
                shown.push(k);
            }
        }
        let what = if self.top_is_array {
            "JSON array of objects with keys"
        } else {
            "JSON object with keys"
        };
        format!("{what} {}", shown.join(", "))
    }
}

/// Reads a JSON string body starting after the opening quote; returns the text (escapes
/// kept as written except `\"` and `\\`, truncated to [`MAX_STRING`]) and the index after
/// the closing quote (or the end of the head).
fn read_string(text: &[u8], mut i: usize) -> (String, usize) {
    let mut out = Vec::new();
    while i < text.len() {
        match text[i] {
            b'"' => return (String::from_utf8_lossy(&out).into_owned(), i + 1),
            b'\\' if i + 1 < text.len() => {
                if out.len() < MAX_STRING {
                    let c = text[i + 1];
                    out.push(if c == b'"' || c == b'\\' || c == b'/' {
                        c
                    } else {
                        b'?'
                    });
                }
                i += 2;
            }
            c => {
                if out.len() < MAX_STRING {
                    out.push(c);
                }
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_asff_head_is_still_recognised() {
        let head = br#"{"Findings": [{"SchemaVersion": "2018-10-08", "Id": "arn:aws:securi"#;
        assert_eq!(detect(head), Ok(Format::Asff));
    }

    #[test]
    fn empty_input_lists_every_format_tried() {
        let err = detect(b"   \n").unwrap_err();
        assert_eq!(err.tried, Format::ALL.to_vec());
        assert!(err.to_string().contains("empty input"), "{err}");
        assert!(err.to_string().contains("prowler-ocsf"), "{err}");
    }

    #[test]
    fn unknown_json_names_the_keys_it_saw() {
        let err = detect(br#"{"hello": 1, "world": [2]}"#).unwrap_err();
        assert!(err.reason.contains("hello, world"), "{}", err.reason);
    }

    #[test]
    fn empty_array_is_ambiguous() {
        let err = detect(b"[\n  \n]").unwrap_err();
        assert!(err.reason.contains("empty array"), "{}", err.reason);
    }

    #[test]
    fn csv_headers_pick_their_formats() {
        assert_eq!(
            detect(b"AUTH_METHOD;TIMESTAMP;ACCOUNT_UID;FINDING_UID;CHECK_ID;STATUS\n"),
            Ok(Format::ProwlerCsv)
        );
        assert_eq!(
            detect(b"Created At,Title,Severity,Status,Description,Issue ID\n"),
            Ok(Format::WizCsv)
        );
        assert_eq!(detect(b"OrcaScore,Title,Category\n"), Ok(Format::OrcaCsv));
        assert!(detect(b"name,age\nbob,3\n").is_err());
    }
}

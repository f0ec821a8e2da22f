//! KICS JSON: `queries[]`, each with its `files[]` hits; one finding per hit.
//!
//! KICS reports failures only, so every hit is open. Title: the query name (the
//! category is a tag). Remediation: the expected value (what KICS wants to see), with the
//! query URL. Resource: `resource_type.resource_name` when KICS gives them, else the
//! Terraform address read from `search_key` (`aws_s3_bucket[this]` → `aws_s3_bucket.this`).
//! Fingerprint: `similarity_id` (KICS's own stable id) plus the expected value when
//! present (one rule can fire several times at one place with different expectations,
//! sharing a similarity id), else query id, file, line, search key and expected value.

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
    let plan = Node::object().key(&["queries"], Node::each(Node::record()));
    walk(reader, Format::Kics, &plan, &mut |ctx, query| {
        let query_position = Position::at_path(out.records_seen() + 1, ctx.path);
        let q = Rec::new(&query, Format::Kics, &query_position);
        require_object(&q)?;
        let query_id = q.required_text("query_id")?;
        let files = q.array("files")?;
        for (i, hit) in files.iter().enumerate() {
            let position =
                Position::at_path(out.records_seen() + 1, format!("{}.files[{i}]", ctx.path));
            let rec = Rec::new(hit, Format::Kics, &position);
            require_object(&rec)?;
            let mut f = blank(SourceTool::Kics, Value::Null);
            f.rule_id = query_id.clone();
            f.title = q.text("query_name")?.unwrap_or_else(|| query_id.clone());
            f.description = q.text("description")?.unwrap_or_default();
            set_severity(&mut f, q.text("severity")?.as_deref(), Severity::Info);
            f.status = Status::Open;
            f.file = rec.text("file_name")?;
            f.start_line = rec.line("line")?;
            f.end_line = f.start_line;
            let search_key = rec.text("search_key")?;
            let expected = rec.text("expected_value")?;
            let platform = q.text("platform")?;
            match (rec.text("resource_type")?, rec.text("resource_name")?) {
                (Some(t), Some(n)) => {
                    f.resource_ids.push(format!("{t}.{n}"));
                    f.resource_type = Some(t);
                }
                _ => {
                    let terraform = platform
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("terraform"));
                    if let Some(address) = search_key
                        .as_deref()
                        .filter(|_| terraform)
                        .and_then(address_of_search_key)
                    {
                        f.resource_type = address.split('.').next().map(str::to_owned);
                        f.resource_ids.push(address);
                    }
                }
            }
            f.remediation = expected.clone();
            f.remediation_url = q.text("query_url")?;
            tag(&mut f, "category", q.text("category")?);
            tag(&mut f, "platform", platform);
            tag(&mut f, "issue_type", rec.text("issue_type")?);
            tag(&mut f, "search_key", search_key.clone());
            tag(&mut f, "actual_value", rec.text("actual_value")?);
            tag(&mut f, "kics_remediation", rec.text("remediation")?);
            tag(
                &mut f,
                "kics_remediation_type",
                rec.text("remediation_type")?,
            );
            let similarity = rec.text("similarity_id")?;
            f.fingerprint = match &similarity {
                Some(id) => Fingerprint::of(
                    SourceTool::Kics,
                    &[id, expected.as_deref().unwrap_or_default()],
                ),
                None => {
                    let line = f.start_line.map(|l| l.to_string()).unwrap_or_default();
                    Fingerprint::of(
                        SourceTool::Kics,
                        &[
                            &query_id,
                            f.file.as_deref().unwrap_or_default(),
                            &line,
                            search_key.as_deref().unwrap_or_default(),
                            expected.as_deref().unwrap_or_default(),
                        ],
                    )
                }
            };
            f.source_id = similarity;
            f.raw = hit.clone();
            out.emit(f)?;
        }
        Ok(())
    })
}

/// `aws_s3_bucket_policy[this].policy` → `aws_s3_bucket_policy.this`;
/// `module[s3].versioning` → `module.s3`. `None` when the key has no `type[name]` head.
fn address_of_search_key(key: &str) -> Option<String> {
    let key = key.strip_prefix("resource.").unwrap_or(key);
    let open = key.find('[')?;
    let kind = &key[..open];
    let valid = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return None;
    }
    let rest = &key[open + 1..];
    let close = rest.find(']')?;
    let name = rest[..close].trim_matches(|c| c == '"' || c == '\'');
    (!name.is_empty()).then(|| format!("{kind}.{name}"))
}

#[cfg(test)]
mod tests {
    use super::address_of_search_key;

    #[test]
    fn search_keys_give_terraform_addresses() {
        assert_eq!(
            address_of_search_key("aws_s3_bucket_policy[this].policy").as_deref(),
            Some("aws_s3_bucket_policy.this")
        );
        assert_eq!(
            address_of_search_key("aws_s3_bucket[this]").as_deref(),
            Some("aws_s3_bucket.this")
        );
        assert_eq!(
            address_of_search_key("module[s3].versioning").as_deref(),
            Some("module.s3")
        );
        assert_eq!(address_of_search_key("metadata.name={{example}}"), None);
    }
}

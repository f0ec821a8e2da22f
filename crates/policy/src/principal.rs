//! The wildcard-principal fix inside a JSON policy document written as text (a heredoc): the
//! JSON is walked with byte ranges so that only the offending principal is replaced and the
//! rest of the text (layout, other statements) stays as written.

use std::ops::Range;

use serde::de::IgnoredAny;
use serde_json::Value as Json;

use crate::document::{actions_match, is_allow};

fn skip_ws(text: &str, mut i: usize) -> usize {
    while text
        .as_bytes()
        .get(i)
        .is_some_and(|b| b.is_ascii_whitespace())
    {
        i += 1;
    }
    i
}

/// The range of the JSON value that starts at `start`.
fn value_at(text: &str, start: usize) -> Option<Range<usize>> {
    let mut stream =
        serde_json::Deserializer::from_str(text.get(start..)?).into_iter::<IgnoredAny>();
    stream.next()?.ok()?;
    Some(start..start + stream.byte_offset())
}

/// The members of the object at `range`: key and value range.
fn members(text: &str, range: &Range<usize>) -> Option<Vec<(String, Range<usize>)>> {
    if text.as_bytes().get(range.start) != Some(&b'{') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = skip_ws(text, range.start + 1);
    while text.as_bytes().get(i) != Some(&b'}') {
        let key_range = value_at(text, i)?;
        let key: String = serde_json::from_str(text.get(key_range.clone())?).ok()?;
        i = skip_ws(text, key_range.end);
        if text.as_bytes().get(i) != Some(&b':') {
            return None;
        }
        let value = value_at(text, skip_ws(text, i + 1))?;
        i = skip_ws(text, value.end);
        out.push((key, value));
        if text.as_bytes().get(i) == Some(&b',') {
            i = skip_ws(text, i + 1);
        }
    }
    Some(out)
}

/// The element ranges of the array at `range`.
fn elements(text: &str, range: &Range<usize>) -> Option<Vec<Range<usize>>> {
    if text.as_bytes().get(range.start) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = skip_ws(text, range.start + 1);
    while text.as_bytes().get(i) != Some(&b']') {
        let value = value_at(text, i)?;
        i = skip_ws(text, value.end);
        out.push(value);
        if text.as_bytes().get(i) == Some(&b',') {
            i = skip_ws(text, i + 1);
        }
    }
    Some(out)
}

fn member<'a>(members: &'a [(String, Range<usize>)], key: &str) -> Option<&'a Range<usize>> {
    members.iter().find(|(k, _)| k == key).map(|(_, r)| r)
}

fn parse(text: &str, range: &Range<usize>) -> Option<Json> {
    serde_json::from_str(text.get(range.clone())?).ok()
}

/// The replacement of the first wildcard principal of an Allow statement (whose actions match
/// `prefixes`) in the JSON `text`: `"*"` becomes `{"AWS": "<principal>"}`, and a `"*"` under
/// `AWS` (alone or in a list) becomes `"<principal>"`. `None` when there is none or the text
/// is not a JSON object.
pub(crate) fn wildcard_edit(
    text: &str,
    prefixes: &[String],
    principal: &str,
) -> Option<(Range<usize>, String)> {
    let start = skip_ws(text, 0);
    let doc = value_at(text, start)?;
    let top = members(text, &doc)?;
    let statements = member(&top, "Statement")?;
    let statements = match text.as_bytes().get(statements.start) {
        Some(b'[') => elements(text, statements)?,
        _ => vec![statements.clone()],
    };
    let quoted = format!("\"{principal}\"");
    for st in statements {
        let Some(json) = parse(text, &st) else {
            continue;
        };
        if !is_allow(&json) || !actions_match(&json, prefixes) {
            continue;
        }
        let Some(fields) = members(text, &st) else {
            continue;
        };
        let Some(p) = member(&fields, "Principal") else {
            continue;
        };
        match parse(text, p) {
            Some(Json::String(s)) if s == "*" => {
                return Some((p.clone(), format!("{{\"AWS\": {quoted}}}")));
            }
            Some(Json::Object(_)) => {
                let inner = members(text, p)?;
                let Some(aws) = member(&inner, "AWS") else {
                    continue;
                };
                match parse(text, aws) {
                    Some(Json::String(s)) if s == "*" => return Some((aws.clone(), quoted)),
                    Some(Json::Array(_)) => {
                        let star = elements(text, aws)?
                            .into_iter()
                            .find(|e| parse(text, e) == Some(Json::String("*".into())));
                        if let Some(e) = star {
                            return Some((e, quoted));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root";

    fn fixed(text: &str) -> Option<String> {
        let (r, new) = wildcard_edit(text, &[], ROOT)?;
        let mut out = text.to_string();
        out.replace_range(r, &new);
        Some(out)
    }

    #[test]
    fn a_bare_wildcard_becomes_the_account_root() {
        let text = "{\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Principal\": \"*\",\n    \"Action\": \"sqs:*\"\n  }]\n}\n";
        assert_eq!(
            fixed(text).as_deref(),
            Some(
                "{\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Principal\": {\"AWS\": \"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"},\n    \"Action\": \"sqs:*\"\n  }]\n}\n"
            )
        );
    }

    #[test]
    fn only_the_aws_wildcard_of_an_allow_statement_changes() {
        let text = r#"{"Statement": [
  {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:role/x", "*"]}, "Action": "s3:GetObject", "Resource": "*"}
]}"#;
        let out = fixed(text).expect("fixed");
        assert!(
            out.contains(r#"{"Effect": "Deny", "Principal": "*""#),
            "{out}"
        );
        assert!(
            out.contains(&format!(r#"["arn:aws:iam::1:role/x", "{ROOT}"]"#)),
            "{out}"
        );
    }

    #[test]
    fn statements_outside_the_action_prefixes_or_without_wildcards_are_left() {
        let text =
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*"}}"#;
        assert!(wildcard_edit(text, &["kms:".to_string()], ROOT).is_none());
        let named =
            r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}}}"#;
        assert!(wildcard_edit(named, &[], ROOT).is_none());
        assert!(wildcard_edit("not json", &[], ROOT).is_none());
    }
}

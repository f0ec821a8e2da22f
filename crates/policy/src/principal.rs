//! Fixes inside a JSON policy document written as text (a heredoc): the JSON is walked with
//! byte ranges so that only the offending principal (or the wildcard `Action`) is replaced and
//! the rest of the text (layout, other statements) stays as written.

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

/// Where the first offending principal of an Allow statement (whose actions match the
/// prefixes) is written.
enum Site {
    /// `"Principal": "*"`: the range of the `"*"`.
    Bare(Range<usize>),
    /// `"AWS": "<offending>"`: the range of the string.
    Aws(Range<usize>),
    /// An offending element of an `"AWS"` list: its range, the list's, and whether every
    /// element of the list offends.
    Element {
        element: Range<usize>,
        list: Range<usize>,
        all: bool,
    },
}

/// The ranges of the statements of the JSON document `text`.
fn statements(text: &str) -> Option<Vec<Range<usize>>> {
    let start = skip_ws(text, 0);
    let doc = value_at(text, start)?;
    let top = members(text, &doc)?;
    let statements = member(&top, "Statement")?;
    match text.as_bytes().get(statements.start) {
        Some(b'[') => elements(text, statements),
        _ => Some(vec![statements.clone()]),
    }
}

fn find_site(text: &str, prefixes: &[String], offends: impl Fn(&str) -> bool) -> Option<Site> {
    for st in statements(text)? {
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
            Some(Json::String(s)) if s == "*" => return Some(Site::Bare(p.clone())),
            Some(Json::Object(_)) => {
                let inner = members(text, p)?;
                let Some(aws) = member(&inner, "AWS") else {
                    continue;
                };
                match parse(text, aws) {
                    Some(Json::String(s)) if offends(&s) => return Some(Site::Aws(aws.clone())),
                    Some(Json::Array(items)) => {
                        let offending = |e: &Json| e.as_str().is_some_and(&offends);
                        let all = items.iter().all(offending);
                        let element = elements(text, aws)?
                            .into_iter()
                            .find(|e| parse(text, e).as_ref().is_some_and(offending));
                        if let Some(element) = element {
                            return Some(Site::Element {
                                element,
                                list: aws.clone(),
                                all,
                            });
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

/// The replacement of the first wildcard principal of an Allow statement (whose actions match
/// `prefixes`) in the JSON `text`: `"*"` becomes `{"AWS": "<principal>"}`, and a `"*"` under
/// `AWS` (alone or in a list) becomes `"<principal>"`. `None` when there is none or the text
/// is not a JSON object.
pub(crate) fn wildcard_edit(
    text: &str,
    prefixes: &[String],
    principal: &str,
) -> Option<(Range<usize>, String)> {
    let quoted = format!("\"{principal}\"");
    Some(match find_site(text, prefixes, |s| s == "*")? {
        Site::Bare(r) => (r, format!("{{\"AWS\": {quoted}}}")),
        Site::Aws(r) | Site::Element { element: r, .. } => (r, quoted),
    })
}

/// The replacement of the first offending AWS principal of an Allow statement (`*`, or with
/// `account_root` also a whole account) with `value`, JSON text standing for a list of
/// principals: `"*"` becomes `{"AWS": <value>}`, an offending `"AWS"` string or a list of
/// only offending ones becomes `<value>`. `None` when there is none, or when the list also
/// names other principals (they would be lost).
pub(crate) fn input_edit(
    text: &str,
    prefixes: &[String],
    account_root: bool,
    value: &str,
) -> Option<(Range<usize>, String)> {
    let offends = |s: &str| s == "*" || (account_root && is_account_root(s));
    match find_site(text, prefixes, offends)? {
        Site::Bare(r) => Some((r, format!("{{\"AWS\": {value}}}"))),
        Site::Aws(r)
        | Site::Element {
            list: r, all: true, ..
        } => Some((r, value.to_string())),
        Site::Element { all: false, .. } => None,
    }
}

/// The range of the `Action` value of the first Allow statement that grants `*` on `*`.
pub(crate) fn admin_action(text: &str) -> Option<Range<usize>> {
    statements(text)?.into_iter().find_map(|st| {
        let json = parse(text, &st)?;
        if !crate::document::is_admin(&json) {
            return None;
        }
        member(&members(text, &st)?, "Action").cloned()
    })
}

/// Whether an AWS principal names a whole account: a bare 12-digit account id (which IAM
/// reads as that account's root) or `arn:<aws partition>:iam::<account>:root`, in any
/// partition (`aws`, `aws-cn`, `aws-us-gov`, …) and with an interpolated account id.
pub(crate) fn is_account_root(principal: &str) -> bool {
    let v = principal.trim();
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    // `arn:aws:iam::<account>:root`, or `arn:aws:iam::root` with the account left out.
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let aws_partition = |p: &str| p == "aws" || p.starts_with("aws-");
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", "root"] | ["arn", partition, "iam", "", _, "root"]
            if aws_partition(partition)
    )
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

    #[test]
    fn an_input_replaces_a_whole_offending_principal_and_the_admin_action_is_found() {
        let value = "${jsonencode(var.p)}";
        let root =
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["123456789012", "*"]}}]}"#;
        let (r, new) = input_edit(root, &[], true, value).expect("edit");
        assert_eq!(
            (&root[r], new.as_str()),
            (r#"["123456789012", "*"]"#, value)
        );
        // Without account roots offending, the list also names a principal that stays.
        assert!(input_edit(root, &[], false, value).is_none());
        let bare = r#"{"Statement": {"Effect": "Allow", "Principal": "*"}}"#;
        let (r, new) = input_edit(bare, &[], true, value).expect("edit");
        assert_eq!(
            (&bare[r], new.as_str()),
            ("\"*\"", r#"{"AWS": ${jsonencode(var.p)}}"#)
        );
        let admin = r#"{"Statement": [
  {"Effect": "Deny", "Action": "*", "Resource": "*"},
  {"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}
]}"#;
        let r = admin_action(admin).expect("admin statement");
        assert_eq!(&admin[r], r#"["*"]"#);
        assert!(
            admin_action(r#"{"Statement": {"Action": "*", "Resource": "arn:aws:s3:::b"}}"#)
                .is_none()
        );
    }

    #[test]
    fn account_roots_in_every_form_are_recognised() {
        for root in [
            "arn:aws:iam::123456789012:root",
            "arn:aws-cn:iam::123456789012:root",
            "arn:aws-us-gov:iam::123456789012:root",
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
            "arn:aws:iam::root",
            "123456789012",
        ] {
            assert!(is_account_root(root), "{root}");
        }
        for other in [
            "arn:aws:iam::123456789012:role/deploy",
            "arn:aws:iam::123456789012:user/root",
            "arn:aws:sts::123456789012:root",
            "1234567890123",
            "*",
        ] {
            assert!(!is_account_root(other), "{other}");
        }
    }
}

//! JSON policy documents: heredocs, strings, `jsonencode(…)` and `data.aws_iam_policy_document`.

use serde_json::{Map, Value as Json};

use crate::catalog::{DocumentRule, DocumentSpec, Missing, Report};
use crate::cond::{Child, Ctx, Node, Verdict};
use crate::edit::{Edit, FixKind};
use crate::syntax::{Block, ValKind, indent_at};

/// A document and, when it is written as JSON text in the file, where that text starts.
struct Doc<'r> {
    json: Json,
    /// The `data "aws_iam_policy_document"` block the document comes from, with its file.
    data: Option<(usize, &'r Block)>,
    /// `(file, byte offset, text)` of the JSON text, for heredocs.
    text: Option<(usize, usize, String)>,
}

pub(crate) fn eval<'r>(
    ctx: &Ctx<'r, '_>,
    spec: &DocumentSpec,
    report: Option<Report>,
    node: Node<'r>,
) -> Verdict {
    let subject_span = ctx.subject.block.span.clone();
    let (doc, attr_span) = if spec.attr.is_empty() {
        if ctx.subject.rtype != "data.aws_iam_policy_document" {
            return Verdict::Unknown(
                "a document check without `attr` needs a policy document subject".into(),
            );
        }
        (
            Doc {
                json: from_data_block(ctx, ctx.subject.block, node.file),
                data: Some((node.file, ctx.subject.block)),
                text: None,
            },
            subject_span.clone(),
        )
    } else {
        match node.child(&spec.attr) {
            None | Some(Child::Block(_)) => {
                if spec.missing == Some(Missing::Fail) {
                    let msg = format!("`{}` is not set", spec.attr);
                    let mut hit = ctx.hit(ctx.subject.file, subject_span, msg, 0, None);
                    hit.no_fix = Some(format!(
                        "write a `{}` that names the principals allowed",
                        spec.attr
                    ));
                    return Verdict::Fails(vec![hit]);
                }
                return Verdict::Holds;
            }
            Some(Child::Value { val, report }) => {
                let r = ctx.repo.resolve(val, node.file, &ctx.subject.scope);
                let file = &ctx.repo.files[r.file];
                let doc = match &r.val.kind {
                    ValKind::Heredoc {
                        content,
                        content_start,
                    } => match serde_json::from_str(content) {
                        Ok(json) => Doc {
                            json,
                            data: None,
                            text: Some((r.file, *content_start, content.clone())),
                        },
                        Err(e) => {
                            return Verdict::Unknown(format!("`{}` is not JSON: {e}", spec.attr));
                        }
                    },
                    ValKind::Str(s) => match serde_json::from_str(s) {
                        Ok(json) => Doc {
                            json,
                            data: None,
                            text: None,
                        },
                        Err(e) => {
                            return Verdict::Unknown(format!("`{}` is not JSON: {e}", spec.attr));
                        }
                    },
                    ValKind::Call { name, args } if name == "jsonencode" => match args.first() {
                        Some(arg) => Doc {
                            json: to_json(arg, &file.text),
                            data: None,
                            text: None,
                        },
                        None => return Verdict::Unknown("jsonencode() without argument".into()),
                    },
                    ValKind::Traversal(t) if t.starts_with("data.aws_iam_policy_document.") => {
                        let name = t.split('.').nth(2).unwrap_or("");
                        match find_data(ctx, name) {
                            Some((fi, b)) => Doc {
                                json: from_data_block(ctx, b, fi),
                                data: Some((fi, b)),
                                text: None,
                            },
                            None => {
                                return Verdict::Unknown(format!("`{t}` is not in this module"));
                            }
                        }
                    }
                    _ => return Verdict::Unknown(format!("`{}` cannot be evaluated", spec.attr)),
                };
                (doc, report)
            }
        }
    };
    let Some(found) = check(&doc.json, spec) else {
        return Verdict::Holds;
    };
    let (file, span) = match report {
        Some(Report::Resource) => (ctx.subject.file, subject_span),
        Some(Report::Match) => match (&doc.text, &found) {
            (Some((fi, start, text)), Some(needle)) => match text.find(&format!("\"{needle}\"")) {
                Some(i) => (*fi, start + i..start + i + needle.len() + 2),
                None => (node.file, attr_span.clone()),
            },
            _ => (node.file, attr_span.clone()),
        },
        _ => (node.file, attr_span.clone()),
    };
    let message = match spec.rule {
        DocumentRule::AnyPrincipal => "the policy allows any principal".to_string(),
        DocumentRule::AnyPrincipalOrAccountRoot => {
            "the trust policy lets any principal (or a whole account) assume the role".to_string()
        }
        DocumentRule::FullAdmin => "the policy allows `*` actions on `*` resources".to_string(),
        DocumentRule::WildcardAction => "the policy allows `*` actions".to_string(),
        DocumentRule::RequireSecureTransport => {
            "the policy does not deny requests without TLS".to_string()
        }
    };
    let fix = if spec.rule == DocumentRule::RequireSecureTransport {
        secure_transport_fix(ctx, node, &doc)
    } else {
        None
    };
    let mut hit = ctx.hit(file, span, message, 2, fix);
    if hit.fix.is_none() {
        hit.no_fix = Some(match spec.rule {
            DocumentRule::RequireSecureTransport => "the document is not a literal JSON heredoc with a known bucket: add the Deny statement by hand".into(),
            _ => "narrowing principals or actions needs knowledge of who must keep access: change the statement by hand".into(),
        });
    }
    Verdict::Fails(vec![hit])
}

/// `None` when the document is fine; `Some(needle)` when not, with the offending string if any.
fn check(doc: &Json, spec: &DocumentSpec) -> Option<Option<String>> {
    let statements = statements(doc);
    match spec.rule {
        DocumentRule::AnyPrincipal | DocumentRule::AnyPrincipalOrAccountRoot => {
            let root = spec.rule == DocumentRule::AnyPrincipalOrAccountRoot;
            for st in &statements {
                if !is_allow(st) || !actions_match(st, &spec.action_prefixes) {
                    continue;
                }
                if let Some(p) = st.get("Principal")
                    && let Some(needle) = any_principal(p, root)
                {
                    return Some(Some(needle));
                }
            }
            None
        }
        DocumentRule::FullAdmin => statements
            .iter()
            .any(|st| {
                is_allow(st)
                    && strings(st, "Action").iter().any(|a| a == "*" || a == "*:*")
                    && strings(st, "Resource").iter().any(|r| r == "*")
            })
            .then_some(None),
        DocumentRule::WildcardAction => statements
            .iter()
            .any(|st| is_allow(st) && strings(st, "Action").iter().any(|a| a == "*" || a == "*:*"))
            .then_some(None),
        DocumentRule::RequireSecureTransport => {
            let ok = statements.iter().any(|st| {
                let s3 = strings(st, "Action")
                    .iter()
                    .any(|a| a == "*" || a.starts_with("s3:"));
                let secure = st
                    .get("Condition")
                    .and_then(|c| c.get("Bool"))
                    .and_then(|b| b.get("aws:SecureTransport"))
                    .map(flat_strings)
                    .unwrap_or_default();
                let effect = st.get("Effect").and_then(Json::as_str).unwrap_or("Allow");
                s3 && ((effect == "Deny" && secure.iter().any(|s| s == "false"))
                    || (effect == "Allow" && secure.iter().any(|s| s == "true")))
            });
            (!ok).then_some(None)
        }
    }
}

fn statements(doc: &Json) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(o @ Json::Object(_)) => vec![o],
        _ => Vec::new(),
    }
}

fn is_allow(st: &Json) -> bool {
    st.get("Effect")
        .and_then(Json::as_str)
        .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
}

fn actions_match(st: &Json, prefixes: &[String]) -> bool {
    prefixes.is_empty()
        || strings(st, "Action")
            .iter()
            .any(|a| a == "*" || prefixes.iter().any(|p| a.starts_with(p.as_str())))
}

fn flat_strings(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Bool(b) => vec![b.to_string()],
        Json::Array(a) => a.iter().flat_map(flat_strings).collect(),
        _ => Vec::new(),
    }
}

fn strings(st: &Json, key: &str) -> Vec<String> {
    st.get(key).map(flat_strings).unwrap_or_default()
}

fn any_principal(p: &Json, account_root: bool) -> Option<String> {
    let values: Vec<String> = match p {
        Json::String(s) => vec![s.clone()],
        Json::Object(m) => m.get("AWS").map(flat_strings).unwrap_or_default(),
        _ => Vec::new(),
    };
    values
        .into_iter()
        .find(|v| v == "*" || (account_root && v.contains("arn:aws:iam::") && v.contains(":root")))
}

fn find_data<'r>(ctx: &Ctx<'r, '_>, name: &str) -> Option<(usize, &'r Block)> {
    for (fi, f) in ctx.repo.files_in(&ctx.subject.scope.dir) {
        for b in f.body.blocks_named("data") {
            if b.labels.first().map(String::as_str) == Some("aws_iam_policy_document")
                && b.labels.get(1).map(String::as_str) == Some(name)
            {
                return Some((fi, b));
            }
        }
    }
    None
}

/// The JSON equivalent of a `data "aws_iam_policy_document"` block's statements.
fn from_data_block(ctx: &Ctx<'_, '_>, block: &Block, file: usize) -> Json {
    let src = &ctx.repo.files[file].text;
    let mut statements = Vec::new();
    for st in block.body.blocks_named("statement") {
        let mut m = Map::new();
        let effect = st
            .body
            .attr("effect")
            .map_or(Json::String("Allow".into()), |a| to_json(&a.value, src));
        m.insert("Effect".into(), effect);
        if let Some(a) = st.body.attr("actions") {
            m.insert("Action".into(), to_json(&a.value, src));
        }
        if let Some(a) = st.body.attr("resources") {
            m.insert("Resource".into(), to_json(&a.value, src));
        }
        let mut principals = Map::new();
        for p in st.body.blocks_named("principals") {
            let kind = p.body.attr("type").map(|a| to_json(&a.value, src));
            let ids = p
                .body
                .attr("identifiers")
                .map(|a| to_json(&a.value, src))
                .unwrap_or(Json::Null);
            if let Some(Json::String(kind)) = kind {
                if kind == "*" {
                    m.insert("Principal".into(), Json::String("*".into()));
                } else {
                    principals.insert(kind, ids);
                }
            }
        }
        if !principals.is_empty() && !m.contains_key("Principal") {
            m.insert("Principal".into(), Json::Object(principals));
        }
        let mut conditions = Map::new();
        for c in st.body.blocks_named("condition") {
            let test = c.body.attr("test").map(|a| to_json(&a.value, src));
            let var = c.body.attr("variable").map(|a| to_json(&a.value, src));
            let values = c
                .body
                .attr("values")
                .map(|a| to_json(&a.value, src))
                .unwrap_or(Json::Null);
            if let (Some(Json::String(test)), Some(Json::String(var))) = (test, var) {
                let entry = conditions
                    .entry(test)
                    .or_insert_with(|| Json::Object(Map::new()));
                if let Json::Object(inner) = entry {
                    inner.insert(var, values);
                }
            }
        }
        if !conditions.is_empty() {
            m.insert("Condition".into(), Json::Object(conditions));
        }
        statements.push(Json::Object(m));
    }
    let mut doc = Map::new();
    doc.insert("Statement".into(), Json::Array(statements));
    Json::Object(doc)
}

/// An HCL value as JSON; references and calls become their source text.
fn to_json(val: &crate::syntax::Val, src: &str) -> Json {
    match &val.kind {
        ValKind::Null => Json::Null,
        ValKind::Bool(b) => Json::Bool(*b),
        ValKind::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        ValKind::Str(s) => Json::String(s.clone()),
        ValKind::List(items) => Json::Array(items.iter().map(|i| to_json(i, src)).collect()),
        ValKind::Object(items) => Json::Object(
            items
                .iter()
                .map(|i| (i.key.clone(), to_json(&i.value, src)))
                .collect(),
        ),
        _ => Json::String(val.text(src).to_string()),
    }
}

/// Inserts a Deny-without-TLS statement at the start of a heredoc's `Statement` array.
fn secure_transport_fix(
    ctx: &Ctx<'_, '_>,
    node: Node<'_>,
    doc: &Doc<'_>,
) -> Option<(FixKind, Edit)> {
    let arn = bucket_arn(ctx, node)?;
    if let Some((fi, block)) = doc.data {
        return data_statement_fix(ctx, fi, block, &arn);
    }
    let (fi, start, text) = doc.text.as_ref()?;
    let key = text.find("\"Statement\"")?;
    let open = key + text[key..].find('[')?;
    let after = text[open + 1..].trim_start();
    let empty = after.starts_with(']');
    let file = &ctx.repo.files[*fi];
    let indent = format!("{}  ", indent_at(&file.text, start + key));
    let statement = format!(
        "{{\n{i}  \"Sid\": \"DenyInsecureTransport\",\n{i}  \"Effect\": \"Deny\",\n{i}  \"Principal\": \"*\",\n{i}  \"Action\": \"s3:*\",\n{i}  \"Resource\": [\"{arn}\", \"{arn}/*\"],\n{i}  \"Condition\": {{\"Bool\": {{\"aws:SecureTransport\": \"false\"}}}}\n{i}}}",
        i = indent
    );
    let insert = if empty {
        format!("\n{indent}{statement}")
    } else {
        format!("\n{indent}{statement},")
    };
    let at = start + open + 1;
    Some((
        FixKind::AddStatement,
        Edit {
            file: file.path.clone(),
            range: at..at,
            text: insert,
        },
    ))
}

/// Adds a Deny-without-TLS `statement` block to a `data "aws_iam_policy_document"`.
fn data_statement_fix(
    ctx: &Ctx<'_, '_>,
    fi: usize,
    block: &Block,
    arn: &str,
) -> Option<(FixKind, Edit)> {
    let file = &ctx.repo.files[fi];
    let statement = format!(
        "{{\n  sid       = \"DenyInsecureTransport\"\n  effect    = \"Deny\"\n  actions   = [\"s3:*\"]\n  resources = [\"{arn}\", \"{arn}/*\"]\n\n  principals {{\n    type        = \"*\"\n    identifiers = [\"*\"]\n  }}\n\n  condition {{\n    test     = \"Bool\"\n    variable = \"aws:SecureTransport\"\n    values   = [\"false\"]\n  }}\n}}"
    );
    let edit = crate::edit::insert_block_into(
        &file.path,
        &file.text,
        &block.span,
        "statement",
        &statement,
    )?;
    Some((FixKind::AddStatement, edit))
}

/// The bucket's ARN as HCL template text, from the subject's `bucket` attribute.
fn bucket_arn(ctx: &Ctx<'_, '_>, node: Node<'_>) -> Option<String> {
    let Child::Value { val, .. } = node.child("bucket")? else {
        return None;
    };
    let r = ctx.repo.resolve(val, node.file, &ctx.subject.scope);
    match &r.val.kind {
        ValKind::Str(name) if !name.contains(['"', '$', '\\']) => {
            Some(format!("arn:aws:s3:::{name}"))
        }
        ValKind::Traversal(t) if ctx.subject.rtype == "aws_s3_bucket_policy" => {
            let base = t
                .strip_suffix(".id")
                .or_else(|| t.strip_suffix(".bucket"))?;
            base.starts_with("aws_s3_bucket.")
                .then(|| format!("${{{base}.arn}}"))
        }
        _ => None,
    }
}

//! JSON policy documents: heredocs, strings, `jsonencode(…)` and `data.aws_iam_policy_document`.

use redress_iac::{Block, Expr, ExprKind, Span};
use serde_json::Value as Json;

use crate::catalog::{Cond, DocumentRule, DocumentSpec, Missing, Report};
use crate::cond::{Child, Ctx, Node, NodeKind, Verdict, Via, via};
use crate::doc_values::{Entry, GENERATED, Mode, OPTIONAL, Reader, materialize, to_json};
use crate::edit::{Edit, FixKind, indent_at, insert_into, range};
use crate::principal::is_account_root;
use crate::validated::{Shape, marker_shape};

/// A document and, when it is written as JSON text in the file, where that text starts.
pub(crate) struct Doc<'r> {
    pub json: Json,
    /// The `data "aws_iam_policy_document"` block the document comes from, with its file.
    pub data: Option<(&'r str, &'r Block)>,
    /// `(file, byte offset, text)` of the JSON text, for heredocs (interpolations written in
    /// place of a value replaced by same-length placeholders, see [`crate::heredoc`]).
    pub text: Option<(&'r str, usize, String)>,
    /// The argument of `jsonencode(…)`, with its file.
    pub object: Option<(&'r str, &'r Expr)>,
    /// The kind of an edit of the document where it is written (`data` documents: `SetValue`).
    pub kind: FixKind,
}

pub(crate) fn eval<'r>(
    ctx: &Ctx<'r>,
    spec: &DocumentSpec,
    cond: &Cond,
    node: &Node<'r>,
) -> Verdict {
    let subject_span = ctx.subject.block.span;
    let (doc, attr_span, reader) = if spec.attr.is_empty() {
        if ctx.subject.rtype != "data.aws_iam_policy_document" {
            return Verdict::Unknown(
                "a document check without `attr` needs a policy document subject".into(),
            );
        }
        let reader = Reader::new(ctx, &node.ctx, node.file);
        (
            Doc {
                json: reader.data_block(ctx.subject.block),
                data: Some((node.file, ctx.subject.block)),
                text: None,
                object: None,
                kind: FixKind::SetValue,
            },
            subject_span,
            reader,
        )
    } else {
        match node.child(&spec.attr) {
            None | Some(Child::Block(_)) => {
                if spec.missing == Some(Missing::Fail) {
                    let msg = format!("`{}` is not set", spec.attr);
                    let fix = missing_fix(ctx, spec, cond, node);
                    let mut hit = ctx.hit(ctx.subject.file, subject_span, msg, 0, fix);
                    if hit.fix.is_none() {
                        hit.no_fix = Some(format!(
                            "write a `{}` that names the principals allowed",
                            spec.attr
                        ));
                    }
                    return Verdict::Fails(vec![hit]);
                }
                return Verdict::Holds;
            }
            Some(Child::Value { expr, report }) => {
                let r = ctx.resolve(node, expr);
                let src = ctx.repo.text(r.file);
                let reader = Reader::new(ctx, &r.context, r.file);
                let kind = match via(&r) {
                    Via::VariableDefault => FixKind::VariableDefault,
                    Via::Tfvars => FixKind::VariableValue,
                    Via::ModuleInput => FixKind::ModuleInput,
                    _ if ctx.subject.is_module => FixKind::ModuleInput,
                    _ => FixKind::SetValue,
                };
                let doc = match &r.expr.kind {
                    ExprKind::Heredoc(h) => match crate::heredoc::read(ctx, &r, h) {
                        Ok((json, text)) => Doc {
                            json,
                            data: None,
                            text: Some((r.file, h.body.start_byte, text)),
                            object: None,
                            kind,
                        },
                        Err(e) => {
                            return Verdict::Unknown(format!("`{}` is not JSON: {e}", spec.attr));
                        }
                    },
                    ExprKind::String(s) => match serde_json::from_str(s) {
                        Ok(json) => Doc {
                            json,
                            data: None,
                            text: None,
                            object: None,
                            kind,
                        },
                        Err(e) => {
                            return Verdict::Unknown(format!("`{}` is not JSON: {e}", spec.attr));
                        }
                    },
                    ExprKind::Call(call) if call.name == "jsonencode" => match call.args.first() {
                        Some(arg) => Doc {
                            json: to_json(arg, src, &|e| reader.placeholder(e)),
                            data: None,
                            text: None,
                            object: Some((r.file, arg)),
                            kind,
                        },
                        None => return Verdict::Unknown("jsonencode() without argument".into()),
                    },
                    _ => match crate::data_doc::data_reference(r.expr) {
                        Some((name, index)) => {
                            return crate::data_doc::data_instances(
                                ctx, spec, cond, node, &r, name, index, report,
                            );
                        }
                        None => {
                            return Verdict::Unknown(format!(
                                "`{}` cannot be evaluated",
                                spec.attr
                            ));
                        }
                    },
                };
                (doc, report, reader)
            }
        }
    };
    judge(ctx, spec, cond, node, &doc, attr_span, &reader)
}

/// The verdict on one document read by `reader`.
pub(crate) fn judge<'r>(
    ctx: &Ctx<'r>,
    spec: &DocumentSpec,
    cond: &Cond,
    node: &Node<'r>,
    doc: &Doc<'r>,
    attr_span: Span,
    reader: &Reader<'_, 'r>,
) -> Verdict {
    let report = cond.report;
    let subject_span = ctx.subject.block.span;
    let entries = reader.take_entries();
    let json = materialize(&doc.json, &entries, Mode::Text, None);
    let found = match settle(&doc.json, &json, &entries, spec) {
        Ok(found) => found,
        Err(verdict) => return verdict,
    };
    // A failure caused by a value written elsewhere (a default, tfvars, a caller's input, a
    // local) is reported where that value is written.
    // One generated by a `dynamic "statement"` block is reported at its `content` block.
    let content = generated_at(&json, spec, reader);
    let at = written_at(&doc.json, &entries, spec)
        .or_else(|| content.as_ref().map(|(f, sp)| (f.as_str(), *sp)))
        .unwrap_or((node.file, attr_span));
    let (file, span) = match report {
        Some(Report::Resource) => (ctx.subject.file, subject_span),
        Some(Report::Match) => match (&doc.text, &found) {
            (Some((fi, start, text)), Some(needle)) => match text.find(&format!("\"{needle}\"")) {
                Some(i) => (*fi, byte_span(ctx, fi, start + i, needle.len() + 2)),
                None => at,
            },
            _ => at,
        },
        _ => at,
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
    let fix = match spec.rule {
        DocumentRule::RequireSecureTransport => secure_transport_fix(ctx, node, doc),
        DocumentRule::FullAdmin if spec.action_input.is_some() => {
            crate::input_fix::action(ctx, spec, doc, &|e| reader.value(e))
        }
        DocumentRule::AnyPrincipal | DocumentRule::AnyPrincipalOrAccountRoot
            if spec.principal_input.is_some() =>
        {
            crate::input_fix::principal(ctx, spec, doc, &|e| reader.value(e))
        }
        DocumentRule::AnyPrincipal => principal_fix(ctx, spec, doc),
        _ => None,
    };
    let mut hit = ctx.hit(file, span, message, 2, fix);
    if hit.fix.is_none()
        && spec.rule != DocumentRule::RequireSecureTransport
        && let Some((_, block)) = doc.data
        && has_dynamic(block)
    {
        hit.no_fix = Some("the document has `dynamic` blocks and the offending value is not in a `statement` block a fix can change: change the `dynamic` block's `content` or its `for_each` value by hand".into());
    } else if hit.fix.is_none() {
        hit.no_fix = Some(match spec.rule {
            DocumentRule::RequireSecureTransport => "the document is not a literal JSON heredoc with a known bucket: add the Deny statement by hand".into(),
            _ if spec.action_input.is_some() || spec.principal_input.is_some() => "the wildcard could not be replaced in place (it shares a principal list with principals that do not offend, or the document is not a heredoc, `jsonencode` object or policy document): change it by hand".into(),
            DocumentRule::AnyPrincipal if spec.principal_fix.is_some() => "the document is not a literal JSON heredoc: replace the wildcard principal by hand with the principals that need access".into(),
            _ => "narrowing principals or actions needs knowledge of who must keep access: change the statement by hand".into(),
        });
    }
    Verdict::Fails(vec![hit])
}

/// The document's verdict when it does not fail (`Err`), or what offends (`Ok`). `raw` holds
/// the placeholders of the values read ([`crate::doc_values`]), `json` the document with
/// known values in place and unknown ones as their text. A pass that an unknown value could
/// turn into a failure, or (`require_secure_transport`) a failure it could turn into a pass, is
/// unknown.
fn settle(
    raw: &Json,
    json: &Json,
    entries: &[Entry],
    spec: &DocumentSpec,
) -> Result<Option<String>, Verdict> {
    let bare = without_optional(json);
    if bare != *json && check(json, spec).is_some() != check(&bare, spec).is_some() {
        return Err(Verdict::Unknown(
            "the statements of a `dynamic \"statement\"` block decide the result, and its `for_each` cannot be evaluated".into(),
        ));
    }
    let unknown = entries.iter().find(|e| e.json.is_none());
    let cannot = |e: &Entry| {
        Verdict::Unknown(format!(
            "`{}` in the policy document cannot be evaluated",
            e.text
        ))
    };
    let secure = spec.rule == DocumentRule::RequireSecureTransport;
    match check(json, spec) {
        None => {
            if let Some(why) = unproven(json, spec) {
                return Err(Verdict::Unknown(why));
            }
            match unknown {
                Some(e)
                    if !secure
                        && check(&materialize(raw, entries, Mode::Worst, None), spec).is_some() =>
                {
                    Err(cannot(e))
                }
                _ => Err(Verdict::Holds),
            }
        }
        Some(found) => match unknown {
            Some(e)
                if secure
                    && check(&materialize(raw, entries, Mode::Best, None), spec).is_none() =>
            {
                Err(cannot(e))
            }
            _ => Ok(found),
        },
    }
}

/// Where the first statement generated by a `dynamic "statement"` block that offends by
/// itself is written (its `content` block).
fn generated_at(
    json: &Json,
    spec: &DocumentSpec,
    reader: &Reader<'_, '_>,
) -> Option<(String, Span)> {
    if spec.rule == DocumentRule::RequireSecureTransport {
        return None;
    }
    statements(json).into_iter().find_map(|st| {
        let i = usize::try_from(st.get(GENERATED)?.as_u64()?).ok()?;
        let alone = serde_json::json!({ "Statement": [st] });
        check(&alone, spec)?;
        reader.generated(i)
    })
}

/// Whether a policy document block has `dynamic "statement"` or `dynamic "principals"` blocks.
fn has_dynamic(block: &Block) -> bool {
    let dynamic = |b: &Block, name: &str| {
        b.nested("dynamic")
            .any(|d| d.labels.first().is_some_and(|l| l == name))
    };
    dynamic(block, "statement")
        || block
            .nested("statement")
            .any(|st| dynamic(st, "principals"))
}

/// The document without the statements a `dynamic` block whose `for_each` cannot be computed
/// generates ([`OPTIONAL`]).
fn without_optional(doc: &Json) -> Json {
    let mut out = doc.clone();
    if let Some(Json::Array(statements)) = out.get_mut("Statement") {
        statements.retain(|st| st.get(OPTIONAL).is_none());
    }
    out
}

/// Where the value that makes the document fail is written, when it is a value read from
/// elsewhere (the first whose removal makes the document pass).
fn written_at<'e>(
    raw: &Json,
    entries: &'e [Entry],
    spec: &DocumentSpec,
) -> Option<(&'e str, Span)> {
    entries.iter().enumerate().find_map(|(i, e)| {
        let at = e.at.as_ref().map(|(f, s)| (f.as_str(), *s))?;
        check(&materialize(raw, entries, Mode::Without(i), None), spec)
            .is_none()
            .then_some(at)
    })
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
        DocumentRule::FullAdmin => statements.iter().any(|st| is_admin(st)).then_some(None),
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

/// A value from a validated variable that proves nothing about what the rule looks for: a
/// list validated as actions where a trust policy must exclude account roots.
fn unproven(doc: &Json, spec: &DocumentSpec) -> Option<String> {
    if spec.rule != DocumentRule::AnyPrincipalOrAccountRoot {
        return None;
    }
    statements(doc)
        .into_iter()
        .filter(|st| is_allow(st) && actions_match(st, &spec.action_prefixes))
        .filter_map(|st| st.get("Principal")?.get("AWS"))
        .flat_map(flat_strings)
        .find(|p| marker_shape(p) == Some(Shape::Actions))
        .map(|p| {
            let name = p.rsplit(": ").next().unwrap_or("");
            format!(
                "`{name}` is validated as a list of actions, which does not exclude an account root"
            )
        })
}

/// An Allow statement that grants `*` (or `*:*`) actions on `*` resources.
pub(crate) fn is_admin(st: &Json) -> bool {
    is_allow(st)
        && strings(st, "Action").iter().any(|a| a == "*" || a == "*:*")
        && strings(st, "Resource").iter().any(|r| r == "*")
}

fn statements(doc: &Json) -> Vec<&Json> {
    match doc.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(o @ Json::Object(_)) => vec![o],
        _ => Vec::new(),
    }
}

pub(crate) fn is_allow(st: &Json) -> bool {
    st.get("Effect")
        .and_then(Json::as_str)
        .is_none_or(|e| e.eq_ignore_ascii_case("allow"))
}

/// Whether a statement's actions may include one of `prefixes` (all statements when empty; a
/// list from a validated variable may hold any action but `*`).
pub(crate) fn actions_match(st: &Json, prefixes: &[String]) -> bool {
    prefixes.is_empty()
        || strings(st, "Action").iter().any(|a| {
            a == "*"
                || marker_shape(a).is_some()
                || prefixes.iter().any(|p| a.starts_with(p.as_str()))
        })
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
        .find(|v| v == "*" || (account_root && is_account_root(v)))
}

/// The span of `len` bytes at byte `begin` of `file` (on one line).
fn byte_span(ctx: &Ctx<'_>, file: &str, begin: usize, len: usize) -> Span {
    let src = ctx.repo.text(file);
    let line = src.get(..begin).map_or(0, |b| b.matches('\n').count()) + 1;
    let column = src
        .get(..begin)
        .map_or(0, |b| b.len() - b.rfind('\n').map_or(0, |i| i + 1))
        + 1;
    let line = u32::try_from(line).unwrap_or(u32::MAX);
    let column = u32::try_from(column).unwrap_or(u32::MAX);
    Span {
        start_byte: begin,
        end_byte: begin + len,
        start_line: line,
        start_column: column,
        end_line: line,
        end_column: column.saturating_add(u32::try_from(len).unwrap_or(0)),
    }
}

/// The wildcard principal of a heredoc document replaced with `principal_fix`.
fn principal_fix(ctx: &Ctx<'_>, spec: &DocumentSpec, doc: &Doc<'_>) -> Option<(FixKind, Edit)> {
    let principal = spec.principal_fix.as_deref()?;
    let (file, start, text) = doc.text.as_ref()?;
    let (r, new) = crate::principal::wildcard_edit(text, &spec.action_prefixes, principal)?;
    // A document written as a variable default keeps that kind: the principal interpolates a
    // data source, which a default cannot refer to, so `fix_requires` withholds the fix.
    let kind = if doc.kind == FixKind::VariableDefault {
        FixKind::VariableDefault
    } else if ctx.subject.is_module {
        FixKind::ModuleInput
    } else {
        FixKind::SetValue
    };
    Some((
        kind,
        Edit {
            file: (*file).to_string(),
            range: start + r.start..start + r.end,
            text: new,
        },
    ))
}

/// A missing document written with the condition's `fix` value, in the subject's own block.
fn missing_fix(
    ctx: &Ctx<'_>,
    spec: &DocumentSpec,
    cond: &Cond,
    node: &Node<'_>,
) -> Option<(FixKind, Edit)> {
    let value = ctx.fix_text(cond.fix.as_deref()?)?;
    let NodeKind::Block(block) = node.kind else {
        return None;
    };
    if !node.root || spec.attr.contains('.') {
        return None;
    }
    let kind = if ctx.subject.is_module {
        FixKind::ModuleInput
    } else {
        FixKind::AddAttribute
    };
    insert_into(
        node.file,
        ctx.repo.text(node.file),
        &range(&block.span),
        &[spec.attr.as_str()],
        &value,
        ctx.subject.is_module,
    )
    .map(|e| (kind, e))
}

/// Inserts a Deny-without-TLS statement at the start of a heredoc's `Statement` array.
fn secure_transport_fix<'r>(
    ctx: &Ctx<'r>,
    node: &Node<'r>,
    doc: &Doc<'r>,
) -> Option<(FixKind, Edit)> {
    let arn = bucket_arn(ctx, node)?;
    if let Some((file, block)) = doc.data {
        return data_statement_fix(ctx, file, block, &arn);
    }
    let (file, start, text) = doc.text.as_ref()?;
    let key = text.find("\"Statement\"")?;
    let open = key + text[key..].find('[')?;
    let after = text[open + 1..].trim_start();
    let empty = after.starts_with(']');
    let src = ctx.repo.text(file);
    let indent = format!("{}  ", indent_at(src, start + key));
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
            file: (*file).to_string(),
            range: at..at,
            text: insert,
        },
    ))
}

/// Adds a Deny-without-TLS `statement` block to a `data "aws_iam_policy_document"`.
fn data_statement_fix(
    ctx: &Ctx<'_>,
    file: &str,
    block: &Block,
    arn: &str,
) -> Option<(FixKind, Edit)> {
    let statement = format!(
        "{{\n  sid       = \"DenyInsecureTransport\"\n  effect    = \"Deny\"\n  actions   = [\"s3:*\"]\n  resources = [\"{arn}\", \"{arn}/*\"]\n\n  principals {{\n    type        = \"*\"\n    identifiers = [\"*\"]\n  }}\n\n  condition {{\n    test     = \"Bool\"\n    variable = \"aws:SecureTransport\"\n    values   = [\"false\"]\n  }}\n}}"
    );
    let edit = crate::edit::insert_block_into(
        file,
        ctx.repo.text(file),
        &range(&block.span),
        "statement",
        &statement,
    )?;
    Some((FixKind::AddStatement, edit))
}

/// The bucket's ARN as HCL template text, from the subject's `bucket` attribute.
fn bucket_arn<'r>(ctx: &Ctx<'r>, node: &Node<'r>) -> Option<String> {
    let Child::Value { expr, .. } = node.child("bucket")? else {
        return None;
    };
    let r = ctx.resolve(node, expr);
    match &r.expr.kind {
        ExprKind::String(name) if !name.contains(['"', '$', '\\']) => {
            Some(format!("arn:aws:s3:::{name}"))
        }
        _ if ctx.subject.rtype == "aws_s3_bucket_policy" => {
            let t = r.expr.reference()?;
            let base = t
                .strip_suffix(".id")
                .or_else(|| t.strip_suffix(".bucket"))?;
            base.starts_with("aws_s3_bucket.")
                .then(|| format!("${{{base}.arn}}"))
        }
        _ => None,
    }
}

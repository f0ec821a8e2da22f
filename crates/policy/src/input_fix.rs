//! Fixes that make a privilege an explicit, Terraform-validated input instead of guessing a
//! narrower value (`action_input`, `principal_input` in POLICIES.md): the wildcard `Action` of
//! a statement granting `*` on `*`, or a trust policy's wildcard / account-root principal, is
//! replaced with a reference to a variable that the condition's `fix_requires` adds with a
//! `validation` of a shape [`crate::validated`] recognises, and no default, so `terraform plan`
//! asks for the value and Terraform itself refuses wildcards.
//!
//! Where the document is written decides the form: in a heredoc `${jsonencode(var.x)}`, in a
//! `jsonencode({…})` object `var.x`, in a `data "aws_iam_policy_document"` statement
//! `actions = var.x` / `identifiers = var.x`.

use redress_iac::{Block, Expr, ExprKind};
use serde_json::Value as Json;

use crate::catalog::{DocumentRule, DocumentSpec};
use crate::cond::Ctx;
use crate::doc_values::{Refs, from_data_block, to_json};
use crate::document::{Doc, actions_match, is_admin, is_allow};
use crate::edit::{Edit, FixKind, range};
use crate::principal::is_account_root;

/// The input reference (`var.<name>_…`) with `{name}` filled.
fn input(ctx: &Ctx<'_>, template: Option<&str>) -> Option<String> {
    ctx.fix_text(template?)
}

/// The statements of a `jsonencode` argument: `Statement = [{…}, …]` or `Statement = {…}`.
fn object_statements(arg: &Expr) -> Vec<&Expr> {
    match arg.item("Statement").map(|i| &i.value.kind) {
        Some(ExprKind::List(items)) => items
            .iter()
            .filter(|i| matches!(i.kind, ExprKind::Object(_)))
            .collect(),
        Some(ExprKind::Object(_)) => arg
            .item("Statement")
            .map(|i| &i.value)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The `statement` blocks of a policy document with their JSON, in order.
fn data_statements<'b>(block: &'b Block, src: &str, refs: &Refs<'_>) -> Vec<(&'b Block, Json)> {
    let json = from_data_block(block, src, refs);
    let statements = json
        .get("Statement")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    block.nested("statement").zip(statements).collect()
}

fn replace(file: &str, span: &redress_iac::Span, text: String) -> Edit {
    Edit {
        file: file.to_string(),
        range: range(span),
        text,
    }
}

/// `Action` of the first Allow statement granting `*` on `*` replaced with the actions input.
pub(crate) fn action(
    ctx: &Ctx<'_>,
    spec: &DocumentSpec,
    doc: &Doc<'_>,
    refs: &Refs<'_>,
) -> Option<(FixKind, Edit)> {
    let var = input(ctx, spec.action_input.as_deref())?;
    if let Some((file, start, text)) = &doc.text {
        let r = crate::principal::admin_action(text)?;
        let edit = Edit {
            file: (*file).to_string(),
            range: start + r.start..start + r.end,
            text: format!("${{jsonencode({var})}}"),
        };
        return Some((doc.kind, edit));
    }
    if let Some((file, arg)) = doc.object {
        let src = ctx.repo.text(file);
        let st = object_statements(arg)
            .into_iter()
            .find(|st| is_admin(&to_json(st, src, refs)))?;
        return Some((doc.kind, replace(file, &st.item("Action")?.value.span, var)));
    }
    let (file, block) = doc.data?;
    let (st, _) = data_statements(block, ctx.repo.text(file), refs)
        .into_iter()
        .find(|(_, json)| is_admin(json))?;
    let actions = st.attribute("actions")?;
    Some((FixKind::SetValue, replace(file, &actions.expr.span, var)))
}

/// The first offending principal of an Allow statement replaced with the principals input;
/// `None` when it sits in a list that also names other principals.
pub(crate) fn principal(
    ctx: &Ctx<'_>,
    spec: &DocumentSpec,
    doc: &Doc<'_>,
    refs: &Refs<'_>,
) -> Option<(FixKind, Edit)> {
    let var = input(ctx, spec.principal_input.as_deref())?;
    let root = spec.rule == DocumentRule::AnyPrincipalOrAccountRoot;
    let offends = |s: &str| s == "*" || (root && is_account_root(s));
    // Every string of the value offends (a list of only offending principals is replaced whole).
    let all_offend = |v: &Json| match v {
        Json::String(s) => offends(s),
        Json::Array(items) => {
            !items.is_empty() && items.iter().all(|i| i.as_str().is_some_and(offends))
        }
        _ => false,
    };
    let some_offend = |v: &Json| match v {
        Json::String(s) => offends(s),
        Json::Array(items) => items.iter().any(|i| i.as_str().is_some_and(offends)),
        _ => false,
    };
    if let Some((file, start, text)) = &doc.text {
        let value = format!("${{jsonencode({var})}}");
        let (r, new) = crate::principal::input_edit(text, &spec.action_prefixes, root, &value)?;
        let edit = Edit {
            file: (*file).to_string(),
            range: start + r.start..start + r.end,
            text: new,
        };
        return Some((doc.kind, edit));
    }
    if let Some((file, arg)) = doc.object {
        let src = ctx.repo.text(file);
        for st in object_statements(arg) {
            let json = to_json(st, src, refs);
            if !is_allow(&json) || !actions_match(&json, &spec.action_prefixes) {
                continue;
            }
            let Some(p) = st.item("Principal") else {
                continue;
            };
            if json.get("Principal").and_then(Json::as_str) == Some("*") {
                return Some((
                    doc.kind,
                    replace(file, &p.value.span, format!("{{ AWS = {var} }}")),
                ));
            }
            let Some(aws) = p.value.item("AWS") else {
                continue;
            };
            let value = to_json(&aws.value, src, refs);
            if all_offend(&value) {
                return Some((doc.kind, replace(file, &aws.value.span, var)));
            }
            if some_offend(&value) {
                return None;
            }
        }
        return None;
    }
    let (file, block) = doc.data?;
    let src = ctx.repo.text(file);
    for (st, json) in data_statements(block, src, refs) {
        if !is_allow(&json) || !actions_match(&json, &spec.action_prefixes) {
            continue;
        }
        for p in st.nested("principals") {
            let kind = p.attribute("type").map(|a| to_json(&a.expr, src, refs));
            let ids = p.attribute("identifiers");
            let values = ids.map(|a| to_json(&a.expr, src, refs));
            match kind.as_ref().and_then(Json::as_str) {
                Some("*") => {
                    let text = format!(
                        "principals {{\n  type        = \"AWS\"\n  identifiers = {var}\n}}"
                    );
                    return crate::edit::replace_block(file, src, &range(&p.span), &text)
                        .map(|e| (FixKind::SetValue, e));
                }
                Some("AWS") => match (ids, values) {
                    (Some(ids), Some(v)) if all_offend(&v) => {
                        return Some((FixKind::SetValue, replace(file, &ids.expr.span, var)));
                    }
                    (_, Some(v)) if some_offend(&v) => return None,
                    _ => {}
                },
                _ => {}
            }
        }
    }
    None
}

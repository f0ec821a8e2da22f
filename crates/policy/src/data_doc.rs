//! Documents read from `data "aws_iam_policy_document"` blocks through a reference:
//! `data.aws_iam_policy_document.NAME.json` and `…NAME[INDEX].json`, the instance the index
//! selects (POLICIES.md, "Indexed documents and dynamic blocks").

use redress_iac::expr::TraversalOp;
use redress_iac::{Block, BlockKind, Context, Expr, ExprKind, InstanceKey, Resolved, Span, Value};

use crate::catalog::{Cond, DocumentSpec};
use crate::cond::{Ctx, Node, Verdict};
use crate::doc_values::Reader;
use crate::document::{Doc, judge};
use crate::edit::{FixKind, range};

/// `data.aws_iam_policy_document.NAME.json`, `…NAME[INDEX].json` (or `.policy`, `.minified_json`):
/// the name and the index expression.
pub(crate) fn data_reference(expr: &Expr) -> Option<(&str, Option<&Expr>)> {
    let ExprKind::Traversal { base, ops } = &expr.kind else {
        return None;
    };
    if !matches!(&base.kind, ExprKind::Variable(v) if v == "data") {
        return None;
    }
    let (kind, name, index, last) = match ops.as_slice() {
        [
            TraversalOp::GetAttr(t),
            TraversalOp::GetAttr(n),
            TraversalOp::GetAttr(a),
        ] => (t, n, None, a),
        [
            TraversalOp::GetAttr(t),
            TraversalOp::GetAttr(n),
            TraversalOp::Index(i),
            TraversalOp::GetAttr(a),
        ] => (t, n, Some(i), a),
        _ => return None,
    };
    (kind == "aws_iam_policy_document" && matches!(last.as_str(), "json" | "minified_json"))
        .then_some((name.as_str(), index))
}

/// The document a `data.aws_iam_policy_document.NAME[INDEX].json` reference reads: the
/// instance the index selects, or, when the index (or the instances) cannot be computed,
/// every instance, whose verdict is used when they agree.
#[expect(
    clippy::too_many_arguments,
    reason = "the evaluation state of one condition"
)]
pub(crate) fn data_instances<'r>(
    ctx: &Ctx<'r>,
    spec: &DocumentSpec,
    cond: &Cond,
    node: &Node<'r>,
    r: &Resolved<'r>,
    name: &str,
    index: Option<&Expr>,
    attr_span: Span,
) -> Verdict {
    let Some((file, block)) = find_data(ctx, &r.context, name) else {
        return Verdict::Unknown(format!(
            "`data.aws_iam_policy_document.{name}` is not in this module"
        ));
    };
    let contexts = match index {
        None => vec![r.context.clone()],
        Some(index) => {
            let scope = r.context.scope.clone();
            let keys = ctx.ev.block_keys(&scope, block);
            let want = ctx.ev.compute(&r.context, index);
            let text = ctx.repo.text(r.file).get(range(&index.span)).unwrap_or("");
            match (keys, want) {
                (Some(keys), Some(want)) => {
                    match keys.into_iter().find(|k| key_matches(k, &want)) {
                        Some(k) => vec![Context::new(scope, k)],
                        None => {
                            return Verdict::Unknown(format!(
                                "`data.aws_iam_policy_document.{name}` has no instance `[{text}]`"
                            ));
                        }
                    }
                }
                (None, Some(want)) => match instance_of(&want) {
                    Some(k) => vec![Context::new(scope, k)],
                    None => {
                        return Verdict::Unknown(format!(
                            "`[{text}]` is not an instance key of `data.aws_iam_policy_document.{name}`"
                        ));
                    }
                },
                (Some(keys), None) if !keys.is_empty() && keys.len() <= MAX_INSTANCES => keys
                    .into_iter()
                    .map(|k| Context::new(scope.clone(), k))
                    .collect(),
                (Some(keys), None) if !keys.is_empty() => {
                    return Verdict::Unknown(format!(
                        "`[{text}]` cannot be computed and `data.aws_iam_policy_document.{name}` has over {MAX_INSTANCES} instances"
                    ));
                }
                _ => vec![Context::new(scope, InstanceKey::Unknown)],
            }
        }
    };
    let mut first: Option<Verdict> = None;
    for context in &contexts {
        let reader = Reader::new(ctx, context, file);
        let doc = Doc {
            json: reader.data_block(block),
            data: Some((file, block)),
            text: None,
            object: None,
            kind: FixKind::SetValue,
        };
        let verdict = judge(ctx, spec, cond, node, &doc, attr_span, &reader);
        match (&first, &verdict) {
            (_, Verdict::Unknown(_)) => return verdict,
            (None, _) => first = Some(verdict),
            (Some(Verdict::Holds), Verdict::Holds)
            | (Some(Verdict::Fails(_)), Verdict::Fails(_))
            | (Some(Verdict::NotApplicable), Verdict::NotApplicable) => {}
            (Some(_), _) => {
                return Verdict::Unknown(format!(
                    "the instances of `data.aws_iam_policy_document.{name}` differ and which one is used cannot be computed"
                ));
            }
        }
    }
    first.unwrap_or(Verdict::Holds)
}

/// Most instances of an indexed document tried when the index cannot be computed.
const MAX_INSTANCES: usize = 64;

/// Whether instance `key` is the one index value `want` selects.
fn key_matches(key: &InstanceKey, want: &Value) -> bool {
    match (key, instance_of(want)) {
        (InstanceKey::Count(i), Some(InstanceKey::Count(j))) => *i == j,
        (InstanceKey::Each { key, .. }, Some(InstanceKey::Each { key: k, .. })) => *key == k,
        (InstanceKey::None, _) => false,
        _ => false,
    }
}

/// The instance an index value names when the instances are not known: `[0]` is
/// `count.index` 0, `["k"]` `each.key` "k" (its `each.value` unknown).
fn instance_of(want: &Value) -> Option<InstanceKey> {
    match want {
        Value::Number(n) => n.parse::<i64>().ok().map(InstanceKey::Count),
        Value::String(s) => Some(InstanceKey::Each {
            key: s.clone(),
            value: Value::Expression,
        }),
        _ => None,
    }
}

/// The `data "aws_iam_policy_document" "name"` block of the module the reference was written
/// in (the caller's, for a document passed as a module input).
fn find_data<'r>(
    ctx: &Ctx<'r>,
    at: &redress_iac::Context,
    name: &str,
) -> Option<(&'r str, &'r Block)> {
    let dir = ctx
        .repo
        .modules()
        .instance(at.scope.module)
        .map_or(ctx.subject.dir, |m| m.dir.as_str());
    ctx.repo
        .index()
        .top_block(dir, BlockKind::Data, &["aws_iam_policy_document", name])
        .map(|(f, b)| (f.path.as_str(), b))
}

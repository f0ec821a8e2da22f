//! Inputs that Terraform itself validates: a `variable` whose `validation` block has one of
//! the documented shapes (POLICIES.md, "Values from validated variables") is known to exclude
//! wildcard actions, or to hold only role and user ARNs, whatever value the caller passes.
//!
//! The shape is recognised structurally on hcl-rs's expression tree of the `condition` (the
//! iac index keeps `for` expressions opaque): conjuncts joined by `&&` in any order, of which
//! `length(var.N) > 0` and `alltrue([for x in var.N : …])` must be present, the `for` body
//! itself a conjunction holding the shape's element tests. Further conjuncts only narrow the
//! accepted values and are allowed; anything else (an `||`, a `for` with an `if` filter, another
//! variable) is not the shape.
//!
//! In a policy document read by [`crate::document`], a value from such a variable that cannot
//! be computed (no default, no caller value) stands as a [`marker`] string: it can never equal
//! `*`, and [`marker_shape`] tells the document rules what the validation proves about it.

use std::str::FromStr;

use hcl::Expression as H;
use hcl::expr::{BinaryOperator, Operation, TraversalOperator, UnaryOperator};
use redress_iac::{BlockKind, Context, Expr, ExprKind, Value};
use serde_json::Value as Json;

use crate::cond::Ctx;

/// The regular expression a principals variable's validation must use: a role or user ARN of a
/// 12-digit account, in any AWS partition, without `*`.
pub(crate) const PRINCIPAL_PATTERN: &str = "^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[^*]+$";

/// What a variable's validation proves about each element of its (list) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Non-empty; no element is `*` or ends with `:*` (`a != "*" && !endswith(a, ":*")`).
    Actions,
    /// Non-empty; every element is a role or user ARN (`can(regex(PRINCIPAL_PATTERN, p))`).
    Principals,
}

const MARK: char = '\u{1}';

/// The string that stands in a document for the value of validated variable `var`.
pub(crate) fn marker(shape: Shape, var: &str) -> String {
    let kind = match shape {
        Shape::Actions => "actions",
        Shape::Principals => "principals",
    };
    format!("{MARK}validated {kind}: var.{var}")
}

/// The shape of a [`marker`] string.
pub(crate) fn marker_shape(s: &str) -> Option<Shape> {
    let rest = s.strip_prefix(MARK)?.strip_prefix("validated ")?;
    if rest.starts_with("actions:") {
        Some(Shape::Actions)
    } else if rest.starts_with("principals:") {
        Some(Shape::Principals)
    } else {
        None
    }
}

/// The shape of `variable "name"` in module directory `dir`: its type must be
/// `list(string)` or `set(string)` and one of its `validation` conditions must have the shape.
pub(crate) fn variable_shape(ctx: &Ctx<'_>, dir: &str, name: &str) -> Option<Shape> {
    let (_, block) = ctx
        .repo
        .index()
        .top_block(dir, BlockKind::Variable, &[name])?;
    let ty = block.attribute("type")?;
    let ExprKind::Call(call) = &ty.expr.kind else {
        return None;
    };
    let element_is_string = matches!(call.args.as_slice(), [a] if matches!(&a.kind, ExprKind::Variable(s) if s == "string"));
    if !matches!(call.name.as_str(), "list" | "set") || !element_is_string {
        return None;
    }
    block
        .nested("validation")
        .filter_map(|v| v.attribute("condition"))
        .find_map(|c| condition_shape(&c.raw, name))
}

/// The value of `expr` (written in `context`, in `file`) when it is `var.N` of a validated
/// variable: the computed value as JSON when every part of it is known (a default, a tfvars
/// value, a caller's input), else the [`marker`]. `None` when `expr` is not such a reference
/// (neither `var.N` itself nor the variable it leads to has a validated shape).
pub(crate) fn var_value(ctx: &Ctx<'_>, context: &Context, file: &str, expr: &Expr) -> Option<Json> {
    let ("var", name) = expr.var_or_local()? else {
        return None;
    };
    let dir_of = |c: &Context| {
        ctx.repo
            .modules()
            .instance(c.scope.module)
            .map(|m| m.dir.clone())
    };
    let own = dir_of(context).and_then(|d| variable_shape(ctx, &d, name));
    let r = ctx.ev.resolve(context, file, expr);
    let shape = if r.followed {
        own?
    } else {
        let end = match r.expr.var_or_local() {
            Some(("var", end)) => dir_of(&r.context).and_then(|d| variable_shape(ctx, &d, end)),
            _ => None,
        };
        return own.or(end).map(|s| Json::String(marker(s, name)));
    };
    let known = ctx
        .ev
        .compute(&r.context, r.expr)
        .and_then(|v| value_json(&v));
    Some(known.unwrap_or_else(|| Json::String(marker(shape, name))))
}

/// A fully known value as JSON; `None` when some part is not known.
pub(crate) fn value_json(v: &Value) -> Option<Json> {
    Some(match v {
        Value::String(s) => Json::String(s.clone()),
        Value::Number(n) => n
            .parse::<i64>()
            .map(Json::from)
            .unwrap_or_else(|_| Json::String(n.clone())),
        Value::Bool(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::List(items) => Json::Array(items.iter().map(value_json).collect::<Option<_>>()?),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| Some((k.clone(), value_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Reference(_) | Value::Expression => return None,
    })
}

/// The shape of a validation `condition` (source text) for variable `var`.
pub(crate) fn condition_shape(text: &str, var: &str) -> Option<Shape> {
    let expr = H::from_str(text).ok()?;
    let conjuncts = conjuncts(&expr);
    if !conjuncts.iter().any(|c| non_empty(c, var)) {
        return None;
    }
    conjuncts.iter().find_map(|c| every_element(c, var))
}

fn unparen(e: &H) -> &H {
    match e {
        H::Parenthesis(inner) => unparen(inner),
        _ => e,
    }
}

/// The operands of a chain of `&&`.
fn conjuncts(e: &H) -> Vec<&H> {
    match unparen(e) {
        H::Operation(op) => match op.as_ref() {
            Operation::Binary(b) if b.operator == BinaryOperator::And => {
                let mut out = conjuncts(&b.lhs_expr);
                out.extend(conjuncts(&b.rhs_expr));
                out
            }
            _ => vec![unparen(e)],
        },
        other => vec![other],
    }
}

/// `var.<name>` exactly.
fn is_var(e: &H, name: &str) -> bool {
    match unparen(e) {
        H::Traversal(t) => {
            matches!(&t.expr, H::Variable(v) if v.as_str() == "var")
                && matches!(t.operators.as_slice(), [TraversalOperator::GetAttr(n)] if n.as_str() == name)
        }
        _ => false,
    }
}

/// A bare variable (the `for` iterator) named `name`.
fn is_ident(e: &H, name: &str) -> bool {
    matches!(unparen(e), H::Variable(v) if v.as_str() == name)
}

/// A call of `name` (no namespace, no `...`) and its arguments.
fn call<'e>(e: &'e H, name: &str) -> Option<&'e [H]> {
    match unparen(e) {
        H::FuncCall(f)
            if f.name.namespace.is_empty() && f.name.name.as_str() == name && !f.expand_final =>
        {
            Some(&f.args)
        }
        _ => None,
    }
}

fn is_str(e: &H, s: &str) -> bool {
    matches!(unparen(e), H::String(v) if v == s)
}

fn is_number(e: &H, n: u64) -> bool {
    matches!(unparen(e), H::Number(v) if v.as_u64() == Some(n))
}

/// `length(var.N) > 0` or `length(var.N) >= 1`.
fn non_empty(e: &H, var: &str) -> bool {
    let H::Operation(op) = unparen(e) else {
        return false;
    };
    let Operation::Binary(b) = op.as_ref() else {
        return false;
    };
    let length_of_var =
        call(&b.lhs_expr, "length").is_some_and(|a| matches!(a, [x] if is_var(x, var)));
    length_of_var
        && ((b.operator == BinaryOperator::Greater && is_number(&b.rhs_expr, 0))
            || (b.operator == BinaryOperator::GreaterEq && is_number(&b.rhs_expr, 1)))
}

/// `alltrue([for x in var.N : BODY])` with a body of the shape's element tests.
fn every_element(e: &H, var: &str) -> Option<Shape> {
    let [H::ForExpr(f)] = call(e, "alltrue")? else {
        return None;
    };
    if f.key_var.is_some()
        || f.key_expr.is_some()
        || f.cond_expr.is_some()
        || f.grouping
        || !is_var(&f.collection_expr, var)
    {
        return None;
    }
    let x = f.value_var.as_str();
    let tests = conjuncts(&f.value_expr);
    let not_star = tests.iter().any(|t| not_equal_star(t, x));
    let no_service_star = tests.iter().any(|t| no_colon_star_suffix(t, x));
    if not_star && no_service_star {
        return Some(Shape::Actions);
    }
    tests
        .iter()
        .any(|t| role_or_user_arn(t, x))
        .then_some(Shape::Principals)
}

/// `x != "*"` (either way round).
fn not_equal_star(e: &H, x: &str) -> bool {
    let H::Operation(op) = unparen(e) else {
        return false;
    };
    match op.as_ref() {
        Operation::Binary(b) if b.operator == BinaryOperator::NotEq => {
            (is_ident(&b.lhs_expr, x) && is_str(&b.rhs_expr, "*"))
                || (is_str(&b.lhs_expr, "*") && is_ident(&b.rhs_expr, x))
        }
        _ => false,
    }
}

/// `!endswith(x, ":*")`.
fn no_colon_star_suffix(e: &H, x: &str) -> bool {
    let H::Operation(op) = unparen(e) else {
        return false;
    };
    match op.as_ref() {
        Operation::Unary(u) if u.operator == UnaryOperator::Not => call(&u.expr, "endswith")
            .is_some_and(|a| matches!(a, [s, suffix] if is_ident(s, x) && is_str(suffix, ":*"))),
        _ => false,
    }
}

/// `can(regex("<PRINCIPAL_PATTERN>", x))`.
fn role_or_user_arn(e: &H, x: &str) -> bool {
    call(e, "can").is_some_and(|a| {
        matches!(a, [inner] if call(inner, "regex").is_some_and(|r| {
            matches!(r, [pattern, s] if is_str(pattern, PRINCIPAL_PATTERN) && is_ident(s, x))
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: &str =
        r#"length(var.a) > 0 && alltrue([for x in var.a : x != "*" && !endswith(x, ":*")])"#;

    #[test]
    fn the_documented_shapes_are_recognised_in_any_layout() {
        assert_eq!(condition_shape(ACTIONS, "a"), Some(Shape::Actions));
        let reordered = "alltrue([\n  for act in var.a :\n    (!endswith(act, \":*\") && \"*\" != act)\n]) && (length(var.a) >= 1)";
        assert_eq!(condition_shape(reordered, "a"), Some(Shape::Actions));
        let principals = format!(
            "length(var.p) > 0 && alltrue([for p in var.p : can(regex(\"{PRINCIPAL_PATTERN}\", p))])"
        );
        assert_eq!(condition_shape(&principals, "p"), Some(Shape::Principals));
        // More conjuncts only narrow the value.
        let narrower = format!("{ACTIONS} && length(var.a) < 20");
        assert_eq!(condition_shape(&narrower, "a"), Some(Shape::Actions));
    }

    #[test]
    fn conditions_that_admit_wildcards_are_not_the_shape() {
        let alternative = format!("{ACTIONS} || true");
        for (cond, var) in [
            // another variable
            (ACTIONS, "b"),
            // no emptiness check
            (
                r#"alltrue([for x in var.a : x != "*" && !endswith(x, ":*")])"#,
                "a",
            ),
            // `||` instead of `&&`
            (
                r#"length(var.a) > 0 && alltrue([for x in var.a : x != "*" || !endswith(x, ":*")])"#,
                "a",
            ),
            // a filtered `for` skips elements
            (
                r#"length(var.a) > 0 && alltrue([for x in var.a : x != "*" && !endswith(x, ":*") if x != "s3:*"])"#,
                "a",
            ),
            // `:*` actions allowed
            (
                r#"length(var.a) > 0 && alltrue([for x in var.a : x != "*"])"#,
                "a",
            ),
            // a different pattern
            (
                r#"length(var.a) > 0 && alltrue([for p in var.a : can(regex("^arn:", p))])"#,
                "a",
            ),
            // an alternative
            (alternative.as_str(), "a"),
        ] {
            assert_eq!(condition_shape(cond, var), None, "{cond}");
        }
    }

    #[test]
    fn markers_name_their_shape() {
        let m = marker(Shape::Principals, "r_trusted_principals");
        assert_eq!(marker_shape(&m), Some(Shape::Principals));
        assert_eq!(
            marker_shape(&marker(Shape::Actions, "a")),
            Some(Shape::Actions)
        );
        assert_eq!(marker_shape("*"), None);
        assert_ne!(m, "*");
    }
}

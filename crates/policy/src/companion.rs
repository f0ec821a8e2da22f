//! `companion` conditions: a linked resource (AWS provider v4 split S3 resources, flow logs)
//! that refers to the subject by reference, and the companion block a fix adds.

use std::rc::Rc;

use redress_iac::expr::{TraversalOp, UnaryOp};
use redress_iac::{
    Block, BlockKind, Context, Expr, ExprKind, InstanceKey, OriginKind, Value, parse_expression,
};

use crate::catalog::Cond;
use crate::cond::{Ctx, Hit, Node, NodeKind, Verdict};
use crate::edit::{Edit, FixKind, insert_into, range};
use crate::eval::Subject;

/// Whether a linked companion has an instance for the subject instance being evaluated,
/// from the companion's own `count` / `for_each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exists {
    Yes,
    /// `count = 0`, `for_each = {}` (or no instance paired with this subject instance).
    No,
    /// Its `count` / `for_each` cannot be computed.
    Unknown,
}

impl<'r> Ctx<'r> {
    pub(crate) fn eval_companion(
        &self,
        cond: &'r Cond,
        companion: &'r str,
        check: &'r Cond,
    ) -> Verdict {
        if self.subject.is_module || self.subject.rtype.starts_with("data.") {
            return Verdict::NotApplicable;
        }
        let Some(link) = cond.link.as_deref() else {
            return Verdict::NotApplicable;
        };
        let reference = format!("{}.{}", self.subject.rtype, self.subject.name);
        let found: Vec<(&'r str, &'r Block)> = self
            .repo
            .index()
            .blocks_of_kind(self.subject.dir, BlockKind::Resource)
            .filter(|(_, b)| b.type_label() == Some(companion))
            .filter(|(_, b)| {
                b.attribute(link)
                    .is_some_and(|a| references(&a.raw, &reference))
            })
            .map(|(f, b)| (f.path.as_str(), b))
            .collect();
        if found.is_empty() && self.repo.aws_below_v4 {
            // AWS provider v3 has no split S3 resources: the inline alternative applies.
            return Verdict::NotApplicable;
        }
        if found.is_empty() {
            let fix = cond.template.as_ref().map(|t| {
                let text = render_companion(t, self.subject);
                let end = self.subject.block.span.end_byte;
                (
                    FixKind::AddCompanion,
                    Edit {
                        file: self.subject.file.to_string(),
                        range: end..end,
                        text: format!("\n\n{text}"),
                    },
                )
            });
            return Verdict::Fails(vec![self.hit(
                self.subject.file,
                self.subject.block.span,
                missing_message(companion),
                0,
                fix,
            )]);
        }
        let mut first_fail = None;
        let mut unknown = None;
        let mut absent = None;
        for (file, block) in found {
            let exists = self.exists(block, link, &reference);
            if exists == Exists::No {
                absent.get_or_insert((file, block));
                continue;
            }
            let node = Node {
                file,
                kind: NodeKind::Block(block),
                ctx: Rc::clone(&self.at),
                root: false,
                generated: None,
            };
            match self.eval(check, &node) {
                Verdict::Holds | Verdict::NotApplicable if exists == Exists::Yes => {
                    return Verdict::Holds;
                }
                Verdict::Holds | Verdict::NotApplicable => {
                    // Meets the check if it exists, and it may not: the verdict depends on it.
                    unknown.get_or_insert_with(|| {
                        format!(
                            "whether `{}` has an instance for this resource cannot be evaluated ({})",
                            block_address(block),
                            repetition(block).map_or(String::new(), |(m, a)| format!(
                                "`{m} = {}`",
                                a.raw
                            ))
                        )
                    });
                }
                Verdict::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Verdict::Fails(mut hits) => {
                    // A wrong companion fails whether it exists or not.
                    for h in &mut hits {
                        h.presence = h.presence.max(1) + 1;
                    }
                    first_fail.get_or_insert(hits);
                }
            }
        }
        if let Some(why) = unknown {
            return Verdict::Unknown(why);
        }
        if let Some(hits) = first_fail {
            return Verdict::Fails(hits);
        }
        match absent {
            Some((file, block)) => {
                Verdict::Fails(vec![self.without_instances(cond, companion, file, block)])
            }
            None => Verdict::Holds,
        }
    }

    /// Whether `block` (a companion linked to the subject) has an instance for the subject
    /// instance being evaluated: its `count` / `for_each` in the subject's module instance;
    /// with `count` and a link through `[count.index]`, companion instance `i` goes with
    /// subject instance `i`.
    fn exists(&self, block: &Block, link: &str, reference: &str) -> Exists {
        let Some(keys) = self.ev.block_keys(&self.subject.scope, block) else {
            return Exists::Unknown;
        };
        if keys.is_empty() {
            return Exists::No;
        }
        if let InstanceKey::Count(i) = self.at.key
            && block.attribute("count").is_some()
            && block
                .attribute(link)
                .is_some_and(|a| a.raw.contains(&format!("{reference}[count.index]")))
        {
            return if keys.contains(&InstanceKey::Count(i)) {
                Exists::Yes
            } else {
                Exists::No
            };
        }
        Exists::Yes
    }

    /// The failure for a companion that is written but has no instance here: reported where
    /// the value that empties its `count` / `for_each` is written (the module call, when the
    /// caller does not pass that input), with a fix that sets the input from `inputs`.
    fn without_instances(
        &self,
        cond: &'r Cond,
        companion: &str,
        file: &'r str,
        block: &'r Block,
    ) -> Hit {
        let Some((meta, attr)) = repetition(block) else {
            // Paired by `[count.index]`: this subject instance has no companion instance.
            return self.hit(
                self.subject.file,
                self.subject.block.span,
                missing_message(companion),
                0,
                None,
            );
        };
        let what = format!(
            "`{}` has no instance here: `{meta} = {}`",
            block_address(block),
            attr.raw
        );
        let message = format!("{} ({what})", missing_message(companion));
        let ctx = Context::new(self.subject.scope.clone(), InstanceKey::None);
        let Some(decider) = self.decider(cond, &ctx, &attr.expr) else {
            let mut hit = self.hit(file, attr.span, message, 0, None);
            hit.no_fix = Some(format!(
                "{what}, and no variable of it is empty: change what it depends on by hand"
            ));
            return hit;
        };
        let (var, var_expr) = decider;
        let resolved = self.ev.resolve(&ctx, file, &var_expr);
        let value = cond.inputs.as_ref().and_then(|i| i.get(&var));
        let caller_omits = resolved.followed
            && !resolved
                .steps
                .iter()
                .any(|s| s.kind == OriginKind::ModuleInput)
            && resolved
                .steps
                .last()
                .is_some_and(|s| s.kind == OriginKind::VariableDefault);
        let call = self
            .repo
            .modules()
            .instance(self.subject.scope.module)
            .and_then(|inst| inst.call.as_ref().map(|c| (inst, c)));
        match call {
            Some((inst, call)) if caller_omits => {
                let call_address = inst.address();
                let fix = value.and_then(|v| {
                    let src = self.repo.text(&call.file);
                    insert_into(&call.file, src, &range(&call.span), &[&var], v, true)
                        .map(|e| (FixKind::ModuleInput, e))
                });
                let has_fix = fix.is_some();
                let mut hit = self.hit(&call.file, call.span, message, 0, fix);
                if !has_fix {
                    hit.no_fix = Some(format!(
                        "{what}: `{call_address}` does not set the input `{var}` (its default is empty); set it in the module call (this policy has no value for it)"
                    ));
                }
                hit
            }
            _ if resolved.followed => {
                let fix = value.map(|v| self.set_value(&resolved, v.clone()));
                let has_fix = fix.is_some();
                let mut hit = self.hit(resolved.file, resolved.expr.span, message, 0, fix);
                if !has_fix {
                    hit.no_fix = Some(format!(
                        "{what}: `var.{var}` is empty where it is written; set it there (this policy has no value for it)"
                    ));
                }
                hit
            }
            _ => {
                let mut hit = self.hit(file, attr.span, message, 0, None);
                hit.no_fix = Some(format!(
                    "{what}: where `var.{var}` is set cannot be followed; set it by hand"
                ));
                hit
            }
        }
    }

    /// The variable that empties a `count` / `for_each` expression: among the `var.*` it
    /// reads (outside `!`) whose value here is empty (`{}`, `[]`, `false`, `0`, `""`, `null`),
    /// the first one `inputs` has a value for, else the first one. `None` when none is empty.
    /// A heuristic for where to report and what to set; a fix is still verified.
    fn decider(&self, cond: &Cond, ctx: &Context, expr: &Expr) -> Option<(String, Expr)> {
        let mut names = Vec::new();
        var_names(expr, &mut names);
        let empty: Vec<(String, Expr)> = names
            .into_iter()
            .filter_map(|name| {
                let e = parse_expression(&format!("var.{name}")).ok()?;
                let v = self.ev.compute(ctx, &e)?;
                is_empty(&v).then_some((name, e))
            })
            .collect();
        let preferred = empty.iter().position(|(name, _)| {
            cond.inputs
                .as_ref()
                .is_some_and(|inputs| inputs.contains_key(name))
        });
        let mut empty = empty;
        match preferred {
            Some(i) => Some(empty.swap_remove(i)),
            None => empty.into_iter().next(),
        }
    }
}

fn missing_message(companion: &str) -> String {
    format!("no `{companion}` refers to this resource")
}

/// `type.name` of a resource block.
fn block_address(block: &Block) -> String {
    block.labels.join(".")
}

/// The block's `count` (else `for_each`) attribute.
fn repetition(block: &Block) -> Option<(&'static str, &redress_iac::Attribute)> {
    block
        .attribute("count")
        .map(|a| ("count", a))
        .or_else(|| block.attribute("for_each").map(|a| ("for_each", a)))
}

/// Whether a computed value is empty or false.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Map(m) => m.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Bool(b) => !b,
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.parse::<f64>().is_ok_and(|n| n == 0.0),
        Value::Reference(_) | Value::Expression => false,
    }
}

/// The names of the variables an expression reads (`var.x`, `var.x["k"]`), in order, once each;
/// not those under `!`, which an empty value does not empty.
fn var_names(expr: &Expr, out: &mut Vec<String>) {
    let mut add = |name: &str| {
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    match &expr.kind {
        ExprKind::Traversal { base, ops } => {
            if let (ExprKind::Variable(root), Some(TraversalOp::GetAttr(name))) =
                (&base.kind, ops.first())
                && root == "var"
            {
                add(name);
            } else {
                var_names(base, out);
            }
            for op in ops {
                if let TraversalOp::Index(e) = op {
                    var_names(e, out);
                }
            }
        }
        ExprKind::Call(c) => c.args.iter().for_each(|a| var_names(a, out)),
        ExprKind::Conditional(c) => {
            var_names(&c.cond, out);
            var_names(&c.then, out);
            var_names(&c.otherwise, out);
        }
        // `!var.x` is not emptied by a false `var.x`.
        ExprKind::Unary(UnaryOp::Not, _) => {}
        ExprKind::Unary(_, e) => var_names(e, out),
        ExprKind::Binary(_, l, r) => {
            var_names(l, out);
            var_names(r, out);
        }
        ExprKind::List(items) => items.iter().for_each(|i| var_names(i, out)),
        ExprKind::Object(items) => items.iter().for_each(|i| var_names(&i.value, out)),
        _ => {}
    }
}

/// Whether a reference expression's text points at `type.name` (`aws_s3_bucket.b.id`,
/// `aws_s3_bucket.b[count.index].id`, `"${aws_s3_bucket.b.id}"`).
pub(crate) fn references(text: &str, reference: &str) -> bool {
    text.match_indices(reference).any(|(i, _)| {
        let before_ok = i == 0
            || !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        let after = &text[i + reference.len()..];
        before_ok && (after.is_empty() || after.starts_with(['.', '[', '"', '}', ' ', ')', ',']))
    })
}

fn render_companion(template: &str, subject: &Subject<'_>) -> String {
    let base = format!("{}.{}", subject.rtype, subject.name);
    let (meta, reference) = if let Some(count) = subject.block.attribute("count") {
        (
            format!("  count = {}\n", count.raw),
            format!("{base}[count.index]"),
        )
    } else if subject.block.attribute("for_each").is_some() {
        (format!("  for_each = {base}\n"), "each.value".to_string())
    } else {
        (String::new(), base)
    };
    template
        .replace("{name}", &subject.name)
        .replace("{meta}", &meta)
        .replace("{ref}", &reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_match_whole_names_only() {
        assert!(references("aws_s3_bucket.b.id", "aws_s3_bucket.b"));
        assert!(references(
            "aws_s3_bucket.b[count.index].id",
            "aws_s3_bucket.b"
        ));
        assert!(references("\"${aws_s3_bucket.b.id}\"", "aws_s3_bucket.b"));
        assert!(!references("aws_s3_bucket.b2.id", "aws_s3_bucket.b"));
        assert!(!references("xaws_s3_bucket.b.id", "aws_s3_bucket.b"));
    }
}

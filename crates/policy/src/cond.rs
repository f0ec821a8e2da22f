//! Condition evaluation: attribute paths through nested blocks, object values and variables,
//! `all_of` / `any_of` / `when` / `each`, and companion resources, each failure with its span
//! and the edit that would address it. Blocks, attributes, expressions and the data flow all
//! come from the index ([`redress_iac`]); nothing is parsed here.

use std::rc::Rc;

use redress_iac::{Block, Context, Evaluator, Expr, ExprKind, OriginKind, Resolved, Span};

use crate::catalog::{Cond, Missing, Report};
use crate::compare::{expectation, test_value};
use crate::edit::{Edit, FixKind, insert_into, range};
use crate::eval::Subject;
use crate::repo::Repo;
use crate::{document, network};

/// One offending place found while evaluating, with the edit that would address it.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub file: String,
    pub span: Span,
    pub message: String,
    /// 2: a wrong value is written; 1: the container exists, the attribute is missing;
    /// 0: nothing of it is written. `any_of` reports the most present alternative.
    pub presence: u8,
    pub fix: Option<(FixKind, Edit)>,
    /// Edits that must go with `fix` in the same round (`fix_also`, `fix_requires`).
    pub also: Vec<(FixKind, Edit)>,
    pub no_fix: Option<String>,
    /// Why a fix the condition has was withheld for this place (e.g. a `fix_requires`
    /// resource name already taken); reported before the target's `no_fix`.
    pub withheld: Option<String>,
}

/// The outcome of a condition.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    Holds,
    Fails(Vec<Hit>),
    Unknown(String),
    NotApplicable,
}

/// Where a condition is evaluated: a block body, or an object value, with the context its
/// expressions are evaluated in (the caller's, for an object passed as a module input).
#[derive(Debug, Clone)]
pub(crate) struct Node<'r> {
    pub file: &'r str,
    pub kind: NodeKind<'r>,
    pub ctx: Rc<Context>,
    /// True at the subject's own block.
    pub root: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeKind<'r> {
    Block(&'r Block),
    /// An object value; `report` is the attribute or item that holds it.
    Object {
        expr: &'r Expr,
        report: Span,
    },
}

impl<'r> Node<'r> {
    pub(crate) fn root(subject: &Subject<'r>, ctx: Rc<Context>) -> Self {
        Node {
            file: subject.file,
            kind: NodeKind::Block(subject.block),
            ctx,
            root: true,
        }
    }

    /// A nested node in the same file and context.
    fn nested(&self, kind: NodeKind<'r>) -> Self {
        Node {
            file: self.file,
            kind,
            ctx: Rc::clone(&self.ctx),
            root: false,
        }
    }

    /// The span to report when something inside is missing.
    pub fn report_span(&self) -> Span {
        match self.kind {
            NodeKind::Block(b) => b.span,
            NodeKind::Object { report, .. } => report,
        }
    }

    /// The span whose last byte is the closing brace.
    fn container_span(&self) -> Span {
        match self.kind {
            NodeKind::Block(b) => b.span,
            NodeKind::Object { expr, .. } => expr.span,
        }
    }

    /// Whether a `dynamic "name"` block generates nested blocks of that name.
    pub fn has_dynamic(&self, name: &str) -> bool {
        match self.kind {
            NodeKind::Block(b) => b
                .nested("dynamic")
                .any(|d| d.labels.first().is_some_and(|l| l == name)),
            NodeKind::Object { .. } => false,
        }
    }

    /// Looks up a direct child: an attribute / object item, or a nested block.
    pub fn child(&self, name: &str) -> Option<Child<'r>> {
        match self.kind {
            NodeKind::Block(b) => {
                if let Some(a) = b.attribute(name) {
                    return Some(Child::Value {
                        expr: &a.expr,
                        report: a.span,
                    });
                }
                b.nested(name).next().map(Child::Block)
            }
            NodeKind::Object { expr, .. } => expr.item(name).map(|i| Child::Value {
                expr: &i.value,
                report: i.span,
            }),
        }
    }

    /// The nested blocks called `name` (none in an object).
    pub fn blocks(&self, name: &'r str) -> Vec<Node<'r>> {
        match self.kind {
            NodeKind::Block(b) => b
                .nested(name)
                .map(|nb| self.nested(NodeKind::Block(nb)))
                .collect(),
            NodeKind::Object { .. } => Vec::new(),
        }
    }
}

/// A child found by name.
pub(crate) enum Child<'r> {
    Value { expr: &'r Expr, report: Span },
    Block(&'r Block),
}

/// How a value was reached from where it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// Written where it is used (or through locals only).
    Direct,
    /// A root module's `terraform.tfvars` or `*.auto.tfvars`.
    Tfvars,
    /// A variable's default.
    VariableDefault,
    /// A module input at a call site.
    ModuleInput,
    /// A variable or local that could not be followed.
    Unresolved,
}

pub(crate) fn via(r: &Resolved<'_>) -> Via {
    if !r.followed {
        return Via::Unresolved;
    }
    if r.steps.iter().any(|s| s.kind == OriginKind::ModuleInput) {
        return Via::ModuleInput;
    }
    match r.steps.iter().rev().find(|s| s.kind != OriginKind::Local) {
        Some(s) if s.kind == OriginKind::Tfvars => Via::Tfvars,
        Some(s) if s.kind == OriginKind::VariableDefault => Via::VariableDefault,
        _ => Via::Direct,
    }
}

/// What an attribute path leads to.
enum Lookup<'r> {
    Value {
        val: Resolved<'r>,
        /// The value as written at the attribute (before following variables).
        raw: &'r Expr,
        report: Span,
        /// The node holding the attribute.
        container: Node<'r>,
    },
    Block(Node<'r>),
    Missing {
        container: Node<'r>,
        rest: Vec<&'r str>,
    },
    Opaque(String),
}

pub(crate) struct Ctx<'r> {
    pub repo: &'r Repo,
    pub ev: &'r Evaluator<'r>,
    pub subject: &'r Subject<'r>,
    /// The resource instance (module instance, `count.index`, `each.*`) being evaluated.
    pub at: Rc<Context>,
}

impl<'r> Ctx<'r> {
    pub fn eval(&self, cond: &'r Cond, node: &Node<'r>) -> Verdict {
        let verdict = self.eval_kind(cond, node);
        self.compose(cond, node, verdict)
    }

    fn eval_kind(&self, cond: &'r Cond, node: &Node<'r>) -> Verdict {
        if let Some(path) = &cond.attr {
            return self.eval_attr(cond, path, node);
        }
        if let Some(all) = &cond.all_of {
            let mut hits = Vec::new();
            for sub in all {
                match self.eval(sub, node) {
                    Verdict::Holds | Verdict::NotApplicable => {}
                    Verdict::Fails(h) => hits.extend(h),
                    unknown @ Verdict::Unknown(_) => return unknown,
                }
            }
            return if hits.is_empty() {
                Verdict::Holds
            } else {
                Verdict::Fails(hits)
            };
        }
        if let Some(any) = &cond.any_of {
            let mut best: Option<Vec<Hit>> = None;
            let mut unknown = None;
            for sub in any {
                match self.eval(sub, node) {
                    Verdict::Holds => return Verdict::Holds,
                    Verdict::NotApplicable => {}
                    Verdict::Unknown(why) => unknown = Some(why),
                    Verdict::Fails(hits) => {
                        let p = hits.iter().map(|h| h.presence).max().unwrap_or(0);
                        let bp = best
                            .as_ref()
                            .map(|b| b.iter().map(|h| h.presence).max().unwrap_or(0));
                        if bp.is_none_or(|bp| p > bp) {
                            best = Some(hits);
                        }
                    }
                }
            }
            return match (unknown, best) {
                (Some(why), _) => Verdict::Unknown(why),
                (None, Some(hits)) => Verdict::Fails(hits),
                (None, None) => Verdict::NotApplicable,
            };
        }
        if let (Some(when), Some(then)) = (&cond.when, &cond.then) {
            return match self.eval(when, node) {
                Verdict::Holds => self.eval(then, node),
                Verdict::Fails(_) | Verdict::NotApplicable => Verdict::Holds,
                Verdict::Unknown(why) => Verdict::Unknown(why),
            };
        }
        if let (Some(each), Some(check)) = (&cond.each, &cond.check) {
            return self.eval_each(each, check, node);
        }
        if let (Some(companion), Some(check)) = (&cond.companion, &cond.check) {
            return self.eval_companion(cond, companion, check);
        }
        if let Some(spec) = &cond.network {
            return network::eval(self, spec, cond.report, node);
        }
        if let Some(spec) = &cond.document {
            return document::eval(self, spec, cond, node);
        }
        Verdict::Unknown("empty condition".into())
    }

    /// Follows `var.*` / `local.*` from an expression written in `node`.
    pub fn resolve(&self, node: &Node<'r>, expr: &'r Expr) -> Resolved<'r> {
        self.ev.resolve(&node.ctx, node.file, expr)
    }

    fn lookup(&self, node: &Node<'r>, path: &'r str) -> Lookup<'r> {
        let segs: Vec<&'r str> = path.split('.').collect();
        let mut node = node.clone();
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            match node.child(seg) {
                None if node.has_dynamic(seg) => {
                    return Lookup::Opaque(format!("`{seg}` is generated by a dynamic block"));
                }
                None => {
                    return Lookup::Missing {
                        container: node,
                        rest: segs[i..].to_vec(),
                    };
                }
                Some(Child::Block(b)) => {
                    let n = node.nested(NodeKind::Block(b));
                    if last {
                        return Lookup::Block(n);
                    }
                    node = n;
                }
                Some(Child::Value { expr, report }) => {
                    let r = self.resolve(&node, expr);
                    if last {
                        return Lookup::Value {
                            val: r,
                            raw: expr,
                            report,
                            container: node,
                        };
                    }
                    let obj = match &r.expr.kind {
                        ExprKind::Object(_) => Some(r.expr),
                        ExprKind::List(items) => {
                            items.iter().find(|v| matches!(v.kind, ExprKind::Object(_)))
                        }
                        ExprKind::Null => None,
                        _ => {
                            return Lookup::Opaque(format!(
                                "`{}` is not a literal",
                                segs[..=i].join(".")
                            ));
                        }
                    };
                    let Some(obj) = obj else {
                        return Lookup::Missing {
                            container: node,
                            rest: segs[i..].to_vec(),
                        };
                    };
                    let report = if via(&r) == Via::Direct {
                        report
                    } else {
                        r.expr.span
                    };
                    node = Node {
                        file: r.file,
                        kind: NodeKind::Object { expr: obj, report },
                        ctx: Rc::new(r.context),
                        root: false,
                    };
                }
            }
        }
        Lookup::Opaque("empty path".into())
    }

    fn report_span(&self, cond: &Cond, node: &Node<'r>, default: Span) -> (&'r str, Span) {
        match cond.report {
            Some(Report::Resource) => (self.subject.file, self.subject.block.span),
            Some(Report::Block) => (node.file, node.report_span()),
            _ => (node.file, default),
        }
    }

    fn eval_attr(&self, cond: &'r Cond, path: &'r str, node: &Node<'r>) -> Verdict {
        match self.lookup(node, path) {
            Lookup::Opaque(why) => {
                if cond.present == Some(true) || cond.non_empty == Some(true) {
                    Verdict::Holds
                } else {
                    Verdict::Unknown(why)
                }
            }
            Lookup::Block(n) => {
                if cond.present == Some(false) {
                    let (file, span) = self.report_span(cond, node, n.report_span());
                    Verdict::Fails(vec![self.hit(
                        file,
                        span,
                        format!("`{path}` must not be set"),
                        2,
                        None,
                    )])
                } else if cond.present == Some(true) {
                    Verdict::Holds
                } else {
                    Verdict::Unknown(format!("`{path}` is a block, not a value"))
                }
            }
            Lookup::Missing { container, rest } => {
                if cond.missing == Some(Missing::Pass) || cond.present == Some(false) {
                    return Verdict::Holds;
                }
                let (file, span) = self.report_span(cond, node, container.report_span());
                let presence = if container.root { 0 } else { 1 };
                let replaced = cond
                    .fix_block
                    .as_ref()
                    .and_then(|text| self.replace_first_block(node, path, text));
                let elsewhere = cond
                    .fix_at
                    .as_deref()
                    .zip(cond.fix.as_deref())
                    .and_then(|(other, text)| self.set_elsewhere(node, other, text));
                let fix = replaced.or(elsewhere).or_else(|| {
                    let value = cond.fix.as_deref().and_then(|v| self.fix_text(v));
                    value.as_deref().and_then(|value| {
                        let object_style = self.subject.is_module
                            || matches!(container.kind, NodeKind::Object { .. });
                        let kind = if self.subject.is_module {
                            FixKind::ModuleInput
                        } else if rest.len() > 1 && !object_style {
                            FixKind::AddBlock
                        } else {
                            FixKind::AddAttribute
                        };
                        insert_into(
                            container.file,
                            self.repo.text(container.file),
                            &range(&container.container_span()),
                            &rest,
                            value,
                            object_style,
                        )
                        .map(|e| (kind, e))
                    })
                });
                Verdict::Fails(vec![self.hit(
                    file,
                    span,
                    format!("`{path}` is not set"),
                    presence,
                    fix,
                )])
            }
            Lookup::Value { val, container, .. } if matches!(val.expr.kind, ExprKind::Null) => {
                // `x = null` is the same as not setting it; the fix replaces the null.
                if cond.missing == Some(Missing::Pass) || cond.present == Some(false) {
                    return Verdict::Holds;
                }
                let (file, span) = self.report_span(cond, node, container.report_span());
                let presence = if container.root { 0 } else { 1 };
                let fix = cond
                    .fix
                    .as_deref()
                    .and_then(|t| self.fix_text(t))
                    .map(|text| {
                        (
                            FixKind::SetValue,
                            Edit {
                                file: val.file.to_string(),
                                range: range(&val.expr.span),
                                text,
                            },
                        )
                    });
                Verdict::Fails(vec![self.hit(
                    file,
                    span,
                    format!("`{path}` is null"),
                    presence,
                    fix,
                )])
            }
            Lookup::Value {
                val,
                raw,
                report,
                container,
            } => {
                let report_node = Node {
                    file: container.file,
                    ..node.clone()
                };
                if crate::compose::accepted_reference(cond, val.expr) {
                    return Verdict::Holds;
                }
                match test_value(cond, &val.expr.literal()) {
                    None => self.eval_computed(cond, path, raw, &container, &report_node, report),
                    Some(true) => Verdict::Holds,
                    Some(false) => {
                        let (file, span) = self.report_span(cond, &report_node, report);
                        let actual = self
                            .repo
                            .text(val.file)
                            .get(range(&val.expr.span))
                            .unwrap_or("")
                            .lines()
                            .next()
                            .unwrap_or("")
                            .to_string();
                        let target = match cond.fix_at.as_deref() {
                            Some(other) => match self.lookup(node, other) {
                                Lookup::Value { val, .. } => Some(val),
                                _ => None,
                            },
                            None => Some(val),
                        };
                        let text = cond.fix.as_deref().and_then(|t| self.fix_text(t));
                        let fix = text
                            .zip(target)
                            .map(|(text, val)| self.set_value(&val, text));
                        let msg = format!("`{path}` is `{actual}`{}", expectation(cond));
                        Verdict::Fails(vec![self.hit(file, span, msg, 2, fix)])
                    }
                }
            }
        }
    }

    /// `fix_at` for a missing attribute: the edit that replaces the written value of the
    /// attribute `other` (in `node`) with `text`; `None` when `other` is not written.
    fn set_elsewhere(
        &self,
        node: &Node<'r>,
        other: &'r str,
        text: &str,
    ) -> Option<(FixKind, Edit)> {
        match self.lookup(node, other) {
            Lookup::Value { val, .. } => Some(self.set_value(&val, self.fix_text(text)?)),
            _ => None,
        }
    }

    /// The fallback for values that are not literals: compute them for this instance.
    fn eval_computed(
        &self,
        cond: &'r Cond,
        path: &str,
        raw: &'r Expr,
        container: &Node<'r>,
        report_node: &Node<'r>,
        report: Span,
    ) -> Verdict {
        let text = self
            .repo
            .text(container.file)
            .get(range(&raw.span))
            .unwrap_or("");
        let unknown = || Verdict::Unknown(format!("`{path}` = `{text}` cannot be evaluated"));
        let Some(v) = self.ev.compute(&container.ctx, raw) else {
            return unknown();
        };
        match test_value(cond, &v) {
            None => unknown(),
            Some(true) => Verdict::Holds,
            Some(false) => {
                let (file, span) = self.report_span(cond, report_node, report);
                let msg = format!("`{path}` = `{text}` computes to {v:?}{}", expectation(cond));
                let mut hit = self.hit(file, span, msg, 2, None);
                hit.no_fix = Some(format!(
                    "`{path}` is computed by an expression: change its inputs by hand"
                ));
                Verdict::Fails(vec![hit])
            }
        }
    }

    pub fn hit(
        &self,
        file: &str,
        span: Span,
        message: String,
        presence: u8,
        fix: Option<(FixKind, Edit)>,
    ) -> Hit {
        let no_fix = if fix.is_none() {
            Some(format!("no automatic fix: {message}"))
        } else {
            None
        };
        Hit {
            file: file.to_string(),
            span,
            message,
            presence,
            fix,
            also: Vec::new(),
            no_fix,
            withheld: None,
        }
    }

    fn eval_each(&self, each: &'r str, check: &'r Cond, node: &Node<'r>) -> Verdict {
        if node.has_dynamic(each) {
            return Verdict::Unknown(format!("`{each}` is generated by a dynamic block"));
        }
        let mut elements: Vec<Node<'r>> = node.blocks(each);
        if let Some(Child::Value { expr, .. }) = node.child(each) {
            let r = self.resolve(node, expr);
            let ctx = Rc::new(r.context.clone());
            let object = |expr: &'r Expr, report: Span| Node {
                file: r.file,
                kind: NodeKind::Object { expr, report },
                ctx: Rc::clone(&ctx),
                root: false,
            };
            match &r.expr.kind {
                ExprKind::List(items) => {
                    for item in items {
                        if let ExprKind::Object(objitems) = &item.kind {
                            // KICS reports a list element at its first item's line.
                            let report = objitems.first().map_or(item.span, |i| i.span);
                            elements.push(object(item, report));
                        }
                    }
                }
                ExprKind::Object(_) => elements.push(object(r.expr, r.expr.span)),
                _ => return Verdict::Unknown(format!("`{each}` is not a literal")),
            }
        }
        let mut hits = Vec::new();
        for el in elements {
            match self.eval(check, &el) {
                Verdict::Fails(h) => hits.extend(h),
                Verdict::Unknown(why) => return Verdict::Unknown(why),
                Verdict::Holds | Verdict::NotApplicable => {}
            }
        }
        if hits.is_empty() {
            Verdict::Holds
        } else {
            Verdict::Fails(hits)
        }
    }
}

//! Condition evaluation: attribute paths through nested blocks, object values and variables,
//! `all_of` / `any_of` / `when` / `each`, and companion resources, each failure with its span
//! and the edit that would address it.

use crate::catalog::{Cond, Missing, Report};
use crate::compare::{expectation, test_value};
use crate::edit::{Edit, FixKind, insert_into};
use crate::eval::Subject;
use crate::flow::{Resolved, Via};
use crate::interp::{Inst, Interp, to_val};
use crate::repo::Repo;
use crate::syntax::{Block, ByteRange, Val, ValKind};
use crate::{document, network};

/// One offending place found while evaluating, with the edit that would address it.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub file: usize,
    pub span: ByteRange,
    pub message: String,
    /// 2: a wrong value is written; 1: the container exists, the attribute is missing;
    /// 0: nothing of it is written. `any_of` reports the most present alternative.
    pub presence: u8,
    pub fix: Option<(FixKind, Edit)>,
    pub no_fix: Option<String>,
}

/// The outcome of a condition.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    Holds,
    Fails(Vec<Hit>),
    Unknown(String),
    NotApplicable,
}

/// Where a condition is evaluated: a block body, or an object value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node<'r> {
    pub file: usize,
    pub kind: NodeKind<'r>,
    /// True at the subject's own block.
    pub root: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeKind<'r> {
    Block(&'r Block),
    /// An object value; `report` is the attribute or item that holds it.
    Object {
        val: &'r Val,
        report: (usize, usize),
    },
}

impl<'r> Node<'r> {
    pub(crate) fn root(subject: &Subject<'r>) -> Self {
        Node {
            file: subject.file,
            kind: NodeKind::Block(subject.block),
            root: true,
        }
    }

    /// The span to report when something inside is missing.
    pub fn report_span(&self) -> ByteRange {
        match self.kind {
            NodeKind::Block(b) => b.span.clone(),
            NodeKind::Object { report, .. } => report.0..report.1,
        }
    }

    /// The span whose last byte is the closing brace.
    fn container_span(&self) -> ByteRange {
        match self.kind {
            NodeKind::Block(b) => b.span.clone(),
            NodeKind::Object { val, .. } => val.span.clone(),
        }
    }

    /// Whether a `dynamic "name"` block generates nested blocks of that name.
    pub fn has_dynamic(&self, name: &str) -> bool {
        match self.kind {
            NodeKind::Block(b) => b
                .body
                .blocks
                .iter()
                .any(|d| d.ident == "dynamic" && d.labels.first().is_some_and(|l| l == name)),
            NodeKind::Object { .. } => false,
        }
    }

    /// Looks up a direct child: an attribute / object item, or a nested block.
    pub fn child(&self, name: &str) -> Option<Child<'r>> {
        match self.kind {
            NodeKind::Block(b) => {
                if let Some(a) = b.body.attr(name) {
                    return Some(Child::Value {
                        val: &a.value,
                        report: a.span.clone(),
                    });
                }
                b.body
                    .blocks
                    .iter()
                    .find(|x| x.ident == name)
                    .map(Child::Block)
            }
            NodeKind::Object { val, .. } => val.item(name).map(|i| Child::Value {
                val: &i.value,
                report: i.key_span.start..i.value.span.end,
            }),
        }
    }
}

/// A child found by name.
pub(crate) enum Child<'r> {
    Value { val: &'r Val, report: ByteRange },
    Block(&'r Block),
}

/// What an attribute path leads to.
enum Lookup<'r> {
    Value {
        val: Resolved<'r>,
        /// The value as written at the attribute (before following variables).
        raw: &'r Val,
        report: ByteRange,
        report_file: usize,
        container: Node<'r>,
    },
    Block(Node<'r>),
    Missing {
        container: Node<'r>,
        rest: Vec<&'r str>,
    },
    Opaque(String),
}

pub(crate) struct Ctx<'r, 's> {
    pub repo: &'r Repo,
    pub subject: &'s Subject<'r>,
    /// The resource instance (`count.index`, `each.*`) being evaluated.
    pub inst: Inst,
}

impl<'r> Ctx<'r, '_> {
    pub fn eval(&self, cond: &'r Cond, node: Node<'r>) -> Verdict {
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
            return document::eval(self, spec, cond.report, node);
        }
        Verdict::Unknown("empty condition".into())
    }

    fn lookup(&self, node: Node<'r>, path: &'r str) -> Lookup<'r> {
        let segs: Vec<&'r str> = path.split('.').collect();
        let mut node = node;
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
                    let n = Node {
                        file: node.file,
                        kind: NodeKind::Block(b),
                        root: false,
                    };
                    if last {
                        return Lookup::Block(n);
                    }
                    node = n;
                }
                Some(Child::Value { val, report }) => {
                    let r = self.repo.resolve(val, node.file, &self.subject.scope);
                    if last {
                        return Lookup::Value {
                            val: r,
                            raw: val,
                            report,
                            report_file: node.file,
                            container: node,
                        };
                    }
                    let obj = match &r.val.kind {
                        ValKind::Object(_) => Some(r.val),
                        ValKind::List(items) => {
                            items.iter().find(|v| matches!(v.kind, ValKind::Object(_)))
                        }
                        ValKind::Null => None,
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
                    let report = if r.via == Via::Direct {
                        report
                    } else {
                        r.val.span.clone()
                    };
                    node = Node {
                        file: r.file,
                        kind: NodeKind::Object {
                            val: obj,
                            report: (report.start, report.end),
                        },
                        root: false,
                    };
                }
            }
        }
        Lookup::Opaque("empty path".into())
    }

    fn report_span(&self, cond: &Cond, node: Node<'r>, default: ByteRange) -> (usize, ByteRange) {
        match cond.report {
            Some(Report::Resource) => (self.subject.file, self.subject.block.span.clone()),
            Some(Report::Block) => (node.file, node.report_span()),
            _ => (node.file, default),
        }
    }

    fn eval_attr(&self, cond: &'r Cond, path: &'r str, node: Node<'r>) -> Verdict {
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
                let fix = cond.fix.as_ref().and_then(|value| {
                    let f = &self.repo.files[container.file];
                    let object_style =
                        self.subject.is_module || matches!(container.kind, NodeKind::Object { .. });
                    let kind = if rest.len() > 1 && !object_style {
                        FixKind::AddBlock
                    } else {
                        FixKind::AddAttribute
                    };
                    let kind = if self.subject.is_module {
                        FixKind::ModuleInput
                    } else {
                        kind
                    };
                    insert_into(
                        &f.path,
                        &f.text,
                        &container.container_span(),
                        &rest,
                        value,
                        object_style,
                    )
                    .map(|e| (kind, e))
                });
                Verdict::Fails(vec![self.hit(
                    file,
                    span,
                    format!("`{path}` is not set"),
                    presence,
                    fix,
                )])
            }
            Lookup::Value {
                val,
                raw: _,
                report: _,
                report_file: _,
                container,
            } if matches!(val.val.kind, ValKind::Null) => {
                // `x = null` is the same as not setting it; the fix replaces the null.
                if cond.missing == Some(Missing::Pass) || cond.present == Some(false) {
                    return Verdict::Holds;
                }
                let (file, span) = self.report_span(cond, node, container.report_span());
                let presence = if container.root { 0 } else { 1 };
                let f = &self.repo.files[val.file];
                let fix = cond.fix.as_ref().map(|text| {
                    (
                        FixKind::SetValue,
                        Edit {
                            file: f.path.clone(),
                            range: val.val.span.clone(),
                            text: text.clone(),
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
                report_file,
                container: _,
            } => {
                let node_for_report = Node {
                    file: report_file,
                    ..node
                };
                match test_value(cond, val.val) {
                    None => {
                        self.eval_computed(cond, path, raw, report_file, node_for_report, report)
                    }
                    Some(true) => Verdict::Holds,
                    Some(false) => {
                        let (file, span) = self.report_span(cond, node_for_report, report);
                        let f = &self.repo.files[val.file];
                        let actual = val
                            .val
                            .text(&f.text)
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
                        let fix = cond.fix.as_ref().zip(target).map(|(text, val)| {
                            let f = &self.repo.files[val.file];
                            let kind = match val.via {
                                Via::VariableDefault => FixKind::VariableDefault,
                                Via::Tfvars => FixKind::VariableValue,
                                Via::ModuleInput { .. } => FixKind::ModuleInput,
                                _ if self.subject.is_module => FixKind::ModuleInput,
                                _ => FixKind::SetValue,
                            };
                            (
                                kind,
                                Edit {
                                    file: f.path.clone(),
                                    range: val.val.span.clone(),
                                    text: text.clone(),
                                },
                            )
                        });
                        let msg = format!("`{path}` is `{actual}`{}", expectation(cond));
                        Verdict::Fails(vec![self.hit(file, span, msg, 2, fix)])
                    }
                }
            }
        }
    }

    /// The fallback for values that are not literals: compute them for this instance.
    fn eval_computed(
        &self,
        cond: &'r Cond,
        path: &str,
        raw: &'r Val,
        raw_file: usize,
        node: Node<'r>,
        report: ByteRange,
    ) -> Verdict {
        let text = raw.text(&self.repo.files[raw_file].text);
        let unknown = || Verdict::Unknown(format!("`{path}` = `{text}` cannot be evaluated"));
        let interp = Interp {
            repo: self.repo,
            scope: self.subject.scope.clone(),
            inst: self.inst.clone(),
        };
        let Ok(v) = interp.eval_val(raw, raw_file) else {
            return unknown();
        };
        match test_value(cond, &to_val(&v, raw.span.clone())) {
            None => unknown(),
            Some(true) => Verdict::Holds,
            Some(false) => {
                let (file, span) = self.report_span(cond, node, report);
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
        file: usize,
        span: ByteRange,
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
            file,
            span,
            message,
            presence,
            fix,
            no_fix,
        }
    }

    fn eval_each(&self, each: &'r str, check: &'r Cond, node: Node<'r>) -> Verdict {
        if node.has_dynamic(each) {
            return Verdict::Unknown(format!("`{each}` is generated by a dynamic block"));
        }
        let mut elements: Vec<Node<'r>> = Vec::new();
        if let NodeKind::Block(b) = node.kind {
            for nb in b.body.blocks_named(each) {
                elements.push(Node {
                    file: node.file,
                    kind: NodeKind::Block(nb),
                    root: false,
                });
            }
        }
        if let Some(Child::Value { val, .. }) = node.child(each) {
            let r = self.repo.resolve(val, node.file, &self.subject.scope);
            match &r.val.kind {
                ValKind::List(items) => {
                    for item in items {
                        if let ValKind::Object(objitems) = &item.kind {
                            // KICS reports a list element at its first item's line.
                            let report = objitems
                                .first()
                                .map_or((item.span.start, item.span.end), |i| {
                                    (i.key_span.start, i.value.span.end)
                                });
                            elements.push(Node {
                                file: r.file,
                                kind: NodeKind::Object { val: item, report },
                                root: false,
                            });
                        }
                    }
                }
                ValKind::Object(_) => elements.push(Node {
                    file: r.file,
                    kind: NodeKind::Object {
                        val: r.val,
                        report: (r.val.span.start, r.val.span.end),
                    },
                    root: false,
                }),
                _ => return Verdict::Unknown(format!("`{each}` is not a literal")),
            }
        }
        let mut hits = Vec::new();
        for el in elements {
            match self.eval(check, el) {
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

    fn eval_companion(&self, cond: &'r Cond, companion: &'r str, check: &'r Cond) -> Verdict {
        if self.subject.is_module || self.subject.rtype.starts_with("data.") {
            return Verdict::NotApplicable;
        }
        let Some(link) = cond.link.as_deref() else {
            return Verdict::NotApplicable;
        };
        let reference = format!("{}.{}", self.subject.rtype, self.subject.name);
        let mut found: Vec<Node<'r>> = Vec::new();
        for (fi, f) in self.repo.files_in(&self.subject.scope.dir) {
            for b in f.body.blocks_named("resource") {
                if b.labels.first().map(String::as_str) != Some(companion) {
                    continue;
                }
                let Some(attr) = b.body.attr(link) else {
                    continue;
                };
                if references(attr.value.text(&f.text), &reference) {
                    found.push(Node {
                        file: fi,
                        kind: NodeKind::Block(b),
                        root: false,
                    });
                }
            }
        }
        if found.is_empty() && self.repo.aws_below_v4 {
            // AWS provider v3 has no split S3 resources: the inline alternative applies.
            return Verdict::NotApplicable;
        }
        if found.is_empty() {
            let f = &self.repo.files[self.subject.file];
            let fix = cond.template.as_ref().map(|t| {
                let text = render_companion(t, self.subject, &f.text);
                let end = self.subject.block.span.end;
                (
                    FixKind::AddCompanion,
                    Edit {
                        file: f.path.clone(),
                        range: end..end,
                        text: format!("\n\n{text}"),
                    },
                )
            });
            let msg = format!("no `{companion}` refers to this resource");
            return Verdict::Fails(vec![self.hit(
                self.subject.file,
                self.subject.block.span.clone(),
                msg,
                0,
                fix,
            )]);
        }
        let mut first_fail = None;
        for n in found {
            match self.eval(check, n) {
                Verdict::Holds | Verdict::NotApplicable => return Verdict::Holds,
                Verdict::Unknown(why) => return Verdict::Unknown(why),
                Verdict::Fails(mut hits) => {
                    for h in &mut hits {
                        h.presence = h.presence.max(1) + 1;
                    }
                    first_fail.get_or_insert(hits);
                }
            }
        }
        first_fail.map_or(Verdict::Holds, Verdict::Fails)
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

fn render_companion(template: &str, subject: &Subject<'_>, src: &str) -> String {
    let base = format!("{}.{}", subject.rtype, subject.name);
    let (meta, reference) = if let Some(count) = subject.block.body.attr("count") {
        (
            format!("  count = {}\n", count.value.text(src)),
            format!("{base}[count.index]"),
        )
    } else if subject.block.body.attr("for_each").is_some() {
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

//! `dynamic "X"` blocks seen by the condition engine as the blocks they generate
//! (POLICIES.md, "Dynamic blocks in conditions").
//!
//! A known `for_each` gives one `X` per element, its `content` evaluated with the iterator
//! (the block label, or `iterator =`) in scope; an empty one gives none. A `for_each` that
//! cannot be computed gives the `content` once with an unknown iterator, standing for 0..n
//! blocks: the verdict is kept only when it is the same with no block and with the content.
//! No fix edits through a `dynamic` block.

use std::rc::Rc;

use redress_iac::{Block, DynamicIterator, Value};

use crate::cond::{Ctx, Hit, Node, NodeKind, Verdict};
use crate::doc_values::mentions;
use crate::edit::range;

/// Most elements of one `dynamic` block's `for_each` expanded.
const MAX_ELEMENTS: usize = 1000;

/// The blocks called `name` a node has, static and generated.
pub(crate) struct Expansion<'r> {
    /// Blocks that are there: the static ones, then one per known `for_each` element.
    pub always: Vec<Node<'r>>,
    /// The `content` of each `dynamic` block whose `for_each` cannot be computed, its
    /// iterator unknown: each stands for 0..n blocks.
    pub maybe: Vec<Node<'r>>,
    /// The block name.
    pub name: String,
}

/// The `dynamic "name"` blocks of a node (none in an object).
pub(crate) fn dynamics<'r>(node: &Node<'r>, name: &str) -> Vec<&'r Block> {
    match node.kind {
        NodeKind::Block(b) => b
            .nested("dynamic")
            .filter(|d| d.labels.first().is_some_and(|l| l == name))
            .collect(),
        NodeKind::Object { .. } => Vec::new(),
    }
}

/// Expands the `dynamic "name"` blocks of `node` after the given static blocks.
pub(crate) fn expand<'r>(
    ctx: &Ctx<'r>,
    node: &Node<'r>,
    name: &str,
    statics: Vec<Node<'r>>,
) -> Expansion<'r> {
    let mut out = Expansion {
        always: statics,
        maybe: Vec::new(),
        name: name.to_string(),
    };
    for d in dynamics(node, name) {
        let (Some(content), Some(for_each)) = (d.nested("content").next(), d.attribute("for_each"))
        else {
            continue;
        };
        let iterator = d
            .attribute("iterator")
            .and_then(|a| a.expr.reference())
            .unwrap_or_else(|| name.to_string());
        // Where the elements are written: the `for_each` value's source when it is a
        // variable or local that can be followed, else the `for_each` expression.
        // A nested `dynamic` block iterating over its parent's iterator reads values written
        // where the parent's are.
        let r = ctx.resolve(node, &for_each.expr);
        let text = ctx
            .repo
            .text(node.file)
            .get(range(&for_each.expr.span))
            .unwrap_or("");
        let source = match node.generated {
            Some(outer) if node.ctx.iterators.iter().any(|i| mentions(text, &i.name)) => outer,
            _ if !r.steps.is_empty() && r.followed => (r.file, r.expr.span),
            _ => (node.file, for_each.expr.span),
        };
        let elements = iterations(ctx.ev.compute(&node.ctx, &for_each.expr));
        let generated = |key: Value, value: Value| Node {
            file: node.file,
            kind: NodeKind::Block(content),
            ctx: Rc::new(node.ctx.with_iterator(DynamicIterator {
                name: iterator.clone(),
                key,
                value,
            })),
            root: false,
            generated: Some(source),
        };
        match elements {
            Some(e) if e.len() <= MAX_ELEMENTS => out
                .always
                .extend(e.into_iter().map(|(k, v)| generated(k, v))),
            _ => out
                .maybe
                .push(generated(Value::Expression, Value::Expression)),
        }
    }
    out
}

impl<'r> Expansion<'r> {
    /// The verdict over every block: `each` for one block, `zero` when there is none.
    /// Blocks that may or may not be generated keep the verdict only when it is the same
    /// (holds, or fails) with them and without them.
    pub(crate) fn verdict(
        &self,
        zero: impl FnOnce() -> Verdict,
        mut each: impl FnMut(&Node<'r>) -> Verdict,
    ) -> Verdict {
        let mut judge = |n: &Node<'r>| {
            let v = each(n);
            if n.generated.is_some() {
                withhold(v, &self.name)
            } else {
                v
            }
        };
        let without = if self.always.is_empty() {
            withhold(zero(), &self.name)
        } else {
            all(self.always.iter().map(&mut judge))
        };
        if self.maybe.is_empty() {
            return without;
        }
        let with = all(self.always.iter().chain(&self.maybe).map(&mut judge));
        match (without, with) {
            (Verdict::Holds | Verdict::NotApplicable, Verdict::Holds | Verdict::NotApplicable) => {
                Verdict::Holds
            }
            (Verdict::Fails(_), Verdict::Fails(hits)) => Verdict::Fails(hits),
            (Verdict::Unknown(why), _) | (_, Verdict::Unknown(why)) => Verdict::Unknown(why),
            _ => Verdict::Unknown(format!(
                "`{}` is generated by a dynamic block whose `for_each` cannot be evaluated, and the result depends on it",
                self.name
            )),
        }
    }
}

/// The `(key, value)` pairs a dynamic block's computed `for_each` iterates: map entries by
/// key, list elements by index, none for `null`; `None` when the value is not known or not a
/// collection.
pub(crate) fn iterations(for_each: Option<Value>) -> Option<Vec<(Value, Value)>> {
    match for_each {
        Some(Value::Map(entries)) => Some(
            entries
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
        ),
        Some(Value::List(items)) => Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i.to_string()), v))
                .collect(),
        ),
        Some(Value::Null) => Some(Vec::new()),
        _ => None,
    }
}

/// Every verdict together: unknown if one is, else the failures of all.
pub(crate) fn all(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    let mut hits = Vec::new();
    for v in verdicts {
        match v {
            Verdict::Fails(h) => hits.extend(h),
            unknown @ Verdict::Unknown(_) => return unknown,
            Verdict::Holds | Verdict::NotApplicable => {}
        }
    }
    if hits.is_empty() {
        Verdict::Holds
    } else {
        Verdict::Fails(hits)
    }
}

/// No fix edits through a `dynamic` block: a failure inside one (or a block missing where a
/// `dynamic` block generates none) has its fix withheld, with the reason.
fn withhold(v: Verdict, name: &str) -> Verdict {
    match v {
        Verdict::Fails(hits) => {
            Verdict::Fails(hits.into_iter().map(|h| withhold_hit(h, name)).collect())
        }
        other => other,
    }
}

fn withhold_hit(mut h: Hit, name: &str) -> Hit {
    if h.fix.is_some() || h.withheld.is_none() {
        h.fix = None;
        h.also.clear();
        let why = format!(
            "`{name}` is generated by a `dynamic` block: change the `dynamic` block's `content` or its `for_each` value by hand"
        );
        h.no_fix = Some(format!("no automatic fix: {why}"));
        h.withheld = Some(why);
    }
    h
}

//! The interpreter over [`Expr`] trees.

use std::sync::Arc;

use crate::expr::{BinaryOp, Expr, ExprKind, Heredoc, TemplatePart, TraversalOp, UnaryOp};
use crate::model::Value;

use super::scope::{DynamicIterator, InstanceKey, Scope};
use super::{Cached, Evaluator, Origin, functions};

/// The module id of the constants context (`.tfvars` values, variable
/// defaults): nothing is in scope there.
pub(super) const CONSTANTS: usize = usize::MAX;
/// Longest expression text [`Evaluator::eval_text`] parses.
pub(super) const MAX_EXPRESSION_BYTES: usize = 64 * 1024;
/// Deepest recursion of one evaluation (expressions and variable hops).
const MAX_DEPTH: usize = 48;

/// Why there is no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Miss {
    /// Not computable from the code alone.
    Unknown,
    /// An evaluation error (a missing key, a wrong type); `try` and `can`
    /// absorb these.
    Error,
    /// The recursion limit was reached (never cached: a shallower evaluation
    /// may succeed).
    TooDeep,
}

pub(super) type R = Result<Value, Miss>;

/// A module instance and the block instance being evaluated.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame<'s> {
    pub scope: &'s Scope,
    pub key: &'s InstanceKey,
    /// The `dynamic` block iterators in scope.
    pub iterators: &'s [DynamicIterator],
}

/// Evaluates expressions for one [`Evaluator`].
pub(super) struct Interp<'e, 'a> {
    ev: &'e Evaluator<'a>,
}

/// One traversal step, with index expressions already evaluated.
enum Step {
    Key(Value),
    Splat,
}

impl<'e, 'a> Interp<'e, 'a> {
    pub(super) fn new(ev: &'e Evaluator<'a>) -> Self {
        Self { ev }
    }

    pub(super) fn eval(
        &self,
        frame: Frame<'_>,
        expr: &Expr,
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        if depth > MAX_DEPTH {
            return Err(Miss::TooDeep);
        }
        let d = depth + 1;
        match &expr.kind {
            ExprKind::Null => Ok(Value::Null),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Number(n) => number_literal(n),
            ExprKind::String(s) => Ok(Value::String(s.clone())),
            ExprKind::Template(parts) => self.template(frame, parts, steps, d),
            ExprKind::Heredoc(h) => self.heredoc(frame, h, steps, d),
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(partial(self.eval(frame, item, steps, d))?);
                }
                Ok(Value::List(out))
            }
            ExprKind::Object(items) => {
                let mut out: Vec<(String, Value)> = Vec::with_capacity(items.len());
                for item in items {
                    let key = match item.key_name() {
                        Some(k) => k.to_owned(),
                        None => scalar_string(&known(self.eval(frame, &item.key, steps, d)?)?)?,
                    };
                    let value = partial(self.eval(frame, &item.value, steps, d))?;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => out.push((key, value)),
                    }
                }
                Ok(Value::Map(out))
            }
            ExprKind::Traversal { base, ops } => self.traversal(frame, base, ops, steps, d),
            ExprKind::Call(call) => {
                if call.expand_final || call.name.contains("::") {
                    return Err(Miss::Unknown);
                }
                match call.name.as_str() {
                    "try" => {
                        for arg in &call.args {
                            match self.eval(frame, arg, steps, d) {
                                Ok(v) => return Ok(v),
                                Err(Miss::Error) => {}
                                Err(other) => return Err(other),
                            }
                        }
                        Err(Miss::Error)
                    }
                    "can" => match call.args.first().map(|a| self.eval(frame, a, steps, d)) {
                        Some(Ok(v)) if !has_unknown(&v) => Ok(Value::Bool(true)),
                        Some(Err(Miss::Error)) => Ok(Value::Bool(false)),
                        Some(Err(Miss::TooDeep)) => Err(Miss::TooDeep),
                        _ => Err(Miss::Unknown),
                    },
                    name => {
                        let mut args = Vec::with_capacity(call.args.len());
                        for arg in &call.args {
                            args.push(known(self.eval(frame, arg, steps, d)?)?);
                        }
                        functions::call(name, args)
                    }
                }
            }
            ExprKind::Conditional(c) => match known(self.eval(frame, &c.cond, steps, d)?)? {
                Value::Bool(true) => self.eval(frame, &c.then, steps, d),
                Value::Bool(false) => self.eval(frame, &c.otherwise, steps, d),
                _ => Err(Miss::Error),
            },
            ExprKind::Unary(op, inner) => match (op, known(self.eval(frame, inner, steps, d)?)?) {
                (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                (UnaryOp::Neg, v) => number(-as_number(&v)?),
                _ => Err(Miss::Error),
            },
            ExprKind::Binary(op, lhs, rhs) => {
                let l = known(self.eval(frame, lhs, steps, d)?)?;
                let r = known(self.eval(frame, rhs, steps, d)?)?;
                binary(*op, &l, &r)
            }
            ExprKind::Variable(_) | ExprKind::For | ExprKind::Invalid => Err(Miss::Unknown),
        }
    }

    fn traversal(
        &self,
        frame: Frame<'_>,
        base: &Expr,
        ops: &[TraversalOp],
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        // Index expressions first (they may read variables themselves), then one walk.
        let mut keys = Vec::with_capacity(ops.len());
        for op in ops {
            keys.push(match op {
                TraversalOp::GetAttr(name) => Step::Key(Value::String(name.clone())),
                TraversalOp::Index(e) => Step::Key(known(self.eval(frame, e, steps, depth)?)?),
                TraversalOp::LegacyIndex(i) => Step::Key(Value::Number(i.to_string())),
                TraversalOp::AttrSplat | TraversalOp::FullSplat => Step::Splat,
            });
        }
        let ExprKind::Variable(root) = &base.kind else {
            let value = self.eval(frame, base, steps, depth)?;
            return walk(&value, &keys);
        };
        let (first, rest) = match keys.split_first() {
            Some((Step::Key(Value::String(first)), rest)) => (first.as_str(), rest),
            _ => return Err(Miss::Unknown),
        };
        if let Some(it) = frame.iterators.iter().rev().find(|i| i.name == *root) {
            return match first {
                "key" => walk(&it.key, rest),
                "value" => walk(&it.value, rest),
                _ => Err(Miss::Error),
            };
        }
        match root.as_str() {
            "var" | "local" => {
                let cached = self.cached(frame.scope, root, first, steps, depth)?;
                match &cached.value {
                    Ok(v) => walk(v, rest),
                    Err(e) => Err(*e),
                }
            }
            "count" if first == "index" => match frame.key {
                InstanceKey::Count(i) => walk(&Value::Number(i.to_string()), rest),
                _ => Err(Miss::Unknown),
            },
            "each" => match (frame.key, first) {
                (InstanceKey::Each { key, .. }, "key") => walk(&Value::String(key.clone()), rest),
                (InstanceKey::Each { value, .. }, "value") => walk(value, rest),
                _ => Err(Miss::Unknown),
            },
            // Resources, data sources, module outputs, path.*, terraform.*: not
            // known from the code.
            _ => Err(Miss::Unknown),
        }
    }

    /// `var.name` / `local.name` in `scope`, through the shared cache.
    fn cached(
        &self,
        scope: &Scope,
        root: &str,
        name: &str,
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> Result<Arc<Cached>, Miss> {
        if scope.module == CONSTANTS {
            return Err(Miss::Unknown);
        }
        let key = (scope.module, scope.cache_key(), format!("{root}.{name}"));
        let hit = self
            .ev
            .cache
            .0
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned());
        if let Some(hit) = hit {
            steps.extend(hit.steps.iter().cloned());
            return Ok(hit);
        }
        let mut own = Vec::new();
        let value = if root == "var" {
            self.var(scope, name, &mut own, depth)
        } else {
            self.local(scope, name, &mut own, depth)
        };
        if value == Err(Miss::TooDeep) {
            steps.extend(own);
            return Err(Miss::TooDeep);
        }
        steps.extend(own.iter().cloned());
        let cached = Arc::new(Cached { value, steps: own });
        if let Ok(mut c) = self.ev.cache.0.lock() {
            c.insert(key, Arc::clone(&cached));
        }
        Ok(cached)
    }

    /// `var.name`: the call-site input (in the caller's context), a root
    /// module's `.tfvars` value, or the default.
    pub(super) fn var(
        &self,
        scope: &Scope,
        name: &str,
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        if scope.module == CONSTANTS {
            return Err(Miss::Unknown);
        }
        // None: declared without a default (required) and not set, or not declared.
        self.site(self.ev.variable_site(scope, name), steps, depth)
    }

    /// `local.name` in `scope`'s module.
    pub(super) fn local(
        &self,
        scope: &Scope,
        name: &str,
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        if scope.module == CONSTANTS {
            return Err(Miss::Unknown);
        }
        self.site(self.ev.local_site(scope, name), steps, depth)
    }

    /// The value written at a `var`/`local` site (unknown without one), recording where.
    fn site(
        &self,
        site: Option<(Origin, &Expr, &str, super::Context)>,
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        let Some((origin, expr, _, context)) = site else {
            return Err(Miss::Unknown);
        };
        steps.push(origin);
        self.eval(context.frame(), expr, steps, depth + 1)
    }

    fn template(
        &self,
        frame: Frame<'_>,
        parts: &[TemplatePart],
        steps: &mut Vec<Origin>,
        depth: usize,
    ) -> R {
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Interpolation(e) => {
                    let v = known(self.eval(frame, e, steps, depth)?)?;
                    out.push_str(&scalar_string(&v)?);
                }
                TemplatePart::Directive(_) => return Err(Miss::Unknown),
            }
        }
        Ok(Value::String(out))
    }

    fn heredoc(&self, frame: Frame<'_>, h: &Heredoc, steps: &mut Vec<Origin>, depth: usize) -> R {
        let Value::String(text) = self.template(frame, &h.parts, steps, depth)? else {
            return Err(Miss::Unknown);
        };
        Ok(Value::String(if h.indented {
            strip_indent(&text)
        } else {
            text
        }))
    }
}

/// `<<-` heredocs: the smallest indentation of the non-blank lines is removed.
fn strip_indent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(
            line.get(indent..)
                .unwrap_or_else(|| line.trim_start_matches([' ', '\t'])),
        );
    }
    out
}

/// Follows evaluated traversal steps through a value.
fn walk(value: &Value, steps: &[Step]) -> R {
    let mut current = value;
    for (i, step) in steps.iter().enumerate() {
        if *current == Value::Expression {
            return Err(Miss::Unknown);
        }
        match step {
            Step::Splat => {
                let rest = &steps[i + 1..];
                let items: Vec<&Value> = match current {
                    Value::List(items) => items.iter().collect(),
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(partial(walk(item, rest))?);
                }
                return Ok(Value::List(out));
            }
            Step::Key(key) => current = get(current, key)?,
        }
    }
    Ok(current.clone())
}

fn get<'v>(container: &'v Value, key: &Value) -> Result<&'v Value, Miss> {
    match container {
        Value::Map(entries) => {
            let k = scalar_string(key)?;
            entries
                .iter()
                .find(|(ek, _)| *ek == k)
                .map(|(_, v)| v)
                .ok_or(Miss::Error)
        }
        Value::List(items) => items.get(as_index(key)?).ok_or(Miss::Error),
        Value::Expression => Err(Miss::Unknown),
        _ => Err(Miss::Error),
    }
}

/// An element whose value is unknown is kept as [`Value::Expression`] inside a
/// collection; errors still propagate.
fn partial(r: R) -> R {
    match r {
        Err(Miss::Unknown) => Ok(Value::Expression),
        other => other,
    }
}

/// A value that must be known as a whole to be used.
fn known(v: Value) -> R {
    if v == Value::Expression {
        Err(Miss::Unknown)
    } else {
        Ok(v)
    }
}

/// True when any part of the value is unknown.
pub(super) fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Expression | Value::Reference(_) => true,
        Value::List(items) => items.iter().any(has_unknown),
        Value::Map(entries) => entries.iter().any(|(_, v)| has_unknown(v)),
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => false,
    }
}

/// A string, number or bool as text (template interpolation, map keys).
pub(super) fn scalar_string(v: &Value) -> Result<String, Miss> {
    match v {
        Value::String(s) | Value::Number(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Expression | Value::Reference(_) => Err(Miss::Unknown),
        _ => Err(Miss::Error),
    }
}

/// A number, or a string holding one (Terraform converts them).
pub(super) fn as_number(v: &Value) -> Result<f64, Miss> {
    match v {
        Value::Number(n) | Value::String(n) => n.trim().parse().map_err(|_| Miss::Error),
        Value::Expression | Value::Reference(_) => Err(Miss::Unknown),
        _ => Err(Miss::Error),
    }
}

/// A list index: a whole, non-negative number (or a string holding one).
pub(super) fn as_index(v: &Value) -> Result<usize, Miss> {
    let i = as_number(v)?;
    if i < 0.0 || i.fract() != 0.0 {
        return Err(Miss::Error);
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole, non-negative index, checked above"
    )]
    Ok(i as usize)
}

/// A number literal: decimal as written, hexadecimal converted.
fn number_literal(text: &str) -> R {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16)
            .map(|n| Value::Number(n.to_string()))
            .map_err(|_| Miss::Error),
        None => Ok(Value::Number(text.to_owned())),
    }
}

/// A computed number: whole numbers without a fraction.
pub(super) fn number(n: f64) -> R {
    if !n.is_finite() {
        return Err(Miss::Error);
    }
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "integral and within i64 range, checked above"
        )]
        let i = n as i64;
        Ok(Value::Number(i.to_string()))
    } else {
        Ok(Value::Number(n.to_string()))
    }
}

fn binary(op: BinaryOp, lhs: &Value, rhs: &Value) -> R {
    use BinaryOp as B;
    match op {
        B::Eq | B::NotEq => {
            if has_unknown(lhs) || has_unknown(rhs) {
                return Err(Miss::Unknown);
            }
            let eq = values_equal(lhs, rhs);
            Ok(Value::Bool(if op == B::Eq { eq } else { !eq }))
        }
        B::And | B::Or => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => {
                Ok(Value::Bool(if op == B::And { *a && *b } else { *a || *b }))
            }
            _ => Err(Miss::Error),
        },
        _ => {
            let (a, b) = (as_number(lhs)?, as_number(rhs)?);
            match op {
                B::Less => Ok(Value::Bool(a < b)),
                B::LessEq => Ok(Value::Bool(a <= b)),
                B::Greater => Ok(Value::Bool(a > b)),
                B::GreaterEq => Ok(Value::Bool(a >= b)),
                B::Add => number(a + b),
                B::Sub => number(a - b),
                B::Mul => number(a * b),
                B::Div if b != 0.0 => number(a / b),
                B::Mod if b != 0.0 => number(a % b),
                _ => Err(Miss::Error),
            }
        }
    }
}

/// Equality as Terraform compares values (numbers by value).
pub(super) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(yk, _)| yk == k)
                        .is_some_and(|(_, w)| values_equal(v, w))
                })
        }
        _ => a == b,
    }
}

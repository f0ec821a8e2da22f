//! A small evaluator for simple data flow: literals, variables (call-site
//! inputs, `*.tfvars`, defaults), locals and conditionals over those.
//!
//! A few pure functions are known (`toset`, `tolist`, `tomap`, `length`,
//! `lower`, `upper`, `concat`, `merge`, `keys`, `values`, `contains`, `lookup`,
//! `join`, `split`, `coalesce`, `tostring`, `tonumber`, `tobool`). Anything
//! else (other functions, resource attributes, module outputs,
//! `count.index`, `each.key`, for-expressions, …) is [`Evaluated::Unknown`]:
//! the evaluator never guesses. Every hop taken is recorded as an [`Origin`]
//! so callers can tell where a value was written (the fix site needs that).
//!
//! Variable files: `terraform.tfvars`, then `*.auto.tfvars` in name order, in
//! the root module directory, are applied automatically (later wins), as
//! Terraform does. Other `*.tfvars` files apply only when passed to
//! [`Evaluator::with_var_files`], like `-var-file`.

use std::str::FromStr;

use hcl::expr::{
    BinaryOperator, Expression, ObjectKey, Operation, TraversalOperator, UnaryOperator,
};
use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::model::Block;
use crate::state::IndexKey;

mod functions;
use crate::model::{Attribute, BlockKind, Value};
use crate::modules::{Modules, ResourceTemplate};
use crate::state::ResourceMode;

/// Most instance addresses [`Evaluator::instance_addresses`] expands to.
const MAX_INSTANCES: usize = 10_000;

/// Deepest chain of variable/local hops followed (guards against cycles).
const MAX_HOPS: usize = 32;

/// Result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Evaluated {
    /// A known value.
    Known(Value),
    /// Not computable from the code alone.
    Unknown,
}

impl Evaluated {
    /// The value, when known.
    #[must_use]
    pub fn known(&self) -> Option<&Value> {
        match self {
            Self::Known(v) => Some(v),
            Self::Unknown => None,
        }
    }
}

/// What kind of place a value passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    /// An input attribute on a `module` block (the caller's value).
    ModuleInput,
    /// A `default` in a `variable` block.
    VariableDefault,
    /// A line in a `.tfvars` file.
    Tfvars,
    /// An entry in a `locals` block.
    Local,
}

/// One hop of an evaluation: where a value was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Module input, default, tfvars or local.
    pub kind: OriginKind,
    /// The file (relative to the repository root).
    pub file: String,
    /// 1-based line of the attribute holding the value.
    pub line: u32,
    /// What was resolved: `var.encrypt`, `local.name`.
    pub name: String,
}

/// A value with the hops that produced it, in the order they were taken
/// (from the use site outwards to where the value was written).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Traced {
    /// The value or unknown.
    pub value: Evaluated,
    /// Hops taken.
    pub steps: Vec<Origin>,
}

impl Traced {
    /// The first hop of a given kind.
    #[must_use]
    pub fn first(&self, kind: OriginKind) -> Option<&Origin> {
        self.steps.iter().find(|s| s.kind == kind)
    }
}

/// Evaluates expressions in the context of a module instance.
#[derive(Debug, Clone)]
pub struct Evaluator<'a> {
    index: &'a Index,
    modules: &'a Modules,
    var_files: Vec<String>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over an index and its resolved modules.
    #[must_use]
    pub fn new(index: &'a Index, modules: &'a Modules) -> Self {
        Self {
            index,
            modules,
            var_files: Vec::new(),
        }
    }

    /// Extra `.tfvars` files (paths relative to the repository root) applied
    /// after the automatic ones, in the given order, like `-var-file`.
    #[must_use]
    pub fn with_var_files(mut self, files: impl IntoIterator<Item = String>) -> Self {
        self.var_files = files.into_iter().collect();
        self
    }

    /// Evaluates an attribute's value inside module instance `module`.
    #[must_use]
    pub fn eval_attribute(&self, module: usize, attr: &Attribute) -> Traced {
        self.eval_text(module, &attr.raw)
    }

    /// Evaluates expression text inside module instance `module`.
    #[must_use]
    pub fn eval_text(&self, module: usize, text: &str) -> Traced {
        let mut steps = Vec::new();
        let value = parse_expression(text).and_then(|expr| self.eval(module, &expr, &mut steps, 0));
        Traced {
            value: value.map_or(Evaluated::Unknown, Evaluated::Known),
            steps,
        }
    }

    /// The value of `var.<name>` inside module instance `module`.
    #[must_use]
    pub fn variable(&self, module: usize, name: &str) -> Traced {
        let mut steps = Vec::new();
        let value = self.var(module, name, &mut steps, 0);
        Traced {
            value: value.map_or(Evaluated::Unknown, Evaluated::Known),
            steps,
        }
    }

    /// The value of `local.<name>` inside module instance `module`.
    #[must_use]
    pub fn local(&self, module: usize, name: &str) -> Traced {
        let mut steps = Vec::new();
        let value = self.local_value(module, name, &mut steps, 0);
        Traced {
            value: value.map_or(Evaluated::Unknown, Evaluated::Known),
            steps,
        }
    }

    /// The resource's `count` (a number) or `for_each` (a list/map), when
    /// present; `None` when the resource has neither.
    #[must_use]
    pub fn repetition_value(&self, template: &ResourceTemplate) -> Option<Traced> {
        let (_, block) = self.index.resource_block(template)?;
        let attr = block
            .attribute("count")
            .or_else(|| block.attribute("for_each"))?;
        Some(self.eval_attribute(template.module, attr))
    }

    /// Instance addresses of a resource without a state, from the `count` /
    /// `for_each` of the resource and of every module call above it:
    /// `module.a["x"].aws_s3_bucket.b[0]`. `None` when any of them is unknown
    /// (or there would be more than 10,000); an empty list when a count is 0.
    #[must_use]
    pub fn instance_addresses(&self, template: &ResourceTemplate) -> Option<Vec<String>> {
        let mut chain = Vec::new();
        let mut current = Some(template.module);
        while let Some(id) = current {
            chain.push(id);
            current = self.modules.instance(id)?.parent;
        }
        chain.reverse();
        let mut prefixes = vec![String::new()];
        for &id in chain.iter().skip(1) {
            let inst = self.modules.instance(id)?;
            let (call, parent) = (inst.call.as_ref()?, inst.parent?);
            let block = self
                .index
                .file(&call.file)?
                .blocks
                .iter()
                .find(|b| b.span == call.span)?;
            let keys = self.keys_of(parent, block)?;
            prefixes = combine(&prefixes, &format!("module.{}", call.name), &keys)?;
        }
        let (_, block) = self.index.resource_block(template)?;
        let keys = self.keys_of(template.module, block)?;
        let local = match template.mode {
            ResourceMode::Managed => format!("{}.{}", template.resource_type, template.name),
            ResourceMode::Data => format!("data.{}.{}", template.resource_type, template.name),
        };
        combine(&prefixes, &local, &keys)
    }

    /// The instance keys of a block from its `count` / `for_each`: `[None]`
    /// without either.
    fn keys_of(&self, module: usize, block: &Block) -> Option<Vec<Option<IndexKey>>> {
        if let Some(count) = block.attribute("count") {
            let Evaluated::Known(Value::Number(n)) = self.eval_attribute(module, count).value
            else {
                return None;
            };
            let n: i64 = n.parse().ok().filter(|n| (0..=10_000).contains(n))?;
            return Some((0..n).map(|i| Some(IndexKey::Int(i))).collect());
        }
        if let Some(for_each) = block.attribute("for_each") {
            let mut keys: Vec<String> = match self.eval_attribute(module, for_each).value {
                Evaluated::Known(Value::Map(entries)) => {
                    entries.into_iter().map(|(k, _)| k).collect()
                }
                Evaluated::Known(Value::List(items)) => items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            keys.sort();
            keys.dedup();
            return Some(keys.into_iter().map(|k| Some(IndexKey::Str(k))).collect());
        }
        Some(vec![None])
    }

    fn eval(
        &self,
        module: usize,
        expr: &Expression,
        steps: &mut Vec<Origin>,
        hops: usize,
    ) -> Option<Value> {
        if hops > MAX_HOPS {
            return None;
        }
        Some(match expr {
            Expression::Null => Value::Null,
            Expression::Bool(b) => Value::Bool(*b),
            Expression::Number(n) => Value::Number(n.to_string()),
            Expression::String(s) => Value::String(s.clone()),
            Expression::Array(items) => Value::List(
                items
                    .iter()
                    .map(|e| self.eval(module, e, steps, hops + 1))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expression::Object(obj) => {
                let mut entries = Vec::with_capacity(obj.len());
                for (k, v) in obj {
                    let key = match k {
                        ObjectKey::Identifier(id) => id.as_str().to_owned(),
                        ObjectKey::Expression(e) => match self.eval(module, e, steps, hops + 1)? {
                            Value::String(s) | Value::Number(s) => s,
                            _ => return None,
                        },
                        _ => return None,
                    };
                    entries.push((key, self.eval(module, v, steps, hops + 1)?));
                }
                Value::Map(entries)
            }
            Expression::TemplateExpr(t) => {
                let template = hcl::Template::from_expr(t).ok()?;
                let mut out = String::new();
                for element in template.elements() {
                    match element {
                        hcl::template::Element::Literal(s) => out.push_str(s),
                        hcl::template::Element::Interpolation(i) => {
                            match self.eval(module, &i.expr, steps, hops + 1)? {
                                Value::String(s) | Value::Number(s) => out.push_str(&s),
                                Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                                _ => return None,
                            }
                        }
                        hcl::template::Element::Directive(_) => return None,
                    }
                }
                Value::String(out)
            }
            Expression::Parenthesis(inner) => self.eval(module, inner, steps, hops + 1)?,
            Expression::Conditional(c) => match self.eval(module, &c.cond_expr, steps, hops + 1)? {
                Value::Bool(true) => self.eval(module, &c.true_expr, steps, hops + 1)?,
                Value::Bool(false) => self.eval(module, &c.false_expr, steps, hops + 1)?,
                _ => return None,
            },
            Expression::Operation(op) => self.operation(module, op, steps, hops)?,
            Expression::FuncCall(f) => {
                if !f.name.namespace.is_empty() || f.expand_final {
                    return None;
                }
                let args = f
                    .args
                    .iter()
                    .map(|a| self.eval(module, a, steps, hops + 1))
                    .collect::<Option<Vec<_>>>()?;
                functions::call(f.name.name.as_str(), args)?
            }
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    let base = self.eval(module, &t.expr, steps, hops + 1)?;
                    return self.traverse(module, base, &t.operators, steps, hops);
                };
                let (first, rest) = t.operators.split_first()?;
                let TraversalOperator::GetAttr(name) = first else {
                    return None;
                };
                let base = match root.as_str() {
                    "var" => self.var(module, name.as_str(), steps, hops + 1)?,
                    "local" => self.local_value(module, name.as_str(), steps, hops + 1)?,
                    _ => return None,
                };
                self.traverse(module, base, rest, steps, hops)?
            }
            _ => return None,
        })
    }

    fn traverse(
        &self,
        module: usize,
        mut value: Value,
        ops: &[TraversalOperator],
        steps: &mut Vec<Origin>,
        hops: usize,
    ) -> Option<Value> {
        for op in ops {
            let key = match op {
                TraversalOperator::GetAttr(id) => Value::String(id.as_str().to_owned()),
                TraversalOperator::Index(e) => self.eval(module, e, steps, hops + 1)?,
                TraversalOperator::LegacyIndex(i) => Value::Number(i.to_string()),
                _ => return None,
            };
            value = match (value, key) {
                (Value::Map(entries), Value::String(k)) => {
                    entries.into_iter().find(|(ek, _)| *ek == k)?.1
                }
                (Value::List(items), Value::Number(n)) => {
                    let i: usize = n.parse().ok()?;
                    items.into_iter().nth(i)?
                }
                _ => return None,
            };
        }
        Some(value)
    }

    fn operation(
        &self,
        module: usize,
        op: &Operation,
        steps: &mut Vec<Origin>,
        hops: usize,
    ) -> Option<Value> {
        match op {
            Operation::Unary(u) => match (u.operator, self.eval(module, &u.expr, steps, hops + 1)?)
            {
                (UnaryOperator::Not, Value::Bool(b)) => Some(Value::Bool(!b)),
                (UnaryOperator::Neg, Value::Number(n)) => number(-n.parse::<f64>().ok()?),
                _ => None,
            },
            Operation::Binary(b) => {
                let lhs = self.eval(module, &b.lhs_expr, steps, hops + 1)?;
                // Short-circuit like Terraform does not (it evaluates both), but a
                // known deciding side is enough for a known result here.
                let rhs = self.eval(module, &b.rhs_expr, steps, hops + 1);
                binary(b.operator, lhs, rhs?)
            }
        }
    }

    fn var(
        &self,
        module: usize,
        name: &str,
        steps: &mut Vec<Origin>,
        hops: usize,
    ) -> Option<Value> {
        if hops > MAX_HOPS {
            return None;
        }
        let inst = self.modules.instance(module)?;
        if let (Some(parent), Some(call)) = (inst.parent, &inst.call) {
            let call_block = self
                .index
                .file(&call.file)?
                .blocks
                .iter()
                .find(|b| b.span == call.span)?;
            if let Some(input) = call_block.attribute(name) {
                steps.push(Origin {
                    kind: OriginKind::ModuleInput,
                    file: call.file.clone(),
                    line: input.span.start_line,
                    name: format!("var.{name}"),
                });
                let expr = parse_expression(&input.raw)?;
                return self.eval(parent, &expr, steps, hops + 1);
            }
        } else if let Some((file, attr)) = self.tfvars_value(&inst.dir, name) {
            steps.push(Origin {
                kind: OriginKind::Tfvars,
                file,
                line: attr.span.start_line,
                name: format!("var.{name}"),
            });
            let expr = parse_expression(&attr.raw)?;
            // tfvars hold constants: no variables in scope.
            return self.eval(usize::MAX, &expr, steps, hops + 1);
        }
        let (file, block) = self
            .index
            .top_block(&inst.dir, BlockKind::Variable, &[name])?;
        let default = block.attribute("default")?;
        steps.push(Origin {
            kind: OriginKind::VariableDefault,
            file: file.path.clone(),
            line: default.span.start_line,
            name: format!("var.{name}"),
        });
        let expr = parse_expression(&default.raw)?;
        self.eval(usize::MAX, &expr, steps, hops + 1)
    }

    /// The winning `.tfvars` attribute for `name` in a root directory.
    fn tfvars_value(&self, dir: &str, name: &str) -> Option<(String, &'a Attribute)> {
        let mut files: Vec<&crate::model::File> = self
            .index
            .tfvars_in_dir(dir)
            .filter(|f| {
                let base = f.path.rsplit('/').next().unwrap_or("");
                base == "terraform.tfvars" || base.ends_with(".auto.tfvars")
            })
            .collect();
        files.sort_by_key(|f| (!f.path.ends_with("terraform.tfvars"), f.path.clone()));
        for extra in &self.var_files {
            if let Some(f) = self.index.file(extra) {
                files.push(f);
            }
        }
        files.iter().rev().find_map(|f| {
            f.attributes
                .iter()
                .find(|a| a.name == name)
                .map(|a| (f.path.clone(), a))
        })
    }

    fn local_value(
        &self,
        module: usize,
        name: &str,
        steps: &mut Vec<Origin>,
        hops: usize,
    ) -> Option<Value> {
        if hops > MAX_HOPS {
            return None;
        }
        let inst = self.modules.instance(module)?;
        let (file, attr) = self
            .index
            .blocks_of_kind(&inst.dir, BlockKind::Locals)
            .find_map(|(f, b)| b.attribute(name).map(|a| (f, a)))?;
        steps.push(Origin {
            kind: OriginKind::Local,
            file: file.path.clone(),
            line: attr.span.start_line,
            name: format!("local.{name}"),
        });
        let expr = parse_expression(&attr.raw)?;
        self.eval(module, &expr, steps, hops + 1)
    }
}

/// Longest expression text handed to hcl-rs.
const MAX_EXPRESSION_BYTES: usize = 64 * 1024;
/// Deepest bracket nesting handed to hcl-rs (its parser recurses).
const MAX_EXPRESSION_NESTING: usize = 48;

/// Parses expression text with hcl-rs, refusing text too long or too deeply
/// nested to parse safely (repository content is untrusted).
fn parse_expression(text: &str) -> Option<Expression> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return None;
    }
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_EXPRESSION_NESTING {
                    return None;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Expression::from_str(text).ok()
}

/// `prefixes × segment[key]`, joined with `.`; `None` past [`MAX_INSTANCES`].
fn combine(prefixes: &[String], segment: &str, keys: &[Option<IndexKey>]) -> Option<Vec<String>> {
    if prefixes.len().saturating_mul(keys.len()) > MAX_INSTANCES {
        return None;
    }
    let mut out = Vec::with_capacity(prefixes.len() * keys.len());
    for prefix in prefixes {
        for key in keys {
            let key = key.as_ref().map(ToString::to_string).unwrap_or_default();
            out.push(if prefix.is_empty() {
                format!("{segment}{key}")
            } else {
                format!("{prefix}.{segment}{key}")
            });
        }
    }
    Some(out)
}

fn number(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "integral and within i64 range, checked above"
        )]
        let i = n as i64;
        Some(Value::Number(i.to_string()))
    } else {
        Some(Value::Number(n.to_string()))
    }
}

fn binary(op: BinaryOperator, lhs: Value, rhs: Value) -> Option<Value> {
    use BinaryOperator as B;
    match op {
        B::Eq => Some(Value::Bool(values_equal(&lhs, &rhs))),
        B::NotEq => Some(Value::Bool(!values_equal(&lhs, &rhs))),
        B::And | B::Or => match (lhs, rhs) {
            (Value::Bool(a), Value::Bool(b)) => {
                Some(Value::Bool(if op == B::And { a && b } else { a || b }))
            }
            _ => None,
        },
        _ => {
            let (Value::Number(a), Value::Number(b)) = (lhs, rhs) else {
                return None;
            };
            let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
            match op {
                B::Less => Some(Value::Bool(a < b)),
                B::LessEq => Some(Value::Bool(a <= b)),
                B::Greater => Some(Value::Bool(a > b)),
                B::GreaterEq => Some(Value::Bool(a >= b)),
                B::Plus => number(a + b),
                B::Minus => number(a - b),
                B::Mul => number(a * b),
                B::Div if b != 0.0 => number(a / b),
                B::Mod if b != 0.0 => number(a % b),
                _ => None,
            }
        }
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => x == y,
        },
        _ => a == b,
    }
}

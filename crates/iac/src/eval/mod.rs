//! Values: literals, variables (call-site inputs, `*.tfvars`, defaults),
//! locals, `count.index` / `each.*`, conditionals, operators and the pure
//! functions Terraform modules compute attributes with, evaluated over the
//! index's [`Expr`] trees (no second parse).
//!
//! Known functions: `try`, `can`, `toset`, `tolist`, `tomap`, `length`,
//! `lower`, `upper`, `title`, `concat`, `merge`, `keys`, `values`, `contains`,
//! `lookup`, `element`, `join`, `split`, `coalesce`, `compact`, `distinct`,
//! `sort`, `flatten`, `tostring`, `tonumber`, `tobool`. Anything else (other
//! functions, resource attributes, module outputs, data sources,
//! for-expressions, …) is [`Evaluated::Unknown`]: the evaluator never
//! guesses. Every hop taken is recorded as an [`Origin`] so callers can tell
//! where a value was written (the fix site needs that).
//!
//! Module instances are expanded by their calls' `count` / `for_each`
//! ([`Evaluator::scopes`]): inside `module.x["k"]`, `var.*` reads the call's
//! inputs with `each.key = "k"`. A [`Context`] is one module instance plus the
//! `count.index` / `each` of the block being evaluated, and the iterators of
//! the `dynamic` blocks it sits in ([`Context::with_iterator`]: the caller
//! expands a `dynamic` block's `for_each` and evaluates `content` per element).
//!
//! [`Evaluator::resolve`] follows plain `var.x` / `local.x` references to the
//! expression where the value is written (with its span), which is what a fix
//! edits.
//!
//! Variable files: `terraform.tfvars`, then `*.auto.tfvars` in name order, in
//! the root module directory, are applied automatically (later wins), as
//! Terraform does. Other `*.tfvars` files apply only when passed to
//! [`Evaluator::with_var_files`], like `-var-file`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::expr::Expr;
use crate::index::Index;
use crate::model::{Attribute, Block, Value};
use crate::modules::{Modules, ResourceTemplate};
use crate::state::ResourceMode;

mod functions;
mod interp;
mod scope;

pub use scope::{Context, DynamicIterator, InstanceKey, Resolved, Scope};

/// Most instances one block or module call expands to.
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

/// A computed `var.*` / `local.*`, shared between evaluations.
#[derive(Debug)]
struct Cached {
    value: interp::R,
    steps: Vec<Origin>,
}

/// Module instance, its keys (as address text) and `var.x` / `local.x`.
type CacheKey = (usize, String, String);

/// Computed `var.*` and `local.*` values per module instance. Cloning shares
/// the cache; build a new one when the code changes.
#[derive(Debug, Clone, Default)]
pub struct EvalCache(Arc<Mutex<HashMap<CacheKey, Arc<Cached>>>>);

impl EvalCache {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

/// Evaluates expressions in the context of module instances.
#[derive(Debug, Clone)]
pub struct Evaluator<'a> {
    index: &'a Index,
    modules: &'a Modules,
    var_files: Vec<String>,
    cache: EvalCache,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over an index and its resolved modules.
    #[must_use]
    pub fn new(index: &'a Index, modules: &'a Modules) -> Self {
        Self {
            index,
            modules,
            var_files: Vec::new(),
            cache: EvalCache::default(),
        }
    }

    /// Extra `.tfvars` files (paths relative to the repository root) applied
    /// after the automatic ones, in the given order, like `-var-file`.
    #[must_use]
    pub fn with_var_files(mut self, files: impl IntoIterator<Item = String>) -> Self {
        self.var_files = files.into_iter().collect();
        self.cache = EvalCache::default();
        self
    }

    /// Uses (and fills) `cache` for `var.*` / `local.*` values, so several
    /// evaluators over the same, unchanged code share their work.
    #[must_use]
    pub fn with_cache(mut self, cache: EvalCache) -> Self {
        self.cache = cache;
        self
    }

    /// The index evaluated.
    #[must_use]
    pub fn index(&self) -> &'a Index {
        self.index
    }

    /// The module instances evaluated.
    #[must_use]
    pub fn modules(&self) -> &'a Modules {
        self.modules
    }

    /// Evaluates an attribute's value inside module instance `module` (its
    /// `count` / `for_each` keys, and those of the calls above it, unknown).
    #[must_use]
    pub fn eval_attribute(&self, module: usize, attr: &Attribute) -> Traced {
        self.traced(&Context::unkeyed(self, module), &attr.expr)
    }

    /// Evaluates expression text inside module instance `module`.
    #[must_use]
    pub fn eval_text(&self, module: usize, text: &str) -> Traced {
        if text.len() > interp::MAX_EXPRESSION_BYTES {
            return unknown();
        }
        match crate::parse::parse_expression(text) {
            Ok(expr) => self.traced(&Context::unkeyed(self, module), &expr),
            Err(_) => unknown(),
        }
    }

    /// Evaluates `expr` in `ctx`: known only when every part is known.
    #[must_use]
    pub fn eval_expr(&self, ctx: &Context, expr: &Expr) -> Traced {
        self.traced(ctx, expr)
    }

    /// Evaluates `expr` in `ctx`, keeping partly known values: a list or
    /// object whose elements are not all known has [`Value::Expression`] in
    /// their place. `None` when the value as a whole is unknown (or an
    /// evaluation error, such as a missing map key).
    #[must_use]
    pub fn compute(&self, ctx: &Context, expr: &Expr) -> Option<Value> {
        let mut steps = Vec::new();
        interp::Interp::new(self)
            .eval(ctx.frame(), expr, &mut steps, 0)
            .ok()
            .filter(|v| *v != Value::Expression)
    }

    /// The value of `var.<name>` inside module instance `module`.
    #[must_use]
    pub fn variable(&self, module: usize, name: &str) -> Traced {
        let ctx = Context::unkeyed(self, module);
        let mut steps = Vec::new();
        let value = interp::Interp::new(self).var(&ctx.scope, name, &mut steps, 0);
        finish(value, steps)
    }

    /// The value of `local.<name>` inside module instance `module`.
    #[must_use]
    pub fn local(&self, module: usize, name: &str) -> Traced {
        let ctx = Context::unkeyed(self, module);
        let mut steps = Vec::new();
        let value = interp::Interp::new(self).local(&ctx.scope, name, &mut steps, 0);
        finish(value, steps)
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
        let (_, block) = self.index.resource_block(template)?;
        let local = match template.mode {
            ResourceMode::Managed => format!("{}.{}", template.resource_type, template.name),
            ResourceMode::Data => format!("data.{}.{}", template.resource_type, template.name),
        };
        let mut out = Vec::new();
        for scope in self.scopes_of(template.module)? {
            let keys = self.block_keys(&scope, block)?;
            if out.len() + keys.len() > MAX_INSTANCES {
                return None;
            }
            let prefix = self.scope_address(&scope);
            for key in keys {
                let address = format!("{local}{}", key.suffix());
                out.push(if prefix.is_empty() {
                    address
                } else {
                    format!("{prefix}.{address}")
                });
            }
        }
        Some(out)
    }

    /// Evaluates in `ctx`, with the result known only when fully known.
    fn traced(&self, ctx: &Context, expr: &Expr) -> Traced {
        let mut steps = Vec::new();
        let value = interp::Interp::new(self).eval(ctx.frame(), expr, &mut steps, 0);
        finish(value, steps)
    }

    /// The `module` block that created module instance `module`, with its file.
    fn call_block(&self, module: usize) -> Option<(&'a str, &'a Block)> {
        let call = self.modules.instance(module)?.call.as_ref()?;
        let file = self.index.file(&call.file)?;
        let block = file.blocks.iter().find(|b| b.span == call.span)?;
        Some((file.path.as_str(), block))
    }
}

fn unknown() -> Traced {
    Traced {
        value: Evaluated::Unknown,
        steps: Vec::new(),
    }
}

fn finish(value: interp::R, steps: Vec<Origin>) -> Traced {
    Traced {
        value: match value {
            Ok(v) if !interp::has_unknown(&v) => Evaluated::Known(v),
            _ => Evaluated::Unknown,
        },
        steps,
    }
}

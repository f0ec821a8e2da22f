//! Module instances expanded by `count` / `for_each`, evaluation contexts, and
//! following `var.*` / `local.*` to where a value is written.

use crate::expr::Expr;
use crate::model::{Block, BlockKind, Value};
use crate::state::IndexKey;

use super::interp::{Frame, Interp};
use super::{Evaluator, MAX_HOPS, MAX_INSTANCES, Origin, OriginKind};

/// The instance of a block with `count` or `for_each`.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceKey {
    /// The block has neither `count` nor `for_each`.
    None,
    /// `count.index`.
    Count(i64),
    /// `each.key` and `each.value`.
    Each {
        /// `each.key`.
        key: String,
        /// `each.value` (may be partly unknown: [`Value::Expression`]).
        value: Value,
    },
    /// The block repeats, but which instances it has is not known.
    Unknown,
}

impl InstanceKey {
    /// The address suffix: `""`, `[0]`, `["k"]`, or `[*]` when unknown.
    #[must_use]
    pub fn suffix(&self) -> String {
        match self {
            Self::None => String::new(),
            Self::Count(i) => IndexKey::Int(*i).to_string(),
            Self::Each { key, .. } => IndexKey::Str(key.clone()).to_string(),
            Self::Unknown => "[*]".to_owned(),
        }
    }
}

/// One instance of a module: the module instance ([`crate::Modules::instances`])
/// and, for every call on its path from the root, that call's instance key.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// Position in [`crate::Modules::instances`].
    pub module: usize,
    /// One key per module call from the root (outermost first).
    pub keys: Vec<InstanceKey>,
}

impl Scope {
    /// The scope of the module's parent instance, with the key of the call
    /// that created this one (`None` for a root).
    fn parent(&self, ev: &Evaluator<'_>) -> Option<(Scope, InstanceKey)> {
        let parent = ev.modules.instance(self.module)?.parent?;
        let mut keys = self.keys.clone();
        let key = keys.pop().unwrap_or(InstanceKey::Unknown);
        Some((
            Scope {
                module: parent,
                keys,
            },
            key,
        ))
    }

    /// A stable text key of the instance keys (for caches).
    pub(super) fn cache_key(&self) -> String {
        self.keys.iter().map(InstanceKey::suffix).collect()
    }
}

/// Where an expression is evaluated: a module instance and the `count.index` /
/// `each` of the block (resource, module call) it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// The module instance.
    pub scope: Scope,
    /// The block's own instance.
    pub key: InstanceKey,
    /// The iterators of the `dynamic` blocks the expression is written in
    /// (innermost last): `<name>.key` / `<name>.value`.
    pub iterators: Vec<DynamicIterator>,
}

/// One element of a `dynamic` block's `for_each`, under its iterator name
/// (the block label unless `iterator =` says otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicIterator {
    /// The iterator name.
    pub name: String,
    /// `<name>.key`: the map key, or the list index.
    pub key: Value,
    /// `<name>.value`.
    pub value: Value,
}

impl Context {
    /// A context in `scope` for a block instance `key`.
    #[must_use]
    pub fn new(scope: Scope, key: InstanceKey) -> Self {
        Self {
            scope,
            key,
            iterators: Vec::new(),
        }
    }

    /// This context inside one element of a `dynamic` block.
    #[must_use]
    pub fn with_iterator(&self, iterator: DynamicIterator) -> Self {
        let mut out = self.clone();
        out.iterators.retain(|i| i.name != iterator.name);
        out.iterators.push(iterator);
        out
    }

    /// Module instance `module` with every key unknown.
    pub(super) fn unkeyed(ev: &Evaluator<'_>, module: usize) -> Self {
        let depth = ev
            .modules
            .instance(module)
            .map_or(0, |inst| inst.path.len());
        Self {
            scope: Scope {
                module,
                keys: vec![InstanceKey::Unknown; depth],
            },
            key: InstanceKey::Unknown,
            iterators: Vec::new(),
        }
    }

    pub(super) fn frame(&self) -> Frame<'_> {
        Frame {
            scope: &self.scope,
            key: &self.key,
            iterators: &self.iterators,
        }
    }
}

/// Where a reference leads: the expression that writes the value, with its
/// file and the context to evaluate it in.
#[derive(Debug, Clone)]
pub struct Resolved<'e> {
    /// The expression (the input one when nothing was followed).
    pub expr: &'e Expr,
    /// The file holding `expr`.
    pub file: &'e str,
    /// Where `expr` is evaluated.
    pub context: Context,
    /// Hops taken, from the use site outwards.
    pub steps: Vec<Origin>,
    /// False when a `var.*` / `local.*` could not be followed (a variable
    /// without default or value, an undeclared local).
    pub followed: bool,
}

impl Evaluator<'_> {
    /// Every module instance expanded by the `count` / `for_each` of its
    /// calls, roots first, depth-first. A call whose instances are not known
    /// gives one scope with [`InstanceKey::Unknown`]; a call with no instances
    /// (`count = 0`, `for_each = {}`) gives none.
    #[must_use]
    pub fn scopes(&self) -> Vec<Scope> {
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); self.modules.instances().len()];
        for inst in self.modules.instances() {
            if let Some(parent) = inst.parent
                && let Some(list) = children.get_mut(parent)
            {
                list.push(inst.id);
            }
        }
        let mut out = Vec::new();
        for root in self.modules.roots() {
            self.expand_scope(
                Scope {
                    module: root.id,
                    keys: Vec::new(),
                },
                &children,
                &mut out,
            );
        }
        out
    }

    fn expand_scope(&self, scope: Scope, children: &[Vec<usize>], out: &mut Vec<Scope>) {
        if out.len() >= MAX_INSTANCES {
            return;
        }
        let parent = scope.clone();
        out.push(scope);
        for &child in children.get(parent.module).map_or(&[][..], Vec::as_slice) {
            let keys = self
                .call_block(child)
                .and_then(|(_, block)| self.block_keys(&parent, block))
                .unwrap_or_else(|| vec![InstanceKey::Unknown]);
            for key in keys {
                let mut keys = parent.keys.clone();
                keys.push(key);
                self.expand_scope(
                    Scope {
                        module: child,
                        keys,
                    },
                    children,
                    out,
                );
            }
        }
    }

    /// The expanded scopes of one module instance; `None` when any call on
    /// its path has instances that are not known.
    #[must_use]
    pub fn scopes_of(&self, module: usize) -> Option<Vec<Scope>> {
        let mut chain = Vec::new();
        let mut current = Some(module);
        while let Some(id) = current {
            chain.push(id);
            current = self.modules.instance(id)?.parent;
        }
        chain.reverse();
        let (&root, rest) = chain.split_first()?;
        let mut scopes = vec![Scope {
            module: root,
            keys: Vec::new(),
        }];
        for &id in rest {
            let (_, block) = self.call_block(id)?;
            let mut next = Vec::new();
            for scope in &scopes {
                for key in self.block_keys(scope, block)? {
                    if next.len() >= MAX_INSTANCES {
                        return None;
                    }
                    let mut keys = scope.keys.clone();
                    keys.push(key);
                    next.push(Scope { module: id, keys });
                }
            }
            scopes = next;
        }
        Some(scopes)
    }

    /// `module.a["k"].module.b[0]` (`""` for a root).
    #[must_use]
    pub fn scope_address(&self, scope: &Scope) -> String {
        let Some(inst) = self.modules.instance(scope.module) else {
            return String::new();
        };
        inst.path
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let key = scope
                    .keys
                    .get(i)
                    .map(InstanceKey::suffix)
                    .unwrap_or_default();
                format!("module.{name}{key}")
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The instances of a block (resource, data source or module call) in
    /// `scope`, from its `count` / `for_each`: `[InstanceKey::None]` without
    /// either, `None` when they cannot be evaluated (or exceed 10,000). Map
    /// keys and sets come in lexical order, as Terraform orders them.
    #[must_use]
    pub fn block_keys(&self, scope: &Scope, block: &Block) -> Option<Vec<InstanceKey>> {
        let interp = Interp::new(self);
        let frame = Frame {
            scope,
            key: &InstanceKey::None,
            iterators: &[],
        };
        let mut steps = Vec::new();
        if let Some(count) = block.attribute("count") {
            let value = interp.eval(frame, &count.expr, &mut steps, 0).ok()?;
            let n = super::interp::as_number(&value).ok()?;
            if n < 0.0 || n.fract() != 0.0 || n > MAX_INSTANCES as f64 {
                return None;
            }
            #[expect(
                clippy::cast_possible_truncation,
                reason = "whole and within 0..=10_000, checked above"
            )]
            let n = n as i64;
            return Some((0..n).map(InstanceKey::Count).collect());
        }
        if let Some(for_each) = block.attribute("for_each") {
            let value = interp.eval(frame, &for_each.expr, &mut steps, 0).ok()?;
            let mut keys: Vec<(String, Value)> = match value {
                Value::Map(entries) => entries,
                Value::List(items) => items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => Some((s.clone(), Value::String(s))),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            if keys.len() > MAX_INSTANCES {
                return None;
            }
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            keys.dedup_by(|a, b| a.0 == b.0);
            return Some(
                keys.into_iter()
                    .map(|(key, value)| InstanceKey::Each { key, value })
                    .collect(),
            );
        }
        Some(vec![InstanceKey::None])
    }

    /// Follows `expr` while it is a plain `var.x` / `local.x` reference: a
    /// module input at the call site (evaluated in the caller's context), a
    /// root module's `*.tfvars` value, a variable's default, or a local.
    /// `file` is the file holding `expr`.
    #[must_use]
    pub fn resolve<'e>(&'e self, context: &Context, file: &'e str, expr: &'e Expr) -> Resolved<'e> {
        let mut out = Resolved {
            expr,
            file,
            context: context.clone(),
            steps: Vec::new(),
            followed: true,
        };
        for _ in 0..MAX_HOPS {
            let Some((root, name)) = out.expr.var_or_local() else {
                return out;
            };
            let next = if root == "var" {
                self.variable_site(&out.context.scope, name)
            } else {
                self.local_site(&out.context.scope, name)
            };
            match next {
                Some((origin, expr, file, context)) => {
                    out.steps.push(origin);
                    out.expr = expr;
                    out.file = file;
                    out.context = context;
                }
                None => {
                    out.followed = false;
                    return out;
                }
            }
        }
        out.followed = false;
        out
    }

    /// Where `var.name` is set for `scope`: the call-site input, a root
    /// `.tfvars` value, or the default.
    pub(super) fn variable_site(
        &self,
        scope: &super::Scope,
        name: &str,
    ) -> Option<(Origin, &Expr, &str, Context)> {
        let inst = self.modules.instance(scope.module)?;
        if let Some((parent, key)) = scope.parent(self) {
            let (file, call) = self.call_block(scope.module)?;
            if let Some(input) = call.attribute(name) {
                let origin = Origin {
                    kind: OriginKind::ModuleInput,
                    file: file.to_owned(),
                    line: input.span.start_line,
                    name: format!("var.{name}"),
                };
                return Some((origin, &input.expr, file, Context::new(parent, key)));
            }
        } else if let Some((file, attr)) = self.tfvars_value(&inst.dir, name) {
            let origin = Origin {
                kind: OriginKind::Tfvars,
                file: file.to_owned(),
                line: attr.span.start_line,
                name: format!("var.{name}"),
            };
            return Some((origin, &attr.expr, file, constants(scope)));
        }
        let (file, block) = self
            .index
            .top_block(&inst.dir, BlockKind::Variable, &[name])?;
        let default = block.attribute("default")?;
        let origin = Origin {
            kind: OriginKind::VariableDefault,
            file: file.path.clone(),
            line: default.span.start_line,
            name: format!("var.{name}"),
        };
        Some((origin, &default.expr, file.path.as_str(), constants(scope)))
    }

    /// Where `local.name` is written in `scope`'s module.
    pub(super) fn local_site(
        &self,
        scope: &super::Scope,
        name: &str,
    ) -> Option<(Origin, &Expr, &str, Context)> {
        let inst = self.modules.instance(scope.module)?;
        let (file, attr) = self
            .index
            .blocks_of_kind(&inst.dir, BlockKind::Locals)
            .find_map(|(f, b)| b.attribute(name).map(|a| (f, a)))?;
        let origin = Origin {
            kind: OriginKind::Local,
            file: file.path.clone(),
            line: attr.span.start_line,
            name: format!("local.{name}"),
        };
        Some((
            origin,
            &attr.expr,
            file.path.as_str(),
            Context::new(scope.clone(), InstanceKey::None),
        ))
    }

    /// The winning `.tfvars` attribute for `name` in a root directory.
    fn tfvars_value(&self, dir: &str, name: &str) -> Option<(&str, &crate::model::Attribute)> {
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
                .map(|a| (f.path.as_str(), a))
        })
    }
}

/// The context of constants (`.tfvars` values, variable defaults): no
/// variables, locals, `count` or `each` in scope.
fn constants(scope: &Scope) -> Context {
    Context {
        scope: Scope {
            module: super::interp::CONSTANTS,
            keys: scope.keys.clone(),
        },
        key: InstanceKey::None,
        iterators: Vec::new(),
    }
}

//! A small interpreter for the expressions modules compute attributes with (`try(…)`,
//! `lookup(…)`, `var.rules[var.ingress_rules[count.index]][0]`, conditionals), evaluated per
//! resource instance. It is the fallback when an attribute is not a literal: a computed value
//! can fail a policy, but its fix site is not a single literal, so such failures carry no
//! automatic fix. Anything it cannot compute (resource attributes, unknown functions) stays
//! unknown.

use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::template::Element;

use crate::repo::{Repo, Scope};
use crate::syntax::{Val, ValKind};

/// A computed value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    /// An element whose value is not known (a list of them still has a length).
    Unknown,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
    Map(Vec<(String, V)>),
}

/// Why a value is missing: not computable from the code, or an evaluation error (which
/// `try()` and `can()` absorb).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Miss {
    Unknown,
    Error,
}

type R = Result<V, Miss>;

/// The instance an expression is evaluated for.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Inst {
    #[default]
    None,
    Count(usize),
    Each {
        key: String,
        value: V,
    },
}

const MAX_DEPTH: usize = 24;

/// Module scope (dir and call chain) and name of a cached `var.*` / `local.*` value.
type CacheKey = (String, Vec<usize>, String);

/// Computed `var.*` and `local.*` values, shared by the evaluations of one repository.
#[derive(Debug, Clone, Default)]
pub(crate) struct VarCache(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<CacheKey, R>>>,
);

/// Evaluates expressions of one module instance (scope) for one resource instance.
pub(crate) struct Interp<'r> {
    pub repo: &'r Repo,
    pub scope: Scope,
    pub inst: Inst,
}

impl<'r> Interp<'r> {
    /// Evaluates a value written in `file`.
    pub fn eval_val(&self, val: &Val, file: usize) -> R {
        self.eval_text(
            val.text(&self.repo.files[file].text),
            &self.scope,
            &self.inst,
            0,
        )
    }

    fn eval_text(&self, text: &str, scope: &Scope, inst: &Inst, depth: usize) -> R {
        if depth > MAX_DEPTH {
            return Err(Miss::Unknown);
        }
        let expr = hcl::edit::parser::parse_expr(text).map_err(|_| Miss::Unknown)?;
        self.eval(&expr, scope, inst, depth + 1)
    }

    fn eval(&self, e: &Expression, scope: &Scope, inst: &Inst, depth: usize) -> R {
        if depth > MAX_DEPTH {
            return Err(Miss::Unknown);
        }
        let ev = |x: &Expression| self.eval(x, scope, inst, depth + 1);
        match e {
            Expression::Null(_) => Ok(V::Null),
            Expression::Bool(b) => Ok(V::Bool(*b.value())),
            Expression::Number(n) => n.value().as_f64().map(V::Num).ok_or(Miss::Unknown),
            Expression::String(s) => Ok(V::Str(s.value().to_string())),
            Expression::Array(items) => items
                .iter()
                .map(ev)
                .collect::<Result<Vec<_>, _>>()
                .map(V::List),
            Expression::Object(obj) => {
                let mut out = Vec::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(x) => as_string(&ev(x)?)?,
                    };
                    out.push((key, partial(ev(v.expr()))?));
                }
                Ok(V::Map(out))
            }
            Expression::StringTemplate(t) => {
                let mut s = String::new();
                for el in t.iter() {
                    match el {
                        Element::Literal(l) => s.push_str(l.value()),
                        Element::Interpolation(i) => s.push_str(&as_string(&ev(&i.expr)?)?),
                        Element::Directive(_) => return Err(Miss::Unknown),
                    }
                }
                Ok(V::Str(s))
            }
            Expression::Parenthesis(p) => ev(p.inner()),
            Expression::Conditional(c) => match known(ev(&c.cond_expr)?)? {
                V::Bool(true) => ev(&c.true_expr),
                V::Bool(false) => ev(&c.false_expr),
                _ => Err(Miss::Error),
            },
            Expression::UnaryOp(u) => match (u.operator.value(), known(ev(&u.expr)?)?) {
                (UnaryOperator::Not, V::Bool(b)) => Ok(V::Bool(!b)),
                (UnaryOperator::Neg, V::Num(n)) => Ok(V::Num(-n)),
                _ => Err(Miss::Error),
            },
            Expression::BinaryOp(b) => {
                binary(*b.operator.value(), ev(&b.lhs_expr)?, ev(&b.rhs_expr)?)
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<&Expression> = call.args.iter().collect();
                match name {
                    "try" => {
                        for a in &args {
                            match ev(a) {
                                Ok(v) => return Ok(v),
                                Err(Miss::Error) => continue,
                                Err(Miss::Unknown) => return Err(Miss::Unknown),
                            }
                        }
                        Err(Miss::Error)
                    }
                    "can" => match args.first().map(|a| ev(a)) {
                        Some(Ok(_)) => Ok(V::Bool(true)),
                        Some(Err(Miss::Error)) => Ok(V::Bool(false)),
                        _ => Err(Miss::Unknown),
                    },
                    _ => {
                        let vals = args.iter().map(|a| ev(a)).collect::<Result<Vec<_>, _>>()?;
                        function(name, vals)
                    }
                }
            }
            Expression::Variable(_) => Err(Miss::Unknown),
            Expression::Traversal(t) => {
                // Keys first (they may read variables themselves), then one walk.
                let mut keys = Vec::new();
                for op in t.operators.iter().map(|o| o.value()) {
                    keys.push(match op {
                        TraversalOperator::GetAttr(name) => V::Str(name.as_str().to_string()),
                        TraversalOperator::Index(ix) => known(ev(ix)?)?,
                        _ => return Err(Miss::Unknown),
                    });
                }
                let walk = |root: &V, rest: &[V]| -> R {
                    let mut cur = root;
                    for k in rest {
                        cur = get_ref(cur, k)?;
                    }
                    Ok(cur.clone())
                };
                match &t.expr {
                    Expression::Variable(root) => match (root.as_str(), keys.split_first()) {
                        (kind @ ("var" | "local"), Some((V::Str(name), rest))) => {
                            let cache_name = if kind == "var" {
                                name.clone()
                            } else {
                                format!("local.{name}")
                            };
                            // Fill the cache, then walk the cached value without copying it.
                            let key = (scope.dir.clone(), scope.chain.clone(), cache_name);
                            let cached = self
                                .repo
                                .var_cache
                                .0
                                .lock()
                                .map_err(|_| Miss::Unknown)?
                                .contains_key(&key);
                            if !cached {
                                let _computed = if kind == "var" {
                                    self.var(name, scope, depth)
                                } else {
                                    self.local(name, scope, depth)
                                };
                            }
                            let cache = self.repo.var_cache.0.lock().map_err(|_| Miss::Unknown)?;
                            match cache.get(&key) {
                                Some(Ok(v)) => walk(v, rest),
                                Some(Err(e)) => Err(*e),
                                None => Err(Miss::Unknown),
                            }
                        }
                        ("count", Some((V::Str(a), rest))) if a == "index" => match inst {
                            Inst::Count(i) => walk(&V::Num(*i as f64), rest),
                            _ => Err(Miss::Unknown),
                        },
                        ("each", Some((V::Str(a), rest))) => match (inst, a.as_str()) {
                            (Inst::Each { key, .. }, "key") => walk(&V::Str(key.clone()), rest),
                            (Inst::Each { value, .. }, "value") => walk(value, rest),
                            _ => Err(Miss::Unknown),
                        },
                        _ => Err(Miss::Unknown),
                    },
                    other => walk(&ev(other)?, &keys),
                }
            }
            Expression::HeredocTemplate(_) | Expression::ForExpr(_) => Err(Miss::Unknown),
        }
    }

    /// `var.name`: call-site input (evaluated in the caller), tfvars, or default; cached.
    fn var(&self, name: &str, scope: &Scope, depth: usize) -> R {
        let key = (scope.dir.clone(), scope.chain.clone(), name.to_string());
        if let Some(hit) = self
            .repo
            .var_cache
            .0
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return hit;
        }
        let value = self.var_uncached(name, scope, depth);
        if let Ok(mut c) = self.repo.var_cache.0.lock() {
            c.insert(key, value.clone());
        }
        value
    }

    fn var_uncached(&self, name: &str, scope: &Scope, depth: usize) -> R {
        if let Some((&last, outer)) = scope.chain.split_last() {
            let call = &self.repo.calls[last];
            let caller_file = &self.repo.files[call.file];
            if let Some(input) = caller_file.body.blocks[call.block].body.attr(name) {
                let outer_scope = Scope {
                    dir: caller_file.dir.clone(),
                    chain: outer.to_vec(),
                };
                return self.eval_text(
                    input.value.text(&caller_file.text),
                    &outer_scope,
                    &Inst::None,
                    depth + 1,
                );
            }
        }
        if scope.chain.is_empty()
            && let Some((fi, a)) = self.repo.tfvars_value(&scope.dir, name)
        {
            let f = &self.repo.files[fi];
            return self.eval_text(a.value.text(&f.text), scope, &Inst::None, depth + 1);
        }
        for (_, f) in self.repo.files_in(&scope.dir) {
            for b in f.body.blocks_named("variable") {
                if b.labels.first().map(String::as_str) == Some(name)
                    && let Some(default) = b.body.attr("default")
                {
                    return self.eval_text(
                        default.value.text(&f.text),
                        scope,
                        &Inst::None,
                        depth + 1,
                    );
                }
            }
        }
        // Declared without a default (required) or not at all.
        Err(Miss::Unknown)
    }

    /// `local.name`; locals cannot use `count` or `each`, so they are cached per scope.
    fn local(&self, name: &str, scope: &Scope, depth: usize) -> R {
        let key = (
            scope.dir.clone(),
            scope.chain.clone(),
            format!("local.{name}"),
        );
        if let Some(hit) = self
            .repo
            .var_cache
            .0
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return hit;
        }
        let mut value = Err(Miss::Unknown);
        'search: for (_, f) in self.repo.files_in(&scope.dir) {
            for b in f.body.blocks_named("locals") {
                if let Some(a) = b.body.attr(name) {
                    value = self.eval_text(a.value.text(&f.text), scope, &Inst::None, depth + 1);
                    break 'search;
                }
            }
        }
        if let Ok(mut c) = self.repo.var_cache.0.lock() {
            c.insert(key, value.clone());
        }
        value
    }
}

/// An unknown element inside a collection is kept as `V::Unknown`; errors still propagate.
fn partial(r: R) -> R {
    match r {
        Err(Miss::Unknown) => Ok(V::Unknown),
        other => other,
    }
}

/// A value that must be known to be used.
fn known(v: V) -> R {
    if v == V::Unknown {
        Err(Miss::Unknown)
    } else {
        Ok(v)
    }
}

fn as_string(v: &V) -> Result<String, Miss> {
    match v {
        V::Str(s) => Ok(s.clone()),
        V::Num(n) => Ok(if n.fract() == 0.0 {
            format!("{}", *n as i64)
        } else {
            n.to_string()
        }),
        V::Bool(b) => Ok(b.to_string()),
        V::Unknown => Err(Miss::Unknown),
        _ => Err(Miss::Error),
    }
}

fn as_num(v: &V) -> Result<f64, Miss> {
    match v {
        V::Unknown => Err(Miss::Unknown),
        V::Num(n) => Ok(*n),
        V::Str(s) => s.trim().parse().map_err(|_| Miss::Error),
        _ => Err(Miss::Error),
    }
}

fn get(container: &V, key: &V) -> R {
    get_ref(container, key).cloned()
}

fn get_ref<'v>(container: &'v V, key: &V) -> Result<&'v V, Miss> {
    match (container, key) {
        (V::Unknown, _) | (_, V::Unknown) => Err(Miss::Unknown),
        (V::Map(m), k) => {
            let k = as_string(k)?;
            m.iter()
                .find(|(mk, _)| *mk == k)
                .map(|(_, v)| v)
                .ok_or(Miss::Error)
        }
        (V::List(l), k) => {
            let i = as_num(k)?;
            if i < 0.0 || i.fract() != 0.0 {
                return Err(Miss::Error);
            }
            l.get(i as usize).ok_or(Miss::Error)
        }
        _ => Err(Miss::Error),
    }
}

fn binary(op: BinaryOperator, l: V, r: V) -> R {
    use BinaryOperator as B;
    Ok(match op {
        B::Eq => V::Bool(l == r),
        B::NotEq => V::Bool(l != r),
        B::And => V::Bool(matches!(l, V::Bool(true)) && matches!(r, V::Bool(true))),
        B::Or => V::Bool(matches!(l, V::Bool(true)) || matches!(r, V::Bool(true))),
        B::Less => V::Bool(as_num(&l)? < as_num(&r)?),
        B::LessEq => V::Bool(as_num(&l)? <= as_num(&r)?),
        B::Greater => V::Bool(as_num(&l)? > as_num(&r)?),
        B::GreaterEq => V::Bool(as_num(&l)? >= as_num(&r)?),
        B::Plus => V::Num(as_num(&l)? + as_num(&r)?),
        B::Minus => V::Num(as_num(&l)? - as_num(&r)?),
        B::Mul => V::Num(as_num(&l)? * as_num(&r)?),
        B::Div => V::Num(as_num(&l)? / as_num(&r)?),
        B::Mod => V::Num(as_num(&l)? % as_num(&r)?),
    })
}

fn function(name: &str, args: Vec<V>) -> R {
    if name != "length" && args.contains(&V::Unknown) {
        return Err(Miss::Unknown);
    }
    match name {
        "concat" => {
            let mut out = Vec::new();
            for a in args {
                match a {
                    V::List(l) => out.extend(l),
                    _ => return Err(Miss::Error),
                }
            }
            return Ok(V::List(out));
        }
        "merge" => {
            let mut out: Vec<(String, V)> = Vec::new();
            for a in args {
                match a {
                    V::Map(m) => {
                        for (k, v) in m {
                            match out.iter_mut().find(|(ok, _)| *ok == k) {
                                Some(slot) => slot.1 = v,
                                None => out.push((k, v)),
                            }
                        }
                    }
                    V::Null => {}
                    _ => return Err(Miss::Error),
                }
            }
            return Ok(V::Map(out));
        }
        "coalesce" => {
            return args
                .into_iter()
                .find(|v| !matches!(v, V::Null) && *v != V::Str(String::new()))
                .ok_or(Miss::Error);
        }
        "compact" | "distinct" | "sort" | "flatten" => {
            let [V::List(l)] = <[V; 1]>::try_from(args).map_err(|_| Miss::Error)? else {
                return Err(Miss::Error);
            };
            return Ok(V::List(match name {
                "compact" => l
                    .into_iter()
                    .filter(|v| !matches!(v, V::Null) && *v != V::Str(String::new()))
                    .collect(),
                "distinct" => {
                    let mut out: Vec<V> = Vec::new();
                    for v in l {
                        if !out.contains(&v) {
                            out.push(v);
                        }
                    }
                    out
                }
                "sort" => {
                    let mut strs = l.iter().map(as_string).collect::<Result<Vec<_>, _>>()?;
                    strs.sort();
                    strs.into_iter().map(V::Str).collect()
                }
                _ => l
                    .into_iter()
                    .flat_map(|v| match v {
                        V::List(inner) => inner,
                        other => vec![other],
                    })
                    .collect(),
            }));
        }
        _ => {}
    }
    let mut a = args.into_iter();
    let (x, y, z) = (a.next(), a.next(), a.next());
    match (name, x, y, z) {
        ("lookup", Some(m @ V::Map(_)), Some(k), default) => {
            get(&m, &k).or_else(|e| default.ok_or(e))
        }
        ("element", Some(V::List(l)), Some(i), None) if !l.is_empty() => {
            let i = as_num(&i)? as usize;
            Ok(l[i % l.len()].clone())
        }
        ("length", Some(V::List(l)), None, None) => Ok(V::Num(l.len() as f64)),
        ("length", Some(V::Map(m)), None, None) => Ok(V::Num(m.len() as f64)),
        ("length", Some(V::Str(s)), None, None) => Ok(V::Num(s.chars().count() as f64)),
        ("tobool", Some(V::Bool(b)), None, None) => Ok(V::Bool(b)),
        ("tobool", Some(V::Str(s)), None, None) if s == "true" || s == "false" => {
            Ok(V::Bool(s == "true"))
        }
        ("tobool", Some(V::Null), None, None) => Ok(V::Null),
        ("tostring", Some(v), None, None) => as_string(&v).map(V::Str),
        ("tonumber", Some(v), None, None) => as_num(&v).map(V::Num),
        ("lower", Some(V::Str(s)), None, None) => Ok(V::Str(s.to_lowercase())),
        ("upper", Some(V::Str(s)), None, None) => Ok(V::Str(s.to_uppercase())),
        ("title", Some(V::Str(s)), None, None) => {
            let mut c = s.chars();
            Ok(V::Str(
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default(),
            ))
        }
        ("tolist" | "toset", Some(V::List(l)), None, None) => Ok(V::List(l)),
        ("keys", Some(V::Map(m)), None, None) => {
            Ok(V::List(m.into_iter().map(|(k, _)| V::Str(k)).collect()))
        }
        ("values", Some(V::Map(m)), None, None) => {
            Ok(V::List(m.into_iter().map(|(_, v)| v).collect()))
        }
        ("contains", Some(V::List(l)), Some(v), None) => Ok(V::Bool(l.contains(&v))),
        _ => Err(Miss::Unknown),
    }
}

/// A computed value as a span-less syntax value (for the literal comparisons).
pub(crate) fn to_val(v: &V, span: std::ops::Range<usize>) -> Val {
    let kind = match v {
        V::Unknown => ValKind::Other,
        V::Null => ValKind::Null,
        V::Bool(b) => ValKind::Bool(*b),
        V::Num(n) => ValKind::Number(*n),
        V::Str(s) => ValKind::Str(s.clone()),
        V::List(l) => ValKind::List(l.iter().map(|x| to_val(x, span.clone())).collect()),
        V::Map(m) => ValKind::Object(
            m.iter()
                .map(|(k, x)| crate::syntax::ObjItem {
                    key: k.clone(),
                    key_span: span.clone(),
                    value: to_val(x, span.clone()),
                })
                .collect(),
        ),
    };
    Val { span, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_in(files: &[(&str, &str)], dir: &str, inst: Inst, expr: &str) -> R {
        let repo = Repo::from_sources(files.iter().map(|(p, t)| (p.to_string(), t.to_string())));
        let interp = Interp {
            repo: &repo,
            scope: Scope {
                dir: dir.to_string(),
                chain: Vec::new(),
            },
            inst,
        };
        interp.eval_text(expr, &interp.scope, &interp.inst, 0)
    }

    #[test]
    fn module_style_rule_maps_evaluate_per_instance() {
        let vars = "variable \"rules\" {\n  default = {\n    ssh-tcp = [22, 22, \"tcp\"]\n    https-443-tcp = [443, 443, \"tcp\"]\n  }\n}\nvariable \"ingress_rules\" {\n  default = [\"https-443-tcp\", \"ssh-tcp\"]\n}\n";
        let files = [("main.tf", vars)];
        let e = "var.rules[var.ingress_rules[count.index]][0]";
        assert_eq!(eval_in(&files, "", Inst::Count(0), e), Ok(V::Num(443.0)));
        assert_eq!(eval_in(&files, "", Inst::Count(1), e), Ok(V::Num(22.0)));
        assert_eq!(eval_in(&files, "", Inst::None, e), Err(Miss::Unknown));
        assert_eq!(
            eval_in(&files, "", Inst::None, "length(var.ingress_rules)"),
            Ok(V::Num(2.0))
        );
    }

    #[test]
    fn list_functions_used_by_module_wrappers() {
        let files = [(
            "main.tf",
            "variable \"a\" {\n  default = [\"x\", \"\"]\n}\nvariable \"b\" {\n  default = [\"y\", \"x\"]\n}\n",
        )];
        assert_eq!(
            eval_in(
                &files,
                "",
                Inst::None,
                "sort(compact(distinct(concat(var.a, var.b, [\"\"]))))"
            ),
            Ok(V::List(vec![V::Str("x".into()), V::Str("y".into())]))
        );
        assert_eq!(
            eval_in(&files, "", Inst::None, "merge({a = 1}, {a = 2, b = 3})"),
            Ok(V::Map(vec![
                ("a".into(), V::Num(2.0)),
                ("b".into(), V::Num(3.0))
            ]))
        );
    }

    #[test]
    fn try_skips_errors_but_not_unknowns() {
        let files = [("main.tf", "variable \"v\" {\n  default = {}\n}\n")];
        assert_eq!(
            eval_in(
                &files,
                "",
                Inst::None,
                "try(var.v[\"enabled\"], \"Enabled\")"
            ),
            Ok(V::Str("Enabled".into()))
        );
        assert_eq!(
            eval_in(&files, "", Inst::None, "try(aws_s3_bucket.b.id, \"x\")"),
            Err(Miss::Unknown)
        );
        assert_eq!(
            eval_in(&files, "", Inst::None, "var.v == {} ? 1 : 0"),
            Ok(V::Num(1.0))
        );
        assert_eq!(
            eval_in(&files, "", Inst::None, "lookup(var.v, \"k\", true)"),
            Ok(V::Bool(true))
        );
        assert_eq!(
            eval_in(&files, "", Inst::None, "var.missing"),
            Err(Miss::Unknown)
        );
    }
}

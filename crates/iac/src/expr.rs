//! Expressions with spans: the full shape of an attribute's value.
//!
//! [`crate::Attribute::expr`] holds the value as an [`Expr`] tree built from the
//! same tree-sitter parse as the rest of the index, so every list element,
//! object item, function argument and interpolation keeps its exact [`Span`].
//! Policies use it to point at (and edit) the `enabled = false` line inside
//! `versioning = { … }`; the [`crate::Evaluator`] computes values from it.
//!
//! [`parse_expression`] builds an [`Expr`] from expression text alone (spans
//! are then relative to that text).

use crate::model::Value;
use crate::span::Span;

/// An expression and where it is written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expr {
    /// The expression's source range. For a parenthesised expression, the
    /// span of what is inside the parentheses.
    pub span: Span,
    /// What the expression is.
    pub kind: ExprKind,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number literal, as written (`8`, `0.5`, `0x1F`).
    Number(String),
    /// A quoted string without interpolations or directives, unescaped.
    String(String),
    /// A quoted string with interpolations or directives.
    Template(Vec<TemplatePart>),
    /// A heredoc (`<<EOT` or `<<-EOT`).
    Heredoc(Heredoc),
    /// `[ … ]`.
    List(Vec<Expr>),
    /// `{ key = value, … }`, in source order.
    Object(Vec<ObjectItem>),
    /// A bare name: the root of a reference (`var`, `local`, `each`,
    /// `aws_s3_bucket`, …) or an object key written as an identifier.
    Variable(String),
    /// `base.attr[index].*…`: a traversal of `base`.
    Traversal {
        /// What is traversed.
        base: Box<Expr>,
        /// The steps, in order.
        ops: Vec<TraversalOp>,
    },
    /// `name(args…)`.
    Call(Call),
    /// `cond ? then : otherwise`.
    Conditional(Box<Conditional>),
    /// `-x` or `!x`.
    Unary(UnaryOp, Box<Expr>),
    /// `lhs op rhs`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A `for` expression (`[for x in y : …]`, `{for k, v in m : k => v}`).
    For,
    /// A syntax error, or nesting deeper than the index follows.
    #[default]
    Invalid,
}

/// One step of a traversal.
#[derive(Debug, Clone, PartialEq)]
pub enum TraversalOp {
    /// `.name`
    GetAttr(String),
    /// `[expr]`
    Index(Expr),
    /// `.0` (legacy index syntax).
    LegacyIndex(u64),
    /// `.*` — the steps after it apply to every element.
    AttrSplat,
    /// `[*]` — the steps after it apply to every element.
    FullSplat,
}

/// One `key = value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectItem {
    /// The key: an identifier or a string (`Variable` / `String`), or an
    /// expression in parentheses.
    pub key: Expr,
    /// From the key to the end of the value.
    pub span: Span,
    /// The value.
    pub value: Expr,
}

impl ObjectItem {
    /// The key as a name, when it is written as an identifier or a plain string.
    #[must_use]
    pub fn key_name(&self) -> Option<&str> {
        match &self.key.kind {
            ExprKind::Variable(name) | ExprKind::String(name) => Some(name),
            _ => None,
        }
    }
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name (`jsonencode`, `lookup`, `provider::aws::arn_parse`).
    pub name: String,
    /// The arguments, in order.
    pub args: Vec<Expr>,
    /// `f(list...)`: the last argument is expanded.
    pub expand_final: bool,
}

/// `cond ? then : otherwise`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    /// The condition.
    pub cond: Expr,
    /// The value when true.
    pub then: Expr,
    /// The value when false.
    pub otherwise: Expr,
}

/// A heredoc template.
#[derive(Debug, Clone, PartialEq)]
pub struct Heredoc {
    /// `<<-`: the common leading whitespace of the lines is removed.
    pub indented: bool,
    /// The lines between the opening and the closing marker, as written
    /// (from the start of the first line to the start of the closing
    /// marker's line, so it ends with a newline when not empty).
    pub body: Span,
    /// The body as template parts (literal text exactly as written, with
    /// `$${` / `%%{` unescaped; indentation not yet removed).
    pub parts: Vec<TemplatePart>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text (unescaped).
    Literal(String),
    /// `${ expr }`.
    Interpolation(Expr),
    /// `%{ if … }` / `%{ for … }`: not evaluated.
    Directive(Span),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `!x`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<`
    Less,
    /// `<=`
    LessEq,
    /// `>`
    Greater,
    /// `>=`
    GreaterEq,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinaryOp {
    /// The operator for a token, if it is one.
    #[must_use]
    pub fn from_token(token: &str) -> Option<Self> {
        Some(match token {
            "*" => Self::Mul,
            "/" => Self::Div,
            "%" => Self::Mod,
            "+" => Self::Add,
            "-" => Self::Sub,
            "<" => Self::Less,
            "<=" => Self::LessEq,
            ">" => Self::Greater,
            ">=" => Self::GreaterEq,
            "==" => Self::Eq,
            "!=" => Self::NotEq,
            "&&" => Self::And,
            "||" => Self::Or,
            _ => return None,
        })
    }
}

impl Expr {
    /// The object item with this key, when this is an object.
    #[must_use]
    pub fn item(&self, key: &str) -> Option<&ObjectItem> {
        match &self.kind {
            ExprKind::Object(items) => items.iter().find(|i| i.key_name() == Some(key)),
            _ => None,
        }
    }

    /// A static reference as text without whitespace: `var.x`, `local.a.b`,
    /// `aws_s3_bucket.b.id`, `module.m.out[0]`, `data.x.y.json`. `None` for
    /// anything else (indexes by expression, splats, calls, …).
    #[must_use]
    pub fn reference(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Variable(name) => Some(name.clone()),
            ExprKind::Traversal { base, ops } => {
                let ExprKind::Variable(root) = &base.kind else {
                    return None;
                };
                let mut out = root.clone();
                for op in ops {
                    match op {
                        TraversalOp::GetAttr(name) => {
                            out.push('.');
                            out.push_str(name);
                        }
                        TraversalOp::LegacyIndex(i) => out.push_str(&format!("[{i}]")),
                        TraversalOp::Index(e) => match &e.kind {
                            ExprKind::Number(n) => out.push_str(&format!("[{n}]")),
                            ExprKind::String(s) => out.push_str(&format!("[{s:?}]")),
                            _ => return None,
                        },
                        TraversalOp::AttrSplat | TraversalOp::FullSplat => return None,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `var.<name>` / `local.<name>` written as a plain reference: the root
    /// (`"var"` or `"local"`) and the name.
    #[must_use]
    pub fn var_or_local(&self) -> Option<(&str, &str)> {
        let ExprKind::Traversal { base, ops } = &self.kind else {
            return None;
        };
        let (ExprKind::Variable(root), [TraversalOp::GetAttr(name)]) = (&base.kind, ops.as_slice())
        else {
            return None;
        };
        matches!(root.as_str(), "var" | "local").then_some((root.as_str(), name.as_str()))
    }

    /// True for `null`, bools, numbers, plain strings, and lists/objects of those.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) => true,
            ExprKind::Unary(UnaryOp::Neg, inner) => matches!(inner.kind, ExprKind::Number(_)),
            ExprKind::List(items) => items.iter().all(Expr::is_literal),
            ExprKind::Object(items) => items
                .iter()
                .all(|i| i.key_name().is_some() && i.value.is_literal()),
            _ => false,
        }
    }

    /// The literal value, with [`Value::Expression`] for every part that is
    /// not a literal (a reference, a call, a template, …).
    #[must_use]
    pub fn literal(&self) -> Value {
        match &self.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Number(n) => Value::Number(n.clone()),
            ExprKind::String(s) => Value::String(s.clone()),
            ExprKind::Unary(UnaryOp::Neg, inner) => match &inner.kind {
                ExprKind::Number(n) => Value::Number(format!("-{n}")),
                _ => Value::Expression,
            },
            ExprKind::List(items) => Value::List(items.iter().map(Expr::literal).collect()),
            ExprKind::Object(items) => {
                let mut entries = Vec::with_capacity(items.len());
                for item in items {
                    let Some(key) = item.key_name() else {
                        return Value::Expression;
                    };
                    entries.push((key.to_owned(), item.value.literal()));
                }
                Value::Map(entries)
            }
            _ => Value::Expression,
        }
    }
}

/// Parses expression text on its own (spans are relative to `text`, lines
/// start at 1). Refuses text that does not parse as one expression.
///
/// # Errors
/// A message naming what is wrong, when `text` is not exactly one valid
/// HCL expression.
pub fn parse_expression(text: &str) -> Result<Expr, String> {
    crate::parse::parse_expression(text)
}

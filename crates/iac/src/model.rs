//! The plain types the index is made of: files, blocks, attributes, values.

use serde::{Deserialize, Serialize};

use crate::expr::Expr;
use crate::span::Span;

/// What kind of top-level (or nested) block this is, from its first identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `resource "type" "name" { … }`
    Resource,
    /// `data "type" "name" { … }`
    Data,
    /// `module "name" { … }`
    Module,
    /// `variable "name" { … }`
    Variable,
    /// `output "name" { … }`
    Output,
    /// `locals { … }`
    Locals,
    /// `provider "name" { … }`
    Provider,
    /// `terraform { … }`
    Terraform,
    /// `moved { … }`
    Moved,
    /// `import { … }`
    Import,
    /// Any other block, including every nested block (`versioning { … }`, `dynamic "x" { … }`).
    Other,
}

impl BlockKind {
    /// The kind of a block from its identifier. Only top-level identifiers map to
    /// a specific kind; callers pass `nested = true` for blocks inside a body.
    #[must_use]
    pub fn from_ident(ident: &str, nested: bool) -> Self {
        if nested {
            return Self::Other;
        }
        match ident {
            "resource" => Self::Resource,
            "data" => Self::Data,
            "module" => Self::Module,
            "variable" => Self::Variable,
            "output" => Self::Output,
            "locals" => Self::Locals,
            "provider" => Self::Provider,
            "terraform" => Self::Terraform,
            "moved" => Self::Moved,
            "import" => Self::Import,
            _ => Self::Other,
        }
    }
}

/// A simple view of an attribute's value, enough for literal checks.
///
/// Anything that is not a literal, a collection of literals or a plain
/// reference is [`Value::Expression`]; the exact text stays in
/// [`Attribute::raw`]. Use [`crate::eval`] to follow variables and locals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A quoted string without interpolation, unescaped.
    String(String),
    /// A number, as written.
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[ … ]`.
    List(Vec<Value>),
    /// `{ key = value, … }`, in source order.
    Map(Vec<(String, Value)>),
    /// A plain traversal such as `var.encrypt` or `aws_kms_key.k.arn`.
    Reference(String),
    /// Anything else (function calls, templates, operators, conditionals, …).
    /// In values computed by [`crate::Evaluator::compute`], a part whose value
    /// is not known.
    Expression,
}

impl Value {
    /// The string, when this is a string literal.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is a bool literal.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// True for strings, numbers, bools and null (and lists/maps of those).
    #[must_use]
    pub fn is_literal(&self) -> bool {
        match self {
            Self::String(_) | Self::Number(_) | Self::Bool(_) | Self::Null => true,
            Self::List(items) => items.iter().all(Self::is_literal),
            Self::Map(entries) => entries.iter().all(|(_, v)| v.is_literal()),
            Self::Reference(_) | Self::Expression => false,
        }
    }
}

/// `name = value` inside a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// The whole `name = value`.
    pub span: Span,
    /// Just the value expression.
    pub value_span: Span,
    /// The value's source text, exactly as written.
    pub raw: String,
    /// A simple view of the value.
    pub value: Value,
    /// When the value is an object (or a list of objects), its `key = value`
    /// elements, recursively, as attributes with exact spans; for a heredoc
    /// holding a JSON document, one entry per `"key":` line. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Attribute>,
    /// The value as an expression tree with spans everywhere inside (list
    /// elements, object items, call arguments, interpolations). Not serialized.
    #[serde(skip)]
    pub expr: Expr,
}

impl Attribute {
    /// This attribute or the innermost entry starting on `line`.
    #[must_use]
    pub fn item_starting_at(&self, line: u32) -> Option<&Attribute> {
        if !self.span.contains_line(line) {
            return None;
        }
        self.entries
            .iter()
            .find_map(|e| e.item_starting_at(line))
            .or_else(|| (self.span.start_line == line).then_some(self))
    }

    /// This attribute or the innermost entry containing `line`.
    #[must_use]
    pub fn innermost_containing(&self, line: u32) -> Option<&Attribute> {
        if !self.span.contains_line(line) {
            return None;
        }
        Some(
            self.entries
                .iter()
                .find_map(|e| e.innermost_containing(line))
                .unwrap_or(self),
        )
    }

    /// The entry at `key`, one level down.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Attribute> {
        self.entries.iter().find(|e| e.name == key)
    }
}

/// A block with its labels, attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// The kind derived from [`Block::ident`] (always `Other` for nested blocks).
    pub kind: BlockKind,
    /// The block's identifier as written: `resource`, `versioning`, `dynamic`, …
    pub ident: String,
    /// The labels, unquoted: `["aws_s3_bucket", "logs"]`.
    pub labels: Vec<String>,
    /// From the identifier to the closing brace.
    pub span: Span,
    /// From just after `{` to just before `}`.
    pub body_span: Span,
    /// Attributes directly inside this block, in source order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks directly inside this block, in source order.
    pub blocks: Vec<Block>,
}

impl Block {
    /// The type label of a `resource`/`data` block (`aws_s3_bucket`).
    #[must_use]
    pub fn type_label(&self) -> Option<&str> {
        match self.kind {
            BlockKind::Resource | BlockKind::Data => self.labels.first().map(String::as_str),
            _ => None,
        }
    }

    /// The name label: second label of `resource`/`data`, first label of
    /// `module`/`variable`/`output`/`provider`, otherwise the first label if any.
    #[must_use]
    pub fn name_label(&self) -> Option<&str> {
        match self.kind {
            BlockKind::Resource | BlockKind::Data => self.labels.get(1).map(String::as_str),
            _ => self.labels.first().map(String::as_str),
        }
    }

    /// The direct attribute called `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The direct nested blocks whose identifier is `ident`.
    pub fn nested(&self, ident: &str) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    /// Follows an attribute path through nested blocks: `["versioning", "enabled"]`.
    /// Takes the first nested block with each identifier.
    #[must_use]
    pub fn attribute_path(&self, path: &[&str]) -> Option<&Attribute> {
        match path {
            [] => None,
            [last] => self.attribute(last),
            [first, rest @ ..] => self.nested(first).find_map(|b| b.attribute_path(rest)),
        }
    }

    /// The innermost nested block or attribute that starts on `line`, if any
    /// (this block itself included).
    #[must_use]
    pub fn item_starting_at(&self, line: u32) -> Option<Item<'_>> {
        if !self.span.contains_line(line) {
            return None;
        }
        for b in &self.blocks {
            if let Some(item) = b.item_starting_at(line) {
                return Some(item);
            }
        }
        if let Some(a) = self
            .attributes
            .iter()
            .find_map(|a| a.item_starting_at(line))
        {
            return Some(Item::Attribute(a));
        }
        (self.span.start_line == line).then_some(Item::Block(self))
    }

    /// The innermost attribute whose span contains `line`.
    #[must_use]
    pub fn attribute_containing(&self, line: u32) -> Option<&Attribute> {
        if !self.span.contains_line(line) {
            return None;
        }
        self.blocks
            .iter()
            .find_map(|b| b.attribute_containing(line))
            .or_else(|| {
                self.attributes
                    .iter()
                    .find_map(|a| a.innermost_containing(line))
            })
    }

    /// The innermost block (this one or a nested one) whose span contains `line`.
    #[must_use]
    pub fn innermost_block(&self, line: u32) -> Option<&Block> {
        if !self.span.contains_line(line) {
            return None;
        }
        Some(
            self.blocks
                .iter()
                .find_map(|b| b.innermost_block(line))
                .unwrap_or(self),
        )
    }
}

/// A reference to either a block or an attribute found by a line lookup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item<'a> {
    /// A block.
    Block(&'a Block),
    /// An attribute.
    Attribute(&'a Attribute),
}

impl Item<'_> {
    /// The span of the block or attribute.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Self::Block(b) => b.span,
            Self::Attribute(a) => a.span,
        }
    }
}

/// A syntax error in one file, reported as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// The file, relative to the repository root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (bytes).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// What sort of Terraform file this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `*.tf`: configuration.
    Config,
    /// `*.tfvars`: variable values (`*.auto.tfvars` and `terraform.tfvars` load automatically).
    Tfvars,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct File {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// Configuration or variable values.
    pub kind: FileKind,
    /// The full text.
    pub content: String,
    /// Top-level blocks in source order.
    pub blocks: Vec<Block>,
    /// Top-level attributes (only `.tfvars` files have them normally).
    pub attributes: Vec<Attribute>,
    /// Syntax errors; the rest of the file is still indexed.
    pub errors: Vec<ParseError>,
}

impl File {
    /// The directory part of [`File::path`] (`""` for the root).
    #[must_use]
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// The top-level block whose span contains `line`.
    #[must_use]
    pub fn block_at(&self, line: u32) -> Option<&Block> {
        self.blocks.iter().find(|b| b.span.contains_line(line))
    }

    /// The innermost attribute whose span contains `line`.
    #[must_use]
    pub fn attribute_at(&self, line: u32) -> Option<&Attribute> {
        self.block_at(line)
            .and_then(|b| b.attribute_containing(line))
            .or_else(|| {
                self.attributes
                    .iter()
                    .find_map(|a| a.innermost_containing(line))
            })
    }

    /// The innermost block or attribute starting on `line`.
    #[must_use]
    pub fn item_starting_at(&self, line: u32) -> Option<Item<'_>> {
        self.block_at(line)
            .and_then(|b| b.item_starting_at(line))
            .or_else(|| {
                self.attributes
                    .iter()
                    .find_map(|a| a.item_starting_at(line))
                    .map(Item::Attribute)
            })
    }

    /// The text of a 1-based line, without its newline.
    #[must_use]
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let idx = usize::try_from(line.checked_sub(1)?).ok()?;
        self.content.lines().nth(idx)
    }

    /// The text covered by `span`.
    #[must_use]
    pub fn text(&self, span: &Span) -> Option<&str> {
        self.content.get(span.start_byte..span.end_byte)
    }
}

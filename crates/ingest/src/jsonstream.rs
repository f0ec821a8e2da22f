//! Streaming JSON: walks a document along a small plan and hands over one record at a
//! time, so memory holds one record rather than the file.
//!
//! A plan ([`Node`]) says which object keys to descend into, which sibling values to
//! capture as context (for example SARIF's `tool` before its `results`), where arrays of
//! records are, and where a whole record is to be taken as a `serde_json::Value`.
//! Everything else is skipped without being built. The bytes are cut by
//! [`Scanner`]; each record is parsed from a slice.

use std::fmt::Write as _;
use std::io::BufRead;

use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::format::Format;
use crate::jsonscan::{ScanError, Scanner};

/// One step of a plan.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// When the value is an object: keys (with alternative spellings) to descend into.
    fields: Vec<(&'static [&'static str], Node)>,
    /// When the value is an object: keys whose values are kept as context.
    capture: &'static [&'static str],
    /// When the value is an array: the plan for each element.
    items: Option<Box<Node>>,
    /// Take the whole value as one record.
    leaf: bool,
    /// A known key whose value carries no findings: skip it (but count it as matched).
    ignored: bool,
}

impl Node {
    /// A record: the whole value is handed over.
    pub(crate) fn record() -> Node {
        Node {
            leaf: true,
            ..Node::default()
        }
    }

    /// A known key with nothing to read (a summary block): skipped without being built.
    pub(crate) fn ignored() -> Node {
        Node {
            ignored: true,
            ..Node::default()
        }
    }

    /// An array whose elements follow `item`.
    pub(crate) fn each(item: Node) -> Node {
        Node {
            items: Some(Box::new(item)),
            ..Node::default()
        }
    }

    /// Also accept an array at this place, each element following `item`.
    pub(crate) fn or_each(mut self, item: Node) -> Node {
        self.items = Some(Box::new(item));
        self
    }

    /// An object plan with no keys yet.
    pub(crate) fn object() -> Node {
        Node::default()
    }

    /// Descend into `names` (alternative spellings of one key) with `child`.
    pub(crate) fn key(mut self, names: &'static [&'static str], child: Node) -> Node {
        self.fields.push((names, child));
        self
    }

    /// Keep the values of these keys as context for the records below.
    pub(crate) fn capture(mut self, names: &'static [&'static str]) -> Node {
        self.capture = names;
        self
    }
}

/// What a record handler gets besides the record.
pub(crate) struct Context<'a> {
    captured: &'a [(String, Value)],
    /// Where the record sits (`Findings[16]`).
    pub(crate) path: &'a str,
}

impl Context<'_> {
    /// A captured value, innermost first.
    pub(crate) fn captured(&self, key: &str) -> Option<&Value> {
        self.captured
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// The record handler: gets the context and the record.
pub(crate) type Handler<'h> = dyn FnMut(&Context<'_>, Value) -> Result<(), IngestError> + 'h;

enum Seg {
    Key(String),
    Index(u64),
}

struct Walk<'s, 'h> {
    format: Format,
    scanner: Scanner<'s>,
    handler: &'h mut Handler<'h>,
    captured: Vec<(String, Value)>,
    path: Vec<Seg>,
    matched: bool,
    top_keys: Vec<String>,
}

/// Walks `reader` along `plan`, calling `handler` for each record.
pub(crate) fn walk(
    reader: &mut dyn BufRead,
    format: Format,
    plan: &Node,
    handler: &mut Handler<'_>,
) -> Result<(), IngestError> {
    let mut walk = Walk {
        format,
        scanner: Scanner::new(reader),
        handler,
        captured: Vec::new(),
        path: Vec::new(),
        matched: false,
        top_keys: Vec::new(),
    };
    walk.scanner.skip_bom().map_err(|e| walk.scan_error(e))?;
    if walk
        .scanner
        .peek()
        .map_err(|e| walk.scan_error(e))?
        .is_none()
    {
        return Err(IngestError::Shape {
            format,
            message: "the input is empty".to_owned(),
        });
    }
    walk.node(plan)?;
    if let Some(b) = walk.scanner.peek().map_err(|e| walk.scan_error(e))? {
        return Err(walk.scan_error(walk.scanner.syntax(format!(
            "unexpected '{}' after the end of the document",
            b as char
        ))));
    }
    if !walk.matched && !plan.fields.is_empty() && !walk.top_keys.is_empty() {
        let expected: Vec<&str> = plan
            .fields
            .iter()
            .flat_map(|(n, _)| n.iter().copied())
            .collect();
        return Err(IngestError::Shape {
            format,
            message: format!(
                "expected a top-level key {}; found {}",
                expected.join(" or "),
                walk.top_keys.join(", ")
            ),
        });
    }
    Ok(())
}

/// Reads a sequence of top-level values (JSON lines), calling `handler` for each with
/// its 1-based ordinal.
pub(crate) fn each_value(
    reader: &mut dyn BufRead,
    format: Format,
    handler: &mut dyn FnMut(u64, Value) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut scanner = Scanner::new(reader);
    scanner.skip_bom().map_err(|e| scan_error(format, e))?;
    let mut ordinal = 0u64;
    loop {
        match scanner.peek() {
            Ok(None) => return Ok(()),
            Ok(Some(_)) => {}
            Err(e) => return Err(scan_error(format, e)),
        }
        let value = scanner.take_value().map_err(|e| scan_error(format, e))?;
        ordinal += 1;
        handler(ordinal, value)?;
    }
}

fn scan_error(format: Format, error: ScanError) -> IngestError {
    match error {
        ScanError::Io(e) => IngestError::Io(e),
        ScanError::Syntax(message, line) => IngestError::Syntax {
            format,
            position: Some(Position {
                record: 0,
                line: Some(line),
                path: None,
            }),
            message,
        },
    }
}

fn kind_of_byte(b: u8) -> &'static str {
    match b {
        b'{' => "an object",
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        _ => "a number",
    }
}

impl Walk<'_, '_> {
    fn scan_error(&self, error: ScanError) -> IngestError {
        scan_error(self.format, error)
    }

    fn path_text(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) if out.is_empty() => out.push_str(k),
                Seg::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    fn shape(&self, expected: &str, found: &str) -> IngestError {
        let path = self.path_text();
        let at = if path.is_empty() {
            "the top level".to_owned()
        } else {
            format!("field \"{path}\"")
        };
        IngestError::Shape {
            format: self.format,
            message: format!("{at}: expected {expected}, found {found}"),
        }
    }

    fn node(&mut self, node: &Node) -> Result<(), IngestError> {
        let Some(first) = self.scanner.peek().map_err(|e| self.scan_error(e))? else {
            return Err(self.scan_error(
                self.scanner
                    .syntax("expected a value, found the end of input"),
            ));
        };
        if node.leaf {
            let path = self.path_text();
            let value = self
                .scanner
                .take_value()
                .map_err(|e| match self.scan_error(e) {
                    // Name the record whose text is broken.
                    IngestError::Syntax {
                        format,
                        position: Some(position),
                        message,
                    } => IngestError::Syntax {
                        format,
                        position: Some(Position {
                            path: Some(path.clone()),
                            ..position
                        }),
                        message,
                    },
                    other => other,
                })?;
            let context = Context {
                captured: &self.captured,
                path: &path,
            };
            return (self.handler)(&context, value);
        }
        if node.ignored {
            return self.scanner.skip_value().map_err(|e| self.scan_error(e));
        }
        match first {
            b'{' if !node.fields.is_empty() || !node.capture.is_empty() => self.object(node),
            b'[' if node.items.is_some() => self.array(node),
            b'n' => {
                // `null` where a list is expected means "no findings" (tfsec, Terrascan).
                let value = self.scanner.take_value().map_err(|e| self.scan_error(e))?;
                if value.is_null() {
                    Ok(())
                } else {
                    Err(self.shape(expects(node), "a scalar"))
                }
            }
            other => Err(self.shape(expects(node), kind_of_byte(other))),
        }
    }

    fn object(&mut self, node: &Node) -> Result<(), IngestError> {
        let at_top = self.path.is_empty();
        let saved = self.captured.len();
        self.scanner.bump();
        let mut first = true;
        loop {
            match self.scanner.peek().map_err(|e| self.scan_error(e))? {
                Some(b'}') => {
                    self.scanner.bump();
                    break;
                }
                Some(b',') if !first => self.scanner.bump(),
                _ if first => {}
                _ => {
                    return Err(
                        self.scan_error(self.scanner.syntax("expected ',' or '}' in an object"))
                    );
                }
            }
            first = false;
            let key = self.scanner.take_key().map_err(|e| self.scan_error(e))?;
            self.scanner.expect(b':').map_err(|e| self.scan_error(e))?;
            if at_top && self.top_keys.len() < 20 {
                self.top_keys.push(key.clone());
            }
            let child = node
                .fields
                .iter()
                .find(|(names, _)| names.contains(&key.as_str()))
                .map(|(_, child)| child);
            if let Some(child) = child {
                self.matched = true;
                self.path.push(Seg::Key(key));
                self.node(child)?;
                self.path.pop();
            } else if node.capture.contains(&key.as_str()) {
                self.matched = true;
                let value = self.scanner.take_value().map_err(|e| self.scan_error(e))?;
                self.captured.push((key, value));
            } else {
                self.scanner.skip_value().map_err(|e| self.scan_error(e))?;
            }
        }
        self.captured.truncate(saved);
        Ok(())
    }

    fn array(&mut self, node: &Node) -> Result<(), IngestError> {
        let Some(items) = node.items.as_deref() else {
            return Err(self.shape("an object", "an array"));
        };
        self.matched = true;
        self.scanner.bump();
        let mut index = 0u64;
        loop {
            match self.scanner.peek().map_err(|e| self.scan_error(e))? {
                Some(b']') => {
                    self.scanner.bump();
                    return Ok(());
                }
                Some(b',') if index > 0 => self.scanner.bump(),
                _ if index == 0 => {}
                _ => {
                    return Err(
                        self.scan_error(self.scanner.syntax("expected ',' or ']' in an array"))
                    );
                }
            }
            self.path.push(Seg::Index(index));
            self.node(items)?;
            self.path.pop();
            index += 1;
        }
    }
}

fn expects(node: &Node) -> &'static str {
    match (
        node.items.is_some(),
        !node.fields.is_empty() || !node.capture.is_empty(),
    ) {
        (true, true) => "an object or an array",
        (true, false) => "an array",
        _ => "an object",
    }
}

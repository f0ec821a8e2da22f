//! Streaming JSON: walks a document along a small plan and hands over one record at a
//! time, so memory holds one record rather than the file.
//!
//! A plan ([`Node`]) says which object keys to descend into, which sibling values to
//! capture as context (for example SARIF's `tool` before its `results`), where arrays of
//! records are, and where a whole record is to be taken as a `serde_json::Value`.
//! Everything else is skipped without being built.

use std::fmt::{self, Write as _};
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::format::Format;

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

struct Walk<'h> {
    format: Format,
    handler: &'h mut Handler<'h>,
    captured: Vec<(String, Value)>,
    path: Vec<Seg>,
    failure: Option<IngestError>,
    matched: bool,
    top_keys: Vec<String>,
}

impl Walk<'_> {
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

    fn fail<E: de::Error>(&mut self, error: IngestError) -> E {
        self.failure = Some(error);
        E::custom("stopped")
    }

    fn shape<E: de::Error>(&mut self, expected: &str, found: &str) -> E {
        let path = self.path_text();
        let at = if path.is_empty() {
            "the top level".to_owned()
        } else {
            format!("field \"{path}\"")
        };
        let error = IngestError::Shape {
            format: self.format,
            message: format!("{at}: expected {expected}, found {found}"),
        };
        self.fail(error)
    }
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
        handler,
        captured: Vec::new(),
        path: Vec::new(),
        failure: None,
        matched: false,
        top_keys: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = NodeSeed {
        node: plan,
        walk: &mut walk,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(failure) = walk.failure.take() {
        return Err(failure);
    }
    if let Err(e) = result {
        return Err(syntax(format, &e));
    }
    if !walk.matched && !plan.fields.is_empty() && walk.top_keys_were_seen() {
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

impl Walk<'_> {
    fn top_keys_were_seen(&self) -> bool {
        !self.top_keys.is_empty()
    }
}

/// Maps a serde_json error to [`IngestError::Syntax`] with its line.
pub(crate) fn syntax(format: Format, e: &serde_json::Error) -> IngestError {
    let position = (e.line() > 0).then(|| Position {
        record: 0,
        line: Some(e.line() as u64),
        path: None,
    });
    let message = e.to_string();
    // serde_json appends " at line L column C"; the position already says where.
    let message = match message.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &message[..i], e.column()),
        None => message,
    };
    IngestError::Syntax {
        format,
        position: position.map(|p| Position { record: 0, ..p }),
        message,
    }
}

struct NodeSeed<'a, 'h> {
    node: &'a Node,
    walk: &'a mut Walk<'h>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.node.leaf {
            let value = Value::deserialize(deserializer)?;
            let path = self.walk.path_text();
            let context = Context {
                captured: &self.walk.captured,
                path: &path,
            };
            let result = (self.walk.handler)(&context, value);
            return result.map_err(|e| self.walk.fail(e));
        }
        if self.node.ignored {
            IgnoredAny::deserialize(deserializer)?;
            return Ok(());
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a findings document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.node.fields.is_empty() && self.node.capture.is_empty() {
            return Err(self.walk.shape("an array", "an object"));
        }
        let at_top = self.walk.path.is_empty();
        let saved = self.walk.captured.len();
        while let Some(key) = map.next_key::<String>()? {
            if at_top && self.walk.top_keys.len() < 20 {
                self.walk.top_keys.push(key.clone());
            }
            let child = self
                .node
                .fields
                .iter()
                .find(|(names, _)| names.contains(&key.as_str()))
                .map(|(_, child)| child);
            if let Some(child) = child {
                self.walk.matched = true;
                self.walk.path.push(Seg::Key(key));
                map.next_value_seed(NodeSeed {
                    node: child,
                    walk: &mut *self.walk,
                })?;
                self.walk.path.pop();
            } else if self.node.capture.contains(&key.as_str()) {
                let value: Value = map.next_value()?;
                self.walk.captured.push((key, value));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.walk.captured.truncate(saved);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(items) = self.node.items.as_deref() else {
            return Err(self.walk.shape("an object", "an array"));
        };
        self.walk.matched = true;
        let mut index = 0u64;
        loop {
            self.walk.path.push(Seg::Index(index));
            let next = seq.next_element_seed(NodeSeed {
                node: items,
                walk: &mut *self.walk,
            })?;
            self.walk.path.pop();
            if next.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        // `null` where a list is expected means "no findings" (tfsec, Terrascan do this).
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.walk.shape(self.node_expects(), "a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.walk.shape(self.node_expects(), "a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.walk.shape(self.node_expects(), "a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.walk.shape(self.node_expects(), "a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.walk.shape(self.node_expects(), "a string"))
    }
}

impl NodeSeed<'_, '_> {
    fn node_expects(&self) -> &'static str {
        match (self.node.items.is_some(), !self.node.fields.is_empty()) {
            (true, true) => "an object or an array",
            (true, false) => "an array",
            _ => "an object",
        }
    }
}

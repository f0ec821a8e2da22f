//! Errors: detection failures, bad records and I/O, each naming format, position and field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::format::Format;

/// Where a record sits in the input, for errors and skips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// 1-based ordinal of the record in the file (the 17th finding is `record 17`);
    /// 0 when the position is not inside a record (a syntax error between records).
    pub record: u64,
    /// 1-based line, for CSV rows and JSON lines.
    pub line: Option<u64>,
    /// Where the record sits in the JSON document, e.g. `Findings[16]` or
    /// `runs[0].results[3]` (indexes 0-based, as in jq).
    pub path: Option<String>,
}

impl Position {
    /// A position given by a JSON path only.
    pub fn at_path(record: u64, path: impl Into<String>) -> Position {
        Position {
            record,
            line: None,
            path: Some(path.into()),
        }
    }

    /// A position given by a line (CSV, JSON lines).
    pub fn at_line(record: u64, line: u64) -> Position {
        Position {
            record,
            line: Some(line),
            path: None,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Record 0 means "not inside a record" (a syntax error between records).
        if self.record == 0 {
            return match (&self.line, &self.path) {
                (Some(line), Some(path)) => write!(f, "line {line} ({path})"),
                (Some(line), None) => write!(f, "line {line}"),
                (None, Some(path)) => f.write_str(path),
                (None, None) => f.write_str("an unknown position"),
            };
        }
        write!(f, "record {}", self.record)?;
        match (&self.line, &self.path) {
            (Some(line), Some(path)) => write!(f, " (line {line}, {path})"),
            (Some(line), None) => write!(f, " (line {line})"),
            (None, Some(path)) => write!(f, " ({path})"),
            (None, None) => Ok(()),
        }
    }
}

/// A record whose fields do not have the shape the format requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{format}: {position}: field \"{field}\": {problem}")]
pub struct RecordError {
    /// The format being parsed.
    pub format: Format,
    /// Which record.
    pub position: Position,
    /// The field, as a dotted path inside the record (`Resources`, `Severity.Label`).
    pub field: String,
    /// What is wrong with it (`expected an array`, `missing`).
    pub problem: String,
}

/// The content matched no known format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("no known findings format recognised ({reason}); tried: {}", tried_names(.tried))]
pub struct DetectError {
    /// Every format that was tried, in order.
    pub tried: Vec<Format>,
    /// Why none matched (`empty input`, `not JSON or CSV`, `JSON object with keys a, b, c`).
    pub reason: String,
}

fn tried_names(tried: &[Format]) -> String {
    tried
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `--format` value that names no supported format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {given:?}; known formats: {}", tried_names(&Format::ALL))]
pub struct UnknownFormat {
    /// What was given.
    pub given: String,
}

/// Any failure while importing a findings file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// No format was given and none was recognised.
    #[error(transparent)]
    Detect(#[from] DetectError),
    /// The input is larger than [`crate::Limits::max_bytes`].
    #[error("input is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in force.
        limit: u64,
    },
    /// Reading the input failed.
    #[error("reading the findings file failed: {0}")]
    Io(#[source] std::io::Error),
    /// The input is not well-formed JSON or CSV.
    #[error("{format}: malformed input{}: {message}", at_suffix(.position))]
    Syntax {
        /// The format being parsed.
        format: Format,
        /// Where, when known (JSON: line of the error; CSV: row).
        position: Option<Position>,
        /// The parser's message.
        message: String,
    },
    /// The document's top level does not have the format's shape.
    #[error("{format}: {message}")]
    Shape {
        /// The format being parsed.
        format: Format,
        /// What was expected and found.
        message: String,
    },
    /// A record has a field of the wrong shape.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The sink (the caller's consumer of findings) failed; parsing stopped.
    #[error("storing a finding failed: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn at_suffix(position: &Option<Position>) -> String {
    match position {
        Some(p) => format!(" at {p}"),
        None => String::new(),
    }
}

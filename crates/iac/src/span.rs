//! Source positions.

use serde::{Deserialize, Serialize};

/// A region of one file: a byte range plus 1-based lines and columns.
///
/// Bytes are for internal use (slicing, edits); lines are what people see.
/// Columns are 1-based and counted in bytes within the line. `end_line` /
/// `end_column` describe the position just after the last byte, so a block
/// whose closing brace is on line 9 has `end_line == 9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    /// First byte (inclusive).
    pub start_byte: usize,
    /// Last byte (exclusive).
    pub end_byte: usize,
    /// 1-based line of the first byte.
    pub start_line: u32,
    /// 1-based column of the first byte.
    pub start_column: u32,
    /// 1-based line of the end position.
    pub end_line: u32,
    /// 1-based column of the end position.
    pub end_column: u32,
}

impl Span {
    /// True when the 1-based `line` is within `start_line..=end_line`.
    #[must_use]
    pub fn contains_line(&self, line: u32) -> bool {
        self.start_line <= line && line <= self.end_line
    }

    /// True when `byte` is within `start_byte..end_byte`.
    #[must_use]
    pub fn contains_byte(&self, byte: usize) -> bool {
        self.start_byte <= byte && byte < self.end_byte
    }

    /// Number of lines covered.
    #[must_use]
    pub fn line_count(&self) -> u32 {
        self.end_line.saturating_sub(self.start_line) + 1
    }
}

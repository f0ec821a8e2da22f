//! A small pull scanner over buffered JSON bytes: finds where values start and end
//! without building them, so records can be cut out and parsed from a slice (several
//! times faster than parsing through `io::Read`), and everything else skipped in
//! bounded memory.

use std::io::{self, BufRead};

use serde_json::Value;

/// Bytes read from the input per refill.
const CHUNK: usize = 256 * 1024;

/// Largest single record (or captured context value) kept in memory. Larger ones are
/// refused: memory must not follow a hostile file's largest value.
pub(crate) const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// What went wrong while scanning.
#[derive(Debug)]
pub(crate) enum ScanError {
    /// Reading failed (including the size limit).
    Io(io::Error),
    /// The bytes are not JSON: message and 1-based line.
    Syntax(String, u64),
}

/// The scanner: a window onto the input with a cursor.
pub(crate) struct Scanner<'r> {
    reader: &'r mut dyn BufRead,
    buf: Vec<u8>,
    pos: usize,
    /// Newlines in bytes already dropped from `buf`.
    lines_dropped: u64,
    eof: bool,
}

fn parse_slice(bytes: &[u8], first_line: u64) -> Result<Value, ScanError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let line = first_line + e.line().saturating_sub(1) as u64;
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        ScanError::Syntax(message, line)
    })
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

impl<'r> Scanner<'r> {
    pub(crate) fn new(reader: &'r mut dyn BufRead) -> Scanner<'r> {
        Scanner {
            reader,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            lines_dropped: 0,
            eof: false,
        }
    }

    /// The 1-based line of the cursor.
    pub(crate) fn line(&self) -> u64 {
        self.line_at(self.pos)
    }

    fn line_at(&self, at: usize) -> u64 {
        let upto = at.min(self.buf.len());
        self.lines_dropped + count_lines(&self.buf[..upto]) + 1
    }

    /// Drops `buf[..n]`, keeping the line count.
    fn drop_front(&mut self, n: usize) {
        self.lines_dropped += count_lines(&self.buf[..n]);
        self.buf.drain(..n);
    }

    pub(crate) fn syntax(&self, message: impl Into<String>) -> ScanError {
        ScanError::Syntax(message.into(), self.line())
    }

    /// Drops consumed bytes when that frees a good share of the buffer.
    fn compact(&mut self) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.drop_front(self.pos);
            self.pos = 0;
        }
    }

    /// Appends more input; `false` at the end of input.
    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.eof {
            return Ok(false);
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let got = loop {
            match self.reader.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(ScanError::Io(e));
                }
            }
        };
        self.buf.truncate(old + got);
        if got == 0 {
            self.eof = true;
        }
        Ok(got > 0)
    }

    /// Skips a UTF-8 byte-order mark at the very start of the input.
    pub(crate) fn skip_bom(&mut self) -> Result<(), ScanError> {
        while self.buf.len() < 3 && self.fill()? {}
        if self.pos == 0 && self.lines_dropped == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        Ok(())
    }

    /// The next non-whitespace byte, without consuming it; `None` at the end.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        loop {
            while self.pos < self.buf.len() {
                let b = self.buf[self.pos];
                if b.is_ascii_whitespace() {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            self.compact();
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes `byte` (after whitespace) or fails.
    pub(crate) fn expect(&mut self, byte: u8) -> Result<(), ScanError> {
        match self.peek()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(self.syntax(format!(
                "expected '{}', found '{}'",
                byte as char, b as char
            ))),
            None => Err(self.syntax(format!(
                "expected '{}', found the end of input",
                byte as char
            ))),
        }
    }

    /// Consumes one byte (the one `peek` returned).
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Finds the end (exclusive) of the value starting at the cursor. With `keep`, the
    /// whole value stays in the buffer (its start is returned in the result); without,
    /// consumed parts may be dropped as scanning goes. Leaves the cursor after the value.
    fn scan_value(&mut self, keep: bool) -> Result<usize, ScanError> {
        let Some(first) = self.peek()? else {
            return Err(self.syntax("expected a value, found the end of input"));
        };
        let mut start = self.pos;
        let mut i = self.pos;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        loop {
            while i < self.buf.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    // Jump to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &self.buf[i..]) {
                        None => {
                            i = self.buf.len();
                            continue;
                        }
                        Some(offset) => {
                            i += offset;
                            if self.buf[i] == b'\\' {
                                escaped = true;
                                i += 1;
                                continue;
                            }
                            in_string = false;
                            i += 1;
                            if depth == 0 {
                                self.pos = i;
                                return Ok(start);
                            }
                            continue;
                        }
                    }
                }
                let b = self.buf[i];
                if scalar {
                    if matches!(b, b',' | b']' | b'}') || b.is_ascii_whitespace() {
                        self.pos = i;
                        return Ok(start);
                    }
                    if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                        self.pos = i;
                        return Err(self.syntax(format!("unexpected '{}'", b as char)));
                    }
                    i += 1;
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            self.pos = i;
                            return Err(self.syntax(format!("unexpected '{}'", b as char)));
                        }
                        depth -= 1;
                        if depth == 0 {
                            self.pos = i + 1;
                            return Ok(start);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            // Need more input. Drop what is no longer needed first: everything before
            // the value when keeping it, everything scanned when skipping.
            let drop = if keep { start } else { i };
            if drop > 0 {
                self.drop_front(drop);
                i -= drop;
                start = start.saturating_sub(drop);
                self.pos = 0;
            }
            if keep && self.buf.len() - start > MAX_RECORD_BYTES {
                self.pos = start;
                return Err(self.syntax(format!(
                    "a single value is larger than {} MiB",
                    MAX_RECORD_BYTES / (1024 * 1024)
                )));
            }
            if !self.fill()? {
                if scalar {
                    self.pos = i;
                    return Ok(start);
                }
                self.pos = i;
                return Err(self.syntax("unexpected end of input inside a value"));
            }
        }
    }

    /// Skips the value at the cursor without keeping it.
    pub(crate) fn skip_value(&mut self) -> Result<(), ScanError> {
        self.scan_value(false).map(|_| ())
    }

    /// Parses the value at the cursor into a `Value`.
    pub(crate) fn take_value(&mut self) -> Result<Value, ScanError> {
        let start = self.scan_value(true)?;
        parse_slice(&self.buf[start..self.pos], 1).map_err(|e| match e {
            ScanError::Syntax(message, line) => {
                ScanError::Syntax(message, self.line_at(start) + line - 1)
            }
            other => other,
        })
    }

    /// Reads an object key (a JSON string) at the cursor.
    pub(crate) fn take_key(&mut self) -> Result<String, ScanError> {
        match self.peek()? {
            Some(b'"') => {}
            Some(b) => return Err(self.syntax(format!("expected a key, found '{}'", b as char))),
            None => return Err(self.syntax("expected a key, found the end of input")),
        }
        match self.take_value()? {
            Value::String(s) => Ok(s),
            _ => Err(self.syntax("expected a key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves input one byte at a time, to exercise refills at every position.
    struct Trickle<'a>(&'a [u8]);

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn values_survive_refills_at_every_byte() {
        let doc = br#" {"a" : [1, "x\"]}", {"b": null}], "c": -1.5e3, "d": true} "#;
        let mut reader = io::BufReader::with_capacity(1, Trickle(doc));
        let mut s = Scanner::new(&mut reader);
        let v = s.take_value().expect("value");
        assert_eq!(v["a"][1], "x\"]}");
        assert_eq!(v["c"], -1500.0);
        assert_eq!(s.peek().expect("peek"), None);
    }

    #[test]
    fn skipping_keeps_the_cursor_right() {
        let doc = br#"[{"big": [[[["deep"]]]], "s": "}"}, 42, "tail"]"#;
        let mut reader = io::BufReader::with_capacity(1, Trickle(doc));
        let mut s = Scanner::new(&mut reader);
        s.expect(b'[').expect("open");
        s.skip_value().expect("skip object");
        s.expect(b',').expect("comma");
        s.skip_value().expect("skip number");
        s.expect(b',').expect("comma");
        assert_eq!(s.take_value().expect("tail"), "tail");
        s.expect(b']').expect("close");
    }

    #[test]
    fn oversized_records_are_refused() {
        let mut doc = b"[\"".to_vec();
        doc.resize(MAX_RECORD_BYTES + 2 * CHUNK, b'a');
        doc.extend_from_slice(b"\"]");
        let mut reader = io::BufReader::new(&doc[..]);
        let mut s = Scanner::new(&mut reader);
        s.expect(b'[').expect("open");
        match s.take_value() {
            Err(ScanError::Syntax(message, _)) => {
                assert!(message.contains("larger than 64 MiB"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Skipping the same value is fine: it is not kept.
        let mut reader = io::BufReader::new(&doc[..]);
        let mut s = Scanner::new(&mut reader);
        s.expect(b'[').expect("open");
        s.skip_value().expect("skip");
    }

    #[test]
    fn broken_json_reports_its_line() {
        let doc = b"[\n{\"a\": 1},\n{\"a\" 2}\n]";
        let mut reader = io::BufReader::new(&doc[..]);
        let mut s = Scanner::new(&mut reader);
        s.expect(b'[').expect("open");
        s.take_value().expect("first");
        s.expect(b',').expect("comma");
        match s.take_value() {
            Err(ScanError::Syntax(_, line)) => assert_eq!(line, 3),
            other => panic!("expected a syntax error, got {other:?}"),
        }
        let mut reader = io::BufReader::new(&b"[1, 2"[..]);
        let mut s = Scanner::new(&mut reader);
        assert!(matches!(s.skip_value(), Err(ScanError::Syntax(..))));
    }
}

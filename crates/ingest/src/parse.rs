//! The streaming entry point: limits, the summary, skips, and dispatch to a format parser.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::{self, BufReader, Read};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::detect::{DETECT_HEAD_BYTES, detect};
use crate::error::{IngestError, Position};
use crate::finding::{Finding, SourceTool, Status};
use crate::format::{Format, Scope};
use crate::formats;

/// The error a sink may return to stop parsing.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Bounds on untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest input accepted, in bytes. Reading stops with [`IngestError::TooLarge`]
    /// past it. Default 1 GiB.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 1 << 30 }
    }
}

/// Skips kept in [`ParseSummary::skips`]; the count goes on past it.
pub const MAX_LISTED_SKIPS: usize = 1000;

/// A record that produced no finding, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// Which record.
    pub position: Position,
    /// Why it was skipped (`Trivy vulnerability, not a misconfiguration`, …).
    pub reason: String,
}

/// What one parse produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseSummary {
    /// The format parsed (given or detected).
    pub format: Format,
    /// Whether the format was detected (`false` when the caller gave it).
    pub detected: bool,
    /// Tools seen (more than one only for SARIF with several runs).
    pub tools: BTreeSet<SourceTool>,
    /// Records read (findings plus skips).
    pub records: u64,
    /// Findings handed to the sink.
    pub findings: u64,
    /// Of those, open.
    pub open: u64,
    /// Of those, closed.
    pub closed: u64,
    /// Of those, suppressed.
    pub suppressed: u64,
    /// Records skipped, in total.
    pub skipped: u64,
    /// The first [`MAX_LISTED_SKIPS`] skips with their reasons.
    pub skips: Vec<Skip>,
    /// Cloud scopes (account, region) the findings cover; empty for IaC files.
    pub scopes: BTreeSet<Scope>,
    /// Bytes read.
    pub bytes: u64,
}

impl ParseSummary {
    fn new(format: Format, detected: bool) -> ParseSummary {
        ParseSummary {
            format,
            detected,
            tools: BTreeSet::new(),
            records: 0,
            findings: 0,
            open: 0,
            closed: 0,
            suppressed: 0,
            skipped: 0,
            skips: Vec::new(),
            scopes: BTreeSet::new(),
            bytes: 0,
        }
    }
}

/// Reads `reader` as findings of `format` (detected from the content when `None`) and
/// hands each [`Finding`] to `sink`, one at a time, in document order.
///
/// Memory stays bounded by the largest single record (for Trivy by the largest `Results`
/// entry, for KICS by the largest query, for SARIF plus the run's `tool`), not by the
/// file; one record may not exceed 64 MiB. Stops at the
/// first error; findings already given to the sink are then to be discarded by the
/// caller (the store runs one transaction per import).
pub fn parse(
    reader: impl Read,
    format: Option<Format>,
    limits: &Limits,
    sink: &mut dyn FnMut(Finding) -> Result<(), SinkError>,
) -> Result<ParseSummary, IngestError> {
    let tripped = Rc::new(Cell::new(false));
    let counted = Rc::new(Cell::new(0u64));
    let mut limited = LimitedReader {
        inner: reader,
        remaining: limits.max_bytes,
        tripped: Rc::clone(&tripped),
        counted: Rc::clone(&counted),
    };
    let mut head = Vec::new();
    let (format, detected) = match format {
        Some(f) => (f, false),
        None => {
            read_head(&mut limited, &mut head).map_err(|e| io_error(e, &tripped, limits))?;
            (detect(&head)?, true)
        }
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, io::Cursor::new(head).chain(limited));
    let mut out = Emitter {
        sink,
        summary: ParseSummary::new(format, detected),
    };
    let result = formats::parse_format(format, &mut buffered, &mut out);
    if tripped.get() {
        return Err(IngestError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    result?;
    let mut summary = out.summary;
    summary.bytes = counted.get();
    Ok(summary)
}

/// Parses everything into a vector. Convenient for small files and tests; use [`parse`]
/// with a sink for large ones.
pub fn parse_to_vec(
    reader: impl Read,
    format: Option<Format>,
    limits: &Limits,
) -> Result<(Vec<Finding>, ParseSummary), IngestError> {
    let mut findings = Vec::new();
    let summary = parse(reader, format, limits, &mut |f| {
        findings.push(f);
        Ok(())
    })?;
    Ok((findings, summary))
}

/// Reads up to [`DETECT_HEAD_BYTES`] into `head`.
fn read_head(reader: &mut impl Read, head: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 8192];
    while head.len() < DETECT_HEAD_BYTES {
        let want = (DETECT_HEAD_BYTES - head.len()).min(chunk.len());
        match reader.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Turns an I/O error into [`IngestError::TooLarge`] when the limit caused it.
pub(crate) fn io_error(error: io::Error, tripped: &Cell<bool>, limits: &Limits) -> IngestError {
    if tripped.get() {
        IngestError::TooLarge {
            limit: limits.max_bytes,
        }
    } else {
        IngestError::Io(error)
    }
}

/// A reader that fails once more than the limit has been read.
struct LimitedReader<R> {
    inner: R,
    remaining: u64,
    tripped: Rc<Cell<bool>>,
    counted: Rc<Cell<u64>>,
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Allow one byte past the limit so that "exactly the limit" is accepted and
        // "more than the limit" is noticed.
        let cap = usize::try_from(self.remaining.saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(cap);
        let n = self.inner.read(&mut buf[..want])?;
        let n64 = n as u64;
        if n64 > self.remaining {
            self.tripped.set(true);
            return Err(io::Error::other("findings file exceeds the size limit"));
        }
        self.remaining -= n64;
        self.counted.set(self.counted.get() + n64);
        Ok(n)
    }
}

/// Where format parsers put what they produce: findings go to the caller's sink, skips
/// and counts to the summary.
pub(crate) struct Emitter<'a> {
    sink: &'a mut dyn FnMut(Finding) -> Result<(), SinkError>,
    summary: ParseSummary,
}

impl Emitter<'_> {
    /// Hands one finding to the sink and counts it.
    pub(crate) fn emit(&mut self, finding: Finding) -> Result<(), IngestError> {
        let s = &mut self.summary;
        s.records += 1;
        s.findings += 1;
        match finding.status {
            Status::Open => s.open += 1,
            Status::Closed => s.closed += 1,
            Status::Suppressed => s.suppressed += 1,
        }
        s.tools.insert(finding.source_tool);
        if let Some(scope) = Scope::of_cloud_finding(&finding)
            && !s.scopes.contains(&scope)
        {
            s.scopes.insert(scope);
        }
        (self.sink)(finding).map_err(IngestError::Sink)
    }

    /// Records a record that gives no finding.
    pub(crate) fn skip(&mut self, position: Position, reason: impl Into<String>) {
        let s = &mut self.summary;
        s.records += 1;
        s.skipped += 1;
        if s.skips.len() < MAX_LISTED_SKIPS {
            s.skips.push(Skip {
                position,
                reason: reason.into(),
            });
        }
    }

    /// The number of records seen so far; the next record is `records_seen() + 1`.
    pub(crate) fn records_seen(&self) -> u64 {
        self.summary.records
    }
}

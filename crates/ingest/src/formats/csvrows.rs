//! Streaming CSV rows as JSON objects (column → value), with their 1-based line.

use std::io::BufRead;

use serde_json::{Map, Value};

use crate::error::{IngestError, Position};
use crate::format::Format;
use crate::record::bounded;

/// Picks `;` or `,` from the header line (Prowler v3+ uses `;`).
fn sniff_delimiter(reader: &mut dyn BufRead) -> Result<u8, IngestError> {
    let buf = reader.fill_buf().map_err(IngestError::Io)?;
    let end = buf.iter().position(|b| *b == b'\n').unwrap_or(buf.len());
    let line = &buf[..end];
    let semicolons = line.iter().filter(|b| **b == b';').count();
    let commas = line.iter().filter(|b| **b == b',').count();
    Ok(if semicolons > commas { b';' } else { b',' })
}

/// Reads every row after the header, calling `handler(row, position)`. Empty rows are
/// skipped silently; header names are trimmed (and a UTF-8 BOM removed).
pub(crate) fn for_each_row(
    reader: &mut dyn BufRead,
    format: Format,
    handler: &mut dyn FnMut(Value, Position) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let delimiter = sniff_delimiter(reader)?;
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(reader);
    let syntax = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        if let csv::ErrorKind::Io(_) = e.kind() {
            return match e.into_kind() {
                csv::ErrorKind::Io(io) => IngestError::Io(io),
                _ => IngestError::Shape {
                    format,
                    message: "unreadable CSV".to_owned(),
                },
            };
        }
        IngestError::Syntax {
            format,
            position: line.map(|l| Position {
                record: 0,
                line: Some(l),
                path: None,
            }),
            message: e.to_string(),
        }
    };
    let headers: Vec<String> = csv
        .headers()
        .map_err(syntax)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let mut record = csv::StringRecord::new();
    let mut ordinal = 0u64;
    while csv.read_record(&mut record).map_err(syntax)? {
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        ordinal += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let mut row = Map::new();
        for (name, field) in headers.iter().zip(record.iter()) {
            row.insert(name.clone(), Value::String(bounded(field)));
        }
        handler(Value::Object(row), Position::at_line(ordinal, line))?;
    }
    Ok(())
}

//! Typed, position-aware access to one raw record's fields, shared by every parser.
//!
//! Every accessor names the field in its error, so a bad record reads as
//! `asff: record 17 (Findings[16]): field "Resources": expected an array`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use crate::error::{Position, RecordError};
use crate::format::Format;

/// Longest text kept from any one field; longer values are cut (on a char boundary).
pub(crate) const MAX_FIELD_CHARS: usize = 64 * 1024;

/// One raw record plus where it came from.
pub(crate) struct Rec<'a> {
    pub(crate) value: &'a Value,
    pub(crate) format: Format,
    pub(crate) position: &'a Position,
    /// Prefix for field names when this is a sub-object of the record (`Resources[0]`).
    prefix: String,
}

impl<'a> Rec<'a> {
    pub(crate) fn new(value: &'a Value, format: Format, position: &'a Position) -> Rec<'a> {
        Rec {
            value,
            format,
            position,
            prefix: String::new(),
        }
    }

    /// A view of a nested object, whose errors name the full field path.
    pub(crate) fn sub(&self, value: &'a Value, name: &str) -> Rec<'a> {
        Rec {
            value,
            format: self.format,
            position: self.position,
            prefix: self.full(name),
        }
    }

    fn full(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else if field.starts_with('[') {
            format!("{}{field}", self.prefix)
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// An error about `field` of this record.
    pub(crate) fn error(&self, field: &str, problem: impl Into<String>) -> RecordError {
        RecordError {
            format: self.format,
            position: self.position.clone(),
            field: self.full(field),
            problem: problem.into(),
        }
    }

    /// The value at a dotted path; `None` when absent or null.
    pub(crate) fn get(&self, path: &str) -> Option<&'a Value> {
        let mut v = self.value;
        for part in path.split('.') {
            v = v.get(part)?;
        }
        (!v.is_null()).then_some(v)
    }

    /// A text field: strings as they are, numbers and booleans as written. Absent, null
    /// and empty give `None`; objects and arrays are an error.
    pub(crate) fn text(&self, path: &str) -> Result<Option<String>, RecordError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(bounded(s))),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(self.error(path, format!("expected text, found {}", kind(other)))),
        }
    }

    /// The first present text among several field names (formats renamed fields across versions).
    pub(crate) fn text_any(&self, paths: &[&str]) -> Result<Option<String>, RecordError> {
        for p in paths {
            if let Some(t) = self.text(p)? {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// A required text field.
    pub(crate) fn required_text(&self, path: &str) -> Result<String, RecordError> {
        self.text(path)?
            .ok_or_else(|| self.error(path, "missing (required)"))
    }

    /// An array field; absent or null gives an empty slice, any other type is an error.
    pub(crate) fn array(&self, path: &str) -> Result<&'a [Value], RecordError> {
        match self.get(path) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => {
                Err(self.error(path, format!("expected an array, found {}", kind(other))))
            }
        }
    }

    /// An object field, or `None` when absent or null; other types are an error.
    pub(crate) fn object(&self, path: &str) -> Result<Option<&'a Value>, RecordError> {
        match self.get(path) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(other) => {
                Err(self.error(path, format!("expected an object, found {}", kind(other))))
            }
        }
    }

    /// A 1-based line number. Accepts numbers and numeric strings; 0 and negatives give
    /// `None` (tools write 0 for "no line").
    pub(crate) fn line(&self, path: &str) -> Result<Option<u32>, RecordError> {
        match self.get(path) {
            None => Ok(None),
            Some(v) => self.line_value(path, v),
        }
    }

    /// Reads `value` (found at `field`) as a 1-based line number; 0 and negatives give `None`.
    pub(crate) fn line_value(
        &self,
        field: &str,
        value: &Value,
    ) -> Result<Option<u32>, RecordError> {
        let n = match value {
            Value::Null => return Ok(None),
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            other => {
                return Err(self.error(
                    field,
                    format!("expected a line number, found {}", kind(other)),
                ));
            }
        };
        match n {
            Some(n) if n.is_finite() && n >= 1.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
            Some(_) => Ok(None),
            None => Err(self.error(field, "expected a line number")),
        }
    }

    /// A number (numbers and numeric strings).
    pub(crate) fn number(&self, path: &str) -> Result<Option<f64>, RecordError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.error(path, format!("expected a number, found {s:?}"))),
            Some(other) => {
                Err(self.error(path, format!("expected a number, found {}", kind(other))))
            }
        }
    }

    /// A timestamp; unparseable text gives `None` (tools are inconsistent with dates, and
    /// a bad date should not sink an import).
    pub(crate) fn time(&self, path: &str) -> Result<Option<DateTime<Utc>>, RecordError> {
        Ok(self.text(path)?.as_deref().and_then(parse_time))
    }

    /// A list of strings from an array of strings (other items are written as JSON).
    pub(crate) fn strings(&self, path: &str) -> Result<Vec<String>, RecordError> {
        Ok(self
            .array(path)?
            .iter()
            .filter_map(|v| match v {
                Value::String(s) if !s.is_empty() => Some(bounded(s)),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect())
    }
}

/// Names a JSON value's type for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Cuts untrusted text to [`MAX_FIELD_CHARS`].
pub(crate) fn bounded(s: &str) -> String {
    if s.len() <= MAX_FIELD_CHARS {
        return s.to_owned();
    }
    let mut end = MAX_FIELD_CHARS;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// Parses the timestamp styles the supported tools write: RFC 3339, space-separated
/// with or without zone (`2025-02-14 14:27:03.913874`, `2021-05-19 13:17:04 +0000 UTC`),
/// naive ISO (`2023-04-25T23:49:42.744599`, taken as UTC), and plain dates.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    let t = t.strip_suffix(" UTC").unwrap_or(t);
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt.and_utc());
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_of_every_tool_style_parse() {
        for t in [
            "2020-06-08T14:33:07.560Z",
            "2025-02-14 14:27:03.913874",
            "2023-04-25T23:49:42.744599",
            "2021-05-19 13:17:04.067888 +0000 UTC",
            "2025-01-15T10:30:00+00:00",
            "2024-06-03",
        ] {
            assert!(parse_time(t).is_some(), "{t}");
        }
        assert_eq!(parse_time("UNKNOWN_DATE_FORMAT"), None);
        assert_eq!(
            parse_time("2025-01-15T12:30:00+02:00"),
            parse_time("2025-01-15T10:30:00Z")
        );
    }

    #[test]
    fn field_errors_name_the_full_path() {
        let v = serde_json::json!({"Resources": {"Id": 1}});
        let pos = Position::at_path(17, "Findings[16]");
        let rec = Rec::new(&v, Format::Asff, &pos);
        let err = rec.array("Resources").unwrap_err();
        assert_eq!(
            err.to_string(),
            "asff: record 17 (Findings[16]): field \"Resources\": expected an array, found an object"
        );
        let sub = rec.sub(&v["Resources"], "Resources[0]");
        assert_eq!(sub.array("Id").unwrap_err().field, "Resources[0].Id");
    }
}

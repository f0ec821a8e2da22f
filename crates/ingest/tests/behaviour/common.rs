//! Fixture paths and parse helpers.

use std::path::PathBuf;

use redress_ingest::{Finding, Format, IngestError, Limits, ParseSummary, parse_to_vec};

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn parse_bytes(
    bytes: &[u8],
    format: Option<Format>,
) -> Result<(Vec<Finding>, ParseSummary), IngestError> {
    parse_to_vec(bytes, format, &Limits::default())
}

pub fn parse_fixture(name: &str) -> (Vec<Finding>, ParseSummary) {
    let bytes = std::fs::read(fixture_path(name)).expect("read fixture");
    parse_bytes(&bytes, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

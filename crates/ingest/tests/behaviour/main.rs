//! Behaviour on hand-built fixtures (`tests/fixtures`, shapes from official docs) and
//! on bad input: detection, statuses, error messages, limits, fingerprints, streaming.

mod cloud_formats;
mod common;
mod detection_and_errors;
mod iac_formats;
mod limits_and_identity;

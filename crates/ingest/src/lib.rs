//! Findings import: format detection, one parser per format, normalization and fingerprints.
#![warn(missing_docs)]

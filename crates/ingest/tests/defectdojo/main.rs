//! Conformance with DefectDojo's parser fixtures (`$REDRESS_CORPORA/defectdojo`).
//!
//! For every fixture of a format Redress reads, the number of open findings (distinct by
//! fingerprint, which is what the store keeps) equals DefectDojo's asserted count, or the
//! test states the rule that explains the difference. The fields EXPECTED.md lists are
//! asserted where they live in Redress's model. Each fixture prints a summary line
//! (`cargo test -p redress-ingest --test defectdojo -- --nocapture`).

mod asff;
mod checkov_kics;
mod cloud;
mod common;
mod prowler;
mod terrascan_tfsec_trivy;

//! Stable finding fingerprints.
//!
//! A fingerprint is the SHA-256 (hex) of the tool name and an ordered list of key parts,
//! separated by a unit separator. It must not change when the same finding is exported
//! again, so it uses the tool's own stable id when the tool has one, and otherwise the
//! rule plus the resource (cloud) or the file and lines (IaC). Timestamps, messages and
//! severities never enter it. Two records of one file that describe the same finding get
//! the same fingerprint; the store merges them.
//!
//! The rule per format:
//!
//! | format | key |
//! |---|---|
//! | asff | `Id` (the finding ARN, stable across exports) |
//! | prowler-ocsf | check id, account, region, resource uid (what Prowler builds `finding_info.uid` from) |
//! | prowler-json | v3: check id, account, region, resource; v2 lines: check, account, region, message |
//! | prowler-csv | v3+: check id, account, region, resource uid; v2: check, account, region, extended result |
//! | wiz-csv / wiz-json | issue id |
//! | orca-csv / orca-json | alert id when present, else rule (title), account, resource |
//! | aws-config | rule name, resource type, resource id |
//! | checkov | check id, file, resource address, line range |
//! | kics | `similarity_id` + expected value; without a similarity id: query id, file, line, search key, expected value |
//! | trivy | check id, target, resource, start and end line |
//! | tfsec | rule id, file, start and end line |
//! | terrascan | rule id, file, resource type, resource name, line |
//! | sarif | driver name, rule id, file, start and end line |

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::SourceTool;

/// A stable identity for a finding: 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes the fingerprint of a tool and its ordered key parts.
    pub fn of(tool: SourceTool, parts: &[&str]) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(tool.as_str().as_bytes());
        for part in parts {
            hasher.update([0x1f]);
            hasher.update(part.as_bytes());
        }
        Fingerprint(hex::encode(hasher.finalize()))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds a fingerprint read back from storage. Returns `None` unless it is 64
    /// lowercase hex characters.
    pub fn from_hex(text: &str) -> Option<Fingerprint> {
        let valid =
            text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Fingerprint(text.to_owned()))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

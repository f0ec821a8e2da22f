//! The plain input and output types of locate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a finding says about its resource. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocateQuery {
    /// Cloud ids or ARNs (`arn:aws:s3:::b`, `sg-1`, a queue URL).
    #[serde(default)]
    pub resource_ids: Vec<String>,
    /// A Terraform resource type (`aws_s3_bucket`) when known; other spellings
    /// (`AwsS3Bucket`) are ignored.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// Region of the resource.
    #[serde(default)]
    pub region: Option<String>,
    /// Account of the resource.
    #[serde(default)]
    pub account: Option<String>,
    /// IaC scanner file (relative to the repository, or absolute/prefixed).
    #[serde(default)]
    pub file: Option<String>,
    /// IaC scanner first line (1-based).
    #[serde(default)]
    pub start_line: Option<u32>,
    /// IaC scanner last line (1-based).
    #[serde(default)]
    pub end_line: Option<u32>,
    /// Resource tags reported with the finding.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Canonical policy id, passed to the [`FixSiteHint`].
    #[serde(default)]
    pub policy: Option<String>,
}

/// How a location was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Matched a state instance by id or ARN.
    State,
    /// An IaC scanner's file and line.
    Scanner,
    /// A `yor_trace` / `git_file` tag.
    Tag,
    /// A literal name in the code, without state: low confidence.
    Name,
}

/// Why the fix site is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixSiteKind {
    /// The offending attribute, written in the resource block.
    Attribute,
    /// The input on the `module` block that passes the value down.
    ModuleInput,
    /// A `.tfvars` line.
    Tfvars,
    /// A `variable` default.
    VariableDefault,
    /// A `locals` entry.
    Local,
    /// The resource block line (nothing more specific known).
    Block,
    /// A nested block on the attribute path (`versioning { … }` when
    /// `versioning.enabled` is missing, or an offending `ingress { … }`).
    NestedBlock,
}

/// The line where one change fixes the finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FixSite {
    /// File relative to the repository root.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Why this line.
    pub kind: FixSiteKind,
}

/// Where a finding lives in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Instance address when known from state, else the address template.
    pub address: String,
    /// File of the resource block.
    pub file: String,
    /// First line of the block.
    pub start_line: u32,
    /// Last line of the block.
    pub end_line: u32,
    /// Where to change it.
    pub fix_site: FixSite,
    /// How it was found.
    pub confidence: Confidence,
    /// Module call chain: `["module.a", "module.b"]`.
    pub via: Vec<String>,
}

impl Location {
    /// The exact JSON shape of `redress locate --json` for a location:
    /// `{"address","file","start_line","end_line","fix_site":{"file","line"},"confidence","via"}`.
    #[must_use]
    pub fn to_cli_json(&self) -> serde_json::Value {
        serde_json::json!({
            "address": self.address,
            "file": self.file,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "fix_site": { "file": self.fix_site.file, "line": self.fix_site.line },
            "confidence": self.confidence,
            "via": self.via,
        })
    }
}

/// The result for one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LocateOutcome {
    /// Found.
    Located(Location),
    /// Not found, and why.
    Unmapped {
        /// A sentence for people.
        reason: String,
    },
}

impl LocateOutcome {
    /// The location, when found.
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Located(l) => Some(l),
            Self::Unmapped { .. } => None,
        }
    }
}

/// Policy-specific knowledge of which attribute a finding is about. The policy
/// crate implements this; without a hint the fix site falls back to the
/// scanner's line or the block line.
pub trait FixSiteHint: Sync {
    /// The attribute path (`["versioning", "enabled"]`) that the policy checks
    /// on `resource_type`, or `None` when unknown.
    fn offending_attribute(&self, resource_type: &str, policy: Option<&str>)
    -> Option<Vec<String>>;
}

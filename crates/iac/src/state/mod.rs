//! Terraform state: v4 `terraform.tfstate`, `terraform show -json` state, and
//! the `prior_state` of a `terraform show -json` plan.
//!
//! The JSON is streamed with serde visitors: each resource instance keeps only
//! its identifying attributes (see [`IDENTIFYING_ATTRIBUTES`]) and tags, so a
//! large state is never held in memory as a whole JSON tree.
//!
//! Plans: a plan JSON is read for its `prior_state` (what existed before the
//! plan, the same shape as `show -json` state), and [`State::kind`] says so. A
//! plan without `prior_state` is an error (“this is a plan without a prior
//! state”): planned values are not reality and are never used.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeSeed;
use serde::{Deserialize, Serialize};

use crate::error::IacError;

mod stream;

use stream::{Top, TopSeed};

/// Attributes kept per instance: enough to match a cloud id or ARN.
pub const IDENTIFYING_ATTRIBUTES: &[&str] = &[
    "id",
    "arn",
    "name",
    "bucket",
    "url",
    "identifier",
    "resource_id",
    "cluster_identifier",
    "function_name",
    "key_id",
    "role_name",
    "user_name",
    "group_name",
    "queue_url",
    "table_name",
    "instance_id",
    "volume_id",
    "vpc_id",
    "subnet_id",
    "security_group_id",
    "db_instance_identifier",
    "topic_arn",
    "repository_url",
    "dns_name",
    "domain_name",
    "alias",
    "owner_id",
    "self_link",
];
/// String values longer than this are not kept.
pub(crate) const MAX_VALUE_LEN: usize = 4096;
/// State files larger than this are refused by [`State::from_path`].
pub const MAX_STATE_BYTES: u64 = 1024 * 1024 * 1024;

/// Where the instances came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// `terraform.tfstate`, format version 4.
    TfstateV4,
    /// `terraform show -json` of a state.
    ShowJson,
    /// The `prior_state` of a `terraform show -json` plan.
    PlanPriorState,
}

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceMode {
    /// `resource`.
    Managed,
    /// `data`.
    Data,
}

/// The `count` / `for_each` key of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IndexKey {
    /// `[0]`
    Int(i64),
    /// `["public"]`
    Str(String),
}

impl fmt::Display for IndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "[{i}]"),
            Self::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// One resource instance in a state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateInstance {
    /// Full address: `module.a["x"].aws_s3_bucket.this[0]`.
    pub address: String,
    /// The module part of the address (`""` for the root module).
    pub module: String,
    /// Managed or data.
    pub mode: ResourceMode,
    /// Resource type, `aws_s3_bucket`.
    pub resource_type: String,
    /// Resource name, `this`.
    pub name: String,
    /// The count/for_each key, if any.
    pub index_key: Option<IndexKey>,
    /// Provider as written in the state.
    pub provider: String,
    /// Identifying attributes that were present and scalar.
    pub attributes: BTreeMap<String, String>,
    /// `tags` merged over `tags_all`.
    pub tags: BTreeMap<String, String>,
}

impl StateInstance {
    /// The address without instance keys: `module.a.aws_s3_bucket.this`.
    #[must_use]
    pub fn template_address(&self) -> String {
        strip_index_keys(&self.address)
    }
}

/// A state read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The name it was read from (for messages).
    pub source: String,
    /// Which format.
    pub kind: StateKind,
    /// `terraform_version`, when present.
    pub terraform_version: Option<String>,
    /// All instances, in file order.
    pub instances: Vec<StateInstance>,
}

impl State {
    /// Reads a state, show-json state or plan file.
    ///
    /// # Errors
    /// When the file cannot be read, is too large, is not JSON, or has no state.
    pub fn from_path(path: &Path) -> Result<Self, IacError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| IacError::State {
            file: name.clone(),
            message: format!("cannot open: {e}"),
        })?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_STATE_BYTES {
            return Err(IacError::StateTooLarge {
                file: name,
                size,
                limit: MAX_STATE_BYTES,
            });
        }
        Self::from_reader(&name, std::io::BufReader::with_capacity(256 * 1024, file))
    }

    /// Reads from any reader (streamed).
    ///
    /// # Errors
    /// When the input is not JSON or has no state.
    pub fn from_reader<R: Read>(source: &str, reader: R) -> Result<Self, IacError> {
        let mut de = serde_json::Deserializer::from_reader(reader);
        Self::finish(source, TopSeed.deserialize(&mut de), |_| de.end())
    }

    /// Reads from a string.
    ///
    /// # Errors
    /// When the input is not JSON or has no state.
    pub fn from_json_str(source: &str, json: &str) -> Result<Self, IacError> {
        let mut de = serde_json::Deserializer::from_str(json);
        Self::finish(source, TopSeed.deserialize(&mut de), |_| de.end())
    }

    fn finish(
        source: &str,
        parsed: Result<Top, serde_json::Error>,
        end: impl FnOnce(()) -> Result<(), serde_json::Error>,
    ) -> Result<Self, IacError> {
        let err = |message: String| IacError::State {
            file: source.to_owned(),
            message,
        };
        let top = parsed.map_err(|e| err(e.to_string()))?;
        end(()).map_err(|e| err(e.to_string()))?;
        let kind = if let Some(v) = top.version {
            if v != 4 {
                return Err(err(format!(
                    "state version {v} is not supported (only version 4)"
                )));
            }
            StateKind::TfstateV4
        } else if top.prior_state {
            StateKind::PlanPriorState
        } else if top.is_plan {
            return Err(err(
                "this is a plan without a prior_state, not a state".into()
            ));
        } else if top.show_values {
            StateKind::ShowJson
        } else {
            return Err(err(
                "neither a v4 state (`version`, `resources`) nor `terraform show -json` output (`values`)"
                    .into(),
            ));
        };
        Ok(Self {
            source: source.to_owned(),
            kind,
            terraform_version: top.terraform_version,
            instances: top.instances,
        })
    }
}

/// `module.a["x"].b[0]` → `module.a.b` (keys in brackets removed, strings respected).
#[must_use]
pub fn strip_index_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for c in address.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '"' if depth > 0 => in_str = true,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

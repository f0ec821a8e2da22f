//! ARNs and the cloud ids derived from them.

use serde::{Deserialize, Serialize};

/// The parts of `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arn {
    /// `aws`, `aws-us-gov`, `aws-cn`.
    pub partition: String,
    /// `s3`, `ec2`, `rds`, …
    pub service: String,
    /// Region (empty for global services).
    pub region: String,
    /// Account id (empty for S3 buckets).
    pub account: String,
    /// Everything after the account: `security-group/sg-1`, `db:mydb`, `bucket`.
    pub resource: String,
}

impl Arn {
    /// Parses an ARN; `None` when `s` is not one.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return None;
        }
        Some(Self {
            partition: partition.to_owned(),
            service: service.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
            resource: resource.to_owned(),
        })
    }

    /// The ids a Terraform state may hold for this resource, most specific
    /// first (the ARN itself is not included):
    /// - S3 `arn:aws:s3:::name[/key]` → `name`
    /// - EC2 `…:security-group/sg-1`, `instance/i-1`, `volume/vol-1`, … → the id
    /// - SQS `…:sqs:region:acct:name` → the queue URL and `name`
    /// - RDS `…:db:ident`, `cluster:ident` → `ident`
    /// - IAM `…:role/path/name`, `user/…`, `group/…`, `policy/…` → `name`
    /// - Lambda `…:function:name[:qualifier]` → `name`
    /// - KMS `…:key/uuid` → `uuid`, `…:alias/x` → `alias/x`
    /// - Logs `…:log-group:name[:*]` → `name`
    /// - SNS `…:topic` → `topic`; DynamoDB `table/name` → `name`;
    ///   anything else of the form `type/name` or `type:name` → `name`.
    #[must_use]
    pub fn derived_ids(&self) -> Vec<String> {
        let r = self.resource.as_str();
        let mut out = Vec::new();
        match self.service.as_str() {
            "s3" => {
                let bucket = r.split('/').next().unwrap_or(r);
                out.push(bucket.to_owned());
            }
            "sqs" => {
                let suffix = if self.partition == "aws-cn" {
                    ".com.cn"
                } else {
                    ".com"
                };
                out.push(format!(
                    "https://sqs.{}.amazonaws{suffix}/{}/{r}",
                    self.region, self.account
                ));
                out.push(format!("https://queue.amazonaws.com/{}/{r}", self.account));
                out.push(r.to_owned());
            }
            "sns" => out.push(r.to_owned()),
            "iam" => {
                if let Some(name) = r.rsplit('/').next() {
                    out.push(name.to_owned());
                }
            }
            "kms" => {
                if let Some(id) = r.strip_prefix("key/") {
                    out.push(id.to_owned());
                } else if r.starts_with("alias/") {
                    out.push(r.to_owned());
                }
            }
            "logs" => {
                if let Some(name) = r.strip_prefix("log-group:") {
                    out.push(name.trim_end_matches(":*").to_owned());
                }
            }
            "lambda" => {
                if let Some(rest) = r.strip_prefix("function:") {
                    out.push(rest.split(':').next().unwrap_or(rest).to_owned());
                }
            }
            "rds" => {
                if let Some((_, ident)) = r.split_once(':') {
                    out.push(ident.to_owned());
                }
            }
            _ => {
                if let Some((_, id)) = r.split_once('/') {
                    // elasticloadbalancing: loadbalancer/app/name/hash → keep the full tail and the name.
                    out.push(id.to_owned());
                    let segments: Vec<&str> = id.split('/').collect();
                    if segments.len() == 3 {
                        out.push(segments[1].to_owned());
                    }
                    if let Some(last) = segments.last()
                        && segments.len() > 1
                    {
                        out.push((*last).to_owned());
                    }
                } else if let Some((_, id)) = r.split_once(':') {
                    out.push(id.to_owned());
                } else {
                    out.push(r.to_owned());
                }
            }
        }
        out.retain(|s| !s.is_empty());
        out.dedup();
        out
    }
}

/// All ids worth looking up for a finding's resource id: the id itself, then
/// (for an ARN) the derived ids.
#[must_use]
pub fn candidate_ids(resource_id: &str) -> Vec<String> {
    let mut out = vec![resource_id.to_owned()];
    if let Some(arn) = Arn::parse(resource_id) {
        out.extend(arn.derived_ids());
    }
    out.dedup();
    out
}

//! The equivalents table: another tool's rule id to the canonical policy. This is what maps
//! imported findings to policies.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::catalog::{Catalog, PolicyId};

/// Tool names as the ingest crate spells them.
pub const TOOLS: &[&str] = &[
    "checkov",
    "kics",
    "trivy",
    "tfsec",
    "securityhub",
    "prowler",
    "wiz",
    "orca",
    "terrascan",
    "aws-config",
];

/// A lookup table from `(tool, rule id)` to policy id.
#[derive(Debug, Clone, Default)]
pub struct EquivalentsTable {
    map: HashMap<(String, String), PolicyId>,
}

impl EquivalentsTable {
    /// Builds the table of a catalog. Trivy and tfsec share AVD ids, so an id listed under
    /// either answers for both. Lookups ignore ASCII case.
    pub fn new(catalog: &Catalog) -> Self {
        let mut map = HashMap::new();
        for policy in catalog.policies() {
            for (tool, ids) in &policy.equivalents {
                let tools: &[&str] = match tool.as_str() {
                    "trivy" | "tfsec" => &["trivy", "tfsec"],
                    other => &[other][..],
                };
                for t in tools {
                    for id in ids {
                        map.entry((t.to_string(), id.to_ascii_lowercase()))
                            .or_insert_with(|| policy.id.clone());
                    }
                }
            }
        }
        Self { map }
    }

    /// The policy that `tool`'s rule `rule_id` is equivalent to. Tool names are normalized
    /// (`security-hub`, `aws_config`, …); Security Hub ids may be given as a control ARN or a
    /// standard path (`…/S3.14`).
    pub fn lookup(&self, tool: &str, rule_id: &str) -> Option<&PolicyId> {
        let tool = normalize_tool(tool);
        let mut id = rule_id.trim();
        if tool == "securityhub" {
            id = id.rsplit('/').next().unwrap_or(id);
        }
        self.map.get(&(tool.to_string(), id.to_ascii_lowercase()))
    }

    /// Number of `(tool, id)` entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The catalog's spelling of a tool name.
fn normalize_tool(tool: &str) -> &'static str {
    match tool.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "checkov" => "checkov",
        "kics" => "kics",
        "trivy" => "trivy",
        "tfsec" => "tfsec",
        "securityhub" | "security-hub" | "aws-securityhub" | "aws-security-hub" => "securityhub",
        "prowler" => "prowler",
        "wiz" => "wiz",
        "orca" => "orca",
        "terrascan" => "terrascan",
        "aws-config" | "awsconfig" | "config" => "aws-config",
        _ => "",
    }
}

fn builtin_table() -> &'static EquivalentsTable {
    static TABLE: OnceLock<EquivalentsTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        Catalog::builtin()
            .map(|c| EquivalentsTable::new(&c))
            .unwrap_or_default()
    })
}

/// Looks up the built-in catalog's equivalents (built once): e.g. `lookup("checkov", "CKV_AWS_21")`.
pub fn lookup(tool: &str, rule_id: &str) -> Option<&'static PolicyId> {
    builtin_table().lookup(tool, rule_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_of_several_tools_map_to_the_same_policy() {
        let versioning = lookup("checkov", "CKV_AWS_21").expect("checkov");
        assert_eq!(
            lookup("kics", "568a4d22-3517-44a6-a7ad-6a7eed88722c"),
            Some(versioning)
        );
        assert_eq!(lookup("securityhub", "S3.14"), Some(versioning));
        assert_eq!(
            lookup("security-hub", "S3.14"),
            Some(versioning),
            "ingest's tool name"
        );
        assert_eq!(lookup("tfsec", "AVD-AWS-0090"), Some(versioning));
        assert_eq!(lookup("trivy", "avd-aws-0090"), Some(versioning));
        assert_eq!(
            lookup("prowler", "s3_bucket_object_versioning"),
            Some(versioning)
        );
        assert_eq!(lookup("checkov", "CKV_AWS_99999"), None);
        assert_eq!(lookup("nosuchtool", "S3.14"), None);
        assert_eq!(lookup("security-hub", "S3.14"), Some(versioning));
        assert_eq!(
            lookup(
                "securityhub",
                "arn:aws:securityhub:eu-west-1:123456789012:security-control/S3.14"
            ),
            Some(versioning)
        );
        assert_eq!(
            lookup("tfsec", "aws-s3-enable-versioning"),
            Some(versioning)
        );
        assert_eq!(
            lookup("aws_config", "s3-bucket-versioning-enabled"),
            Some(versioning)
        );
    }

    #[test]
    fn prowler_and_security_hub_ids_follow_what_those_checks_test() {
        let id = |tool: &str, rule: &str| lookup(tool, rule).map(PolicyId::as_str);
        // Prowler's check (and its aliases) fails on a public endpoint open to 0.0.0.0/0:
        // the CIDR policy, not "endpoint not public".
        for alias in [
            "eks_cluster_not_publicly_accessible",
            "eks_endpoints_not_publicly_accessible",
            "eks_control_plane_endpoint_access_restricted",
        ] {
            assert_eq!(id("prowler", alias), Some("RDX-EKS-002"), "{alias}");
        }
        assert_eq!(id("securityhub", "EKS.1"), Some("RDX-EKS-001"));
        // HTTP listeners redirect to HTTPS (not "has a listener").
        assert_eq!(id("prowler", "elbv2_ssl_listeners"), Some("RDX-ELB-001"));
        assert_eq!(id("prowler", "elbv2_listeners_underneath"), None);
        // Launch templates require IMDSv2 too.
        assert_eq!(id("securityhub", "EC2.170"), Some("RDX-EC2-002"));
        // Port-specific Prowler checks fall under the sensitive-ports policy.
        assert_eq!(
            id(
                "prowler",
                "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306"
            ),
            Some("RDX-SG-004")
        );
        // Origin-side TLS and CloudWatch delivery are other rules than these policies.
        assert_eq!(
            id(
                "prowler",
                "cloudfront_distributions_using_deprecated_ssl_protocols"
            ),
            None
        );
        assert_eq!(id("prowler", "cloudtrail_cloudwatch_logging_enabled"), None);
    }

    #[test]
    fn every_kics_query_in_the_catalog_maps_to_its_policy() {
        let catalog = Catalog::builtin().expect("catalog");
        let table = EquivalentsTable::new(&catalog);
        for p in catalog.policies() {
            for id in p.equivalents.get("kics").into_iter().flatten() {
                assert_eq!(table.lookup("kics", id), Some(&p.id), "{id}");
            }
        }
    }
}

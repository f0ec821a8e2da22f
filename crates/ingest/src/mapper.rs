//! The cross-scanner correlation hook: tool rule ids → canonical policy ids.
//!
//! Findings about the same resource under the same canonical policy are one issue, even
//! when Checkov, Security Hub and Prowler each report it. The store calls a
//! [`PolicyMapper`] while importing; the policy crate supplies the full table, and
//! [`SmallTableMapper`] is a small built-in table of common S3/EC2/RDS controls.

use crate::finding::SourceTool;

/// Maps a tool's rule id to Redress's canonical policy id.
pub trait PolicyMapper {
    /// The canonical policy for `rule_id` of `tool`, or `None` when unknown.
    fn canonical_policy(&self, tool: SourceTool, rule_id: &str) -> Option<String>;
}

/// One row of the built-in table: a canonical policy and its equivalents per tool.
struct Equivalents {
    policy: &'static str,
    ids: &'static [(SourceTool, &'static str)],
}

use SourceTool::{Checkov, Kics, Prowler, SecurityHub, Tfsec, Trivy};

/// The built-in table. tfsec ids are the long `aws-…` form; Trivy ids are AVD ids, which
/// tfsec's newer releases and SARIF output also use.
const TABLE: &[Equivalents] = &[
    Equivalents {
        policy: "aws-s3-bucket-versioning",
        ids: &[
            (Checkov, "CKV_AWS_21"),
            (SecurityHub, "S3.14"),
            (Prowler, "s3_bucket_object_versioning"),
            (Kics, "568a4d22-3517-44a6-a7ad-6a7eed88722c"),
            (Tfsec, "aws-s3-enable-versioning"),
            (Trivy, "AVD-AWS-0090"),
        ],
    },
    Equivalents {
        policy: "aws-s3-bucket-access-logging",
        ids: &[
            (Checkov, "CKV_AWS_18"),
            (SecurityHub, "S3.9"),
            (Prowler, "s3_bucket_server_access_logging_enabled"),
            (Kics, "f861041c-8c9f-4156-acfc-5e6e524f5884"),
            (Tfsec, "aws-s3-enable-bucket-logging"),
            (Trivy, "AVD-AWS-0089"),
        ],
    },
    Equivalents {
        policy: "aws-s3-bucket-encryption",
        ids: &[
            (Checkov, "CKV_AWS_19"),
            (SecurityHub, "S3.4"),
            (Prowler, "s3_bucket_default_encryption"),
            (Tfsec, "aws-s3-enable-bucket-encryption"),
            (Trivy, "AVD-AWS-0088"),
        ],
    },
    Equivalents {
        policy: "aws-s3-bucket-ignore-public-acls",
        ids: &[
            (Checkov, "CKV_AWS_55"),
            (Kics, "4fa66806-0dd9-4f8d-9480-3174d39c7c91"),
            (Tfsec, "aws-s3-ignore-public-acls"),
            (Trivy, "AVD-AWS-0091"),
        ],
    },
    Equivalents {
        policy: "aws-s3-bucket-ssl-requests-only",
        ids: &[
            (SecurityHub, "S3.5"),
            (Prowler, "s3_bucket_secure_transport_policy"),
            (Kics, "4bc4dd4c-7d8d-405e-a0fb-57fa4c31b4d9"),
        ],
    },
    Equivalents {
        policy: "aws-rds-storage-encrypted",
        ids: &[
            (Checkov, "CKV_AWS_16"),
            (SecurityHub, "RDS.3"),
            (Prowler, "rds_instance_storage_encrypted"),
            (Kics, "3199c26c-7871-4cb3-99c2-10a59244ce7f"),
            (Kics, "08bd0760-8752-44e1-9779-7bb369b2b4e4"),
            (Tfsec, "aws-rds-encrypt-instance-storage-data"),
            (Trivy, "AVD-AWS-0080"),
        ],
    },
    Equivalents {
        policy: "aws-rds-no-public-access",
        ids: &[
            (Checkov, "CKV_AWS_17"),
            (SecurityHub, "RDS.2"),
            (Prowler, "rds_instance_no_public_access"),
            (Kics, "35113e6f-2c6b-414d-beec-7a9482d3b2d1"),
            (Tfsec, "aws-rds-no-public-db-access"),
            (Trivy, "AVD-AWS-0082"),
        ],
    },
    Equivalents {
        policy: "aws-rds-iam-authentication",
        ids: &[
            (Checkov, "CKV_AWS_161"),
            (SecurityHub, "RDS.10"),
            (Prowler, "rds_instance_iam_authentication_enabled"),
        ],
    },
    Equivalents {
        policy: "aws-ec2-imdsv2-required",
        ids: &[
            (Checkov, "CKV_AWS_79"),
            (SecurityHub, "EC2.8"),
            (Prowler, "ec2_instance_imdsv2_enabled"),
            (Tfsec, "aws-ec2-enforce-http-token-imds"),
            (Trivy, "AVD-AWS-0028"),
        ],
    },
    Equivalents {
        policy: "aws-ebs-volume-encrypted",
        ids: &[
            (Checkov, "CKV_AWS_3"),
            (SecurityHub, "EC2.3"),
            (Prowler, "ec2_ebs_volume_encryption"),
            (Kics, "cc997676-481b-4e93-aa81-d19f8c5e9b12"),
            (Tfsec, "aws-ec2-enable-volume-encryption"),
            (Trivy, "AVD-AWS-0026"),
        ],
    },
    Equivalents {
        policy: "aws-ebs-default-encryption",
        ids: &[
            (Checkov, "CKV_AWS_106"),
            (SecurityHub, "EC2.7"),
            (Prowler, "ec2_ebs_default_encryption"),
            (Kics, "3d3f6270-546b-443c-adb4-bb6fb2187ca6"),
        ],
    },
    Equivalents {
        policy: "aws-ec2-no-public-ip",
        ids: &[
            (Checkov, "CKV_AWS_88"),
            (SecurityHub, "EC2.9"),
            (Prowler, "ec2_instance_public_ip"),
            (Kics, "5a2486aa-facf-477d-a5c1-b010789459ce"),
            (Tfsec, "aws-ec2-no-public-ip"),
            (Trivy, "AVD-AWS-0009"),
        ],
    },
    Equivalents {
        policy: "aws-security-group-no-public-ssh",
        ids: &[
            (Checkov, "CKV_AWS_24"),
            (SecurityHub, "EC2.13"),
            (
                Prowler,
                "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
            ),
            (Kics, "65905cec-d691-4320-b320-2000436cb696"),
        ],
    },
];

/// A small built-in table of a dozen common S3, EC2 and RDS controls across Checkov,
/// Security Hub, Prowler, KICS, tfsec and Trivy. Rule ids compare case-insensitively.
/// SARIF findings carry their real tool, so they map like that tool's native output.
#[derive(Debug, Clone, Copy, Default)]
pub struct SmallTableMapper;

impl SmallTableMapper {
    /// Every `(tool, rule id, canonical policy)` the table knows.
    pub fn entries(&self) -> impl Iterator<Item = (SourceTool, &'static str, &'static str)> {
        TABLE
            .iter()
            .flat_map(|row| row.ids.iter().map(|(tool, id)| (*tool, *id, row.policy)))
    }
}

impl PolicyMapper for SmallTableMapper {
    fn canonical_policy(&self, tool: SourceTool, rule_id: &str) -> Option<String> {
        let rule_id = rule_id.trim();
        self.entries()
            .find(|(t, id, _)| *t == tool && id.eq_ignore_ascii_case(rule_id))
            .map(|(_, _, policy)| policy.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_rules_of_different_tools_share_a_policy() {
        let m = SmallTableMapper;
        let checkov = m.canonical_policy(SourceTool::Checkov, "CKV_AWS_21");
        let hub = m.canonical_policy(SourceTool::SecurityHub, "S3.14");
        let kics = m.canonical_policy(SourceTool::Kics, "568A4D22-3517-44a6-a7ad-6a7eed88722c");
        assert_eq!(checkov.as_deref(), Some("aws-s3-bucket-versioning"));
        assert_eq!(checkov, hub);
        assert_eq!(checkov, kics);
    }

    #[test]
    fn unknown_rules_and_wrong_tools_map_to_nothing() {
        let m = SmallTableMapper;
        assert_eq!(
            m.canonical_policy(SourceTool::Checkov, "CKV_AWS_999999"),
            None
        );
        // S3.14 is a Security Hub control id, not a Checkov id.
        assert_eq!(m.canonical_policy(SourceTool::Checkov, "S3.14"), None);
    }

    #[test]
    fn table_has_no_conflicting_rows() {
        let entries: Vec<_> = SmallTableMapper.entries().collect();
        for (i, a) in entries.iter().enumerate() {
            for b in &entries[i + 1..] {
                assert!(
                    !(a.0 == b.0 && a.1.eq_ignore_ascii_case(b.1)),
                    "{:?} {} listed twice",
                    a.0,
                    a.1
                );
            }
        }
        assert!(entries.len() >= 12);
    }
}

//! The demo's deployed resources: one table that the Terraform states and the findings files
//! are both generated from, so ids and ARNs agree with each other and with the code.

/// The AWS account every demo resource lives in.
pub(crate) const ACCOUNT: &str = "111122223333";
/// The region every demo resource lives in.
pub(crate) const REGION: &str = "eu-west-1";

/// One deployed resource instance.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DemoResource {
    /// Root module directory (`envs/prod`).
    pub root: &'static str,
    /// Module path (`module.network`), empty in the root module.
    pub module: &'static str,
    /// Terraform resource type.
    pub kind: &'static str,
    /// Terraform resource name.
    pub name: &'static str,
    /// `count` index or `for_each` key, if any.
    pub key: Option<InstanceKey>,
    /// The provider's id (`sg-…`, the bucket name, …).
    pub id: &'static str,
}

/// A `count` index or a `for_each` key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum InstanceKey {
    /// `count.index`.
    Index(u32),
    /// `each.key`.
    Key(&'static str),
}

impl DemoResource {
    /// The ARN AWS gives the resource.
    pub fn arn(&self) -> String {
        match self.kind {
            "aws_s3_bucket" => format!("arn:aws:s3:::{}", self.id),
            "aws_security_group" => {
                format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{}", self.id)
            }
            "aws_vpc" => format!("arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{}", self.id),
            "aws_db_instance" => format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:{}", self.id),
            other => format!("arn:aws:{other}:{REGION}:{ACCOUNT}:{}", self.id),
        }
    }

    /// The Security Hub / OCSF resource type name.
    pub fn cloud_type(&self) -> &'static str {
        match self.kind {
            "aws_s3_bucket" => "AwsS3Bucket",
            "aws_security_group" => "AwsEc2SecurityGroup",
            "aws_vpc" => "AwsEc2Vpc",
            "aws_db_instance" => "AwsRdsDbInstance",
            _ => "Other",
        }
    }
}

const fn res(
    root: &'static str,
    module: &'static str,
    kind: &'static str,
    name: &'static str,
    key: Option<InstanceKey>,
    id: &'static str,
) -> DemoResource {
    DemoResource {
        root,
        module,
        kind,
        name,
        key,
        id,
    }
}

/// Every deployed instance of the demo repository, by root.
pub(crate) const RESOURCES: &[DemoResource] = &[
    res(
        "envs/prod",
        "module.network",
        "aws_vpc",
        "this",
        None,
        "vpc-0a11prod0000000001",
    ),
    res(
        "envs/prod",
        "module.network",
        "aws_security_group",
        "bastion",
        None,
        "sg-0b22prodbastion001",
    ),
    res(
        "envs/prod",
        "module.network",
        "aws_security_group",
        "web",
        None,
        "sg-0c33prodweb0000001",
    ),
    res(
        "envs/prod",
        "module.logs_bucket",
        "aws_s3_bucket",
        "this",
        None,
        "acme-prod-logs",
    ),
    res(
        "envs/prod",
        "module.invoices_bucket",
        "aws_s3_bucket",
        "this",
        None,
        "acme-prod-invoices",
    ),
    res(
        "envs/prod",
        "",
        "aws_s3_bucket",
        "uploads",
        Some(InstanceKey::Key("eu")),
        "acme-prod-uploads-eu",
    ),
    res(
        "envs/prod",
        "",
        "aws_s3_bucket",
        "uploads",
        Some(InstanceKey::Key("us")),
        "acme-prod-uploads-us",
    ),
    res(
        "envs/prod",
        "",
        "aws_db_instance",
        "orders",
        None,
        "acme-prod-orders",
    ),
    res(
        "envs/staging",
        "module.network",
        "aws_vpc",
        "this",
        None,
        "vpc-0d44stag0000000001",
    ),
    res(
        "envs/staging",
        "module.network",
        "aws_security_group",
        "bastion",
        None,
        "sg-0e55stagbastion001",
    ),
    res(
        "envs/staging",
        "module.network",
        "aws_security_group",
        "web",
        None,
        "sg-0f66stagweb0000001",
    ),
    res(
        "envs/staging",
        "module.scratch_bucket",
        "aws_s3_bucket",
        "this",
        None,
        "acme-staging-scratch",
    ),
    res(
        "envs/staging",
        "",
        "aws_security_group",
        "build_worker",
        Some(InstanceKey::Index(0)),
        "sg-0a77stagbuild00001",
    ),
    res(
        "envs/staging",
        "",
        "aws_security_group",
        "build_worker",
        Some(InstanceKey::Index(1)),
        "sg-0a88stagbuild00002",
    ),
];

/// The demo resource with this provider id.
pub(crate) fn by_id(id: &str) -> Option<&'static DemoResource> {
    RESOURCES.iter().find(|r| r.id == id)
}

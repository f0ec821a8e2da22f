//! ARN → id derivation.

use redress_iac::arn::{Arn, candidate_ids};

fn ids(arn: &str) -> Vec<String> {
    Arn::parse(arn).map(|a| a.derived_ids()).unwrap_or_default()
}

#[test]
fn derives_ids_per_service() {
    assert_eq!(ids("arn:aws:s3:::my-bucket"), ["my-bucket"]);
    assert_eq!(ids("arn:aws:s3:::my-bucket/some/key"), ["my-bucket"]);
    assert_eq!(
        ids("arn:aws:ec2:eu-west-3:047081014315:security-group/sg-9e0204ff"),
        ["sg-9e0204ff"]
    );
    assert_eq!(ids("arn:aws:ec2:us-east-1:1:instance/i-0abc"), ["i-0abc"]);
    assert_eq!(
        ids("arn:aws:sqs:us-east-1:123456789012:orders"),
        [
            "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
            "https://queue.amazonaws.com/123456789012/orders",
            "orders"
        ]
    );
    assert_eq!(
        ids("arn:aws:rds:eu-west-3:929327065333:db:terraform-2020"),
        ["terraform-2020"]
    );
    assert_eq!(
        ids("arn:aws:rds:eu-west-1:1:cluster:aurora-1"),
        ["aurora-1"]
    );
    assert_eq!(
        ids("arn:aws:iam::123456789012:role/service/app-role"),
        ["app-role"]
    );
    assert_eq!(
        ids("arn:aws:lambda:us-east-1:1:function:handler:PROD"),
        ["handler"]
    );
    assert_eq!(
        ids("arn:aws:kms:us-east-1:1:key/1234abcd-12ab"),
        ["1234abcd-12ab"]
    );
    assert_eq!(ids("arn:aws:kms:us-east-1:1:alias/main"), ["alias/main"]);
    assert_eq!(
        ids("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x:*"),
        ["/aws/lambda/x"]
    );
    assert_eq!(ids("arn:aws:dynamodb:us-east-1:1:table/orders"), ["orders"]);
    assert_eq!(ids("arn:aws:sns:us-east-1:1:alerts"), ["alerts"]);
    assert_eq!(
        ids("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c495c0c9188"),
        ["app/web/50dc6c495c0c9188", "web", "50dc6c495c0c9188"]
    );
    assert_eq!(
        ids("arn:aws-cn:sqs:cn-north-1:1:q")[0],
        "https://sqs.cn-north-1.amazonaws.com.cn/1/q"
    );
}

#[test]
fn parses_parts_and_rejects_non_arns() {
    let arn = Arn::parse("arn:aws:rds:eu-west-3:929327065333:db:x").unwrap();
    assert_eq!(
        (
            arn.service.as_str(),
            arn.region.as_str(),
            arn.account.as_str()
        ),
        ("rds", "eu-west-3", "929327065333")
    );
    assert!(Arn::parse("sg-123").is_none());
    assert!(Arn::parse("arn:aws").is_none());
    assert_eq!(candidate_ids("sg-123"), ["sg-123"]);
    assert_eq!(candidate_ids("arn:aws:s3:::b"), ["arn:aws:s3:::b", "b"]);
}

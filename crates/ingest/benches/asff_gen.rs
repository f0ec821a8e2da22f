//! Generates realistic ASFF (Security Hub `get-findings`) documents for benchmarks.
//! Shared by `benches/parse.rs` and `examples/generate_asff.rs`.

use std::io::{self, Write};

/// Writes `{"Findings":[…]}` with `count` findings (about 2 KB each) to `out`.
pub fn write_asff(out: &mut impl Write, count: u64) -> io::Result<()> {
    out.write_all(b"{\"Findings\": [\n")?;
    for i in 0..count {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        let control = ["S3.14", "S3.9", "EC2.8", "RDS.3", "IAM.5"][(i % 5) as usize];
        let severity = ["LOW", "MEDIUM", "HIGH", "CRITICAL", "INFORMATIONAL"][(i % 5) as usize];
        let compliance = if i % 7 == 0 { "PASSED" } else { "FAILED" };
        let account = 100_000_000_000 + (i % 50);
        write!(
            out,
            r#"{{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:eu-west-1:{account}:security-control/{control}/finding/{i:08x}-1111-2222-3333-444455556666","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","ProductName":"Security Hub","CompanyName":"AWS","Region":"eu-west-1","GeneratorId":"security-control/{control}","AwsAccountId":"{account}","Types":["Software and Configuration Checks/Industry and Regulatory Standards"],"FirstObservedAt":"2024-02-01T10:00:00.000Z","LastObservedAt":"2024-03-01T11:59:00.000Z","CreatedAt":"2024-02-01T10:00:00.000Z","UpdatedAt":"2024-03-01T11:59:00.000Z","Severity":{{"Label":"{severity}","Original":"{severity}","Normalized":40}},"Title":"{control} This control checks a resource configuration against AWS best practice","Description":"This control checks whether the resource is configured following AWS Foundational Security Best Practices. The control fails if the configuration does not match. Finding number {i}.","Remediation":{{"Recommendation":{{"Text":"For information on how to correct this issue, consult the AWS Security Hub controls documentation.","Url":"https://docs.aws.amazon.com/console/securityhub/{control}/remediation"}}}},"ProductFields":{{"RelatedAWSResources:0/name":"securityhub-rule-{i}","RelatedAWSResources:0/type":"AWS::Config::ConfigRule","aws/securityhub/ProductName":"Security Hub","aws/securityhub/CompanyName":"AWS","aws/securityhub/annotation":"The resource does not meet the requirement."}},"Resources":[{{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::bucket-{i}","Partition":"aws","Region":"eu-west-1","Tags":{{"team":"payments","env":"prod"}},"Details":{{"AwsS3Bucket":{{"OwnerId":"abcdef0123456789","CreatedAt":"2023-01-01T00:00:00.000Z","Name":"bucket-{i}"}}}}}}],"Compliance":{{"Status":"{compliance}","SecurityControlId":"{control}","AssociatedStandards":[{{"StandardsId":"standards/aws-foundational-security-best-practices/v/1.0.0"}}]}},"WorkflowState":"NEW","Workflow":{{"Status":"NEW"}},"RecordState":"ACTIVE","FindingProviderFields":{{"Severity":{{"Label":"{severity}","Original":"{severity}"}},"Types":["Software and Configuration Checks/Industry and Regulatory Standards"]}}}}"#
        )?;
    }
    out.write_all(b"\n]}\n")
}

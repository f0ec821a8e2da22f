//! The supported input formats and what a full import covers ([`Scope`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::UnknownFormat;
use crate::finding::{CloudProvider, Finding, SourceTool};

/// One supported input format. The string names (`asff`, `prowler-ocsf`, …) are stable:
/// they are what `--format` takes and what the database stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Format {
    /// AWS Security Hub ASFF: `{"Findings":[…]}`, a bare array, or an EventBridge event.
    #[serde(rename = "asff")]
    Asff,
    /// Prowler v4/v5 OCSF JSON (an array of OCSF Detection Findings).
    #[serde(rename = "prowler-ocsf")]
    ProwlerOcsf,
    /// Prowler CSV: v2 (`,`), v3 and v4/v5 (`;`) column sets.
    #[serde(rename = "prowler-csv")]
    ProwlerCsv,
    /// Prowler legacy JSON: v2 JSON lines, v3 JSON array.
    #[serde(rename = "prowler-json")]
    ProwlerJson,
    /// Wiz Issues CSV export.
    #[serde(rename = "wiz-csv")]
    WizCsv,
    /// Wiz issues JSON in the GraphQL API's shape (`data.issues.nodes`, `issues.nodes`, or a node array).
    #[serde(rename = "wiz-json")]
    WizJson,
    /// Orca Security alerts CSV export.
    #[serde(rename = "orca-csv")]
    OrcaCsv,
    /// Orca Security alerts JSON export.
    #[serde(rename = "orca-json")]
    OrcaJson,
    /// AWS Config compliance JSON (`EvaluationResults` or `ComplianceByResources`).
    #[serde(rename = "aws-config")]
    AwsConfig,
    /// Checkov JSON: one report or a list of framework reports.
    #[serde(rename = "checkov")]
    Checkov,
    /// KICS JSON.
    #[serde(rename = "kics")]
    Kics,
    /// Trivy JSON (misconfigurations).
    #[serde(rename = "trivy")]
    Trivy,
    /// tfsec JSON.
    #[serde(rename = "tfsec")]
    Tfsec,
    /// Terrascan JSON.
    #[serde(rename = "terrascan")]
    Terrascan,
    /// SARIF 2.1.0 from an IaC scanner.
    #[serde(rename = "sarif")]
    Sarif,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub const ALL: [Format; 15] = [
        Format::Asff,
        Format::ProwlerOcsf,
        Format::ProwlerCsv,
        Format::ProwlerJson,
        Format::WizCsv,
        Format::WizJson,
        Format::OrcaCsv,
        Format::OrcaJson,
        Format::AwsConfig,
        Format::Checkov,
        Format::Kics,
        Format::Trivy,
        Format::Tfsec,
        Format::Terrascan,
        Format::Sarif,
    ];

    /// The stable name (`asff`, `prowler-ocsf`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Asff => "asff",
            Format::ProwlerOcsf => "prowler-ocsf",
            Format::ProwlerCsv => "prowler-csv",
            Format::ProwlerJson => "prowler-json",
            Format::WizCsv => "wiz-csv",
            Format::WizJson => "wiz-json",
            Format::OrcaCsv => "orca-csv",
            Format::OrcaJson => "orca-json",
            Format::AwsConfig => "aws-config",
            Format::Checkov => "checkov",
            Format::Kics => "kics",
            Format::Trivy => "trivy",
            Format::Tfsec => "tfsec",
            Format::Terrascan => "terrascan",
            Format::Sarif => "sarif",
        }
    }

    /// The tool whose output this is. SARIF names its producer per run, so this is
    /// [`SourceTool::OtherSarif`] for [`Format::Sarif`]; each finding carries the real tool.
    pub fn default_tool(self) -> SourceTool {
        match self {
            Format::Asff => SourceTool::SecurityHub,
            Format::ProwlerOcsf | Format::ProwlerCsv | Format::ProwlerJson => SourceTool::Prowler,
            Format::WizCsv | Format::WizJson => SourceTool::Wiz,
            Format::OrcaCsv | Format::OrcaJson => SourceTool::Orca,
            Format::AwsConfig => SourceTool::AwsConfig,
            Format::Checkov => SourceTool::Checkov,
            Format::Kics => SourceTool::Kics,
            Format::Trivy => SourceTool::Trivy,
            Format::Tfsec => SourceTool::Tfsec,
            Format::Terrascan => SourceTool::Terrascan,
            Format::Sarif => SourceTool::OtherSarif,
        }
    }

    /// Whether this format is CSV (positions are lines) rather than JSON (positions are indexes).
    pub fn is_csv(self) -> bool {
        matches!(self, Format::ProwlerCsv | Format::WizCsv | Format::OrcaCsv)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        let wanted = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| UnknownFormat {
                given: s.to_owned(),
            })
    }
}

/// What a full import from one source covers: the findings of that source inside the
/// scope and absent from the import are closed.
///
/// Cloud findings are scoped by account and region; IaC findings by the repository the
/// caller scanned (the findings file does not name it, so the caller supplies it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Scope {
    /// A cloud account (subscription, project) and optionally one region.
    Cloud {
        /// The provider, when known.
        provider: Option<CloudProvider>,
        /// Account, subscription or project id.
        account: String,
        /// Region; `None` covers global resources or every region.
        region: Option<String>,
    },
    /// A code repository, named by the caller.
    Repository {
        /// The repository's name or URL as Redress knows it.
        repository: String,
    },
}

impl Scope {
    /// The cloud scope of a finding: its account and region, when it has an account.
    /// IaC findings have none (their repository scope comes from the caller).
    pub fn of_cloud_finding(finding: &Finding) -> Option<Scope> {
        let account = finding.account.as_deref().filter(|a| !a.is_empty())?;
        Some(Scope::Cloud {
            provider: finding.cloud_provider,
            account: account.to_owned(),
            region: finding.region.clone().filter(|r| !r.is_empty()),
        })
    }
}

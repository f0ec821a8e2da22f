//! The policy catalog as the importer's [`PolicyMapper`].
use std::sync::OnceLock;

use redress_ingest::{PolicyMapper, SmallTableMapper, SourceTool};
use redress_policy::{Catalog, equivalents::EquivalentsTable};

/// Maps tool rule ids to canonical policies through the policy catalog's equivalents table.
///
/// When the built-in catalog cannot be loaded (which its own tests prevent), it falls back
/// to the ingest crate's [`SmallTableMapper`] as a whole, so ids never mix between tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogMapper;

fn table() -> Option<&'static EquivalentsTable> {
    static TABLE: OnceLock<Option<EquivalentsTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| match Catalog::builtin() {
            Ok(catalog) => Some(EquivalentsTable::new(&catalog)).filter(|t| !t.is_empty()),
            Err(e) => {
                tracing::warn!("policy catalog unavailable, using the small built-in table: {e}");
                None
            }
        })
        .as_ref()
}

/// The tool name the policy catalog uses for an ingest tool; `None` for tools it does not list.
fn catalog_tool_name(tool: SourceTool) -> Option<&'static str> {
    match tool {
        SourceTool::SecurityHub => Some("securityhub"),
        SourceTool::SnykIac | SourceTool::OtherSarif => None,
        other => Some(other.as_str()),
    }
}

impl PolicyMapper for CatalogMapper {
    fn canonical_policy(&self, tool: SourceTool, rule_id: &str) -> Option<String> {
        match table() {
            Some(table) => table
                .lookup(catalog_tool_name(tool)?, rule_id)
                .map(|p| p.as_str().to_owned()),
            None => SmallTableMapper.canonical_policy(tool, rule_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_hub_and_checkov_ids_meet_in_one_policy() {
        let hub = CatalogMapper.canonical_policy(SourceTool::SecurityHub, "S3.14");
        let checkov = CatalogMapper.canonical_policy(SourceTool::Checkov, "ckv_aws_21");
        assert!(hub.is_some());
        assert_eq!(hub, checkov);
        assert_eq!(
            CatalogMapper.canonical_policy(SourceTool::OtherSarif, "S3.14"),
            None
        );
    }
}

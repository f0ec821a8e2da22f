//! The index crate's fix-site hook: which attribute a policy checks on a resource type, so
//! `redress locate` reports the policy-aware fix site.

use redress_iac::FixSiteHint;

use crate::catalog::{Catalog, Cond};

/// Answers [`FixSiteHint`] from a catalog.
#[derive(Debug, Clone)]
pub struct PolicyFixSiteHint {
    catalog: Catalog,
}

impl PolicyFixSiteHint {
    /// A hint over these policies.
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }
}

/// The first attribute path a condition checks (companions and documents excepted).
fn first_attribute(cond: &Cond) -> Option<Vec<String>> {
    if let Some(path) = &cond.attr {
        return Some(path.split('.').map(str::to_string).collect());
    }
    if let Some(doc) = &cond.document {
        return (!doc.attr.is_empty()).then(|| vec![doc.attr.clone()]);
    }
    if cond.network.is_some() {
        return Some(vec!["ingress".to_string()]);
    }
    if let (Some(each), Some(check)) = (&cond.each, &cond.check) {
        let mut path = vec![each.clone()];
        path.extend(first_attribute(check).unwrap_or_default());
        return Some(path);
    }
    if let Some(then) = &cond.then {
        return first_attribute(then);
    }
    // For alternatives, the inline attribute (not the companion resource) is the one on the
    // resource itself.
    cond.all_of
        .iter()
        .chain(cond.any_of.iter())
        .flatten()
        .filter(|c| c.companion.is_none())
        .find_map(first_attribute)
}

impl FixSiteHint for PolicyFixSiteHint {
    fn offending_attribute(
        &self,
        resource_type: &str,
        policy: Option<&str>,
    ) -> Option<Vec<String>> {
        let policy = self.catalog.get_str(policy?)?;
        let target = policy
            .targets
            .iter()
            .find(|t| t.resource.as_deref() == Some(resource_type))?;
        first_attribute(&target.check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_checked_attribute() {
        let hint = PolicyFixSiteHint::new(Catalog::builtin().expect("catalog"));
        assert_eq!(
            hint.offending_attribute("aws_s3_bucket", Some("RDX-S3-001")),
            Some(vec!["versioning".to_string(), "enabled".to_string()])
        );
        assert_eq!(
            hint.offending_attribute("aws_ebs_volume", Some("RDX-EBS-001")),
            Some(vec!["encrypted".to_string()])
        );
        assert_eq!(
            hint.offending_attribute("aws_launch_configuration", Some("RDX-ASG-001")),
            Some(vec![
                "root_block_device".to_string(),
                "encrypted".to_string()
            ])
        );
        assert_eq!(
            hint.offending_attribute("aws_ebs_volume", Some("RDX-S3-001")),
            None
        );
        assert_eq!(hint.offending_attribute("aws_ebs_volume", None), None);
    }
}

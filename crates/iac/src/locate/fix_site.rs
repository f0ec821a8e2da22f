//! The fix site: the most specific line where one change fixes a finding.
//!
//! Order: the offending attribute (from the [`super::FixSiteHint`] path, else
//! the scanner's line), traced through variables to where its value is written
//! (call-site input, tfvars, variable default, local); a nested block on the
//! path when the attribute is missing inside it; otherwise the block line.

use super::{FixSite, FixSiteKind, Locator};
use crate::eval::{Evaluated, OriginKind};
use crate::model::Block;
use crate::modules::ResourceTemplate;

impl Locator<'_> {
    pub(super) fn fix_site(
        &self,
        t: usize,
        template: &ResourceTemplate,
        path: Option<Vec<String>>,
        scanner_line: Option<u32>,
    ) -> FixSite {
        let key = (t, path, scanner_line);
        if let Ok(cache) = self.fix_cache.lock()
            && let Some(hit) = cache.get(&key)
        {
            return hit.clone();
        }
        let site = self.compute_fix_site(template, key.1.as_deref(), scanner_line);
        if let Ok(mut cache) = self.fix_cache.lock() {
            cache.insert(key, site.clone());
        }
        site
    }

    fn compute_fix_site(
        &self,
        template: &ResourceTemplate,
        path: Option<&[String]>,
        scanner_line: Option<u32>,
    ) -> FixSite {
        let block_site = FixSite {
            file: template.file.clone(),
            line: template.span.start_line,
            kind: FixSiteKind::Block,
        };
        let Some((_, block)) = self.index.resource_block(template) else {
            return block_site;
        };
        let along_path = path.map(|p| deepest_on_path(block, p));
        let attr = match along_path {
            Some(PathEnd::Attribute(a)) => Some(a),
            Some(PathEnd::Nested(nested)) => {
                return FixSite {
                    file: template.file.clone(),
                    line: nested.span.start_line,
                    kind: FixSiteKind::NestedBlock,
                };
            }
            Some(PathEnd::Missing) | None => None,
        }
        .or_else(|| scanner_line.and_then(|l| block.attribute_containing(l)));
        if attr.is_none()
            && let Some(nested) = scanner_line
                .and_then(|l| block.innermost_block(l))
                .filter(|b| !std::ptr::eq(*b, block))
        {
            // The scanner points into a nested block (`ingress {`, `versioning {`).
            return FixSite {
                file: template.file.clone(),
                line: nested.span.start_line,
                kind: FixSiteKind::NestedBlock,
            };
        }
        let Some(attr) = attr else {
            // The offending attribute is missing (or unknown): add it in the block.
            return block_site;
        };
        let traced = self.evaluator.eval_attribute(template.module, attr);
        let attr_site = FixSite {
            file: template.file.clone(),
            line: attr.span.start_line,
            kind: FixSiteKind::Attribute,
        };
        if matches!(traced.value, Evaluated::Unknown) {
            return attr_site;
        }
        match traced.steps.last() {
            Some(origin) => FixSite {
                file: origin.file.clone(),
                line: origin.line,
                kind: match origin.kind {
                    OriginKind::ModuleInput => FixSiteKind::ModuleInput,
                    OriginKind::VariableDefault => FixSiteKind::VariableDefault,
                    OriginKind::Tfvars => FixSiteKind::Tfvars,
                    OriginKind::Local => FixSiteKind::Local,
                },
            },
            None => attr_site,
        }
    }
}

/// How far an attribute path gets inside a block.
enum PathEnd<'b> {
    /// The attribute (or a map entry) at the end of the path.
    Attribute(&'b crate::model::Attribute),
    /// The deepest nested block on the path (the rest is missing, or the
    /// path names the nested block itself).
    Nested(&'b Block),
    /// Nothing of the path exists below the resource block.
    Missing,
}

fn deepest_on_path<'b>(block: &'b Block, path: &[String]) -> PathEnd<'b> {
    let mut current = block;
    for (i, segment) in path.iter().enumerate() {
        if let Some(attr) = current.attribute(segment) {
            // The rest of the path goes into map entries, as far as they exist.
            let mut found = attr;
            for key in &path[i + 1..] {
                match found.entry(key) {
                    Some(entry) => found = entry,
                    None => break,
                }
            }
            return PathEnd::Attribute(found);
        }
        // `ingress { … }`, or `dynamic "ingress" { content { … } }`.
        let nested = current.nested(segment).next().or_else(|| {
            current
                .nested("dynamic")
                .find(|d| d.labels.first() == Some(segment))
                .map(|d| d.nested("content").next().unwrap_or(d))
        });
        match nested {
            Some(nested) => current = nested,
            None => break,
        }
    }
    if std::ptr::eq(current, block) {
        PathEnd::Missing
    } else {
        PathEnd::Nested(current)
    }
}

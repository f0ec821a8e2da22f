//! `companion` conditions: a linked resource (AWS provider v4 split S3 resources, flow logs)
//! that refers to the subject by reference, and the companion block a fix adds.

use std::rc::Rc;

use redress_iac::BlockKind;

use crate::catalog::Cond;
use crate::cond::{Ctx, Node, NodeKind, Verdict};
use crate::edit::{Edit, FixKind};
use crate::eval::Subject;

impl<'r> Ctx<'r> {
    pub(crate) fn eval_companion(
        &self,
        cond: &'r Cond,
        companion: &'r str,
        check: &'r Cond,
    ) -> Verdict {
        if self.subject.is_module || self.subject.rtype.starts_with("data.") {
            return Verdict::NotApplicable;
        }
        let Some(link) = cond.link.as_deref() else {
            return Verdict::NotApplicable;
        };
        let reference = format!("{}.{}", self.subject.rtype, self.subject.name);
        let found: Vec<Node<'r>> = self
            .repo
            .index()
            .blocks_of_kind(self.subject.dir, BlockKind::Resource)
            .filter(|(_, b)| b.type_label() == Some(companion))
            .filter(|(_, b)| {
                b.attribute(link)
                    .is_some_and(|a| references(&a.raw, &reference))
            })
            .map(|(f, b)| Node {
                file: f.path.as_str(),
                kind: NodeKind::Block(b),
                ctx: Rc::clone(&self.at),
                root: false,
                generated: None,
            })
            .collect();
        if found.is_empty() && self.repo.aws_below_v4 {
            // AWS provider v3 has no split S3 resources: the inline alternative applies.
            return Verdict::NotApplicable;
        }
        if found.is_empty() {
            let fix = cond.template.as_ref().map(|t| {
                let text = render_companion(t, self.subject);
                let end = self.subject.block.span.end_byte;
                (
                    FixKind::AddCompanion,
                    Edit {
                        file: self.subject.file.to_string(),
                        range: end..end,
                        text: format!("\n\n{text}"),
                    },
                )
            });
            let msg = format!("no `{companion}` refers to this resource");
            return Verdict::Fails(vec![self.hit(
                self.subject.file,
                self.subject.block.span,
                msg,
                0,
                fix,
            )]);
        }
        let mut first_fail = None;
        for n in found {
            match self.eval(check, &n) {
                Verdict::Holds | Verdict::NotApplicable => return Verdict::Holds,
                Verdict::Unknown(why) => return Verdict::Unknown(why),
                Verdict::Fails(mut hits) => {
                    for h in &mut hits {
                        h.presence = h.presence.max(1) + 1;
                    }
                    first_fail.get_or_insert(hits);
                }
            }
        }
        first_fail.map_or(Verdict::Holds, Verdict::Fails)
    }
}

/// Whether a reference expression's text points at `type.name` (`aws_s3_bucket.b.id`,
/// `aws_s3_bucket.b[count.index].id`, `"${aws_s3_bucket.b.id}"`).
pub(crate) fn references(text: &str, reference: &str) -> bool {
    text.match_indices(reference).any(|(i, _)| {
        let before_ok = i == 0
            || !text[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        let after = &text[i + reference.len()..];
        before_ok && (after.is_empty() || after.starts_with(['.', '[', '"', '}', ' ', ')', ',']))
    })
}

fn render_companion(template: &str, subject: &Subject<'_>) -> String {
    let base = format!("{}.{}", subject.rtype, subject.name);
    let (meta, reference) = if let Some(count) = subject.block.attribute("count") {
        (
            format!("  count = {}\n", count.raw),
            format!("{base}[count.index]"),
        )
    } else if subject.block.attribute("for_each").is_some() {
        (format!("  for_each = {base}\n"), "each.value".to_string())
    } else {
        (String::new(), base)
    };
    template
        .replace("{name}", &subject.name)
        .replace("{meta}", &meta)
        .replace("{ref}", &reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_match_whole_names_only() {
        assert!(references("aws_s3_bucket.b.id", "aws_s3_bucket.b"));
        assert!(references(
            "aws_s3_bucket.b[count.index].id",
            "aws_s3_bucket.b"
        ));
        assert!(references("\"${aws_s3_bucket.b.id}\"", "aws_s3_bucket.b"));
        assert!(!references("aws_s3_bucket.b2.id", "aws_s3_bucket.b"));
        assert!(!references("xaws_s3_bucket.b.id", "aws_s3_bucket.b"));
    }
}

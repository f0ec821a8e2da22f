//! A JSON policy document written as a heredoc. The text is parsed as JSON as written; an
//! interpolation inside a JSON string (`"arn:aws:iam::${local.account}:root"`) stays part of
//! the string. An interpolation written in place of a JSON value (`"Action":
//! ${jsonencode(var.actions)}`) is read as the value of a validated variable
//! ([`crate::validated`]): it is replaced by a placeholder of the same length before parsing, so
//! byte offsets into the text stay those of the file, and the placeholder then by the
//! variable's value (or its marker), or by the value the evaluator computes for it. Any other
//! interpolation in place of a value makes the document unreadable, as before. When every
//! interpolation of the heredoc is known, the document is the evaluator's value of the whole
//! heredoc, so interpolations inside strings count with their values too.

use std::ops::Range;

use redress_iac::expr::{Heredoc, TemplatePart};
use redress_iac::{Expr, ExprKind, Resolved};
use serde_json::Value as Json;

use crate::cond::Ctx;
use crate::edit::range;

/// Placeholders are single private-use characters, written as an 8-byte JSON string.
const FIRST: u32 = 0xE000;
const LAST: u32 = 0xF8FF;
const PLACEHOLDER_LEN: usize = 8;

/// The document and its text (same length as the heredoc body, interpolations in place of
/// values replaced by placeholders), or why it cannot be read.
pub(crate) fn read(ctx: &Ctx<'_>, r: &Resolved<'_>, h: &Heredoc) -> Result<(Json, String), String> {
    let src = ctx.repo.text(r.file);
    let body = src.get(range(&h.body)).unwrap_or("");
    let outside = value_interpolations(body, h.body.start_byte, &h.parts);
    if outside.is_empty() {
        let json = serde_json::from_str(body).map_err(|e| e.to_string())?;
        return Ok((computed(ctx, r, h).unwrap_or(json), body.to_string()));
    }
    let private = |c: char| (FIRST..=LAST).contains(&u32::from(c));
    if body.chars().any(private) || body.to_ascii_lowercase().contains("\\ue") {
        return Err("the document holds private-use characters".into());
    }
    let mut values = Vec::with_capacity(outside.len());
    let mut text = body.to_string();
    for (n, (at, expr)) in outside.iter().enumerate().rev() {
        let written = src.get(range(&expr.span)).unwrap_or("");
        let value = validated_value(ctx, r, expr).ok_or_else(|| {
            format!("`${{{written}}}` stands for a JSON value and is not `jsonencode(…)` of a validated variable or of a value known here")
        })?;
        let code = u32::try_from(n)
            .ok()
            .and_then(|n| FIRST.checked_add(n))
            .filter(|c| *c <= LAST)
            .ok_or("too many interpolations")?;
        if at.len() < PLACEHOLDER_LEN {
            return Err(format!("`${{{written}}}` is too short to be read"));
        }
        let placeholder = format!(
            "\"\\u{code:04X}\"{}",
            " ".repeat(at.len() - PLACEHOLDER_LEN)
        );
        text.replace_range(at.clone(), &placeholder);
        values.push((code, value));
    }
    let mut json: Json = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    fill(&mut json, &values)?;
    Ok((computed(ctx, r, h).unwrap_or(json), text))
}

/// The document as the evaluator computes the whole heredoc, when it has interpolations and
/// every one of them is known (`"Action": "${var.action}"` with a default): interpolations
/// inside JSON strings then count with their values, not their text.
fn computed(ctx: &Ctx<'_>, r: &Resolved<'_>, h: &Heredoc) -> Option<Json> {
    if !h
        .parts
        .iter()
        .any(|p| matches!(p, TemplatePart::Interpolation(_)))
    {
        return None;
    }
    match ctx.ev.compute(&r.context, r.expr)? {
        redress_iac::Value::String(s) => serde_json::from_str(&s).ok(),
        _ => None,
    }
}

/// `jsonencode(X)` of a validated variable (its value or marker) or of a value the evaluator
/// computes fully (a variable's default, tfvars or caller value, a local).
fn validated_value(ctx: &Ctx<'_>, r: &Resolved<'_>, expr: &Expr) -> Option<Json> {
    let ExprKind::Call(call) = &expr.kind else {
        return None;
    };
    match call.args.as_slice() {
        [arg] if call.name == "jsonencode" && !call.expand_final => {
            crate::validated::var_value(ctx, &r.context, r.file, arg).or_else(|| {
                ctx.ev
                    .compute(&r.context, arg)
                    .and_then(|v| crate::validated::value_json(&v))
            })
        }
        _ => None,
    }
}

/// Replaces every placeholder string with its value; a placeholder used as a key is refused.
fn fill(json: &mut Json, values: &[(u32, Json)]) -> Result<(), String> {
    let code = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => values.iter().find(|(k, _)| *k == u32::from(c)),
            _ => None,
        }
    };
    match json {
        Json::String(s) => {
            if let Some((_, v)) = code(s) {
                *json = v.clone();
            }
        }
        Json::Array(items) => {
            for item in items {
                fill(item, values)?;
            }
        }
        Json::Object(map) => {
            if map.keys().any(|k| code(k).is_some()) {
                return Err("an interpolation stands for a key".into());
            }
            for v in map.values_mut() {
                fill(v, values)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The interpolations of the body that are not inside a JSON string: the range of each
/// (`${` to `}`, relative to the body) and its expression. `base` is the body's byte offset in
/// the file.
fn value_interpolations<'e>(
    body: &str,
    base: usize,
    parts: &'e [TemplatePart],
) -> Vec<(Range<usize>, &'e Expr)> {
    let mut slots = Vec::new();
    for part in parts {
        let TemplatePart::Interpolation(e) = part else {
            continue;
        };
        if let Some(at) = interpolation_range(body, base, e) {
            slots.push((at, e));
        }
    }
    let bytes = body.as_bytes();
    let (mut in_string, mut escaped) = (false, false);
    let mut out = Vec::new();
    let mut next = slots.iter().peekable();
    let mut i = 0;
    while i < bytes.len() {
        while next.peek().is_some_and(|(at, _)| at.start < i) {
            next.next();
        }
        if let Some((at, e)) = next.next_if(|(at, _)| at.start == i) {
            if !in_string {
                out.push((at.clone(), *e));
            }
            i = at.end;
            continue;
        }
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        i += 1;
    }
    out
}

/// `${` … `}` around an interpolated expression, relative to the body.
fn interpolation_range(body: &str, base: usize, e: &Expr) -> Option<Range<usize>> {
    let start = e.span.start_byte.checked_sub(base)?;
    let end = e.span.end_byte.checked_sub(base)?;
    let filler = |s: &str, extra: char| {
        s.chars()
            .all(|c| c.is_whitespace() || c == '~' || c == extra)
    };
    let open = body.get(..start)?.rfind("${")?;
    if !filler(body.get(open + 2..start)?, '(') {
        return None;
    }
    let close = end + body.get(end..)?.find('}')?;
    filler(body.get(end..close)?, ')').then_some(open..close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outside(heredoc: &str) -> Vec<String> {
        let expr = redress_iac::parse_expression(heredoc).expect("heredoc");
        let ExprKind::Heredoc(h) = &expr.kind else {
            panic!("not a heredoc: {expr:?}");
        };
        let body = &heredoc[range(&h.body)];
        value_interpolations(body, h.body.start_byte, &h.parts)
            .into_iter()
            .map(|(at, _)| body[at].to_string())
            .collect()
    }

    #[test]
    fn only_interpolations_in_place_of_values_are_read_as_values() {
        let text = "<<EOF\n{\"Principal\": {\"AWS\": \"arn:aws:iam::${local.id}:root\"},\n \"Action\": ${ jsonencode(var.a) },\n \"Sid\": \"a \\\" ${local.b}\",\n \"Resource\": ${jsonencode(var.r)}}\nEOF\n";
        assert_eq!(
            outside(text),
            vec!["${ jsonencode(var.a) }", "${jsonencode(var.r)}"]
        );
        assert!(outside("<<EOF\n{\"a\": \"$${x}\"}\nEOF\n").is_empty());
    }
}

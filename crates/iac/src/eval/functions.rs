//! The pure Terraform functions the evaluator knows. Arguments are already
//! evaluated and known as a whole; their elements may still be unknown
//! ([`Value::Expression`]), which the functions that need them reject as
//! unknown. `try` and `can` are handled by the interpreter.

use crate::model::Value;

use super::interp::{
    Miss, R, as_index, as_number, has_unknown, number, scalar_string, values_equal,
};

/// Calls `name` on `args`: unknown for functions not listed here, an error
/// for wrong arguments.
pub(super) fn call(name: &str, args: Vec<Value>) -> R {
    match (name, args.as_slice()) {
        ("tostring", [v]) => match v {
            Value::String(_) | Value::Null => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(n.clone())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(Miss::Error),
        },
        ("tonumber", [v]) => match v {
            Value::Null => Ok(Value::Null),
            v => number(as_number(v)?),
        },
        ("tobool", [v]) => match v {
            Value::Bool(_) | Value::Null => Ok(v.clone()),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(Miss::Error),
        },
        ("tolist", [Value::List(items)]) => Ok(Value::List(items.clone())),
        ("tomap", [Value::Map(entries)]) => Ok(Value::Map(entries.clone())),
        ("toset", [Value::List(items)]) => to_set(items),
        ("lower", [Value::String(s)]) => Ok(Value::String(s.to_lowercase())),
        ("upper", [Value::String(s)]) => Ok(Value::String(s.to_uppercase())),
        ("title", [Value::String(s)]) => Ok(Value::String(title(s))),
        ("length", [v]) => {
            let n = match v {
                Value::List(items) => items.len(),
                Value::Map(entries) => entries.len(),
                Value::String(s) => s.chars().count(),
                _ => return Err(Miss::Error),
            };
            Ok(Value::Number(n.to_string()))
        }
        ("concat", lists) => {
            let mut out = Vec::new();
            for l in lists {
                let Value::List(items) = l else {
                    return Err(Miss::Error);
                };
                out.extend(items.iter().cloned());
            }
            Ok(Value::List(out))
        }
        ("merge", maps) => {
            let mut out: Vec<(String, Value)> = Vec::new();
            for m in maps {
                match m {
                    Value::Map(entries) => {
                        for (k, v) in entries {
                            match out.iter_mut().find(|(ek, _)| ek == k) {
                                Some(slot) => slot.1 = v.clone(),
                                None => out.push((k.clone(), v.clone())),
                            }
                        }
                    }
                    Value::Null => {}
                    _ => return Err(Miss::Error),
                }
            }
            Ok(Value::Map(out))
        }
        ("keys", [Value::Map(entries)]) => {
            let mut keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
            keys.sort();
            Ok(Value::List(keys.into_iter().map(Value::String).collect()))
        }
        ("values", [Value::Map(entries)]) => {
            let mut sorted = entries.clone();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Value::List(sorted.into_iter().map(|(_, v)| v).collect()))
        }
        ("contains", [Value::List(items), v]) => {
            if has_unknown(v) {
                return Err(Miss::Unknown);
            }
            if items.iter().any(|i| !has_unknown(i) && values_equal(i, v)) {
                Ok(Value::Bool(true))
            } else if items.iter().any(has_unknown) {
                Err(Miss::Unknown)
            } else {
                Ok(Value::Bool(false))
            }
        }
        ("lookup", [Value::Map(entries), key, rest @ ..]) if rest.len() <= 1 => {
            let k = scalar_string(key)?;
            match entries.iter().find(|(ek, _)| *ek == k) {
                Some((_, v)) => Ok(v.clone()),
                None => rest.first().cloned().ok_or(Miss::Error),
            }
        }
        ("element", [Value::List(items), index]) if !items.is_empty() => {
            Ok(items[as_index(index)? % items.len()].clone())
        }
        ("join", [Value::String(sep), Value::List(items)]) => {
            let parts = items
                .iter()
                .map(scalar_string)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::String(parts.join(sep)))
        }
        ("split", [Value::String(sep), Value::String(s)]) if !sep.is_empty() => Ok(Value::List(
            s.split(sep.as_str())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        )),
        ("coalesce", values) => {
            for v in values {
                if has_unknown(v) {
                    return Err(Miss::Unknown);
                }
                if !matches!(v, Value::Null) && v.as_str() != Some("") {
                    return Ok(v.clone());
                }
            }
            Err(Miss::Error)
        }
        ("compact", [Value::List(items)]) => {
            if items.iter().any(has_unknown) {
                return Err(Miss::Unknown);
            }
            Ok(Value::List(
                items
                    .iter()
                    .filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
                    .cloned()
                    .collect(),
            ))
        }
        ("distinct", [Value::List(items)]) => {
            if items.iter().any(has_unknown) {
                return Err(Miss::Unknown);
            }
            let mut out: Vec<Value> = Vec::new();
            for v in items {
                if !out.iter().any(|o| values_equal(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::List(out))
        }
        ("sort", [Value::List(items)]) => {
            let mut strings = items
                .iter()
                .map(scalar_string)
                .collect::<Result<Vec<_>, _>>()?;
            strings.sort();
            Ok(Value::List(
                strings.into_iter().map(Value::String).collect(),
            ))
        }
        ("flatten", [Value::List(items)]) => {
            let mut out = Vec::new();
            flatten(items, &mut out, 0)?;
            Ok(Value::List(out))
        }
        _ => Err(Miss::Unknown),
    }
}

fn flatten(items: &[Value], out: &mut Vec<Value>, depth: usize) -> Result<(), Miss> {
    if depth > 32 {
        return Err(Miss::Unknown);
    }
    for item in items {
        match item {
            Value::List(inner) => flatten(inner, out, depth + 1)?,
            Value::Expression => return Err(Miss::Unknown),
            other => out.push(other.clone()),
        }
    }
    Ok(())
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// A set of strings/numbers/bools: unique, in lexicographic order (Terraform's
/// iteration order for sets of strings); unknown when an element is unknown,
/// an error for sets of other values.
fn to_set(items: &[Value]) -> R {
    let mut strings: Vec<(String, Value)> = Vec::with_capacity(items.len());
    for item in items {
        let key = scalar_string(item)?;
        if !strings.iter().any(|(k, _)| *k == key) {
            strings.push((key, item.clone()));
        }
    }
    strings.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::List(strings.into_iter().map(|(_, v)| v).collect()))
}

//! The pure Terraform functions the evaluator knows. Arguments are already
//! evaluated; an unknown argument makes the call unknown before it gets here.

use crate::model::Value;

/// Calls `name` on `args`; `None` for unknown functions or bad arguments.
pub(super) fn call(name: &str, args: Vec<Value>) -> Option<Value> {
    match (name, args.as_slice()) {
        ("tostring", [v]) => match v {
            Value::String(_) => Some(v.clone()),
            Value::Number(n) => Some(Value::String(n.clone())),
            Value::Bool(b) => Some(Value::String(b.to_string())),
            _ => None,
        },
        ("tonumber", [v]) => match v {
            Value::Number(_) => Some(v.clone()),
            Value::String(s) if s.parse::<f64>().is_ok() => Some(Value::Number(s.clone())),
            _ => None,
        },
        ("tobool", [v]) => match v {
            Value::Bool(_) => Some(v.clone()),
            Value::String(s) if s == "true" || s == "false" => Some(Value::Bool(s == "true")),
            _ => None,
        },
        ("tolist", [Value::List(items)]) => Some(Value::List(items.clone())),
        ("tomap", [Value::Map(entries)]) => Some(Value::Map(entries.clone())),
        ("toset", [Value::List(items)]) => to_set(items.clone()),
        ("lower", [Value::String(s)]) => Some(Value::String(s.to_lowercase())),
        ("upper", [Value::String(s)]) => Some(Value::String(s.to_uppercase())),
        ("length", [v]) => {
            let n = match v {
                Value::List(items) => items.len(),
                Value::Map(entries) => entries.len(),
                Value::String(s) => s.chars().count(),
                _ => return None,
            };
            Some(Value::Number(n.to_string()))
        }
        ("concat", lists) => {
            let mut out = Vec::new();
            for l in lists {
                let Value::List(items) = l else { return None };
                out.extend(items.iter().cloned());
            }
            Some(Value::List(out))
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
                    _ => return None,
                }
            }
            Some(Value::Map(out))
        }
        ("keys", [Value::Map(entries)]) => {
            let mut keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
            keys.sort();
            Some(Value::List(keys.into_iter().map(Value::String).collect()))
        }
        ("values", [Value::Map(entries)]) => {
            let mut sorted = entries.clone();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Some(Value::List(sorted.into_iter().map(|(_, v)| v).collect()))
        }
        ("contains", [Value::List(items), v]) => Some(Value::Bool(items.contains(v))),
        ("lookup", [Value::Map(entries), Value::String(k), rest @ ..]) if rest.len() <= 1 => {
            entries
                .iter()
                .find(|(ek, _)| ek == k)
                .map(|(_, v)| v.clone())
                .or_else(|| rest.first().cloned())
        }
        ("join", [Value::String(sep), Value::List(items)]) => {
            let parts: Option<Vec<String>> = items.iter().map(scalar_string).collect();
            Some(Value::String(parts?.join(sep)))
        }
        ("split", [Value::String(sep), Value::String(s)]) if !sep.is_empty() => Some(Value::List(
            s.split(sep.as_str())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        )),
        ("coalesce", values) => values
            .iter()
            .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .cloned(),
        _ => None,
    }
}

/// A set of strings/numbers: unique, in lexicographic order (Terraform's
/// iteration order for sets of strings); `None` for sets of other values.
fn to_set(items: Vec<Value>) -> Option<Value> {
    let mut strings: Vec<(String, Value)> = Vec::with_capacity(items.len());
    for item in items {
        let key = scalar_string(&item)?;
        if !strings.iter().any(|(k, _)| *k == key) {
            strings.push((key, item));
        }
    }
    strings.sort_by(|a, b| a.0.cmp(&b.0));
    Some(Value::List(strings.into_iter().map(|(_, v)| v).collect()))
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

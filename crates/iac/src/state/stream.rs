//! The serde visitors that stream a state: each instance keeps only its
//! identifying attributes and tags; everything else is skipped unparsed.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{IDENTIFYING_ATTRIBUTES, IndexKey, MAX_VALUE_LEN, ResourceMode, StateInstance};

#[derive(Default)]
pub(super) struct Top {
    pub(super) version: Option<u64>,
    pub(super) terraform_version: Option<String>,
    pub(super) is_plan: bool,
    pub(super) prior_state: bool,
    pub(super) show_values: bool,
    pub(super) instances: Vec<StateInstance>,
}

pub(super) struct TopSeed;

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_map(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Terraform state or plan JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => top.version = Some(map.next_value()?),
                "terraform_version" => top.terraform_version = map.next_value()?,
                "resources" => map.next_value_seed(V4Resources {
                    out: &mut top.instances,
                })?,
                "values" => {
                    top.show_values = true;
                    map.next_value_seed(show_values(&mut top.instances))?;
                }
                "prior_state" => {
                    top.prior_state = true;
                    map.next_value_seed(Under {
                        key: "values",
                        expecting: "a plan's `prior_state` object",
                        inner: show_values(&mut top.instances),
                    })?;
                }
                "planned_values" | "resource_changes" | "resource_drift" | "configuration" => {
                    top.is_plan = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if top.version.is_some() && (top.is_plan || top.show_values) {
            // A `version` key in a plan/show document is not a v4 state marker.
            top.version = None;
        }
        Ok(top)
    }
}

// ---- v4 state -------------------------------------------------------------

struct V4Resources<'a> {
    out: &'a mut Vec<StateInstance>,
}

impl<'de> DeserializeSeed<'de> for V4Resources<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for V4Resources<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the `resources` array of a v4 state")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(res) = seq.next_element::<V4Resource>()? {
            let mode = match res.mode.as_deref() {
                Some("data") => ResourceMode::Data,
                _ => ResourceMode::Managed,
            };
            let module = res.module.unwrap_or_default();
            let base = resource_address(&module, mode, &res.resource_type, &res.name);
            for inst in res.instances {
                let address = match &inst.index_key {
                    Some(k) => format!("{base}{k}"),
                    None => base.clone(),
                };
                self.out.push(StateInstance {
                    address,
                    module: module.clone(),
                    mode,
                    resource_type: res.resource_type.clone(),
                    name: res.name.clone(),
                    index_key: inst.index_key,
                    provider: res.provider.clone().unwrap_or_default(),
                    attributes: inst.attributes.attributes,
                    tags: inst.attributes.tags,
                });
            }
        }
        Ok(())
    }
}

fn resource_address(module: &str, mode: ResourceMode, ty: &str, name: &str) -> String {
    let data = if mode == ResourceMode::Data {
        "data."
    } else {
        ""
    };
    if module.is_empty() {
        format!("{data}{ty}.{name}")
    } else {
        format!("{module}.{data}{ty}.{name}")
    }
}

#[derive(Deserialize)]
struct V4Resource {
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(rename = "type")]
    resource_type: String,
    name: String,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    instances: Vec<V4Instance>,
}

#[derive(Deserialize)]
struct V4Instance {
    #[serde(default)]
    index_key: Option<IndexKey>,
    #[serde(default, alias = "attributes_flat")]
    attributes: Identifying,
}

// ---- show -json -----------------------------------------------------------

/// Streams the value under one key of an object into `inner`; every other key is skipped
/// without being built.
struct Under<S> {
    key: &'static str,
    expecting: &'static str,
    inner: S,
}

impl<'de, S: DeserializeSeed<'de, Value = ()>> DeserializeSeed<'de> for Under<S> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de, Value = ()>> Visitor<'de> for Under<S> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut inner = Some(self.inner);
        while let Some(key) = map.next_key::<String>()? {
            match inner.take() {
                Some(seed) if key == self.key => map.next_value_seed(seed)?,
                other => {
                    inner = other;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `show -json`'s `values` object: its `root_module`, recursively.
fn show_values(out: &mut Vec<StateInstance>) -> Under<ShowModule<'_>> {
    Under {
        key: "root_module",
        expecting: "a `values` object with `root_module`",
        inner: ShowModule { out },
    }
}

struct ShowModule<'a> {
    out: &'a mut Vec<StateInstance>,
}

impl<'de> DeserializeSeed<'de> for ShowModule<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ShowModule<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a module object with `resources` / `child_modules`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resources" => {
                    for r in map.next_value::<Vec<ShowResource>>()? {
                        let mode = if r.mode.as_deref() == Some("data") {
                            ResourceMode::Data
                        } else {
                            ResourceMode::Managed
                        };
                        let base = resource_address("", mode, &r.resource_type, &r.name);
                        let module = r
                            .address
                            .strip_suffix(base.as_str())
                            .map(|m| m.trim_end_matches('.').to_owned())
                            .unwrap_or_default();
                        let module = strip_trailing_key(&module, &r.address, &base);
                        self.out.push(StateInstance {
                            address: r.address,
                            module,
                            mode,
                            resource_type: r.resource_type,
                            name: r.name,
                            index_key: r.index,
                            provider: r.provider_name.unwrap_or_default(),
                            attributes: r.values.attributes,
                            tags: r.values.tags,
                        });
                    }
                }
                "child_modules" => map.next_value_seed(ShowChildren {
                    out: &mut *self.out,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The module part of a show-json address: everything before `type.name`
/// (the address may end with an index key, so strip it first).
fn strip_trailing_key(found: &str, address: &str, base: &str) -> String {
    if !found.is_empty() || address == base {
        return found.to_owned();
    }
    let Some(pos) = address.rfind(base) else {
        return String::new();
    };
    address[..pos].trim_end_matches('.').to_owned()
}

struct ShowChildren<'a> {
    out: &'a mut Vec<StateInstance>,
}

impl<'de> DeserializeSeed<'de> for ShowChildren<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ShowChildren<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a `child_modules` array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ShowModule {
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[derive(Deserialize)]
struct ShowResource {
    address: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(rename = "type")]
    resource_type: String,
    name: String,
    #[serde(default)]
    index: Option<IndexKey>,
    #[serde(default)]
    provider_name: Option<String>,
    #[serde(default)]
    values: Identifying,
}

// ---- attribute filter -----------------------------------------------------

/// The identifying attributes and tags of one instance; everything else is skipped.
#[derive(Default)]
struct Identifying {
    attributes: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
}

impl<'de> Deserialize<'de> for Identifying {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(IdentifyingVisitor)
    }
}

struct IdentifyingVisitor;

impl<'de> Visitor<'de> for IdentifyingVisitor {
    type Value = Identifying;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attributes object")
    }
    fn visit_none<E: de::Error>(self) -> Result<Identifying, E> {
        Ok(Identifying::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Identifying, E> {
        Ok(Identifying::default())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Identifying, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Identifying, A::Error> {
        let mut out = Identifying::default();
        let mut tags_all = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if IDENTIFYING_ATTRIBUTES.contains(&key.as_str()) {
                if let Some(v) = scalar(map.next_value::<serde_json::Value>()?) {
                    out.attributes.insert(key, v);
                }
            } else if key == "tags" || key == "tags_all" {
                let target = if key == "tags" {
                    &mut out.tags
                } else {
                    &mut tags_all
                };
                let v = map.next_value::<Option<BTreeMap<String, serde_json::Value>>>()?;
                for (k, v) in v.unwrap_or_default() {
                    if let Some(v) = scalar(v) {
                        target.insert(k, v);
                    }
                }
            } else if let Some(tag) = key.strip_prefix("tags.").filter(|t| *t != "%") {
                // attributes_flat of old states: `tags.Name = "x"`.
                let tag = tag.to_owned();
                if let Some(v) = scalar(map.next_value::<serde_json::Value>()?) {
                    out.tags.insert(tag, v);
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        for (k, v) in tags_all {
            out.tags.entry(k).or_insert(v);
        }
        Ok(out)
    }
}

fn scalar(v: serde_json::Value) -> Option<String> {
    let s = match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty() && s.len() <= MAX_VALUE_LEN).then_some(s)
}

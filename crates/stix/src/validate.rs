//! The MUST rules of STIX 2.1 that a receiver checks before it keeps an object: names, ids,
//! timestamps, required properties, ranges and references, each fault named by object and
//! property; an indicator's STIX pattern is parsed and checked ([`crate::pattern`]).

use crate::id::{Identifier, RESERVED_PROPERTIES, check_property_name, check_type_name};
use crate::observable::is_observable;
use crate::timestamp::Timestamp;
use serde_json::{Map, Value};

/// One fault: which object (its id, or its place in the bundle), which property, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The object's id as given, or `objects[3]` when it has none.
    pub object: String,
    /// The property at fault (empty for the object as a whole).
    pub property: String,
    /// What is wrong, in English.
    pub message: String,
}

impl Problem {
    /// A fault of this object and property.
    pub fn new(object: &str, property: &str, message: &str) -> Problem {
        Problem {
            object: object.to_string(),
            property: property.to_string(),
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.property.is_empty() {
            write!(f, "{}: {}", self.object, self.message)
        } else {
            write!(f, "{}.{}: {}", self.object, self.property, self.message)
        }
    }
}

/// The properties whose values are timestamps.
const TIMESTAMPS: [&str; 13] = [
    "created",
    "modified",
    "valid_from",
    "valid_until",
    "published",
    "first_seen",
    "last_seen",
    "first_observed",
    "last_observed",
    "start_time",
    "stop_time",
    "start",
    "end",
];

/// The required properties of each type, beyond the common ones.
const REQUIRED: [(&str, &[&str]); 13] = [
    ("indicator", &["pattern", "pattern_type", "valid_from"]),
    (
        "observed-data",
        &["first_observed", "last_observed", "number_observed"],
    ),
    ("malware", &["is_family"]),
    ("attack-pattern", &["name"]),
    ("vulnerability", &["name"]),
    ("identity", &["name"]),
    ("report", &["name", "published", "object_refs"]),
    ("note", &["content", "object_refs"]),
    (
        "relationship",
        &["relationship_type", "source_ref", "target_ref"],
    ),
    ("sighting", &["sighting_of_ref"]),
    ("ipv4-addr", &["value"]),
    ("ipv6-addr", &["value"]),
    ("domain-name", &["value"]),
];

/// Collects the faults of one object.
struct Check<'a> {
    object: String,
    map: &'a Map<String, Value>,
    out: Vec<Problem>,
}

impl Check<'_> {
    fn fault(&mut self, property: &str, message: &str) {
        self.out.push(Problem::new(&self.object, property, message));
    }

    fn get(&self, property: &str) -> Option<&Value> {
        self.map.get(property)
    }

    fn require(&mut self, property: &str) {
        if self.get(property).is_none() {
            self.fault(property, "is required");
        }
    }

    fn string(&mut self, property: &str) {
        if self.get(property).is_some_and(|v| !v.is_string()) {
            self.fault(property, "must be a string");
        }
    }

    fn timestamp(&mut self, property: &str) -> Option<Timestamp> {
        let v = self.get(property)?;
        match v.as_str().map(Timestamp::parse) {
            Some(Ok(t)) => Some(t),
            _ => {
                self.fault(property, "must be a timestamp YYYY-MM-DDTHH:MM:SS[.s+]Z");
                None
            }
        }
    }

    fn integer_in(&mut self, property: &str, low: u64, high: u64) {
        if let Some(v) = self.get(property)
            && !v.as_u64().is_some_and(|n| (low..=high).contains(&n))
        {
            self.fault(
                property,
                &format!("must be an integer from {low} to {high}"),
            );
        }
    }

    fn boolean(&mut self, property: &str) {
        if self.get(property).is_some_and(|v| !v.is_boolean()) {
            self.fault(property, "must be true or false");
        }
    }

    /// A reference: an identifier, of one of these types when any are named.
    fn reference(&mut self, property: &str, value: &Value, types: &[&str]) {
        match value.as_str().map(Identifier::parse) {
            Some(Ok(id)) if types.is_empty() || types.contains(&id.object_type()) => {}
            Some(Ok(id)) => self.fault(
                property,
                &format!(
                    "must refer to {}, not {}",
                    types.join(" or "),
                    id.object_type()
                ),
            ),
            Some(Err(e)) => self.fault(property, &format!("must be an identifier: {e}")),
            None => self.fault(property, "must be an identifier string"),
        }
    }

    /// A non-empty list of references.
    fn references(&mut self, property: &str, types: &[&str]) {
        let Some(v) = self.get(property).cloned() else {
            return;
        };
        match v.as_array() {
            Some(items) if !items.is_empty() => {
                for item in items {
                    self.reference(property, item, types);
                }
            }
            _ => self.fault(property, "must be a non-empty list of identifiers"),
        }
    }

    /// `later` is not before `earlier`.
    fn ordered(&mut self, earlier: &str, later: &str, strictly: bool) {
        let (Some(a), Some(b)) = (
            self.get(earlier)
                .and_then(Value::as_str)
                .and_then(|s| Timestamp::parse(s).ok()),
            self.get(later)
                .and_then(Value::as_str)
                .and_then(|s| Timestamp::parse(s).ok()),
        ) else {
            return;
        };
        if b < a || (strictly && b == a) {
            let relation = if strictly { "after" } else { "at or after" };
            self.fault(later, &format!("must be {relation} {earlier}"));
        }
    }
}

/// The faults of one object; `place` names it when it has no usable id (`objects[3]`).
pub fn validate_object(value: &Value, place: &str) -> Vec<Problem> {
    let Some(map) = value.as_object() else {
        return vec![Problem::new(place, "", "must be a JSON object")];
    };
    let object = map
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(place)
        .to_string();
    let mut c = Check {
        object,
        map,
        out: Vec::new(),
    };
    let kind = match map.get("type").and_then(Value::as_str) {
        Some(t) => t.to_string(),
        None => {
            c.fault("type", "is required and must be a string");
            return c.out;
        }
    };
    if let Err(e) = check_type_name(&kind) {
        c.fault("type", &e.to_string());
    }
    match map.get("id").and_then(Value::as_str).map(Identifier::parse) {
        None => c.fault("id", "is required and must be a string"),
        Some(Err(e)) => c.fault("id", &e.to_string()),
        Some(Ok(id)) if id.object_type() != kind => {
            c.fault("id", &format!("must start with its type {kind}--"));
        }
        Some(Ok(_)) => {}
    }
    for name in map.keys() {
        if let Err(e) = check_property_name(name)
            && name != "type"
        {
            c.fault(name, &format!("property name {e}"));
        }
        if RESERVED_PROPERTIES.contains(&name.as_str()) {
            c.fault(name, "is a reserved property name");
        }
    }
    let observable = is_observable(&kind);
    match map.get("spec_version") {
        None if !observable => c.fault("spec_version", "is required (2.1)"),
        Some(v) if v != "2.1" => c.fault("spec_version", "must be 2.1"),
        _ => {}
    }
    if !observable {
        c.require("created");
        if kind != "marking-definition" {
            c.require("modified");
        }
        // "MUST be precise to the nearest millisecond".
        for p in ["created", "modified"] {
            if let Some(t) = c.timestamp(p)
                && t.fraction_digits() < 3
            {
                c.fault(p, "must be given to the millisecond (.sssZ)");
            }
        }
        c.ordered("created", "modified", false);
    }
    for p in TIMESTAMPS {
        if p != "created" && p != "modified" {
            c.timestamp(p);
        }
    }
    if let Some((_, required)) = REQUIRED.iter().find(|(t, _)| *t == kind) {
        for p in required.iter() {
            c.require(p);
        }
    }
    common_rules(&mut c);
    type_rules(&mut c, &kind);
    reference_rules(&mut c);
    c.out
}

fn common_rules(c: &mut Check<'_>) {
    c.boolean("revoked");
    c.boolean("defanged");
    c.integer_in("confidence", 0, 100);
    c.string("lang");
    if let Some(v) = c.get("created_by_ref").cloned() {
        c.reference("created_by_ref", &v, &["identity"]);
    }
    c.references("object_marking_refs", &["marking-definition"]);
    if let Some(v) = c.get("labels")
        && !v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
    {
        c.fault("labels", "must be a list of strings");
    }
    if let Some(v) = c.get("external_references").cloned() {
        let ok = v.as_array().is_some_and(|a| {
            a.iter()
                .all(|r| r.get("source_name").is_some_and(Value::is_string))
        });
        if !ok {
            c.fault(
                "external_references",
                "must be a list of objects each with a source_name",
            );
        }
    }
    if let Some(v) = c.get("granular_markings").cloned() {
        let ok = v.as_array().is_some_and(|a| {
            a.iter().all(|g| {
                g.get("selectors")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty())
                    && (g.get("marking_ref").is_some() != g.get("lang").is_some())
            })
        });
        if !ok {
            c.fault(
                "granular_markings",
                "each needs selectors and either marking_ref or lang",
            );
        }
    }
}

fn type_rules(c: &mut Check<'_>, kind: &str) {
    match kind {
        "indicator" => {
            c.string("pattern");
            c.string("pattern_type");
            if c.get("pattern_type").and_then(Value::as_str) == Some("stix")
                && let Some(Err(e)) = c
                    .get("pattern")
                    .and_then(Value::as_str)
                    .map(crate::pattern::Pattern::parse)
            {
                c.fault("pattern", &format!("is not a valid STIX pattern: {e}"));
            }
            c.ordered("valid_from", "valid_until", true);
        }
        "malware" => {
            c.boolean("is_family");
            if c.get("is_family") == Some(&Value::Bool(true)) {
                c.require("name");
            }
        }
        "report" => c.references("object_refs", &[]),
        "note" => {
            c.string("content");
            c.references("object_refs", &[]);
        }
        "observed-data" => {
            c.integer_in("number_observed", 1, 999_999_999);
            c.ordered("first_observed", "last_observed", false);
            if c.get("object_refs").is_none() && c.get("objects").is_none() {
                c.fault("object_refs", "is required");
            }
            c.references("object_refs", &[]);
        }
        "sighting" => {
            c.integer_in("count", 0, 999_999_999);
            c.ordered("first_seen", "last_seen", false);
            if let Some(v) = c.get("sighting_of_ref").cloned()
                && v.as_str().is_some_and(|s| {
                    Identifier::parse(s).is_ok_and(|id| is_observable(id.object_type()))
                })
            {
                c.fault("sighting_of_ref", "must refer to an SDO, not an observable");
            }
            c.references("observed_data_refs", &["observed-data"]);
            c.references("where_sighted_refs", &["identity", "location"]);
        }
        "relationship" => {
            c.string("relationship_type");
            c.ordered("start_time", "stop_time", true);
        }
        "marking-definition" => {
            let defined = c.get("definition_type").is_some() && c.get("definition").is_some();
            if !defined && c.get("extensions").is_none() {
                c.fault(
                    "definition",
                    "needs definition_type and definition, or extensions",
                );
            }
        }
        "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr" => {
            c.require("value");
            c.string("value");
        }
        "file" => {
            if c.get("hashes").is_none() && c.get("name").is_none() {
                c.fault("hashes", "a file needs hashes or a name");
            }
            if let Some(h) = c.get("hashes")
                && !h
                    .as_object()
                    .is_some_and(|m| !m.is_empty() && m.values().all(Value::is_string))
            {
                c.fault("hashes", "must map algorithm names to hash strings");
            }
        }
        "network-traffic" => {
            c.require("protocols");
            if let Some(p) = c.get("protocols")
                && !p
                    .as_array()
                    .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string))
            {
                c.fault("protocols", "must be a non-empty list of strings");
            }
            if c.get("src_ref").is_none() && c.get("dst_ref").is_none() {
                c.fault("src_ref", "network traffic needs src_ref or dst_ref");
            }
            c.integer_in("src_port", 0, 65_535);
            c.integer_in("dst_port", 0, 65_535);
            c.ordered("start", "end", false);
        }
        _ => {}
    }
}

/// Every `…_ref` is an identifier and every `…_refs` a non-empty list of them (§3.1).
fn reference_rules(c: &mut Check<'_>) {
    let names: Vec<String> = c.map.keys().cloned().collect();
    for name in names {
        if matches!(
            name.as_str(),
            "created_by_ref" | "object_marking_refs" | "observed_data_refs" | "where_sighted_refs"
        ) {
            continue;
        }
        if name.ends_with("_ref") {
            if let Some(v) = c.get(&name).cloned() {
                c.reference(&name, &v, &[]);
            }
        } else if name.ends_with("_refs") && name != "object_refs" {
            c.references(&name, &[]);
        }
    }
}

/// The faults of a bundle and of every object in it.
pub fn validate_bundle(value: &Value) -> Vec<Problem> {
    let Some(map) = value.as_object() else {
        return vec![Problem::new("bundle", "", "must be a JSON object")];
    };
    let name = map
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("bundle")
        .to_string();
    let mut out = Vec::new();
    if map.get("type").and_then(Value::as_str) != Some("bundle") {
        out.push(Problem::new(&name, "type", "must be bundle"));
    }
    match map.get("id").and_then(Value::as_str).map(Identifier::parse) {
        Some(Ok(id)) if id.object_type() == "bundle" => {}
        _ => out.push(Problem::new(&name, "id", "must be bundle--<UUID>")),
    }
    match map.get("objects") {
        None => {}
        Some(Value::Array(objects)) => {
            for (i, o) in objects.iter().enumerate() {
                out.extend(validate_object(o, &format!("objects[{i}]")));
            }
        }
        Some(_) => out.push(Problem::new(&name, "objects", "must be a list")),
    }
    out
}

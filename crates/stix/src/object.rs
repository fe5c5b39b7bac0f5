//! Typed STIX 2.1 objects. Every property is kept as given, the required ones included (as
//! `Option`), so that what a member's tool sent is passed on as it was sent; whether it holds to
//! the specification is the validator's question ([`crate::validate`]). Properties the types do
//! not name land in `extra` and are written back unchanged; objects of other types stay JSON.

use crate::id::Identifier;
use crate::timestamp::Timestamp;
use crate::validate::{Problem, validate_bundle};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The common properties of SDOs, SROs and marking definitions (STIX 2.1 §3.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: String,
    /// Its identifier.
    pub id: Identifier,
    /// `2.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// When this object was first made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// When this version was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<Timestamp>,
    /// The identity that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_ref: Option<Identifier>,
    /// Whether it is withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Free labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// How sure the maker is, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    /// The language of its text (RFC 5646).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// References to outside sources (CVE entries, reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<Value>>,
    /// The markings of the whole object (TLP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_marking_refs: Option<Vec<Identifier>>,
    /// Markings of parts of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granular_markings: Option<Vec<Value>>,
    /// Extensions, by extension id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, Value>>,
}

/// The common properties of cyber-observables (STIX 2.1 §3.2, SCO column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservableCommon {
    /// The object's type.
    #[serde(rename = "type")]
    pub object_type: String,
    /// Its identifier (deterministic, see [`crate::observable`]).
    pub id: Identifier,
    /// `2.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    /// The markings of the whole object (TLP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_marking_refs: Option<Vec<Identifier>>,
    /// Markings of parts of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granular_markings: Option<Vec<Value>>,
    /// Whether values were defanged (`hxxp://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defanged: Option<bool>,
    /// Extensions, by extension id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, Value>>,
}

/// Declares a typed object: its common part, its own properties (kept as given) and the rest.
macro_rules! stix_object {
    ($(#[$m:meta])* $name:ident: $common:ty { $($(#[$fm:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            /// The common properties.
            #[serde(flatten)]
            pub common: $common,
            $(
                $(#[$fm])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Properties this type does not name (custom `x_…` ones among them), unchanged.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }
    };
}

stix_object!(
    /// An indicator: a pattern of what to look for and when it holds.
    Indicator: Common {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Open vocabulary (`malicious-activity`, …).
        indicator_types: Vec<String>,
        /// The pattern, in the language `pattern_type` names.
        pattern: String,
        /// `stix`, `snort`, `yara`, …
        pattern_type: String,
        /// The pattern language's version.
        pattern_version: String,
        /// From when it holds.
        valid_from: Timestamp,
        /// Until when it holds.
        valid_until: Timestamp,
        /// Kill chain phases.
        kill_chain_phases: Vec<Value>,
    }
);

stix_object!(
    /// Observed data: what was seen, how often, between when.
    ObservedData: Common {
        /// First seen.
        first_observed: Timestamp,
        /// Last seen.
        last_observed: Timestamp,
        /// How many times.
        number_observed: u64,
        /// The observables seen.
        object_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// Malware, a family or one instance.
    Malware: Common {
        /// Name (required for a family).
        name: String,
        /// Description.
        description: String,
        /// Open vocabulary (`ransomware`, …).
        malware_types: Vec<String>,
        /// A family rather than one sample.
        is_family: bool,
        /// Other names.
        aliases: Vec<String>,
    }
);

stix_object!(
    /// An attack pattern (ATT&CK technique and the like).
    AttackPattern: Common {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Other names.
        aliases: Vec<String>,
    }
);

stix_object!(
    /// A vulnerability (a CVE).
    Vulnerability: Common {
        /// Name (the CVE id).
        name: String,
        /// Description.
        description: String,
    }
);

stix_object!(
    /// A report: a story with the objects it is about.
    Report: Common {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Open vocabulary.
        report_types: Vec<String>,
        /// When published.
        published: Timestamp,
        /// What it is about.
        object_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// A note on other objects.
    Note: Common {
        /// Summary.
        #[serde(rename = "abstract")]
        summary: String,
        /// The text.
        content: String,
        /// Its authors.
        authors: Vec<String>,
        /// What it is about.
        object_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// An identity: an organisation, a person, a sector.
    Identity: Common {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Open vocabulary.
        roles: Vec<String>,
        /// `organization`, `individual`, …
        identity_class: String,
        /// Sectors (`healthcare`).
        sectors: Vec<String>,
        /// How to reach it.
        contact_information: String,
    }
);

stix_object!(
    /// A sighting: someone saw this (an indicator, malware …).
    Sighting: Common {
        /// Description.
        description: String,
        /// First seen.
        first_seen: Timestamp,
        /// Last seen.
        last_seen: Timestamp,
        /// How many times.
        count: u64,
        /// What was seen.
        sighting_of_ref: Identifier,
        /// The observed data that shows it.
        observed_data_refs: Vec<Identifier>,
        /// Who saw it.
        where_sighted_refs: Vec<Identifier>,
        /// Whether it was a test.
        summary: bool,
    }
);

stix_object!(
    /// A relationship between two objects.
    Relationship: Common {
        /// `indicates`, `uses`, …
        relationship_type: String,
        /// Description.
        description: String,
        /// From.
        source_ref: Identifier,
        /// To.
        target_ref: Identifier,
        /// From when.
        start_time: Timestamp,
        /// Until when.
        stop_time: Timestamp,
    }
);

stix_object!(
    /// A marking definition (TLP and statements).
    MarkingDefinition: Common {
        /// Name.
        name: String,
        /// `statement` or `tlp` (STIX 2.1's TLP 1.0 form).
        definition_type: String,
        /// The definition.
        definition: Value,
    }
);

stix_object!(
    /// An IPv4 address or CIDR block.
    Ipv4Addr: ObservableCommon {
        /// The address.
        value: String,
        /// MAC addresses it resolves to.
        resolves_to_refs: Vec<Identifier>,
        /// Autonomous systems it belongs to.
        belongs_to_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// An IPv6 address or CIDR block.
    Ipv6Addr: ObservableCommon {
        /// The address.
        value: String,
        /// MAC addresses it resolves to.
        resolves_to_refs: Vec<Identifier>,
        /// Autonomous systems it belongs to.
        belongs_to_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// A domain name.
    DomainName: ObservableCommon {
        /// The name.
        value: String,
        /// What it resolves to.
        resolves_to_refs: Vec<Identifier>,
    }
);

stix_object!(
    /// A URL.
    Url: ObservableCommon {
        /// The URL.
        value: String,
    }
);

stix_object!(
    /// An e-mail address.
    EmailAddr: ObservableCommon {
        /// The address.
        value: String,
        /// The name shown with it.
        display_name: String,
        /// The account behind it.
        belongs_to_ref: Identifier,
    }
);

stix_object!(
    /// A file, by its hashes and name.
    File: ObservableCommon {
        /// Hashes by algorithm (`SHA-256`).
        hashes: Map<String, Value>,
        /// Size in bytes.
        size: u64,
        /// Name.
        name: String,
        /// The directory it is in.
        parent_directory_ref: Identifier,
    }
);

stix_object!(
    /// Network traffic between two ends.
    NetworkTraffic: ObservableCommon {
        /// Began.
        start: Timestamp,
        /// Ended.
        end: Timestamp,
        /// Still going.
        is_active: bool,
        /// Source address.
        src_ref: Identifier,
        /// Destination address.
        dst_ref: Identifier,
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Protocols, outermost first (`ipv4`, `tcp`).
        protocols: Vec<String>,
    }
);

/// A STIX object: typed when its type is one of these, else the JSON as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `indicator`.
    Indicator(Box<Indicator>),
    /// `observed-data`.
    ObservedData(Box<ObservedData>),
    /// `malware`.
    Malware(Box<Malware>),
    /// `attack-pattern`.
    AttackPattern(Box<AttackPattern>),
    /// `vulnerability`.
    Vulnerability(Box<Vulnerability>),
    /// `report`.
    Report(Box<Report>),
    /// `note`.
    Note(Box<Note>),
    /// `identity`.
    Identity(Box<Identity>),
    /// `sighting`.
    Sighting(Box<Sighting>),
    /// `relationship`.
    Relationship(Box<Relationship>),
    /// `marking-definition`.
    MarkingDefinition(Box<MarkingDefinition>),
    /// `ipv4-addr`.
    Ipv4Addr(Box<Ipv4Addr>),
    /// `ipv6-addr`.
    Ipv6Addr(Box<Ipv6Addr>),
    /// `domain-name`.
    DomainName(Box<DomainName>),
    /// `url`.
    Url(Box<Url>),
    /// `email-addr`.
    EmailAddr(Box<EmailAddr>),
    /// `file`.
    File(Box<File>),
    /// `network-traffic`.
    NetworkTraffic(Box<NetworkTraffic>),
    /// Any other type, kept as read.
    Other(Map<String, Value>),
}

/// Reads a typed object from its JSON, or says which property could not be read.
fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<Box<T>, String> {
    serde_json::from_value(v)
        .map(Box::new)
        .map_err(|e| e.to_string())
}

impl Object {
    /// The object of this JSON. The JSON should have passed [`crate::validate_object`]; what
    /// still cannot be read is said in the error.
    pub fn from_value(v: Value) -> Result<Object, String> {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(match kind.as_str() {
            "indicator" => Object::Indicator(typed(v)?),
            "observed-data" => Object::ObservedData(typed(v)?),
            "malware" => Object::Malware(typed(v)?),
            "attack-pattern" => Object::AttackPattern(typed(v)?),
            "vulnerability" => Object::Vulnerability(typed(v)?),
            "report" => Object::Report(typed(v)?),
            "note" => Object::Note(typed(v)?),
            "identity" => Object::Identity(typed(v)?),
            "sighting" => Object::Sighting(typed(v)?),
            "relationship" => Object::Relationship(typed(v)?),
            "marking-definition" => Object::MarkingDefinition(typed(v)?),
            "ipv4-addr" => Object::Ipv4Addr(typed(v)?),
            "ipv6-addr" => Object::Ipv6Addr(typed(v)?),
            "domain-name" => Object::DomainName(typed(v)?),
            "url" => Object::Url(typed(v)?),
            "email-addr" => Object::EmailAddr(typed(v)?),
            "file" => Object::File(typed(v)?),
            "network-traffic" => Object::NetworkTraffic(typed(v)?),
            _ => match v {
                Value::Object(m) => Object::Other(m),
                _ => return Err("an object must be a JSON object".into()),
            },
        })
    }

    /// The object as JSON.
    pub fn to_value(&self) -> Value {
        let v = match self {
            Object::Indicator(o) => serde_json::to_value(o),
            Object::ObservedData(o) => serde_json::to_value(o),
            Object::Malware(o) => serde_json::to_value(o),
            Object::AttackPattern(o) => serde_json::to_value(o),
            Object::Vulnerability(o) => serde_json::to_value(o),
            Object::Report(o) => serde_json::to_value(o),
            Object::Note(o) => serde_json::to_value(o),
            Object::Identity(o) => serde_json::to_value(o),
            Object::Sighting(o) => serde_json::to_value(o),
            Object::Relationship(o) => serde_json::to_value(o),
            Object::MarkingDefinition(o) => serde_json::to_value(o),
            Object::Ipv4Addr(o) => serde_json::to_value(o),
            Object::Ipv6Addr(o) => serde_json::to_value(o),
            Object::DomainName(o) => serde_json::to_value(o),
            Object::Url(o) => serde_json::to_value(o),
            Object::EmailAddr(o) => serde_json::to_value(o),
            Object::File(o) => serde_json::to_value(o),
            Object::NetworkTraffic(o) => serde_json::to_value(o),
            Object::Other(m) => return Value::Object(m.clone()),
        };
        // Our own types always serialise; a failure would be a bug, shown rather than hidden.
        v.unwrap_or_else(|e| Value::String(format!("unserialisable: {e}")))
    }

    /// The object's type.
    pub fn object_type(&self) -> &str {
        match self {
            Object::Indicator(_) => "indicator",
            Object::ObservedData(_) => "observed-data",
            Object::Malware(_) => "malware",
            Object::AttackPattern(_) => "attack-pattern",
            Object::Vulnerability(_) => "vulnerability",
            Object::Report(_) => "report",
            Object::Note(_) => "note",
            Object::Identity(_) => "identity",
            Object::Sighting(_) => "sighting",
            Object::Relationship(_) => "relationship",
            Object::MarkingDefinition(_) => "marking-definition",
            Object::Ipv4Addr(_) => "ipv4-addr",
            Object::Ipv6Addr(_) => "ipv6-addr",
            Object::DomainName(_) => "domain-name",
            Object::Url(_) => "url",
            Object::EmailAddr(_) => "email-addr",
            Object::File(_) => "file",
            Object::NetworkTraffic(_) => "network-traffic",
            Object::Other(m) => m.get("type").and_then(Value::as_str).unwrap_or_default(),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Object::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A bundle: objects sent together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// `bundle`.
    #[serde(rename = "type")]
    pub object_type: String,
    /// Its identifier.
    pub id: Identifier,
    /// The objects.
    #[serde(default)]
    pub objects: Vec<Object>,
    /// Anything else it carries, unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Bundle {
    /// A new bundle of these objects.
    pub fn new(objects: Vec<Object>) -> Bundle {
        Bundle {
            object_type: "bundle".into(),
            id: Identifier::known("bundle", uuid::Uuid::new_v4()),
            objects,
            extra: Map::new(),
        }
    }

    /// Reads and validates a bundle: every problem of every object, or the bundle.
    pub fn parse(text: &str) -> Result<Bundle, Vec<Problem>> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| vec![Problem::new("bundle", "", &format!("not JSON: {e}"))])?;
        let problems = validate_bundle(&v);
        if !problems.is_empty() {
            return Err(problems);
        }
        serde_json::from_value(v).map_err(|e| vec![Problem::new("bundle", "", &e.to_string())])
    }
}

//! Deterministic identifiers of cyber-observables (STIX 2.1 §2.9): a UUIDv5 in the STIX namespace
//! over the canonical JSON of the type's ID-contributing properties, so that two members who saw
//! the same address name it with the same id.

use crate::canonical::canonical;
use crate::id::Identifier;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The namespace of the deterministic ids (STIX 2.1 §2.9).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x00abedb4_aa42_466c_9c01_fed23315a9b7);

/// The cyber-observable types of STIX 2.1 with the properties their id is made from.
pub const ID_CONTRIBUTING: [(&str, &[&str]); 18] = [
    ("artifact", &["hashes", "payload_bin"]),
    ("autonomous-system", &["number"]),
    ("directory", &["path"]),
    ("domain-name", &["value"]),
    ("email-addr", &["value"]),
    ("email-message", &["from_ref", "subject", "body"]),
    (
        "file",
        &["hashes", "name", "parent_directory_ref", "extensions"],
    ),
    ("ipv4-addr", &["value"]),
    ("ipv6-addr", &["value"]),
    ("mac-addr", &["value"]),
    ("mutex", &["name"]),
    (
        "network-traffic",
        &[
            "start",
            "end",
            "src_ref",
            "dst_ref",
            "src_port",
            "dst_port",
            "protocols",
            "extensions",
        ],
    ),
    ("process", &[]),
    ("software", &["name", "cpe", "swid", "vendor", "version"]),
    ("url", &["value"]),
    (
        "user-account",
        &["account_type", "user_id", "account_login"],
    ),
    ("windows-registry-key", &["key", "values"]),
    ("x509-certificate", &["hashes", "serial_number"]),
];

/// Whether a type is one of STIX 2.1's cyber-observables.
pub fn is_observable(object_type: &str) -> bool {
    ID_CONTRIBUTING.iter().any(|(t, _)| *t == object_type)
}

/// The hash an id is made from when several are given: the first of MD5, SHA-1, SHA-256,
/// SHA-512, else the first listed (the order of the OASIS reference library).
fn one_hash(hashes: &Map<String, Value>) -> Option<Map<String, Value>> {
    let key = ["MD5", "SHA-1", "SHA-256", "SHA-512"]
        .into_iter()
        .find(|k| hashes.contains_key(*k))
        .map(str::to_string)
        .or_else(|| hashes.keys().next().cloned())?;
    let value = hashes.get(&key)?.clone();
    Some([(key, value)].into_iter().collect())
}

/// The deterministic id of a cyber-observable with these properties; none for a type that is
/// not an observable, or that has none of its ID-contributing properties (then a random id is
/// the spec's answer, as it always is for `process`).
pub fn deterministic_id(object_type: &str, properties: &Map<String, Value>) -> Option<Identifier> {
    let (_, contributing) = ID_CONTRIBUTING.iter().find(|(t, _)| *t == object_type)?;
    let mut name = Map::new();
    for key in contributing.iter() {
        let Some(value) = properties.get(*key) else {
            continue;
        };
        let value = match (*key, value) {
            ("hashes", Value::Object(h)) => Value::Object(one_hash(h)?),
            _ => value.clone(),
        };
        name.insert((*key).to_string(), value);
    }
    if name.is_empty() {
        return None;
    }
    let uuid = Uuid::new_v5(&NAMESPACE, canonical(&Value::Object(name)).as_bytes());
    Identifier::new(object_type, uuid).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(t: &str, props: Value) -> String {
        let Value::Object(m) = props else {
            return String::new();
        };
        deterministic_id(t, &m)
            .map(|i| i.to_string())
            .unwrap_or_default()
    }

    /// The ids the OASIS `stix2` library (3.0) gives the same observables.
    #[test]
    fn the_ids_are_those_the_reference_library_gives() {
        assert_eq!(
            id("ipv4-addr", json!({"value": "198.51.100.3"})),
            "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"
        );
        assert_eq!(
            id("ipv6-addr", json!({"value": "2001:db8::1"})),
            "ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26"
        );
        assert_eq!(
            id("domain-name", json!({"value": "example.com"})),
            "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7"
        );
        assert_eq!(
            id("url", json!({"value": "https://example.com/evil?x=1"})),
            "url--2a07fa3b-0ca2-50d6-9c9c-4ea19cad22b6"
        );
        assert_eq!(
            id("email-addr", json!({"value": "jdoe@example.com"})),
            "email-addr--6deb37bd-12b7-54ae-805f-5f7146f3d171"
        );
        let sha256 = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f";
        assert_eq!(
            id("file", json!({"hashes": {"SHA-256": sha256}})),
            "file--02c74237-f6bc-5e2e-bcbe-e9bf3d69ac64"
        );
        // With MD5 beside SHA-256, only MD5 counts; the name counts too.
        assert_eq!(
            id(
                "file",
                json!({"hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e", "SHA-256": sha256}, "name": "a.exe"})
            ),
            "file--7e567502-8994-53ff-9c69-79240cae362d"
        );
        assert_eq!(
            id("file", json!({"name": "日本語.txt"})),
            "file--b70c534f-6b66-545b-ab3b-41d96ec30973"
        );
        assert_eq!(
            id(
                "network-traffic",
                json!({"src_ref": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "dst_port": 443, "protocols": ["ipv4", "tcp"]})
            ),
            "network-traffic--d130db34-b471-5138-b3ce-c0bdc72c325d"
        );
    }

    #[test]
    fn properties_that_do_not_contribute_change_nothing() {
        let plain = id("ipv4-addr", json!({"value": "198.51.100.3"}));
        let with = id(
            "ipv4-addr",
            json!({"value": "198.51.100.3", "resolves_to_refs": [], "x_note": "seen"}),
        );
        assert_eq!(plain, with);
        assert_eq!(id("process", json!({"pid": 4})), "");
        assert_eq!(id("indicator", json!({"value": "x"})), "");
        assert_eq!(id("ipv4-addr", json!({})), "");
    }
}

//! The corpus of valid and invalid bundles: our verdicts, the properties named, and round trips.

// Test code: a panic is a failed test.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use stix::object::Object;
use stix::{Bundle, validate_bundle};

fn files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(folder);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    out.sort();
    out
}

fn read(path: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(path).expect("read");
    let value = serde_json::from_str(&text).expect("json");
    (text, value)
}

#[test]
fn valid_bundles_are_accepted_typed_and_written_back_unchanged() {
    let all = files("valid");
    assert!(all.len() >= 3);
    for path in all {
        let (text, value) = read(&path);
        assert_eq!(validate_bundle(&value), vec![], "{}", path.display());
        let bundle = Bundle::parse(&text).expect("parses");
        // Known types are typed, the custom one stays JSON.
        for o in &bundle.objects {
            let custom = o.object_type().starts_with("x-");
            assert_eq!(
                matches!(o, Object::Other(_)),
                custom,
                "{}: {}",
                path.display(),
                o.object_type()
            );
        }
        let again = serde_json::to_value(&bundle).expect("serialise");
        assert_eq!(
            again,
            value,
            "{}: the round trip changed it",
            path.display()
        );
    }
}

/// Each invalid bundle, with the object and property the fault must be named on.
const INVALID: [(&str, &str, &str); 17] = [
    (
        "bundle-id-of-another-type",
        "report--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "id",
    ),
    (
        "confidence-over-100",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "confidence",
    ),
    (
        "created-without-milliseconds",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created",
    ),
    (
        "id-of-another-type",
        "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "id",
    ),
    (
        "malware-family-without-name",
        "malware--0c7b5b88-8ff7-4a4d-aa9c-feb398cd0061",
        "name",
    ),
    (
        "modified-before-created",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "modified",
    ),
    (
        "nil-uuid",
        "indicator--00000000-0000-0000-0000-000000000000",
        "id",
    ),
    (
        "no-pattern",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "pattern",
    ),
    (
        "no-spec-version",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "spec_version",
    ),
    (
        "property-name-with-hyphen",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "x-mamori-note",
    ),
    (
        "relationship-source-not-an-id",
        "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
        "source_ref",
    ),
    (
        "reserved-property",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "severity",
    ),
    (
        "timestamp-with-offset",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "valid_from",
    ),
    (
        "uppercase-type",
        "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "type",
    ),
    (
        "valid-until-before-valid-from",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "valid_until",
    ),
    (
        "indicator-pattern-unclosed",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "pattern",
    ),
    (
        "marking-ref-to-an-identity",
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "object_marking_refs",
    ),
];

#[test]
fn invalid_bundles_are_refused_naming_the_object_and_property() {
    let mut seen = Vec::new();
    for folder in ["invalid", "stricter"] {
        for path in files(folder) {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let (text, value) = read(&path);
            let (_, object, property) = INVALID
                .iter()
                .find(|(n, _, _)| *n == name)
                .unwrap_or_else(|| panic!("{name}: no expectation in INVALID"));
            let problems = validate_bundle(&value);
            assert!(
                problems
                    .iter()
                    .any(|p| p.object == *object && p.property == *property),
                "{name}: expected a fault on {object}.{property}, got {problems:#?}"
            );
            // Each file breaks one rule, so nothing else is reported on other objects.
            assert!(
                problems.iter().all(|p| p.object == *object),
                "{name}: faults elsewhere too: {problems:#?}"
            );
            assert!(Bundle::parse(&text).is_err(), "{name}");
            seen.push(name);
        }
    }
    assert_eq!(seen.len(), INVALID.len(), "every expectation has its file");
}

#[test]
fn what_is_not_json_or_not_a_bundle_is_refused_without_a_panic() {
    for text in [
        "",
        "[]",
        "{",
        "null",
        "{\"type\":\"bundle\"}",
        "{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":{}}",
    ] {
        assert!(Bundle::parse(text).is_err(), "{text}");
    }
    let objects = r#"{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[1, "x", {"id": 3}, {"type": 7}]}"#;
    let problems = Bundle::parse(objects).expect_err("refused");
    assert!(problems.iter().any(|p| p.object == "objects[0]"));
    assert!(
        problems
            .iter()
            .any(|p| p.object == "objects[3]" && p.property == "type")
    );
}

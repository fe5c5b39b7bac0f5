//! No input makes the reader panic: arbitrary JSON, and near-valid bundles with parts replaced.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use stix::{
    Bundle, Object, Observation, Pattern, Tlp, deterministic_id, validate_bundle, validate_object,
};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("indicator"),
            Just("bundle"),
            Just("ipv4-addr"),
            Just("file"),
            Just("sighting"),
            Just("2026-11-30T01:02:03.000Z"),
            Just("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_string()),
                        Just("id".to_string()),
                        Just("objects".to_string()),
                        Just("created".to_string()),
                        Just("hashes".to_string()),
                        Just("source_ref".to_string()),
                        Just("object_refs".to_string()),
                        "[a-z_]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_json_is_judged_never_panicked_on(v in any_json()) {
        let _ = validate_bundle(&v);
        let _ = validate_object(&v, "objects[0]");
        // What is accepted writes back to something accepted again.
        if let Ok(b) = Bundle::parse(&v.to_string()) {
            let again = serde_json::to_string(&b).expect("json");
            prop_assert!(Bundle::parse(&again).is_ok(), "{}", again);
        }
        let _ = Object::from_value(v.clone());
        if let Value::Object(m) = &v {
            for t in ["ipv4-addr", "file", "network-traffic"] {
                let _ = deterministic_id(t, m);
            }
        }
    }

    #[test]
    fn any_text_is_refused_or_read_never_panicked_on(text in "\\PC{0,64}") {
        let _ = Bundle::parse(&text);
        let _ = Pattern::parse(&text);
    }

    #[test]
    fn patterns_of_any_tokens_are_refused_or_evaluated_never_panicked_on(
        parts in prop::collection::vec(prop_oneof![
            Just("["), Just("]"), Just("("), Just(")"), Just("AND"), Just("OR"), Just("NOT"),
            Just("FOLLOWEDBY"), Just("WITHIN 5 SECONDS"), Just("REPEATS 2 TIMES"),
            Just("START t'2026-01-01T00:00:00Z' STOP t'2026-02-30T00:00:00Z'"),
            Just("ipv4-addr:value"), Just("file:hashes.'SHA-256'"), Just("x:a_refs[*].value"),
            Just("="), Just("!="), Just("<"), Just(">="), Just("IN"), Just("LIKE"), Just("MATCHES"),
            Just("ISSUBSET"), Just("ISSUPERSET"), Just("EXISTS"), Just("'198.51.100.0/24'"),
            Just("'%_%'"), Just("'(a|b)*'"), Just("'::/0'"), Just("5"), Just("-1.5"), Just("true"),
            Just("h'00ff'"), Just("b'AA=='"), Just(","), Just("'\\\\'"),
        ], 1..24)
    ) {
        let text = parts.join(" ");
        if let Ok(p) = Pattern::parse(&text) {
            let o = Observation::of([
                json!({"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.3"}),
                json!({"type": "x", "id": "x--1", "a_refs": ["ipv4-addr--1", 7]}),
                json!({"type": "file", "id": "file--1", "hashes": {"SHA-256": "00"}}),
            ]);
            let _ = p.matches(&[o.clone(), o]);
        }
    }
}

#[test]
fn what_the_crate_makes_passes_its_own_validation() {
    let Value::Object(props) = json!({"value": "203.0.113.9"}) else {
        unreachable!()
    };
    let id = deterministic_id("ipv4-addr", &props).expect("an observable");
    let ip = json!({"type": "ipv4-addr", "spec_version": "2.1", "id": id.to_string(), "value": "203.0.113.9"});
    let mut objects = vec![Object::from_value(ip).expect("typed")];
    objects.extend(Tlp::ALL.map(|t| Object::from_value(t.marking_definition()).expect("marking")));
    let bundle = Bundle::new(objects);
    let value = serde_json::to_value(&bundle).expect("json");
    assert_eq!(validate_bundle(&value), vec![]);
    assert_eq!(
        Bundle::parse(&value.to_string()).expect("reads back"),
        bundle
    );
}

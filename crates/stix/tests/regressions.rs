//! Inputs that once broke the reader, or that fuzzing should never let break it, replayed on
//! every test run as the fuzz targets run them (`fuzz/`).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::path::Path;

fn inputs(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(kind);
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("regressions folder")
        .flatten()
        .map(|e| {
            let p = e.path();
            (p.display().to_string(), std::fs::read(&p).expect("read"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no {kind} regressions");
    out
}

#[test]
fn every_kept_bundle_input_is_read_without_a_panic_and_round_trips_if_accepted() {
    for (name, data) in inputs("bundle") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(bundle) = stix::Bundle::parse(text) {
            let again = serde_json::to_string(&bundle).expect("json");
            assert!(stix::Bundle::parse(&again).is_ok(), "{name}: {again}");
        }
    }
}

#[test]
fn every_kept_pattern_input_is_read_without_a_panic() {
    for (_, data) in inputs("pattern") {
        let Ok(text) = std::str::from_utf8(&data) else {
            continue;
        };
        if let Ok(p) = stix::Pattern::parse(text) {
            let o = stix::Observation::of([serde_json::json!(
                {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.3"}
            )]);
            let _ = p.matches(&[o]);
        }
    }
}

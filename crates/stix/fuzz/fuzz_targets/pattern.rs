//! Any bytes as a STIX pattern: parsed and evaluated, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = stix::Pattern::parse(text) {
            let o = stix::Observation::of([serde_json::json!(
                {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.3"}
            )]);
            let _ = p.matches(&[o]);
        }
    }
});

//! Any bytes as a bundle: read, validated, typed and written back, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bundle) = stix::Bundle::parse(text) {
            // What was accepted writes back and reads again.
            let again = serde_json::to_string(&bundle).unwrap_or_default();
            assert!(stix::Bundle::parse(&again).is_ok(), "{again}");
        }
    }
});

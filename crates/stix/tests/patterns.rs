//! Patterns: the verdicts of the corpus (those of OASIS stix2-patterns), and evaluation.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use chrono::{DateTime, Utc};
use serde_json::json;
use stix::{Observation, Pattern};

#[test]
fn the_corpus_verdicts_are_ours() {
    let text = include_str!("corpus/patterns.txt");
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (verdict, pattern) = line.split_once('\t').expect("verdict<TAB>pattern");
        let ours = Pattern::parse(pattern);
        assert_eq!(
            ours.is_ok(),
            verdict == "valid",
            "{pattern}: stix2-patterns says {verdict}, we say {ours:?}"
        );
        n += 1;
    }
    assert!(n > 50, "{n} patterns");
}

#[test]
fn a_refusal_says_where() {
    let e = Pattern::parse("[ipv4-addr:value = '1'] AND [file:name ~ 'x']").expect_err("refused");
    assert_eq!(e.at, 39);
    assert!(
        Pattern::parse(&"(".repeat(10_000)).is_err(),
        "deep nesting is refused, not a stack overflow"
    );
    assert!(Pattern::parse(&format!("{}[a:b = '1']{}", "(".repeat(60), ")".repeat(60))).is_ok());
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

fn seen(objects: Vec<serde_json::Value>, when: &str) -> Observation {
    Observation::of(objects).seen(at(when), at(when))
}

fn matches(pattern: &str, obs: &[Observation]) -> bool {
    Pattern::parse(pattern).expect(pattern).matches(obs)
}

#[test]
fn comparisons_hold_on_the_objects_of_one_observation() {
    let ip = json!({"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.3"});
    let dst = json!({"type": "ipv4-addr", "id": "ipv4-addr--2", "value": "203.0.113.5"});
    let flow = json!({"type": "network-traffic", "id": "network-traffic--1", "src_ref": "ipv4-addr--1",
        "dst_ref": "ipv4-addr--2", "dst_port": 443, "protocols": ["ipv4", "tcp"]});
    let file = json!({"type": "file", "id": "file--1", "name": "請求書.pdf.exe", "size": 73802,
        "hashes": {"SHA-256": "AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F"}});
    let dom =
        json!({"type": "domain-name", "id": "domain-name--1", "value": "update.evil.example"});
    let o = [Observation::of([ip, dst, flow, file, dom])];
    for (pattern, expected) in [
        ("[ipv4-addr:value = '198.51.100.3']", true),
        ("[ipv4-addr:value = '198.51.100.30']", false),
        ("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", true),
        ("[ipv4-addr:value ISSUBSET '198.51.101.0/24']", false),
        ("[ipv4-addr:value ISSUBSET '0.0.0.0/0']", true),
        ("[ipv4-addr:value ISSUBSET '2001:db8::/32']", false),
        (
            "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 443]",
            true,
        ),
        ("[network-traffic:src_ref.value = '203.0.113.5']", false),
        ("[network-traffic:protocols[*] = 'tcp']", true),
        ("[network-traffic:protocols[0] = 'tcp']", false),
        (
            "[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']",
            true,
        ),
        (
            "[file:name LIKE '%.exe' AND file:name NOT LIKE '%.pdf']",
            true,
        ),
        ("[file:name LIKE '請求書._df%']", true),
        ("[file:size > 70000 AND file:size <= 73802]", true),
        ("[file:size IN (1, 2, 73802)]", true),
        // In a pattern a backslash is written twice: the regular expression is (^|\.)evil\.example$.
        (
            "[domain-name:value MATCHES '(^|\\\\.)evil\\\\.example$']",
            true,
        ),
        ("[domain-name:value MATCHES '^evil\\\\.example$']", false),
        (
            "[domain-name:value = 'evil.example' OR domain-name:value LIKE '%.evil.example']",
            true,
        ),
        ("[domain-name:value LIKE '%.notevil.example']", false),
        // NOT on a property the object lacks matches nothing.
        ("[file:mime_type NOT = 'text/plain']", false),
        ("[EXISTS file:hashes]", true),
        ("[EXISTS file:parent_directory_ref]", false),
        // Two observation expressions, both in this one observation.
        (
            "[ipv4-addr:value = '198.51.100.3'] AND [file:size > 1]",
            true,
        ),
        (
            "[ipv4-addr:value = '198.51.100.3'] AND [url:value = 'x']",
            false,
        ),
    ] {
        assert_eq!(matches(pattern, &o), expected, "{pattern}");
    }
}

#[test]
fn followedby_and_the_qualifiers_look_at_when_things_were_seen() {
    let mail = |when| {
        seen(
            vec![
                json!({"type": "email-addr", "id": "email-addr--1", "value": "attacker@evil.example"}),
            ],
            when,
        )
    };
    let file = |when| {
        seen(
            vec![json!({"type": "file", "id": "file--1", "name": "invoice.exe"})],
            when,
        )
    };
    let obs = [mail("2026-11-30T09:00:00Z"), file("2026-11-30T09:05:00Z")];
    let followed =
        "[email-addr:value = 'attacker@evil.example'] FOLLOWEDBY [file:name = 'invoice.exe']";
    assert!(matches(followed, &obs));
    assert!(!matches(
        "[file:name = 'invoice.exe'] FOLLOWEDBY [email-addr:value = 'attacker@evil.example']",
        &obs
    ));
    assert!(matches(&format!("({followed}) WITHIN 600 SECONDS"), &obs));
    assert!(!matches(&format!("({followed}) WITHIN 60 SECONDS"), &obs));
    let ip = |when| {
        seen(
            vec![json!({"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.3"})],
            when,
        )
    };
    let tries = [
        ip("2026-11-30T01:00:00Z"),
        ip("2026-11-30T01:00:20Z"),
        ip("2026-11-30T01:09:00Z"),
    ];
    assert!(matches(
        "[ipv4-addr:value = '198.51.100.3'] REPEATS 3 TIMES",
        &tries
    ));
    assert!(!matches(
        "[ipv4-addr:value = '198.51.100.3'] REPEATS 4 TIMES",
        &tries
    ));
    assert!(matches(
        "[ipv4-addr:value = '198.51.100.3'] REPEATS 2 TIMES WITHIN 30 SECONDS",
        &tries
    ));
    assert!(!matches(
        "[ipv4-addr:value = '198.51.100.3'] REPEATS 3 TIMES WITHIN 30 SECONDS",
        &tries
    ));
    assert!(matches(
        "[ipv4-addr:value = '198.51.100.3'] START t'2026-11-30T01:05:00Z' STOP t'2026-11-30T02:00:00Z'",
        &tries
    ));
    assert!(!matches(
        "[ipv4-addr:value = '198.51.100.3'] START t'2026-12-01T00:00:00Z' STOP t'2026-12-02T00:00:00Z'",
        &tries
    ));
}

#[test]
fn a_scanner_reads_the_values_a_pattern_looks_for() {
    let p = Pattern::parse(
        "[ipv4-addr:value = '198.51.100.3' OR file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] AND [domain-name:value != 'x']",
    )
    .expect("valid");
    let found: Vec<(String, String)> = p
        .equalities()
        .into_iter()
        .map(|(t, path, _)| (t.to_string(), path))
        .collect();
    assert_eq!(
        found,
        [
            ("ipv4-addr".to_string(), "value".to_string()),
            ("file".to_string(), "hashes.SHA-256".to_string())
        ]
    );
}

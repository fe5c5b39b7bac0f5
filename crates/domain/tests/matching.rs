//! The matcher measured on real NVD records and a ledger typed as people type it
//! (`testdata/vuln/ledger-cases.json`): precision and recall are printed, and both must be 1.0.

use mamori_domain::vuln::{Certainty, DeviceIdentity, VulnIndex, Vulnerability, merge, read_feed};
use std::collections::{BTreeMap, HashMap};

const FEEDS: [&[u8]; 3] = [
    include_bytes!("../../../testdata/vuln/nvd-sample.json"),
    include_bytes!("../../../testdata/vuln/nvd-cases.json"),
    include_bytes!("../../../testdata/vuln/kev-slice.json"),
];
const CASES: &str = include_str!("../../../testdata/vuln/ledger-cases.json");

fn index() -> VulnIndex {
    let mut all: HashMap<String, Vulnerability> = HashMap::new();
    for feed in FEEDS {
        for v in read_feed(feed).unwrap_or_default() {
            let merged = match all.get(&v.cve) {
                Some(old) => merge(old, &v),
                None => v,
            };
            all.insert(merged.cve.clone(), merged);
        }
    }
    VulnIndex::new(all.into_values().collect())
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

#[test]
fn the_matcher_finds_every_true_finding_and_no_false_one_on_real_records() {
    let cases: serde_json::Value = serde_json::from_str(CASES).unwrap_or_default();
    let devices = cases["devices"].as_array().cloned().unwrap_or_default();
    assert!(devices.len() >= 10, "the case file is read");
    let idx = index();
    let (mut tp, mut fp, mut fnn) = (0u32, 0u32, 0u32);
    let mut wrong = Vec::new();
    for d in &devices {
        let identity = DeviceIdentity {
            vendor: text(d, "vendor"),
            product: text(d, "product"),
            version: text(d, "version"),
            cpe: None,
        };
        let expected: BTreeMap<String, String> = d["expect"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let found: BTreeMap<String, (String, String)> = idx
            .matches(&identity)
            .into_iter()
            .map(|(v, c, why)| {
                let c = match c {
                    Certainty::VersionMatched => "affected",
                    Certainty::ProductOnly => "unchecked",
                };
                (
                    v.cve.clone(),
                    (c.to_string(), why.text(mamori_domain::Lang::En)),
                )
            })
            .collect();
        for (cve, want) in &expected {
            match found.get(cve) {
                Some((got, _)) if got == want => tp += 1,
                Some((got, why)) => {
                    // Found, but with the wrong certainty: it counts against both figures.
                    fp += 1;
                    fnn += 1;
                    wrong.push(format!(
                        "{}: {cve} {got} ({why}), expected {want}",
                        text(d, "name")
                    ));
                }
                None => {
                    fnn += 1;
                    wrong.push(format!(
                        "{}: {cve} missed, expected {want}",
                        text(d, "name")
                    ));
                }
            }
        }
        for (cve, (got, why)) in &found {
            if !expected.contains_key(cve) {
                fp += 1;
                wrong.push(format!("{}: {cve} {got} reported ({why})", text(d, "name")));
            }
        }
    }
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fnn).max(1));
    println!(
        "matching on real records: {} devices, {tp} true findings, precision {precision:.3}, recall {recall:.3}",
        devices.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!((precision, recall), (1.0, 1.0));
    assert!(
        tp >= 8,
        "the cases hold enough true findings to mean something"
    );
}

#[test]
fn every_finding_says_which_cpe_and_which_bound() {
    let idx = index();
    let hotfix = DeviceIdentity {
        vendor: "Palo Alto Networks".into(),
        product: "PA-3220".into(),
        version: "PAN-OS 11.1.2-h1".into(),
        cpe: None,
    };
    let found = idx.matches(&hotfix);
    let why = found
        .iter()
        .find(|(v, _, _)| v.cve == "CVE-2024-3400")
        .map(|(_, _, w)| w.text(mamori_domain::Lang::Ja));
    assert_eq!(
        why.as_deref(),
        Some("cpe:2.3:o:paloaltonetworks:pan-os:11.1.2:h1: 11.1.2 h1 と一致")
    );
    let range = DeviceIdentity {
        vendor: "SonicWall".into(),
        product: "SMA 100".into(),
        version: "10.2.0.2-20sv".into(),
        cpe: None,
    };
    let why = idx
        .matches(&range)
        .into_iter()
        .find(|(v, _, _)| v.cve == "CVE-2021-20016")
        .map(|(_, _, w)| w.text(mamori_domain::Lang::En));
    assert_eq!(
        why.as_deref(),
        Some(
            "cpe:2.3:o:sonicwall:sma_100_firmware:*:*: 10.0.0.0 ≤ 10.2.0.2-20sv < 10.2.0.5-d-29sv"
        )
    );
}

//! How fast the device ledger is matched against vulnerability data: 100,000 CVE records in the
//! shape of NVD's (CPE matches with version ranges, some KEV-only entries) against 10,000 devices
//! typed the way people type them. The baseline, measured in the same run, is a linear scan that
//! checks every device against every record without the (vendor, product) index.
//!
//! Run: `cargo bench -p mamori-domain --bench matching`
// Test code: a panic is a failed check, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mamori_domain::vuln::{
    Cpe, CpeMatch, DeviceIdentity, KevEntry, VulnIndex, Vulnerability, findings,
};
use std::time::Instant;

const CVES: usize = 100_000;
const DEVICES: usize = 10_000;
const PRODUCTS: usize = 4_000;
const BASELINE_DEVICES: usize = 100;

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

fn product(i: usize) -> (String, String) {
    (format!("vendor{}", i % 700), format!("product_{i}"))
}

fn data() -> (Vec<Vulnerability>, Vec<DeviceIdentity>) {
    let mut r = Lcg(42);
    let vulns = (0..CVES)
        .map(|n| {
            let (vendor, prod) = product(r.next(PRODUCTS));
            let major = r.next(20);
            let kev_only = n % 50 == 0;
            let matches = if kev_only {
                vec![]
            } else {
                (0..1 + r.next(4))
                    .map(|k| CpeMatch {
                        cpe: Cpe {
                            part: "a".into(),
                            vendor: vendor.clone(),
                            product: prod.clone(),
                            version: "*".into(),
                            update: "*".into(),
                        },
                        start_including: Some(format!("{}.{k}.0", major)),
                        start_excluding: None,
                        end_including: None,
                        end_excluding: Some(format!("{}.{k}.{}", major, 5 + r.next(20))),
                        platforms: vec![],
                    })
                    .collect()
            };
            Vulnerability {
                cve: format!("CVE-2024-{n:06}"),
                description: String::new(),
                cvss: Some((r.next(100) as f32) / 10.0),
                matches,
                kev: (n % 30 == 0).then(|| KevEntry {
                    vendor: vendor.clone(),
                    product: prod.clone(),
                    name: String::new(),
                    date_added: "2024-01-01".into(),
                    due_date: "2024-01-22".into(),
                    ransomware: n % 90 == 0,
                }),
                versions_known: true,
            }
        })
        .collect();
    let devices = (0..DEVICES)
        .map(|_| {
            // Typed with capitals and spaces, as people do; some products are unknown to the data.
            let (vendor, prod) = product(r.next(PRODUCTS + 1_000));
            DeviceIdentity {
                vendor: vendor.to_uppercase(),
                product: prod.replace('_', " "),
                version: format!("{}.{}.{}", r.next(20), r.next(4), r.next(30)),
                cpe: None,
            }
        })
        .collect();
    (vulns, devices)
}

/// The baseline: every device against every record, no index.
fn linear_scan(vulns: &[Vulnerability], devices: &[DeviceIdentity]) -> usize {
    let mut hits = 0;
    for d in devices {
        let keys = d.keys();
        let version = d.version();
        for v in vulns {
            if v.matches.iter().any(|m| {
                keys.iter()
                    .any(|(vn, p)| *vn == m.cpe.vendor && *p == m.cpe.product)
                    && m.covers(&version)
            }) {
                hits += 1;
            }
        }
    }
    hits
}

fn main() {
    let t = Instant::now();
    let (vulns, devices) = data();
    println!(
        "generated {CVES} CVE records and {DEVICES} devices in {:.2?}",
        t.elapsed()
    );

    let t = Instant::now();
    let index = VulnIndex::new(vulns.clone());
    let build = t.elapsed();

    let t = Instant::now();
    let found = findings(
        devices.iter().enumerate().map(|(i, d)| {
            (
                uuid::Uuid::from_u128(i as u128),
                "device",
                i % 10 == 0,
                d.clone(),
            )
        }),
        &index,
    );
    let matching = t.elapsed();

    let t = Instant::now();
    let baseline_hits = linear_scan(&vulns, &devices[..BASELINE_DEVICES]);
    let baseline = t.elapsed();

    let per_device_indexed = matching.as_secs_f64() / DEVICES as f64;
    let per_device_linear = baseline.as_secs_f64() / BASELINE_DEVICES as f64;
    let total = build + matching;
    println!(
        "index built in {build:.2?}; {} findings on {DEVICES} devices in {matching:.2?}",
        found.len()
    );
    println!(
        "build + match: {total:.2?} (target: under 1 s) — {}",
        if total.as_secs_f64() < 1.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "baseline (linear scan, no index): {BASELINE_DEVICES} devices in {baseline:.2?} ({baseline_hits} version hits), \
         i.e. {:.1} s for all {DEVICES}",
        per_device_linear * DEVICES as f64
    );
    println!(
        "indexed matching is {:.0}× faster per device than the linear scan",
        per_device_linear / per_device_indexed
    );
}

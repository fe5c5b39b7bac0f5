//! 注意喚起: an alert an operator (MHLW, an ISAC, a prefecture) sends its members, with the
//! products it concerns, read against each member's own device ledger by the same matcher as the
//! known vulnerabilities, so that a member reads "3 of your devices are affected".

use crate::vuln::{CpeMatch, DeviceIdentity, VulnIndex, Vulnerability, Why, normalise, parse_cpe};
use serde::{Deserialize, Serialize};

coded! {
    /// How urgent an alert is.
    Severity {
        /// 緊急: act today.
        Critical = "critical", "緊急", "Critical";
        /// 重要: act within days.
        High = "high", "重要", "High";
        /// 注意: plan it.
        Medium = "medium", "注意", "Medium";
        /// 情報: for information.
        Info = "info", "情報", "Information";
    }
}

/// A product an alert concerns: vendor and product as people write them, and the first version
/// that is not affected (none: every version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedProduct {
    /// Vendor (`Fortinet`).
    pub vendor: String,
    /// Product (`FortiOS`, `FortiGate`).
    pub product: String,
    /// The first fixed version (`7.2.5`); versions before it are affected.
    pub fixed_in: Option<String>,
}

/// Reads the affected products as typed, one a line: `vendor, product[, fixed version]` (a tab or
/// a comma between). A line it cannot read is named by its number (from 1).
pub fn parse_affected(text: &str) -> Result<Vec<AffectedProduct>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split([',', '\t', '、']).map(str::trim).collect();
        match parts.as_slice() {
            [vendor, product] | [vendor, product, ""]
                if !vendor.is_empty() && !product.is_empty() =>
            {
                out.push(AffectedProduct {
                    vendor: vendor.to_string(),
                    product: product.to_string(),
                    fixed_in: None,
                })
            }
            [vendor, product, fixed] if !vendor.is_empty() && !product.is_empty() => {
                out.push(AffectedProduct {
                    vendor: vendor.to_string(),
                    product: product.to_string(),
                    fixed_in: Some(fixed.to_string()),
                })
            }
            _ => return Err(i + 1),
        }
    }
    Ok(out)
}

/// The products as one line each, as `parse_affected` reads them.
pub fn affected_text(products: &[AffectedProduct]) -> String {
    products
        .iter()
        .map(|p| match &p.fixed_in {
            Some(f) => format!("{}, {}, {f}", p.vendor, p.product),
            None => format!("{}, {}", p.vendor, p.product),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The products as a vulnerability record the ledger matcher reads.
fn as_record(products: &[AffectedProduct]) -> Vulnerability {
    let matches = products
        .iter()
        .filter_map(|p| {
            let name = |s: &str| normalise(s).replace(['-', ' '], "_");
            let cpe = parse_cpe(&format!(
                "cpe:2.3:a:{}:{}:*:*:*:*:*:*:*:*",
                name(&p.vendor),
                name(&p.product)
            ))?;
            Some(CpeMatch {
                cpe,
                start_including: None,
                start_excluding: None,
                end_including: None,
                end_excluding: p.fixed_in.clone(),
                platforms: Vec::new(),
            })
        })
        .collect();
    Vulnerability {
        cve: "alert".into(),
        description: String::new(),
        cvss: None,
        matches,
        kev: None,
        versions_known: true,
    }
}

/// Which devices an alert concerns, each with why: its version is before the fixed one, or no
/// version could be checked (then the device is listed as "to check").
pub fn affected_devices<'a, T>(
    products: &[AffectedProduct],
    devices: &'a [(T, DeviceIdentity)],
) -> Vec<(&'a T, crate::vuln::Certainty, Why)> {
    let index = VulnIndex::new(vec![as_record(products)]);
    let mut out = Vec::new();
    for (d, identity) in devices {
        if let Some((_, certainty, why)) = index.matches(identity).into_iter().next() {
            out.push((d, certainty, why));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vuln::Certainty;

    fn device(vendor: &str, product: &str, version: &str) -> DeviceIdentity {
        DeviceIdentity {
            vendor: vendor.into(),
            product: product.into(),
            version: version.into(),
            cpe: None,
        }
    }

    #[test]
    fn affected_products_are_read_a_line_each_and_a_bad_line_is_named() {
        let p =
            parse_affected("Fortinet, FortiOS, 7.2.5\n\nIvanti\tConnect Secure\n").expect("read");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].fixed_in.as_deref(), Some("7.2.5"));
        assert_eq!(p[1].fixed_in, None);
        assert_eq!(parse_affected("Fortinet, FortiOS\njust one word"), Err(2));
        assert_eq!(parse_affected(&affected_text(&p)), Ok(p));
    }

    #[test]
    fn an_alert_finds_the_ledgers_devices_before_the_fixed_version_as_people_typed_them() {
        let products = parse_affected("Fortinet, FortiOS, 7.2.5").expect("read");
        let devices = vec![
            ("VPN-01", device("Fortinet", "FortiGate 60F", "7.2.4")),
            (
                "VPN-02",
                device("fortinet", "FortiGate 100F", "FortiOS 7.2.5"),
            ),
            ("FW-03", device("Fortinet", "FortiGate 60F", "")),
            ("EMR", device("NEC", "MegaOak", "10.1")),
        ];
        let hit = affected_devices(&products, &devices);
        let names: Vec<(&str, Certainty)> = hit.iter().map(|(d, c, _)| (**d, *c)).collect();
        assert_eq!(
            names,
            [
                ("VPN-01", Certainty::VersionMatched),
                ("FW-03", Certainty::ProductOnly)
            ]
        );
    }
}

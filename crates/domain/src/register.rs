//! The device ledger (機器台帳): what a hospital owns that runs software, where it is, who looks
//! after it, and how exposed and current it is. Rows come from a form or from a CSV/XLSX table;
//! both go through the same checks.

use crate::table::{CellError, find_column};
use crate::validate::{FieldError, Problem};
use crate::vuln::DeviceIdentity;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded! {
    /// What kind of device.
    DeviceKind {
        /// サーバ.
        Server = "server", "サーバ", "Server";
        /// 端末 (PC).
        Terminal = "terminal", "端末", "Terminal";
        /// ネットワーク機器 (VPN装置, ルータ, ファイアウォール).
        Network = "network", "ネットワーク機器", "Network device";
        /// 医療機器.
        Medical = "medical", "医療機器", "Medical device";
        /// IoT機器.
        Iot = "iot", "IoT機器", "IoT device";
        /// その他.
        Other = "other", "その他", "Other";
    }
}

/// A device of the ledger, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Kind.
    pub kind: DeviceKind,
    /// Name or asset number.
    pub name: String,
    /// Where it stands.
    pub location: String,
    /// Who is responsible (部署・担当者).
    pub owner: String,
    /// The system it belongs to (電子カルテ, PACS …).
    pub system: String,
    /// Maker.
    pub vendor: String,
    /// Product or model.
    pub product: String,
    /// Software version or firmware.
    pub version: String,
    /// Reachable from the internet (VPN appliances, remote-maintenance gateways).
    pub internet_facing: bool,
    /// End of support (EOL/EOS).
    pub support_end: Option<NaiveDate>,
    /// Last patch applied.
    pub last_patch: Option<NaiveDate>,
    /// CPE 2.3 name, when known.
    pub cpe: String,
}

impl Device {
    /// What matching against vulnerabilities needs.
    pub fn identity(&self) -> DeviceIdentity {
        DeviceIdentity {
            vendor: self.vendor.clone(),
            product: self.product.clone(),
            version: self.version.clone(),
            cpe: (!self.cpe.is_empty()).then(|| self.cpe.clone()),
        }
    }

    /// Past its end of support on `today`.
    pub fn unsupported(&self, today: NaiveDate) -> bool {
        self.support_end.is_some_and(|d| d < today)
    }
}

/// A device as typed (form fields or table cells).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceDraft {
    /// Kind code or label.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Location.
    pub location: String,
    /// Owner.
    pub owner: String,
    /// System.
    pub system: String,
    /// Vendor.
    pub vendor: String,
    /// Product.
    pub product: String,
    /// Version.
    pub version: String,
    /// `on`/`はい`/`yes`/`1` for internet-facing.
    pub internet_facing: String,
    /// `YYYY-MM-DD` or empty.
    pub support_end: String,
    /// `YYYY-MM-DD` or empty.
    pub last_patch: String,
    /// CPE 2.3 name or empty.
    pub cpe: String,
}

/// Column headers of the device table (Japanese, English), in field order.
pub const DEVICE_COLUMNS: [(&str, &str, &str); 12] = [
    ("kind", "種別", "Kind"),
    ("name", "名称", "Name"),
    ("location", "設置場所", "Location"),
    ("owner", "管理者", "Owner"),
    ("system", "システム", "System"),
    ("vendor", "メーカー", "Vendor"),
    ("product", "製品・型番", "Product"),
    ("version", "バージョン", "Version"),
    ("internet_facing", "インターネット接続", "Internet-facing"),
    ("support_end", "サポート終了日", "Support end"),
    ("last_patch", "最終パッチ適用日", "Last patch"),
    ("cpe", "CPE", "CPE"),
];

fn yes(v: &str) -> Option<bool> {
    crate::cells::flag(v)
}

impl DeviceDraft {
    /// The draft of a checked device, to edit it.
    pub fn from_device(d: &Device) -> DeviceDraft {
        DeviceDraft {
            kind: d.kind.code().into(),
            name: d.name.clone(),
            location: d.location.clone(),
            owner: d.owner.clone(),
            system: d.system.clone(),
            vendor: d.vendor.clone(),
            product: d.product.clone(),
            version: d.version.clone(),
            internet_facing: if d.internet_facing {
                "on".into()
            } else {
                String::new()
            },
            support_end: d.support_end.map(|x| x.to_string()).unwrap_or_default(),
            last_patch: d.last_patch.map(|x| x.to_string()).unwrap_or_default(),
            cpe: d.cpe.clone(),
        }
    }

    /// The cells of a table row in column order.
    pub fn from_cells(cells: &[String]) -> DeviceDraft {
        let c = |i: usize| cells.get(i).cloned().unwrap_or_default();
        DeviceDraft {
            kind: c(0),
            name: c(1),
            location: c(2),
            owner: c(3),
            system: c(4),
            vendor: c(5),
            product: c(6),
            version: c(7),
            internet_facing: c(8),
            support_end: c(9),
            last_patch: c(10),
            cpe: c(11),
        }
    }

    /// Whether the internet-facing box is ticked, for the form.
    pub fn is_internet_facing(&self) -> bool {
        yes(&self.internet_facing) == Some(true)
    }

    /// Checks the draft; faults name their field.
    pub fn validate(&self) -> Result<Device, Problem> {
        let mut e = Vec::new();
        let kind = DeviceKind::from_code(self.kind.trim()).or_else(|| {
            DeviceKind::ALL.iter().copied().find(|k| {
                k.label(crate::Lang::Ja) == self.kind.trim()
                    || k.label(crate::Lang::En)
                        .eq_ignore_ascii_case(self.kind.trim())
            })
        });
        if kind.is_none() {
            e.push(FieldError::new("kind", "error.choose_one"));
        }
        let mut text = |field: &str, v: &str, required: bool| {
            let v = v.trim().to_string();
            if required && v.is_empty() {
                e.push(FieldError::new(field, "error.required"));
            } else if v.chars().count() > 200 {
                e.push(FieldError::new(field, "error.too_long"));
            }
            v
        };
        let name = text("name", &self.name, true);
        let location = text("location", &self.location, false);
        let owner = text("owner", &self.owner, false);
        let system = text("system", &self.system, false);
        let vendor = text("vendor", &self.vendor, false);
        let product = text("product", &self.product, false);
        let version = text("version", &self.version, false);
        let cpe = text("cpe", &self.cpe, false);
        if !cpe.is_empty() && crate::vuln::parse_cpe(&cpe).is_none() {
            e.push(FieldError::new("cpe", "error.cpe"));
        }
        let internet_facing = yes(&self.internet_facing).unwrap_or_else(|| {
            e.push(FieldError::new("internet_facing", "error.yes_no"));
            false
        });
        let mut date = |field: &str, v: &str| match v.trim() {
            "" => None,
            s => crate::cells::date(s).or_else(|| {
                e.push(FieldError::new(field, "error.date"));
                None
            }),
        };
        let support_end = date("support_end", &self.support_end);
        let last_patch = date("last_patch", &self.last_patch);
        match kind {
            Some(kind) if e.is_empty() => Ok(Device {
                kind,
                name,
                location,
                owner,
                system,
                vendor,
                product,
                version,
                internet_facing,
                support_end,
                last_patch,
                cpe,
            }),
            _ => Err(Problem::new(e)),
        }
    }
}

/// The header row in Japanese.
pub fn device_header() -> Vec<String> {
    DEVICE_COLUMNS.iter().map(|c| c.1.to_string()).collect()
}

/// A device as a table row.
pub fn device_row(d: &Device) -> Vec<String> {
    let dr = DeviceDraft::from_device(d);
    vec![
        d.kind.label(crate::Lang::Ja).to_string(),
        dr.name,
        dr.location,
        dr.owner,
        dr.system,
        dr.vendor,
        dr.product,
        dr.version,
        if d.internet_facing {
            "はい".into()
        } else {
            "いいえ".into()
        },
        dr.support_end,
        dr.last_patch,
        dr.cpe,
    ]
}

/// Reads a device table (header first, Japanese or English headers, columns in any order).
/// Every row is checked; any fault refuses the whole table.
pub fn import_devices(rows: &[Vec<String>]) -> Result<Vec<Device>, Vec<CellError>> {
    let Some(header) = rows.first() else {
        return Err(vec![CellError::whole(1, "error.import_empty")]);
    };
    let mut positions = Vec::new();
    for (key, ja, en) in DEVICE_COLUMNS {
        let at = find_column(header, &[ja, en, key]);
        positions.push((key, at));
    }
    let missing: Vec<CellError> = positions
        .iter()
        .filter(|(k, at)| at.is_none() && matches!(*k, "kind" | "name"))
        .map(|(k, _)| CellError::at(1, None, &column_label(k), "error.import_header"))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut devices = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<String> = positions
            .iter()
            .map(|(_, at)| at.and_then(|a| row.get(a)).cloned().unwrap_or_default())
            .collect();
        match DeviceDraft::from_cells(&cells).validate() {
            Ok(d) => devices.push(d),
            Err(p) => {
                for fe in p.errors {
                    let at = positions
                        .iter()
                        .find(|(k, _)| *k == fe.field)
                        .and_then(|(_, a)| *a);
                    errors.push(CellError::at(i + 1, at, &column_label(&fe.field), &fe.key));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(devices)
    } else {
        Err(errors)
    }
}

fn column_label(key: &str) -> String {
    DEVICE_COLUMNS
        .iter()
        .find(|c| c.0 == key)
        .map(|c| c.1.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_table_round_trips_and_accepts_japanese_labels() {
        let d = DeviceDraft {
            kind: "network".into(),
            name: "VPN-01".into(),
            vendor: "Fortinet".into(),
            product: "FortiGate 60F".into(),
            version: "6.0.4".into(),
            internet_facing: "on".into(),
            support_end: "2027-03-31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let table = vec![device_header(), device_row(&d)];
        assert_eq!(import_devices(&table).unwrap(), vec![d]);
    }

    #[test]
    fn faults_name_the_row_and_column_and_nothing_is_taken() {
        let table = vec![
            row(&["名称", "種別", "サポート終了日", "インターネット接続"]),
            row(&["PC-01", "端末", "2027-03-31", "いいえ"]),
            row(&["", "端末", "来年", "たぶん"]),
        ];
        let errs = import_devices(&table).unwrap_err();
        let at: Vec<_> = errs
            .iter()
            .map(|e| (e.row, e.letter.as_str(), e.key.as_str()))
            .collect();
        assert!(at.contains(&(3, "A", "error.required")), "{at:?}");
        assert!(at.contains(&(3, "C", "error.date")), "{at:?}");
        assert!(at.contains(&(3, "D", "error.yes_no")), "{at:?}");
        let no_name = vec![row(&["種別"]), row(&["端末"])];
        assert_eq!(
            import_devices(&no_name).unwrap_err()[0].key,
            "error.import_header"
        );
    }

    #[test]
    fn a_bad_cpe_is_refused_and_support_end_is_judged() {
        let p = DeviceDraft {
            kind: "server".into(),
            name: "x".into(),
            cpe: "cpe:/a:b:c".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(p.for_field("cpe"), Some("error.cpe"));
        let d = DeviceDraft {
            kind: "server".into(),
            name: "x".into(),
            support_end: "2025/03/31".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert!(d.unsupported(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()));
    }
}

//! The device ledger (機器台帳): what a hospital owns that runs software, where it is, who looks
//! after it, and how exposed and current it is. Rows come from a form or from a CSV/XLSX table;
//! both go through the same checks.

use crate::table::{CellError, Column, TableImport, read_recognised};
use crate::validate::{FieldError, Problem};
use crate::vuln::DeviceIdentity;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The device table's columns, in field order, with the names hospitals' own ledgers use.
pub const DEVICE_COLUMNS: [Column; 12] = [
    Column::new(
        "kind",
        "種別",
        "Kind",
        true,
        &[
            "機器種別",
            "区分",
            "分類",
            "種類",
            "type",
            "category",
            "device type",
        ],
    ),
    Column::new(
        "name",
        "名称",
        "Name",
        true,
        &[
            "機器名",
            "機器名称",
            "端末名",
            "ホスト名",
            "コンピュータ名",
            "資産名",
            "資産番号",
            "管理番号",
            "品名",
            "名前",
            "hostname",
            "host name",
            "device",
            "device name",
            "asset",
            "asset name",
        ],
    ),
    Column::new(
        "location",
        "設置場所",
        "Location",
        false,
        &[
            "場所",
            "設置場所(部署)",
            "所在",
            "所在地",
            "設置部署",
            "フロア",
            "site",
            "place",
        ],
    ),
    Column::new(
        "owner",
        "管理者",
        "Owner",
        false,
        &[
            "担当者",
            "管理担当",
            "管理部署",
            "部署",
            "使用部署",
            "責任者",
            "管理者(部署)",
            "department",
            "responsible",
        ],
    ),
    Column::new(
        "system",
        "システム",
        "System",
        false,
        &[
            "所属システム",
            "システム名",
            "用途",
            "業務システム",
            "system name",
            "purpose",
        ],
    ),
    Column::new(
        "vendor",
        "メーカー",
        "Vendor",
        false,
        &[
            "製造元",
            "製造業者",
            "製造会社",
            "ベンダー",
            "メーカー名",
            "maker",
            "manufacturer",
            "brand",
        ],
    ),
    Column::new(
        "product",
        "製品・型番",
        "Product",
        false,
        &[
            "製品名",
            "製品",
            "型番",
            "型式",
            "機種",
            "機種名",
            "モデル",
            "model",
            "model name",
            "product name",
        ],
    ),
    Column::new(
        "version",
        "バージョン",
        "Version",
        false,
        &[
            "ファームウェア",
            "ファームウェアバージョン",
            "ファームウェア版数",
            "版数",
            "osバージョン",
            "os version",
            "firmware",
            "firmware version",
            "software version",
        ],
    ),
    Column::new(
        "internet_facing",
        "インターネット接続",
        "Internet-facing",
        false,
        &[
            "外部接続",
            "外部公開",
            "インターネット",
            "インターネット接続有無",
            "外部ネットワーク接続",
            "internet",
            "exposed",
            "public",
        ],
    ),
    Column::new(
        "support_end",
        "サポート終了日",
        "Support end",
        false,
        &[
            "サポート期限",
            "保守終了日",
            "保守期限",
            "サポート終了",
            "eol",
            "eos",
            "end of life",
            "end of support",
        ],
    ),
    Column::new(
        "last_patch",
        "最終パッチ適用日",
        "Last patch",
        false,
        &[
            "パッチ適用日",
            "最終更新日",
            "アップデート日",
            "更新プログラム適用日",
            "patched",
            "last update",
            "patch date",
        ],
    ),
    Column::new("cpe", "CPE", "CPE", false, &["cpe名", "cpe 2.3"]),
];

/// Words people use for a kind of device, beyond its label (PC, ルータ, UTM, …).
const KIND_WORDS: [(DeviceKind, &[&str]); 5] = [
    (
        DeviceKind::Server,
        &["サーバー", "サーバ機", "server", "仮想サーバ", "vm"],
    ),
    (
        DeviceKind::Terminal,
        &[
            "pc",
            "パソコン",
            "ノートpc",
            "デスクトップpc",
            "クライアント",
            "端末pc",
            "タブレット",
            "client",
            "laptop",
            "desktop",
        ],
    ),
    (
        DeviceKind::Network,
        &[
            "ルータ",
            "ルーター",
            "スイッチ",
            "l2スイッチ",
            "l3スイッチ",
            "ファイアウォール",
            "fw",
            "utm",
            "vpn",
            "vpn装置",
            "無線lan",
            "アクセスポイント",
            "router",
            "switch",
            "firewall",
            "gateway",
        ],
    ),
    (
        DeviceKind::Medical,
        &["医療用機器", "モダリティ", "検査機器", "medical"],
    ),
    (
        DeviceKind::Iot,
        &[
            "iot",
            "ネットワークカメラ",
            "複合機",
            "プリンタ",
            "printer",
            "camera",
        ],
    ),
];

fn kind_of(typed: &str) -> Option<DeviceKind> {
    let t = crate::cells::half_width(typed).trim().to_lowercase();
    DeviceKind::from_code(&t)
        .or_else(|| {
            DeviceKind::ALL.iter().copied().find(|k| {
                k.label(crate::Lang::Ja) == t || k.label(crate::Lang::En).to_lowercase() == t
            })
        })
        .or_else(|| {
            KIND_WORDS
                .iter()
                .find(|(_, words)| words.contains(&t.as_str()))
                .map(|(k, _)| *k)
        })
}

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

    /// The draft of a table row's values (field key → value as typed).
    pub fn from_values(v: &BTreeMap<String, String>) -> DeviceDraft {
        let c = |k: &str| v.get(k).cloned().unwrap_or_default();
        DeviceDraft {
            kind: c("kind"),
            name: c("name"),
            location: c("location"),
            owner: c("owner"),
            system: c("system"),
            vendor: c("vendor"),
            product: c("product"),
            version: c("version"),
            internet_facing: c("internet_facing"),
            support_end: c("support_end"),
            last_patch: c("last_patch"),
            cpe: c("cpe"),
        }
    }

    /// Whether the internet-facing box is ticked, for the form.
    pub fn is_internet_facing(&self) -> bool {
        yes(&self.internet_facing) == Some(true)
    }

    /// Checks the draft; faults name their field.
    pub fn validate(&self) -> Result<Device, Problem> {
        let mut e = Vec::new();
        let kind = kind_of(&self.kind);
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
        // What vulnerability matching reads is kept in half-width forms (６.０.４ is 6.0.4).
        let hw = crate::cells::half_width;
        let vendor = text("vendor", &hw(&self.vendor), false);
        let product = text("product", &hw(&self.product), false);
        let version = text("version", &hw(&self.version), false);
        let cpe = text("cpe", &hw(&self.cpe), false);
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
    DEVICE_COLUMNS.iter().map(|c| c.ja.to_string()).collect()
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

/// The device table as an import reads it.
pub struct DeviceTable;

impl TableImport for DeviceTable {
    type Row = Device;

    fn columns(&self) -> Vec<Column> {
        DEVICE_COLUMNS.to_vec()
    }

    fn parse(&self, values: &BTreeMap<String, String>) -> Result<Device, Problem> {
        DeviceDraft::from_values(values).validate()
    }

    fn cells(&self, d: &Device) -> Vec<String> {
        device_row(d)
    }
}

/// Reads a device table whose headers are ours or names people commonly use (columns in any
/// order, a title above allowed). Every row is checked; any fault refuses the whole table.
pub fn import_devices(rows: &[Vec<String>]) -> Result<Vec<Device>, Vec<CellError>> {
    read_recognised(&DeviceTable, rows)
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
    fn a_hospitals_own_ledger_is_read_with_its_own_headers_and_values() {
        use crate::table::{preview, read_through, recognise};
        let table = vec![
            row(&["機器管理台帳(令和7年度)", "", "", "", "", "", ""]),
            row(&[
                "機器名",
                "区分",
                "メーカー名",
                "型番",
                "ファームウェア",
                "外部接続",
                "保守期限",
                "備考",
            ]),
            row(&[
                "ＶＰＮ－０１",
                "ルーター",
                "Fortinet",
                "FortiGate 60F",
                "６.０.４",
                "有",
                "令和8年3月31日",
                "本館",
            ]),
            row(&["受付PC-3", "PC", "NEC", "Mate", "", "無", "2026/3/31", ""]),
        ];
        let r = recognise(&table, &DEVICE_COLUMNS);
        assert_eq!(r.offset, 1, "the title above the header is skipped");
        assert!(!r.exact, "other names than ours: the user confirms");
        let m = |k: &str| r.mapping.get(k).map(String::as_str);
        assert_eq!(
            (
                m("name"),
                m("kind"),
                m("vendor"),
                m("product"),
                m("version")
            ),
            (
                Some("機器名"),
                Some("区分"),
                Some("メーカー名"),
                Some("型番"),
                Some("ファームウェア")
            )
        );
        assert_eq!(
            (m("internet_facing"), m("support_end"), m("owner")),
            (Some("外部接続"), Some("保守期限"), None)
        );
        let devices = read_through(&DeviceTable, &table, r.offset, &r.mapping).unwrap();
        assert_eq!(devices[0].kind, DeviceKind::Network);
        assert_eq!(devices[0].version, "6.0.4");
        assert!(devices[0].internet_facing && !devices[1].internet_facing);
        assert_eq!(devices[0].support_end, NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(devices[1].kind, DeviceKind::Terminal);
        // The preview shows the rows as they will be stored.
        let p = preview(&DeviceTable, &table, r.offset, &r.mapping, 5);
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].row, p[0].cells[0].as_str(), p[0].cells[8].as_str()),
            (3, "ネットワーク機器", "はい")
        );
        // A mapping the user changes is applied as given; faults name the file's row and column.
        let mut wrong = r.mapping.clone();
        wrong.insert("support_end".into(), "備考".into());
        let errs = read_through(&DeviceTable, &table, r.offset, &wrong).unwrap_err();
        assert_eq!(
            (errs[0].row, errs[0].letter.as_str(), errs[0].key.as_str()),
            (3, "H", "error.date")
        );
        // Our own export is read without asking.
        assert!(recognise(&[device_header()], &DEVICE_COLUMNS).exact);
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

//! Registers kept as rows of typed fields: remote connections (リモート接続), vendors and their
//! contracts (事業者・契約), backups (バックアップ) and restore tests (復旧テスト). One schema
//! describes each; forms, table import and export, and display all read it. (The device ledger has
//! its own type in `register`, because vulnerability matching reads its fields.)

use crate::Lang;
use crate::status::Remark;
use crate::table::{CellError, Column, TableImport, read_recognised};
use crate::validate::{FieldError, Problem};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A register row: field key to canonical value (dates `YYYY-MM-DD`, booleans `true`/`false`,
/// choices by code).
pub type Row = BTreeMap<String, String>;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines.
    Long,
    /// Yes or no.
    Bool,
    /// A day.
    Date,
    /// A whole number.
    Number,
    /// One of (code, Japanese, English).
    Choice(&'static [(&'static str, &'static str, &'static str)]),
}

/// A field of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Key.
    pub key: &'static str,
    /// Label, Japanese (also the table header).
    pub ja: &'static str,
    /// Label, English.
    pub en: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Must be filled.
    pub required: bool,
}

/// A register's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Register {
    /// Code in URLs and storage.
    pub code: &'static str,
    /// Name, Japanese.
    pub ja: &'static str,
    /// Name, English.
    pub en: &'static str,
    /// Fields in order; the first identifies a row in imports (rows with a known value update it).
    pub fields: &'static [Field],
    /// Days after which the register is due for review.
    pub review_days: i64,
}

const fn field(
    key: &'static str,
    ja: &'static str,
    en: &'static str,
    kind: FieldKind,
    required: bool,
) -> Field {
    Field {
        key,
        ja,
        en,
        kind,
        required,
    }
}

use FieldKind::{Bool, Choice, Date, Long, Number, Text};

/// Remote connections: every line by which someone reaches in.
pub const REMOTE_CONNECTIONS: Register = Register {
    code: "remote_connections",
    ja: "リモート接続",
    en: "Remote connections",
    fields: &[
        field("name", "回線名", "Line", Text, true),
        field(
            "kind",
            "種別",
            "Kind",
            Choice(&[
                (
                    "vendor_maintenance",
                    "事業者のリモート保守",
                    "Vendor remote maintenance",
                ),
                ("vpn", "VPN装置", "VPN appliance"),
                ("cloud", "クラウド接続", "Cloud link"),
                (
                    "partner",
                    "外部委託先・提携先のネットワーク(給食・検査など)",
                    "Partner network (catering, lab …)",
                ),
                ("other", "その他", "Other"),
            ]),
            true,
        ),
        field(
            "device",
            "接続機器(台帳の名称)",
            "Device (ledger name)",
            Text,
            false,
        ),
        field("vendor", "事業者", "Vendor", Text, false),
        field("purpose", "目的", "Purpose", Text, false),
        field(
            "two_factor",
            "二要素認証",
            "Two-factor authentication",
            Bool,
            false,
        ),
        field("always_on", "常時接続", "Always connected", Bool, false),
        field("approver", "利用の承認者", "Who approves use", Text, false),
        field("last_review", "最終確認日", "Last reviewed", Date, false),
    ],
    review_days: 365,
};

/// Vendors and their contracts per system.
pub const VENDORS: Register = Register {
    code: "vendors",
    ja: "事業者・契約",
    en: "Vendors and contracts",
    fields: &[
        field("name", "事業者・システム", "Vendor and system", Text, true),
        field("system", "システム", "System", Text, false),
        field(
            "contract_end",
            "契約期間の終了日",
            "Contract ends",
            Date,
            false,
        ),
        field(
            "responsibility",
            "責任分界(平時・障害時に誰が何をするか)",
            "Responsibility split (who does what, normally and in an incident)",
            Long,
            false,
        ),
        field(
            "mds_version",
            "MDS/SDS の版",
            "MDS/SDS version",
            Text,
            false,
        ),
        field(
            "mds_received",
            "MDS/SDS 受領日",
            "MDS/SDS received",
            Date,
            false,
        ),
        field(
            "certifications",
            "認証(Pマーク・ISMS・ISMAP 等)",
            "Certifications (P-mark, ISMS, ISMAP …)",
            Text,
            false,
        ),
        field(
            "certification_expiry",
            "認証の有効期限",
            "Certification expiry",
            Date,
            false,
        ),
        field(
            "sheet_status",
            "事業者確認用チェックリスト",
            "Vendor checklist sheet",
            Choice(&[
                ("not_sent", "未依頼", "Not sent"),
                ("sent", "依頼済み", "Sent"),
                ("answered", "回答済み", "Answered"),
            ]),
            false,
        ),
    ],
    review_days: 365,
};

/// Backups per system.
pub const BACKUPS: Register = Register {
    code: "backups",
    ja: "バックアップ",
    en: "Backups",
    fields: &[
        field(
            "name",
            "システム・対象データ",
            "System and data",
            Text,
            true,
        ),
        field(
            "method",
            "方法(媒体・ソフト)",
            "Method (media, software)",
            Text,
            false,
        ),
        field(
            "generations",
            "保存世代数",
            "Generations kept",
            Number,
            false,
        ),
        field(
            "offline",
            "オフライン保管あり",
            "An offline copy",
            Bool,
            false,
        ),
        field(
            "immutable",
            "改ざん不可(WORM・イミュータブル)",
            "Write-once (WORM, immutable)",
            Bool,
            false,
        ),
        field("location", "保管場所", "Where kept", Text, false),
        field("frequency", "取得頻度", "How often", Text, false),
    ],
    review_days: 365,
};

/// Restore tests: when a backup was brought back, and how it went.
pub const RESTORE_TESTS: Register = Register {
    code: "restore_tests",
    ja: "復旧テスト",
    en: "Restore tests",
    fields: &[
        field("name", "テスト名", "Test", Text, true),
        field("system", "システム", "System", Text, false),
        field("tested_on", "実施日", "Tested on", Date, true),
        field(
            "result",
            "結果",
            "Result",
            Choice(&[
                ("success", "成功", "Succeeded"),
                ("partial", "一部成功", "Partly"),
                ("failure", "失敗", "Failed"),
            ]),
            true,
        ),
        field(
            "hours",
            "復旧に要した時間(時間)",
            "Hours to restore",
            Number,
            false,
        ),
        field("notes", "気づいた点", "Findings", Long, false),
    ],
    review_days: 365,
};

/// Every register kept as rows.
pub const REGISTERS: [&Register; 4] = [&REMOTE_CONNECTIONS, &VENDORS, &BACKUPS, &RESTORE_TESTS];

/// The register of a code.
pub fn register(code: &str) -> Option<&'static Register> {
    REGISTERS.into_iter().find(|r| r.code == code)
}

fn parse_bool(v: &str) -> Option<bool> {
    crate::cells::flag(v)
}

impl Register {
    /// The name in a language.
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }

    /// Checks typed values into a canonical row; faults name their field.
    pub fn validate(&self, input: &BTreeMap<String, String>) -> Result<Row, Problem> {
        let mut row = Row::new();
        let mut errors = Vec::new();
        for f in self.fields {
            let raw = input.get(f.key).map(|v| v.trim()).unwrap_or("");
            let mut fault = |key: &str| errors.push(FieldError::new(f.key, key));
            if raw.is_empty() && f.kind != Bool {
                if f.required {
                    fault(if matches!(f.kind, Choice(_)) {
                        "error.choose_one"
                    } else {
                        "error.required"
                    });
                }
                row.insert(f.key.into(), String::new());
                continue;
            }
            let value = match f.kind {
                Text if raw.chars().count() > 200 => {
                    fault("error.too_long");
                    raw.to_string()
                }
                Long if raw.chars().count() > 4000 => {
                    fault("error.too_long");
                    raw.to_string()
                }
                Text | Long => raw.to_string(),
                Bool => match parse_bool(raw) {
                    Some(b) => b.to_string(),
                    None => {
                        fault("error.yes_no");
                        raw.to_string()
                    }
                },
                Date => match crate::cells::date(raw) {
                    Some(d) => d.to_string(),
                    None => {
                        fault("error.date");
                        raw.to_string()
                    }
                },
                Number => match crate::cells::count(raw) {
                    Some(n) => n.to_string(),
                    None => {
                        fault("error.number");
                        raw.to_string()
                    }
                },
                Choice(options) => match options.iter().find(|(code, ja, en)| {
                    let typed = crate::cells::half_width(raw);
                    let typed = typed.trim();
                    typed.eq_ignore_ascii_case(code)
                        || typed == *ja
                        || typed.eq_ignore_ascii_case(en)
                }) {
                    Some((code, _, _)) => code.to_string(),
                    None => {
                        fault("error.choose_one");
                        raw.to_string()
                    }
                },
            };
            row.insert(f.key.into(), value);
        }
        if errors.is_empty() {
            Ok(row)
        } else {
            Err(Problem::new(errors))
        }
    }

    /// A value as people read it.
    pub fn display(&self, row: &Row, key: &str, lang: Lang) -> String {
        let v = row.get(key).cloned().unwrap_or_default();
        match self.fields.iter().find(|f| f.key == key).map(|f| f.kind) {
            Some(Bool) => match v.as_str() {
                "true" => lang.pick("はい", "Yes").into(),
                "false" => lang.pick("いいえ", "No").into(),
                _ => v,
            },
            Some(Choice(options)) => options
                .iter()
                .find(|(code, _, _)| *code == v)
                .map(|(_, ja, en)| lang.pick(ja, en).to_string())
                .unwrap_or(v),
            _ => v,
        }
    }

    /// The table header (Japanese).
    pub fn header(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.ja.to_string()).collect()
    }

    /// A row as table cells (Japanese values).
    pub fn cells(&self, row: &Row) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| self.display(row, f.key, Lang::Ja))
            .collect()
    }

    /// Reads a table whose headers are ours or names people commonly use (any column order, a
    /// title above allowed); any fault refuses it all.
    pub fn import(&self, rows: &[Vec<String>]) -> Result<Vec<Row>, Vec<CellError>> {
        read_recognised(self, rows)
    }
}

impl TableImport for Register {
    type Row = Row;

    fn columns(&self) -> Vec<Column> {
        self.fields
            .iter()
            .map(|f| Column {
                key: f.key,
                ja: f.ja,
                en: f.en,
                required: f.required,
                aliases: aliases(self.code, f.key),
            })
            .collect()
    }

    fn parse(&self, values: &BTreeMap<String, String>) -> Result<Row, Problem> {
        self.validate(values)
    }

    fn cells(&self, row: &Row) -> Vec<String> {
        Register::cells(self, row)
    }
}

/// Other headers people give a register's columns in their own spreadsheets.
fn aliases(register: &str, key: &str) -> &'static [&'static str] {
    match (register, key) {
        ("remote_connections", "name") => &[
            "回線",
            "接続名",
            "接続先",
            "リモート接続",
            "名称",
            "line",
            "connection",
        ],
        ("remote_connections", "kind") => &["接続種別", "区分", "種類", "type"],
        ("remote_connections", "device") => &["接続機器", "機器", "機器名", "装置", "device"],
        ("remote_connections", "vendor") => &[
            "保守事業者",
            "業者",
            "事業者名",
            "保守会社",
            "委託先",
            "company",
        ],
        ("remote_connections", "purpose") => &["用途", "利用目的", "接続目的"],
        ("remote_connections", "two_factor") => &["二要素", "多要素認証", "mfa", "2fa"],
        ("remote_connections", "always_on") => &["常時", "常時接続有無", "接続形態"],
        ("remote_connections", "approver") => &["承認者", "承認", "許可者"],
        ("remote_connections", "last_review") => &["確認日", "最終点検日", "棚卸日"],
        ("vendors", "name") => &[
            "事業者",
            "事業者名",
            "業者名",
            "委託先",
            "会社名",
            "vendor",
            "company",
        ],
        ("vendors", "system") => &["システム名", "対象システム", "製品"],
        ("vendors", "contract_end") => &["契約終了日", "契約期限", "契約満了日", "契約期間"],
        ("vendors", "responsibility") => &["責任分界", "役割分担", "責任分界点"],
        ("vendors", "mds_version") => &["mds版", "sds版", "mds/sdsバージョン"],
        ("vendors", "mds_received") => &["mds受領日", "sds受領日", "mds/sds受領"],
        ("vendors", "certifications") => &["認証", "取得認証", "第三者認証"],
        ("vendors", "certification_expiry") => &["認証期限", "認証有効期限"],
        ("vendors", "sheet_status") => &["チェックリスト", "事業者確認用", "確認用チェックリスト"],
        ("backups", "name") => &[
            "対象",
            "対象システム",
            "システム",
            "バックアップ対象",
            "データ",
            "system",
        ],
        ("backups", "method") => &["方式", "バックアップ方式", "媒体", "方法"],
        ("backups", "generations") => &["世代数", "世代", "保存世代", "generations"],
        ("backups", "offline") => &["オフライン", "オフライン保管", "offline"],
        ("backups", "immutable") => &["改ざん防止", "イミュータブル", "worm", "immutable"],
        ("backups", "location") => &["保管先", "保存場所", "保存先"],
        ("backups", "frequency") => &["頻度", "取得間隔", "周期", "schedule"],
        ("restore_tests", "name") => &["テスト", "試験名", "訓練名", "項目"],
        ("restore_tests", "system") => &["対象システム", "システム名"],
        ("restore_tests", "tested_on") => &["実施日時", "テスト日", "試験日", "日付", "date"],
        ("restore_tests", "result") => &["結果(成功/失敗)", "判定", "result"],
        ("restore_tests", "hours") => &["所要時間", "復旧時間", "時間"],
        ("restore_tests", "notes") => &["備考", "所見", "メモ", "notes"],
        _ => &[],
    }
}

fn date_of(row: &Row, key: &str) -> Option<NaiveDate> {
    row.get(key)
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
}

fn yes(row: &Row, key: &str) -> bool {
    row.get(key).is_some_and(|v| v == "true")
}

/// What a register's rows show on `today`: figures (what there is) and concerns (what needs
/// attention), each counted.
pub fn remarks(register: &Register, rows: &[Row], today: NaiveDate) -> (Vec<Remark>, Vec<Remark>) {
    let counted = |code, n: usize, ja, en| (n > 0).then(|| Remark::counted(code, n, ja, en));
    let concerns = match register.code {
        "remote_connections" => vec![
            counted(
                "without_two_factor",
                rows.iter().filter(|r| !yes(r, "two_factor")).count(),
                "二要素認証なし",
                "without two-factor:",
            ),
            counted(
                "always_on",
                rows.iter().filter(|r| yes(r, "always_on")).count(),
                "常時接続",
                "always connected:",
            ),
        ],
        "vendors" => vec![
            counted(
                "mds_missing",
                rows.iter()
                    .filter(|r| r.get("mds_received").is_none_or(|v| v.is_empty()))
                    .count(),
                "MDS/SDS 未受領",
                "MDS/SDS missing:",
            ),
            counted(
                "certification_expired",
                rows.iter()
                    .filter(|r| date_of(r, "certification_expiry").is_some_and(|d| d < today))
                    .count(),
                "認証期限切れ",
                "certification expired:",
            ),
            counted(
                "contract_ended",
                rows.iter()
                    .filter(|r| date_of(r, "contract_end").is_some_and(|d| d < today))
                    .count(),
                "契約終了",
                "contract ended:",
            ),
        ],
        "backups" => vec![counted(
            "no_offline_copy",
            rows.iter()
                .filter(|r| !yes(r, "offline") && !yes(r, "immutable"))
                .count(),
            "オフライン・改ざん不可の複製なし",
            "no offline or write-once copy:",
        )],
        "restore_tests" => {
            let (start, _) = crate::fiscal::fiscal_year_range(crate::fiscal::fiscal_year_of(today))
                .unwrap_or((today, today));
            let this_year = rows
                .iter()
                .filter(|r| date_of(r, "tested_on").is_some_and(|d| d >= start && d <= today))
                .count();
            if this_year > 0 {
                let figure = Remark::counted(
                    "tested_this_year",
                    this_year,
                    "今年度の復旧テスト",
                    "restore tests this fiscal year:",
                );
                return (vec![figure], vec![]);
            }
            vec![Some(Remark::whole(
                "no_test_this_year",
                "今年度の復旧テストの記録なし",
                "no restore test recorded this fiscal year",
            ))]
        }
        _ => vec![],
    };
    (vec![], concerns.into_iter().flatten().collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn values_are_checked_and_made_canonical() {
        let r = REMOTE_CONNECTIONS
            .validate(&input(&[
                ("name", "給食業者回線"),
                ("kind", "外部委託先・提携先のネットワーク(給食・検査など)"),
                ("two_factor", "いいえ"),
                ("last_review", "2025/09/01"),
            ]))
            .unwrap();
        assert_eq!(r["kind"], "partner");
        assert_eq!(r["two_factor"], "false");
        assert_eq!(r["last_review"], "2025-09-01");
        let p = RESTORE_TESTS
            .validate(&input(&[
                ("name", "x"),
                ("result", "maybe"),
                ("hours", "-3"),
            ]))
            .unwrap_err();
        assert_eq!(p.for_field("tested_on"), Some("error.required"));
        assert_eq!(p.for_field("result"), Some("error.choose_one"));
        assert_eq!(p.for_field("hours"), Some("error.number"));
    }

    #[test]
    fn tables_round_trip_and_faults_name_row_and_column() {
        let row = BACKUPS
            .validate(&input(&[
                ("name", "電子カルテ"),
                ("generations", "7"),
                ("offline", "はい"),
            ]))
            .unwrap();
        let table = vec![BACKUPS.header(), BACKUPS.cells(&row)];
        assert_eq!(BACKUPS.import(&table).unwrap(), vec![row]);
        let bad = vec![
            vec!["システム・対象データ".to_string(), "保存世代数".to_string()],
            vec!["PACS".to_string(), "七".to_string()],
        ];
        let e = BACKUPS.import(&bad).unwrap_err();
        assert_eq!(
            (e[0].row, e[0].letter.as_str(), e[0].key.as_str()),
            (2, "B", "error.number")
        );
    }

    #[test]
    fn concerns_name_what_an_inspector_would_ask_about() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let lines = vec![
            REMOTE_CONNECTIONS
                .validate(&input(&[("name", "a"), ("kind", "vpn")]))
                .unwrap(),
        ];
        let text = |r: Vec<Remark>, lang| r.iter().map(|c| c.text(lang)).collect::<Vec<_>>();
        assert_eq!(
            text(remarks(&REMOTE_CONNECTIONS, &lines, today).1, Lang::Ja),
            vec!["二要素認証なし 1"]
        );
        let old = RESTORE_TESTS
            .validate(&input(&[
                ("name", "t"),
                ("tested_on", "2026-03-31"),
                ("result", "success"),
            ]))
            .unwrap();
        assert_eq!(
            text(
                remarks(&RESTORE_TESTS, std::slice::from_ref(&old), today).1,
                Lang::Ja
            ),
            vec!["今年度の復旧テストの記録なし"]
        );
        let new = RESTORE_TESTS
            .validate(&input(&[
                ("name", "t2"),
                ("tested_on", "2026-04-20"),
                ("result", "success"),
            ]))
            .unwrap();
        let (figures, concerns) = remarks(&RESTORE_TESTS, &[old, new], today);
        assert!(concerns.is_empty());
        assert_eq!(
            text(figures, Lang::En),
            vec!["restore tests this fiscal year: 1"]
        );
    }
}

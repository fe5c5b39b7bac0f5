//! Oversight (監督): the jurisdiction of an authority (a prefecture, the municipalities of a 保健所,
//! or the nation), the roster of the institutions in it, the frozen snapshot an institution
//! submits of a fiscal year's checklist, and the figures an authority reads over them, with
//! small numbers suppressed so that no published cell points at a handful of institutions.

use crate::cells::{count, half_width};
use crate::org::InstitutionType;
use crate::table::{Column, TableImport};
use crate::validate::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The 47 prefectures by their JIS X 0401 code, with their names in Japanese and English.
pub const PREFECTURES: [(&str, &str, &str); 47] = [
    ("01", "北海道", "Hokkaido"),
    ("02", "青森県", "Aomori"),
    ("03", "岩手県", "Iwate"),
    ("04", "宮城県", "Miyagi"),
    ("05", "秋田県", "Akita"),
    ("06", "山形県", "Yamagata"),
    ("07", "福島県", "Fukushima"),
    ("08", "茨城県", "Ibaraki"),
    ("09", "栃木県", "Tochigi"),
    ("10", "群馬県", "Gunma"),
    ("11", "埼玉県", "Saitama"),
    ("12", "千葉県", "Chiba"),
    ("13", "東京都", "Tokyo"),
    ("14", "神奈川県", "Kanagawa"),
    ("15", "新潟県", "Niigata"),
    ("16", "富山県", "Toyama"),
    ("17", "石川県", "Ishikawa"),
    ("18", "福井県", "Fukui"),
    ("19", "山梨県", "Yamanashi"),
    ("20", "長野県", "Nagano"),
    ("21", "岐阜県", "Gifu"),
    ("22", "静岡県", "Shizuoka"),
    ("23", "愛知県", "Aichi"),
    ("24", "三重県", "Mie"),
    ("25", "滋賀県", "Shiga"),
    ("26", "京都府", "Kyoto"),
    ("27", "大阪府", "Osaka"),
    ("28", "兵庫県", "Hyogo"),
    ("29", "奈良県", "Nara"),
    ("30", "和歌山県", "Wakayama"),
    ("31", "鳥取県", "Tottori"),
    ("32", "島根県", "Shimane"),
    ("33", "岡山県", "Okayama"),
    ("34", "広島県", "Hiroshima"),
    ("35", "山口県", "Yamaguchi"),
    ("36", "徳島県", "Tokushima"),
    ("37", "香川県", "Kagawa"),
    ("38", "愛媛県", "Ehime"),
    ("39", "高知県", "Kochi"),
    ("40", "福岡県", "Fukuoka"),
    ("41", "佐賀県", "Saga"),
    ("42", "長崎県", "Nagasaki"),
    ("43", "熊本県", "Kumamoto"),
    ("44", "大分県", "Oita"),
    ("45", "宮崎県", "Miyazaki"),
    ("46", "鹿児島県", "Kagoshima"),
    ("47", "沖縄県", "Okinawa"),
];

/// A prefecture's name in a language, or the code itself when it names none.
pub fn prefecture_name(code: &str, lang: crate::Lang) -> String {
    PREFECTURES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, ja, en)| lang.pick(ja, en).into())
}

/// The prefecture a code, a name (東京都, 東京, Tokyo) or a number (13) names.
pub fn prefecture_code(s: &str) -> Option<&'static str> {
    let s = half_width(s).trim().to_string();
    let padded = if s.len() == 1 {
        format!("0{s}")
    } else {
        s.clone()
    };
    PREFECTURES
        .iter()
        .find(|(c, ja, en)| {
            *c == padded
                || *ja == s
                || ja.trim_end_matches(['都', '府', '県']) == s
                || en.eq_ignore_ascii_case(&s)
        })
        .map(|(c, _, _)| *c)
}

/// Where an authority oversees (所管).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Jurisdiction {
    /// The whole country (MHLW, a national ISAC).
    National,
    /// One prefecture (都道府県).
    Prefecture {
        /// Its JIS code.
        prefecture: String,
    },
    /// Municipalities of one prefecture (保健所設置市・特別区, a 保健所's area).
    Municipalities {
        /// Their prefecture's JIS code.
        prefecture: String,
        /// The municipalities by name, as the roster writes them.
        municipalities: Vec<String>,
    },
}

impl Jurisdiction {
    /// Reads a jurisdiction as a form or the API gives it: `scope` (`national`, `prefecture`,
    /// `municipalities`), the prefecture (code or name) and the municipalities (one a line or
    /// separated by 、 or commas). Faults name `scope`, `prefecture` or `municipalities`.
    pub fn parse(scope: &str, prefecture: &str, municipalities: &str) -> Result<Self, Problem> {
        let pref = || {
            prefecture_code(prefecture)
                .map(str::to_string)
                .ok_or_else(|| Problem::field("prefecture", "oversight.error.prefecture"))
        };
        match scope.trim() {
            "national" => Ok(Jurisdiction::National),
            "prefecture" => Ok(Jurisdiction::Prefecture {
                prefecture: pref()?,
            }),
            "municipalities" => {
                let names: Vec<String> = municipalities
                    .split(['\n', ',', '、', '，'])
                    .map(|m| half_width(m).trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect();
                let prefecture = pref();
                let mut faults = Vec::new();
                if names.is_empty() || names.iter().any(|m| m.chars().count() > 50) {
                    faults.push(FieldError::new(
                        "municipalities",
                        "oversight.error.municipalities",
                    ));
                }
                match prefecture {
                    Ok(p) if faults.is_empty() => Ok(Jurisdiction::Municipalities {
                        prefecture: p,
                        municipalities: names,
                    }),
                    Ok(_) => Err(Problem::new(faults)),
                    Err(mut e) => {
                        e.errors.extend(faults);
                        Err(e)
                    }
                }
            }
            _ => Err(Problem::field("scope", "oversight.error.scope")),
        }
    }

    /// The scope's code.
    pub fn scope(&self) -> &'static str {
        match self {
            Jurisdiction::National => "national",
            Jurisdiction::Prefecture { .. } => "prefecture",
            Jurisdiction::Municipalities { .. } => "municipalities",
        }
    }

    /// The prefecture, when the jurisdiction lies in one.
    pub fn prefecture(&self) -> Option<&str> {
        match self {
            Jurisdiction::National => None,
            Jurisdiction::Prefecture { prefecture }
            | Jurisdiction::Municipalities { prefecture, .. } => Some(prefecture),
        }
    }

    /// The municipalities, for a 保健所's jurisdiction; empty otherwise.
    pub fn municipalities(&self) -> &[String] {
        match self {
            Jurisdiction::Municipalities { municipalities, .. } => municipalities,
            _ => &[],
        }
    }

    /// Whether an institution in this prefecture and municipality lies within it.
    pub fn covers(&self, prefecture: &str, municipality: &str) -> bool {
        match self {
            Jurisdiction::National => true,
            Jurisdiction::Prefecture { prefecture: p } => p == prefecture,
            Jurisdiction::Municipalities {
                prefecture: p,
                municipalities,
            } => p == prefecture && municipalities.iter().any(|m| m == municipality),
        }
    }

    /// In words, in a language: 全国, 東京都, 東京都 新宿区・中野区.
    pub fn label(&self, lang: crate::Lang) -> String {
        match self {
            Jurisdiction::National => lang.pick("全国", "The whole country").into(),
            Jurisdiction::Prefecture { prefecture } => prefecture_name(prefecture, lang),
            Jurisdiction::Municipalities {
                prefecture,
                municipalities,
            } => format!(
                "{} {}",
                prefecture_name(prefecture, lang),
                municipalities.join(lang.pick("・", ", "))
            ),
        }
    }
}

/// A 医療機関コード (or 薬局コード): ten digits, the first two the prefecture's code. Full-width
/// digits and hyphens as people type them are accepted.
pub fn institution_code(s: &str) -> Option<String> {
    let digits: String = half_width(s)
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | 'ー' | '−'))
        .collect();
    (digits.len() == 10
        && digits.chars().all(|c| c.is_ascii_digit())
        && prefecture_code(digits.get(..2)?).is_some_and(|p| p == &digits[..2]))
    .then_some(digits)
}

/// An institution in an authority's roster (名簿).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// 医療機関コード: the key an institution's submission is matched by.
    pub code: String,
    /// Its name.
    pub name: String,
    /// 病院・診療所・歯科診療所・薬局.
    pub institution_type: InstitutionType,
    /// Beds (none for a pharmacy or when not given).
    pub beds: Option<u32>,
    /// The prefecture, from the code.
    pub prefecture: String,
    /// The municipality (市区町村).
    pub municipality: String,
    /// A contact address, if given.
    pub email: String,
}

/// The columns of a roster, with the names prefectures' own lists give them.
pub const ROSTER_COLUMNS: [Column; 6] = [
    Column::new(
        "code",
        "医療機関コード",
        "Institution code",
        true,
        &[
            "コード",
            "医療機関番号",
            "薬局コード",
            "機関コード",
            "code",
            "institution code",
        ],
    ),
    Column::new(
        "name",
        "名称",
        "Name",
        true,
        &["医療機関名", "施設名", "開設場所の名称", "薬局名", "name"],
    ),
    Column::new(
        "type",
        "種別",
        "Type",
        true,
        &["施設種別", "区分", "医療機関種別", "type"],
    ),
    Column::new(
        "beds",
        "病床数",
        "Beds",
        false,
        &["許可病床数", "病床", "beds"],
    ),
    Column::new(
        "municipality",
        "市区町村",
        "Municipality",
        true,
        &["所在市区町村", "市町村", "所在地", "municipality", "city"],
    ),
    Column::new(
        "email",
        "メールアドレス",
        "E-mail",
        false,
        &["メール", "連絡先メール", "email", "e-mail"],
    ),
];

/// A roster as a table to import.
pub struct RosterTable;

/// The type a cell names: its code, or its name in either language.
fn institution_type(s: &str) -> Option<InstitutionType> {
    let s = half_width(s).trim().to_string();
    InstitutionType::ALL.into_iter().find(|t| {
        t.code() == s
            || t.label(crate::Lang::Ja) == s
            || t.label(crate::Lang::En).eq_ignore_ascii_case(&s)
            || (s == "歯科" && *t == InstitutionType::DentalClinic)
    })
}

impl TableImport for RosterTable {
    type Row = RosterEntry;

    fn columns(&self) -> Vec<Column> {
        ROSTER_COLUMNS.to_vec()
    }

    fn parse(&self, v: &BTreeMap<String, String>) -> Result<RosterEntry, Problem> {
        let cell = |k: &str| {
            half_width(v.get(k).map_or("", String::as_str))
                .trim()
                .to_string()
        };
        let mut faults = Vec::new();
        let code = institution_code(&cell("code"));
        if code.is_none() {
            faults.push(FieldError::new("code", "oversight.error.code"));
        }
        let kind = institution_type(&cell("type"));
        if kind.is_none() {
            faults.push(FieldError::new("type", "oversight.error.type"));
        }
        let name = cell("name");
        if name.is_empty() || name.chars().count() > 200 {
            faults.push(FieldError::new("name", "oversight.error.name"));
        }
        let municipality = cell("municipality");
        if municipality.is_empty() || municipality.chars().count() > 50 {
            faults.push(FieldError::new(
                "municipality",
                "oversight.error.municipality",
            ));
        }
        let beds_text = cell("beds");
        let beds = if beds_text.is_empty() {
            None
        } else {
            let b = count(&beds_text);
            if b.is_none() {
                faults.push(FieldError::new("beds", "oversight.error.beds"));
            }
            b
        };
        let email = cell("email");
        if !email.is_empty() && (!email.contains('@') || email.chars().count() > 254) {
            faults.push(FieldError::new("email", "oversight.error.email"));
        }
        match (code, kind) {
            (Some(code), Some(institution_type)) if faults.is_empty() => Ok(RosterEntry {
                prefecture: code[..2].to_string(),
                code,
                name,
                institution_type,
                beds,
                municipality,
                email,
            }),
            _ => Err(Problem::new(faults)),
        }
    }

    fn cells(&self, r: &RosterEntry) -> Vec<String> {
        vec![
            r.code.clone(),
            r.name.clone(),
            r.institution_type.label(crate::Lang::Ja).to_string(),
            r.beds.map(|b| b.to_string()).unwrap_or_default(),
            r.municipality.clone(),
            r.email.clone(),
        ]
    }
}

/// One answer as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedAnswer {
    /// The catalog item's id.
    pub item_id: String,
    /// Its number on the sheet (1-①).
    pub number: String,
    /// `yes`, `no`, or empty when unanswered.
    pub answer: String,
    /// 確認日, when given.
    pub checked_on: Option<chrono::NaiveDate>,
    /// The target date of a いいえ, when given.
    pub target: Option<chrono::NaiveDate>,
}

/// What an institution submits to its authority: a fiscal year's checklist, frozen. Its digest
/// is over exactly these fields, so anyone holding the snapshot can check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistSnapshot {
    /// The format's version.
    pub format: u32,
    /// 医療機関コード.
    pub institution_code: String,
    /// The institution's name.
    pub institution_name: String,
    /// The municipality it lies in.
    pub municipality: String,
    /// The fiscal year (2025 for 令和7年度).
    pub fiscal_year: i32,
    /// The sheet (`fy2025.institution`).
    pub sheet_id: String,
    /// The answers in the sheet's order.
    pub answers: Vec<SubmittedAnswer>,
}

impl ChecklistSnapshot {
    /// The SHA-256 of the snapshot's JSON, in hex.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }

    /// Items answered, of all.
    pub fn answered(&self) -> usize {
        self.answers.iter().filter(|a| !a.answer.is_empty()).count()
    }

    /// Items answered はい.
    pub fn yes(&self) -> usize {
        self.answers.iter().filter(|a| a.answer == "yes").count()
    }
}

/// A size band of institutions by beds, as overviews filter them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BedBand {
    /// No beds (most clinics, pharmacies).
    None,
    /// 1–19 beds (有床診療所).
    Small,
    /// 20–199 beds.
    Medium,
    /// 200 beds or more.
    Large,
}

impl BedBand {
    /// Every band, smallest first.
    pub const ALL: [BedBand; 4] = [
        BedBand::None,
        BedBand::Small,
        BedBand::Medium,
        BedBand::Large,
    ];

    /// The band of a bed count (none given: no beds).
    pub fn of(beds: Option<u32>) -> BedBand {
        match beds.unwrap_or(0) {
            0 => BedBand::None,
            1..=19 => BedBand::Small,
            20..=199 => BedBand::Medium,
            _ => BedBand::Large,
        }
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            BedBand::None => "none",
            BedBand::Small => "1-19",
            BedBand::Medium => "20-199",
            BedBand::Large => "200+",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<BedBand> {
        BedBand::ALL.into_iter().find(|b| b.code() == code.trim())
    }

    /// In words.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            BedBand::None => lang.pick("病床なし", "No beds"),
            BedBand::Small => lang.pick("1〜19床", "1–19 beds"),
            BedBand::Medium => lang.pick("20〜199床", "20–199 beds"),
            BedBand::Large => lang.pick("200床以上", "200 beds or more"),
        }
    }
}

/// The default of k: a cell describing fewer institutions than this is not shown.
pub const DEFAULT_MIN_CELL: usize = 5;

/// A figure that describes `institutions` institutions: shown only when they are at least `k`.
pub fn suppressed(value: usize, institutions: usize, k: usize) -> Option<usize> {
    (institutions >= k).then_some(value)
}

/// How one checklist item stands across the latest submissions of a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRate {
    /// The item's id.
    pub item_id: String,
    /// Its number.
    pub number: String,
    /// Institutions that answered it.
    pub answered: usize,
    /// Of those, はい.
    pub yes: usize,
}

impl ItemRate {
    /// The はい rate in percent, or none when fewer than `k` institutions answered.
    pub fn yes_percent(&self, k: usize) -> Option<u32> {
        suppressed(self.yes, self.answered, k.max(1))
            .map(|y| u32::try_from(y * 100 / self.answered.max(1)).unwrap_or(100))
    }
}

/// The rate of every item across snapshots of one sheet, in the order of the first snapshot.
pub fn item_rates<'a>(snapshots: impl IntoIterator<Item = &'a ChecklistSnapshot>) -> Vec<ItemRate> {
    let mut out: Vec<ItemRate> = Vec::new();
    for s in snapshots {
        for a in &s.answers {
            let at = match out.iter().position(|r| r.item_id == a.item_id) {
                Some(i) => i,
                None => {
                    out.push(ItemRate {
                        item_id: a.item_id.clone(),
                        number: a.number.clone(),
                        answered: 0,
                        yes: 0,
                    });
                    out.len() - 1
                }
            };
            if let (false, Some(r)) = (a.answer.is_empty(), out.get_mut(at)) {
                r.answered += 1;
                r.yes += usize::from(a.answer == "yes");
            }
        }
    }
    out
}

/// A finding of an inspection: about one checklist item (its number and id), or general.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The item's number on the sheet (2-⑬); empty for a general finding.
    pub number: String,
    /// The item's id; empty for a general finding.
    pub item_id: String,
    /// What was found.
    pub text: String,
}

/// An on-site inspection (立入検査) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InspectionDraft {
    /// The institution's 医療機関コード.
    pub institution_code: String,
    /// The day of the inspection.
    pub inspected_on: String,
    /// Who inspected.
    pub inspectors: String,
    /// Findings, one a line; a line that begins with an item's number (2-⑬) is about that item.
    pub findings: String,
    /// The guidance given.
    pub guidance: String,
    /// When the follow-up is due, if one is.
    pub follow_up_due: String,
}

/// An inspection, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// 医療機関コード.
    pub institution_code: String,
    /// The day.
    pub inspected_on: chrono::NaiveDate,
    /// Who inspected.
    pub inspectors: String,
    /// The findings.
    pub findings: Vec<Finding>,
    /// The guidance given.
    pub guidance: String,
    /// When the follow-up is due.
    pub follow_up_due: Option<chrono::NaiveDate>,
}

impl InspectionDraft {
    /// Checks the draft against the items of the sheet seen (number, id): faults name
    /// `institution_code`, `inspected_on`, `inspectors`, `guidance`, `follow_up_due`.
    pub fn validate(&self, items: &[(String, String)]) -> Result<Inspection, Problem> {
        let mut faults = Vec::new();
        let code = institution_code(&self.institution_code);
        if code.is_none() {
            faults.push(FieldError::new("institution_code", "oversight.error.code"));
        }
        let day = crate::cells::date(&self.inspected_on);
        if day.is_none() {
            faults.push(FieldError::new("inspected_on", "oversight.error.date"));
        }
        let inspectors = self.inspectors.trim().to_string();
        if inspectors.is_empty() || inspectors.chars().count() > 200 {
            faults.push(FieldError::new("inspectors", "oversight.error.inspectors"));
        }
        let guidance = self.guidance.trim().to_string();
        if guidance.chars().count() > 5000 || self.findings.chars().count() > 10_000 {
            faults.push(FieldError::new("guidance", "oversight.error.text"));
        }
        let due = match self.follow_up_due.trim() {
            "" => None,
            t => match crate::cells::date(t) {
                Some(d) if day.is_none_or(|day| d >= day) => Some(d),
                _ => {
                    faults.push(FieldError::new("follow_up_due", "oversight.error.due"));
                    None
                }
            },
        };
        let findings = self
            .findings
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (head, rest) = line
                    .split_once([' ', '\u{3000}', ':', '：'])
                    .unwrap_or((line, ""));
                match items.iter().find(|(n, _)| n == head.trim()) {
                    Some((number, id)) if !rest.trim().is_empty() => Finding {
                        number: number.clone(),
                        item_id: id.clone(),
                        text: rest.trim().to_string(),
                    },
                    _ => Finding {
                        number: String::new(),
                        item_id: String::new(),
                        text: line.to_string(),
                    },
                }
            })
            .collect();
        match (code, day) {
            (Some(institution_code), Some(inspected_on)) if faults.is_empty() => Ok(Inspection {
                institution_code,
                inspected_on,
                inspectors,
                findings,
                guidance,
                follow_up_due: due,
            }),
            _ => Err(Problem::new(faults)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_recognised;

    fn rows(csv: &[&[&str]]) -> Vec<Vec<String>> {
        csv.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_jurisdiction_covers_its_prefecture_or_its_municipalities_only() {
        let tokyo = Jurisdiction::parse("prefecture", "東京", "").unwrap();
        assert_eq!(tokyo.prefecture(), Some("13"));
        assert!(tokyo.covers("13", "新宿区") && !tokyo.covers("14", "横浜市"));
        let hc = Jurisdiction::parse("municipalities", "13", "新宿区、中野区").unwrap();
        assert!(hc.covers("13", "中野区") && !hc.covers("13", "渋谷区"));
        assert!(Jurisdiction::National.covers("47", "那覇市"));
        assert_eq!(hc.label(crate::Lang::Ja), "東京都 新宿区・中野区");
        let bad = Jurisdiction::parse("municipalities", "東都", "").unwrap_err();
        let fields: Vec<_> = bad.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["prefecture", "municipalities"]);
        assert!(Jurisdiction::parse("city", "13", "").is_err());
    }

    #[test]
    fn an_institution_code_is_ten_digits_beginning_with_a_prefecture() {
        assert_eq!(
            institution_code("１３１２３４５６７８").as_deref(),
            Some("1312345678")
        );
        assert_eq!(
            institution_code("13-1-2345678").as_deref(),
            Some("1312345678")
        );
        assert_eq!(institution_code("4812345678"), None);
        assert_eq!(institution_code("131234567"), None);
    }

    #[test]
    fn a_roster_is_read_from_the_columns_people_give_and_faults_name_row_and_column() {
        let good = rows(&[
            &[
                "医療機関番号",
                "施設名",
                "施設種別",
                "許可病床数",
                "所在市区町村",
            ],
            &["1312345678", "守り病院", "病院", "200", "新宿区"],
            &["1398765432", "まもり薬局", "薬局", "", "中野区"],
        ]);
        let read = read_recognised(&RosterTable, &good).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].prefecture, "13");
        assert_eq!(read[1].institution_type, InstitutionType::Pharmacy);
        let bad = rows(&[
            &["医療機関コード", "名称", "種別", "病床数", "市区町村"],
            &["1312345678", "守り病院", "病院", "200", "新宿区"],
            &["99", "X", "温泉", "many", ""],
        ]);
        let faults = read_recognised(&RosterTable, &bad).unwrap_err();
        let at: Vec<_> = faults.iter().map(|e| (e.row, e.letter.as_str())).collect();
        assert_eq!(at, [(3, "A"), (3, "C"), (3, "E"), (3, "D")]);
    }

    #[test]
    fn an_inspection_reads_findings_by_item_and_keeps_the_rest_as_general() {
        let items = vec![("2-⑬".to_string(), "fy2025.institution.2-13".to_string())];
        let d = InspectionDraft {
            institution_code: "1312345678".into(),
            inspected_on: "令和7年10月1日".into(),
            inspectors: "監督 一郎".into(),
            findings: "2-⑬ 二要素認証が未導入\n全体として規程の周知が不十分\n9-⑨ 存在しない番号"
                .into(),
            guidance: "年度内に導入計画を提出すること".into(),
            follow_up_due: "2025/12/26".into(),
        };
        let i = d.validate(&items).unwrap();
        assert_eq!(i.inspected_on.to_string(), "2025-10-01");
        assert_eq!(i.findings[0].item_id, "fy2025.institution.2-13");
        assert_eq!(i.findings[0].text, "二要素認証が未導入");
        assert_eq!(i.findings[1].number, "");
        assert_eq!(i.findings[2].text, "9-⑨ 存在しない番号");
        let late = InspectionDraft {
            follow_up_due: "2025-09-01".into(),
            inspectors: String::new(),
            ..d
        };
        let fields: Vec<_> = late
            .validate(&items)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["inspectors", "follow_up_due"]);
    }

    #[test]
    fn the_digest_changes_with_any_answer_and_rates_hide_small_numbers() {
        let snap = |answer: &str| ChecklistSnapshot {
            format: 1,
            institution_code: "1312345678".into(),
            institution_name: "守り病院".into(),
            municipality: "新宿区".into(),
            fiscal_year: 2025,
            sheet_id: "fy2025.institution".into(),
            answers: vec![SubmittedAnswer {
                item_id: "fy2025.institution.1-01".into(),
                number: "1-①".into(),
                answer: answer.into(),
                checked_on: None,
                target: None,
            }],
        };
        assert_eq!(snap("yes").digest(), snap("yes").digest());
        assert_ne!(snap("yes").digest(), snap("no").digest());
        assert_eq!(snap("yes").digest().len(), 64);
        let four: Vec<_> = ["yes", "yes", "no", "yes"]
            .iter()
            .map(|a| snap(a))
            .collect();
        let rates = item_rates(&four);
        assert_eq!((rates[0].answered, rates[0].yes), (4, 3));
        assert_eq!(rates[0].yes_percent(5), None);
        assert_eq!(rates[0].yes_percent(4), Some(75));
        assert_eq!(suppressed(3, 4, 5), None);
        assert_eq!(suppressed(3, 5, 5), Some(3));
    }
}

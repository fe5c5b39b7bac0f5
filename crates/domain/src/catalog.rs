//! The catalog: the yearly MHLW checklist sheets, the guideline 6.0 mandatory items (遵守事項), the
//! guideline 5.2 付表 rows, and the classifications used for aggregation, with crosswalks between
//! them. The catalog is data (`catalog/*.toml`); this module gives it types and checks it.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The registers items can point to as evidence.
pub const REGISTERS: &[&str] = &[
    "devices",
    "contacts",
    "remote_connections",
    "vendors",
    "backups",
    "restore_tests",
    "accounts",
];

/// How sure the catalog is of a fact, as marked in the research notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Verified in a primary source.
    Verified,
    /// From a secondary source.
    Secondary,
    /// Inferred; to be confirmed against the official document.
    Inferred,
}

/// The three sections of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// 0. 前提: the gate question.
    Premise,
    /// 1. 体制構築
    Organisation,
    /// 2. 医療情報システムの管理・運用
    Management,
    /// 3. インシデント発生に備えた対応
    Incident,
}

impl Section {
    /// The name in a language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Section::Premise => lang.pick("前提", "Premise"),
            Section::Organisation => lang.pick("体制構築", "Organisation"),
            Section::Management => lang.pick(
                "医療情報システムの管理・運用",
                "Managing and operating systems",
            ),
            Section::Incident => {
                lang.pick("インシデント発生に備えた対応", "Preparing for incidents")
            }
        }
    }
}

/// What part of the systems an item concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// 全般: servers, terminal PCs and network devices together.
    General,
    /// サーバ
    Server,
    /// 端末PC
    Terminal,
    /// ネットワーク機器
    Network,
}

/// Which sheet of a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    /// 医療機関確認用
    Institution,
    /// 薬局確認用
    Pharmacy,
    /// 事業者確認用
    Vendor,
}

/// One of the four elements of security management (組織・人・技術・物理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Element {
    /// 組織的
    Organisational,
    /// 人的
    Human,
    /// 技術的
    Technical,
    /// 物理的
    Physical,
}

/// The row of the 3×3 control matrix (組織的 / システム的 / 人的).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    /// 組織的コントロール
    Organisational,
    /// システム的コントロール
    System,
    /// 人的コントロール
    Human,
}

/// The column of the 3×3 control matrix (予防的 / 発見的 / 是正的).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlTiming {
    /// 予防的
    Preventive,
    /// 発見的
    Detective,
    /// 是正的
    Corrective,
}

/// A checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Stable id, e.g. `fy2025.institution.2-01`.
    pub id: String,
    /// The number as printed on the sheet, e.g. `2-(1)` or `2-①`.
    pub number: String,
    /// Section.
    pub section: Section,
    /// Scope.
    pub scope: Scope,
    /// The fiscal year from which the item must be answered.
    pub from_fy: u16,
    /// Whether this is the gate question ("do you run a medical information system?").
    #[serde(default)]
    pub gate: bool,
    /// The last fiscal year a いいえ may set its target in, when the item allows more than its
    /// sheet's own year (two-factor authentication: by 令和9年度).
    #[serde(default)]
    pub target_until_fy: Option<u16>,
    /// Short text in our own words, Japanese.
    pub text_ja: String,
    /// Short text in our own words, English.
    pub text_en: String,
    /// What evidence fits, Japanese.
    #[serde(default)]
    pub evidence_ja: String,
    /// What evidence fits, English.
    #[serde(default)]
    pub evidence_en: String,
    /// Guideline sections or mandatory items it rests on (ids in the catalog).
    #[serde(default)]
    pub refs: Vec<String>,
    /// Guideline 5.2 付表 rows it corresponds to.
    #[serde(default)]
    pub appendix: Vec<String>,
    /// Elements it belongs to.
    pub elements: Vec<Element>,
    /// Its cells in the 3×3 control matrix.
    pub controls: Vec<(ControlKind, ControlTiming)>,
    /// The items of last fiscal year's sheet this item continues, when its id changed
    /// (otherwise the item with the same id after the sheet prefix).
    #[serde(default)]
    pub previous: Vec<String>,
    /// How sure the catalog is of the item's existence, wording and numbering.
    pub confidence: Confidence,
    /// What is uncertain, when not verified.
    #[serde(default)]
    pub note: String,
    /// The registers whose state is shown beside the item as evidence (see `REGISTERS`).
    #[serde(default)]
    pub registers: Vec<String>,
}

/// A checklist sheet of one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    /// Stable id, e.g. `fy2025.institution`.
    pub id: String,
    /// The fiscal year (April–March) it is for.
    pub fiscal_year: u16,
    /// Which sheet.
    pub kind: SheetKind,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// The items, in sheet order.
    pub items: Vec<ChecklistItem>,
}

/// A section of the guideline (a chapter or a subsection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuidelineSection {
    /// Stable id, e.g. `gl6.gov.3.4.1`.
    pub id: String,
    /// Volume: `overview`, `governance`, `management`, `control`.
    pub volume: String,
    /// The number as printed, e.g. `3.4.1`.
    pub number: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// Confidence in the title and numbering.
    pub confidence: Confidence,
}

/// A mandatory item (遵守事項) of the guideline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MandatoryItem {
    /// Stable id: the section's id, `.m` and the item's position, e.g. `gl6.gov.3.4.1.m2`.
    pub id: String,
    /// The section it belongs to.
    pub section: String,
    /// Its marker, e.g. `②`.
    pub number: String,
    /// The role it addresses: `executive`, `planner` or `system_operator`.
    pub role: String,
    /// Paraphrase, Japanese.
    pub text_ja: String,
    /// Paraphrase, English.
    pub text_en: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// A row of a guideline 5.2 付表 (legacy framework).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppendixRow {
    /// Stable id, e.g. `gl52.t1.backup-cyber`.
    pub id: String,
    /// Which table: 1 一般管理, 2 電子保存, 3 外部保存.
    pub table: u8,
    /// 管理事項.
    pub matter_ja: String,
    /// 運用管理項目.
    pub item_ja: String,
    /// 実施項目.
    pub practice_ja: String,
    /// 実施項目 in English.
    pub practice_en: String,
    /// 対象: A (all), B (large/medium hospitals), C (small hospitals and clinics).
    pub target: Vec<String>,
    /// 技術的対策.
    #[serde(default)]
    pub technical_ja: String,
    /// 運用的対策.
    #[serde(default)]
    pub operational_ja: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// A phase of incident response (検知・初動対応・復旧処理・事後対応).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentPhase {
    /// Stable id, e.g. `incident.initial`.
    pub id: String,
    /// Position in the flow.
    pub order: u8,
    /// Name, Japanese.
    pub name_ja: String,
    /// Name, English.
    pub name_en: String,
    /// What the phase is for, Japanese.
    pub purpose_ja: String,
    /// What the phase is for, English.
    pub purpose_en: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// A task of a phase, addressed to a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentTask {
    /// Stable id, e.g. `incident.initial.cut-backups`.
    pub id: String,
    /// The phase.
    pub phase: String,
    /// Position within the phase (the containment order matters).
    pub order: u8,
    /// `executive`, `security_manager`, `system_operator`, `staff`, `vendor` or `csirt`.
    pub role: String,
    /// The task, Japanese.
    pub text_ja: String,
    /// The task, English.
    pub text_en: String,
    /// A warning or hint, Japanese.
    #[serde(default)]
    pub guidance_ja: String,
    /// A warning or hint, English.
    #[serde(default)]
    pub guidance_en: String,
    /// Confidence.
    pub confidence: Confidence,
    /// What is uncertain, when not verified.
    #[serde(default)]
    pub note: String,
}

/// One catalog data file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// Checklist sheets.
    #[serde(default)]
    pub sheet: Vec<Sheet>,
    /// Guideline sections.
    #[serde(default)]
    pub section: Vec<GuidelineSection>,
    /// Guideline mandatory items.
    #[serde(default)]
    pub mandatory: Vec<MandatoryItem>,
    /// 5.2 付表 rows.
    #[serde(default)]
    pub appendix: Vec<AppendixRow>,
    /// Incident phases.
    #[serde(default)]
    pub phase: Vec<IncidentPhase>,
    /// Incident tasks.
    #[serde(default)]
    pub task: Vec<IncidentTask>,
}

/// The whole catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Checklist sheets by id.
    pub sheets: BTreeMap<String, Sheet>,
    /// Guideline sections by id.
    pub sections: BTreeMap<String, GuidelineSection>,
    /// Mandatory items by id.
    pub mandatory: BTreeMap<String, MandatoryItem>,
    /// 付表 rows by id.
    pub appendix: BTreeMap<String, AppendixRow>,
    /// Incident phases by id.
    pub phases: BTreeMap<String, IncidentPhase>,
    /// Incident tasks by id.
    pub tasks: BTreeMap<String, IncidentTask>,
}

/// A fault in the catalog data, naming the file and the id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {id}: {problem}")]
pub struct CatalogError {
    /// The data file.
    pub file: String,
    /// The id at fault (or empty).
    pub id: String,
    /// What is wrong.
    pub problem: String,
}

fn err(file: &str, id: &str, problem: impl Into<String>) -> CatalogError {
    CatalogError {
        file: file.to_string(),
        id: id.to_string(),
        problem: problem.into(),
    }
}

impl Catalog {
    /// Parses and checks the data files (name, TOML text). Every fault is reported, not just the first.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, Vec<CatalogError>> {
        let mut cat = Catalog::default();
        let mut errors = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        let mut claim = |file: &str, id: &str, errors: &mut Vec<CatalogError>| {
            if !seen.insert(id.to_string()) {
                errors.push(err(file, id, "duplicate id"));
            }
            origin.insert(id.to_string(), file.to_string());
        };
        for (file, text) in sources {
            let parsed: CatalogFile = match toml::from_str(text) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(err(file, "", e.to_string()));
                    continue;
                }
            };
            for s in parsed.sheet {
                claim(file, &s.id, &mut errors);
                for i in &s.items {
                    claim(file, &i.id, &mut errors);
                }
                cat.sheets.insert(s.id.clone(), s);
            }
            for s in parsed.section {
                claim(file, &s.id, &mut errors);
                cat.sections.insert(s.id.clone(), s);
            }
            for m in parsed.mandatory {
                claim(file, &m.id, &mut errors);
                cat.mandatory.insert(m.id.clone(), m);
            }
            for a in parsed.appendix {
                claim(file, &a.id, &mut errors);
                cat.appendix.insert(a.id.clone(), a);
            }
            for p in parsed.phase {
                claim(file, &p.id, &mut errors);
                cat.phases.insert(p.id.clone(), p);
            }
            for t in parsed.task {
                claim(file, &t.id, &mut errors);
                cat.tasks.insert(t.id.clone(), t);
            }
        }
        let file_of = |id: &str| origin.get(id).cloned().unwrap_or_default();
        errors.extend(cat.check(&file_of));
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(errors)
        }
    }

    fn check(&self, file_of: &dyn Fn(&str) -> String) -> Vec<CatalogError> {
        let mut errors = Vec::new();
        let both = |ja: &str, en: &str| !ja.trim().is_empty() && !en.trim().is_empty();
        for s in self.sheets.values() {
            let f = file_of(&s.id);
            if !both(&s.title_ja, &s.title_en) {
                errors.push(err(&f, &s.id, "title needs Japanese and English"));
            }
            let prefix = format!("fy{}.", s.fiscal_year);
            if !s.id.starts_with(&prefix) {
                errors.push(err(&f, &s.id, format!("sheet id must start with {prefix}")));
            }
            if s.items.is_empty() {
                errors.push(err(&f, &s.id, "sheet has no items"));
            }
            for i in &s.items {
                if !i.id.starts_with(&format!("{}.", s.id)) {
                    errors.push(err(&f, &i.id, format!("item id must start with {}.", s.id)));
                }
                if let Some(r) = i
                    .registers
                    .iter()
                    .find(|r| !REGISTERS.contains(&r.as_str()))
                {
                    errors.push(err(&f, &i.id, format!("unknown register {r}")));
                }
                if !both(&i.text_ja, &i.text_en) {
                    errors.push(err(&f, &i.id, "text needs Japanese and English"));
                }
                if i.evidence_ja.trim().is_empty() != i.evidence_en.trim().is_empty() {
                    errors.push(err(&f, &i.id, "evidence guidance needs both languages"));
                }
                // A sheet may list next year's items for reference (FY2023 did), never further ahead.
                if i.from_fy > s.fiscal_year + 1 {
                    errors.push(err(
                        &f,
                        &i.id,
                        "applies from a fiscal year too far after its sheet's",
                    ));
                }
                if i.target_until_fy
                    .is_some_and(|y| y <= s.fiscal_year || y > s.fiscal_year + 5)
                {
                    errors.push(err(
                        &f,
                        &i.id,
                        "target_until_fy must be after its sheet's year and at most five years on",
                    ));
                }
                if i.confidence != Confidence::Verified && i.note.trim().is_empty() {
                    errors.push(err(
                        &f,
                        &i.id,
                        "an unverified item must say what is uncertain (note)",
                    ));
                }
                if !i.gate && (i.elements.is_empty() || i.controls.is_empty()) {
                    errors.push(err(
                        &f,
                        &i.id,
                        "needs at least one element and one control cell",
                    ));
                }
                for r in &i.refs {
                    if !self.sections.contains_key(r) && !self.mandatory.contains_key(r) {
                        errors.push(err(&f, &i.id, format!("reference {r} does not resolve")));
                    }
                }
                for r in &i.previous {
                    let ok = self.sheets.values().any(|p| {
                        p.fiscal_year + 1 == s.fiscal_year
                            && p.kind == s.kind
                            && p.items.iter().any(|x| &x.id == r)
                    });
                    if !ok {
                        errors.push(err(
                            &f,
                            &i.id,
                            format!(
                                "previous item {r} is not in last year's sheet of the same kind"
                            ),
                        ));
                    }
                }
                for r in &i.appendix {
                    if !self.appendix.contains_key(r) {
                        errors.push(err(&f, &i.id, format!("appendix row {r} does not resolve")));
                    }
                }
            }
            if s.items.iter().filter(|i| i.gate).count() > 1 {
                errors.push(err(&f, &s.id, "more than one gate question"));
            }
        }
        for sec in self.sections.values() {
            if !both(&sec.title_ja, &sec.title_en) {
                errors.push(err(
                    &file_of(&sec.id),
                    &sec.id,
                    "title needs Japanese and English",
                ));
            }
            if !matches!(
                sec.volume.as_str(),
                "overview" | "governance" | "management" | "control"
            ) {
                errors.push(err(
                    &file_of(&sec.id),
                    &sec.id,
                    format!("unknown volume {}", sec.volume),
                ));
            }
        }
        for m in self.mandatory.values() {
            let f = file_of(&m.id);
            if !self.sections.contains_key(&m.section) {
                errors.push(err(
                    &f,
                    &m.id,
                    format!("section {} does not resolve", m.section),
                ));
            }
            if !both(&m.text_ja, &m.text_en) {
                errors.push(err(&f, &m.id, "text needs Japanese and English"));
            }
            if !matches!(m.role.as_str(), "executive" | "planner" | "system_operator") {
                errors.push(err(&f, &m.id, format!("unknown role {}", m.role)));
            }
        }
        for p in self.phases.values() {
            if !both(&p.name_ja, &p.name_en) || !both(&p.purpose_ja, &p.purpose_en) {
                errors.push(err(
                    &file_of(&p.id),
                    &p.id,
                    "name and purpose need Japanese and English",
                ));
            }
        }
        for t in self.tasks.values() {
            let f = file_of(&t.id);
            if !self.phases.contains_key(&t.phase) {
                errors.push(err(
                    &f,
                    &t.id,
                    format!("phase {} does not resolve", t.phase),
                ));
            }
            if !matches!(
                t.role.as_str(),
                "executive" | "security_manager" | "system_operator" | "staff" | "vendor" | "csirt"
            ) {
                errors.push(err(&f, &t.id, format!("unknown role {}", t.role)));
            }
            if !both(&t.text_ja, &t.text_en)
                || t.guidance_ja.trim().is_empty() != t.guidance_en.trim().is_empty()
            {
                errors.push(err(
                    &f,
                    &t.id,
                    "text and guidance need Japanese and English",
                ));
            }
            if t.confidence != Confidence::Verified && t.note.trim().is_empty() {
                errors.push(err(
                    &f,
                    &t.id,
                    "an unverified task must say what is uncertain (note)",
                ));
            }
        }
        for a in self.appendix.values() {
            let f = file_of(&a.id);
            if a.practice_ja.trim().is_empty() || a.practice_en.trim().is_empty() {
                errors.push(err(&f, &a.id, "practice needs Japanese and English"));
            }
            if a.target.is_empty()
                || a.target
                    .iter()
                    .any(|t| !matches!(t.as_str(), "A" | "B" | "C"))
            {
                errors.push(err(&f, &a.id, "target must be A, B and/or C"));
            }
        }
        errors
    }

    /// The tasks of a phase in their order.
    pub fn phase_tasks(&self, phase: &str) -> Vec<&IncidentTask> {
        let mut t: Vec<_> = self.tasks.values().filter(|t| t.phase == phase).collect();
        t.sort_by_key(|t| t.order);
        t
    }

    /// For each item of `to`, the items of last year's sheet `from` it continues, in order of
    /// preference: the `previous` list, else the item with the same id after the sheet prefix.
    pub fn predecessors<'a>(from: &'a Sheet, to: &'a Sheet) -> Vec<(&'a str, Vec<&'a str>)> {
        to.items
            .iter()
            .map(|item| {
                let olds: Vec<&str> = if item.previous.is_empty() {
                    let suffix = item.id.strip_prefix(&to.id).unwrap_or("");
                    from.items
                        .iter()
                        .filter(|o| o.id.strip_prefix(&from.id) == Some(suffix))
                        .map(|o| o.id.as_str())
                        .collect()
                } else {
                    item.previous
                        .iter()
                        .filter(|p| from.items.iter().any(|o| &o.id == *p))
                        .map(String::as_str)
                        .collect()
                };
                (item.id.as_str(), olds)
            })
            .filter(|(_, olds)| !olds.is_empty())
            .collect()
    }

    /// The checklist items of every sheet that rest on a guideline section or mandatory item:
    /// the crosswalk read from the guideline's side.
    pub fn items_citing(&self, reference: &str) -> Vec<&ChecklistItem> {
        self.sheets
            .values()
            .flat_map(|s| s.items.iter())
            .filter(|i| {
                i.refs
                    .iter()
                    .any(|r| r == reference || r.starts_with(&format!("{reference}.")))
            })
            .collect()
    }
}

/// A plain verified item for tests of the modules that aggregate answers.
#[cfg(test)]
pub(crate) fn test_item(id: &str, section: Section) -> ChecklistItem {
    ChecklistItem {
        id: id.into(),
        number: id.into(),
        section,
        scope: Scope::General,
        from_fy: 2025,
        gate: false,
        target_until_fy: None,
        text_ja: "x".into(),
        text_en: "x".into(),
        evidence_ja: String::new(),
        evidence_en: String::new(),
        refs: vec![],
        appendix: vec![],
        elements: vec![Element::Technical],
        controls: vec![(ControlKind::System, ControlTiming::Preventive)],
        previous: vec![],
        confidence: Confidence::Verified,
        note: String::new(),
        registers: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[section]]
id = "gl6.gov.3.4.1"
volume = "governance"
number = "3.4.1"
title_ja = "BCPの整備と訓練"
title_en = "BCP and drills"
confidence = "verified"

[[sheet]]
id = "fy2099.institution"
fiscal_year = 2099
kind = "institution"
title_ja = "医療機関確認用"
title_en = "Institution sheet"

[[sheet.items]]
id = "fy2099.institution.3-03"
number = "3-(3)"
section = "incident"
scope = "general"
from_fy = 2024
text_ja = "BCPを策定"
text_en = "A BCP exists"
refs = ["gl6.gov.3.4.1"]
elements = ["organisational"]
controls = [["organisational", "corrective"]]
confidence = "verified"
"#;

    fn problems(extra: &str) -> Vec<String> {
        match Catalog::from_sources([("good.toml", GOOD), ("extra.toml", extra)]) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    /// The sheet part of GOOD for another fiscal year (so its ids do not collide).
    fn sheet_for(year: u16) -> String {
        let sheet = GOOD.split("[[sheet]]").nth(1).unwrap_or_default();
        format!("[[sheet]]{sheet}").replace("2099", &year.to_string())
    }

    #[test]
    fn a_sound_catalog_loads_and_crosswalks() {
        let c = Catalog::from_sources([("good.toml", GOOD)]).unwrap_or_default();
        assert_eq!(c.items_citing("gl6.gov.3.4").len(), 1);
        assert_eq!(c.items_citing("gl6.gov.3.5").len(), 0);
        assert!(problems(&sheet_for(2100)).is_empty());
    }

    #[test]
    fn duplicate_ids_are_named() {
        let section = GOOD.split("[[sheet]]").next().unwrap_or_default();
        assert_eq!(
            problems(section),
            vec!["extra.toml: gl6.gov.3.4.1: duplicate id"]
        );
    }

    #[test]
    fn unresolved_references_and_missing_english_are_named() {
        let bad = sheet_for(2100)
            .replace("gl6.gov.3.4.1\"]", "gl6.gov.9.9\"]")
            .replace("text_en = \"A BCP exists\"", "text_en = \" \"");
        assert_eq!(
            problems(&bad),
            vec![
                "extra.toml: fy2100.institution.3-03: text needs Japanese and English",
                "extra.toml: fy2100.institution.3-03: reference gl6.gov.9.9 does not resolve",
            ]
        );
    }

    #[test]
    fn unverified_items_must_say_what_is_uncertain() {
        let bad =
            sheet_for(2101).replace("confidence = \"verified\"\n", "confidence = \"inferred\"\n");
        assert_eq!(
            problems(&bad),
            vec![
                "extra.toml: fy2101.institution.3-03: an unverified item must say what is uncertain (note)"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_refused_with_the_file_named() {
        let p = problems("[[section]]\nid = \"x\"\nvolumen = \"governance\"\n");
        assert_eq!(p.len(), 1);
        assert!(
            p.first()
                .is_some_and(|m| m.starts_with("extra.toml: : ") && m.contains("volumen")),
            "{p:?}"
        );
    }
}

//! Self-assessment against a checklist sheet: the rules an answer must meet and how answers
//! aggregate into completion, はい rates, the priority list and the control matrix.

use crate::catalog::{ChecklistItem, ControlKind, ControlTiming, Element, Scope, Section, Sheet};
use crate::fiscal::fiscal_year_range;
use crate::validate::{FieldError, Problem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// An answer to a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// はい
    Yes,
    /// いいえ
    No,
    /// 該当なし (with a reason)
    NotApplicable,
}

impl Answer {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotApplicable => "na",
        }
    }

    /// Parses the stable code.
    pub fn from_code(c: &str) -> Option<Answer> {
        match c.trim() {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "na" => Some(Answer::NotApplicable),
            _ => None,
        }
    }

    /// The label in a language.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Answer::Yes => lang.pick("はい", "Yes"),
            Answer::No => lang.pick("いいえ", "No"),
            Answer::NotApplicable => lang.pick("該当なし", "Not applicable"),
        }
    }
}

/// The inspection's rounds: 1回目 and 2回目 are kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Round {
    /// 1回目
    First,
    /// 2回目
    Second,
}

impl Round {
    /// 1 or 2.
    pub fn number(self) -> i64 {
        match self {
            Round::First => 1,
            Round::Second => 2,
        }
    }

    /// From 1 or 2.
    pub fn from_number(n: i64) -> Option<Round> {
        match n {
            1 => Some(Round::First),
            2 => Some(Round::Second),
            _ => None,
        }
    }
}

/// A validated answer of one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemAnswer {
    /// The answer.
    pub answer: Answer,
    /// The date it was checked (確認日).
    pub checked_on: NaiveDate,
    /// For いいえ: the date by which it will be done, inside the item's target window.
    pub target_date: Option<NaiveDate>,
    /// For 該当なし: why.
    pub reason: String,
    /// Who is responsible.
    pub assignee: String,
    /// Remarks (備考).
    pub notes: String,
}

/// An answer as typed in a form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerDraft {
    /// `yes`, `no` or `na`.
    pub answer: String,
    /// `YYYY-MM-DD`.
    pub checked_on: String,
    /// `YYYY-MM-DD`, for いいえ.
    pub target_date: String,
    /// For 該当なし.
    pub reason: String,
    /// Assignee.
    pub assignee: String,
    /// Remarks.
    pub notes: String,
    /// Saves despite the warnings (a 確認日 outside the fiscal year, a target before it).
    pub accept_warnings: bool,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// What an answer to one item of one sheet must keep to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerRule {
    /// The sheet's fiscal year.
    pub fiscal_year: i32,
    /// The last fiscal year a いいえ may set its target in: the sheet's own, unless the item
    /// allows longer (the manual: "target within the fiscal year"; two-factor: by FY2027).
    pub target_until_fy: i32,
}

impl AnswerRule {
    /// The rule of an item on its sheet.
    pub fn of(sheet: &Sheet, item: &ChecklistItem) -> AnswerRule {
        let fy = i32::from(sheet.fiscal_year);
        AnswerRule {
            fiscal_year: fy,
            target_until_fy: item.target_until_fy.map_or(fy, i32::from).max(fy),
        }
    }

    /// The rule of an item with no target rule of its own on a sheet of `fiscal_year`.
    pub fn within(fiscal_year: i32) -> AnswerRule {
        AnswerRule {
            fiscal_year,
            target_until_fy: fiscal_year,
        }
    }

    /// The first and last day a target may fall on.
    pub fn target_window(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (start, _) = fiscal_year_range(self.fiscal_year)?;
        let (_, end) = fiscal_year_range(self.target_until_fy)?;
        Some((start, end))
    }
}

/// Message keys of what looks wrong in an answer but may be right: the user confirms to keep it.
pub const WARNINGS: [&str; 2] = [
    "warning.checked_outside_year",
    "warning.target_before_check",
];

impl ItemAnswer {
    /// What looks wrong in this answer on a sheet of `fiscal_year`, as (field, message key).
    pub fn warnings(&self, fiscal_year: i32) -> Vec<FieldError> {
        let mut out = Vec::new();
        if fiscal_year_range(fiscal_year)
            .is_some_and(|(start, end)| self.checked_on < start || self.checked_on > end)
        {
            out.push(FieldError::new("checked_on", WARNINGS[0]));
        }
        if self.target_date.is_some_and(|t| t < self.checked_on) {
            out.push(FieldError::new("target_date", WARNINGS[1]));
        }
        out
    }
}

impl AnswerDraft {
    /// Checks the draft against its item's rule on `today`; faults name their field. Warnings
    /// (see [`WARNINGS`]) come back as faults too unless the draft accepts them.
    pub fn validate(&self, rule: &AnswerRule, today: NaiveDate) -> Result<ItemAnswer, Problem> {
        let mut errors = Vec::new();
        let answer = Answer::from_code(&self.answer);
        if answer.is_none() {
            errors.push(FieldError::new("answer", "error.choose_one"));
        }
        let checked_on = match date(&self.checked_on) {
            None if self.checked_on.trim().is_empty() => {
                errors.push(FieldError::new("checked_on", "error.required"));
                None
            }
            None => {
                errors.push(FieldError::new("checked_on", "error.date"));
                None
            }
            Some(d) if d > today => {
                errors.push(FieldError::new("checked_on", "error.checked_in_future"));
                None
            }
            Some(d) => Some(d),
        };
        let mut target_date = None;
        if answer == Some(Answer::No) {
            match date(&self.target_date) {
                None if self.target_date.trim().is_empty() => {
                    errors.push(FieldError::new("target_date", "error.target_required"))
                }
                None => errors.push(FieldError::new("target_date", "error.date")),
                Some(d) => match rule.target_window() {
                    Some((start, end)) if d >= start && d <= end => target_date = Some(d),
                    _ if rule.target_until_fy > rule.fiscal_year => errors.push(FieldError::new(
                        "target_date",
                        "error.target_in_item_window",
                    )),
                    _ => errors.push(FieldError::new(
                        "target_date",
                        "error.target_in_fiscal_year",
                    )),
                },
            }
        }
        let reason = self.reason.trim().to_string();
        if answer == Some(Answer::NotApplicable) && reason.is_empty() {
            errors.push(FieldError::new("reason", "error.na_reason"));
        }
        for (field, v, max) in [
            ("assignee", &self.assignee, 100),
            ("notes", &self.notes, 2000),
            ("reason", &self.reason, 1000),
        ] {
            if v.chars().count() > max {
                errors.push(FieldError::new(field, "error.too_long"));
            }
        }
        match (answer, checked_on) {
            (Some(answer), Some(checked_on)) if errors.is_empty() => {
                let a = ItemAnswer {
                    answer,
                    checked_on,
                    target_date,
                    reason: if answer == Answer::NotApplicable {
                        reason
                    } else {
                        String::new()
                    },
                    assignee: self.assignee.trim().to_string(),
                    notes: self.notes.trim().to_string(),
                };
                let warnings = a.warnings(rule.fiscal_year);
                if warnings.is_empty() || self.accept_warnings {
                    Ok(a)
                } else {
                    Err(Problem::new(warnings))
                }
            }
            _ => Err(Problem::new(errors)),
        }
    }
}

impl ItemAnswer {
    /// The draft that shows this answer in a form.
    pub fn to_draft(&self) -> AnswerDraft {
        AnswerDraft {
            answer: self.answer.code().to_string(),
            checked_on: self.checked_on.to_string(),
            target_date: self.target_date.map(|d| d.to_string()).unwrap_or_default(),
            reason: self.reason.clone(),
            assignee: self.assignee.clone(),
            notes: self.notes.clone(),
            accept_warnings: false,
        }
    }
}

/// はい and いいえ counts of a group; 該当なし counts in neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// はい
    pub yes: u32,
    /// いいえ
    pub no: u32,
    /// 該当なし
    pub na: u32,
    /// Not answered yet.
    pub open: u32,
}

impl Tally {
    fn add(&mut self, a: Option<Answer>) {
        match a {
            Some(Answer::Yes) => self.yes += 1,
            Some(Answer::No) => self.no += 1,
            Some(Answer::NotApplicable) => self.na += 1,
            None => self.open += 1,
        }
    }

    /// The はい rate among はい and いいえ, in percent; `None` when neither was given.
    pub fn yes_percent(&self) -> Option<u32> {
        let base = self.yes + self.no;
        (base > 0).then(|| (self.yes * 100 + base / 2) / base)
    }
}

/// An item answered いいえ, for the priority list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The item id.
    pub item_id: String,
    /// Its target date.
    pub target_date: Option<NaiveDate>,
    /// Whether the target date has passed.
    pub overdue: bool,
}

/// What a sheet's answers add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Items that need an answer (all but the gate once the gate says いいえ).
    pub required: u32,
    /// Of those, answered.
    pub answered: u32,
    /// Whether the gate question says the sheet does not apply.
    pub gated_out: bool,
    /// Overall tally.
    pub overall: Tally,
    /// By section.
    pub by_section: BTreeMap<Section, Tally>,
    /// By scope.
    pub by_scope: BTreeMap<Scope, Tally>,
    /// By element.
    pub by_element: BTreeMap<Element, Tally>,
    /// By cell of the 3×3 matrix.
    pub by_control: BTreeMap<(ControlKind, ControlTiming), Tally>,
    /// Items answered いいえ: overdue first, then by target date, then in sheet order.
    pub gaps: Vec<Gap>,
}

impl Summary {
    /// Completion in percent.
    pub fn completion_percent(&self) -> u32 {
        self.figures().completion_percent()
    }

    /// The figures a list of assessments shows.
    pub fn figures(&self) -> Figures {
        Figures {
            required: self.required,
            answered: self.answered,
            overall: self.overall,
        }
    }
}

/// What a list of assessments shows of one: how far it is answered and the overall tally. Unlike
/// the rest of a [`Summary`] they do not depend on the day, so they can be kept between changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Items that need an answer.
    pub required: u32,
    /// Of those, answered.
    pub answered: u32,
    /// Overall tally.
    pub overall: Tally,
}

impl Figures {
    /// Completion in percent.
    pub fn completion_percent(&self) -> u32 {
        (self.answered * 100)
            .checked_div(self.required)
            .unwrap_or(100)
    }
}

/// The answer that counts for each item: the second round's where given, else the first's.
pub fn current_answers<'a>(
    answers: impl IntoIterator<Item = (&'a str, Round, &'a ItemAnswer)>,
) -> HashMap<String, ItemAnswer> {
    let mut out: HashMap<String, (Round, ItemAnswer)> = HashMap::new();
    for (item, round, answer) in answers {
        match out.get(item) {
            Some((kept, _)) if *kept > round => {}
            _ => {
                out.insert(item.to_string(), (round, answer.clone()));
            }
        }
    }
    out.into_iter().map(|(k, (_, a))| (k, a)).collect()
}

/// Aggregates the current answers (the later round where both exist) of a sheet's items.
pub fn summarise(
    items: &[ChecklistItem],
    answers: &HashMap<String, ItemAnswer>,
    today: NaiveDate,
) -> Summary {
    let gate = items.iter().find(|i| i.gate);
    let gated_out = gate
        .and_then(|g| answers.get(&g.id))
        .is_some_and(|a| a.answer == Answer::No);
    let mut s = Summary {
        required: 0,
        answered: 0,
        gated_out,
        overall: Tally::default(),
        by_section: BTreeMap::new(),
        by_scope: BTreeMap::new(),
        by_element: BTreeMap::new(),
        by_control: BTreeMap::new(),
        gaps: Vec::new(),
    };
    for item in items {
        let answer = answers.get(&item.id);
        if item.gate {
            s.required += 1;
            s.answered += u32::from(answer.is_some());
            continue;
        }
        if gated_out {
            continue;
        }
        s.required += 1;
        s.answered += u32::from(answer.is_some());
        let a = answer.map(|a| a.answer);
        s.overall.add(a);
        s.by_section.entry(item.section).or_default().add(a);
        s.by_scope.entry(item.scope).or_default().add(a);
        for e in &item.elements {
            s.by_element.entry(*e).or_default().add(a);
        }
        for c in &item.controls {
            s.by_control.entry(*c).or_default().add(a);
        }
        if let Some(ans) = answer.filter(|a| a.answer == Answer::No) {
            s.gaps.push(Gap {
                item_id: item.id.clone(),
                target_date: ans.target_date,
                overdue: ans.target_date.is_some_and(|t| t < today),
            });
        }
    }
    // A stable sort keeps sheet order among gaps with the same urgency.
    s.gaps.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.target_date.cmp(&b.target_date))
    });
    s
}

/// The maturity stage an institution assigns itself, with its rationale.
pub const MATURITY_STAGES: [(u8, &str, &str); 5] = [
    (1, "未整備", "Not in place"),
    (2, "一部整備", "Partly in place"),
    (3, "整備済・運用途上", "In place, being put into practice"),
    (4, "運用定着", "Practised routinely"),
    (5, "遵守", "Fully complied with"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        date(s).unwrap_or_default()
    }

    #[test]
    fn the_second_round_counts_where_given_whatever_the_order() {
        let a = |answer, day: &str| ItemAnswer {
            answer,
            checked_on: d(day),
            target_date: None,
            reason: String::new(),
            assignee: String::new(),
            notes: String::new(),
        };
        let first = a(Answer::No, "2026-05-01");
        let second = a(Answer::Yes, "2026-09-01");
        let only = a(Answer::Yes, "2026-05-02");
        let current = current_answers([
            ("x", Round::Second, &second),
            ("x", Round::First, &first),
            ("y", Round::First, &only),
        ]);
        assert_eq!(current.get("x").map(|a| a.answer), Some(Answer::Yes));
        assert_eq!(current.get("y").map(|a| a.answer), Some(Answer::Yes));
        assert_eq!(current.len(), 2);
    }

    fn item(id: &str, section: Section, gate: bool) -> ChecklistItem {
        ChecklistItem {
            gate,
            ..crate::catalog::test_item(id, section)
        }
    }

    fn ans(a: Answer, target: Option<&str>) -> ItemAnswer {
        ItemAnswer {
            answer: a,
            checked_on: d("2025-06-01"),
            target_date: target.map(d),
            reason: String::new(),
            assignee: String::new(),
            notes: String::new(),
        }
    }

    fn draft(a: &str, checked: &str, target: &str, reason: &str) -> AnswerDraft {
        AnswerDraft {
            answer: a.into(),
            checked_on: checked.into(),
            target_date: target.into(),
            reason: reason.into(),
            ..Default::default()
        }
    }

    const FY2025: AnswerRule = AnswerRule {
        fiscal_year: 2025,
        target_until_fy: 2025,
    };

    fn keys(r: Result<ItemAnswer, Problem>) -> Option<Vec<String>> {
        r.err()
            .map(|p| p.errors.into_iter().map(|e| e.key).collect())
    }

    #[test]
    fn an_item_may_allow_targets_beyond_its_sheets_year() {
        let today = d("2025-07-01");
        let two_factor = AnswerRule {
            fiscal_year: 2025,
            target_until_fy: 2027,
        };
        let ok = draft("no", "2025-06-01", "2028-03-31", "").validate(&two_factor, today);
        assert_eq!(ok.map(|a| a.target_date), Ok(Some(d("2028-03-31"))));
        assert_eq!(
            keys(draft("no", "2025-06-01", "2028-04-01", "").validate(&two_factor, today)),
            Some(vec!["error.target_in_item_window".to_string()])
        );
        assert_eq!(
            keys(draft("no", "2025-06-01", "2026-04-01", "").validate(&FY2025, today)),
            Some(vec!["error.target_in_fiscal_year".to_string()])
        );
    }

    #[test]
    fn odd_dates_warn_until_the_user_confirms_them() {
        let today = d("2025-07-01");
        // Checked in the last fiscal year, on a FY2025 sheet.
        let early = draft("yes", "2025-03-20", "", "");
        assert_eq!(
            keys(early.validate(&FY2025, today)),
            Some(vec!["warning.checked_outside_year".to_string()])
        );
        // A target before the day it was checked.
        let backwards = draft("no", "2025-06-20", "2025-06-10", "");
        assert_eq!(
            keys(backwards.validate(&FY2025, today)),
            Some(vec!["warning.target_before_check".to_string()])
        );
        // A real fault is reported alone: warnings wait until the answer is valid.
        let faulty = draft("no", "2025-03-20", "", "");
        assert_eq!(
            keys(faulty.validate(&FY2025, today)),
            Some(vec!["error.target_required".to_string()])
        );
        for d0 in [early, backwards] {
            let confirmed = AnswerDraft {
                accept_warnings: true,
                ..d0
            };
            let kept = confirmed.validate(&FY2025, today);
            assert!(kept.is_ok(), "{kept:?}");
            assert_eq!(kept.map(|a| a.warnings(2025).len()), Ok(1));
        }
    }

    #[test]
    fn a_no_needs_a_target_date_inside_the_fiscal_year() {
        let today = d("2025-07-01");
        let fields = |r: Result<ItemAnswer, Problem>| {
            r.err().map(|p| {
                p.errors
                    .into_iter()
                    .map(|e| (e.field, e.key))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            fields(draft("no", "2025-06-01", "", "").validate(&FY2025, today)),
            Some(vec![("target_date".into(), "error.target_required".into())])
        );
        assert_eq!(
            fields(draft("no", "2025-06-01", "2026-04-01", "").validate(&FY2025, today)),
            Some(vec![(
                "target_date".into(),
                "error.target_in_fiscal_year".into()
            )])
        );
        assert_eq!(
            fields(draft("no", "2025-06-01", "2025-03-31", "").validate(&FY2025, today)),
            Some(vec![(
                "target_date".into(),
                "error.target_in_fiscal_year".into()
            )])
        );
        let ok = draft("no", "2025-06-01", "2026-03-31", "").validate(&FY2025, today);
        assert_eq!(ok.map(|a| a.target_date), Ok(Some(d("2026-03-31"))));
    }

    #[test]
    fn not_applicable_needs_a_reason_and_dates_must_be_real_and_past() {
        let today = d("2025-07-01");
        let p = draft("na", "2025-07-02", "", " ")
            .validate(&FY2025, today)
            .err()
            .map(|p| p.errors.into_iter().map(|e| e.key).collect::<Vec<_>>());
        assert_eq!(
            p,
            Some(vec![
                "error.checked_in_future".to_string(),
                "error.na_reason".to_string()
            ])
        );
        let p = draft("maybe", "2025-02-30", "", "")
            .validate(&FY2025, today)
            .err()
            .map(|p| p.errors.len());
        assert_eq!(p, Some(2));
        let yes = draft("yes", "2025-07-01", "2026-01-01", "ignored").validate(&FY2025, today);
        assert_eq!(
            yes.map(|a| (a.target_date, a.reason)),
            Ok((None, String::new()))
        );
    }

    #[test]
    fn the_priority_list_puts_overdue_then_nearest_targets_first() {
        let items = vec![
            item("a", Section::Management, false),
            item("b", Section::Management, false),
            item("c", Section::Incident, false),
            item("d", Section::Incident, false),
            item("e", Section::Organisation, false),
        ];
        let answers: HashMap<_, _> = [
            ("a".to_string(), ans(Answer::No, Some("2026-01-01"))),
            ("b".to_string(), ans(Answer::No, Some("2025-09-01"))),
            ("c".to_string(), ans(Answer::No, Some("2025-06-30"))),
            ("d".to_string(), ans(Answer::Yes, None)),
        ]
        .into();
        let s = summarise(&items, &answers, d("2025-07-01"));
        let order: Vec<_> = s.gaps.iter().map(|g| g.item_id.as_str()).collect();
        assert_eq!(order, vec!["c", "b", "a"]);
        assert_eq!((s.required, s.answered, s.completion_percent()), (5, 4, 80));
        assert_eq!(s.overall.yes_percent(), Some(25));
        assert_eq!(
            s.by_section
                .get(&Section::Incident)
                .and_then(|t| t.yes_percent()),
            Some(50)
        );
        assert_eq!(
            s.by_section.get(&Section::Organisation).map(|t| t.open),
            Some(1)
        );
    }

    #[test]
    fn a_gate_answered_no_completes_the_sheet() {
        let items = vec![
            item("g", Section::Premise, true),
            item("a", Section::Management, false),
        ];
        let answers: HashMap<_, _> =
            [("g".to_string(), ans(Answer::No, Some("2025-09-01")))].into();
        let s = summarise(&items, &answers, d("2025-07-01"));
        assert!(s.gated_out);
        assert_eq!((s.required, s.answered), (1, 1));
        assert!(s.gaps.is_empty());
    }

    proptest! {
        #[test]
        fn rates_and_completion_stay_within_bounds(codes in proptest::collection::vec(0u8..4, 1..40)) {
            let items: Vec<_> = (0..codes.len()).map(|i| item(&format!("i{i}"), Section::Management, false)).collect();
            let answers: HashMap<_, _> = codes.iter().enumerate().filter_map(|(i, c)| {
                let a = match c { 0 => Answer::Yes, 1 => Answer::No, 2 => Answer::NotApplicable, _ => return None };
                Some((format!("i{i}"), ans(a, Some("2025-09-01"))))
            }).collect();
            let s = summarise(&items, &answers, d("2025-07-01"));
            prop_assert!(s.completion_percent() <= 100);
            prop_assert_eq!(s.answered as usize, answers.len());
            prop_assert!(s.overall.yes_percent().is_none_or(|p| p <= 100));
            prop_assert_eq!(s.gaps.len(), codes.iter().filter(|c| **c == 1).count());
            prop_assert_eq!(s.overall.yes + s.overall.no + s.overall.na + s.overall.open, codes.len() as u32);
            // Among gaps with the same target, sheet order is kept.
            let ids: Vec<usize> = s.gaps.iter().filter_map(|g| g.item_id[1..].parse().ok()).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            prop_assert_eq!(ids, sorted);
        }
    }
}

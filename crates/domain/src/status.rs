//! Where a register stands, as other parts of the system show it (a checklist item beside the
//! register that evidences it, the dashboard, the index of registers): counts, figures and
//! concerns as typed values, worded only when shown.

use crate::Lang;
use chrono::NaiveDate;
use serde::Serialize;

/// A counted remark on a register: a figure (what there is) or a concern (what needs attention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remark {
    /// Stable code, e.g. `without_two_factor`.
    pub code: &'static str,
    /// How many rows it concerns; none for a remark about the register as a whole.
    pub count: Option<usize>,
    /// Wording in Japanese.
    #[serde(skip)]
    pub ja: &'static str,
    /// Wording in English.
    #[serde(skip)]
    pub en: &'static str,
}

impl Remark {
    /// A remark counting rows.
    pub fn counted(code: &'static str, count: usize, ja: &'static str, en: &'static str) -> Remark {
        Remark {
            code,
            count: Some(count),
            ja,
            en,
        }
    }

    /// A remark about the whole register.
    pub fn whole(code: &'static str, ja: &'static str, en: &'static str) -> Remark {
        Remark {
            code,
            count: None,
            ja,
            en,
        }
    }

    /// The remark in words: `二要素認証なし 2`, `without two-factor: 2`.
    pub fn text(&self, lang: Lang) -> String {
        match self.count {
            Some(n) => format!("{} {n}", lang.pick(self.ja, self.en)),
            None => lang.pick(self.ja, self.en).to_string(),
        }
    }
}

/// What a register's rows are called, in both languages and both numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Counter word (台, 件).
    pub ja: &'static str,
    /// English, one.
    pub one: &'static str,
    /// English, several.
    pub many: &'static str,
}

/// Rows counted as entries (件).
pub const ENTRIES: Unit = Unit {
    ja: "件",
    one: "entry",
    many: "entries",
};

/// The last review (棚卸し) of a register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastReview {
    /// The day.
    pub on: NaiveDate,
    /// By whom.
    pub by: String,
}

/// Where a register stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterState {
    /// The register's code (`devices`, `remote_connections`, …).
    pub code: &'static str,
    /// Its name in Japanese.
    #[serde(skip)]
    pub ja: &'static str,
    /// Its name in English.
    #[serde(skip)]
    pub en: &'static str,
    /// What its rows are called.
    #[serde(skip)]
    pub unit: Unit,
    /// Rows.
    pub count: usize,
    /// Figures shown with the count (systems, internet-facing devices, tests this year).
    pub figures: Vec<Remark>,
    /// What needs attention.
    pub concerns: Vec<Remark>,
    /// The last review, if any.
    pub last_review: Option<LastReview>,
    /// No review within the register's interval.
    pub review_overdue: bool,
    /// Whether the register is reviewed on a cycle (the contact chart is kept current instead).
    pub reviewed: bool,
    /// The page where the register is kept.
    pub href: String,
}

impl RegisterState {
    /// The register's name.
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }

    /// Whether the state calls for attention (concerns or an overdue review).
    pub fn needs_attention(&self) -> bool {
        self.review_overdue || !self.concerns.is_empty()
    }

    /// One line, as shown beside the checklist items it evidences:
    /// `機器台帳 2台 · 最終棚卸し 2026-05-01 · サポート終了 1`.
    pub fn line(&self, lang: Lang) -> String {
        if self.count == 0 && self.concerns.is_empty() {
            return format!(
                "{}: {}",
                self.label(lang),
                lang.pick("未登録", "nothing recorded")
            );
        }
        let count = match lang {
            Lang::Ja => format!("{} {}{}", self.ja, self.count, self.unit.ja),
            Lang::En => format!(
                "{}: {} {}",
                self.en,
                self.count,
                if self.count == 1 {
                    self.unit.one
                } else {
                    self.unit.many
                }
            ),
        };
        let mut parts = vec![if self.figures.is_empty() {
            count
        } else {
            let figures: Vec<String> = self.figures.iter().map(|f| f.text(lang)).collect();
            format!("{count} ({})", figures.join(", "))
        }];
        if self.reviewed {
            parts.push(match &self.last_review {
                Some(r) => format!("{} {}", lang.pick("最終棚卸し", "reviewed"), r.on),
                None => lang.pick("棚卸しの記録なし", "never reviewed").to_string(),
            });
        }
        parts.extend(self.concerns.iter().map(|c| c.text(lang)));
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(count: usize) -> RegisterState {
        RegisterState {
            code: "accounts",
            ja: "アカウント",
            en: "Accounts",
            unit: Unit {
                ja: "件",
                one: "account",
                many: "accounts",
            },
            count,
            figures: vec![Remark::counted("systems", 1, "システム", "systems:")],
            concerns: vec![Remark::counted("left", 2, "退職者", "people who left:")],
            last_review: None,
            review_overdue: true,
            reviewed: true,
            href: "/registers/accounts".into(),
        }
    }

    #[test]
    fn a_state_reads_as_one_line_in_either_language() {
        assert_eq!(
            state(4).line(Lang::Ja),
            "アカウント 4件 (システム 1) · 棚卸しの記録なし · 退職者 2"
        );
        assert_eq!(
            state(1).line(Lang::En),
            "Accounts: 1 account (systems: 1) · never reviewed · people who left: 2"
        );
        let mut empty = state(0);
        empty.concerns.clear();
        assert_eq!(empty.line(Lang::Ja), "アカウント: 未登録");
        assert!(empty.needs_attention());
    }
}

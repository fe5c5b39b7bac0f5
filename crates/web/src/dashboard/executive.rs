//! The executives' part of the dashboard (経営層): one place to decide from. Where the institution
//! stands on the checklist and against last year, the 3×3 matrix, the top risks in plain words,
//! and the いいえ items that wait for a decision or a budget.

use super::RiskCard;
use crate::assessment::service::{previous_year, sheet_of, summary_of};
use crate::core::auth::SignedIn;
use crate::core::charts::control_matrix;
use crate::core::error::AppError;
use crate::core::state::AppState;
use mamori_domain::Lang;
use mamori_domain::assessment::Summary;
use mamori_domain::fiscal::fiscal_year_label;
use mamori_store::Assessment;

/// This year against last year.
pub struct Trend {
    /// Last year's fiscal year and this one's, as labels (令和6年度).
    pub years: (String, String),
    /// Completion then and now, in percent.
    pub completion: (u32, u32),
    /// はい rate then and now.
    pub yes: (String, String),
}

/// An いいえ item waiting for a decision or a budget.
pub struct Decision {
    /// The item's number.
    pub number: String,
    /// Its text.
    pub text: String,
    /// The target date, if set.
    pub target: String,
    /// Past its target.
    pub overdue: bool,
}

/// What executives decide from.
pub struct ExecutiveCard {
    /// The 3×3 matrix as SVG (with its legend).
    pub heatmap: Option<String>,
    /// This year against last year.
    pub trend: Option<Trend>,
    /// The top risks, in plain words.
    pub risks: Vec<String>,
    /// The いいえ items, overdue first.
    pub decisions: Vec<Decision>,
}

fn percent(p: Option<u32>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

/// The top risks in the words an executive reads: what, how many, and what it calls for.
pub fn plain_risks(r: &RiskCard, overdue: usize, open_incidents: usize, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if !r.exposed_kev.is_empty() {
        let mut devices: Vec<&str> = r.exposed_kev.iter().map(|f| f.device.as_str()).collect();
        devices.dedup();
        out.push(match lang {
            Lang::Ja => format!(
                "インターネットから到達できる機器({})に、攻撃に使われている脆弱性が{}件あります。更新するか接続を止めるかの判断が必要です。",
                devices.join("、"),
                r.exposed_kev.len()
            ),
            Lang::En => format!(
                "Devices reachable from the internet ({}) have {} {} known to be used in attacks. Updating them or cutting them off needs a decision.",
                devices.join(", "),
                r.exposed_kev.len(),
                if r.exposed_kev.len() == 1 { "flaw" } else { "flaws" }
            ),
        });
    }
    if open_incidents > 0 {
        out.push(match lang {
            Lang::Ja => format!("対応中のインシデントが{open_incidents}件あります(訓練を含む)。"),
            Lang::En => format!(
                "{open_incidents} {} being handled (exercises included).",
                if open_incidents == 1 {
                    "incident is"
                } else {
                    "incidents are"
                }
            ),
        });
    }
    if overdue > 0 {
        out.push(match lang {
            Lang::Ja => format!("チェックリストの対策のうち{overdue}件が目標日を過ぎています。"),
            Lang::En => format!(
                "{overdue} {} of the checklist {} past {} target date.",
                if overdue == 1 { "measure" } else { "measures" },
                if overdue == 1 { "is" } else { "are" },
                if overdue == 1 { "its" } else { "their" }
            ),
        });
    }
    if r.unsupported > 0 {
        out.push(match lang {
            Lang::Ja => format!(
                "メーカーのサポートが終わった機器が{}台あります。更新の予算が必要です。",
                r.unsupported
            ),
            Lang::En => format!(
                "{} {} past the maker's end of support; replacing {} needs a budget.",
                r.unsupported,
                if r.unsupported == 1 {
                    "device is"
                } else {
                    "devices are"
                },
                if r.unsupported == 1 { "it" } else { "them" }
            ),
        });
    }
    if !r.vendor_sheets.is_empty() {
        let n = r.vendor_sheets.len();
        out.push(match lang {
            Lang::Ja => format!(
                "委託先{n}社の対策状況(事業者確認用チェックリスト)がまだ確認できていません。"
            ),
            Lang::En => format!(
                "The measures of {n} {} (vendor checklist) are not confirmed yet.",
                if n == 1 { "vendor" } else { "vendors" }
            ),
        });
    }
    out
}

/// The executives' card, from the latest own assessment and the risks already read.
pub async fn card(
    state: &AppState,
    s: &SignedIn,
    latest: Option<&(Assessment, Summary)>,
    risks: &RiskCard,
    open_incidents: usize,
) -> Result<ExecutiveCard, AppError> {
    let lang = s.lang;
    let Some((a, summary)) = latest else {
        return Ok(ExecutiveCard {
            heatmap: None,
            trend: None,
            risks: plain_risks(risks, 0, open_incidents, lang),
            decisions: Vec::new(),
        });
    };
    let trend = match previous_year(state, s.org.id, a).await? {
        Some(prev) => {
            let last = summary_of(state, s.org.id, &prev).await?;
            Some(Trend {
                years: (
                    fiscal_year_label(prev.fiscal_year as i32, lang),
                    fiscal_year_label(a.fiscal_year as i32, lang),
                ),
                completion: (last.completion_percent(), summary.completion_percent()),
                yes: (
                    percent(last.overall.yes_percent()),
                    percent(summary.overall.yes_percent()),
                ),
            })
        }
        None => None,
    };
    let sheet = sheet_of(a)?;
    let decisions = summary
        .gaps
        .iter()
        .filter_map(|g| {
            let item = sheet.items.iter().find(|i| i.id == g.item_id)?;
            Some(Decision {
                number: item.number.clone(),
                text: lang.pick(&item.text_ja, &item.text_en).to_string(),
                target: g.target_date.map(|d| d.to_string()).unwrap_or_default(),
                overdue: g.overdue,
            })
        })
        .collect();
    let overdue = summary.gaps.iter().filter(|g| g.overdue).count();
    Ok(ExecutiveCard {
        heatmap: Some(control_matrix(&summary.by_control, lang)),
        trend,
        risks: plain_risks(risks, overdue, open_incidents, lang),
        decisions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risks(unsupported: usize) -> RiskCard {
        RiskCard {
            exposed_kev: Vec::new(),
            registers: Vec::new(),
            vendor_sheets: Vec::new(),
            unsupported,
        }
    }

    #[test]
    fn risks_read_as_sentences_with_the_number_right_in_english() {
        assert!(plain_risks(&risks(0), 0, 0, Lang::En).is_empty());
        let one = plain_risks(&risks(1), 1, 1, Lang::En);
        assert_eq!(
            one,
            [
                "1 incident is being handled (exercises included).",
                "1 measure of the checklist is past its target date.",
                "1 device is past the maker's end of support; replacing it needs a budget."
            ]
        );
        let two = plain_risks(&risks(2), 0, 0, Lang::En);
        assert_eq!(
            two,
            ["2 devices are past the maker's end of support; replacing them needs a budget."]
        );
        let ja = plain_risks(&risks(2), 3, 0, Lang::Ja);
        assert_eq!(ja.len(), 2);
        assert!(ja[0].contains("3件"), "{ja:?}");
    }
}

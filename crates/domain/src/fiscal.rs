//! The Japanese fiscal year (April to March) and its 和暦 label.

use crate::Lang;
use chrono::{Datelike, NaiveDate};

/// The fiscal year a date falls in: 2025-04-01 … 2026-03-31 is FY2025.
pub fn fiscal_year_of(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The first and last day of a fiscal year.
pub fn fiscal_year_range(fy: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(fy, 4, 1)?,
        NaiveDate::from_ymd_opt(fy + 1, 3, 31)?,
    ))
}

/// The label of a fiscal year: 令和7年度 in Japanese (from FY2019, 令和元年度), FY2025 in English.
pub fn fiscal_year_label(fy: i32, lang: Lang) -> String {
    match lang {
        Lang::En => format!("FY{fy}"),
        Lang::Ja if fy == 2019 => "令和元年度".to_string(),
        Lang::Ja if fy > 2019 => format!("令和{}年度", fy - 2018),
        Lang::Ja if fy >= 1989 => format!("平成{}年度", fy - 1988),
        Lang::Ja => format!("{fy}年度"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_fiscal_year_turns_on_the_first_of_april() {
        assert_eq!(fiscal_year_of(d(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(d(2026, 4, 1)), 2026);
        assert_eq!(
            fiscal_year_range(2025),
            Some((d(2025, 4, 1), d(2026, 3, 31)))
        );
    }

    #[test]
    fn labels_follow_the_era() {
        assert_eq!(fiscal_year_label(2025, Lang::Ja), "令和7年度");
        assert_eq!(fiscal_year_label(2019, Lang::Ja), "令和元年度");
        assert_eq!(fiscal_year_label(2018, Lang::Ja), "平成30年度");
        assert_eq!(fiscal_year_label(2025, Lang::En), "FY2025");
    }
}

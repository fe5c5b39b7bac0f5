//! Values as people type them into spreadsheets and forms: full-width digits and letters,
//! はい/有/○ for yes, dates as 2025/4/1, 2025年4月1日, 令和7年4月1日 or R7.4.1. Every import and
//! form reads yes/no, dates and counts through here, so a value that one register accepts is
//! accepted by all.

use chrono::{Datelike, NaiveDate};

/// Full-width ASCII (０-９, Ａ-Ｚ, ／, …) and the ideographic space as their half-width forms, so
/// that `２０２５／４／１` reads as `2025/4/1`.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '‐' | '−' => '-',
            _ => c,
        })
        .collect()
}

/// Yes or no, as spreadsheets say it; an empty cell is no. `None` when it is neither.
pub fn flag(s: &str) -> Option<bool> {
    let v = half_width(s).trim().to_lowercase();
    match v.as_str() {
        "on" | "yes" | "y" | "true" | "1" | "はい" | "有" | "有り" | "あり" | "○" | "〇" | "◯"
        | "o" | "済" | "済み" => Some(true),
        "" | "no" | "n" | "false" | "0" | "いいえ" | "無" | "無し" | "なし" | "×" | "x" | "off"
        | "-" | "未" => Some(false),
        _ => None,
    }
}

/// The Japanese eras a date may be written in: name, short letter, first day.
const ERAS: [(&str, char, (i32, u32, u32)); 3] = [
    ("令和", 'r', (2019, 5, 1)),
    ("平成", 'h', (1989, 1, 8)),
    ("昭和", 's', (1926, 12, 25)),
];

/// A day as people write it: `2025-04-01`, `2025/4/1`, `2025.4.1`, `2025年4月1日`,
/// `令和7年4月1日` (元年 too), `R7.4.1`, with or without a time after it (`2025/4/1 0:00`).
/// A Japanese-era date outside its era is refused rather than guessed.
pub fn date(s: &str) -> Option<NaiveDate> {
    let t = half_width(s);
    let t = t.trim();
    // Spreadsheets add a time to dates; the day is what counts.
    let t = t
        .split_once(['T', ' '])
        .filter(|(_, time)| time.contains(':'))
        .map_or(t, |(day, _)| day);
    let t = t.to_lowercase();
    for (name, letter, (y0, m0, d0)) in ERAS {
        let rest = t
            .strip_prefix(name)
            .or_else(|| t.strip_prefix(letter))
            .map(|r| r.trim_start());
        let Some(rest) = rest else { continue };
        let rest = rest.replacen("元", "1", 1);
        let (y, m, d) = parts(&rest)?;
        let day = NaiveDate::from_ymd_opt(y0 + y - 1, m, d)?;
        let start = NaiveDate::from_ymd_opt(y0, m0, d0)?;
        let next_era = ERAS
            .iter()
            .take_while(|e| e.0 != name)
            .last()
            .and_then(|e| NaiveDate::from_ymd_opt(e.2.0, e.2.1, e.2.2));
        return (y >= 1 && day >= start && next_era.is_none_or(|n| day < n)).then_some(day);
    }
    let (y, m, d) = parts(&t)?;
    (1900..=2200)
        .contains(&y)
        .then(|| NaiveDate::from_ymd_opt(y, m, d))
        .flatten()
        .filter(|day| day.year() == y)
}

/// Year, month and day separated by `-`, `/`, `.` or 年/月/日.
fn parts(s: &str) -> Option<(i32, u32, u32)> {
    let s = s.strip_suffix('日').unwrap_or(s);
    let mut it = s.split(['-', '/', '.', '年', '月']).map(str::trim);
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    it.next().is_none().then_some((y, m, d))
}

/// A count as people write it: full-width digits, thousands separators, a trailing 台/件/人/名.
pub fn count(s: &str) -> Option<u32> {
    let t = half_width(s);
    let t = t.trim();
    let t = t.trim_end_matches(['台', '件', '人', '名', '個']).trim();
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_are_read_the_ways_people_write_them() {
        for s in [
            "2025-04-01",
            "2025/4/1",
            "2025/04/01",
            "２０２５／４／１",
            "2025.4.1",
            "2025年4月1日",
            "令和7年4月1日",
            "令和７年４月１日",
            "R7.4.1",
            "r07/04/01",
            "2025/4/1 0:00:00",
            "2025-04-01T00:00:00",
        ] {
            assert_eq!(date(s), d(2025, 4, 1), "{s}");
        }
        assert_eq!(date("令和元年5月1日"), d(2019, 5, 1));
        assert_eq!(date("平成31年4月30日"), d(2019, 4, 30));
        assert_eq!(date("H30.3.31"), d(2018, 3, 31));
        assert_eq!(date("昭和64年1月7日"), d(1989, 1, 7));
    }

    #[test]
    fn impossible_and_out_of_era_dates_are_refused() {
        for s in [
            "",
            "2025/2/30",
            "2025/13/1",
            "令和元年4月30日",
            "平成31年5月1日",
            "令和0年5月1日",
            "25/4/1",
            "2025/4",
            "2025/4/1/2",
            "来年度",
            "R7.4.1.2",
        ] {
            assert_eq!(date(s), None, "{s}");
        }
    }

    #[test]
    fn yes_and_no_are_read_in_japanese_and_english() {
        for s in ["はい", "有", "あり", "○", "〇", "Yes", "TRUE", "１", "済"] {
            assert_eq!(flag(s), Some(true), "{s}");
        }
        for s in ["いいえ", "無", "なし", "×", "no", "false", "", "０", "-"] {
            assert_eq!(flag(s), Some(false), "{s}");
        }
        assert_eq!(flag("たぶん"), None);
    }

    #[test]
    fn counts_take_full_width_digits_separators_and_counters() {
        assert_eq!(count("１，２００"), Some(1200));
        assert_eq!(count("12台"), Some(12));
        assert_eq!(count(" 7 "), Some(7));
        assert_eq!(count("-3"), None);
        assert_eq!(count("三"), None);
        assert_eq!(count(""), None);
    }
}

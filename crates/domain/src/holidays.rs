//! Japanese national holidays computed from the 国民の祝日に関する法律 (祝日法): fixed days, Happy
//! Monday days, the equinox formula, 振替休日 and 国民の休日, with the one-off changes of 2019–2021.
//! Computed, not a typed list, so it does not run out. Valid from 2007 (the current 振替休日 rule)
//! to 2099 (the equinox formula's range).

use chrono::{Datelike, NaiveDate, Weekday};

/// The years this calendar is valid for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2007..=2099;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// The `n`th Monday of a month.
fn nth_monday(y: i32, m: u32, n: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, u8::try_from(n).ok()?)
}

/// 春分の日 and 秋分の日 by the usual approximation (valid 1980–2099), as the Cabinet Office
/// announces them each February.
fn equinoxes(y: i32) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let t = f64::from(y - 1980);
    let leap = f64::from((y - 1980) / 4);
    let spring = (20.8431 + 0.242194 * t - leap).floor() as u32;
    let autumn = (23.2488 + 0.242194 * t - leap).floor() as u32;
    (d(y, 3, spring), d(y, 9, autumn))
}

/// The holidays the law names for a year (before 振替休日 and 国民の休日), with their names.
fn named(y: i32) -> Vec<(NaiveDate, &'static str)> {
    let (spring, autumn) = equinoxes(y);
    let mut v: Vec<(Option<NaiveDate>, &'static str)> = vec![
        (d(y, 1, 1), "元日"),
        (nth_monday(y, 1, 2), "成人の日"),
        (d(y, 2, 11), "建国記念の日"),
        (spring, "春分の日"),
        (d(y, 4, 29), "昭和の日"),
        (d(y, 5, 3), "憲法記念日"),
        (d(y, 5, 4), "みどりの日"),
        (d(y, 5, 5), "こどもの日"),
        (autumn, "秋分の日"),
        (d(y, 11, 3), "文化の日"),
        (d(y, 11, 23), "勤労感謝の日"),
    ];
    if y >= 2020 {
        v.push((d(y, 2, 23), "天皇誕生日"));
    } else if y <= 2018 {
        v.push((d(y, 12, 23), "天皇誕生日"));
    }
    // The Olympic years moved three holidays by special law.
    match y {
        2020 => v.extend([
            (d(y, 7, 23), "海の日"),
            (d(y, 7, 24), "スポーツの日"),
            (d(y, 8, 10), "山の日"),
        ]),
        2021 => v.extend([
            (d(y, 7, 22), "海の日"),
            (d(y, 7, 23), "スポーツの日"),
            (d(y, 8, 8), "山の日"),
        ]),
        _ => {
            v.push((nth_monday(y, 7, 3), "海の日"));
            v.push((
                nth_monday(y, 10, 2),
                if y >= 2020 {
                    "スポーツの日"
                } else {
                    "体育の日"
                },
            ));
            if y >= 2016 {
                v.push((d(y, 8, 11), "山の日"));
            }
        }
    }
    v.push((nth_monday(y, 9, 3), "敬老の日"));
    if y == 2019 {
        v.extend([
            (d(y, 5, 1), "天皇の即位の日"),
            (d(y, 10, 22), "即位礼正殿の儀の行われる日"),
        ]);
    }
    let mut out: Vec<(NaiveDate, &'static str)> = v
        .into_iter()
        .filter_map(|(d, n)| d.map(|d| (d, n)))
        .collect();
    out.sort();
    out
}

/// Every holiday of a year with its name, 振替休日 and 国民の休日 included, in date order.
pub fn holidays(y: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut all = named(y);
    let is_named =
        |day: NaiveDate, list: &[(NaiveDate, &'static str)]| list.iter().any(|(h, _)| *h == day);
    // 国民の休日: a day between two holidays that is not itself one (and not a Sunday).
    let base = all.clone();
    for w in base.windows(2) {
        if let [(a, _), (b, _)] = w
            && (*b - *a).num_days() == 2
            && let Some(mid) = a.succ_opt()
            && mid.weekday() != Weekday::Sun
            && !is_named(mid, &base)
        {
            all.push((mid, "国民の休日"));
        }
    }
    all.sort();
    // 振替休日: a holiday on a Sunday moves the rest to the nearest following day that is not a holiday.
    let base = all.clone();
    for (h, _) in base.iter().filter(|(h, _)| h.weekday() == Weekday::Sun) {
        let mut next = h.succ_opt();
        while let Some(n) = next {
            if !is_named(n, &all) {
                all.push((n, "休日(振替休日)"));
                break;
            }
            next = n.succ_opt();
        }
    }
    all.sort();
    all
}

/// Whether a date is a national holiday (祝日, 振替休日 or 国民の休日).
pub fn is_holiday(date: NaiveDate) -> bool {
    holidays(date.year()).iter().any(|(h, _)| *h == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(y: i32) -> Vec<String> {
        holidays(y)
            .into_iter()
            .map(|(d, _)| d.format("%m-%d").to_string())
            .collect()
    }

    #[test]
    fn the_years_of_the_cabinet_office_tables_match() {
        assert_eq!(
            days(2025),
            [
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04",
                "05-05", "05-06", "07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-23",
                "11-24"
            ]
        );
        assert_eq!(
            days(2026),
            [
                "01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
                "05-06", "07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"
            ]
        );
    }

    #[test]
    fn the_special_years_2019_to_2021_match() {
        assert_eq!(
            days(2019),
            [
                "01-01", "01-14", "02-11", "03-21", "04-29", "04-30", "05-01", "05-02", "05-03",
                "05-04", "05-05", "05-06", "07-15", "08-11", "08-12", "09-16", "09-23", "10-14",
                "10-22", "11-03", "11-04", "11-23"
            ]
        );
        assert_eq!(
            days(2020),
            [
                "01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04",
                "05-05", "05-06", "07-23", "07-24", "08-10", "09-21", "09-22", "11-03", "11-23"
            ]
        );
        assert_eq!(
            days(2021),
            [
                "01-01", "01-11", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
                "07-22", "07-23", "08-08", "08-09", "09-20", "09-23", "11-03", "11-23"
            ]
        );
    }

    #[test]
    fn a_sunday_holiday_moves_past_following_holidays() {
        // 2025-05-04 (みどりの日) is a Sunday: the 振替休日 is 05-06, after こどもの日.
        assert!(is_holiday(
            NaiveDate::from_ymd_opt(2025, 5, 6).unwrap_or_default()
        ));
        assert!(!is_holiday(
            NaiveDate::from_ymd_opt(2025, 5, 7).unwrap_or_default()
        ));
    }
}

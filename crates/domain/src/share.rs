//! What a person must look at before an incident's indicators leave the institution: lines of
//! free text that may carry personal data (patients' names, IDs, telephone numbers, e-mail
//! addresses, dates of birth). Flagged, not removed: only a person can tell a patient's name
//! from a server's.

/// A line of text that may carry personal data, and why it was flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    /// The line's number (from 1).
    pub line: usize,
    /// The line.
    pub text: String,
    /// Message keys of the reasons.
    pub reasons: Vec<&'static str>,
}

/// Words that point at a person in Japanese hospital text.
const PERSON_WORDS: [&str; 10] = [
    "患者",
    "様",
    "さん",
    "氏名",
    "カルテ",
    "生年月日",
    "住所",
    "電話",
    "保険証",
    "病名",
];

/// The lines of `text` to review before sharing.
pub fn review_lines(text: &str) -> Vec<Flagged> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut reasons = Vec::new();
        if PERSON_WORDS.iter().any(|w| line.contains(w)) {
            reasons.push("share.flag.person");
        }
        if longest_digit_run(line) >= 6 {
            reasons.push("share.flag.number");
        }
        if looks_like_phone(line) {
            reasons.push("share.flag.phone");
        }
        if line.contains('@') {
            reasons.push("share.flag.email");
        }
        if looks_like_birth_date(line) {
            reasons.push("share.flag.date");
        }
        if !reasons.is_empty() {
            out.push(Flagged {
                line: i + 1,
                text: line.to_string(),
                reasons,
            });
        }
    }
    out
}

fn digits(line: &str) -> impl Iterator<Item = bool> + '_ {
    line.chars()
        .map(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

fn longest_digit_run(line: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for d in digits(line) {
        run = if d { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// `03-1234-5678`, `090-1234-5678`: groups of digits joined by hyphens, starting with 0.
fn looks_like_phone(line: &str) -> bool {
    line.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .any(|t| {
            let groups: Vec<&str> = t.split('-').collect();
            t.starts_with('0')
                && groups.len() == 3
                && groups.iter().all(|g| !g.is_empty())
                && t.chars().filter(char::is_ascii_digit).count() >= 10
        })
}

/// A year of birth with a month and day (`1950/4/1`, `昭和25年4月1日`, `S25.4.1`).
fn looks_like_birth_date(line: &str) -> bool {
    ["昭和", "大正", "平成"].iter().any(|e| line.contains(e))
        || line
            .split(|c: char| !(c.is_ascii_digit() || c == '/' || c == '.'))
            .any(|t| {
                let parts: Vec<&str> = t.split(['/', '.']).collect();
                parts.len() == 3
                    && parts.first().is_some_and(|y| {
                        y.len() == 4 && y.parse::<u32>().is_ok_and(|y| (1900..2000).contains(&y))
                    })
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_may_name_a_patient_are_flagged_and_indicators_are_not() {
        let text = "C2 サーバ 203.0.113.7 への通信を確認\n\
                    患者 山田様のカルテ番号 1234567 が表示された\n\
                    連絡先 090-1234-5678\n\
                    生まれ 1950/4/1\n\
                    hash e3b0c442 を検知";
        let flagged = review_lines(text);
        let lines: Vec<usize> = flagged.iter().map(|f| f.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(flagged[0].reasons.contains(&"share.flag.person"));
        assert!(flagged[0].reasons.contains(&"share.flag.number"));
        assert_eq!(flagged[1].reasons, ["share.flag.phone"]);
        assert_eq!(flagged[2].reasons, ["share.flag.date"]);
    }
}

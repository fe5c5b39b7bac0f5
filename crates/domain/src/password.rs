//! Password rules of the FY2025 MHLW checklist: at least 8 characters mixing letters, digits and
//! symbols when two-factor authentication is on; at least 13 characters without it; no reuse.
//! Beyond the checklist, as NIST SP 800-63B asks: nothing of blanks or one character repeated, and
//! nothing an attacker tries first (common and breached passwords, keyboard walks, the service's
//! and the account's own names).

/// How many previous passwords a new one must differ from.
pub const HISTORY_DEPTH: usize = 5;
/// Minimum length when two-factor authentication protects the account.
pub const MIN_WITH_TWO_FACTOR: usize = 8;
/// Minimum length for an account without two-factor authentication.
pub const MIN_WITHOUT_TWO_FACTOR: usize = 13;
/// Longest accepted password, to bound hashing work per request.
pub const MAX_LEN: usize = 256;

/// Fewer estimated guesses than 10^6 means a password on the lists attackers try first, or a
/// small variation of one (the estimator's own floor for anything longer is 10^8, so this is only
/// the first of two tests).
pub const MIN_GUESSES_LOG10: f64 = 6.0;

/// Words of the service itself that belong in no password of it.
const SERVICE_WORDS: &[&str] = &["mamori", "守り", "まもり", "hospital", "病院"];

/// Checks a new password; the error is a message key naming the rule broken. `context` holds the
/// account's own words (e-mail, name, organisation), which make a password easy to guess.
pub fn check(password: &str, two_factor: bool, context: &[&str]) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len > MAX_LEN {
        return Err("error.password_too_long");
    }
    if is_trivial(password) {
        return Err("error.password_trivial");
    }
    if two_factor {
        let letter = password.chars().any(|c| c.is_alphabetic());
        let digit = password.chars().any(|c| c.is_ascii_digit());
        let symbol = password
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
        if len < MIN_WITH_TWO_FACTOR || !(letter && digit && symbol) {
            return Err("error.password_rule_2fa");
        }
    } else if len < MIN_WITHOUT_TWO_FACTOR {
        return Err("error.password_rule_plain");
    }
    if is_guessable(password, context) {
        return Err("error.password_common");
    }
    Ok(())
}

/// Whether a password is long enough to stand without two-factor authentication (13 characters).
pub fn long_enough_without_two_factor(password: &str) -> bool {
    password.chars().count() >= MIN_WITHOUT_TWO_FACTOR
}

/// Blanks only, or one character over and over.
fn is_trivial(password: &str) -> bool {
    let mut chars = password.chars().flat_map(char::to_lowercase);
    let first = chars.next();
    password.trim().is_empty() || chars.all(|c| Some(c) == first)
}

/// Whether the password is among what attackers try first: a listed word dressed up (see
/// `dressed_word`), or the service's and the account's own words (each also split at
/// punctuation, so an e-mail's parts count) with little else (`tanakahanako1!`,
/// `mamori-hospital-2026`, `summer-tanaka!`).
fn is_guessable(password: &str, context: &[&str]) -> bool {
    let mut words: Vec<String> = SERVICE_WORDS.iter().map(|w| w.to_lowercase()).collect();
    for w in context {
        words.push(w.to_lowercase());
        words.extend(
            w.split(|c: char| !c.is_alphanumeric())
                .filter(|p| p.chars().count() >= 2)
                .map(str::to_lowercase),
        );
    }
    if dressed_word(password) {
        return true;
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let lower = password.to_lowercase();
    let mut rest = lower.clone();
    for w in words.iter().filter(|w| !w.is_empty()) {
        rest = rest.replace(w.as_str(), " ");
    }
    if rest == lower {
        return false;
    }
    rest.chars().filter(|c| c.is_alphabetic()).count() <= 2 || dressed_word(&rest)
}

/// Whether the estimator finds few guesses, or all it finds is at most one listed word (a common
/// password, a dictionary word or name) dressed with dates, digit runs, keyboard walks, repeats
/// and up to five digits or symbols (`P@ssw0rd2026!`, `Summer2025!`).
fn dressed_word(password: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    let estimate = zxcvbn::zxcvbn(password, &[]);
    if estimate.guesses_log10() < MIN_GUESSES_LOG10 {
        return true;
    }
    let mut listed_words = 0;
    for m in estimate.sequence() {
        match &m.pattern {
            MatchPattern::Dictionary(_) => listed_words += 1,
            MatchPattern::BruteForce => {
                let own = m.token.chars().count() > 5 || m.token.chars().any(char::is_alphabetic);
                if own {
                    return false;
                }
            }
            _ => {}
        }
    }
    listed_words <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_factor_allows_short_mixed_passwords_only() {
        assert_eq!(check("ab1!efgh", true, &[]), Ok(()));
        assert_eq!(check("ab1!efg", true, &[]), Err("error.password_rule_2fa"));
        assert_eq!(
            check("abcdefgh1", true, &[]),
            Err("error.password_rule_2fa")
        );
        assert_eq!(
            check("abcdefgh!", true, &[]),
            Err("error.password_rule_2fa")
        );
    }

    #[test]
    fn without_two_factor_thirteen_characters_are_needed() {
        assert_eq!(
            check("ab1!efgh", false, &[]),
            Err("error.password_rule_plain")
        );
        assert_eq!(check("correcthorseb", false, &[]), Ok(()));
        assert_eq!(check("守りの病院で働く看護師です", false, &[]), Ok(()));
    }

    #[test]
    fn blanks_and_one_character_repeated_are_refused() {
        assert_eq!(
            check("             ", false, &[]),
            Err("error.password_trivial")
        );
        assert_eq!(
            check("\u{3000}\u{3000}\u{3000}", true, &[]),
            Err("error.password_trivial")
        );
        assert_eq!(
            check("aaaaaaaaaaaaaaa", false, &[]),
            Err("error.password_trivial")
        );
        assert_eq!(
            check("AaAaAaAaAaAaAa", false, &[]),
            Err("error.password_trivial")
        );
        assert_eq!(
            check("ままままままままままままま", false, &[]),
            Err("error.password_trivial")
        );
    }

    #[test]
    fn common_passwords_walks_and_the_accounts_own_words_are_refused() {
        for (common, two_factor) in [
            ("password12345", false),
            ("Password123!", true),
            ("P@ssw0rd2026!", true),
            ("1234567890123", false),
            ("qwertyuiop123", false),
            ("iloveyou12345", false),
            ("mamorimamori1", false),
        ] {
            assert_eq!(
                check(common, two_factor, &[]),
                Err("error.password_common"),
                "{common}"
            );
        }
        let me = [
            "tanaka.hanako@hospital.example.jp",
            "田中 花子",
            "守り市民病院",
        ];
        assert_eq!(
            check("tanakahanako1!", true, &me),
            Err("error.password_common")
        );
        assert_eq!(
            check("tanakahanako1!", true, &[]),
            Ok(()),
            "only her words make it guessable"
        );
        for fine in [
            "correct-horse-battery",
            "quiet-lantern-harbor-2026",
            "a-brand-new-password",
            "rotation-password-0",
            "clinic-only-password-9",
            "Kx8#mQ2v",
        ] {
            let two_factor = fine.chars().count() < MIN_WITHOUT_TWO_FACTOR;
            assert_eq!(check(fine, two_factor, &me), Ok(()), "{fine}");
        }
    }

    proptest! {
        #[test]
        fn anything_accepted_without_two_factor_is_long_enough(p in ".{0,40}") {
            if check(&p, false, &[]).is_ok() {
                prop_assert!(p.chars().count() >= MIN_WITHOUT_TWO_FACTOR);
            }
        }
    }
}

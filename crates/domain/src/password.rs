//! Password rules of the FY2025 MHLW checklist: at least 8 characters mixing letters, digits and
//! symbols when two-factor authentication is on; at least 13 characters without it; no reuse.

/// How many previous passwords a new one must differ from.
pub const HISTORY_DEPTH: usize = 5;
/// Minimum length when two-factor authentication protects the account.
pub const MIN_WITH_TWO_FACTOR: usize = 8;
/// Minimum length for an account without two-factor authentication.
pub const MIN_WITHOUT_TWO_FACTOR: usize = 13;
/// Longest accepted password, to bound hashing work per request.
pub const MAX_LEN: usize = 256;

/// Checks a new password; the error is a message key naming the rule broken.
pub fn check(password: &str, two_factor: bool) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len > MAX_LEN {
        return Err("error.password_too_long");
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_factor_allows_short_mixed_passwords_only() {
        assert_eq!(check("ab1!efgh", true), Ok(()));
        assert_eq!(check("ab1!efg", true), Err("error.password_rule_2fa"));
        assert_eq!(check("abcdefgh1", true), Err("error.password_rule_2fa"));
        assert_eq!(check("abcdefgh!", true), Err("error.password_rule_2fa"));
    }

    #[test]
    fn without_two_factor_thirteen_characters_are_needed() {
        assert_eq!(check("ab1!efgh", false), Err("error.password_rule_plain"));
        assert_eq!(check("correcthorseb", false), Ok(()));
        assert_eq!(check("まもりまもりまもりまもりま", false), Ok(()));
    }

    proptest! {
        #[test]
        fn anything_accepted_without_two_factor_is_long_enough(p in ".{0,40}") {
            if check(&p, false).is_ok() {
                prop_assert!(p.chars().count() >= MIN_WITHOUT_TWO_FACTOR);
            }
        }
    }
}

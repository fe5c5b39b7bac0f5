//! A single indicator value as people paste it (an address, a domain, a URL, a hash, an e-mail
//! address): what kind it is, and the STIX pattern that matches it.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The kinds of value an indicator can be made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// An IPv4 address or CIDR range.
    Ipv4,
    /// An IPv6 address or CIDR range.
    Ipv6,
    /// A domain name.
    Domain,
    /// A URL.
    Url,
    /// An MD5 hash (32 hex digits).
    Md5,
    /// A SHA-1 hash (40 hex digits).
    Sha1,
    /// A SHA-256 hash (64 hex digits).
    Sha256,
    /// An e-mail address.
    Email,
}

impl ValueKind {
    /// Every kind.
    pub const ALL: [ValueKind; 8] = [
        ValueKind::Ipv4,
        ValueKind::Ipv6,
        ValueKind::Domain,
        ValueKind::Url,
        ValueKind::Md5,
        ValueKind::Sha1,
        ValueKind::Sha256,
        ValueKind::Email,
    ];

    /// A stable code (`ipv4`, `sha256`, …).
    pub fn code(self) -> &'static str {
        match self {
            ValueKind::Ipv4 => "ipv4",
            ValueKind::Ipv6 => "ipv6",
            ValueKind::Domain => "domain",
            ValueKind::Url => "url",
            ValueKind::Md5 => "md5",
            ValueKind::Sha1 => "sha1",
            ValueKind::Sha256 => "sha256",
            ValueKind::Email => "email",
        }
    }

    /// The kind a code names.
    pub fn from_code(code: &str) -> Option<ValueKind> {
        ValueKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The object path a pattern tests for this kind.
    pub fn path(self) -> &'static str {
        match self {
            ValueKind::Ipv4 => "ipv4-addr:value",
            ValueKind::Ipv6 => "ipv6-addr:value",
            ValueKind::Domain => "domain-name:value",
            ValueKind::Url => "url:value",
            ValueKind::Md5 => "file:hashes.MD5",
            ValueKind::Sha1 => "file:hashes.'SHA-1'",
            ValueKind::Sha256 => "file:hashes.'SHA-256'",
            ValueKind::Email => "email-addr:value",
        }
    }

    /// Whether values of this kind compare without regard to case (names and hashes do).
    pub fn case_insensitive(self) -> bool {
        !matches!(self, ValueKind::Url)
    }
}

/// The value, trimmed and in the form it is compared in: hashes, domains and e-mail addresses in
/// lower case, a domain without a trailing dot, defanged forms (`hxxp`, `[.]`) restored.
pub fn normalise(kind: ValueKind, value: &str) -> String {
    let v = refang(value.trim());
    match kind {
        ValueKind::Url | ValueKind::Ipv4 | ValueKind::Ipv6 => v,
        ValueKind::Domain => v.trim_end_matches('.').to_ascii_lowercase(),
        _ => v.to_ascii_lowercase(),
    }
}

/// Undoes the usual defanging of shared indicators: `hxxp://`, `[.]`, `(.)`, `[:]`, `[@]`.
fn refang(v: &str) -> String {
    let mut out = v
        .replace("[.]", ".")
        .replace("(.)", ".")
        .replace("[:]", ":")
        .replace("[@]", "@");
    for (from, to) in [("hxxps://", "https://"), ("hxxp://", "http://")] {
        if out.to_ascii_lowercase().starts_with(from) {
            out = format!("{to}{}", out.get(from.len()..).unwrap_or_default());
        }
    }
    out
}

/// The kind of a value as pasted; none when it is none of them.
pub fn guess(value: &str) -> Option<ValueKind> {
    let v = refang(value.trim());
    if v.is_empty() || v.chars().any(char::is_whitespace) {
        return None;
    }
    let (addr, prefix) = match v.split_once('/') {
        Some((a, p)) if !v.contains("://") => (a, Some(p)),
        _ => (v.as_str(), None),
    };
    let prefix_ok = |max: u8| prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max));
    if addr.parse::<Ipv4Addr>().is_ok() && prefix_ok(32) {
        return Some(ValueKind::Ipv4);
    }
    if addr.parse::<Ipv6Addr>().is_ok() && prefix_ok(128) {
        return Some(ValueKind::Ipv6);
    }
    if v.chars().all(|c| c.is_ascii_hexdigit()) {
        return match v.len() {
            32 => Some(ValueKind::Md5),
            40 => Some(ValueKind::Sha1),
            64 => Some(ValueKind::Sha256),
            _ => None,
        };
    }
    if let Some((scheme, rest)) = v.split_once("://") {
        let known = ["http", "https", "ftp"].contains(&scheme.to_ascii_lowercase().as_str());
        return (known && !rest.is_empty()).then_some(ValueKind::Url);
    }
    if let Some((local, domain)) = v.rsplit_once('@') {
        return (!local.is_empty() && is_domain(domain)).then_some(ValueKind::Email);
    }
    is_domain(&v).then_some(ValueKind::Domain)
}

/// A name of at least two labels of letters, digits and hyphens, the last not all digits.
fn is_domain(v: &str) -> bool {
    let v = v.trim_end_matches('.');
    let labels: Vec<&str> = v.split('.').collect();
    labels.len() >= 2
        && v.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// The STIX pattern that matches a value of a kind: `[ipv4-addr:value = '203.0.113.7']`, or for
/// a CIDR range `ISSUBSET`.
pub fn pattern(kind: ValueKind, value: &str) -> String {
    let v = normalise(kind, value);
    let quoted = v.replace('\\', "\\\\").replace('\'', "\\'");
    let op = if matches!(kind, ValueKind::Ipv4 | ValueKind::Ipv6) && v.contains('/') {
        "ISSUBSET"
    } else {
        "="
    };
    format!("[{} {op} '{quoted}']", kind.path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pattern;

    #[test]
    fn pasted_values_are_told_apart() {
        let cases = [
            ("203.0.113.7", Some(ValueKind::Ipv4)),
            ("198.51.100.0/24", Some(ValueKind::Ipv4)),
            ("198.51.100.0/33", None),
            ("2001:db8::1", Some(ValueKind::Ipv6)),
            ("evil.example.com", Some(ValueKind::Domain)),
            ("evil[.]example[.]com", Some(ValueKind::Domain)),
            ("hxxps://evil.example.com/login", Some(ValueKind::Url)),
            ("d41d8cd98f00b204e9800998ecf8427e", Some(ValueKind::Md5)),
            (
                "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
                Some(ValueKind::Sha1),
            ),
            (
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                Some(ValueKind::Sha256),
            ),
            ("attacker@evil.example.com", Some(ValueKind::Email)),
            ("1.2.3", None),
            ("deadbeef", None),
            ("not a value", None),
            ("localhost", None),
            ("", None),
        ];
        for (v, kind) in cases {
            assert_eq!(guess(v), kind, "{v}");
        }
    }

    #[test]
    fn every_kind_makes_a_pattern_that_parses() {
        for (kind, v) in [
            (ValueKind::Ipv4, "203.0.113.7"),
            (ValueKind::Ipv4, "198.51.100.0/24"),
            (ValueKind::Ipv6, "2001:db8::1"),
            (ValueKind::Domain, "Evil.Example.com."),
            (ValueKind::Url, "http://evil.example.com/a'b"),
            (ValueKind::Md5, "D41D8CD98F00B204E9800998ECF8427E"),
            (ValueKind::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (
                ValueKind::Sha256,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (ValueKind::Email, "a@evil.example.com"),
        ] {
            let p = pattern(kind, v);
            assert!(Pattern::parse(&p).is_ok(), "{p}");
        }
        assert_eq!(
            pattern(ValueKind::Domain, "Evil.Example.com."),
            "[domain-name:value = 'evil.example.com']"
        );
        assert_eq!(
            pattern(ValueKind::Url, "http://e.example/a'b"),
            "[url:value = 'http://e.example/a\\'b']"
        );
    }
}

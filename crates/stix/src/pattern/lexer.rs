//! Tokens of the STIX patterning language (STIX 2.1 §9, the grammar of `stix2-patterns`).

/// One token with the byte offset it starts at.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Where it starts in the pattern.
    pub at: usize,
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A keyword (`AND`, `FOLLOWEDBY`, `WITHIN`, …).
    Keyword(&'static str),
    /// A name: an object type, a property, `ipv4-addr`.
    Name(String),
    /// `'…'` with its escapes undone.
    Str(String),
    /// An integer, sign included.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `t'…'`.
    Timestamp(String),
    /// `b'…'` (base64 text as written).
    Binary(String),
    /// `h'…'` (hex text as written).
    Hex(String),
    /// One of `[ ] ( ) : . , *` and the comparison operators.
    Punct(&'static str),
}

const KEYWORDS: [&str; 17] = [
    "AND",
    "OR",
    "NOT",
    "FOLLOWEDBY",
    "LIKE",
    "MATCHES",
    "ISSUPERSET",
    "ISSUBSET",
    "EXISTS",
    "IN",
    "START",
    "STOP",
    "SECONDS",
    "WITHIN",
    "REPEATS",
    "TIMES",
    "LAST",
];

/// Splits a pattern into tokens, or says where it cannot.
pub fn tokens(text: &str) -> Result<Vec<Token>, (usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let at = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        // Comments, as the grammar skips them: `// …` to the line's end, `/* … */`.
        if b == b'/' && next == Some(b'/') {
            while bytes.get(i).is_some_and(|c| *c != b'\n' && *c != b'\r') {
                i += 1;
            }
            continue;
        }
        if b == b'/' && next == Some(b'*') {
            let rest = text.get(i + 2..).unwrap_or_default();
            let end = rest
                .find("*/")
                .ok_or((at, "a comment is not closed".to_string()))?;
            i += 2 + end + 2;
            continue;
        }
        let kind = match b {
            b'\'' => {
                let (s, end) = quoted(text, i)?;
                i = end;
                Kind::Str(s)
            }
            b't' | b'b' | b'h' if next == Some(b'\'') => {
                let (s, end) = quoted(text, i + 1)?;
                i = end;
                match b {
                    b't' => Kind::Timestamp(s),
                    b'b' => Kind::Binary(s),
                    _ => Kind::Hex(s),
                }
            }
            b'[' | b']' | b'(' | b')' | b':' | b',' | b'*' => {
                i += 1;
                Kind::Punct(match b {
                    b'[' => "[",
                    b']' => "]",
                    b'(' => "(",
                    b')' => ")",
                    b':' => ":",
                    b',' => ",",
                    _ => "*",
                })
            }
            b'.' if !next.is_some_and(|n| n.is_ascii_digit()) => {
                i += 1;
                Kind::Punct(".")
            }
            b'=' => {
                // `==` is the grammar's other spelling of `=`.
                i += if next == Some(b'=') { 2 } else { 1 };
                Kind::Punct("=")
            }
            b'!' | b'<' | b'>' => {
                if next == Some(b'=') {
                    i += 2;
                    Kind::Punct(match b {
                        b'!' => "!=",
                        b'<' => "<=",
                        _ => ">=",
                    })
                } else if b == b'<' && next == Some(b'>') {
                    i += 2;
                    Kind::Punct("!=")
                } else if b == b'!' {
                    return Err((at, "'!' must be followed by '='".into()));
                } else {
                    i += 1;
                    Kind::Punct(if b == b'<' { "<" } else { ">" })
                }
            }
            b'+' | b'-' | b'0'..=b'9' | b'.' => {
                let start = i;
                i += 1;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
                {
                    i += 1;
                }
                number(text.get(start..i).unwrap_or_default())
                    .ok_or((at, "not a number".to_string()))?
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
                {
                    i += 1;
                }
                let word = text.get(start..i).unwrap_or_default();
                match word {
                    "true" => Kind::Bool(true),
                    "false" => Kind::Bool(false),
                    w => match KEYWORDS.iter().find(|k| **k == w) {
                        Some(k) => Kind::Keyword(k),
                        None => Kind::Name(w.to_string()),
                    },
                }
            }
            _ => {
                let c = text.get(i..).and_then(|r| r.chars().next()).unwrap_or('?');
                return Err((at, format!("unexpected character {c:?}")));
            }
        };
        out.push(Token { kind, at });
    }
    Ok(out)
}

/// A `'…'` starting at `start` (the quote): its text with `\'` and `\\` undone, and the offset
/// after the closing quote. Any other escape is an error, as the grammar allows no other.
fn quoted(text: &str, start: usize) -> Result<(String, usize), (usize, String)> {
    let mut out = String::new();
    let mut chars = text.get(start + 1..).unwrap_or_default().char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '\'' => return Ok((out, start + 1 + k + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('\'' | '\\'))) => out.push(e),
                _ => return Err((start + 1 + k, "only \\' and \\\\ may be escaped".into())),
            },
            c => out.push(c),
        }
    }
    Err((start, "a quoted text is not closed".into()))
}

/// An integer (`+1`, `-0`, `42`, no leading zeros) or a number with a fraction (`.5`, `-1.25`).
fn number(t: &str) -> Option<Kind> {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.contains('.') {
        let (whole, frac) = digits.split_once('.')?;
        if frac.is_empty() || frac.contains('.') || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return t.parse().ok().map(Kind::Float);
    }
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    t.parse().ok().map(Kind::Int)
}

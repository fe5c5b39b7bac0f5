//! The JSON Canonicalization Scheme (RFC 8785), as the deterministic ids of cyber-observables are
//! computed from it: members sorted by their names' UTF-16 code units, no white space, strings
//! escaped only where JSON requires, numbers as ECMAScript writes them.

use serde_json::Value;

/// The canonical text of a JSON value.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}

/// Integers as they are; other numbers in ECMAScript's shortest form for the common range.
fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == f.trunc() && f.abs() < 1e21 {
        // ECMAScript writes integral values without a fraction or exponent below 10^21.
        format!("{f:.0}")
    } else {
        // Rust's shortest round-trip digits are ECMAScript's within 1e-6..1e21.
        format!("{f}")
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_and_nothing_is_spaced_or_escaped_needlessly() {
        let v =
            json!({"value": "日本語", "b": [1, 2.5, true, null], "a": {"z": 1, "y": "\n\u{1}"}});
        assert_eq!(
            canonical(&v),
            r#"{"a":{"y":"\n\u0001","z":1},"b":[1,2.5,true,null],"value":"日本語"}"#
        );
        assert_eq!(canonical(&json!(4.0)), "4");
        // UTF-16 order: U+1F600 (a surrogate pair, D83D…) sorts before U+FB01.
        let v = json!({"\u{fb01}": 1, "\u{1f600}": 2});
        assert_eq!(canonical(&v), "{\"\u{1f600}\":2,\"\u{fb01}\":1}");
    }
}

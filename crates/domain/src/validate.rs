//! Validation results that name the field at fault and a message key, so the web layer can show
//! the message beside the field in the user's language and keep what was typed.

use serde::Serialize;

/// The longest text any one field takes (a section of a report document); most fields take less.
pub const TEXT_MAX: usize = 8000;

/// One field's fault: the field name and the message key (see `locales/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field or JSON member at fault.
    pub field: String,
    /// The message key.
    pub key: String,
}

impl FieldError {
    /// A fault of one field.
    pub fn new(field: &str, key: &str) -> FieldError {
        FieldError {
            field: field.to_string(),
            key: key.to_string(),
        }
    }
}

/// All faults found in one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The faults, in form order.
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// A problem made of these faults.
    pub fn new(errors: Vec<FieldError>) -> Problem {
        Problem { errors }
    }

    /// A problem with one field.
    pub fn field(field: &str, key: &str) -> Problem {
        Problem {
            errors: vec![FieldError::new(field, key)],
        }
    }

    /// The message key for a field, if that field is at fault.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.key.as_str())
    }
}

/// Normalises and checks an e-mail address: trimmed, lower-cased, one `@`, a dot in the domain.
pub fn email(raw: &str) -> Result<String, &'static str> {
    let e = raw.trim().to_lowercase();
    let mut parts = e.split('@');
    let ok = matches!((parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None)
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'))
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok { Ok(e) } else { Err("error.email") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email("  Admin@Example.JP "),
            Ok("admin@example.jp".to_string())
        );
        assert!(email("no-at-sign").is_err());
        assert!(email("a@b@c.jp").is_err());
        assert!(email("a@localhost").is_err());
        assert!(email("a b@c.jp").is_err());
    }
}

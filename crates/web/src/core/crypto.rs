//! Secrets: random tokens, their digests, password hashing and TOTP.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// A random URL-safe secret of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a secret in hex: what we store for session ids, tokens, invitations and recovery
/// codes (high-entropy secrets need no slow hash).
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API token: the secret shown once, the prefix kept to recognise it, and the digest
/// stored.
pub struct NewApiToken {
    /// `mamori_…`, shown to its owner once.
    pub secret: String,
    /// The first characters, shown in lists.
    pub prefix: String,
    /// What the store keeps.
    pub digest: String,
}

/// Makes a new API token.
pub fn new_api_token() -> NewApiToken {
    let secret = format!("mamori_{}", random_token(32));
    NewApiToken {
        prefix: secret.chars().take(14).collect(),
        digest: digest(&secret),
        secret,
    }
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Hashes a password with Argon2id into a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    PasswordHasher::<PasswordHash>::hash_password_with_salt(
        &Argon2::default(),
        password.as_bytes(),
        &salt,
    )
    .map(|h| h.to_string())
    .map_err(|e| e.to_string())
}

/// Whether a password matches a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A PHC string of a random password, verified against when an account does not exist so that
/// a login for an unknown e-mail takes as long as one for a known e-mail.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token(16)).unwrap_or_default())
}

/// A new random TOTP secret in base32.
pub fn new_totp_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret_b32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some("mamori"))
        .build()
        .ok()
}

/// The `otpauth://` URL an authenticator app scans.
pub fn totp_url(secret_b32: &str, account: &str) -> Option<String> {
    totp(secret_b32, account)?.to_url().ok()
}

/// The time step a code is valid for at `unix_time` (±1 step), if it is valid.
pub fn totp_check(secret_b32: &str, code: &str, unix_time: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret_b32, "x")?
        .check(&code, unix_time)
        .and_then(|s| i64::try_from(s).ok())
}

/// The code for a secret at a time (for authenticator-less tests and the command line).
pub fn totp_code(secret_b32: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret_b32, "x")?.generate(unix_time).to_string())
}

/// An SVG QR code of a text, as a `data:` URL usable in `<img>` under a strict CSP.
pub fn qr_svg_data_url(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Ten recovery codes of the form `xxxx-xxxx-xxxx` (lower-case letters and digits).
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| {
                    let i = (rng.next_u32() as usize) % ALPHABET.len();
                    ALPHABET.get(i).copied().unwrap_or(b'a') as char
                })
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// Normalises a recovery code as typed (case, spaces) before hashing.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("守り-secret-1!").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("守り-secret-1!", &h));
        assert!(!verify_password("守り-secret-2!", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn a_totp_code_is_valid_for_its_step_only() {
        let s = new_totp_secret();
        let t = 1_800_000_000;
        let code = totp_code(&s, t).unwrap_or_default();
        assert_eq!(totp_check(&s, &code, t), Some((t / 30) as i64));
        assert_eq!(totp_check(&s, &code, t + 300), None);
        assert_eq!(totp_check(&s, "12345", t), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_readable() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 14 && c.matches('-').count() == 2)
        );
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
    }
}

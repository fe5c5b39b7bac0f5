//! Secrets the store must be able to read back (TOTP secrets, to check codes) are kept sealed:
//! AES-256-GCM with the installation's key, bound to the row they belong to, so that a copy of
//! the database alone reveals none of them.

use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};

/// The prefix of a sealed value: version 1, then the nonce and the ciphertext with its tag (hex).
const PREFIX: &str = "sealed1:";

/// Seals `plain` for the row `owner` with the 32-byte key.
pub(crate) fn seal(key: &[u8; 32], owner: &[u8], plain: &str) -> Option<String> {
    let k = RandomizedNonceKey::new(&AES_256_GCM, key).ok()?;
    let mut buf = plain.as_bytes().to_vec();
    let nonce = k
        .seal_in_place_append_tag(Aad::from(owner), &mut buf)
        .ok()?;
    Some(format!(
        "{PREFIX}{}:{}",
        hex::encode(nonce.as_ref()),
        hex::encode(buf)
    ))
}

/// Opens a stored value: sealed ones with the key (none if the key or the row is not theirs),
/// plain ones (written before sealing began) as they are.
pub(crate) fn open(key: Option<&[u8; 32]>, owner: &[u8], stored: &str) -> Option<String> {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return Some(stored.to_string());
    };
    let (nonce, body) = rest.split_once(':')?;
    let nonce: [u8; 12] = hex::decode(nonce).ok()?.try_into().ok()?;
    let mut buf = hex::decode(body).ok()?;
    let k = RandomizedNonceKey::new(&AES_256_GCM, key?).ok()?;
    let plain = k
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(owner),
            &mut buf,
        )
        .ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// Whether a stored value is sealed.
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_row() {
        let key = [5u8; 32];
        let s = seal(&key, b"user-1", "JBSWY3DPEHPK3PXP").unwrap_or_default();
        assert!(is_sealed(&s) && !s.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            open(Some(&key), b"user-1", &s).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(open(Some(&key), b"user-2", &s), None, "bound to its row");
        assert_eq!(
            open(Some(&[6u8; 32]), b"user-1", &s),
            None,
            "and to its key"
        );
        assert_eq!(open(None, b"user-1", &s), None);
        assert_eq!(
            open(None, b"user-1", "PLAINOLD").as_deref(),
            Some("PLAINOLD")
        );
        assert_ne!(
            seal(&key, b"user-1", "x"),
            seal(&key, b"user-1", "x"),
            "fresh nonces"
        );
    }
}

//! Keys for distinct purposes derived from the installation's one secret, so that a key used
//! for one thing (chaining the audit trail) never serves another (encrypting TOTP secrets).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The 32-byte key for `purpose`, derived from the master secret (HMAC-SHA256 of the purpose).
pub fn subkey(master: &[u8], purpose: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(master) {
        m.update(b"mamori key for: ");
        m.update(purpose.as_bytes());
        out.copy_from_slice(&m.finalize().into_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_get_different_keys_and_the_same_purpose_the_same() {
        let m = [3u8; 32];
        assert_ne!(subkey(&m, "audit"), subkey(&m, "totp"));
        assert_eq!(subkey(&m, "audit"), subkey(&m, "audit"));
        assert_ne!(subkey(&m, "audit"), subkey(&[4u8; 32], "audit"));
    }
}

//! The installation's secret, kept in a file beside the database and never in it: it keys the
//! audit chain (so that writing to the database is not enough to rewrite history) and encrypts
//! secrets at rest. Created at the first start with mode 0600; back it up with the database.

use anyhow::Context;
use mamori_domain::audit::AuditKey;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// What the key file holds.
#[derive(Serialize, Deserialize)]
pub struct KeyFile {
    /// 32 random bytes, hex.
    key: String,
    /// The first audit record keyed: records before it were written before the file existed.
    audit_keyed_from: i64,
}

const HEADER: &str = "# mamori's secret key. It keys the audit chain and encrypts secrets in the database.\n\
# Keep it private (mode 0600), back it up together with the database, and give every server of\n\
# one installation the same file. Without it the audit chain cannot be verified.\n";

impl KeyFile {
    /// Reads the key file, if there is one.
    pub fn load(path: &Path) -> anyhow::Result<Option<KeyFile>> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let k: KeyFile = toml::from_str(&text)
                    .with_context(|| format!("reading the key file {}", path.display()))?;
                anyhow::ensure!(
                    k.secret().len() == 32,
                    "the key file {} holds no 32-byte key",
                    path.display()
                );
                Ok(Some(k))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes a new key file (never over an existing one), readable by its owner only; the audit
    /// chain is keyed from record `keyed_from` on.
    pub fn create(path: &Path, keyed_from: i64) -> anyhow::Result<KeyFile> {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        let k = KeyFile {
            key: hex::encode(secret),
            audit_keyed_from: keyed_from.max(1),
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options
            .open(path)
            .with_context(|| format!("creating the key file {}", path.display()))?;
        f.write_all(HEADER.as_bytes())?;
        f.write_all(toml::to_string(&k)?.as_bytes())?;
        f.sync_all()?;
        Ok(k)
    }

    fn secret(&self) -> Vec<u8> {
        hex::decode(&self.key).unwrap_or_default()
    }

    /// The key of the audit chain.
    pub fn audit_key(&self) -> anyhow::Result<AuditKey> {
        let sub = mamori_domain::keys::subkey(&self.secret(), "audit chain");
        AuditKey::new(sub.to_vec(), self.audit_keyed_from).context("an audit key")
    }

    /// The key that encrypts TOTP secrets in the database.
    pub fn totp_key(&self) -> [u8; 32] {
        mamori_domain::keys::subkey(&self.secret(), "totp secrets")
    }
}

//! Settings: command-line flags over `MAMORI_*` environment variables over an optional TOML file
//! over defaults that run on one laptop with no setup.

use crate::keyfile::KeyFile;
use anyhow::Context;
use clap::Args;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::path::PathBuf;

/// Flags shared by every command.
#[derive(Args, Debug, Default, Serialize)]
pub struct Flags {
    /// Folder for the SQLite database and uploads [default: ./mamori-data].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// Database: sqlite://FILE or postgres://… [default: SQLite in the data folder].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// The address users reach mamori at, for links in invitations [default: http://LISTEN].
    #[arg(long, global = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// A TOML file with the same settings [env: MAMORI_CONFIG].
    #[arg(long, global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
}

/// The settings in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Data folder.
    pub data: PathBuf,
    /// Listen address.
    pub listen: String,
    /// Database URL; empty means SQLite in the data folder.
    #[serde(default)]
    pub database_url: String,
    /// Public URL; empty means derived from `listen`.
    #[serde(default)]
    pub public_url: String,
    /// The key file (audit chain, secrets at rest); empty means `mamori.key` in the data folder.
    #[serde(default)]
    pub key_file: String,
    /// Cookies marked Secure (set when served over HTTPS).
    #[serde(default)]
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// Megabytes of uploaded files each organisation may keep.
    pub upload_quota_mb: u64,
    /// Reverse proxies (addresses or networks, comma-separated) whose `X-Forwarded-For` names
    /// the client; empty means the socket's peer is the client.
    #[serde(default)]
    pub trusted_proxies: mamori_web::client::TrustedProxies,
    /// Mail server for notifications (`smtp://host:25`, `smtp://host:587?tls=required`,
    /// `smtps://user:password@host:465`); empty means no e-mail.
    #[serde(default)]
    pub smtp_url: String,
    /// Sender address of notifications.
    #[serde(default)]
    pub mail_from: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data: PathBuf::from("mamori-data"),
            listen: "127.0.0.1:8080".into(),
            database_url: String::new(),
            public_url: String::new(),
            key_file: String::new(),
            secure_cookies: false,
            session_hours: 12,
            upload_quota_mb: 10 * 1024,
            trusted_proxies: Default::default(),
            smtp_url: String::new(),
            mail_from: String::new(),
        }
    }
}

impl Settings {
    /// Merges defaults, the TOML file, the environment and the flags, in rising priority.
    pub fn load(flags: &Flags) -> anyhow::Result<Settings> {
        let file = flags
            .config
            .clone()
            .or_else(|| std::env::var_os("MAMORI_CONFIG").map(PathBuf::from));
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(f) = &file {
            anyhow::ensure!(f.exists(), "config file {} does not exist", f.display());
            fig = fig.merge(Toml::file(f));
        }
        let fig = fig
            // Only our own settings: other MAMORI_* variables (logging, tests) are not settings.
            .merge(Env::prefixed("MAMORI_").only(&[
                "data",
                "listen",
                "database_url",
                "public_url",
                "key_file",
                "secure_cookies",
                "session_hours",
                "trusted_proxies",
                "upload_quota_mb",
                "smtp_url",
                "mail_from",
            ]))
            .merge(Serialized::defaults(flags));
        let mut s: Settings = fig.extract().context("reading settings")?;
        if s.database_url.is_empty() {
            s.database_url = format!("sqlite://{}", s.data.join("mamori.db").display());
        }
        if s.public_url.is_empty() {
            s.public_url = format!("http://{}", s.listen);
        }
        if s.key_file.is_empty() {
            s.key_file = s.data.join("mamori.key").display().to_string();
        }
        anyhow::ensure!(
            s.smtp_url.is_empty() || !s.mail_from.is_empty(),
            "mail_from (MAMORI_MAIL_FROM) is needed when smtp_url is set"
        );
        if s.public_url.starts_with("https://") {
            s.secure_cookies = true;
        }
        Ok(s)
    }

    /// Opens the store with the installation's key, creating the data folder (readable by its
    /// owner only) and, when told to, the key file at the first start.
    pub async fn open_store(&self, key: KeyUse) -> anyhow::Result<mamori_store::Store> {
        private_dir(&self.data)?;
        private_dir(&self.data.join("uploads"))?;
        let store = mamori_store::Store::connect(&self.database_url)
            .await
            .with_context(|| format!("opening {}", redact(&self.database_url)))?;
        if let Some(db) = self.database_url.strip_prefix("sqlite://") {
            // The database and its journal files hold every organisation's data.
            for suffix in ["", "-wal", "-shm"] {
                private_file(Path::new(&format!("{db}{suffix}")));
            }
        }
        let path = Path::new(&self.key_file);
        let key = match KeyFile::load(path)? {
            Some(k) => k,
            None if key == KeyUse::Require => anyhow::bail!(
                "the key file {} is missing: restore it from the backup; without it the audit chain cannot be verified",
                path.display()
            ),
            None => {
                let from = store.audit_head_seq().await? + 1;
                let k = KeyFile::create(path, from)?;
                if from > 1 {
                    eprintln!(
                        "mamori: created the key file {}; the audit chain is keyed from record {from} on. Back the file up with the database.",
                        path.display()
                    );
                }
                k
            }
        };
        Ok(store
            .with_audit_key(key.audit_key()?)
            .with_secret_key(key.totp_key()))
    }
}

/// What to do when the key file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Create it: the first start, or an installation from before key files.
    CreateIfMissing,
    /// Refuse: checking the audit chain with a new key would only report it broken.
    Require,
}

/// A folder only its owner may enter (0700), created when missing.
fn private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(())
}

/// A file only its owner may read (0600), when it exists.
fn private_file(file: &Path) {
    #[cfg(unix)]
    if file.exists() {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = url.get(s + 3..at).unwrap_or("");
            let user = creds.split(':').next().unwrap_or("");
            format!(
                "{}{}:***{}",
                url.get(..s + 3).unwrap_or(""),
                user,
                url.get(at..).unwrap_or("")
            )
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
// figment's own test harness returns its large error type; that is its API, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_environment_which_beats_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "m.toml",
                "listen = \"0.0.0.0:9000\"\nsession_hours = 4\ndata = \"from-file\"",
            )?;
            jail.set_env("MAMORI_LISTEN", "127.0.0.1:7000");
            let flags = Flags {
                config: Some("m.toml".into()),
                data: Some("from-flag".into()),
                ..Default::default()
            };
            let s = Settings::load(&flags).map_err(|e| e.to_string())?;
            assert_eq!(s.listen, "127.0.0.1:7000");
            assert_eq!(s.session_hours, 4);
            assert_eq!(s.data, PathBuf::from("from-flag"));
            assert_eq!(s.database_url, "sqlite://from-flag/mamori.db");
            assert_eq!(s.public_url, "http://127.0.0.1:7000");
            Ok(())
        });
    }

    #[test]
    fn unknown_settings_in_the_file_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("m.toml", "listne = \"0.0.0.0:9000\"")?;
            let flags = Flags {
                config: Some("m.toml".into()),
                ..Default::default()
            };
            assert!(Settings::load(&flags).is_err());
            Ok(())
        });
    }

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://mamori:s3cret@db:5432/m"),
            "postgres://mamori:***@db:5432/m"
        );
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}

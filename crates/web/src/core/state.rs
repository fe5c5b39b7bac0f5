//! What every handler shares.

use crate::core::metrics::Metrics;
use mamori_domain::clock::Clock;
use mamori_store::Store;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address users reach mamori at, for invitation links (e.g. `https://mamori.example.jp`).
    pub public_url: String,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Sessions last this many hours.
    pub session_hours: i64,
    /// Failed logins allowed per client address in ten minutes.
    pub login_failures_per_address: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::core::client::TrustedProxies,
    /// Where uploaded evidence files are kept, one folder per organisation, named by SHA-256.
    pub upload_dir: std::path::PathBuf,
    /// Bytes of uploaded files each organisation may keep.
    pub upload_quota_bytes: u64,
    /// Where each organisation's emergency pack is rewritten whenever its contents change.
    pub emergency_dir: std::path::PathBuf,
    /// Mail for notifications; none when no SMTP server is configured.
    pub mail: Option<crate::core::mail::MailSettings>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            session_hours: 12,
            login_failures_per_address: 30,
            trusted_proxies: Default::default(),
            upload_dir: std::path::PathBuf::from("mamori-data/uploads"),
            upload_quota_bytes: 10 * 1024 * 1024 * 1024,
            emergency_dir: std::path::PathBuf::from("mamori-data/emergency"),
            mail: None,
        }
    }
}

/// The shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Store,
    /// The clock (a fixed one in tests).
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
    /// Wakes the mail worker when a message is queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// State over a store with a clock and settings.
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> AppState {
        AppState {
            store,
            clock,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The current instant.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

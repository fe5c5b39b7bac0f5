//! `mamori serve`: the web server.

use crate::config::Settings;
use anyhow::Context;
use mamori_domain::clock::SystemClock;
use mamori_domain::throttle::AddressLimit;
use mamori_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The web settings derived from the settings in force.
pub fn web_config(s: &Settings) -> WebConfig {
    WebConfig {
        public_url: s.public_url.clone(),
        secure_cookies: s.secure_cookies,
        session_hours: s.session_hours,
        trusted_proxies: s.trusted_proxies.clone(),
        upload_dir: s.data.join("uploads"),
        upload_quota_bytes: s.upload_quota_mb.saturating_mul(1024 * 1024),
        emergency_dir: s.data.join("emergency"),
        mail: (!s.smtp_url.is_empty()).then(|| mamori_web::mail::MailSettings {
            smtp_url: s.smtp_url.clone(),
            from: s.mail_from.clone(),
        }),
        ..WebConfig::default()
    }
}

/// Serves until interrupted.
pub async fn run(settings: Settings, demo: bool) -> anyhow::Result<ExitCode> {
    let store = settings
        .open_store(crate::config::KeyUse::CreateIfMissing)
        .await?;
    let sealed = store.seal_plain_secrets().await?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "sealed TOTP secrets written before secrets were encrypted"
        );
    }
    let config = web_config(&settings);
    // In the background: with many organisations this would otherwise hold up the start.
    tokio::spawn(crate::pack::refresh_all(
        store.clone(),
        config.emergency_dir.clone(),
    ));
    let limit = AddressLimit::per_ten_minutes(config.login_failures_per_address);
    let state = AppState::new(store.clone(), Arc::new(SystemClock), config);
    if demo {
        crate::demo::load(&state, &settings).await?;
    }
    tokio::spawn(purge_expired(store.clone(), limit));
    if let Some(mail) = state.config.mail.clone() {
        tokio::spawn(mamori_web::mail::run_worker(
            store.clone(),
            mail,
            state.mail_wake.clone(),
        ));
    }
    tokio::spawn(mamori_web::sharing::feeds::run_worker(state.clone()));
    let app = mamori_web::router(state);
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    println!("mamori is listening on http://{addr}/");
    if store.org_count().await? == 0 {
        println!(
            "First start: open http://{addr}/setup to create your organisation and administrator."
        );
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_requested())
    .await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Resolves at SIGINT (Ctrl-C) or SIGTERM (what systemd, docker and Kubernetes send to stop a
/// service): the server then stops accepting, lets the requests in flight finish, and exits 0.
async fn shutdown_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// Every ten minutes closes the login-failure windows that ended (writing their refusals to the
/// audit trail), and every hour removes expired sessions, so both tables hold only live rows.
async fn purge_expired(store: mamori_store::Store, limit: AddressLimit) {
    let mut tick = tokio::time::interval(limit.window.to_std().unwrap_or(Duration::from_secs(600)));
    let mut last_sessions_purge: Option<std::time::Instant> = None;
    loop {
        tick.tick().await;
        if let Err(e) = store
            .close_address_windows(&limit, chrono::Utc::now())
            .await
        {
            tracing::warn!(error = %e, "could not close login-failure windows");
        }
        if last_sessions_purge.is_some_and(|t| t.elapsed() < Duration::from_secs(3600)) {
            continue;
        }
        last_sessions_purge = Some(std::time::Instant::now());
        match store.purge_sessions(chrono::Utc::now()).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}

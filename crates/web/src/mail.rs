//! E-mail notifications. A notification is queued in the database together with nothing else
//! depending on it: the report that caused it is already stored, and a mail server that is down
//! only delays the message. A worker sends what is due and retries with growing pauses.

use crate::state::AppState;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mamori_domain::clock::format_jst;
use mamori_domain::role::Role;
use mamori_store::{AnomalyReport, Organisation, OutgoingMail, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Where and as whom mail is sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:25` (plain, for a relay on the internal network), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465`.
    pub smtp_url: String,
    /// The sender address.
    pub from: String,
}

/// The people told of a new anomaly report: security managers and system operators (the on-call
/// roles of the BCP materials), active accounts only.
async fn on_call(
    store: &Store,
    org: &Organisation,
) -> Result<Vec<String>, mamori_store::StoreError> {
    Ok(store
        .users(org.id)
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.password_hash.is_some())
        .filter(|u| u.roles.has(Role::SecurityManager) || u.roles.has(Role::SystemOperator))
        .map(|u| u.email)
        .collect())
}

/// Queues the notice of a new anomaly report and wakes the worker. Failures are logged: the
/// report is stored and on the dashboard whatever happens to the mail.
pub async fn anomaly_reported(state: &AppState, org: &Organisation, r: &AnomalyReport) {
    if state.config.mail.is_none() {
        return;
    }
    let result = async {
        let to = on_call(&state.store, org).await?;
        let subject = format!("[mamori] 異常の報告 #{} / Anomaly report — {}", r.number, org.profile.name);
        let link = format!(
            "{}/reports/{}",
            state.config.public_url.trim_end_matches('/'),
            r.id
        );
        let body = format!(
            "異常の報告がありました。トリアージしてください。\nA staff member reported an anomaly. Please triage it.\n\n\
             内容 / What: {}\n場所 / Where: {}\n機器 / Device: {}\n気づいた日時 / Noticed: {}\n報告者 / Reporter: {}\n\n{link}\n",
            r.anomaly.what,
            r.anomaly.place,
            r.anomaly.device,
            format_jst(r.anomaly.noticed_at),
            r.reported_by,
        );
        state.store.queue_mail(org.id, &to, &subject, &body, state.now()).await
    }
    .await;
    match result {
        Ok(()) => state.mail_wake.notify_one(),
        Err(e) => {
            tracing::error!(report = %r.id, error = %e, "could not queue the notification mail")
        }
    }
}

/// Sends one message.
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    m: &OutgoingMail,
) -> Result<(), String> {
    let message = Message::builder()
        .from(from.parse().map_err(|e| format!("sender {from}: {e}"))?)
        .to(m
            .recipient
            .parse()
            .map_err(|e| format!("recipient {}: {e}", m.recipient))?)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Makes the SMTP transport from the settings.
pub fn transport(settings: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
        .map(|b| b.timeout(Some(Duration::from_secs(20))).build())
        .map_err(|e| format!("mail server URL: {e}"))
}

/// One pass over the outbox: sends what is due, records failures. Returns (sent, failed).
pub async fn deliver_due(
    store: &Store,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(usize, usize), mamori_store::StoreError> {
    let (mut sent, mut failed) = (0, 0);
    for m in store.due_mail(now, 50).await? {
        match send(transport, from, &m).await {
            Ok(()) => {
                store.mail_sent(m.id, chrono::Utc::now()).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(mail = %m.id, error = %e, "mail not sent; will retry");
                store.mail_failed(&m, &e, chrono::Utc::now()).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Runs the outbox worker for ever: on every wake-up and at least once a minute.
pub async fn run_worker(store: Store, settings: MailSettings, wake: Arc<Notify>) {
    let transport = match transport(&settings) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "mail is configured but unusable; notifications stay queued");
            return;
        }
    };
    loop {
        if let Err(e) = deliver_due(&store, &transport, &settings.from, chrono::Utc::now()).await {
            tracing::error!(error = %e, "reading the mail outbox failed");
        }
        let _ = tokio::time::timeout(Duration::from_secs(60), wake.notified()).await;
    }
}

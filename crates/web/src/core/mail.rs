//! E-mail: the settings, the SMTP transport, and the worker that sends what the outbox holds.
//! A notification is queued in the database together with nothing else depending on it: what
//! caused it is already stored, and a mail server that is down only delays the message. The
//! worker sends what is due and retries with growing pauses.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mamori_store::{OutgoingMail, Store};
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

//! The mail outbox: notifications queued with the change that causes them and sent by a worker
//! that retries with growing pauses.

use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A message waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutgoingMail {
    /// Its id.
    pub id: Uuid,
    /// The organisation it concerns.
    pub org_id: Uuid,
    /// One recipient address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The last failure, or empty.
    pub last_error: String,
}

/// Attempts after which a message is given up (it stays in the outbox with its last error).
pub const MAX_ATTEMPTS: i64 = 12;

impl Store {
    /// Queues one message per recipient.
    pub async fn queue_mail(
        &self,
        org_id: Uuid,
        recipients: &[String],
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        write_tx!(&self.db, |tx| {
            for to in recipients {
                sqlx::query(
                    "INSERT INTO mail_outbox (id, org_id, recipient, subject, body, queued_at, attempts, next_attempt_at, last_error, sent_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 0, $6, '', NULL)",
                )
                .bind(Uuid::new_v4())
                .bind(org_id)
                .bind(to)
                .bind(subject)
                .bind(body)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }

    /// Messages due for an attempt, oldest first. The worker serves the whole installation.
    pub async fn due_mail(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutgoingMail>> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as(
            "SELECT id, org_id, recipient, subject, body, attempts, last_error FROM mail_outbox \
             WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 ORDER BY queued_at LIMIT $3"
        )
        .bind(MAX_ATTEMPTS)
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await?
        }))
    }

    /// Records a message as sent.
    pub async fn mail_sent(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        on_db!(&self.db, |p| {
            sqlx::query(
            "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(p)
        .await?;
        });
        Ok(())
    }

    /// Records a failed attempt; the next waits 2, 4, 8 … minutes, at most an hour.
    pub async fn mail_failed(
        &self,
        m: &OutgoingMail,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let pause = Duration::minutes(
            2_i64
                .saturating_pow(u32::try_from(m.attempts + 1).unwrap_or(6))
                .min(60),
        );
        on_db!(&self.db, |p| {
            sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3"
        )
        .bind(error)
        .bind(now + pause)
        .bind(m.id)
        .execute(p)
        .await?;
        });
        Ok(())
    }

    /// An organisation's messages not yet sent, with their last error (for the administrator).
    pub async fn unsent_mail(&self, org_id: Uuid) -> Result<Vec<OutgoingMail>> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "SELECT id, org_id, recipient, subject, body, attempts, last_error FROM mail_outbox \
             WHERE org_id = $1 AND sent_at IS NULL ORDER BY queued_at"
        )
        .bind(org_id)
        .fetch_all(p)
        .await?))
    }
}

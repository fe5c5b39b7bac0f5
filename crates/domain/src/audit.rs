//! The append-only audit trail, chained by SHA-256: each record holds the digest of the one before,
//! so altering or deleting any stored record breaks the chain at a record we can name.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The digest that the first record of a chain points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// The organisation whose data changed (or the actor's, for sign-ins).
    pub org_id: Option<Uuid>,
    /// Who did it, if a signed-in user.
    pub actor_id: Option<Uuid>,
    /// How the actor was known at the time (e-mail or "system").
    pub actor_label: String,
    /// A stable action code, e.g. `user.invite` or `auth.login_failed`.
    pub action: String,
    /// The kind of object acted on, e.g. `user`.
    pub object_type: String,
    /// The object's id, or empty.
    pub object_id: String,
    /// Details as compact JSON text (before/after values, reasons), never secrets.
    pub detail: String,
    /// The client address, when the change came over the network.
    pub ip: String,
    /// The organisation whose object was acted on, when it is not `org_id` (a vendor answering a
    /// hospital's sheet); that organisation sees the record in its audit trail too.
    pub subject_org_id: Option<Uuid>,
}

/// A sealed record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1 without gaps.
    pub seq: i64,
    /// When it was written, to the microsecond.
    pub at: DateTime<Utc>,
    /// The event itself.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The previous record's digest.
    pub prev_digest: String,
    /// SHA-256 over the previous digest and this record's content.
    pub digest: String,
}

#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: String,
    org_id: Option<Uuid>,
    actor_id: Option<Uuid>,
    actor_label: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    detail: &'a str,
    ip: &'a str,
    // Absent from the records written before it existed, so their digests still verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    subject_org_id: Option<Uuid>,
}

/// Truncates an instant to what both databases store exactly (microseconds).
pub fn storable_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

fn digest_of(seq: i64, at: DateTime<Utc>, event: &AuditEvent, prev_digest: &str) -> String {
    let canonical = Canonical {
        seq,
        at: at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        org_id: event.org_id,
        actor_id: event.actor_id,
        actor_label: &event.actor_label,
        action: &event.action,
        object_type: &event.object_type,
        object_id: &event.object_id,
        detail: &event.detail,
        ip: &event.ip,
        subject_org_id: event.subject_org_id,
    };
    // Serialising a plain struct of strings and options cannot fail.
    let body = serde_json::to_string(&canonical).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(prev_digest.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hex::encode(hasher.finalize())
}

/// Seals an event as the record following `prev` (the chain's current head, if any).
pub fn seal(event: AuditEvent, at: DateTime<Utc>, prev: Option<(i64, &str)>) -> AuditRecord {
    let (seq, prev_digest) = match prev {
        Some((seq, d)) => (seq + 1, d.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let at = storable_instant(at);
    let digest = digest_of(seq, at, &event, &prev_digest);
    AuditRecord {
        seq,
        at,
        event,
        prev_digest,
        digest,
    }
}

/// Why a chain fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A record's content no longer matches its digest: it was altered.
    #[error("record {seq} was altered: its content does not match its digest")]
    Altered {
        /// The record at fault.
        seq: i64,
    },
    /// A record does not point to the record before it: records before it were deleted or replaced.
    #[error("record {seq} does not follow the record before it (deleted or replaced records)")]
    Unlinked {
        /// The first record after the break.
        seq: i64,
    },
    /// Records at the end of the chain are missing.
    #[error("the chain ends at record {last} but {expected} records were written")]
    Truncated {
        /// The last record present.
        last: i64,
        /// How many records the chain head says exist.
        expected: i64,
    },
}

/// Verifies records given in order of `seq`, against the head (last seq and digest) kept apart
/// from the records. Returns how many records were checked.
pub fn verify<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head: Option<(i64, &str)>,
) -> Result<i64, ChainBreak> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    for r in records {
        if r.seq != expected_seq || r.prev_digest != prev {
            return Err(ChainBreak::Unlinked { seq: r.seq });
        }
        if digest_of(r.seq, r.at, &r.event, &r.prev_digest) != r.digest {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        prev = r.digest.clone();
        expected_seq += 1;
    }
    let last = expected_seq - 1;
    match head {
        Some((seq, digest)) if seq != last || digest != prev => Err(ChainBreak::Truncated {
            last,
            expected: seq,
        }),
        None if last != 0 => Err(ChainBreak::Truncated { last, expected: 0 }),
        _ => Ok(last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            org_id: Some(Uuid::nil()),
            actor_id: None,
            actor_label: "system".into(),
            action: action.into(),
            object_type: "user".into(),
            object_id: "1".into(),
            detail: r#"{"name":"山田"}"#.into(),
            ip: "127.0.0.1".into(),
            subject_org_id: None,
        }
    }

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let at = Utc
                .timestamp_opt(1_700_000_000 + i as i64, 123_456_789)
                .single()
                .unwrap_or_default();
            let prev = out.last().map(|r| (r.seq, r.digest.as_str()));
            let rec = seal(event(&format!("a{i}")), at, prev);
            out.push(rec);
        }
        out
    }

    fn head(c: &[AuditRecord]) -> Option<(i64, &str)> {
        c.last().map(|r| (r.seq, r.digest.as_str()))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn an_altered_record_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        if let Some(r) = c.get_mut(2) {
            r.event.detail = r#"{"name":"田中"}"#.into();
        }
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str()))),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        c.remove(1);
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str()))),
            Err(ChainBreak::Unlinked { seq: 3 })
        );
    }

    #[test]
    fn deleting_the_last_records_is_caught_by_the_head() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        c.truncate(3);
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str()))),
            Err(ChainBreak::Truncated {
                last: 3,
                expected: 5
            })
        );
    }

    #[test]
    fn sealing_truncates_time_to_what_databases_keep() {
        let c = chain(1);
        assert_eq!(
            c.first().map(|r| r.at.timestamp_subsec_nanos()),
            Some(123_456_000)
        );
    }
}

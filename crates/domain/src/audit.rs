//! The append-only audit trail, chained: each record holds the digest of the one before, so
//! altering or deleting any stored record breaks the chain at a record we can name. The chain is
//! keyed (HMAC-SHA256 with a secret kept outside the database), so that someone who can write to
//! the database cannot recompute it; and a checkpoint of its head, kept outside too, shows later
//! that the log still extends what it was.

use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, KeyInit, Mac};
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

/// The secret an installation keys its audit chain with, and the first record it keyed: records
/// before it were written before the key existed and are chained by plain SHA-256. Both come from
/// the key file, outside the database, so that neither can be changed by writing to it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    secret: Vec<u8>,
    keyed_from: i64,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(keyed from {})", self.keyed_from)
    }
}

impl AuditKey {
    /// A key of at least 32 bytes, applying from record `keyed_from` on.
    pub fn new(secret: Vec<u8>, keyed_from: i64) -> Option<AuditKey> {
        (secret.len() >= 32).then_some(AuditKey {
            secret,
            keyed_from: keyed_from.max(1),
        })
    }

    /// The first record the key applies to.
    pub fn keyed_from(&self) -> i64 {
        self.keyed_from
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        // Any key length is accepted by HMAC; the constructor has checked ours.
        let Ok(mut m) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret) else {
            return String::new();
        };
        for p in parts {
            m.update(p);
        }
        hex::encode(m.finalize().into_bytes())
    }
}

fn digest_of(
    seq: i64,
    at: DateTime<Utc>,
    event: &AuditEvent,
    prev_digest: &str,
    key: Option<&AuditKey>,
) -> String {
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
    if let Some(k) = key.filter(|k| seq >= k.keyed_from) {
        return k.mac(&[prev_digest.as_bytes(), b"\n", body.as_bytes()]);
    }
    let mut hasher = Sha256::new();
    hasher.update(prev_digest.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    hex::encode(hasher.finalize())
}

/// Seals an event as the record following `prev` (the chain's current head, if any), keyed when
/// the installation has a key.
pub fn seal(
    event: AuditEvent,
    at: DateTime<Utc>,
    prev: Option<(i64, &str)>,
    key: Option<&AuditKey>,
) -> AuditRecord {
    let (seq, prev_digest) = match prev {
        Some((seq, d)) => (seq + 1, d.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let at = storable_instant(at);
    let digest = digest_of(seq, at, &event, &prev_digest, key);
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
    /// The row that records the chain's head is gone.
    #[error("the chain head is missing: its row was deleted")]
    HeadMissing,
    /// A checkpoint that mamori did not make, or that was altered.
    #[error("the checkpoint's signature does not match: it was not made with this key")]
    ForgedCheckpoint,
    /// The log no longer extends a checkpoint: the record it names is missing or different.
    #[error("the log no longer extends the checkpoint of record {seq}: it was rewritten or cut")]
    Diverged {
        /// The record the checkpoint names.
        seq: i64,
    },
}

/// The head of the chain at some moment, signed with the key, to be kept outside the database (by
/// the operator, or handed to an authority) and checked against the log later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The last record at the time.
    pub seq: i64,
    /// Its digest.
    pub digest: String,
    /// When the checkpoint was made.
    pub at: DateTime<Utc>,
    /// HMAC of the above with the audit key.
    pub mac: String,
}

impl Checkpoint {
    fn signed(key: &AuditKey, seq: i64, digest: &str, at: DateTime<Utc>) -> String {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        key.mac(&[
            b"mamori-audit-checkpoint\n",
            seq.to_string().as_bytes(),
            b"\n",
            digest.as_bytes(),
            b"\n",
            at.as_bytes(),
        ])
    }

    /// The checkpoint of a head.
    pub fn of(key: &AuditKey, seq: i64, digest: &str, at: DateTime<Utc>) -> Checkpoint {
        let at = storable_instant(at);
        Checkpoint {
            seq,
            digest: digest.to_string(),
            mac: Checkpoint::signed(key, seq, digest, at),
            at,
        }
    }

    /// Whether the log (its records in order of `seq`) still extends this checkpoint: the
    /// checkpoint is genuine, and the record it names is there with the same digest.
    pub fn extended_by<'a>(
        &self,
        key: &AuditKey,
        records: impl IntoIterator<Item = &'a AuditRecord>,
    ) -> Result<(), ChainBreak> {
        if Checkpoint::signed(key, self.seq, &self.digest, self.at) != self.mac {
            return Err(ChainBreak::ForgedCheckpoint);
        }
        if self.seq == 0 {
            return Ok(());
        }
        match records.into_iter().find(|r| r.seq == self.seq) {
            Some(r) if r.digest == self.digest => Ok(()),
            _ => Err(ChainBreak::Diverged { seq: self.seq }),
        }
    }
}

/// Verifies records given in order of `seq`, against the head (last seq and digest) kept apart
/// from the records. Returns how many records were checked.
pub fn verify<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head: Option<(i64, &str)>,
    key: Option<&AuditKey>,
) -> Result<i64, ChainBreak> {
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    for r in records {
        if r.seq != expected_seq || r.prev_digest != prev {
            return Err(ChainBreak::Unlinked { seq: r.seq });
        }
        if digest_of(r.seq, r.at, &r.event, &r.prev_digest, key) != r.digest {
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
#[allow(clippy::indexing_slicing)]
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
            let rec = seal(event(&format!("a{i}")), at, prev, None);
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
        assert_eq!(verify(&c, head(&c), None), Ok(5));
        assert_eq!(verify(&[], None, None), Ok(0));
    }

    #[test]
    fn an_altered_record_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        if let Some(r) = c.get_mut(2) {
            r.event.detail = r#"{"name":"田中"}"#.into();
        }
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str())), None),
            Err(ChainBreak::Altered { seq: 3 })
        );
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        c.remove(1);
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str())), None),
            Err(ChainBreak::Unlinked { seq: 3 })
        );
    }

    #[test]
    fn deleting_the_last_records_is_caught_by_the_head() {
        let mut c = chain(5);
        let h = head(&c).map(|(s, d)| (s, d.to_string()));
        c.truncate(3);
        assert_eq!(
            verify(&c, h.as_ref().map(|(s, d)| (*s, d.as_str())), None),
            Err(ChainBreak::Truncated {
                last: 3,
                expected: 5
            })
        );
    }

    fn key() -> AuditKey {
        AuditKey::new(vec![7; 32], 3).unwrap_or_else(|| panic!("key"))
    }

    fn keyed_chain(n: usize, k: &AuditKey) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|r| (r.seq, r.digest.as_str()));
            out.push(seal(event(&format!("a{i}")), Utc::now(), prev, Some(k)));
        }
        out
    }

    #[test]
    fn a_keyed_chain_cannot_be_recomputed_without_the_key() {
        let k = key();
        let c = keyed_chain(5, &k);
        assert_eq!(verify(&c, head(&c), Some(&k)), Ok(5));
        // Records before `keyed_from` are plain, as an older installation wrote them.
        let plain = seal(c[1].event.clone(), c[1].at, Some((1, &c[0].digest)), None);
        assert_eq!(plain.digest, c[1].digest);
        // An attacker rewrites record 4 and recomputes the chain the plain way, head included.
        let mut forged = c.clone();
        forged[3].event.detail = r#"{"name":"改ざん"}"#.into();
        for i in 2..5 {
            let prev = (forged[i - 1].seq, forged[i - 1].digest.clone());
            let r = seal(
                forged[i].event.clone(),
                forged[i].at,
                Some((prev.0, &prev.1)),
                None,
            );
            forged[i] = r;
        }
        assert_eq!(
            verify(&forged, head(&forged), None),
            Ok(5),
            "fools a plain check"
        );
        assert_eq!(
            verify(&forged, head(&forged), Some(&k)),
            Err(ChainBreak::Altered { seq: 3 })
        );
        let other = AuditKey::new(vec![8; 32], 1).unwrap_or_else(|| panic!("key"));
        assert!(verify(&c, head(&c), Some(&other)).is_err());
        assert!(
            AuditKey::new(vec![1; 16], 1).is_none(),
            "short keys are refused"
        );
    }

    #[test]
    fn a_checkpoint_shows_whether_the_log_still_extends_it() {
        let k = key();
        let c = keyed_chain(5, &k);
        let cp = Checkpoint::of(&k, 4, &c[3].digest, Utc::now());
        assert_eq!(cp.extended_by(&k, &c), Ok(()));
        assert_eq!(
            cp.extended_by(&k, &c[..3]),
            Err(ChainBreak::Diverged { seq: 4 })
        );
        let mut rewritten = keyed_chain(5, &k);
        rewritten[3].digest = "0".repeat(64);
        assert_eq!(
            cp.extended_by(&k, &rewritten),
            Err(ChainBreak::Diverged { seq: 4 })
        );
        let mut forged = cp.clone();
        forged.seq = 2;
        assert_eq!(
            forged.extended_by(&k, &c),
            Err(ChainBreak::ForgedCheckpoint)
        );
        let json = serde_json::to_string(&cp).unwrap_or_default();
        let back: Checkpoint = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.extended_by(&k, &c), Ok(()));
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

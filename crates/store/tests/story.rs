//! The storage story, told against every backend: a temporary SQLite file always, and PostgreSQL
//! whenever `MAMORI_TEST_DATABASE_URL` names a server (CI always sets it). Each PostgreSQL test gets
//! a database of its own so tests run in parallel.
// Test code: a panic is a failed check, so the library's no-panic lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mamori_domain::audit::{AuditEvent, AuditKey, ChainBreak};
use mamori_domain::org::{InstitutionType, OrgKind, OrgProfile};
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::throttle::AddressLimit;
use mamori_store::{Backend, Ctx, NewSession, NewUser, Store, StoreError};
use mamori_store::{LoginFailure, PasswordChange};
use uuid::Uuid;

struct Db {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn backends() -> Vec<Db> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut out = vec![Db {
        store: keyed(Store::connect(&url).await.expect("sqlite")),
        _dir: Some(dir),
    }];
    if let Ok(admin) = std::env::var("MAMORI_TEST_DATABASE_URL") {
        use sqlx::Executor;
        let name = format!("mamori_t_{}", Uuid::new_v4().simple());
        let pool = sqlx::PgPool::connect(&admin)
            .await
            .expect("postgres admin connection");
        pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create database");
        pool.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let store = keyed(
            Store::connect(&format!("{base}/{name}"))
                .await
                .expect("postgres"),
        );
        assert_eq!(store.backend(), Backend::Postgres);
        out.push(Db { store, _dir: None });
    }
    out
}

/// The store with an audit key and a secret key, as the server opens it.
fn keyed(s: Store) -> Store {
    s.with_audit_key(AuditKey::new(vec![42; 32], 1).expect("key"))
        .with_secret_key([43; 32])
}

/// What someone with DDL rights on the database does first: drops the triggers that keep the
/// audit trail append-only.
async fn drop_audit_guards(s: &Store) {
    let ddl: &[&str] = match s.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_head_no_delete",
            "DROP TRIGGER audit_head_forward_only",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER audit_log_no_change ON audit_log",
            "DROP TRIGGER audit_head_forward_only ON audit_head",
        ],
    };
    for sql in ddl {
        s.execute_raw(sql).await.expect("drop trigger");
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
        .single()
        .expect("valid time")
}

fn hospital(name: &str) -> OrgProfile {
    OrgProfile {
        name: name.into(),
        kind: OrgKind::Institution,
        institution_type: Some(InstitutionType::Hospital),
        beds: Some(200),
    }
}

fn new_user(email: &str, roles: &[Role], pw: Option<&str>) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: email.into(),
        roles: RoleSet::new(roles.iter().copied()),
        password_hash: pw.map(str::to_string),
        must_change_password: false,
    }
}

fn ctx(org_id: Uuid, actor: Option<Uuid>) -> Ctx {
    Ctx {
        org_id,
        actor_id: actor,
        actor_label: "tester".into(),
        ip: "127.0.0.1".into(),
        now: t0(),
    }
}

/// Two organisations with an administrator each: the home one (A) and a registered one (B).
async fn two_orgs(
    s: &Store,
) -> (
    mamori_store::Organisation,
    mamori_store::User,
    mamori_store::Organisation,
    mamori_store::User,
) {
    let (a, admin_a) = s
        .setup(
            &hospital("A病院"),
            &new_user("a@a.jp", &[Role::Admin], Some("h1")),
            "",
            t0(),
        )
        .await
        .expect("setup");
    let (b, admin_b) = s
        .register_org(
            &ctx(a.id, Some(admin_a.id)),
            &hospital("B病院"),
            &new_user("b@b.jp", &[Role::Admin], None),
            "invite-b",
            t0() + Duration::days(7),
        )
        .await
        .expect("register");
    (a, admin_a, b, admin_b)
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let dbs = backends().await;
    let schemas: Vec<_> = futures_like(dbs.iter().map(|d| d.store.schema_columns())).await;
    let first = schemas.first().expect("a backend");
    assert!(first.iter().any(|(t, c)| t == "audit_log" && c == "digest"));
    for s in &schemas {
        assert_eq!(s, first);
    }
    let mut indexes = Vec::new();
    let mut triggers = Vec::new();
    let mut applied = Vec::new();
    for d in &dbs {
        indexes.push(d.store.schema_indexes().await.expect("indexes"));
        triggers.push(d.store.schema_triggers().await.expect("triggers"));
        applied.push(d.store.applied_migrations().await.expect("migrations"));
    }
    assert!(
        indexes[0]
            .iter()
            .any(|(t, i)| t == "audit_log" && i == "audit_log_subject")
    );
    assert!(
        triggers[0].contains(&("incident_timeline".to_string(), "DELETE".to_string())),
        "{:?}",
        triggers[0]
    );
    for ((i, t), m) in indexes.iter().zip(&triggers).zip(&applied) {
        assert_eq!(i, &indexes[0], "the same indexes");
        assert_eq!(t, &triggers[0], "the same triggers");
        assert_eq!(m, &applied[0], "the same migrations applied");
    }
}

/// Both migration folders hold the same numbered migrations under the same names.
#[test]
fn the_migration_folders_hold_the_same_migrations() {
    let names = |backend: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(sqlite.len() >= 12 && sqlite[0].starts_with("0001_"));
    assert_eq!(sqlite, names("postgres"));
}

async fn futures_like<
    F: std::future::Future<Output = mamori_store::Result<Vec<(String, String)>>>,
>(
    it: impl Iterator<Item = F>,
) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for f in it {
        out.push(f.await.expect("schema"));
    }
    out
}

#[tokio::test]
async fn setup_happens_once_and_writes_the_audit_trail() {
    for db in backends().await {
        let s = &db.store;
        assert_eq!(s.org_count().await.expect("count"), 0);
        let (org, admin) = s
            .setup(
                &hospital("守り病院"),
                &new_user("admin@m.jp", &[Role::Admin], Some("h")),
                "10.0.0.1",
                t0(),
            )
            .await
            .expect("setup");
        assert!(org.home);
        assert_eq!(org.profile.beds, Some(200));
        assert_eq!(admin.roles, RoleSet::new([Role::Admin]));
        let again = s
            .setup(
                &hospital("x"),
                &new_user("x@m.jp", &[Role::Admin], Some("h")),
                "",
                t0(),
            )
            .await;
        assert!(matches!(again, Err(StoreError::Conflict("setup"))));
        let trail = s
            .audit_list(org.id, &Default::default())
            .await
            .expect("audit");
        let actions: Vec<_> = trail.iter().map(|r| r.event.action.as_str()).collect();
        assert_eq!(actions, vec!["user.create", "org.create"]);
        assert_eq!(s.audit_verify(None).await.expect("verify"), Ok(2));
    }
}

#[tokio::test]
async fn no_read_or_write_crosses_organisations() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        // Reads with the other organisation's id find nothing.
        assert!(matches!(
            s.user(a.id, admin_b.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            s.users(a.id)
                .await
                .expect("users")
                .iter()
                .all(|u| u.org_id == a.id)
        );
        // Writes with the wrong organisation fail and change nothing.
        let as_a = ctx(a.id, Some(admin_a.id));
        assert!(matches!(
            s.set_roles(&as_a, admin_b.id, &RoleSet::new([Role::Staff]))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.set_disabled(&as_a, admin_b.id, true).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.unlock(&as_a, admin_b.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.set_password(&as_a, admin_b.id, &PasswordChange::ending_everything("x"))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.recent_password_hashes(a.id, admin_b.id, 5).await,
            Err(StoreError::NotFound)
        ));
        let b_user = s.user(b.id, admin_b.id).await.expect("b admin");
        assert!(b_user.roles.has(Role::Admin) && !b_user.disabled);
        // Tokens: another organisation can neither list nor revoke them.
        let tok = s
            .create_token(
                &ctx(b.id, Some(admin_b.id)),
                admin_b.id,
                "ci",
                "hash-b",
                "mamori_xxx",
            )
            .await
            .expect("token");
        assert!(s.tokens(a.id, admin_b.id).await.expect("tokens").is_empty());
        assert!(matches!(
            s.revoke_token(&as_a, admin_b.id, tok.id).await,
            Err(StoreError::NotFound)
        ));
        // The audit trail is per organisation.
        let a_trail = s
            .audit_list(a.id, &Default::default())
            .await
            .expect("a trail");
        assert!(a_trail.iter().all(|r| r.event.org_id == Some(a.id)));
        let b_trail = s
            .audit_list(b.id, &Default::default())
            .await
            .expect("b trail");
        assert!(b_trail.iter().any(|r| r.event.action == "token.create"));
        assert!(a_trail.iter().all(|r| r.event.action != "token.create"));
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_audit_records() {
    for db in backends().await {
        let s = &db.store;
        two_orgs(s).await;
        for sql in [
            "UPDATE audit_log SET detail = '{}' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 2",
            "DELETE FROM audit_head",
            "UPDATE audit_head SET seq = 1",
            "UPDATE audit_head SET digest = 'x'",
            "UPDATE audit_head SET seq = seq + 1",
        ] {
            assert!(s.execute_raw(sql).await.is_err(), "{sql} was allowed");
        }
        assert!(s.audit_verify(None).await.expect("verify").is_ok());
    }
}

#[tokio::test]
async fn altering_or_deleting_audit_rows_is_detected() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        for i in 0..4 {
            s.record(
                ctx(a.id, Some(admin.id)).event(
                    "test.event",
                    "thing",
                    i,
                    serde_json::json!({"i": i}),
                ),
                t0(),
            )
            .await
            .expect("record");
        }
        let n = s.audit_verify(None).await.expect("verify").expect("intact");
        assert!(n >= 7);
        drop_audit_guards(s).await;
        s.execute_raw("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 5")
            .await
            .expect("tamper");
        assert_eq!(
            s.audit_verify(None).await.expect("verify"),
            Err(ChainBreak::Altered { seq: 5 })
        );
        s.execute_raw("UPDATE audit_log SET detail = '{\"i\":0}' WHERE seq = 5")
            .await
            .expect("restore");
        assert_eq!(s.audit_verify(None).await.expect("verify"), Ok(n));
        s.execute_raw("DELETE FROM audit_log WHERE seq = 3")
            .await
            .expect("delete");
        assert_eq!(
            s.audit_verify(None).await.expect("verify"),
            Err(ChainBreak::Unlinked { seq: 4 })
        );
        s.execute_raw("DELETE FROM audit_head").await.expect("head");
        assert_eq!(
            s.audit_verify(None).await.expect("verify"),
            Err(ChainBreak::HeadMissing)
        );
    }
}

#[tokio::test]
async fn a_checkpoint_catches_the_newest_records_deleted_and_the_head_moved_back() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        for i in 0..3 {
            s.record(
                ctx(a.id, Some(admin.id)).event("test.event", "thing", i, serde_json::json!({})),
                t0(),
            )
            .await
            .expect("record");
        }
        let n = s.audit_verify(None).await.expect("verify").expect("intact");
        let cp = s
            .audit_checkpoint(t0())
            .await
            .expect("checkpoint")
            .expect("keyed");
        assert_eq!(cp.seq, n);
        assert_eq!(s.audit_verify(Some(&cp)).await.expect("verify"), Ok(n));
        drop_audit_guards(s).await;
        s.execute_raw(&format!("DELETE FROM audit_log WHERE seq = {n}"))
            .await
            .expect("delete");
        assert_eq!(
            s.audit_verify(None).await.expect("verify"),
            Err(ChainBreak::Truncated {
                last: n - 1,
                expected: n
            })
        );
        // Moving the head back onto the new last record hides the deletion from the chain…
        s.execute_raw(&format!(
            "UPDATE audit_head SET seq = {m}, digest = (SELECT digest FROM audit_log WHERE seq = {m})",
            m = n - 1
        ))
        .await
        .expect("move head");
        assert_eq!(s.audit_verify(None).await.expect("verify"), Ok(n - 1));
        // …but not from the checkpoint kept outside the database.
        assert_eq!(
            s.audit_verify(Some(&cp)).await.expect("verify"),
            Err(ChainBreak::Diverged { seq: n })
        );
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    for db in backends().await {
        let s = db.store.clone();
        let (a, _, _, _) = two_orgs(&s).await;
        let mut tasks = Vec::new();
        for i in 0..24 {
            let s = s.clone();
            let org = a.id;
            tasks.push(tokio::spawn(async move {
                s.record(
                    AuditEvent {
                        org_id: Some(org),
                        actor_id: None,
                        actor_label: "w".into(),
                        action: "test.concurrent".into(),
                        object_type: "n".into(),
                        object_id: i.to_string(),
                        detail: "{}".into(),
                        ip: String::new(),
                        subject_org_id: None,
                    },
                    Utc::now(),
                )
                .await
            }));
        }
        for t in tasks {
            t.await.expect("join").expect("record");
        }
        let n = s.audit_verify(None).await.expect("verify").expect("intact");
        // Four records from the two organisations' creation, then the concurrent ones.
        assert_eq!(n, 4 + 24);
    }
}

#[tokio::test]
async fn failed_logins_make_the_account_wait_longer_each_time_until_a_success_or_unlock() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        let user = s
            .create_user(
                &ctx(a.id, Some(admin.id)),
                &new_user("n@a.jp", &[Role::Staff], Some("h")),
            )
            .await
            .expect("user");
        let as_user = ctx(a.id, Some(user.id));
        for expected in 1..=4 {
            let l = s
                .login_failed(&as_user, user.id, LoginFailure::Password)
                .await
                .expect("fail");
            assert_eq!((l.consecutive, l.until), (expected, None));
        }
        let l = s
            .login_failed(&as_user, user.id, LoginFailure::Password)
            .await
            .expect("fail");
        assert_eq!(l.until, Some(t0() + Duration::minutes(1)));
        let locked = s.user(a.id, user.id).await.expect("user");
        assert!(locked.is_locked(t0()));
        assert!(!locked.is_locked(t0() + Duration::minutes(1)));
        // Tries during the wait are written down but not counted.
        let l = s
            .login_failed(&as_user, user.id, LoginFailure::WhileLocked)
            .await
            .expect("fail");
        assert_eq!((l.consecutive, l.until), (5, None));
        let l = s
            .login_failed(&as_user, user.id, LoginFailure::Password)
            .await
            .expect("fail");
        assert_eq!(l.until, Some(t0() + Duration::minutes(2)));
        let trail = s
            .audit_list(
                a.id,
                &mamori_store::AuditFilter {
                    action_prefix: Some("auth.".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .expect("trail");
        let count = |action: &str| trail.iter().filter(|r| r.event.action == action).count();
        assert_eq!((count("auth.locked"), count("auth.login_failed")), (2, 7));
        let unlocked = s
            .unlock(&ctx(a.id, Some(admin.id)), user.id)
            .await
            .expect("unlock");
        assert_eq!((unlocked.failed_logins, unlocked.locked_until), (0, None));
        for _ in 0..5 {
            s.login_failed(&as_user, user.id, LoginFailure::Password)
                .await
                .expect("fail");
        }
        s.login_succeeded(&as_user, user.id, "password")
            .await
            .expect("ok");
        let after = s.user(a.id, user.id).await.expect("user");
        assert_eq!((after.failed_logins, after.locked_until), (0, None));
    }
}

#[tokio::test]
async fn a_lockout_at_the_second_factor_ends_the_sessions_and_one_at_the_password_does_not() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        let session = |hash: &'static str| mamori_store::NewSession {
            id_hash: hash,
            user_id: admin.id,
            csrf: "c",
            awaiting_totp: false,
            ip: "",
            now: t0(),
            expires_at: t0() + Duration::hours(1),
        };
        s.create_session(&session("s1")).await.expect("session");
        let as_admin = ctx(a.id, Some(admin.id));
        for _ in 0..5 {
            s.login_failed(&as_admin, admin.id, LoginFailure::Password)
                .await
                .expect("fail");
        }
        assert!(s.session("s1", t0()).await.expect("session").is_some());
        s.unlock(&as_admin, admin.id).await.expect("unlock");
        for _ in 0..5 {
            s.login_failed(&as_admin, admin.id, LoginFailure::SecondFactor)
                .await
                .expect("fail");
        }
        assert!(s.session("s1", t0()).await.expect("session").is_none());
    }
}

#[tokio::test]
async fn address_failures_are_counted_per_window_and_refusals_summed_once_it_closes() {
    for db in backends().await {
        let s = &db.store;
        let limit = AddressLimit::per_ten_minutes(3);
        for i in 0..3 {
            s.address_failed("192.0.2.1", &limit, t0() + Duration::seconds(i))
                .await
                .expect("count");
        }
        s.address_failed("192.0.2.2", &limit, t0())
            .await
            .expect("count");
        assert_eq!(
            s.address_failures("192.0.2.1").await.expect("read"),
            Some((t0(), 3))
        );
        for _ in 0..4 {
            s.address_refused("192.0.2.1", "x@a.jp", "192.0.2.1", t0())
                .await
                .expect("refuse");
        }
        let actions = |records: Vec<mamori_domain::audit::AuditRecord>, action: &str| {
            records
                .into_iter()
                .filter(|r| r.event.action == action)
                .collect::<Vec<_>>()
        };
        let first = actions(s.audit_records().await.expect("audit"), "auth.rate_limited");
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].event.detail, r#"{"failures":3}"#);
        // A failure after the window opens a new one.
        s.address_failed("192.0.2.2", &limit, t0() + Duration::minutes(10))
            .await
            .expect("count");
        assert_eq!(
            s.address_failures("192.0.2.2").await.expect("read"),
            Some((t0() + Duration::minutes(10), 1))
        );
        let closed = s
            .close_address_windows(&limit, t0() + Duration::minutes(10))
            .await
            .expect("close");
        assert_eq!(closed, 1, "only the window of .1 had closed");
        assert_eq!(s.address_failures("192.0.2.1").await.expect("read"), None);
        let sums = actions(
            s.audit_records().await.expect("audit"),
            "auth.rate_limited_summary",
        );
        assert_eq!(sums.len(), 1);
        assert_eq!(sums[0].event.object_id, "192.0.2.1");
        assert!(
            sums[0].event.detail.contains("\"refused\":4"),
            "{}",
            sums[0].event.detail
        );
        assert!(s.audit_verify(None).await.expect("verify").is_ok());
    }
}

#[tokio::test]
async fn invitations_work_once_and_expire() {
    for db in backends().await {
        let s = &db.store;
        let (_, _, b, admin_b) = two_orgs(s).await;
        assert!(
            s.invite("invite-b", t0() + Duration::days(8))
                .await
                .is_err(),
            "expired invitation accepted"
        );
        let u = s.invite("invite-b", t0()).await.expect("invite");
        assert_eq!(u.id, admin_b.id);
        let accepted = s
            .accept_invite("invite-b", "hash1", "", t0())
            .await
            .expect("accept");
        assert_eq!(accepted.password_hash.as_deref(), Some("hash1"));
        assert!(
            s.accept_invite("invite-b", "hash2", "", t0())
                .await
                .is_err(),
            "invitation used twice"
        );
        assert_eq!(
            s.recent_password_hashes(b.id, admin_b.id, 5)
                .await
                .expect("history"),
            vec!["hash1".to_string()]
        );
    }
}

#[tokio::test]
async fn password_history_lists_the_newest_first() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        for i in 2..=7 {
            let mut c = ctx(a.id, Some(admin.id));
            c.now = t0() + Duration::minutes(i);
            let hash = format!("h{i}");
            s.set_password(&c, admin.id, &PasswordChange::ending_everything(&hash))
                .await
                .expect("set");
        }
        let recent = s
            .recent_password_hashes(a.id, admin.id, 5)
            .await
            .expect("history");
        assert_eq!(recent, vec!["h7", "h6", "h5", "h4", "h3"]);
    }
}

#[tokio::test]
async fn sessions_and_tokens_die_with_a_disabled_account() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        let user = s
            .create_user(
                &ctx(a.id, Some(admin.id)),
                &new_user("s@a.jp", &[Role::Staff], Some("h")),
            )
            .await
            .expect("user");
        let now = Utc::now();
        s.create_session(&NewSession {
            id_hash: "sess",
            user_id: user.id,
            csrf: "c",
            awaiting_totp: false,
            now,
            expires_at: now + Duration::hours(1),
            ip: "",
        })
        .await
        .expect("session");
        s.create_token(&ctx(a.id, Some(user.id)), user.id, "t", "tok", "mamori_")
            .await
            .expect("token");
        assert!(s.session("sess", now).await.expect("session").is_some());
        assert!(
            s.session("sess", now + Duration::hours(2))
                .await
                .expect("session")
                .is_none(),
            "expired session found"
        );
        assert!(s.token_owner("tok", now).await.expect("token").is_some());
        s.set_disabled(&ctx(a.id, Some(admin.id)), user.id, true)
            .await
            .expect("disable");
        assert!(s.session("sess", now).await.expect("session").is_none());
        assert!(s.token_owner("tok", now).await.expect("token").is_none());
        s.set_disabled(&ctx(a.id, Some(admin.id)), user.id, false)
            .await
            .expect("enable");
        assert!(s.token_owner("tok", now).await.expect("token").is_some());
        let id = s
            .tokens(a.id, user.id)
            .await
            .expect("tokens")
            .first()
            .map(|t| t.id)
            .expect("a token");
        s.revoke_token(&ctx(a.id, Some(user.id)), user.id, id)
            .await
            .expect("revoke");
        assert!(s.token_owner("tok", now).await.expect("token").is_none());
    }
}

#[tokio::test]
async fn a_totp_step_is_accepted_once_and_recovery_codes_once() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, _, _) = two_orgs(s).await;
        let c = ctx(a.id, Some(admin.id));
        s.totp_begin(&c, admin.id, "JBSWY3DPEHPK3PXP")
            .await
            .expect("begin");
        // Sealed at rest: the column does not hold the secret, the store gives it back.
        assert_eq!(
            s.execute_raw(
                "UPDATE users SET email = email WHERE totp_secret LIKE '%JBSWY3DPEHPK3PXP%'"
            )
            .await
            .expect("look"),
            0
        );
        let me = s.user(a.id, admin.id).await.expect("user");
        assert_eq!(s.totp_secret(&me).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        s.totp_enable(&c, admin.id, 100, &["r1".into(), "r2".into()])
            .await
            .expect("enable");
        assert!(
            !s.totp_accept_step(admin.id, 100).await.expect("step"),
            "the enrolment step replayed"
        );
        assert!(s.totp_accept_step(admin.id, 101).await.expect("step"));
        assert!(
            !s.totp_accept_step(admin.id, 101).await.expect("step"),
            "a step replayed"
        );
        assert!(
            s.use_recovery_code(admin.id, "r1", t0())
                .await
                .expect("code")
        );
        assert!(
            !s.use_recovery_code(admin.id, "r1", t0())
                .await
                .expect("code")
        );
        assert_eq!(s.recovery_codes_left(admin.id).await.expect("left"), 1);
        assert!(
            matches!(
                s.totp_begin(&c, admin.id, "X").await,
                Err(StoreError::Conflict("totp"))
            ),
            "re-enrolment while enabled"
        );
    }
}

#[tokio::test]
async fn an_e_mail_address_is_unique_within_an_organisation_and_may_recur_in_another() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin, b, admin_b) = two_orgs(s).await;
        let in_a = s
            .create_user(
                &ctx(a.id, Some(admin.id)),
                &new_user("b@b.jp", &[Role::Staff], Some("h")),
            )
            .await
            .expect("the same address in another organisation");
        let dup = s
            .create_user(
                &ctx(b.id, Some(admin_b.id)),
                &new_user("b@b.jp", &[Role::Staff], Some("h")),
            )
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict("email"))));
        assert_eq!(s.users(b.id).await.expect("users").len(), 1);
        let mut found: Vec<_> = s
            .login_candidates("b@b.jp")
            .await
            .expect("candidates")
            .into_iter()
            .map(|(u, o)| (u.id, o.id))
            .collect();
        found.sort();
        let mut expected = vec![(in_a.id, a.id), (admin_b.id, b.id)];
        expected.sort();
        assert_eq!(found, expected);
    }
}

#[tokio::test]
async fn assessment_answers_are_kept_per_round_and_per_organisation() {
    use mamori_domain::assessment::{Answer, ItemAnswer, Round};
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let sheet = s
            .create_assessment(&ca, 2025, "fy2025.institution", "")
            .await
            .expect("create");
        let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
        let no = ItemAnswer {
            answer: Answer::No,
            checked_on: day("2025-06-01"),
            target_date: Some(day("2026-03-31")),
            reason: String::new(),
            assignee: "情報システム室".into(),
            notes: "更新予定".into(),
        };
        s.save_answer(&ca, sheet.id, "fy2025.institution.2-01", Round::First, &no)
            .await
            .expect("first round");
        let yes = ItemAnswer {
            answer: Answer::Yes,
            target_date: None,
            checked_on: day("2025-11-01"),
            ..no.clone()
        };
        s.save_answer(
            &ca,
            sheet.id,
            "fy2025.institution.2-01",
            Round::Second,
            &yes,
        )
        .await
        .expect("second round");
        let fixed = ItemAnswer {
            notes: "台帳を更新".into(),
            ..no.clone()
        };
        s.save_answer(
            &ca,
            sheet.id,
            "fy2025.institution.2-01",
            Round::First,
            &fixed,
        )
        .await
        .expect("replace");
        let answers = s.answers(a.id, sheet.id).await.expect("answers");
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[0].round, Round::First);
        assert_eq!(answers[0].answer, fixed);
        assert_eq!(answers[1].answer, yes);
        s.set_maturity(&ca, sheet.id, 3, "台帳は整備済、運用はこれから")
            .await
            .expect("maturity");
        assert_eq!(
            s.assessment(a.id, sheet.id).await.expect("get").maturity,
            Some(3)
        );
        // Another organisation sees and changes nothing.
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.assessment(b.id, sheet.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.answers(b.id, sheet.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.save_answer(&cb, sheet.id, "fy2025.institution.2-01", Round::First, &yes)
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.set_maturity(&cb, sheet.id, 5, "x").await,
            Err(StoreError::NotFound)
        ));
        assert!(s.assessments(b.id).await.expect("list").is_empty());
        assert_eq!(
            s.answers(a.id, sheet.id).await.expect("answers")[0].answer,
            fixed
        );
        // All of an organisation's answers at once are the same, and none of another's.
        let other = s
            .create_assessment(&ctx(b.id, Some(admin_b.id)), 2025, "fy2025.institution", "")
            .await
            .expect("b's sheet");
        s.save_answer(
            &ctx(b.id, Some(admin_b.id)),
            other.id,
            "fy2025.institution.2-01",
            Round::First,
            &no,
        )
        .await
        .expect("b answers");
        // Asked for both sheets, each organisation gets the answers of its own only.
        let both = [sheet.id, other.id];
        let all = s.answers_of(a.id, &both).await.expect("all");
        assert_eq!(all.len(), 1);
        assert_eq!(all.get(&sheet.id), Some(&answers));
        assert_eq!(
            s.answers_of(b.id, &both)
                .await
                .expect("b")
                .get(&other.id)
                .map(Vec::len),
            Some(1)
        );
        assert!(
            !s.answers_of(b.id, &both)
                .await
                .expect("b")
                .contains_key(&sheet.id)
        );
    }
}

#[tokio::test]
async fn a_vendor_sheet_sent_to_a_vendor_is_visible_to_both_and_nobody_else() {
    use mamori_domain::assessment::{Answer, ItemAnswer, Round};
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let sheet = s
            .create_assessment(&ca, 2025, "fy2025.vendor", "守りシステム")
            .await
            .expect("create");
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.assessment_access(b.id, sheet.id).await,
            Err(StoreError::NotFound)
        ));
        s.send_to_vendor(&ca, sheet.id, b.id).await.expect("send");
        let reached = s.assessment_access(b.id, sheet.id).await.expect("reached");
        assert_eq!(reached.respondent_org_id, Some(b.id));
        assert_eq!(
            reached.relation,
            mamori_domain::access::Relation::Respondent
        );
        assert!(
            s.assessment_access(a.id, sheet.id)
                .await
                .expect("own")
                .is_owner()
        );
        assert!(
            matches!(
                s.assessment(b.id, sheet.id).await,
                Err(StoreError::NotFound)
            ),
            "the vendor does not own it"
        );
        assert_eq!(
            s.assessments_to_answer(b.id)
                .await
                .expect("to answer")
                .len(),
            1
        );
        let yes = ItemAnswer {
            answer: Answer::Yes,
            checked_on: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"),
            target_date: None,
            reason: String::new(),
            assignee: String::new(),
            notes: String::new(),
        };
        s.save_answer(&cb, sheet.id, "fy2025.vendor.2-03", Round::First, &yes)
            .await
            .expect("vendor answers");
        let ev = s
            .add_evidence(
                &cb,
                sheet.id,
                &mamori_store::NewEvidence {
                    item_id: "fy2025.vendor.2-03",
                    filename: "mds.pdf",
                    size: 3,
                    sha256: "abc",
                },
            )
            .await
            .expect("evidence");
        assert_eq!(
            s.answers(a.id, sheet.id).await.expect("owner reads").len(),
            1
        );
        assert_eq!(
            s.evidence_list(a.id, sheet.id)
                .await
                .expect("owner lists")
                .len(),
            1
        );
        assert_eq!(
            s.evidence(a.id, ev.id)
                .await
                .expect("owner reads evidence")
                .filename,
            "mds.pdf"
        );
        // What the vendor did to the hospital's sheet is in the hospital's audit trail too.
        let hospital_sees: Vec<String> = s
            .audit_list(a.id, &mamori_store::AuditFilter::default())
            .await
            .expect("audit")
            .into_iter()
            .filter(|r| r.event.org_id == Some(b.id))
            .map(|r| r.event.action)
            .collect();
        assert!(
            hospital_sees.contains(&"assessment.answer".to_string())
                && hospital_sees.contains(&"evidence.upload".to_string()),
            "{hospital_sees:?}"
        );
        // The vendor answers; only the owner grades maturity or sends the sheet on.
        assert!(matches!(
            s.set_maturity(&cb, sheet.id, 3, "x").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.send_to_vendor(&cb, sheet.id, b.id).await,
            Err(StoreError::NotFound)
        ));
        // A third organisation sees none of it.
        let (c, _) = s
            .register_org(
                &ca,
                &hospital("C病院"),
                &new_user("c@c.jp", &[Role::Admin], None),
                "invite-c",
                t0(),
            )
            .await
            .expect("c");
        assert!(matches!(
            s.assessment_access(c.id, sheet.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            !s.audit_list(c.id, &mamori_store::AuditFilter::default())
                .await
                .expect("audit")
                .iter()
                .any(|r| r.event.action == "assessment.answer"),
            "a third organisation's audit trail holds nothing of the sheet"
        );
        assert!(matches!(
            s.answers(c.id, sheet.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.evidence(c.id, ev.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            s.evidence_list(c.id, sheet.id)
                .await
                .expect("empty")
                .is_empty()
        );
        assert!(matches!(
            s.set_maturity(&cb, sheet.id, 5, "x").await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn an_anomaly_report_becomes_an_incident_with_an_append_only_timeline() {
    use mamori_domain::drafts::DraftKind;
    use mamori_domain::incident::{Anomaly, IncidentDraft, ReportStatus, TaskStatus};
    use mamori_store::MergeTarget;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let anomaly = Anomaly {
            what: "画面に身代金の要求".into(),
            place: "3階病棟".into(),
            noticed_at: t0(),
            device: "ナースステーションPC".into(),
        };
        let first = s.report_anomaly(&ca, &anomaly).await.expect("report");
        let second = s.report_anomaly(&ca, &anomaly).await.expect("report");
        let third = s.report_anomaly(&ca, &anomaly).await.expect("report");
        assert_eq!((first.number, second.number), (1, 2));
        assert_eq!(s.anomaly_reports(a.id, true).await.expect("open").len(), 3);
        assert!(
            s.anomaly_reports(b.id, false).await.expect("b").is_empty(),
            "reports stay in their organisation"
        );
        assert!(matches!(
            s.anomaly_report(b.id, first.id).await,
            Err(StoreError::NotFound)
        ));

        let facts = IncidentDraft {
            title: "ランサムウェア".into(),
            kind: "ransomware".into(),
            severity: "critical".into(),
            aware_at: "2026-04-01T09:00".into(),
            personal_data: "possible".into(),
            pd_count: "100".into(),
            ..Default::default()
        }
        .validate(t0(), false)
        .expect("facts");
        let inc = s
            .open_incident(&ca, Some(first.id), &facts, "incident.detect")
            .await
            .expect("open");
        assert_eq!(inc.facts, facts);
        assert!(inc.is_open());
        assert!(
            matches!(
                s.open_incident(&ca, Some(first.id), &facts, "incident.detect")
                    .await,
                Err(StoreError::Conflict(_))
            ),
            "a report is triaged once"
        );
        s.merge_report(&ca, second.id, MergeTarget::Incident(inc.id), "同じ事象")
            .await
            .expect("merge into incident");
        s.merge_report(&ca, third.id, MergeTarget::Report(first.id), "重複")
            .await
            .expect("merge into report");
        assert_eq!(s.anomaly_reports(a.id, true).await.expect("open").len(), 0);
        assert_eq!(
            s.anomaly_report(a.id, third.id)
                .await
                .expect("third")
                .status,
            ReportStatus::Merged
        );
        assert_eq!(
            s.incident_reports(a.id, inc.id)
                .await
                .expect("attached")
                .len(),
            2
        );

        s.set_incident_task(
            &ca,
            inc.id,
            "incident.initial.cut-backups",
            TaskStatus::Done,
            "NAS の LAN を抜いた",
        )
        .await
        .expect("task");
        s.record_duty_sent(
            &ca,
            inc.id,
            "ppc.sokuho",
            t0().date_naive(),
            "個人情報保護委員会 Web フォーム",
        )
        .await
        .expect("duty");
        let v1 = s
            .save_document(
                &ca,
                inc.id,
                DraftKind::MhlwReport,
                &[("summary".to_string(), "初版".to_string())].into(),
            )
            .await
            .expect("v1");
        let v2 = s
            .save_document(
                &ca,
                inc.id,
                DraftKind::MhlwReport,
                &[("summary".to_string(), "第2版".to_string())].into(),
            )
            .await
            .expect("v2");
        assert_eq!((v1, v2), (1, 2));
        let versions = s
            .document_versions(a.id, inc.id, DraftKind::MhlwReport)
            .await
            .expect("versions");
        assert_eq!(
            versions.first().map(|v| v.fields["summary"].as_str()),
            Some("第2版")
        );
        let mut later = facts.clone();
        later.facts.personal_data.sensitive = true;
        s.update_incident_facts(
            &ca,
            inc.id,
            &later,
            "カルテ情報の流出を確認",
            serde_json::json!({"added": ["ppc.sokuho"]}),
        )
        .await
        .expect("facts");
        s.set_incident_phase(&ca, inc.id, "closed")
            .await
            .expect("close");
        assert!(!s.incident(a.id, inc.id).await.expect("incident").is_open());

        let kinds: Vec<String> = s
            .incident_timeline(a.id, inc.id)
            .await
            .expect("timeline")
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "report_merged",
                "task",
                "duty",
                "document",
                "document",
                "facts",
                "phase"
            ]
        );
        assert!(matches!(
            s.incident_timeline(b.id, inc.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(s.audit_verify(None).await.expect("verify").is_ok());
        assert!(
            s.execute_raw("UPDATE incident_timeline SET text = 'x'")
                .await
                .is_err(),
            "the timeline refuses edits"
        );
        assert!(
            s.execute_raw("DELETE FROM incident_timeline")
                .await
                .is_err(),
            "and deletions"
        );
    }
}

#[tokio::test]
async fn the_contact_chart_and_procedures_stay_in_their_organisation() {
    use mamori_domain::preparedness::{RecoveryProcedure, standard_bodies};
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        s.add_contacts(&ca, &standard_bodies())
            .await
            .expect("bodies");
        let chart = s.contacts(a.id).await.expect("chart");
        assert_eq!(chart.len(), standard_bodies().len());
        assert!(s.contacts(b.id).await.expect("b").is_empty());
        let first = chart.first().expect("one");
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.update_contact(&cb, first.id, &first.contact).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.remove_contact(&cb, first.id).await,
            Err(StoreError::NotFound)
        ));
        s.remove_contact(&ca, first.id).await.expect("remove");
        let p = RecoveryProcedure {
            system: "電子カルテ".into(),
            steps: "1. オフラインのバックアップを確認".into(),
        };
        let id = s.save_procedure(&ca, None, &p).await.expect("add");
        assert!(matches!(
            s.save_procedure(&cb, Some(id), &p).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(s.recovery_procedures(a.id).await.expect("list").len(), 1);
        assert!(s.recovery_procedures(b.id).await.expect("b").is_empty());
    }
}

#[tokio::test]
async fn the_device_ledger_keeps_history_and_vulnerability_data_merges() {
    use mamori_domain::register::DeviceDraft;
    use mamori_domain::vuln::read_feed;
    use mamori_store::FindingDecision;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let vpn = DeviceDraft {
            kind: "network".into(),
            name: "VPN-01".into(),
            vendor: "Fortinet".into(),
            product: "FortiGate 60F".into(),
            version: "6.0.4".into(),
            internet_facing: "on".into(),
            ..Default::default()
        }
        .validate()
        .expect("device");
        let id = s.save_device(&ca, None, &vpn).await.expect("add");
        assert!(
            matches!(
                s.save_device(&ca, None, &vpn).await,
                Err(StoreError::Conflict(_))
            ),
            "names are unique in a ledger"
        );
        let mut patched = vpn.clone();
        patched.version = "6.0.18".into();
        let pc = DeviceDraft {
            kind: "terminal".into(),
            name: "PC-01".into(),
            ..Default::default()
        }
        .validate()
        .expect("pc");
        assert_eq!(
            s.import_devices(&ca, &[patched.clone(), pc])
                .await
                .expect("import"),
            (1, 1)
        );
        assert_eq!(
            s.device(a.id, id).await.expect("vpn").device.version,
            "6.0.18"
        );
        let history = s.device_history(a.id, id).await.expect("history");
        assert_eq!(history.len(), 2);
        assert!(history[0].before.contains("6.0.4") && history[0].after.contains("6.0.18"));
        assert!(s.devices(b.id).await.expect("b").is_empty());
        assert!(matches!(
            s.device(b.id, id).await,
            Err(StoreError::NotFound)
        ));
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.remove_device(&cb, id).await,
            Err(StoreError::NotFound)
        ));

        let nvd = read_feed(include_bytes!("../../../testdata/vuln/nvd-sample.json")).expect("nvd");
        let kev = read_feed(include_bytes!("../../../testdata/vuln/kev-slice.json")).expect("kev");
        assert_eq!(s.import_vulnerabilities(&ca, &nvd).await.expect("nvd"), 12);
        let new = s.import_vulnerabilities(&ca, &kev).await.expect("kev");
        assert!(
            new > 0 && new < kev.len(),
            "KEV entries of known CVEs merge"
        );
        let all = s.vulnerabilities(a.id).await.expect("all");
        let handa = all
            .iter()
            .find(|v| v.cve == "CVE-2018-13379")
            .expect("merged");
        assert!(
            !handa.matches.is_empty()
                && handa
                    .kev
                    .as_ref()
                    .is_some_and(|k| k.ransomware && k.vendor == "Fortinet")
        );
        assert!(s.vulnerabilities(b.id).await.expect("b").is_empty());

        s.decide_finding(
            &ca,
            id,
            "CVE-2018-13379",
            &FindingDecision::Accepted("外部公開を停止済み".into()),
        )
        .await
        .expect("decide");
        assert!(matches!(
            s.decide_finding(
                &cb,
                id,
                "CVE-2018-13379",
                &FindingDecision::Accepted("x".into())
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(s.finding_decisions(a.id).await.expect("decisions").len(), 1);
        s.record_review(&ca, "devices", t0().date_naive(), "退役機器2台を削除")
            .await
            .expect("review");
        assert_eq!(
            s.reviews(a.id, "devices").await.expect("reviews")[0].note,
            "退役機器2台を削除"
        );
        assert!(s.audit_verify(None).await.expect("verify").is_ok());
    }
}

#[tokio::test]
async fn register_rows_keep_history_and_stay_in_their_organisation() {
    use mamori_domain::ledger::BACKUPS;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let input = |name: &str, gens: &str| {
            BACKUPS
                .validate(
                    &[
                        ("name".to_string(), name.to_string()),
                        ("generations".to_string(), gens.to_string()),
                    ]
                    .into(),
                )
                .expect("row")
        };
        let id = s
            .save_ledger_row(&ca, "backups", None, &input("電子カルテ", "7"))
            .await
            .expect("add");
        assert!(matches!(
            s.save_ledger_row(&ca, "backups", None, &input("電子カルテ", "3"))
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            s.import_ledger_rows(
                &ca,
                "backups",
                &[input("電子カルテ", "14"), input("PACS", "3")]
            )
            .await
            .expect("import"),
            (1, 1)
        );
        assert_eq!(
            s.ledger_row(a.id, "backups", id).await.expect("row").row["generations"],
            "14"
        );
        assert_eq!(
            s.ledger_history(a.id, "backups", id)
                .await
                .expect("history")
                .len(),
            2
        );
        assert!(s.ledger_rows(b.id, "backups").await.expect("b").is_empty());
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.remove_ledger_row(&cb, "backups", id).await,
            Err(StoreError::NotFound)
        ));
        s.remove_ledger_row(&ca, "backups", id)
            .await
            .expect("remove");
        assert_eq!(s.ledger_rows(a.id, "backups").await.expect("rows").len(), 1);
    }
}

#[tokio::test]
async fn user_lists_and_the_staff_list_stay_in_their_organisation() {
    use mamori_domain::accounts::{StaffMember, SystemAccount};
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let mapping = [("login".to_string(), "ID".to_string())].into();
        let acct = SystemAccount {
            login: "t.yamada".into(),
            name: "山田".into(),
            employee_id: "1001".into(),
            last_login: None,
            admin: false,
            disabled: false,
        };
        s.import_accounts(&ca, "電子カルテ", &mapping, std::slice::from_ref(&acct))
            .await
            .expect("import");
        s.import_accounts(&ca, "電子カルテ", &mapping, &[acct.clone(), acct])
            .await
            .expect("replace");
        let systems = s.account_systems(a.id).await.expect("systems");
        assert_eq!((systems.len(), systems[0].accounts.len()), (1, 2));
        assert!(s.account_systems(b.id).await.expect("b").is_empty());
        s.import_staff(
            &ca,
            &[StaffMember {
                employee_id: "1001".into(),
                name: "山田".into(),
                left_on: None,
            }],
        )
        .await
        .expect("staff");
        assert!(s.staff_list(b.id).await.expect("b").is_none());
        assert_eq!(s.unused_days(a.id).await.expect("default"), 90);
        s.set_unused_days(&ca, 30).await.expect("set");
        assert_eq!(
            (
                s.unused_days(a.id).await.expect("a"),
                s.unused_days(b.id).await.expect("b")
            ),
            (30, 90)
        );
    }
}

#[tokio::test]
async fn an_installation_from_before_per_organisation_e_mails_keeps_its_users_and_references() {
    // SQLite rebuilds the users table to drop the old constraint; whatever referred to a user
    // must still find it, and foreign keys must be enforced again afterwards.
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
        .expect("url")
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("pool");
    let mut before = sqlx::migrate::Migrator::new(std::path::Path::new("migrations/sqlite"))
        .await
        .expect("migrations");
    let upto: Vec<_> = before
        .migrations
        .iter()
        .filter(|m| m.version < 14)
        .cloned()
        .collect();
    assert_eq!(upto.len(), 13);
    before.migrations = upto.into();
    before.run(&pool).await.expect("the schema of before");
    let (org, user) = (Uuid::new_v4(), Uuid::new_v4());
    let at = t0();
    sqlx::query("INSERT INTO organisations (id, name, kind, institution_type, beds, home, created_at) VALUES ($1, '旧病院', 'institution', 'hospital', 100, TRUE, $2)")
        .bind(org).bind(at).execute(&pool).await.expect("org");
    sqlx::query("INSERT INTO users (id, org_id, email, display_name, roles, password_hash, must_change_password, password_changed_at, disabled, locked, failed_logins, totp_secret, totp_enabled, totp_last_step, lang, created_at, last_login_at) \
                 VALUES ($1, $2, 'old@a.jp', '旧', 'admin', 'h', FALSE, $3, FALSE, TRUE, 5, NULL, FALSE, 0, 'ja', $3, $3)")
        .bind(user).bind(org).bind(at).execute(&pool).await.expect("user");
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, awaiting_totp, created_at, expires_at, ip) VALUES ('old-session', $1, 'c', FALSE, $2, $3, '')")
        .bind(user).bind(at).bind(at + Duration::hours(1)).execute(&pool).await.expect("session");
    pool.close().await;

    let s = Store::connect(&url).await.expect("upgraded");
    let u = s.user(org, user).await.expect("the user survived");
    assert_eq!(
        (u.email.as_str(), u.failed_logins, u.locked_until, u.lang),
        ("old@a.jp", 5, None, Some(mamori_domain::Lang::Ja))
    );
    let session = s.session("old-session", at).await.expect("read");
    assert_eq!(session.map(|x| x.user.id), Some(user));
    let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
    let dangling = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&pool)
        .await
        .expect("check");
    assert!(
        dangling.is_empty(),
        "{} dangling references",
        dangling.len()
    );
    pool.close().await;
    let orphan = s
        .create_session(&NewSession {
            id_hash: "orphan",
            user_id: Uuid::new_v4(),
            csrf: "c",
            awaiting_totp: false,
            now: at,
            expires_at: at + Duration::hours(1),
            ip: "",
        })
        .await;
    assert!(orphan.is_err(), "foreign keys are enforced again");
}

#[tokio::test]
async fn an_import_mapping_is_remembered_per_organisation_and_target() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        assert_eq!(s.import_mapping(a.id, "devices").await.expect("read"), None);
        let mapping: mamori_domain::table::ColumnMapping =
            [("name".to_string(), "機器名".to_string())].into();
        s.remember_import_mapping(&ctx(a.id, Some(admin_a.id)), "devices", &mapping)
            .await
            .expect("remember");
        let changed: mamori_domain::table::ColumnMapping =
            [("name".to_string(), "ホスト名".to_string())].into();
        s.remember_import_mapping(&ctx(a.id, Some(admin_a.id)), "devices", &changed)
            .await
            .expect("replace");
        assert_eq!(
            s.import_mapping(a.id, "devices").await.expect("read"),
            Some(changed)
        );
        assert_eq!(s.import_mapping(a.id, "backups").await.expect("read"), None);
        assert_eq!(s.import_mapping(b.id, "devices").await.expect("read"), None);
    }
}

#[tokio::test]
async fn kept_figures_follow_every_change_of_the_answers_and_stay_in_their_organisation() {
    use mamori_domain::assessment::{Answer, Figures, ItemAnswer, Round, Tally};
    use mamori_store::KeptFigures;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let sheet = s
            .create_assessment(&ca, 2025, "fy2025.institution", "")
            .await
            .expect("create");
        let rev = |st: &std::collections::HashMap<uuid::Uuid, mamori_store::FiguresState>| {
            st.get(&sheet.id).expect("reached").answers_rev
        };
        let before = s.figures_states(a.id).await.expect("states");
        assert_eq!(before[&sheet.id].kept, None);
        let counted = |r: i64, yes: u32| KeptFigures {
            answers_rev: r,
            catalog: "c1".into(),
            figures: Figures {
                required: 30,
                answered: yes,
                overall: Tally {
                    yes,
                    ..Tally::default()
                },
            },
        };
        s.keep_figures(&[(sheet.id, counted(rev(&before), 0))])
            .await
            .expect("keep");
        let kept = s.figures_states(a.id).await.expect("states");
        assert_eq!(kept[&sheet.id].fresh("c1"), Some(counted(0, 0).figures));
        // Against another catalog they are behind.
        assert_eq!(kept[&sheet.id].fresh("c2"), None);
        // Any write of an answer moves the revision, so the kept figures are behind.
        let yes = ItemAnswer {
            answer: Answer::Yes,
            checked_on: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"),
            target_date: None,
            reason: String::new(),
            assignee: String::new(),
            notes: String::new(),
        };
        s.save_answer(&ca, sheet.id, "fy2025.institution.2-01", Round::First, &yes)
            .await
            .expect("answer");
        let after = s.figures_states(a.id).await.expect("states");
        assert!(rev(&after) > rev(&before));
        assert_eq!(after[&sheet.id].fresh("c1"), None);
        s.save_answer(&ca, sheet.id, "fy2025.institution.2-01", Round::First, &yes)
            .await
            .expect("the same answer again");
        let again = s.figures_states(a.id).await.expect("states");
        assert!(rev(&again) > rev(&after), "an update moves it too");
        // Newer figures are kept; a slower reader's older ones do not replace them.
        s.keep_figures(&[(sheet.id, counted(rev(&again), 1))])
            .await
            .expect("keep");
        s.keep_figures(&[(sheet.id, counted(rev(&before), 0))])
            .await
            .expect("keep older");
        let now = s.figures_states(a.id).await.expect("states");
        assert_eq!(now[&sheet.id].fresh("c1"), Some(counted(0, 1).figures));
        // Another organisation reaches none of it.
        assert!(
            !s.figures_states(b.id)
                .await
                .expect("b")
                .contains_key(&sheet.id)
        );
    }
}

#[tokio::test]
async fn the_ledger_figures_are_counted_and_the_exposed_devices_read_by_the_database() {
    use mamori_domain::register::DeviceDraft;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let device = |name: &str, facing: &str, support_end: &str, last_patch: &str| {
            DeviceDraft {
                kind: "server".into(),
                name: name.into(),
                internet_facing: facing.into(),
                support_end: support_end.into(),
                last_patch: last_patch.into(),
                ..Default::default()
            }
            .validate()
            .expect("device")
        };
        for d in [
            device("VPN", "on", "", "2026-11-01"),
            device("旧サーバ", "", "2023-10-10", "2024-01-01"),
            device("保守GW", "", "", ""),
            device("端末", "", "2030-03-31", "2026-10-01"),
        ] {
            s.save_device(&ca, None, &d).await.expect("add");
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).expect("day");
        let since = today - chrono::Duration::days(365);
        let n = s.device_counts(a.id, today, since).await.expect("counts");
        assert_eq!(
            (n.total, n.internet_facing, n.unsupported, n.stale_patch),
            (4, 1, 1, 2),
            "stale: the old server and the gateway never patched"
        );
        assert_eq!(
            s.device_counts(b.id, today, since).await.expect("b").total,
            0
        );
        let names = |v: Vec<mamori_store::StoredDevice>| {
            v.into_iter().map(|d| d.device.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(s.exposed_devices(a.id, &[]).await.expect("exposed")),
            ["VPN"]
        );
        assert_eq!(
            names(
                s.exposed_devices(a.id, &["保守GW".to_string()])
                    .await
                    .expect("with an entrance")
            ),
            ["VPN", "保守GW"]
        );
        assert!(
            s.exposed_devices(b.id, &["保守GW".to_string()])
                .await
                .expect("b")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn the_reached_assessments_are_paged_by_the_database_in_list_order() {
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let cb = ctx(b.id, Some(admin_b.id));
        for (fy, sheet, title) in [
            (2024, "fy2024.institution", ""),
            (2025, "fy2025.vendor", "電子カルテ ベンダーB"),
            (2025, "fy2025.institution", ""),
            (2025, "fy2025.vendor", "PACS ベンダーA"),
            (2023, "fy2023.vendor", "給食 委託先"),
        ] {
            s.create_assessment(&ca, fy, sheet, title)
                .await
                .expect("own");
        }
        // Two vendor sheets B asked A to answer, and one B keeps to itself.
        for title in ["B の委託 1", "B の委託 2", "B だけ"] {
            let sheet = s
                .create_assessment(&cb, 2025, "fy2025.vendor", title)
                .await
                .expect("b's");
            if title != "B だけ" {
                s.send_to_vendor(&cb, sheet.id, a.id).await.expect("send");
            }
        }
        let ids = |v: &[mamori_store::Assessment]| v.iter().map(|x| x.id).collect::<Vec<_>>();
        let mut expected = ids(&s.assessments(a.id).await.expect("own"));
        expected.extend(ids(&s.assessments_to_answer(a.id).await.expect("asked")));
        assert_eq!(expected.len(), 7);
        let (whole, total) = s.reached_assessments(a.id, None).await.expect("whole");
        assert_eq!(ids(&whole), expected, "own first, then those to answer");
        assert_eq!(total, 7);
        let mut paged = Vec::new();
        for offset in [0, 3, 6] {
            let (page, total) = s
                .reached_assessments(a.id, Some((3, offset)))
                .await
                .expect("page");
            assert_eq!(total, 7, "the whole list's length on every page");
            paged.extend(ids(&page));
        }
        assert_eq!(paged, expected);
        let (past, total) = s
            .reached_assessments(a.id, Some((3, 10)))
            .await
            .expect("past the end");
        assert!(past.is_empty());
        assert_eq!(total, 7);
        // Only A's own vendor sheets, in list order.
        let vendor = s
            .assessments_of_sheets(a.id, &["fy2025.vendor", "fy2023.vendor"])
            .await
            .expect("vendor sheets");
        let titles: Vec<&str> = vendor.iter().map(|x| x.title.as_str()).collect();
        assert_eq!(
            titles,
            ["PACS ベンダーA", "電子カルテ ベンダーB", "給食 委託先"]
        );
        assert!(
            s.assessments_of_sheets(a.id, &[])
                .await
                .expect("none")
                .is_empty()
        );
        // The states of named assessments: only those the organisation reaches.
        let states = s.figures_states_of(a.id, &expected).await.expect("states");
        assert_eq!(states.len(), 7);
        let (b_own, _) = s.reached_assessments(b.id, None).await.expect("b");
        assert_eq!(b_own.len(), 3);
        let a_only: Vec<_> = ids(&s.assessments(a.id).await.expect("own"));
        assert!(
            s.figures_states_of(b.id, &a_only)
                .await
                .expect("b asks for a's")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn every_registers_rows_and_newest_review_are_read_at_once() {
    use mamori_domain::ledger::Row;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 4, d).expect("date");
        for (register, d, note) in [
            ("backups", 3, "古い"),
            ("backups", 20, "新しい"),
            ("vendors", 9, "委託先"),
            ("backups", 11, "間"),
        ] {
            s.record_review(&ca, register, day(d), note)
                .await
                .expect("review");
        }
        s.record_review(&ctx(b.id, Some(admin_b.id)), "remote", day(1), "B")
            .await
            .expect("b's review");
        let row = |name: &str| -> Row { [("name".to_string(), name.to_string())].into() };
        for (register, name) in [
            ("backups", "電子カルテ"),
            ("vendors", "給食"),
            ("backups", "PACS"),
        ] {
            s.save_ledger_row(&ca, register, None, &row(name))
                .await
                .expect("row");
        }
        let latest = s.latest_reviews(a.id).await.expect("latest");
        assert_eq!(latest.len(), 2);
        for register in ["backups", "vendors"] {
            assert_eq!(
                latest.get(register),
                s.reviews(a.id, register).await.expect("reviews").first(),
                "{register}"
            );
        }
        assert_eq!(latest["backups"].note, "新しい");
        let all = s.all_ledger_rows(a.id).await.expect("rows");
        assert_eq!(all.len(), 2);
        for register in ["backups", "vendors"] {
            assert_eq!(
                all[register],
                s.ledger_rows(a.id, register).await.expect("rows"),
                "{register}"
            );
        }
        assert!(s.all_ledger_rows(b.id).await.expect("b").is_empty());
        assert_eq!(
            s.latest_reviews(b.id)
                .await
                .expect("b")
                .keys()
                .collect::<Vec<_>>(),
            ["remote"]
        );
    }
}

#[tokio::test]
async fn shared_collections_reach_only_their_keeper_and_grantees_and_page_by_keyset() {
    use mamori_store::{Audience, NewObject, ObjectFilter, Reader, Versions};
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let cb = ctx(b.id, Some(admin_b.id));
        let id = s
            .create_collection(&ca, "医療ISAC 共有", "indicators", "green")
            .await
            .expect("create");
        // B does not learn that the collection exists, and cannot write to it.
        assert!(s.collections(b.id).await.expect("b").is_empty());
        assert!(matches!(
            s.collection(b.id, id).await,
            Err(StoreError::NotFound)
        ));
        let object = |n: usize, version: &str| NewObject {
            object_id: format!("indicator--00000000-0000-4000-8000-{n:012}"),
            object_type: if n.is_multiple_of(2) {
                "indicator"
            } else {
                "malware"
            }
            .into(),
            version: version.into(),
            spec_version: "2.1".into(),
            tlp: "green".into(),
            anonymous: false,
            body: format!("{{\"n\":{n}}}"),
        };
        let object = |n: usize, version: &str| (object(n, version), Audience::default());
        let rb = Reader {
            org_id: b.id,
            user_id: Some(admin_b.id),
        };
        assert!(matches!(
            s.add_objects(&cb, id, &[object(1, "v1")]).await,
            Err(StoreError::NotFound)
        ));
        let batch: Vec<_> = (0..7)
            .map(|n| object(n, "2026-01-01T00:00:00.000Z"))
            .collect();
        let added = s.add_objects(&ca, id, &batch).await.expect("add");
        assert_eq!(added, vec![true; 7]);
        // The same versions again add nothing; a newer version of one is kept beside the old.
        let again = s
            .add_objects(
                &ca,
                id,
                &[
                    object(3, "2026-01-01T00:00:00.000Z"),
                    object(3, "2026-02-01T00:00:00.000Z"),
                ],
            )
            .await
            .expect("again");
        assert_eq!(again, vec![false, true]);
        // B may read once granted, not write.
        s.grant_collection(&ca, id, b.id, true, false)
            .await
            .expect("grant");
        let seen = s.collection(b.id, id).await.expect("granted");
        assert!(seen.can_read && !seen.can_write);
        assert!(matches!(
            s.add_objects(&cb, id, &[object(9, "v")]).await,
            Err(StoreError::NotFound)
        ));
        // Only the keeper grants.
        assert!(matches!(
            s.grant_collection(&cb, id, b.id, true, true).await,
            Err(StoreError::NotFound)
        ));
        // Pages of three, each continuing after the last seq of the one before.
        let mut after = 0;
        let mut seen = Vec::new();
        loop {
            let f = ObjectFilter {
                after_seq: after,
                limit: 3,
                ..Default::default()
            };
            let (page, more) = s.collection_objects(rb, id, &f).await.expect("page");
            seen.extend(
                page.iter()
                    .map(|o| (o.object_id.clone(), o.version.clone())),
            );
            after = page.last().map_or(after, |o| o.seq);
            if !more {
                break;
            }
        }
        assert_eq!(seen.len(), 8, "every version once: {seen:?}");
        let latest = ObjectFilter {
            versions: Versions::Last,
            limit: 100,
            ..Default::default()
        };
        let (newest, _) = s.collection_objects(rb, id, &latest).await.expect("latest");
        assert_eq!(newest.len(), 7);
        assert!(
            newest
                .iter()
                .any(|o| o.object_id.ends_with("000000000003") && o.version.starts_with("2026-02"))
        );
        let typed = ObjectFilter {
            types: vec!["malware".into()],
            ids: vec![object(3, "").0.object_id, object(4, "").0.object_id],
            limit: 100,
            ..Default::default()
        };
        let (only, _) = s
            .collection_objects(rb, id, &typed)
            .await
            .expect("filtered");
        assert_eq!(only.len(), 2, "both versions of malware 3, not indicator 4");
        let later = ObjectFilter {
            added_after: Some(t0() + Duration::days(1)),
            limit: 100,
            ..Default::default()
        };
        assert!(
            s.collection_objects(rb, id, &later)
                .await
                .expect("after")
                .0
                .is_empty()
        );
        // A search by value finds the newest version, in the collections the reader may read.
        let found = s.search_objects(rb, "\"N\":3", 10).await.expect("search");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].collection_title, "医療ISAC 共有");
        assert!(found[0].object.version.starts_with("2026-02"));
        assert!(
            s.search_objects(rb, "%", 10)
                .await
                .expect("like")
                .is_empty()
        );
        // Taking the grant back hides it again.
        s.grant_collection(&ca, id, b.id, false, false)
            .await
            .expect("revoke");
        assert!(matches!(
            s.collection_objects(rb, id, &latest).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            s.search_objects(rb, "\"n\":3", 10)
                .await
                .expect("search")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn each_tlp_level_reaches_its_audience_and_no_one_else() {
    use mamori_store::{Audience, NewObject, ObjectFilter, Reader, SubmissionStatus, Versions};
    for db in backends().await {
        let s = &db.store;
        // A keeps the hub; B shares into it; C is named; D is a member named in nothing.
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let mut others = Vec::new();
        for name in ["C病院", "D病院"] {
            let (o, u) = s
                .register_org(
                    &ca,
                    &hospital(name),
                    &new_user(&format!("{name}@x.jp"), &[Role::Admin], None),
                    &format!("invite-{name}"),
                    t0() + Duration::days(7),
                )
                .await
                .expect("register");
            others.push((o, u));
        }
        let [(c, admin_c), (d, admin_d)] = <[_; 2]>::try_from(others).expect("two");
        let colleague_c = s
            .create_user(
                &ctx(c.id, Some(admin_c.id)),
                &new_user("second@c.jp", &[Role::SecurityManager], Some("h")),
            )
            .await
            .expect("colleague");
        let hub = s
            .create_collection(&ca, "hub", "", "amber")
            .await
            .expect("hub");
        for org in [b.id, c.id, d.id] {
            s.grant_collection(&ca, hub, org, true, true)
                .await
                .expect("grant");
        }
        let cb = ctx(b.id, Some(admin_b.id));
        let shared: Vec<_> = ["clear", "green", "amber", "amber+strict", "red"]
            .iter()
            .enumerate()
            .map(|(i, tlp)| {
                let audience = match *tlp {
                    "red" => Audience {
                        users: vec![admin_c.id],
                        ..Audience::default()
                    },
                    "amber" | "amber+strict" => Audience {
                        orgs: vec![c.id],
                        ..Audience::default()
                    },
                    _ => Audience::default(),
                };
                (
                    NewObject {
                        object_id: format!("indicator--00000000-0000-4000-8000-{i:012}"),
                        object_type: "indicator".into(),
                        version: "2026-01-01T00:00:00.000Z".into(),
                        spec_version: "2.1".into(),
                        tlp: tlp.to_string(),
                        anonymous: false,
                        body: "{}".into(),
                    },
                    audience,
                )
            })
            .collect();
        s.add_objects(&cb, hub, &shared).await.expect("share");
        let seen = |reader: Reader| async move {
            let f = ObjectFilter {
                limit: 100,
                ..Default::default()
            };
            let (rows, _) = s.collection_objects(reader, hub, &f).await.expect("read");
            rows.into_iter().map(|o| o.tlp).collect::<Vec<_>>()
        };
        let who = |org: Uuid, user: Uuid| Reader {
            org_id: org,
            user_id: Some(user),
        };
        let everyone = ["clear", "green"];
        let mut expected = vec![
            // The sharer sees all it shared; RED only because the same person shared it.
            (
                who(b.id, admin_b.id),
                vec!["clear", "green", "amber", "amber+strict", "red"],
            ),
            // The keeper sees AMBER, not RED.
            (
                who(a.id, admin_a.id),
                vec!["clear", "green", "amber", "amber+strict"],
            ),
            (
                who(c.id, admin_c.id),
                vec!["clear", "green", "amber", "amber+strict", "red"],
            ),
            // A colleague of the named person sees the organisation's AMBER, not RED.
            (
                who(c.id, colleague_c.id),
                vec!["clear", "green", "amber", "amber+strict"],
            ),
            (who(d.id, admin_d.id), everyone.to_vec()),
        ];
        // A task acting for an organisation without a person sees no RED.
        expected.push((
            Reader {
                org_id: b.id,
                user_id: None,
            },
            vec!["clear", "green", "amber", "amber+strict"],
        ));
        for (reader, levels) in expected {
            assert_eq!(seen(reader).await, levels, "{reader:?}");
        }
        // A newer RED version does not hide the GREEN one from those who may not see RED.
        let mut newer = shared[1].clone();
        newer.0.version = "2026-02-01T00:00:00.000Z".into();
        newer.0.tlp = "red".into();
        newer.1 = Audience::default();
        s.add_objects(&cb, hub, &[newer]).await.expect("newer");
        let last = ObjectFilter {
            ids: vec![shared[1].0.object_id.clone()],
            versions: Versions::Last,
            limit: 10,
            ..Default::default()
        };
        let (d_sees, _) = s
            .collection_objects(who(d.id, admin_d.id), hub, &last)
            .await
            .expect("d");
        assert_eq!(
            d_sees
                .iter()
                .map(|o| o.version.as_str())
                .collect::<Vec<_>>(),
            ["2026-01-01T00:00:00.000Z"]
        );
        let (b_sees, _) = s
            .collection_objects(who(b.id, admin_b.id), hub, &last)
            .await
            .expect("b");
        assert_eq!(b_sees.len(), 1);
        assert_eq!(b_sees[0].tlp, "red");
        // Every object has its own date_added, later than the one before.
        let (all, _) = s
            .collection_objects(
                who(b.id, admin_b.id),
                hub,
                &ObjectFilter {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .expect("all");
        assert!(all.windows(2).all(|w| w[0].added_at < w[1].added_at));
        // D may write but deletes only what it shared: B's object is not found for it.
        let cd = ctx(d.id, Some(admin_d.id));
        assert!(matches!(
            s.delete_object(&cd, hub, &shared[0].0.object_id, &Versions::All)
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            s.delete_object(&cb, hub, &shared[1].0.object_id, &Versions::Last)
                .await
                .expect("delete newest"),
            1
        );
        assert_eq!(
            s.delete_object(&ca, hub, &shared[1].0.object_id, &Versions::All)
                .await
                .expect("keeper deletes"),
            1
        );
        // A submission's status is its submitter's alone.
        let status = SubmissionStatus {
            id: Uuid::new_v4(),
            collection_id: hub,
            request_timestamp: t0(),
            total_count: 2,
            successes: "[]".into(),
            failures: "[]".into(),
        };
        s.save_status(&cb, &status).await.expect("save");
        assert_eq!(
            s.submission_status(b.id, status.id).await.expect("own"),
            status
        );
        assert!(matches!(
            s.submission_status(a.id, status.id).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_group_reaches_what_is_granted_and_shared_with_it_while_its_organisations_belong() {
    use mamori_store::{Audience, NewObject, ObjectFilter, Reader};
    for db in backends().await {
        let s = &db.store;
        // A keeps the hub; B and C form the group 関東, D alone the group 東北.
        let (a, admin_a, b, admin_b) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let mut others = Vec::new();
        for name in ["C病院", "D病院"] {
            let (o, u) = s
                .register_org(
                    &ca,
                    &hospital(name),
                    &new_user(&format!("{name}@x.jp"), &[Role::Admin], None),
                    &format!("invite-{name}"),
                    t0() + Duration::days(7),
                )
                .await
                .expect("register");
            others.push((o, u));
        }
        let [(c, admin_c), (d, admin_d)] = <[_; 2]>::try_from(others).expect("two");
        let hub = s
            .create_collection(&ca, "hub", "", "amber")
            .await
            .expect("hub");
        let kanto = s.create_group(&ca, "関東").await.expect("group");
        let tohoku = s.create_group(&ca, "東北").await.expect("group");
        assert!(matches!(
            s.create_group(&ca, "関東").await,
            Err(StoreError::Conflict(_))
        ));
        for (group, org) in [(kanto, b.id), (kanto, c.id), (tohoku, d.id)] {
            s.set_group_member(&ca, group, org, true)
                .await
                .expect("member");
        }
        let mut groups: Vec<(String, usize)> = s
            .groups(a.id)
            .await
            .expect("groups")
            .into_iter()
            .map(|g| (g.name, g.members.len()))
            .collect();
        groups.sort();
        assert_eq!(groups, [("東北".to_string(), 1), ("関東".to_string(), 2)]);
        // Another organisation neither changes the keeper's groups nor grants them.
        let cb = ctx(b.id, Some(admin_b.id));
        assert!(matches!(
            s.set_group_member(&cb, kanto, b.id, false).await,
            Err(StoreError::NotFound)
        ));
        let own = s.create_group(&cb, "B's").await.expect("b group");
        assert!(matches!(
            s.grant_collection_to_group(&ca, hub, own, true, true).await,
            Err(StoreError::NotFound)
        ));
        // Before the grant a member of the group does not reach the collection.
        assert!(matches!(
            s.collection(b.id, hub).await,
            Err(StoreError::NotFound)
        ));
        s.grant_collection_to_group(&ca, hub, kanto, true, true)
            .await
            .expect("grant");
        s.grant_collection_to_group(&ca, hub, tohoku, true, false)
            .await
            .expect("grant");
        let reached = s.collection(b.id, hub).await.expect("reach");
        assert!(reached.can_read && reached.can_write);
        let reached = s.collection(d.id, hub).await.expect("reach");
        assert!(reached.can_read && !reached.can_write);
        assert_eq!(s.collections(c.id).await.expect("list").len(), 1);
        let mut readers = s.collection_readers(hub).await.expect("readers");
        readers.sort();
        let mut all = vec![a.id, b.id, c.id, d.id];
        all.sort();
        assert_eq!(readers, all);
        let mut grants: Vec<(String, bool, bool)> = s
            .collection_group_grants(hub)
            .await
            .expect("grants")
            .into_iter()
            .map(|g| (g.name, g.can_read, g.can_write))
            .collect();
        grants.sort();
        assert_eq!(
            grants,
            [
                ("東北".to_string(), true, false),
                ("関東".to_string(), true, true)
            ]
        );
        // B shares AMBER for 東北, AMBER+STRICT for 東北 (a group does not count for STRICT),
        // and AMBER for no one named.
        let object = |n: u32, tlp: &str, groups: Vec<Uuid>| {
            (
                NewObject {
                    object_id: format!("indicator--00000000-0000-4000-8000-{n:012}"),
                    object_type: "indicator".into(),
                    version: "2026-01-01T00:00:00.000Z".into(),
                    spec_version: "2.1".into(),
                    tlp: tlp.into(),
                    anonymous: false,
                    body: format!("{{\"n\":\"marker-{n}\"}}"),
                },
                Audience {
                    groups,
                    ..Audience::default()
                },
            )
        };
        s.add_objects(
            &cb,
            hub,
            &[
                object(1, "amber", vec![tohoku]),
                object(2, "amber+strict", vec![tohoku]),
                object(3, "amber", vec![]),
            ],
        )
        .await
        .expect("share");
        let seen = |org: Uuid, user: Uuid| async move {
            let f = ObjectFilter {
                limit: 100,
                ..Default::default()
            };
            let reader = Reader {
                org_id: org,
                user_id: Some(user),
            };
            match s.collection_objects(reader, hub, &f).await {
                Ok((rows, _)) => rows
                    .into_iter()
                    .map(|o| o.object_id[o.object_id.len() - 1..].to_string())
                    .collect::<Vec<_>>(),
                Err(StoreError::NotFound) => vec!["not found".to_string()],
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(seen(a.id, admin_a.id).await, ["1", "2", "3"], "keeper");
        assert_eq!(seen(b.id, admin_b.id).await, ["1", "2", "3"], "sharer");
        assert_eq!(seen(d.id, admin_d.id).await, ["1"], "the group named");
        assert!(seen(c.id, admin_c.id).await.is_empty(), "not named");
        let d_reader = Reader {
            org_id: d.id,
            user_id: Some(admin_d.id),
        };
        assert_eq!(
            s.search_objects(d_reader, "marker-", 10)
                .await
                .expect("search")
                .len(),
            1
        );
        // Taken out of the group, D reaches nothing, not even what was shared with the group.
        s.set_group_member(&ca, tohoku, d.id, false)
            .await
            .expect("remove");
        assert_eq!(seen(d.id, admin_d.id).await, ["not found"]);
        assert!(
            s.search_objects(d_reader, "marker-", 10)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(
            !s.collection_readers(hub)
                .await
                .expect("readers")
                .contains(&d.id)
        );
        let people = s.collection_people(hub).await.expect("people");
        assert!(people.iter().any(|u| u.id == admin_c.id));
        assert!(!people.iter().any(|u| u.id == admin_d.id));
        // Taking the group's grant back closes the collection to its members.
        s.grant_collection_to_group(&ca, hub, kanto, false, false)
            .await
            .expect("revoke");
        assert_eq!(seen(c.id, admin_c.id).await, ["not found"]);
    }
}

#[tokio::test]
async fn an_authority_reads_the_submissions_of_its_jurisdiction_and_a_submission_never_changes() {
    use mamori_domain::oversight::{ChecklistSnapshot, Jurisdiction, SubmittedAnswer};
    for db in backends().await {
        let s = &db.store;
        let (home, admin, x, admin_x) = two_orgs(s).await;
        let ch = ctx(home.id, Some(admin.id));
        let mut orgs = Vec::new();
        for (name, kind) in [
            ("東京都", OrgKind::Municipality),
            ("神奈川県", OrgKind::Municipality),
            ("新宿区保健所", OrgKind::Municipality),
            ("厚生労働省", OrgKind::Operator),
            ("Y病院", OrgKind::Institution),
        ] {
            let profile = OrgProfile {
                name: name.into(),
                kind,
                ..hospital(name)
            };
            let (o, u) = s
                .register_org(
                    &ch,
                    &profile,
                    &new_user(&format!("{}@x.jp", orgs.len()), &[Role::Admin], None),
                    &format!("invite-{name}"),
                    t0() + Duration::days(7),
                )
                .await
                .expect("register");
            orgs.push((o, u));
        }
        let [
            (tokyo, _),
            (kanagawa, _),
            (shinjuku, _),
            (mhlw, _),
            (y, admin_y),
        ] = <[_; 5]>::try_from(orgs).expect("five");
        for (org, j) in [
            (
                tokyo.id,
                Jurisdiction::parse("prefecture", "13", "").expect("j"),
            ),
            (
                kanagawa.id,
                Jurisdiction::parse("prefecture", "14", "").expect("j"),
            ),
            (
                shinjuku.id,
                Jurisdiction::parse("municipalities", "13", "新宿区").expect("j"),
            ),
            (mhlw.id, Jurisdiction::National),
        ] {
            s.set_jurisdiction(&ch, org, &j).await.expect("set");
        }
        assert_eq!(s.authorities().await.expect("authorities").len(), 4);
        assert_eq!(
            s.jurisdiction(shinjuku.id).await.expect("j"),
            Some(Jurisdiction::Municipalities {
                prefecture: "13".into(),
                municipalities: vec!["新宿区".into()]
            })
        );
        let snapshot = |code: &str, municipality: &str, answer: &str| ChecklistSnapshot {
            format: 1,
            institution_code: code.into(),
            institution_name: "病院".into(),
            municipality: municipality.into(),
            fiscal_year: 2025,
            sheet_id: "fy2025.institution".into(),
            answers: vec![SubmittedAnswer {
                item_id: "fy2025.institution.1-01".into(),
                number: "1-①".into(),
                answer: answer.into(),
                checked_on: None,
                target: None,
            }],
        };
        // X in 新宿区 submits to Tokyo, twice; Y in 横浜市 to Kanagawa.
        let cx = ctx(x.id, Some(admin_x.id));
        let first = s
            .submit_checklist(&cx, tokyo.id, &snapshot("1312345678", "新宿区", "no"))
            .await
            .expect("submit");
        let second = s
            .submit_checklist(&cx, tokyo.id, &snapshot("1312345678", "新宿区", "yes"))
            .await
            .expect("again");
        assert_eq!((first.version, second.version), (1, 2));
        let cy = ctx(y.id, Some(admin_y.id));
        s.submit_checklist(&cy, kanagawa.id, &snapshot("1412345678", "横浜市", "yes"))
            .await
            .expect("y");
        // The first version is as it was submitted, its digest still its own.
        let kept = s.submission(tokyo.id, first.id).await.expect("first");
        assert_eq!(kept.snapshot.answers[0].answer, "no");
        assert_eq!(kept.digest, kept.snapshot.digest());
        assert_ne!(kept.digest, second.digest);
        let codes = |subs: Vec<mamori_store::Submission>| {
            subs.into_iter()
                .map(|s| format!("{}v{}", &s.snapshot.institution_code[..2], s.version))
                .collect::<Vec<_>>()
        };
        let read = |org: Uuid| async move {
            codes(s.submissions_in_scope(org, 2025).await.expect("scope"))
        };
        assert_eq!(read(tokyo.id).await, ["13v1", "13v2"]);
        assert_eq!(read(kanagawa.id).await, ["14v1"]);
        assert_eq!(
            read(shinjuku.id).await,
            ["13v1", "13v2"],
            "its municipality"
        );
        assert_eq!(read(mhlw.id).await, ["13v1", "13v2", "14v1"]);
        assert!(read(y.id).await.is_empty(), "an institution reads no one's");
        assert!(
            s.submissions_in_scope(tokyo.id, 2024)
                .await
                .expect("fy")
                .is_empty()
        );
        // Another prefecture, or another institution, does not find it.
        for org in [kanagawa.id, y.id] {
            assert!(matches!(
                s.submission(org, first.id).await,
                Err(StoreError::NotFound)
            ));
        }
        assert_eq!(s.own_submissions(x.id).await.expect("own").len(), 2);
        // The latest an authority may read of one institution, and none for another's.
        let latest = s
            .latest_submission_in_scope(tokyo.id, "1312345678")
            .await
            .expect("latest");
        assert_eq!(latest.map(|l| l.id), Some(second.id));
        assert!(
            s.latest_submission_in_scope(kanagawa.id, "1312345678")
                .await
                .expect("none")
                .is_none()
        );
        assert_eq!(
            s.jurisdiction(tokyo.id).await.expect("j"),
            Some(Jurisdiction::Prefecture {
                prefecture: "13".into()
            })
        );
        assert_eq!(s.jurisdiction(x.id).await.expect("none"), None);
        // A 保健所 whose municipalities change reads what lies in them now.
        s.set_jurisdiction(
            &ch,
            shinjuku.id,
            &Jurisdiction::parse("municipalities", "13", "中野区").expect("j"),
        )
        .await
        .expect("reset");
        assert!(read(shinjuku.id).await.is_empty());
    }
}

#[tokio::test]
async fn a_roster_is_replaced_whole_or_not_at_all() {
    use mamori_domain::oversight::RosterEntry;
    for db in backends().await {
        let s = &db.store;
        let (a, admin_a, b, _) = two_orgs(s).await;
        let ca = ctx(a.id, Some(admin_a.id));
        let entry = |code: &str| RosterEntry {
            code: code.into(),
            name: format!("病院{code}"),
            institution_type: InstitutionType::Hospital,
            beds: Some(100),
            prefecture: "13".into(),
            municipality: "新宿区".into(),
            email: String::new(),
        };
        assert_eq!(
            s.replace_roster(&ca, &[entry("1300000001"), entry("1300000002")])
                .await
                .expect("roster"),
            2
        );
        // A duplicated code refuses the whole table; the roster stays as it was.
        assert!(matches!(
            s.replace_roster(&ca, &[entry("1300000003"), entry("1300000003")])
                .await,
            Err(StoreError::Conflict(_))
        ));
        let kept = s.roster(a.id).await.expect("read");
        assert_eq!(
            kept.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
            ["1300000001", "1300000002"]
        );
        assert_eq!(kept[0], entry("1300000001"));
        assert!(s.roster(b.id).await.expect("other").is_empty());
    }
}

#[tokio::test]
async fn an_inspection_is_read_by_its_authority_and_the_institution_and_no_one_else() {
    use mamori_domain::oversight::{Finding, Inspection};
    use mamori_store::Inspected;
    for db in backends().await {
        let s = &db.store;
        let (authority, admin_a, institution, admin_i) = two_orgs(s).await;
        let ca = ctx(authority.id, Some(admin_a.id));
        let day = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("day");
        let id = s
            .record_inspection(
                &ca,
                &Inspection {
                    institution_code: "1312345678".into(),
                    inspected_on: day,
                    inspectors: "監督".into(),
                    findings: vec![Finding {
                        number: "2-⑬".into(),
                        item_id: "fy2025.institution.2-13".into(),
                        text: "二要素認証が未導入".into(),
                    }],
                    guidance: "導入すること".into(),
                    follow_up_due: Some(day + Duration::days(60)),
                },
                &Inspected {
                    name: "B".into(),
                    org_id: Some(institution.id),
                    submission_id: None,
                },
            )
            .await
            .expect("record");
        let seen = s.inspection(institution.id, id).await.expect("institution");
        assert_eq!(seen.findings[0].text, "二要素認証が未導入");
        assert_eq!(seen.follow_up_due, Some(day + Duration::days(60)));
        assert_eq!(s.inspections_by(authority.id).await.expect("by").len(), 1);
        assert_eq!(s.inspections_of(institution.id).await.expect("of").len(), 1);
        // The authority cannot report the institution's follow-up; the institution can.
        assert!(matches!(
            s.report_follow_up(&ca, id, day, "x").await,
            Err(StoreError::NotFound)
        ));
        let ci = ctx(institution.id, Some(admin_i.id));
        s.report_follow_up(&ci, id, day + Duration::days(30), "導入した")
            .await
            .expect("follow up");
        let done = s.inspection(authority.id, id).await.expect("authority");
        assert_eq!(done.follow_up_done_on, Some(day + Duration::days(30)));
        assert!(matches!(
            s.inspection(Uuid::new_v4(), id).await,
            Err(StoreError::NotFound)
        ));
    }
}

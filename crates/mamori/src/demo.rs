//! `mamori serve --demo`: a populated demo hospital, so a visitor sees the system in one command.

use crate::admin::one_time_password;
use crate::config::Settings;
use anyhow::Context;
use mamori_domain::org::{InstitutionType, OrgKind, OrgProfile};
use mamori_domain::role::{Role, RoleSet};
use mamori_store::{Ctx, NewUser, Store};

const USERS: [(&str, &str, &[Role]); 7] = [
    (
        "admin@demo.mamori.jp",
        "管理 太郎",
        &[Role::Admin, Role::SecurityManager],
    ),
    ("director@demo.mamori.jp", "院長 花子", &[Role::Executive]),
    ("planner@demo.mamori.jp", "企画 次郎", &[Role::Planner]),
    ("it@demo.mamori.jp", "運用 三郎", &[Role::SystemOperator]),
    ("nurse@demo.mamori.jp", "看護 明美", &[Role::Staff]),
    ("clerk@demo.mamori.jp", "医事 健", &[Role::Staff]),
    (
        "cmo@demo.mamori.jp",
        "診療 部長",
        &[Role::Executive, Role::Staff],
    ),
];

/// Loads the demo hospital into an empty database and prints the logins.
pub async fn load(store: &Store, settings: &Settings) -> anyhow::Result<()> {
    if store.org_count().await? > 0 {
        println!("--demo: the database already holds data; nothing was loaded.");
        return Ok(());
    }
    let profile = OrgProfile {
        name: "守り市民病院(デモ)".into(),
        kind: OrgKind::Institution,
        institution_type: Some(InstitutionType::Hospital),
        beds: Some(200),
    };
    let mut logins = Vec::new();
    let mut org_id = None;
    for (email, name, roles) in USERS {
        let password = one_time_password();
        let hash = mamori_web::crypto::hash_password(&password).map_err(anyhow::Error::msg)?;
        let new = NewUser {
            email: email.into(),
            display_name: name.into(),
            roles: RoleSet::new(roles.iter().copied()),
            password_hash: Some(hash),
            must_change_password: false,
        };
        match org_id {
            None => {
                let (org, _) = store
                    .setup(&profile, &new, "", chrono::Utc::now())
                    .await
                    .context("creating the demo hospital")?;
                org_id = Some(org.id);
            }
            Some(id) => {
                let ctx = Ctx {
                    org_id: id,
                    actor_id: None,
                    actor_label: "demo".into(),
                    ip: String::new(),
                    now: chrono::Utc::now(),
                };
                store.create_user(&ctx, &new).await?;
            }
        }
        let roles: Vec<_> = roles.iter().map(|r| r.label_ja()).collect();
        logins.push(format!("  {email:<28} {password}   {}", roles.join("・")));
    }
    println!(
        "Demo hospital loaded: {} (200 beds). Logins at {}/login:",
        profile.name, settings.public_url
    );
    for l in logins {
        println!("{l}");
    }
    Ok(())
}

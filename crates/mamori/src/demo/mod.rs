//! `mamori serve --demo`: a populated demo hospital, so a visitor sees the system in one command.

mod client;
mod hospital;
mod isac;
mod prefecture;

use crate::admin::one_time_password;
use crate::config::Settings;
use anyhow::Context;
use client::Client;
use mamori_domain::org::{InstitutionType, OrgKind, OrgProfile};
use mamori_domain::role::{Role, RoleSet};
use mamori_store::{Ctx, NewUser, Store, User};
use mamori_web::{AppState, crypto};

/// The EMR vendor's contact, who answers the vendor sheet sent to her.
const VENDOR: (&str, &str) = ("support@mms.demo.mamori.jp", "保守 由美");
/// The medical ISAC's analyst, who keeps the shared collection and publishes alerts.
const ISAC: (&str, &str) = ("analyst@isac.demo.mamori.jp", "共有 花子");
/// The prefecture's inspector, who oversees the institutions of Tokyo.
const PREFECTURE: (&str, &str) = ("inspector@pref.demo.mamori.jp", "監督 一郎");

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

fn ctx(org_id: uuid::Uuid, actor: Option<&User>) -> Ctx {
    Ctx {
        org_id,
        actor_id: actor.map(|u| u.id),
        actor_label: actor
            .map(|u| u.email.clone())
            .unwrap_or_else(|| "demo".into()),
        ip: String::new(),
        now: chrono::Utc::now(),
    }
}

/// A token for `user` while the demo is entered, and its secret.
async fn token_of(store: &Store, user: &User) -> anyhow::Result<(uuid::Uuid, String)> {
    let secret = crypto::random_token(24);
    let t = store
        .create_token(
            &ctx(user.org_id, Some(user)),
            user.id,
            "demo data",
            &crypto::digest(&secret),
            secret.get(..8).unwrap_or(&secret),
        )
        .await?;
    Ok((t.id, secret))
}

/// Registers an organisation the demo hospital works with, with its one person (administrator
/// and security manager); that person and their one-time password.
async fn partner(
    store: &Store,
    home: &Ctx,
    name: &str,
    kind: OrgKind,
    (email, display_name): (&str, &str),
) -> anyhow::Result<(User, String)> {
    let password = one_time_password();
    let (_, user) = store
        .register_org(
            home,
            &OrgProfile {
                name: name.into(),
                kind,
                institution_type: None,
                beds: None,
            },
            &NewUser {
                email: email.into(),
                display_name: display_name.into(),
                roles: RoleSet::new([Role::Admin, Role::SecurityManager]),
                password_hash: Some(crypto::hash_password(&password).map_err(anyhow::Error::msg)?),
                must_change_password: false,
            },
            &crypto::digest(&crypto::random_token(24)),
            chrono::Utc::now(),
        )
        .await
        .with_context(|| format!("creating {name}"))?;
    Ok((user, password))
}

/// Loads the demo hospital into an empty database and prints the logins.
pub async fn load(state: &AppState, settings: &Settings) -> anyhow::Result<()> {
    let store = &state.store;
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
    let mut users = Vec::new();
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
                let (org, user) = store
                    .setup(&profile, &new, "", chrono::Utc::now())
                    .await
                    .context("creating the demo hospital")?;
                org_id = Some(org.id);
                users.push(user);
            }
            Some(id) => {
                users.push(store.create_user(&ctx(id, None), &new).await?);
            }
        }
        let roles: Vec<_> = roles.iter().map(|r| r.label_ja()).collect();
        logins.push(format!("  {email:<28} {password}   {}", roles.join("・")));
    }
    let org_id = org_id.context("no demo hospital")?;
    let by_email = |e: &str| users.iter().find(|u| u.email == e).context("demo user");
    let manager = by_email(USERS[0].0)?;
    let nurse = by_email("nurse@demo.mamori.jp")?;
    // The EMR vendor has its own account, so the sheet sent to it is answered there; the ISAC
    // keeps the hub the hospital is a member of.
    let home = ctx(org_id, Some(manager));
    let vendor = partner(
        store,
        &home,
        "守りメディカルシステムズ(デモ)",
        OrgKind::Vendor,
        VENDOR,
    )
    .await?;
    logins.push(format!(
        "  {:<28} {}   事業者(電子カルテ)",
        VENDOR.0, vendor.1
    ));
    let analyst = partner(store, &home, "医療ISAC(デモ)", OrgKind::Operator, ISAC).await?;
    logins.push(format!(
        "  {:<28} {}   医療ISAC(情報共有ハブ)",
        ISAC.0, analyst.1
    ));
    let inspector = partner(
        store,
        &home,
        "東京都 保健医療局(デモ)",
        OrgKind::Municipality,
        PREFECTURE,
    )
    .await?;
    logins.push(format!(
        "  {:<28} {}   都道府県(立入検査・提出状況)",
        PREFECTURE.0, inspector.1
    ));
    let (vendor, analyst, inspector) = (vendor.0, analyst.0, inspector.0);
    let app = mamori_web::router(state.clone());
    let mut tokens = Vec::new();
    let client = |u: &User| {
        let u = u.clone();
        let app = app.clone();
        async move {
            let (id, secret) = token_of(store, &u).await?;
            anyhow::Ok((Client::new(app, &secret), (u, id)))
        }
    };
    let (manager_api, t) = client(manager).await?;
    tokens.push(t);
    let (nurse_api, t) = client(nurse).await?;
    tokens.push(t);
    let (vendor_api, t) = client(&vendor).await?;
    tokens.push(t);
    let (isac_api, t) = client(&analyst).await?;
    tokens.push(t);
    let (prefecture_api, t) = client(&inspector).await?;
    tokens.push(t);
    let loaded = hospital::load(&hospital::Hands {
        manager: &manager_api,
        nurse: &nurse_api,
        vendor: &vendor_api,
        vendor_email: VENDOR.0,
        today: mamori_domain::clock::jst_date(chrono::Utc::now()),
    })
    .await;
    let shared = isac::load(&isac_api, &manager_api, org_id).await;
    let overseen = match &loaded {
        Ok(()) => prefecture::load(&manager_api, &prefecture_api, inspector.org_id).await,
        Err(_) => Ok(()),
    };
    // The tokens were only for entering the data.
    for (u, id) in tokens {
        store
            .revoke_token(&ctx(u.org_id, Some(&u)), u.id, id)
            .await?;
    }
    loaded.context("entering the demo hospital's data")?;
    shared.context("entering the demo ISAC's collection and alert")?;
    overseen.context("entering the demo prefecture's roster and the hospital's submissions")?;
    println!(
        "Demo hospital loaded: {} (200 beds). Logins at {}/login:",
        profile.name, settings.public_url
    );
    for l in logins {
        println!("{l}");
    }
    Ok(())
}

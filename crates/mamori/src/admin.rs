//! `mamori admin …`: setup and recovery from the command line.

use crate::config::Settings;
use anyhow::{Context, bail};
use clap::Subcommand;
use mamori_domain::org::OrgDraft;
use mamori_domain::role::{Role, RoleSet};
use mamori_domain::validate;
use mamori_store::{Ctx, NewUser, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Creates the first organisation and its administrator, and prints a one-time password.
    Init {
        /// Organisation name, e.g. 守り市民病院.
        #[arg(long)]
        org: String,
        /// Administrator's e-mail (login).
        #[arg(long)]
        email: String,
        /// Administrator's name [default: the e-mail].
        #[arg(long)]
        name: Option<String>,
        /// institution, vendor, municipality or operator.
        #[arg(long, default_value = "institution")]
        kind: String,
        /// For institutions: hospital, clinic, dental_clinic or pharmacy.
        #[arg(long = "type", default_value = "hospital")]
        institution_type: String,
        /// Beds (hospitals 20 or more, clinics 0–19).
        #[arg(long, default_value = "")]
        beds: String,
    },
    /// Lifts a lockout (for an administrator locked out of the web pages).
    Unlock {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// The account's organisation (name or id), when the e-mail has accounts in several.
        #[arg(long)]
        org: Option<String>,
    },
    /// Sets a new one-time password for an account and prints it.
    ResetPassword {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// The account's organisation (name or id), when the e-mail has accounts in several.
        #[arg(long)]
        org: Option<String>,
    },
    /// Issues an API token for an account (for a script or another system) and prints it once.
    Token {
        /// The account's e-mail; the token acts with its roles.
        #[arg(long)]
        email: String,
        /// The account's organisation (name or id), when the e-mail has accounts in several.
        #[arg(long)]
        org: Option<String>,
        /// What the token is for, as listed on the account page.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn cli_ctx(org_id: uuid::Uuid) -> Ctx {
    Ctx {
        org_id,
        actor_id: None,
        actor_label: "cli".into(),
        ip: String::new(),
        now: chrono::Utc::now(),
    }
}

/// A one-time password long enough for the rules without two-factor authentication.
pub fn one_time_password() -> String {
    let token = mamori_web::crypto::random_token(15);
    format!(
        "{}-{}",
        token.get(..10).unwrap_or(""),
        token.get(10..).unwrap_or("")
    )
}

pub async fn run(settings: Settings, command: AdminCommand) -> anyhow::Result<ExitCode> {
    let store = settings
        .open_store(crate::config::KeyUse::CreateIfMissing)
        .await?;
    let out = match command {
        AdminCommand::Init {
            org,
            email,
            name,
            kind,
            institution_type,
            beds,
        } => {
            init(
                &store,
                OrgDraft {
                    name: org,
                    kind,
                    institution_type,
                    beds,
                },
                &email,
                name,
            )
            .await
        }
        AdminCommand::Unlock { email, org } => {
            let user = find(&store, &email, org.as_deref()).await?;
            store.unlock(&cli_ctx(user.org_id), user.id).await?;
            println!("unlocked {}", user.email);
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ResetPassword { email, org } => {
            let user = find(&store, &email, org.as_deref()).await?;
            let password = one_time_password();
            let hash = mamori_web::crypto::hash_password(&password).map_err(anyhow::Error::msg)?;
            // Whoever had the old password may hold its sessions and tokens: all of them end.
            let change = mamori_store::PasswordChange {
                one_time: true,
                ..mamori_store::PasswordChange::ending_everything(&hash)
            };
            let ended = store
                .set_password(&cli_ctx(user.org_id), user.id, &change)
                .await?;
            println!("one-time password for {}: {password}", user.email);
            println!("It must be changed at the first login.");
            println!(
                "{} session(s) ended, {} API token(s) revoked.",
                ended.sessions_ended, ended.tokens_revoked
            );
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Token { email, org, name } => {
            let user = find(&store, &email, org.as_deref()).await?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("--name: between 1 and 100 characters");
            }
            let t = mamori_web::crypto::new_api_token();
            store
                .create_token(&cli_ctx(user.org_id), user.id, name, &t.digest, &t.prefix)
                .await?;
            println!("{}", t.secret);
            Ok(ExitCode::SUCCESS)
        }
    };
    store.close().await;
    out
}

/// The account with an e-mail, in the organisation named (by name or id) when there are several.
async fn find(store: &Store, email: &str, org: Option<&str>) -> anyhow::Result<mamori_store::User> {
    let email = validate::email(email)
        .map_err(|_| anyhow::anyhow!("not a valid e-mail address: {email}"))?;
    let mut accounts = store.login_candidates(&email).await?;
    if let Some(org) = org {
        accounts.retain(|(_, o)| o.id.to_string() == org || o.profile.name == org);
    }
    match accounts.as_slice() {
        [] => bail!(
            "no account with e-mail {email}{}",
            org.map(|o| format!(" in {o}")).unwrap_or_default()
        ),
        [(u, _)] => Ok(u.clone()),
        several => bail!(
            "{email} has accounts in several organisations; name one with --org: {}",
            several
                .iter()
                .map(|(_, o)| format!("{} ({})", o.profile.name, o.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

async fn init(
    store: &Store,
    draft: OrgDraft,
    email: &str,
    name: Option<String>,
) -> anyhow::Result<ExitCode> {
    if store.org_count().await? > 0 {
        eprintln!(
            "mamori: this installation is already set up; log in as its administrator instead"
        );
        return Ok(ExitCode::from(2));
    }
    let profile = match draft.validate() {
        Ok(p) => p,
        Err(p) => {
            for e in p.errors {
                eprintln!(
                    "mamori: --{}: {}",
                    e.field.replace('_', "-"),
                    mamori_web::i18n::Tr::new(mamori_domain::Lang::En).t(&e.key)
                );
            }
            return Ok(ExitCode::from(2));
        }
    };
    let Ok(email) = validate::email(email) else {
        eprintln!("mamori: --email: not a valid e-mail address");
        return Ok(ExitCode::from(2));
    };
    let password = one_time_password();
    let hash = mamori_web::crypto::hash_password(&password).map_err(anyhow::Error::msg)?;
    let admin = NewUser {
        display_name: name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.clone()),
        email: email.clone(),
        roles: RoleSet::new([Role::Admin, Role::SecurityManager]),
        password_hash: Some(hash),
        must_change_password: true,
    };
    let (org, _) = store
        .setup(&profile, &admin, "", chrono::Utc::now())
        .await
        .context("creating the organisation")?;
    println!("created {} ({})", org.profile.name, org.profile.kind.code());
    println!("administrator: {email}");
    println!("one-time password: {password}");
    println!("It must be changed at the first login.");
    Ok(ExitCode::SUCCESS)
}

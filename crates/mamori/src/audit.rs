//! `mamori audit …`: proves the audit chain is whole, and takes checkpoints of it to keep
//! outside the database.

use crate::config::{KeyUse, Settings};
use anyhow::Context;
use clap::Subcommand;
use mamori_domain::audit::Checkpoint;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Checks every record's digest (keyed) and link, and the head; names the first break. Exit
    /// code 1 if broken.
    Verify {
        /// A checkpoint taken earlier (`mamori audit checkpoint`): the log must still extend it.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Prints (or writes) a signed checkpoint of the chain's head, to keep outside the database:
    /// with the operator, in another system, or with an authority.
    Checkpoint {
        /// Write the checkpoint to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(settings: Settings, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = settings.open_store(KeyUse::Require).await?;
    let out = match command {
        AuditCommand::Verify { checkpoint } => {
            let cp: Option<Checkpoint> = match checkpoint {
                Some(path) => Some(
                    serde_json::from_str(
                        &std::fs::read_to_string(&path)
                            .with_context(|| format!("reading {}", path.display()))?,
                    )
                    .with_context(|| format!("{} is not a checkpoint", path.display()))?,
                ),
                None => None,
            };
            match store.audit_verify(cp.as_ref()).await? {
                Ok(n) => {
                    match &cp {
                        Some(c) => println!(
                            "audit chain intact: {n} records verified; it extends the checkpoint of record {} ({})",
                            c.seq, c.at
                        ),
                        None => println!("audit chain intact: {n} records verified"),
                    }
                    ExitCode::SUCCESS
                }
                Err(brk) => {
                    println!("audit chain BROKEN: {brk}");
                    ExitCode::FAILURE
                }
            }
        }
        AuditCommand::Checkpoint { out } => {
            let cp = store
                .audit_checkpoint(chrono::Utc::now())
                .await?
                .context("no audit key")?;
            let text = serde_json::to_string_pretty(&cp)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, format!("{text}\n"))
                        .with_context(|| format!("writing {}", path.display()))?;
                    println!(
                        "checkpoint of record {} written to {}",
                        cp.seq,
                        path.display()
                    );
                }
                None => println!("{text}"),
            }
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(out)
}

//! `mamori audit verify`: proves the audit chain is whole.

use crate::config::Settings;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Checks every record's digest and link; names the first broken record. Exit code 1 if broken.
    Verify,
}

pub async fn run(settings: Settings, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    let AuditCommand::Verify = command;
    let result = store.audit_verify().await?;
    store.close().await;
    match result {
        Ok(n) => {
            println!("audit chain intact: {n} records verified");
            Ok(ExitCode::SUCCESS)
        }
        Err(brk) => {
            println!("audit chain BROKEN: {brk}");
            Ok(ExitCode::FAILURE)
        }
    }
}

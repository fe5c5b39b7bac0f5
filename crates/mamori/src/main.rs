//! mamori: information-security management for Japanese medical institutions, in one binary.

mod admin;
mod audit;
mod catalog;
mod config;
mod demo;
mod duties;
mod keyfile;
mod pack;
mod serve;

use clap::{Parser, Subcommand};
use config::Settings;

#[derive(Parser)]
#[command(
    name = "mamori",
    version,
    about = "守り — 医療情報システムの安全管理 / security management for medical information systems"
)]
struct Cli {
    #[command(flatten)]
    settings: config::Flags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web server.
    Serve {
        /// Loads a demo hospital with users of every role (only into an empty database) and prints their logins.
        #[arg(long)]
        demo: bool,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Prints the reporting duties of an incident (facts as JSON on stdin or in --facts FILE).
    Duties {
        /// A JSON file with the facts; standard input when absent.
        #[arg(long)]
        facts: Option<std::path::PathBuf>,
    },
    /// Writes the emergency pack (contact chart, incident phases, recovery procedures) as one HTML file.
    EmergencyPack {
        /// The organisation's id or exact name; the home organisation when absent.
        #[arg(long)]
        org: Option<String>,
        /// The file to write; standard output when absent.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// The checklist and guideline catalog.
    Catalog {
        #[command(subcommand)]
        command: catalog::CatalogCommand,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAMORI_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = match Settings::load(&cli.settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mamori: configuration error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve { demo } => serve::run(settings, demo).await,
        Command::Admin { command } => admin::run(settings, command).await,
        Command::Audit { command } => audit::run(settings, command).await,
        Command::Catalog { command } => catalog::run(command),
        Command::Duties { facts } => duties::run(facts),
        Command::EmergencyPack { org, out } => pack::run(settings, org, out).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mamori: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! `mamori catalog …`: the frameworks and checklist sheets the catalog holds, for scripts and reviewers.

use clap::{Subcommand, ValueEnum};
use mamori_domain::Lang;
use mamori_domain::catalog::Catalog;
use serde_json::json;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Names the frameworks and sheets, with their item counts.
    List,
    /// Prints a sheet's items (e.g. fy2025.institution), or a framework (gl6, gl52, incident).
    Show {
        /// A sheet id from `mamori catalog list`, or gl6 / gl52 / incident.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Lines for people.
    Text,
    /// JSON for scripts.
    Json,
}

pub fn run(command: CatalogCommand) -> anyhow::Result<ExitCode> {
    let cat = match mamori_catalog::catalog() {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("mamori: catalog: {e}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    match command {
        CatalogCommand::List => {
            println!("frameworks:");
            println!(
                "  gl6   {:>4} sections, {:>3} mandatory items  医療情報システムの安全管理に関するガイドライン 第6.0版",
                cat.sections.len(),
                cat.mandatory.len()
            );
            println!(
                "  gl52  {:>4} rows                           同 第5.2版 付表 (legacy)",
                cat.appendix.len()
            );
            println!(
                "  incident {:>1} phases, {:>2} tasks              インシデント対応のフェーズと役割別タスク",
                cat.phases.len(),
                cat.tasks.len()
            );
            println!("sheets:");
            for s in cat.sheets.values() {
                println!(
                    "  {:<20} {:>3} items  {} / {}",
                    s.id,
                    s.items.len(),
                    s.title_ja,
                    s.title_en
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Show { id, format } => show(cat, &id, format),
    }
}

fn show(cat: &Catalog, id: &str, format: Format) -> anyhow::Result<ExitCode> {
    let value = if let Some(sheet) = cat.sheets.get(id) {
        match format {
            Format::Json => serde_json::to_value(&sheet.items)?,
            Format::Text => {
                println!("{} — {}", sheet.title_ja, sheet.title_en);
                for i in &sheet.items {
                    let mark = if i.confidence == mamori_domain::catalog::Confidence::Verified {
                        ""
                    } else {
                        " [要確認]"
                    };
                    println!(
                        "{:<8} {:<12} {:<9} {}{mark}",
                        i.number,
                        i.section.label(Lang::Ja),
                        format!("{:?}", i.scope).to_lowercase(),
                        i.text_ja
                    );
                    if !i.refs.is_empty() {
                        println!("{:<8} → {}", "", i.refs.join(", "));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
        }
    } else if id == "gl6" {
        json!({"sections": cat.sections.values().collect::<Vec<_>>(), "mandatory": cat.mandatory.values().collect::<Vec<_>>()})
    } else if id == "incident" {
        let mut phases: Vec<_> = cat.phases.values().collect();
        phases.sort_by_key(|p| p.order);
        json!(
            phases
                .iter()
                .map(|p| json!({"phase": p, "tasks": cat.phase_tasks(&p.id)}))
                .collect::<Vec<_>>()
        )
    } else if id == "gl52" {
        serde_json::to_value(cat.appendix.values().collect::<Vec<_>>())?
    } else {
        eprintln!(
            "mamori: no sheet or framework named {id}; known: gl6, gl52, incident, {}",
            cat.sheets.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        return Ok(ExitCode::from(2));
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&value)?),
        Format::Text => println!("{}", serde_json::to_string_pretty(&value)?),
    }
    Ok(ExitCode::SUCCESS)
}

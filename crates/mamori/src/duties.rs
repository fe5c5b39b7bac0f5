//! `mamori duties`: the reporting duties an incident's facts give rise to, as JSON, so that scripts
//! and auditors can check the rules.

use mamori_domain::duties::{Facts, duties};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Reads facts (JSON) from `--facts FILE` or standard input and prints the duties.
pub fn run(facts: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let text = match &facts {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("mamori duties: cannot read {}: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
        },
        None => {
            let mut t = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut t) {
                eprintln!("mamori duties: cannot read standard input: {e}");
                return Ok(ExitCode::from(2));
            }
            t
        }
    };
    let facts: Facts = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mamori duties: the facts are not valid ({e}).");
            eprintln!(
                "expected: {{\"aware_at\": \"2025-06-02T10:00:00+09:00\", \"cyber_attack\": true, \"care_disrupted\": false, \
                 \"malicious\": true, \"crime\": false, \"personal_data\": {{\"involved\": \"yes|possible|no\", \"count\": 10, \
                 \"sensitive\": true, \"financial_risk\": false, \"highly_encrypted\": false}}}}"
            );
            return Ok(ExitCode::from(2));
        }
    };
    println!("{}", serde_json::to_string_pretty(&duties(&facts))?);
    Ok(ExitCode::SUCCESS)
}

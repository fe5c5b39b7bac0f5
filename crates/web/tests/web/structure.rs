//! The shape of the code: a capability folder reaches only `core`, the typed read models in
//! `status` and its own modules; `status` and `core` reach no capability; the dashboard, which
//! composes the capabilities' cards, reaches only their services.

use std::path::Path;

const CAPABILITIES: [&str; 6] = [
    "admin",
    "assessment",
    "incident",
    "oversight",
    "registers",
    "sharing",
];

/// The modules of the crate a source file names through `crate::…` (and `super::super::…`,
/// which leaves a capability folder the back way).
fn reaches(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(name);
    }
    if text.contains("super::super::") {
        out.push("super::super".into());
    }
    out
}

/// What a file (by its path under `src/`) may not reach, as `(file, reached)` pairs.
fn faults(file: &str, text: &str) -> Vec<(String, String)> {
    let top = file.split('/').next().unwrap_or("");
    let mut out = Vec::new();
    for r in reaches(text) {
        let target = r.split("::").next().unwrap_or("");
        let allowed = match top {
            t if CAPABILITIES.contains(&t) => target == "core" || target == "status" || target == t,
            "status" => target == "core" || target == "status",
            "core" => target == "core",
            "dashboard" => {
                target == "core"
                    || target == "status"
                    || (CAPABILITIES.contains(&target) && r.split("::").nth(1) == Some("service"))
            }
            _ => true,
        };
        if !allowed || r == "super::super" {
            out.push((file.to_string(), r));
        }
    }
    out
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("source folder").flatten() {
        let p = entry.path();
        if p.is_dir() {
            sources(&p, root, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).expect("readable")));
        }
    }
}

#[test]
fn capabilities_meet_only_through_core_and_the_read_models() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 30, "the sources were found");
    let found: Vec<_> = files.iter().flat_map(|(f, t)| faults(f, t)).collect();
    assert!(found.is_empty(), "imports across capabilities: {found:?}");
}

#[test]
fn the_check_sees_a_page_reaching_into_another_capability() {
    let bad = "use crate::registers::devices::LedgerFigures;\nuse crate::core::view::Page;";
    assert_eq!(
        faults("assessment/pages.rs", bad),
        vec![(
            "assessment/pages.rs".to_string(),
            "registers::devices::LedgerFigures".to_string()
        )]
    );
    assert!(faults("assessment/pages.rs", "use crate::status::RegisterState;").is_empty());
    assert_eq!(
        faults("status/mod.rs", "crate::assessment::service::sheet_of").len(),
        1
    );
    assert_eq!(
        faults(
            "dashboard/mod.rs",
            "crate::incident::incidents::IncidentRow"
        )
        .len(),
        1
    );
    assert!(
        faults(
            "dashboard/mod.rs",
            "crate::incident::service::incident_rows"
        )
        .is_empty()
    );
    assert_eq!(
        faults(
            "dashboard/executive.rs",
            "crate::registers::findings::FindingRow"
        )
        .len(),
        1
    );
}

//! The catalog data files (`catalog/`), embedded at build time and checked when loaded.

use mamori_domain::catalog::{Catalog, CatalogError};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/sources.rs"));

/// The catalog, parsed and checked once.
pub fn catalog() -> Result<&'static Catalog, &'static [CatalogError]> {
    static C: OnceLock<Result<Catalog, Vec<CatalogError>>> = OnceLock::new();
    C.get_or_init(|| Catalog::from_sources(SOURCES.iter().copied()))
        .as_ref()
        .map_err(|e| e.as_slice())
}

/// The SHA-256 of the embedded catalog files, in hex: what figures counted against the catalog
/// name, so that they are counted again after the catalog changed.
pub fn fingerprint() -> &'static str {
    use sha2::{Digest, Sha256};
    static F: OnceLock<String> = OnceLock::new();
    F.get_or_init(|| {
        let mut h = Sha256::new();
        for (path, text) in SOURCES {
            // Lengths first, so that no two different sets of files hash alike.
            h.update((path.len() as u64).to_le_bytes());
            h.update(path.as_bytes());
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        hex::encode(h.finalize())
    })
}

#[cfg(test)]
// A failing test is a panic by design.
#[allow(clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use mamori_domain::catalog::{Confidence, SheetKind};

    fn cat() -> &'static Catalog {
        match catalog() {
            Ok(c) => c,
            Err(errors) => {
                let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                panic!("catalog data is invalid:\n{}", lines.join("\n"));
            }
        }
    }

    #[test]
    fn the_catalog_data_is_valid() {
        // Unique ids, resolving references, both languages: checked by loading.
        assert!(cat().sheets.len() >= 9);
    }

    #[test]
    fn every_fiscal_year_has_its_three_sheets() {
        for fy in [2023, 2024, 2025] {
            for kind in ["institution", "pharmacy", "vendor"] {
                let id = format!("fy{fy}.{kind}");
                assert!(
                    cat().sheets.get(&id).is_some_and(|s| !s.items.is_empty()),
                    "{id} missing"
                );
            }
        }
    }

    #[test]
    fn fy2025_adds_the_five_new_items_and_keeps_the_gate_question() {
        let s = &cat().sheets["fy2025.institution"];
        let new: Vec<_> = s
            .items
            .iter()
            .filter(|i| i.from_fy == 2025)
            .map(|i| i.text_en.as_str())
            .collect();
        assert_eq!(new.len(), 5, "{new:?}");
        assert!(s.items.first().is_some_and(|i| i.gate));
        assert_eq!(s.kind, SheetKind::Institution);
        let two_factor = s
            .items
            .iter()
            .find(|i| i.text_en.starts_with("Two-factor"))
            .map(|i| i.refs.clone());
        assert_eq!(two_factor, Some(vec!["gl6.ctl.14".to_string()]));
    }

    #[test]
    fn last_years_items_map_onto_this_years_even_when_renumbered() {
        let map = Catalog::predecessors(
            &cat().sheets["fy2024.institution"],
            &cat().sheets["fy2025.institution"],
        );
        let find = |id: &str| {
            map.iter()
                .find(|(to, _)| *to == id)
                .map(|(_, from)| from.clone())
        };
        assert_eq!(
            find("fy2025.institution.2-01"),
            Some(vec!["fy2024.institution.2-01"])
        );
        assert_eq!(
            find("fy2025.institution.2-10"),
            Some(vec![
                "fy2024.institution.2-07-server",
                "fy2024.institution.2-07-terminal",
                "fy2024.institution.2-07-network"
            ])
        );
        assert_eq!(
            find("fy2025.institution.2-13"),
            None,
            "two-factor authentication is new in FY2025"
        );
    }

    #[test]
    fn the_incident_flow_has_four_phases_and_the_containment_order() {
        let phases: Vec<_> = {
            let mut p: Vec<_> = cat().phases.values().collect();
            p.sort_by_key(|p| p.order);
            p.into_iter().map(|p| p.name_ja.as_str()).collect()
        };
        assert_eq!(phases, ["検知", "初動対応", "復旧処理", "事後対応"]);
        let initial: Vec<_> = cat()
            .phase_tasks("incident.initial")
            .into_iter()
            .map(|t| t.id.as_str())
            .take(3)
            .collect();
        assert_eq!(
            initial,
            [
                "incident.initial.cut-backups",
                "incident.initial.cut-external",
                "incident.initial.cut-segments"
            ]
        );
        assert!(
            cat().tasks["incident.recovery.verify-backups"]
                .guidance_ja
                .contains("被害"),
            "the contaminated-backup warning"
        );
        for p in cat().phases.keys() {
            assert!(!cat().phase_tasks(p).is_empty(), "{p} has no tasks");
        }
    }

    fn numbers(sheet: &str) -> Vec<(&str, &str)> {
        cat().sheets[sheet]
            .items
            .iter()
            .map(|i| (i.id.rsplit('.').next().unwrap_or(""), i.number.as_str()))
            .collect()
    }

    #[test]
    fn fy2025_numbers_from_2_10_follow_the_draft_manual() {
        // ⑫ background services and ⑬ connection sources are seen in the draft manual; ⑩
        // two-factor and ⑪ patches fill the gap. Ids stay as they were, so answers keep.
        for kind in ["institution", "pharmacy", "vendor"] {
            let sheet = format!("fy2025.{kind}");
            let n = numbers(&sheet);
            let tail: Vec<_> = n
                .iter()
                .skip_while(|(id, _)| *id != "2-13")
                .take(5)
                .copied()
                .collect();
            assert_eq!(
                tail,
                [
                    ("2-13", "2-⑩"),
                    ("2-10", "2-⑪"),
                    ("2-11-server", "2-⑫"),
                    ("2-11-terminal", "2-⑫"),
                    ("2-12-network", "2-⑬"),
                ],
                "{sheet}"
            );
            let two_factor = &cat().sheets[&sheet]
                .items
                .iter()
                .find(|i| i.id.ends_with(".2-13"));
            assert_eq!(two_factor.and_then(|i| i.target_until_fy), Some(2027));
        }
        let seen = &cat().sheets["fy2025.institution"];
        for id in ["2-11-server", "2-11-terminal", "2-12-network"] {
            let item = seen.items.iter().find(|i| i.id.ends_with(id));
            assert_eq!(
                item.map(|i| i.confidence),
                Some(Confidence::Verified),
                "{id}"
            );
        }
    }

    #[test]
    fn the_errata_hold_in_every_years_files() {
        for (id, s) in &cat().sheets {
            for i in &s.items {
                let local = i.id.rsplit('.').next().unwrap_or("");
                // FY2023 reference items, required from FY2024.
                if [
                    "2-04-terminal",
                    "2-05-terminal",
                    "2-07-server",
                    "2-07-terminal",
                ]
                .contains(&local)
                {
                    assert_eq!(i.from_fy, 2024, "{}", i.id);
                }
                if local == "2-07-network" {
                    assert_eq!(i.from_fy, 2023, "{}", i.id);
                }
                // The administrator-rights clause of 2-④ came in FY2025.
                if s.fiscal_year < 2025 && local.starts_with("2-04") {
                    assert!(!i.text_ja.contains("管理者権限"), "{}", i.id);
                }
                assert!(
                    !i.text_ja.contains("削除・停止"),
                    "{}: the sheet says 削除",
                    i.id
                );
            }
            // The 運用管理規程 item keeps its uncertain place and says why.
            if let Some(rules) = s.items.iter().find(|i| i.id.ends_with(".1-02")) {
                assert!(rules.note.contains("1-②"), "{id}");
                assert_eq!(rules.confidence, Confidence::Inferred);
            }
        }
        let pharmacy_chart = &cat().sheets["fy2023.pharmacy"]
            .items
            .iter()
            .find(|i| i.id.ends_with(".3-01"))
            .map(|i| i.from_fy);
        assert_eq!(*pharmacy_chart, Some(2024));
        let raised = &cat().sheets["fy2024.institution"];
        assert!(
            raised
                .items
                .iter()
                .all(|i| i.confidence == Confidence::Verified),
            "the FY2024 institution sheet is confirmed once 2-④ lost its FY2025 clause"
        );
    }

    #[test]
    fn uncertain_items_are_marked_in_the_data() {
        let pharmacy = &cat().sheets["fy2025.pharmacy"];
        assert!(
            pharmacy
                .items
                .iter()
                .all(|i| i.confidence == Confidence::Inferred && !i.note.is_empty())
        );
    }

    #[test]
    fn the_crosswalk_finds_the_checklist_items_of_a_guideline_section() {
        let backup: Vec<_> = cat()
            .items_citing("gl6.gov.3.4.1")
            .into_iter()
            .filter(|i| i.id.starts_with("fy2025.institution."))
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(
            backup,
            vec!["fy2025.institution.3-02", "fy2025.institution.3-03"]
        );
    }
}

//! Organisations: the tenants of mamori.

use crate::Lang;
use crate::validate::{FieldError, Problem};
use serde::{Deserialize, Serialize};

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 医療機関: hospital, clinic, dental clinic or pharmacy.
    Institution,
    /// 事業者: a vendor of medical information systems or services.
    Vendor,
    /// 自治体: a prefecture or 保健所 overseeing institutions.
    Municipality,
    /// 運営: MHLW or an ISAC operator.
    Operator,
}

impl OrgKind {
    /// Every kind, in display order.
    pub const ALL: [OrgKind; 4] = [
        OrgKind::Institution,
        OrgKind::Vendor,
        OrgKind::Municipality,
        OrgKind::Operator,
    ];

    /// The stable code used in storage, forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::Institution => "institution",
            OrgKind::Vendor => "vendor",
            OrgKind::Municipality => "municipality",
            OrgKind::Operator => "operator",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// The name in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            OrgKind::Institution => lang.pick("医療機関", "Medical institution"),
            OrgKind::Vendor => lang.pick("事業者", "Vendor"),
            OrgKind::Municipality => lang.pick("自治体", "Local government"),
            OrgKind::Operator => lang.pick("運営", "Operator"),
        }
    }
}

/// The type of a medical institution (医療機関の種別).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionType {
    /// 病院: 20 beds or more (医療法第1条の5).
    Hospital,
    /// 診療所: no beds or up to 19.
    Clinic,
    /// 歯科診療所
    DentalClinic,
    /// 薬局
    Pharmacy,
}

impl InstitutionType {
    /// Every type, in display order.
    pub const ALL: [InstitutionType; 4] = [
        InstitutionType::Hospital,
        InstitutionType::Clinic,
        InstitutionType::DentalClinic,
        InstitutionType::Pharmacy,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            InstitutionType::Hospital => "hospital",
            InstitutionType::Clinic => "clinic",
            InstitutionType::DentalClinic => "dental_clinic",
            InstitutionType::Pharmacy => "pharmacy",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<InstitutionType> {
        InstitutionType::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
    }

    /// The name in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            InstitutionType::Hospital => lang.pick("病院", "Hospital"),
            InstitutionType::Clinic => lang.pick("診療所", "Clinic"),
            InstitutionType::DentalClinic => lang.pick("歯科診療所", "Dental clinic"),
            InstitutionType::Pharmacy => lang.pick("薬局", "Pharmacy"),
        }
    }

    /// The bed counts the law allows for this type, if beds apply at all.
    fn bed_range(self) -> Option<std::ops::RangeInclusive<u32>> {
        match self {
            InstitutionType::Hospital => Some(20..=100_000),
            InstitutionType::Clinic | InstitutionType::DentalClinic => Some(0..=19),
            InstitutionType::Pharmacy => None,
        }
    }
}

/// What a person submits to create or change an organisation, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDraft {
    /// Name as typed.
    pub name: String,
    /// Kind code as chosen.
    pub kind: String,
    /// Institution type code; empty unless the kind is an institution.
    #[serde(default)]
    pub institution_type: String,
    /// Bed count as typed; empty when not applicable.
    #[serde(default)]
    pub beds: String,
}

/// A validated organisation profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgProfile {
    /// Display name (e.g. 〇〇市立病院).
    pub name: String,
    /// Kind of body.
    pub kind: OrgKind,
    /// Set only for institutions.
    pub institution_type: Option<InstitutionType>,
    /// Set for hospitals and clinics.
    pub beds: Option<u32>,
}

impl OrgDraft {
    /// Validates the draft, naming every field at fault.
    pub fn validate(&self) -> Result<OrgProfile, Problem> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "error.required"));
        } else if name.chars().count() > 200 {
            errors.push(FieldError::new("name", "error.too_long"));
        }
        let kind = OrgKind::from_code(&self.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "error.choose_one"));
        }
        let mut institution_type = None;
        let mut beds = None;
        if kind == Some(OrgKind::Institution) {
            institution_type = InstitutionType::from_code(&self.institution_type);
            match institution_type {
                None => errors.push(FieldError::new("institution_type", "error.choose_one")),
                Some(t) => match t.bed_range() {
                    None => {}
                    Some(range) => {
                        let typed = self.beds.trim();
                        let parsed = if typed.is_empty() && !range.contains(&0) {
                            None
                        } else if typed.is_empty() {
                            Some(0)
                        } else {
                            typed.parse::<u32>().ok()
                        };
                        match parsed {
                            Some(n) if range.contains(&n) => beds = Some(n),
                            Some(_) if t == InstitutionType::Hospital => {
                                errors.push(FieldError::new("beds", "error.hospital_beds"))
                            }
                            Some(_) => errors.push(FieldError::new("beds", "error.clinic_beds")),
                            None => errors.push(FieldError::new("beds", "error.number")),
                        }
                    }
                },
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(OrgProfile {
                name: name.to_string(),
                kind,
                institution_type,
                beds,
            }),
            _ => Err(Problem::new(errors)),
        }
    }
}

impl OrgProfile {
    /// The draft that shows this profile in a form.
    pub fn to_draft(&self) -> OrgDraft {
        OrgDraft {
            name: self.name.clone(),
            kind: self.kind.code().to_string(),
            institution_type: self
                .institution_type
                .map(|t| t.code().to_string())
                .unwrap_or_default(),
            beds: self.beds.map(|b| b.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str, t: &str, beds: &str) -> OrgDraft {
        OrgDraft {
            name: "守り市民病院".into(),
            kind: kind.into(),
            institution_type: t.into(),
            beds: beds.into(),
        }
    }

    #[test]
    fn a_hospital_needs_twenty_beds_and_a_clinic_at_most_nineteen() {
        assert_eq!(
            draft("institution", "hospital", "200")
                .validate()
                .map(|p| p.beds),
            Ok(Some(200))
        );
        let e = draft("institution", "hospital", "19").validate().err();
        assert_eq!(
            e.map(|p| p.errors),
            Some(vec![FieldError::new("beds", "error.hospital_beds")])
        );
        assert_eq!(
            draft("institution", "clinic", "")
                .validate()
                .map(|p| p.beds),
            Ok(Some(0))
        );
        assert!(draft("institution", "clinic", "20").validate().is_err());
        assert_eq!(
            draft("institution", "pharmacy", "")
                .validate()
                .map(|p| p.beds),
            Ok(None)
        );
    }

    #[test]
    fn a_vendor_ignores_institution_fields() {
        let p = draft("vendor", "hospital", "x").validate();
        assert_eq!(
            p.map(|p| (p.kind, p.institution_type, p.beds)),
            Ok((OrgKind::Vendor, None, None))
        );
    }

    #[test]
    fn every_fault_is_named() {
        let d = OrgDraft {
            name: " ".into(),
            kind: "club".into(),
            ..Default::default()
        };
        let fields: Vec<_> = d
            .validate()
            .err()
            .map(|p| p.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["name", "kind"]);
    }
}

//! Traffic Light Protocol 2.0 markings, by the marking-definition ids OASIS published for them
//! (the TLP 2.0 extension of `cti-stix-common-objects`). TLP 1.0's predefined STIX markings are
//! read too, as the level FIRST says they became (WHITE is CLEAR).

use serde_json::{Value, json};

/// The extension definition the TLP 2.0 markings are made under.
pub const EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The timestamp the published TLP 2.0 objects carry.
const CREATED: &str = "2022-10-01T00:00:00.000Z";

/// A TLP 2.0 level, from the widest audience to the narrowest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tlp {
    /// TLP:CLEAR: no limit on disclosure.
    Clear,
    /// TLP:GREEN: the community, not the public.
    Green,
    /// TLP:AMBER: the recipients' organisations and their clients on a need-to-know basis.
    Amber,
    /// TLP:AMBER+STRICT: the recipients' organisations only.
    AmberStrict,
    /// TLP:RED: the named recipients only.
    Red,
}

impl Tlp {
    /// Every level, widest first.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The id of its marking definition.
    pub fn marking_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// Its name as written on the marking (`TLP:AMBER+STRICT`).
    pub fn name(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The value of the extension's `tlp_2_0` property (`amber+strict`).
    pub fn code(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The level a `tlp_2_0` code names.
    pub fn from_code(code: &str) -> Option<Tlp> {
        Tlp::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The level a marking-definition id stands for, TLP 2.0 or the TLP 1.0 ones STIX 2.1
    /// predefined.
    pub fn from_marking_id(id: &str) -> Option<Tlp> {
        if let Some(t) = Tlp::ALL.into_iter().find(|t| t.marking_id() == id) {
            return Some(t);
        }
        match id {
            "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" => Some(Tlp::Clear),
            "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" => Some(Tlp::Green),
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" => Some(Tlp::Amber),
            "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" => Some(Tlp::Red),
            _ => None,
        }
    }

    /// The strictest of the levels among these marking ids; none when none is a TLP marking.
    pub fn strictest<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<Tlp> {
        ids.into_iter().filter_map(Tlp::from_marking_id).max()
    }

    /// The marking-definition object exactly as OASIS published it.
    pub fn marking_definition(self) -> Value {
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_id(),
            "created": CREATED,
            "name": self.name(),
            "extensions": {
                EXTENSION: {"extension_type": "property-extension", "tlp_2_0": self.code()}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_reads_back_from_its_id_and_code() {
        for t in Tlp::ALL {
            assert_eq!(Tlp::from_marking_id(t.marking_id()), Some(t));
            assert_eq!(Tlp::from_code(t.code()), Some(t));
            let m = t.marking_definition();
            assert_eq!(m["id"], t.marking_id());
            assert_eq!(m["extensions"][EXTENSION]["tlp_2_0"], t.code());
        }
        // TLP 1.0's WHITE is 2.0's CLEAR.
        assert_eq!(
            Tlp::from_marking_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
            Some(Tlp::Clear)
        );
        assert_eq!(Tlp::from_marking_id("marking-definition--x"), None);
        assert_eq!(
            Tlp::strictest([
                Tlp::Green.marking_id(),
                Tlp::AmberStrict.marking_id(),
                "other"
            ]),
            Some(Tlp::AmberStrict)
        );
        assert!(Tlp::Red > Tlp::AmberStrict && Tlp::AmberStrict > Tlp::Amber);
    }
}

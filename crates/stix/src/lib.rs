//! STIX 2.1 (OASIS, 2021) as data: identifiers, timestamps, the common properties, typed objects
//! for the domain, relationship, meta and cyber-observable objects mamori exchanges, bundles,
//! TLP 2.0 markings and the deterministic ids of cyber-observables. It depends on nothing of
//! mamori's, so that any tool can read and write what the hub shares.
//!
//! Objects of types it does not know, and properties it does not know on those it does, survive
//! a round trip unchanged: a hub must pass on what its members' tools add.

/// Serde for a type written as its text: `Display` out, `parse` in, a refusal naming the text.
macro_rules! text_serde {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                <$t>::parse(&text).map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
            }
        }
    };
}
pub(crate) use text_serde;

pub mod canonical;
pub mod id;
pub mod object;
pub mod observable;
pub mod pattern;
pub mod timestamp;
pub mod tlp;
pub mod validate;
pub mod value;

pub use id::Identifier;
pub use object::{Bundle, Object};
pub use observable::deterministic_id;
pub use pattern::{Observation, Pattern, PatternError};
pub use timestamp::Timestamp;
pub use tlp::Tlp;
pub use validate::{Problem, validate_bundle, validate_object};

//! Identifiers (`type--UUID`) and the naming rules for object types and property names
//! (STIX 2.1 §2.9, §3.1).

use std::fmt;
use uuid::Uuid;

/// Why a type name, property name or identifier breaks the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Shorter than 3 or longer than 250 characters.
    #[error("must be 3 to 250 characters long")]
    Length,
    /// A character outside the allowed set.
    #[error("may contain only {0}")]
    Characters(&'static str),
    /// Two hyphens in a row, or a hyphen at either end.
    #[error("must not start or end with a hyphen or contain two in a row")]
    Hyphens,
    /// No `--` between type and UUID.
    #[error("must be <type>--<UUID>")]
    Shape,
    /// The UUID part is not an RFC 4122 UUID.
    #[error("the part after -- must be an RFC 4122 UUID")]
    Uuid,
}

/// Checks an object type name: 3–250 characters of a–z, 0–9 and hyphen, no double hyphen.
pub fn check_type_name(name: &str) -> Result<(), NameError> {
    if !(3..=250).contains(&name.len()) {
        return Err(NameError::Length);
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(NameError::Characters("a-z, 0-9 and -"));
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err(NameError::Hyphens);
    }
    Ok(())
}

/// Checks a property name: 3–250 characters of a–z, 0–9 and underscore, starting with a letter;
/// `id` is the one shorter name.
pub fn check_property_name(name: &str) -> Result<(), NameError> {
    if name != "id" && !(3..=250).contains(&name.len()) {
        return Err(NameError::Length);
    }
    let mut bytes = name.bytes();
    if !bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        || !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(NameError::Characters(
            "a-z, 0-9 and _, starting with a letter",
        ));
    }
    Ok(())
}

/// Property names the specification reserves for later versions: no object may use them.
pub const RESERVED_PROPERTIES: [&str; 4] = ["severity", "action", "username", "phone_numbers"];

/// An object's identifier: its type and an RFC 4122 UUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier {
    object_type: String,
    uuid: Uuid,
}

impl Identifier {
    /// An identifier of this type with this UUID; the type must follow the naming rules.
    pub fn new(object_type: &str, uuid: Uuid) -> Result<Identifier, NameError> {
        check_type_name(object_type)?;
        Ok(Identifier {
            object_type: object_type.to_string(),
            uuid,
        })
    }

    /// An identifier of a type this crate names itself (`bundle`, `indicator`), whose name a
    /// test has checked, so that making one has no error path.
    pub(crate) fn known(object_type: &'static str, uuid: Uuid) -> Identifier {
        Identifier {
            object_type: object_type.to_string(),
            uuid,
        }
    }

    /// A new identifier of this type with a random (version 4) UUID, as SDOs and SROs use.
    pub fn random(object_type: &str) -> Result<Identifier, NameError> {
        Identifier::new(object_type, Uuid::new_v4())
    }

    /// Reads `type--UUID`.
    pub fn parse(text: &str) -> Result<Identifier, NameError> {
        let (object_type, uuid) = text.split_once("--").ok_or(NameError::Shape)?;
        check_type_name(object_type)?;
        let uuid = Uuid::try_parse(uuid).map_err(|_| NameError::Uuid)?;
        // RFC 4122 UUIDs carry the variant bits 10; the nil UUID and others do not.
        if uuid.get_variant() != uuid::Variant::RFC4122 {
            return Err(NameError::Uuid);
        }
        Ok(Identifier {
            object_type: object_type.to_string(),
            uuid,
        })
    }

    /// The type part.
    pub fn object_type(&self) -> &str {
        &self.object_type
    }

    /// The UUID part.
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}--{}", self.object_type, self.uuid.hyphenated())
    }
}

impl std::str::FromStr for Identifier {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Identifier::parse(s)
    }
}

crate::text_serde!(Identifier);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_the_rules() {
        assert!(check_type_name("indicator").is_ok());
        assert!(check_type_name("x-mamori-alert").is_ok());
        assert_eq!(check_type_name("ab"), Err(NameError::Length));
        assert_eq!(check_type_name(&"a".repeat(251)), Err(NameError::Length));
        assert!(matches!(
            check_type_name("Indicator"),
            Err(NameError::Characters(_))
        ));
        assert!(matches!(
            check_type_name("ind_icator"),
            Err(NameError::Characters(_))
        ));
        assert_eq!(check_type_name("x--y"), Err(NameError::Hyphens));
        assert_eq!(check_type_name("-xy"), Err(NameError::Hyphens));
    }

    #[test]
    fn property_names_follow_the_rules() {
        assert!(check_property_name("id").is_ok());
        assert!(check_property_name("x_mamori_org").is_ok());
        assert!(matches!(
            check_property_name("SHA256"),
            Err(NameError::Characters(_))
        ));
        assert!(matches!(
            check_property_name("_private"),
            Err(NameError::Characters(_))
        ));
        assert_eq!(check_property_name("ab"), Err(NameError::Length));
        assert!(matches!(
            check_property_name("valid-from"),
            Err(NameError::Characters(_))
        ));
    }

    #[test]
    fn identifiers_read_and_write_back_the_same() {
        let text = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
        let id = Identifier::parse(text).expect("valid");
        assert_eq!(id.object_type(), "indicator");
        assert_eq!(id.to_string(), text);
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            format!("\"{text}\"")
        );
        assert_eq!(Identifier::parse("indicator"), Err(NameError::Shape));
        assert_eq!(Identifier::parse("indicator--xyz"), Err(NameError::Uuid));
        // The nil UUID is not an RFC 4122 UUID.
        assert_eq!(
            Identifier::parse("indicator--00000000-0000-0000-0000-000000000000"),
            Err(NameError::Uuid)
        );
        assert!(Identifier::parse("Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").is_err());
        let r = Identifier::random("report").expect("type");
        assert_eq!(r.uuid().get_version_num(), 4);
    }
}

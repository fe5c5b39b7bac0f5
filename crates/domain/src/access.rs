//! How the caller's organisation stands to an object it reaches: the relation decides what it may
//! do with it, and is decided once, where the object is looked up.

/// The caller's organisation's relation to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The object is the organisation's own.
    Owner,
    /// Another organisation asked this one to answer it (a vendor sheet sent to the vendor).
    Respondent,
}

/// An object with the caller's relation to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access<T> {
    /// The object.
    pub object: T,
    /// How the caller stands to it.
    pub relation: Relation,
}

impl<T> Access<T> {
    /// Whether the caller's organisation owns the object.
    pub fn is_owner(&self) -> bool {
        self.relation == Relation::Owner
    }

    /// The object, when the caller owns it; `None` for any other relation.
    pub fn owned(self) -> Option<T> {
        self.is_owner().then_some(self.object)
    }
}

impl<T> std::ops::Deref for Access<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.object
    }
}

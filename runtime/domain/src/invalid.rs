//! The one error of this crate: a value that breaks a rule.

/// A value that breaks one of the rules it must meet. The text says which
/// rule and how to fix it, and is meant for whoever sent the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl From<String> for Invalid {
    fn from(message: String) -> Invalid {
        Invalid(message)
    }
}

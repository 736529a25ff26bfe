/// Errors from the household model.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Text that should have been an id is not one.
    #[error("'{given}' is not a valid {what} id")]
    InvalidId {
        /// What kind of id was expected.
        what: &'static str,
        /// The text that was given.
        given: String,
    },
    /// A value is not one of the accepted ones.
    #[error("'{given}' is not a valid {what}; expected {expected}")]
    InvalidValue {
        /// What the value is.
        what: &'static str,
        /// The text that was given.
        given: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A required text was empty.
    #[error("the {what} must not be empty")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// An item id names nothing in this household.
    #[error("no {what} with id '{id}' in this household")]
    NotFound {
        /// What kind of item.
        what: &'static str,
        /// The id that was given.
        id: String,
    },
    /// The household is archived, so it cannot be edited until it is unarchived.
    #[error(
        "the household '{name}' is archived and cannot be edited; unarchive it first (`hearth household unarchive ID`)"
    )]
    Archived {
        /// The household's name.
        name: String,
    },
    /// An edit that names nothing to change.
    #[error("nothing to change: give at least one field to set or clear")]
    NothingToChange,
    /// A conflict to resolve was not found, or the value to keep is not one of its values.
    #[error("{0}")]
    NoSuchConflict(String),
    /// A custom field was set on a household without a template.
    #[error("this household has no custom-field template; apply one first")]
    NoTemplate,
    /// A template's schema or a custom value does not fit.
    #[error("template: {0}")]
    Template(String),
    /// The bytes are not a valid household document.
    #[error("household document is damaged or not a household: {0}")]
    Corrupt(String),
}

impl From<automerge::AutomergeError> for CoreError {
    fn from(e: automerge::AutomergeError) -> Self {
        CoreError::Corrupt(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for CoreError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        CoreError::Corrupt(e.to_string())
    }
}

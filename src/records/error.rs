//! Errors of the records layer, phrased for the person who reads them.

use crate::store::StoreError;

/// Why a records operation failed. Nothing of the operation was applied.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// A record is not acceptable; names the record and the field.
    #[error("{record}: {field}: {reason}")]
    Invalid {
        /// Which record, e.g. `payment 4200…01` or `group wrOg…`.
        record: String,
        /// Which field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The write would contradict what is stored (a stale snapshot, a skipped page,
    /// a human decision).
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RecordsError {
    /// An invalid-field error.
    pub fn invalid(record: impl Into<String>, field: impl Into<String>, reason: impl Into<String>) -> Self {
        RecordsError::Invalid { record: record.into(), field: field.into(), reason: reason.into() }
    }
}

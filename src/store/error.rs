//! Store errors, phrased for the person at the terminal.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the database file.
    #[error("{0}")]
    InUse(String),
    /// The file was written by a newer campdesk.
    #[error(
        "the data dir {dir} holds schema version {found}, but this campdesk understands up to {supported}; \
         upgrade campdesk (or point --data at another folder)"
    )]
    NewerSchema { dir: String, found: u32, supported: u32 },
    /// The data dir cannot be created or read.
    #[error("cannot use data dir {dir}: {reason}")]
    DataDir { dir: String, reason: String },
    /// A stored record no longer decodes.
    #[error("record `{key}` in table `{table}` is unreadable: {reason}")]
    Corrupt { table: String, key: String, reason: String },
    /// A record could not be encoded.
    #[error("cannot encode record: {0}")]
    Encode(String),
    /// A transition or write the caller asked for is not allowed.
    #[error("{0}")]
    Rejected(String),
    /// redb reported an error.
    #[error("database error: {0}")]
    Db(#[from] redb::Error),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
            }
        }
    )*};
}

from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::CompactionError
);

//! Pure parsers from the platforms' wire formats (see `reference/zsxq-api.md` and
//! `reference/wecom-wxpay-api.md`) to domain records. Every field is optional on
//! the wire; a record missing what it cannot do without is an error naming the
//! record and the field, and the whole page is refused (nothing half-applied).
//! Business errors in the envelope come back as [`PageError::Api`] for the
//! adapter to classify.

mod ids;
pub mod markup;
pub mod wecom;
pub mod zsxq;

pub use ids::IdText;

/// Why a page could not be turned into records.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The platform answered with a business error (`succeeded: false`, `errcode != 0`).
    #[error("{platform} error {code}: {message}")]
    Api {
        /// `zsxq` or `wecom`.
        platform: &'static str,
        /// The code (`code` / `errcode`).
        code: i64,
        /// Its message (`error`/`info` / `errmsg`).
        message: String,
    },
    /// The body is not the JSON the endpoint sends.
    #[error("{endpoint}: malformed response: {reason}")]
    Malformed {
        /// The endpoint.
        endpoint: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// One record is unusable.
    #[error("{record}: {field}: {reason}")]
    Record {
        /// The record, e.g. `topic 9000…01` or `bill_list[3]`.
        record: String,
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl PageError {
    pub(crate) fn record(record: impl Into<String>, field: impl Into<String>, reason: impl Into<String>) -> Self {
        PageError::Record { record: record.into(), field: field.into(), reason: reason.into() }
    }
}

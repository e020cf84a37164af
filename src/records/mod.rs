//! The records in the store: the raw archive, typed upserts, snapshot diffing,
//! camp attribution, sync cursors and the per-camp read model.
//!
//! How a sync page flows through this layer ([`ingest::page`] does all three in
//! one call and one commit):
//!
//! 1. [`raw::archive`] stores the response body verbatim (with its SHA-256, the
//!    request with secrets removed, and the fetch time) and returns the
//!    [`raw::RawEntry`] whose `raw_id` records point to; the body is kept even
//!    when what follows fails.
//! 2. [`parse`] turns the body into domain records (pure; errors name the record
//!    and the field).
//! 3. The same [`WriteTx`] takes the upserts
//!    ([`payments::upsert_bills`], [`groups::apply_snapshot`],
//!    [`planet_users::record_sightings`], [`checkins::upsert_topics`],
//!    [`ranking::ingest_page`] …) together with the page's [`cursors::put`], so a run
//!    that dies half-way resumes from its cursor and never loses or doubles a row.
//!
//! Readers use [`camp::camp_records`] (everything one camp needs) and the
//! cross-camp queries in [`camp`]. Every upsert validates before it writes and
//! returns [`UpsertStats`]; an error leaves the caller's transaction to be dropped,
//! so nothing is half-applied.

pub mod attribution;
pub mod camp;
pub mod checkins;
pub mod cursors;
mod error;
pub mod groups;
pub mod ingest;
pub mod members;
pub mod mentions;
pub mod parse;
pub mod payments;
pub mod planet_users;
pub mod ranking;
pub mod raw;
pub mod redact;
pub mod snapshot;
#[cfg(test)]
pub(crate) mod testing;

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::store::{ReadTx, StoreError, TableDef, WriteTx};

pub use camp::{CampRecords, camp_records};
pub use error::RecordsError;

/// Where a record or a raw page came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Knowledge Planet (api.zsxq.com).
    Zsxq,
    /// WeCom (qyapi.weixin.qq.com).
    Wecom,
    /// WeChat Pay (api.mch.weixin.qq.com).
    Wxpay,
    /// A file the owner imported.
    Import,
}

impl Source {
    /// The stable lowercase name (`zsxq`, `wecom`, `wxpay`, `import`).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Zsxq => "zsxq",
            Source::Wecom => "wecom",
            Source::Wxpay => "wxpay",
            Source::Import => "import",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an upsert did: rows new to the store, rows whose content changed, rows
/// that were already there as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertStats {
    /// Records that did not exist before.
    pub inserted: u64,
    /// Records whose content changed.
    pub updated: u64,
    /// Records that were already stored exactly so.
    pub unchanged: u64,
}

impl UpsertStats {
    /// Records looked at.
    pub fn total(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }

    /// Whether anything was written.
    pub fn changed(&self) -> bool {
        self.inserted + self.updated > 0
    }

    /// Adds another batch's counts.
    pub fn add(&mut self, other: UpsertStats) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    pub(crate) fn count(&mut self, change: Change) {
        match change {
            Change::Inserted => self.inserted += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

impl std::fmt::Display for UpsertStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} inserted, {} updated, {} unchanged", self.inserted, self.updated, self.unchanged)
    }
}

/// What happened to one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New.
    Inserted,
    /// Content changed.
    Updated,
    /// Stored exactly so already.
    Unchanged,
}

/// Reads shared by [`ReadTx`] and [`WriteTx`], so queries work inside a write too.
pub trait Reads {
    /// The record at `key`.
    fn get_record<V: DeserializeOwned>(&self, table: &TableDef<V>, key: &str) -> Result<Option<V>, StoreError>;
    /// Every `(key, record)` whose key starts with `prefix`, in key order.
    fn prefix_records<V: DeserializeOwned>(
        &self,
        table: &TableDef<V>,
        prefix: &str,
    ) -> Result<Vec<(String, V)>, StoreError>;
    /// Number of records in the table.
    fn count_records<V>(&self, table: &TableDef<V>) -> Result<u64, StoreError>;
}

macro_rules! impl_reads {
    ($t:ty) => {
        impl Reads for $t {
            fn get_record<V: DeserializeOwned>(&self, table: &TableDef<V>, key: &str) -> Result<Option<V>, StoreError> {
                self.get(table, key)
            }
            fn prefix_records<V: DeserializeOwned>(
                &self,
                table: &TableDef<V>,
                prefix: &str,
            ) -> Result<Vec<(String, V)>, StoreError> {
                self.prefix(table, prefix)
            }
            fn count_records<V>(&self, table: &TableDef<V>) -> Result<u64, StoreError> {
                self.count(table)
            }
        }
    };
}

impl_reads!(ReadTx);
impl_reads!(WriteTx);

/// A key part that sorts instants in time order (milliseconds, zero-padded).
pub fn time_key(at: Timestamp) -> String {
    // Offset so instants back to the 17th century stay non-negative and fixed-width.
    format!("{:016}", at.as_millisecond().saturating_add(100_000_000_000_000).max(0))
}

/// A key part that sorts small numbers numerically.
pub(crate) fn number_key(n: u32) -> String {
    format!("{n:010}")
}

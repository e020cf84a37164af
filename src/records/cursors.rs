//! Sync cursors: where a sync run is, per source, camp and endpoint, written in
//! the same transaction as the page's records. A run that dies half-way (the
//! transaction never commits) leaves the cursor at the last committed page, so
//! the next run fetches that page again; upserts by id make the repeat harmless.
//! Nothing is lost, nothing is doubled.

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Reads, RecordsError, Source};
use crate::store::{KEY_SEP, TableDef, WriteTx, key};

/// key(source, scope, endpoint) → cursor.
const SYNC_CURSORS: TableDef<StoredCursor> = TableDef::new("sync_cursors");

/// Which cursor: a source, a scope (a camp id, a project or group id, or "" for
/// the whole source) and an endpoint name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CursorKey {
    /// The platform.
    pub source: Source,
    /// Camp id, or project/group id, or "" for source-wide.
    pub scope: String,
    /// Endpoint, e.g. `checkin_topics`, `ranking_list`, `get_bill_list`.
    pub endpoint: String,
}

impl CursorKey {
    /// A cursor key.
    pub fn new(source: Source, scope: impl Into<String>, endpoint: impl Into<String>) -> Self {
        CursorKey { source, scope: scope.into(), endpoint: endpoint.into() }
    }

    fn store_key(&self) -> String {
        key(&[self.source.as_str(), &self.scope, &self.endpoint])
    }
}

/// A cursor as stored: the caller's value plus when it was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredCursor {
    /// The key (kept in the value for listings).
    pub key: CursorKey,
    /// The position, in the caller's own shape.
    pub value: serde_json::Value,
    /// When it was written.
    pub updated_at: Timestamp,
}

/// The position in WeCom `get_bill_list`: the month window being read and the
/// page cursor inside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillCursor {
    /// Window start (Unix seconds).
    pub begin_time: i64,
    /// Window end (Unix seconds); end − begin ≤ one month.
    pub end_time: i64,
    /// `next_cursor` of the last committed page; None at the window's start.
    pub cursor: Option<String>,
}

/// The position in zsxq check-in topics (newest first, `end_time` cursor).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicsCursor {
    /// The `end_time` for the next page (last page's oldest `create_time` − 1 ms,
    /// in the zsxq format); None to start from the newest.
    pub end_time: Option<String>,
    /// The newest `create_time` seen when this pass started (an incremental
    /// pass may stop once it reaches it).
    pub newest_at_start: Option<String>,
    /// Pages committed in this pass.
    pub pages: u32,
}

/// The position in a zsxq ranking list (`index` of the next page).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingCursor {
    /// `index` for the next page (0 to start a new list).
    pub index: u32,
}

/// The cursor at `key`, decoded into `T`, with the time it was written.
pub fn get<T: DeserializeOwned>(r: &impl Reads, key: &CursorKey) -> Result<Option<(T, Timestamp)>, RecordsError> {
    let Some(stored) = r.get_record(&SYNC_CURSORS, &key.store_key())? else { return Ok(None) };
    let value = serde_json::from_value(stored.value).map_err(|e| {
        RecordsError::invalid(
            format!("cursor {}/{}/{}", key.source, key.scope, key.endpoint),
            "value",
            format!("does not have the expected shape: {e}"),
        )
    })?;
    Ok(Some((value, stored.updated_at)))
}

/// Writes the cursor at `key` inside `tx` (commit it with the page's records).
pub fn put<T: Serialize>(tx: &mut WriteTx, key: &CursorKey, value: &T, at: Timestamp) -> Result<(), RecordsError> {
    let value = serde_json::to_value(value)
        .map_err(|e| RecordsError::Store(crate::store::StoreError::Encode(e.to_string())))?;
    tx.put(&SYNC_CURSORS, &key.store_key(), &StoredCursor { key: key.clone(), value, updated_at: at })?;
    Ok(())
}

/// Removes the cursor (a finished pass); returns whether there was one.
pub fn clear(tx: &mut WriteTx, key: &CursorKey) -> Result<bool, RecordsError> {
    Ok(tx.remove(&SYNC_CURSORS, &key.store_key())?)
}

/// Every cursor of a source (all sources with None), for status displays.
pub fn list(r: &impl Reads, source: Option<Source>) -> Result<Vec<StoredCursor>, RecordsError> {
    let prefix = source.map(|s| format!("{}{KEY_SEP}", s.as_str())).unwrap_or_default();
    Ok(r.prefix_records(&SYNC_CURSORS, &prefix)?.into_iter().map(|(_, c)| c).collect())
}

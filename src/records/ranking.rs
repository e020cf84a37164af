//! A project's accumulated ranking list. The list arrives in pages of 21
//! (`index` = rank of the last row of the previous page); pages are staged, and
//! when the last page arrives the complete list replaces the previous one in one
//! write. Readers always see one whole list, never a mix of two fetches.
//!
//! Each page must continue exactly where the staged rows end: a skipped or
//! doubled page is refused, so no row is ever lost or counted twice. Re-sending
//! a page that is already staged, unchanged, is accepted and changes nothing (a
//! retry after a commit whose answer was lost).

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::mentions::{MentionBatch, MentionKind};
use super::{Reads, RecordsError, UpsertStats, number_key};
use crate::domain::{CheckinId, RankingEntry};
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// key(checkin_id, rank) → row of the latest complete list.
pub const RANKING: TableDef<RankingEntry> = TableDef::new("ranking");
/// key(checkin_id, rank) → row of the list being fetched.
const RANKING_STAGED: TableDef<RankingEntry> = TableDef::new("ranking_staged");
/// checkin_id → progress of the list being fetched.
const RANKING_STAGING: TableDef<RankingStaging> = TableDef::new("ranking_staging");
/// checkin_id → facts about the latest complete list.
const RANKING_META: TableDef<RankingMeta> = TableDef::new("ranking_meta");

/// One page of the ranking list.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingPage {
    /// The project.
    pub checkin_id: CheckinId,
    /// The `index` the page was requested with (0 for the first page).
    pub index: u32,
    /// Its rows, rank `index + 1` onwards.
    pub rows: Vec<RankingEntry>,
    /// Whether this is the last page (short or empty).
    pub last: bool,
    /// When the page was fetched.
    pub fetched_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct RankingStaging {
    started_at: Timestamp,
    rows: u32,
    pages: u32,
}

/// Facts about the latest complete list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingMeta {
    /// The project.
    pub checkin_id: CheckinId,
    /// Fetch time of the first page.
    pub started_at: Timestamp,
    /// Fetch time of the last page.
    pub completed_at: Timestamp,
    /// Rows in the list.
    pub rows: u32,
    /// Pages fetched.
    pub pages: u32,
}

/// What a page did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RankingProgress {
    /// Rows staged so far; fetch the next page with `next_index`.
    Staged {
        /// Rows staged.
        rows: u32,
        /// The `index` of the next page.
        next_index: u32,
    },
    /// The list is complete and replaced the previous one.
    Replaced {
        /// Users new to the list, users whose rank or days changed, users as before.
        stats: UpsertStats,
        /// Users in the previous list but not in this one.
        removed: u64,
        /// Rows in the new list.
        rows: u32,
    },
}

fn same_row(a: &RankingEntry, b: &RankingEntry) -> bool {
    a.user_id == b.user_id && a.rank == b.rank && a.checkined_days == b.checkined_days && a.checkin_id == b.checkin_id
}

/// Stages one page and, on the last page, replaces the project's list.
pub fn ingest_page(tx: &mut WriteTx, page: &RankingPage) -> Result<RankingProgress, RecordsError> {
    let cid = page.checkin_id.as_str();
    let label = format!("ranking of project {cid}");
    for (i, row) in page.rows.iter().enumerate() {
        let expected = page.index + i as u32 + 1;
        if row.checkin_id != page.checkin_id {
            return Err(RecordsError::invalid(
                format!("{label} rank {}", row.rank),
                "checkin_id",
                format!("is {} on a page of project {cid}", row.checkin_id),
            ));
        }
        if row.rank != expected {
            return Err(RecordsError::invalid(
                format!("{label} page at index {}", page.index),
                "rankings",
                format!("row {} has rank {}, expected {expected}: ranks must be consecutive", i + 1, row.rank),
            ));
        }
        if row.user_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid(format!("{label} rank {}", row.rank), "user.user_id", "is empty"));
        }
    }
    let mut staging = tx.get(&RANKING_STAGING, cid)?;
    if page.index == 0 {
        // The first page always starts a new fetch of the list.
        tx.remove_prefix(&RANKING_STAGED, &key_prefix(&[cid]))?;
        staging = Some(RankingStaging { started_at: page.fetched_at, rows: 0, pages: 0 });
    }
    let Some(mut s) = staging else {
        return Err(RecordsError::Conflict(format!(
            "{label}: a page at index {} arrived but no fetch of the list is under way; start again from index 0",
            page.index
        )));
    };
    if page.index < s.rows {
        if is_restaged(tx, page)? {
            return progress_after_restage(tx, page, s);
        }
        return Err(RecordsError::Conflict(format!(
            "{label}: the page at index {} differs from the rows already staged (the list moved while it was \
             fetched); start again from index 0",
            page.index
        )));
    }
    if page.index > s.rows {
        return Err(RecordsError::Conflict(format!(
            "{label}: a page at index {} arrived but only {} rows are staged; a page is missing",
            page.index, s.rows
        )));
    }
    let mut mentions = MentionBatch::new();
    for row in &page.rows {
        mentions.add(MentionKind::PlanetUser, row.user_id.as_str(), &row.source);
        tx.put(&RANKING_STAGED, &key(&[cid, &number_key(row.rank)]), row)?;
    }
    if let Some(first) = page.rows.first() {
        mentions.add_page(MentionKind::Checkin, cid, &first.source.raw_id);
    }
    mentions.write(tx)?;
    s.rows += page.rows.len() as u32;
    s.pages += 1;
    if !page.last {
        tx.put(&RANKING_STAGING, cid, &s)?;
        return Ok(RankingProgress::Staged { rows: s.rows, next_index: s.rows });
    }
    complete(tx, &page.checkin_id, s, page.fetched_at)
}

fn is_restaged(tx: &WriteTx, page: &RankingPage) -> Result<bool, RecordsError> {
    let cid = page.checkin_id.as_str();
    for row in &page.rows {
        match tx.get(&RANKING_STAGED, &key(&[cid, &number_key(row.rank)]))? {
            Some(staged) if same_row(&staged, row) => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

fn progress_after_restage(
    tx: &mut WriteTx,
    page: &RankingPage,
    s: RankingStaging,
) -> Result<RankingProgress, RecordsError> {
    let end = page.index + page.rows.len() as u32;
    if page.last && end == s.rows {
        return complete(tx, &page.checkin_id, s, page.fetched_at);
    }
    Ok(RankingProgress::Staged { rows: s.rows, next_index: s.rows })
}

fn complete(
    tx: &mut WriteTx,
    checkin_id: &CheckinId,
    s: RankingStaging,
    completed_at: Timestamp,
) -> Result<RankingProgress, RecordsError> {
    let cid = checkin_id.as_str();
    let prefix = key_prefix(&[cid]);
    let new_rows: Vec<RankingEntry> = tx.prefix(&RANKING_STAGED, &prefix)?.into_iter().map(|(_, r)| r).collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for r in &new_rows {
        if let Some(first) = seen.insert(r.user_id.as_str(), r.rank) {
            return Err(RecordsError::Conflict(format!(
                "ranking of project {cid}: user {} appears at ranks {first} and {} (the list moved while it was \
                 fetched); start again from index 0",
                r.user_id, r.rank
            )));
        }
    }
    let old_rows: Vec<RankingEntry> = tx.prefix(&RANKING, &prefix)?.into_iter().map(|(_, r)| r).collect();
    let old_by_user: HashMap<&str, &RankingEntry> = old_rows.iter().map(|r| (r.user_id.as_str(), r)).collect();
    let mut stats = UpsertStats::default();
    for r in &new_rows {
        match old_by_user.get(r.user_id.as_str()) {
            None => stats.inserted += 1,
            Some(o) if o.rank == r.rank && o.checkined_days == r.checkined_days => stats.unchanged += 1,
            Some(_) => stats.updated += 1,
        }
    }
    let new_users: HashSet<&str> = new_rows.iter().map(|r| r.user_id.as_str()).collect();
    let removed = old_rows.iter().filter(|r| !new_users.contains(r.user_id.as_str())).count() as u64;
    tx.remove_prefix(&RANKING, &prefix)?;
    let keyed: Vec<(String, &RankingEntry)> = new_rows.iter().map(|r| (key(&[cid, &number_key(r.rank)]), r)).collect();
    tx.put_many(&RANKING, keyed.iter().map(|(k, r)| (k.as_str(), *r)))?;
    tx.remove_prefix(&RANKING_STAGED, &prefix)?;
    tx.remove(&RANKING_STAGING, cid)?;
    let meta = RankingMeta {
        checkin_id: checkin_id.clone(),
        started_at: s.started_at,
        completed_at,
        rows: new_rows.len() as u32,
        pages: s.pages,
    };
    tx.put(&RANKING_META, cid, &meta)?;
    Ok(RankingProgress::Replaced { stats, removed, rows: new_rows.len() as u32 })
}

/// The latest complete ranking list of a project, by rank.
pub fn ranking(r: &impl Reads, checkin_id: &str) -> Result<Vec<RankingEntry>, RecordsError> {
    Ok(r.prefix_records(&RANKING, &key_prefix(&[checkin_id]))?.into_iter().map(|(_, e)| e).collect())
}

/// When the latest complete list was fetched, and its size.
pub fn ranking_meta(r: &impl Reads, checkin_id: &str) -> Result<Option<RankingMeta>, RecordsError> {
    Ok(r.get_record(&RANKING_META, checkin_id)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::testing::{rank, ts};
    use crate::store::Store;

    const C: &str = "2424424541";
    const T1: &str = "2025-11-04T01:00:00Z";

    fn rows(from: u32, to: u32, days: u32) -> Vec<RankingEntry> {
        (from..=to).map(|r| rank(C, &format!("u{r}"), r, days, T1)).collect()
    }

    fn page(index: u32, rows: Vec<RankingEntry>, last: bool) -> RankingPage {
        RankingPage { checkin_id: CheckinId::new(C), index, rows, last, fetched_at: ts(T1) }
    }

    #[test]
    fn pages_stage_then_replace_the_list_at_once() {
        let store = Store::in_memory().unwrap();
        let p = store.write_with(|tx| ingest_page(tx, &page(0, rows(1, 21, 9), false))).unwrap();
        assert_eq!(p, RankingProgress::Staged { rows: 21, next_index: 21 });
        assert!(ranking(&store.read().unwrap(), C).unwrap().is_empty(), "nothing visible before the last page");
        let p = store.write_with(|tx| ingest_page(tx, &page(21, rows(22, 22, 8), true))).unwrap();
        assert_eq!(
            p,
            RankingProgress::Replaced {
                stats: UpsertStats { inserted: 22, updated: 0, unchanged: 0 },
                removed: 0,
                rows: 22
            }
        );
        let r = store.read().unwrap();
        let list = ranking(&r, C).unwrap();
        assert_eq!(
            list.iter().map(|e| e.rank).collect::<Vec<_>>(),
            (1..=22).collect::<Vec<_>>(),
            "rank 21 and 22 both kept"
        );
        assert_eq!(ranking_meta(&r, C).unwrap().unwrap().pages, 2);
        drop(r);

        // A second fetch: u22 gone, u1 has one more day.
        let mut first = rows(1, 21, 9);
        first[0].checkined_days = 10;
        store.write_with(|tx| ingest_page(tx, &page(0, first, false))).unwrap();
        assert_eq!(ranking(&store.read().unwrap(), C).unwrap().len(), 22, "the old list stays readable mid-fetch");
        let p = store.write_with(|tx| ingest_page(tx, &page(21, vec![], true))).unwrap();
        assert_eq!(
            p,
            RankingProgress::Replaced {
                stats: UpsertStats { inserted: 0, updated: 1, unchanged: 20 },
                removed: 1,
                rows: 21
            }
        );
        assert_eq!(ranking(&store.read().unwrap(), C).unwrap().len(), 21);
    }

    #[test]
    fn skipped_doubled_and_moved_pages_are_refused() {
        let store = Store::in_memory().unwrap();
        store.write_with(|tx| ingest_page(tx, &page(0, rows(1, 21, 9), false))).unwrap();
        // Skipping ahead.
        let mut tx = store.write().unwrap();
        let err = ingest_page(&mut tx, &page(42, rows(43, 50, 5), true)).unwrap_err().to_string();
        assert!(err.contains("only 21 rows are staged; a page is missing"), "{err}");
        drop(tx);
        // Ranks that do not continue.
        let mut tx = store.write().unwrap();
        let err = ingest_page(&mut tx, &page(21, rows(23, 25, 5), true)).unwrap_err().to_string();
        assert!(err.contains("row 1 has rank 23, expected 22"), "{err}");
        drop(tx);
        // Starting over from index 0 is always allowed.
        let p = store.write_with(|tx| ingest_page(tx, &page(0, rows(1, 21, 9), false))).unwrap();
        assert_eq!(p, RankingProgress::Staged { rows: 21, next_index: 21 });
        // A user twice in the list: the list moved while it was fetched.
        let mut moved = rows(22, 23, 5);
        moved[1].user_id = "u3".into();
        let mut tx = store.write().unwrap();
        let err = ingest_page(&mut tx, &page(21, moved, true)).unwrap_err().to_string();
        assert!(err.contains("user u3 appears at ranks 3 and 23"), "{err}");
        drop(tx);
        // A page without a fetch under way.
        let mut tx = store.write().unwrap();
        let other =
            RankingPage { checkin_id: CheckinId::new("999"), index: 21, rows: vec![], last: true, fetched_at: ts(T1) };
        assert!(ingest_page(&mut tx, &other).unwrap_err().to_string().contains("no fetch of the list is under way"));
    }

    #[test]
    fn a_resent_staged_page_is_accepted_mid_fetch() {
        let store = Store::in_memory().unwrap();
        store.write_with(|tx| ingest_page(tx, &page(0, rows(1, 21, 9), false))).unwrap();
        store.write_with(|tx| ingest_page(tx, &page(21, rows(22, 42, 8), false))).unwrap();
        // The answer to page 2 was lost; the engine sends it again.
        let p = store.write_with(|tx| ingest_page(tx, &page(21, rows(22, 42, 8), false))).unwrap();
        assert_eq!(p, RankingProgress::Staged { rows: 42, next_index: 42 });
        let p = store.write_with(|tx| ingest_page(tx, &page(42, rows(43, 43, 1), true))).unwrap();
        assert!(matches!(p, RankingProgress::Replaced { rows: 43, .. }));
    }
}

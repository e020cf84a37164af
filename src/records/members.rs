//! Rows of the planet's member export (the zsxq admin Excel: 成员编号, 用户昵称,
//! 微信昵称, 星球名片昵称, 星球内备注昵称, 知识号, 身份, 首次加入时间, 到期时间,
//! 是否退出星球 …), kept as imported, and the camps they were imported for.
//!
//! The export is keyed by member number; it may carry no `user_id`. A row whose
//! user is known (a `user_id` column, or a stored user with that number) also
//! updates the [`PlanetUser`](crate::domain::PlanetUser) through a sighting; a
//! row whose user is not known yet is kept and joins the user as soon as a
//! sync learns the number.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::mentions::{MentionBatch, MentionKind};
use super::planet_users::{self, PlanetUserSighting};
use super::{Change, Reads, RecordsError, UpsertStats};
use crate::domain::{CampId, PlanetUserId, SourceRef};
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// export key → row. The key is `n␟<number>` or `u␟<user_id>` when there is no number.
pub const MEMBER_EXPORTS: TableDef<MemberExportRow> = TableDef::new("member_exports");
/// key(camp, export key) → nothing: rows imported for a camp.
const CAMP_MEMBER_EXPORTS: TableDef<()> = TableDef::new("camp_member_exports");

/// One row of the member export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberExportRow {
    /// 成员编号.
    pub number: Option<String>,
    /// user_id, when the file has it.
    pub user_id: Option<PlanetUserId>,
    /// 用户昵称.
    pub name: Option<String>,
    /// 微信昵称.
    pub wechat_name: Option<String>,
    /// 星球名片昵称 (`Some("")`: the column is there and empty).
    pub alias: Option<String>,
    /// 星球内备注昵称 (the owner's own note for the member).
    pub remark_name: Option<String>,
    /// 知识号.
    pub knowledge_id: Option<String>,
    /// 身份 (星主, 合伙人, 成员 …).
    pub role: Option<String>,
    /// 首次加入时间.
    pub joined_at: Option<Timestamp>,
    /// 到期时间 (None also for "never").
    pub expires_at: Option<Timestamp>,
    /// 是否退出星球.
    pub exited: Option<bool>,
    /// When it was imported.
    pub imported_at: Timestamp,
    /// The file and row.
    pub source: SourceRef,
}

impl MemberExportRow {
    /// The row's key: its member number, else its user id.
    pub fn export_key(&self) -> Option<String> {
        match (&self.number, &self.user_id) {
            (Some(n), _) if !n.is_empty() => Some(key(&["n", n])),
            (_, Some(u)) if !u.as_str().is_empty() => Some(key(&["u", u.as_str()])),
            _ => None,
        }
    }
}

fn same_ignoring_import(a: &MemberExportRow, b: &MemberExportRow) -> bool {
    let mut a = a.clone();
    a.imported_at = b.imported_at;
    a.source = b.source.clone();
    &a == b
}

/// Stores export rows for `camp` and updates the planet users they name.
pub fn import_member_rows(
    tx: &mut WriteTx,
    camp: &CampId,
    rows: &[MemberExportRow],
) -> Result<UpsertStats, RecordsError> {
    for (i, row) in rows.iter().enumerate() {
        if row.export_key().is_none() {
            return Err(RecordsError::invalid(
                format!("member row {}", row.source.position.unwrap_or(i as u32)),
                "成员编号",
                "neither a member number nor a user id",
            ));
        }
    }
    let mut stats = UpsertStats::default();
    let mut sightings = Vec::new();
    let mut mentions = MentionBatch::new();
    for row in rows {
        let Some(k) = row.export_key() else { continue };
        if let Some(n) = &row.number {
            mentions.add(MentionKind::MemberNumber, n, &row.source);
        }
        let old = tx.get(&MEMBER_EXPORTS, &k)?;
        let change = match &old {
            None => Change::Inserted,
            Some(o) if same_ignoring_import(row, o) => Change::Unchanged,
            Some(_) => Change::Updated,
        };
        stats.count(change);
        if change != Change::Unchanged {
            tx.put(&MEMBER_EXPORTS, &k, row)?;
        }
        tx.put(&CAMP_MEMBER_EXPORTS, &key(&[camp.as_str(), &k]), &())?;
        let user_id = match (&row.user_id, &row.number) {
            (Some(u), _) => Some(u.clone()),
            (None, Some(n)) => planet_users::planet_user_by_number(tx, n)?.map(|u| u.user_id),
            _ => None,
        };
        if let Some(user_id) = user_id
            && change != Change::Unchanged
        {
            mentions.add(MentionKind::PlanetUser, user_id.as_str(), &row.source);
            sightings.push(PlanetUserSighting {
                user_id,
                name: row.name.clone().filter(|n| !n.is_empty()),
                alias: row.alias.clone(),
                number: row.number.clone(),
                wechat_name: row.wechat_name.clone(),
                joined_planet_at: row.joined_at,
                exited: row.exited,
                seen_at: row.imported_at,
                source: row.source.clone(),
            });
        }
    }
    planet_users::record_sightings(tx, &sightings)?;
    mentions.write(tx)?;
    Ok(stats)
}

/// The export row for a user: by their member number, else by their id.
pub fn export_row_for(
    r: &impl Reads,
    user_id: &str,
    number: Option<&str>,
) -> Result<Option<MemberExportRow>, RecordsError> {
    if let Some(n) = number
        && let Some(row) = r.get_record(&MEMBER_EXPORTS, &key(&["n", n]))?
    {
        return Ok(Some(row));
    }
    Ok(r.get_record(&MEMBER_EXPORTS, &key(&["u", user_id]))?)
}

/// The export rows imported for a camp.
pub fn camp_export_rows(r: &impl Reads, camp: &str) -> Result<Vec<MemberExportRow>, RecordsError> {
    let prefix = key_prefix(&[camp]);
    let mut out = Vec::new();
    for (k, ()) in r.prefix_records(&CAMP_MEMBER_EXPORTS, &prefix)? {
        if let Some(row) = r.get_record(&MEMBER_EXPORTS, &k[prefix.len()..])? {
            out.push(row);
        }
    }
    Ok(out)
}

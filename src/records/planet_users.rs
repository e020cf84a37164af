//! Knowledge Planet users, keyed by the stable `user_id`, built from sightings:
//! topic owners, ranking rows, member-export rows, member lookups.
//!
//! A sighting newer than the stored `last_seen` whose name or alias differs is a
//! rename: the old name moves to `name_history`. An older sighting only widens
//! `first_seen` and fills fields still unknown; it never renames backwards.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::mentions::{MentionBatch, MentionKind};
use super::{Change, Reads, RecordsError, UpsertStats};
use crate::domain::{NameChange, PlanetUser, PlanetUserId, SourceRef};
use crate::store::{TableDef, WriteTx};

/// user_id → user.
pub const PLANET_USERS: TableDef<PlanetUser> = TableDef::new("planet_users");
/// member number (成员编号) → user_id.
const PLANET_USERS_BY_NUMBER: TableDef<String> = TableDef::new("planet_users_by_number");

/// One observation of a planet user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanetUserSighting {
    /// Stable id.
    pub user_id: PlanetUserId,
    /// Nickname (None: the source does not say).
    pub name: Option<String>,
    /// 星球名片 (None or empty: not set).
    pub alias: Option<String>,
    /// 成员编号.
    pub number: Option<String>,
    /// 微信昵称 (member export).
    pub wechat_name: Option<String>,
    /// When they joined the planet.
    pub joined_planet_at: Option<Timestamp>,
    /// Whether the planet reports them as exited (None: not said).
    pub exited: Option<bool>,
    /// When the source showed them (the page's fetch time, the import time).
    pub seen_at: Timestamp,
    /// Where.
    pub source: SourceRef,
}

impl PlanetUserSighting {
    /// A sighting with only an id and a name (topic owners, ranking rows).
    pub fn named(
        user_id: PlanetUserId,
        name: String,
        alias: Option<String>,
        seen_at: Timestamp,
        source: SourceRef,
    ) -> Self {
        PlanetUserSighting {
            user_id,
            name: Some(name),
            alias,
            number: None,
            wechat_name: None,
            joined_planet_at: None,
            exited: None,
            seen_at,
            source,
        }
    }
}

fn alias_of(a: &Option<String>) -> Option<String> {
    a.as_ref().filter(|s| !s.trim().is_empty()).cloned()
}

/// Applies one sighting to a user (or creates one). Pure.
pub fn apply_sighting(current: Option<PlanetUser>, s: &PlanetUserSighting) -> PlanetUser {
    let alias = alias_of(&s.alias);
    let Some(mut u) = current else {
        return PlanetUser {
            user_id: s.user_id.clone(),
            name: s.name.clone().unwrap_or_default(),
            alias,
            number: s.number.clone(),
            wechat_name: s.wechat_name.clone(),
            name_history: Vec::new(),
            joined_planet_at: s.joined_planet_at,
            left_planet_at: if s.exited == Some(true) { Some(s.seen_at) } else { None },
            first_seen: s.seen_at,
            last_seen: s.seen_at,
        };
    };
    if s.seen_at >= u.last_seen {
        if let Some(name) = &s.name {
            let alias_said = s.alias.is_some();
            let new_alias = if alias_said { alias.clone() } else { u.alias.clone() };
            if *name != u.name || new_alias != u.alias {
                if !u.name.is_empty() || u.alias.is_some() {
                    u.name_history.push(NameChange {
                        name: u.name.clone(),
                        alias: u.alias.clone(),
                        until: u.last_seen,
                    });
                }
                u.name = name.clone();
                u.alias = new_alias;
            }
        }
        if s.number.is_some() {
            u.number = s.number.clone();
        }
        if s.wechat_name.is_some() {
            u.wechat_name = s.wechat_name.clone();
        }
        if s.joined_planet_at.is_some() {
            u.joined_planet_at = s.joined_planet_at;
        }
        match s.exited {
            Some(true) => u.left_planet_at = u.left_planet_at.or(Some(s.seen_at)),
            Some(false) => u.left_planet_at = None,
            None => {}
        }
        u.last_seen = s.seen_at;
    } else {
        u.first_seen = u.first_seen.min(s.seen_at);
        if u.name.is_empty()
            && let Some(n) = &s.name
        {
            u.name = n.clone();
        }
        u.number = u.number.take().or_else(|| s.number.clone());
        u.wechat_name = u.wechat_name.take().or_else(|| s.wechat_name.clone());
        u.joined_planet_at = u.joined_planet_at.or(s.joined_planet_at);
    }
    u
}

/// Fills what a member-export row knows and the user record does not yet.
fn fill_from_export(u: &mut PlanetUser, row: &super::members::MemberExportRow) {
    u.wechat_name = u.wechat_name.take().or_else(|| row.wechat_name.clone());
    u.joined_planet_at = u.joined_planet_at.or(row.joined_at);
    if u.left_planet_at.is_none() && row.exited == Some(true) {
        u.left_planet_at = Some(row.imported_at);
    }
}

/// Records sightings (in time order within the batch; one write per user).
pub fn record_sightings(tx: &mut WriteTx, sightings: &[PlanetUserSighting]) -> Result<UpsertStats, RecordsError> {
    for s in sightings {
        if s.user_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid("planet user", "user_id", "is empty"));
        }
    }
    let mut ordered: Vec<&PlanetUserSighting> = sightings.iter().collect();
    ordered.sort_by_key(|s| s.seen_at);
    let mut mentions = MentionBatch::new();
    // user_id → (stored before this batch, current state)
    let mut work: BTreeMap<String, (Option<PlanetUser>, PlanetUser)> = BTreeMap::new();
    for s in ordered {
        mentions.add(MentionKind::PlanetUser, s.user_id.as_str(), &s.source);
        let id = s.user_id.as_str();
        let current = match work.remove(id) {
            Some((before, cur)) => (before, Some(cur)),
            None => {
                let before = tx.get(&PLANET_USERS, id)?;
                (before.clone(), before)
            }
        };
        let next = apply_sighting(current.1, s);
        work.insert(id.to_string(), (current.0, next));
    }
    let mut stats = UpsertStats::default();
    let mut writes: Vec<(String, PlanetUser)> = Vec::new();
    for (id, (before, after)) in work {
        let change = match &before {
            None => Change::Inserted,
            Some(b) if *b == after => Change::Unchanged,
            Some(_) => Change::Updated,
        };
        stats.count(change);
        if change == Change::Unchanged {
            continue;
        }
        let old_number = before.as_ref().and_then(|b| b.number.clone());
        let mut after = after;
        if old_number != after.number {
            if let Some(n) = &after.number
                && let Some(row) = super::members::export_row_for(tx, &id, Some(n))?
            {
                fill_from_export(&mut after, &row);
            }
            if let Some(n) = &old_number
                && tx.get(&PLANET_USERS_BY_NUMBER, n)?.as_deref() == Some(id.as_str())
            {
                tx.remove(&PLANET_USERS_BY_NUMBER, n)?;
            }
            if let Some(n) = &after.number {
                tx.put(&PLANET_USERS_BY_NUMBER, n, &id)?;
            }
        }
        writes.push((id, after));
    }
    tx.put_many(&PLANET_USERS, writes.iter().map(|(id, u)| (id.as_str(), u)))?;
    mentions.write(tx)?;
    Ok(stats)
}

/// A planet user by id.
pub fn planet_user(r: &impl Reads, user_id: &str) -> Result<Option<PlanetUser>, RecordsError> {
    Ok(r.get_record(&PLANET_USERS, user_id)?)
}

/// The user with this member number (成员编号), when known.
pub fn planet_user_by_number(r: &impl Reads, number: &str) -> Result<Option<PlanetUser>, RecordsError> {
    match r.get_record(&PLANET_USERS_BY_NUMBER, number)? {
        Some(id) => planet_user(r, &id),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    fn seen(id: &str, name: &str, alias: Option<&str>, at: i64) -> PlanetUserSighting {
        PlanetUserSighting::named(
            PlanetUserId::new(id),
            name.to_string(),
            alias.map(str::to_string),
            ts(at),
            SourceRef { raw_id: format!("raw-{at}"), position: Some(0) },
        )
    }

    #[test]
    fn renames_are_kept_in_order() {
        let store = Store::in_memory().unwrap();
        let st = store.write_with(|tx| record_sightings(tx, &[seen("400", "小明", None, 100)])).unwrap();
        assert_eq!(st.inserted, 1);
        let st = store.write_with(|tx| record_sightings(tx, &[seen("400", "小明", Some(""), 200)])).unwrap();
        assert_eq!(st, UpsertStats { inserted: 0, updated: 1, unchanged: 0 }, "last_seen moves on");
        store
            .write_with(|tx| {
                record_sightings(tx, &[seen("400", "Ming", None, 300), seen("400", "Ming 2", Some("明"), 400)])
            })
            .unwrap();
        let u = planet_user(&store.read().unwrap(), "400").unwrap().unwrap();
        assert_eq!(u.name, "Ming 2");
        assert_eq!(u.alias.as_deref(), Some("明"));
        assert_eq!(
            u.name_history,
            vec![
                NameChange { name: "小明".into(), alias: None, until: ts(200) },
                NameChange { name: "Ming".into(), alias: None, until: ts(300) },
            ]
        );
        assert_eq!((u.first_seen, u.last_seen), (ts(100), ts(400)));
        assert_eq!(u.display_name(), "明");
    }

    #[test]
    fn older_sightings_never_rename_backwards() {
        let u = apply_sighting(None, &seen("1", "new", None, 500));
        let u = apply_sighting(Some(u), &seen("1", "old", None, 100));
        assert_eq!(u.name, "new");
        assert!(u.name_history.is_empty());
        assert_eq!(u.first_seen, ts(100));
    }

    #[test]
    fn an_unchanged_sighting_at_the_same_time_writes_nothing() {
        let store = Store::in_memory().unwrap();
        store.write_with(|tx| record_sightings(tx, &[seen("1", "a", None, 100)])).unwrap();
        let st = store.write_with(|tx| record_sightings(tx, &[seen("1", "a", None, 100)])).unwrap();
        assert_eq!(st, UpsertStats { inserted: 0, updated: 0, unchanged: 1 });
    }

    #[test]
    fn exit_status_numbers_and_lookup() {
        let store = Store::in_memory().unwrap();
        let mut s = seen("7", "a", None, 100);
        s.number = Some("1024".into());
        s.exited = Some(true);
        store.write_with(|tx| record_sightings(tx, std::slice::from_ref(&s))).unwrap();
        let r = store.read().unwrap();
        let u = planet_user_by_number(&r, "1024").unwrap().unwrap();
        assert_eq!(u.left_planet_at, Some(ts(100)));
        drop(r);
        let mut back = seen("7", "a", None, 200);
        back.exited = Some(false);
        back.number = Some("2048".into());
        store.write_with(|tx| record_sightings(tx, &[back])).unwrap();
        let r = store.read().unwrap();
        assert_eq!(planet_user_by_number(&r, "1024").unwrap(), None, "the old number no longer points here");
        assert_eq!(planet_user_by_number(&r, "2048").unwrap().unwrap().left_planet_at, None);
    }
}

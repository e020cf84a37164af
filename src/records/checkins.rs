//! zsxq check-in projects and their check-in topics (posts), upserted by id.
//! A topic's camp day is derived later by the rules from `created_at`; the raw
//! timestamp string is kept as evidence. Deleted posts stay in the store (zsxq
//! has no tombstones; what was seen is evidence).

use std::collections::HashMap;

use super::mentions::{MentionBatch, MentionKind};
use super::{Change, Reads, RecordsError, UpsertStats};
use crate::domain::{CheckinProject, CheckinTopic, TopicComment};
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// checkin_id → project.
pub const CHECKIN_PROJECTS: TableDef<CheckinProject> = TableDef::new("checkin_projects");
/// key(checkin_id, topic_id) → topic.
pub const CHECKIN_TOPICS: TableDef<CheckinTopic> = TableDef::new("checkin_topics");
/// topic_id → checkin_id (a topic id is unique across projects).
const TOPIC_PROJECT: TableDef<String> = TableDef::new("checkin_topic_project");

fn same_but_source<T: Clone + PartialEq>(new: &T, old: &T, set_source: impl Fn(&mut T, &T)) -> bool {
    let mut n = new.clone();
    set_source(&mut n, old);
    &n == old
}

/// Upserts projects by `checkin_id`.
pub fn upsert_projects(tx: &mut WriteTx, projects: &[CheckinProject]) -> Result<UpsertStats, RecordsError> {
    for p in projects {
        if p.checkin_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid(format!("check-in project \"{}\"", p.title), "checkin_id", "is empty"));
        }
    }
    let mut stats = UpsertStats::default();
    let mut mentions = MentionBatch::new();
    for p in projects {
        mentions.add(MentionKind::Checkin, p.checkin_id.as_str(), &p.source);
        let old = tx.get(&CHECKIN_PROJECTS, p.checkin_id.as_str())?;
        let change = match &old {
            None => Change::Inserted,
            Some(o) if same_but_source(p, o, |n, o| n.source = o.source.clone()) => Change::Unchanged,
            Some(_) => Change::Updated,
        };
        stats.count(change);
        if change != Change::Unchanged {
            tx.put(&CHECKIN_PROJECTS, p.checkin_id.as_str(), p)?;
        }
    }
    mentions.write(tx)?;
    Ok(stats)
}

/// `t` with the comments of `earlier` it no longer shows, in posting order.
fn with_earlier_comments(t: &CheckinTopic, earlier: &[TopicComment]) -> CheckinTopic {
    let mut out = t.clone();
    out.comments.extend(earlier.iter().filter(|c| !t.comments.iter().any(|n| n.comment_id == c.comment_id)).cloned());
    out.comments.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.comment_id.cmp(&b.comment_id)));
    out
}

/// Upserts topics by `topic_id`. A topic id already stored under another project
/// is refused (ids are unique on zsxq, so that is a parsing bug upstream). Comments
/// seen earlier and no longer embedded in the page are kept.
pub fn upsert_topics(tx: &mut WriteTx, topics: &[CheckinTopic]) -> Result<UpsertStats, RecordsError> {
    for t in topics {
        let label = format!("topic {}", t.topic_id);
        if t.topic_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid("topic", "topic_id", "is empty"));
        }
        if t.checkin_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid(label, "checkin_id", "is empty"));
        }
        if t.user_id.as_str().trim().is_empty() {
            return Err(RecordsError::invalid(label, "owner.user_id", "is empty"));
        }
    }
    let mut stats = UpsertStats::default();
    let mut mentions = MentionBatch::new();
    // Writes are gathered and written in one go per table; `pending` makes a topic
    // that appears twice in one batch compare against its first occurrence.
    let mut pending: HashMap<String, (usize, Change)> = HashMap::new();
    let mut rows: Vec<(String, CheckinTopic)> = Vec::new();
    let mut index: Vec<(String, String)> = Vec::new();
    for t in topics {
        let tid = t.topic_id.as_str();
        let cid = t.checkin_id.as_str();
        mentions.add(MentionKind::Topic, tid, &t.source);
        mentions.add(MentionKind::PlanetUser, t.user_id.as_str(), &t.source);
        for c in &t.comments {
            mentions.add(MentionKind::PlanetUser, c.user_id.as_str(), &t.source);
        }
        mentions.add_page(MentionKind::Checkin, cid, &t.source.raw_id);
        let k = key(&[cid, tid]);
        let old = match pending.get(&k) {
            Some((i, _)) => Some(rows[*i].1.clone()),
            None => tx.get(&CHECKIN_TOPICS, &k)?,
        };
        // A page embeds only the first few comments: the ones seen before are kept.
        let merged;
        let t = match &old {
            Some(o) if o.comments.iter().any(|c| !t.comments.iter().any(|n| n.comment_id == c.comment_id)) => {
                merged = with_earlier_comments(t, &o.comments);
                &merged
            }
            _ => t,
        };
        if old.is_none()
            && let Some(other) = tx.get(&TOPIC_PROJECT, tid)?
            && other != cid
        {
            return Err(RecordsError::Conflict(format!(
                "topic {tid} is stored under check-in project {other}, not {cid}"
            )));
        }
        let change = match &old {
            None => Change::Inserted,
            Some(o) if same_but_source(t, o, |n, o| n.source = o.source.clone()) => Change::Unchanged,
            Some(_) => Change::Updated,
        };
        match pending.get_mut(&k) {
            Some((i, first)) => {
                if change != Change::Unchanged {
                    rows[*i].1 = t.clone();
                    if *first == Change::Unchanged {
                        *first = Change::Updated;
                        stats.unchanged -= 1;
                        stats.updated += 1;
                    }
                }
                continue;
            }
            None => {
                stats.count(change);
                if change == Change::Inserted {
                    index.push((tid.to_string(), cid.to_string()));
                }
                rows.push((k.clone(), t.clone()));
                pending.insert(k, (rows.len() - 1, change));
            }
        }
    }
    let changed: Vec<(&str, &CheckinTopic)> = rows
        .iter()
        .filter(|(k, _)| pending.get(k).is_some_and(|(_, c)| *c != Change::Unchanged))
        .map(|(k, t)| (k.as_str(), t))
        .collect();
    tx.put_many(&CHECKIN_TOPICS, changed)?;
    tx.put_many(&TOPIC_PROJECT, index.iter().map(|(t, c)| (t.as_str(), c)))?;
    mentions.write(tx)?;
    Ok(stats)
}

/// A project by id.
pub fn project(r: &impl Reads, checkin_id: &str) -> Result<Option<CheckinProject>, RecordsError> {
    Ok(r.get_record(&CHECKIN_PROJECTS, checkin_id)?)
}

/// Every project stored.
pub fn projects(r: &impl Reads) -> Result<Vec<CheckinProject>, RecordsError> {
    Ok(r.prefix_records(&CHECKIN_PROJECTS, "")?.into_iter().map(|(_, p)| p).collect())
}

/// Every topic of a project, oldest first.
pub fn topics(r: &impl Reads, checkin_id: &str) -> Result<Vec<CheckinTopic>, RecordsError> {
    let mut out: Vec<CheckinTopic> =
        r.prefix_records(&CHECKIN_TOPICS, &key_prefix(&[checkin_id]))?.into_iter().map(|(_, t)| t).collect();
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.topic_id.cmp(&b.topic_id)));
    Ok(out)
}

/// One topic by id.
pub fn topic(r: &impl Reads, topic_id: &str) -> Result<Option<CheckinTopic>, RecordsError> {
    match r.get_record(&TOPIC_PROJECT, topic_id)? {
        Some(cid) => Ok(r.get_record(&CHECKIN_TOPICS, &key(&[&cid, topic_id]))?),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CheckinId;
    use crate::records::UpsertStats;
    use crate::records::testing::{src, topic};
    use crate::store::Store;

    #[test]
    fn comments_seen_earlier_stay_when_a_later_page_no_longer_embeds_them() {
        let store = Store::in_memory().unwrap();
        let comment = |id: &str, at: &str| crate::domain::TopicComment {
            comment_id: id.to_string(),
            user_id: crate::domain::PlanetUserId::new("u9"),
            created_at: at.parse().unwrap(),
            text: format!("comment {id}"),
        };
        let mut first = topic("9001", "c1", "u1", "2025-10-25T02:00:00Z", "raw-1");
        first.comments = vec![comment("c-1", "2025-10-25T03:00:00Z"), comment("c-2", "2025-10-25T04:00:00Z")];
        store.write_with(|tx| upsert_topics(tx, std::slice::from_ref(&first))).unwrap();
        // A later page shows only the newer comments (zsxq embeds a few).
        let mut later = first.clone();
        later.comments = vec![comment("c-2", "2025-10-25T04:00:00Z"), comment("c-3", "2025-10-25T05:00:00Z")];
        assert_eq!(store.write_with(|tx| upsert_topics(tx, &[later.clone()])).unwrap().updated, 1);
        let ids = |r: &crate::store::ReadTx| -> Vec<String> {
            topic_by_id(r, "9001").comments.iter().map(|c| c.comment_id.clone()).collect()
        };
        assert_eq!(ids(&store.read().unwrap()), vec!["c-1", "c-2", "c-3"], "merged, in posting order");
        // The same page again changes nothing.
        assert_eq!(store.write_with(|tx| upsert_topics(tx, &[later])).unwrap().unchanged, 1);
    }

    #[test]
    fn topics_upsert_by_id_and_keep_the_raw_time() {
        let store = Store::in_memory().unwrap();
        let a = topic("9001", "c1", "u1", "2025-10-25T02:00:00Z", "raw-1");
        let b = topic("9002", "c1", "u2", "2025-10-25T01:00:00Z", "raw-1");
        assert_eq!(store.write_with(|tx| upsert_topics(tx, &[a.clone(), b.clone()])).unwrap().inserted, 2);
        // Seen again on a later page: unchanged, but the later page is listed as evidence.
        let mut again = a.clone();
        again.source = src("raw-2", 5);
        assert_eq!(store.write_with(|tx| upsert_topics(tx, &[again])).unwrap().unchanged, 1);
        // Edited text: updated, pointing to the page that showed the edit.
        let mut edited = a.clone();
        edited.text = "edited".into();
        edited.source = src("raw-3", 0);
        assert_eq!(store.write_with(|tx| upsert_topics(tx, &[edited])).unwrap().updated, 1);
        let r = store.read().unwrap();
        let all = topics(&r, "c1").unwrap();
        assert_eq!(all.iter().map(|t| t.topic_id.as_str()).collect::<Vec<_>>(), vec!["9002", "9001"], "oldest first");
        let t = topic_by_id(&r, "9001");
        assert_eq!(t.text, "edited");
        assert_eq!(t.created_at_raw, "2025-10-25T02:00:00Z");
        assert_eq!(t.source.raw_id, "raw-3");
        let pages: Vec<String> = crate::records::mentions::mentioning(&r, MentionKind::Topic, "9001")
            .unwrap()
            .into_iter()
            .map(|m| m.raw_id)
            .collect();
        assert_eq!(pages, vec!["raw-1", "raw-2", "raw-3"]);
    }

    fn topic_by_id(r: &crate::store::ReadTx, id: &str) -> CheckinTopic {
        super::topic(r, id).unwrap().unwrap()
    }

    #[test]
    fn a_topic_twice_in_one_batch_counts_once() {
        let store = Store::in_memory().unwrap();
        let a = topic("9001", "c1", "u1", "2025-10-25T02:00:00Z", "raw-1");
        store.write_with(|tx| upsert_topics(tx, std::slice::from_ref(&a))).unwrap();
        let mut edited = a.clone();
        edited.text = "edited".into();
        let st = store.write_with(|tx| upsert_topics(tx, &[a.clone(), edited, a.clone()])).unwrap();
        assert_eq!(st, UpsertStats { inserted: 0, updated: 1, unchanged: 0 });
        let fresh = topic("9002", "c1", "u1", "2025-10-25T03:00:00Z", "raw-2");
        let st = store.write_with(|tx| upsert_topics(tx, &[fresh.clone(), fresh])).unwrap();
        assert_eq!(st, UpsertStats { inserted: 1, updated: 0, unchanged: 0 });
        assert_eq!(topics(&store.read().unwrap(), "c1").unwrap().len(), 2);
    }

    #[test]
    fn a_topic_id_under_two_projects_is_refused() {
        let store = Store::in_memory().unwrap();
        store
            .write_with(|tx| upsert_topics(tx, &[topic("9001", "c1", "u1", "2025-10-25T02:00:00Z", "raw-1")]))
            .unwrap();
        let mut tx = store.write().unwrap();
        let err = upsert_topics(&mut tx, &[topic("9001", "c2", "u1", "2025-10-25T02:00:00Z", "raw-2")]).unwrap_err();
        assert_eq!(err.to_string(), "topic 9001 is stored under check-in project c1, not c2");
    }

    #[test]
    fn projects_upsert() {
        let store = Store::in_memory().unwrap();
        let mut p = CheckinProject {
            checkin_id: CheckinId::new("c1"),
            title: "2510 小绿书".into(),
            text: None,
            checkin_days: Some(9),
            status: "ongoing".into(),
            created_at: None,
            expires_at: None,
            min_words_count: Some(30),
            joined_count: Some(100),
            completed_count: Some(0),
            source: src("raw-1", 0),
        };
        assert_eq!(store.write_with(|tx| upsert_projects(tx, std::slice::from_ref(&p))).unwrap().inserted, 1);
        p.status = "over".into();
        assert_eq!(store.write_with(|tx| upsert_projects(tx, std::slice::from_ref(&p))).unwrap().updated, 1);
        assert_eq!(project(&store.read().unwrap(), "c1").unwrap().unwrap().status, "over");
        assert_eq!(projects(&store.read().unwrap()).unwrap().len(), 1);
    }
}
